/* A program outside the cnet tree that calls every function in <cnet.h>, over loopback
 * only. test/install_check.sh builds it against an installed cnet three ways (pkg-config
 * shared, pkg-config static, CMake find_package) to prove the installed tree is usable.
 * Exits 1 and names each failed check. Run with --activated, it is the process that
 * cnet_restart_exec starts: it serves one connection on the listener it inherits. */
#define _POSIX_C_SOURCE 200809L

#include <cnet.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define ACTIVATED_FLAG "--activated"
#define ACTIVATED_NAME "web"

static int failures;

static void check(int ok, const char *what, const cnet_error *err)
{
    if (ok)
        return;
    failures++;
    fprintf(stderr, "consumer: FAIL: %s", what);
    if (err != NULL && err->msg[0] != '\0')
        fprintf(stderr, " (%s)", err->msg);
    fputc('\n', stderr);
}

static void check_str(const char *got, const char *want, const char *what)
{
    if (strcmp(got, want) == 0)
        return;
    failures++;
    fprintf(stderr, "consumer: FAIL: %s: got \"%s\", want \"%s\"\n", what, got, want);
}

/* The library promises every socket is close-on-exec from birth. */
static void check_cloexec(int fd, const char *what)
{
    int flags = fd < 0 ? -1 : fcntl(fd, F_GETFD);
    check(flags >= 0 && (flags & FD_CLOEXEC), what, NULL);
}

#define SECOND_NS 1000000000LL

static int tcp_nodelay(int fd)
{
    int on = -1;
    socklen_t len = sizeof on;
    return getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0 ? on : -1;
}

/* What the dialer's control hook saw, to prove it ran before connect with Go's arguments. */
struct control_seen {
    char network[16];
    char address[CNET_ADDRSTRLEN];
    int fd;
};

static int record_control(void *arg, const char *network, const char *address, int fd)
{
    struct control_seen *seen = arg;
    snprintf(seen->network, sizeof seen->network, "%s", network);
    snprintf(seen->address, sizeof seen->address, "%s", address);
    seen->fd = fd;
    return 0;
}

static void use_host_port(void)
{
    char host[64] = "", port[16] = "", joined[64] = "";
    cnet_error err = {0, ""};

    check(cnet_split_host_port("[::1]:80", host, sizeof host, port, sizeof port, &err) == 0,
          "split_host_port [::1]:80", &err);
    check_str(host, "::1", "split host");
    check_str(port, "80", "split port");

    check(cnet_split_host_port("127.0.0.1", host, sizeof host, port, sizeof port, &err) ==
              CNET_EMISSINGPORT,
          "split_host_port without a port fails", NULL);
    check_str(err.msg, "address 127.0.0.1: missing port in address", "split error text");

    check(cnet_join_host_port("::1", "80", joined, sizeof joined) == 8, "join_host_port length",
          NULL);
    check_str(joined, "[::1]:80", "join_host_port");
}

/* Reads exactly len bytes (a stream may deliver them in pieces). */
static int read_full(cnet_conn *c, char *buf, size_t len, cnet_error *err)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = cnet_conn_read(c, buf + got, len - got, err);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

static void exchange(cnet_conn *client, cnet_conn *server)
{
    char buf[8] = "";
    cnet_error err = {0, ""};
    size_t written = 0;

    check(cnet_conn_write(client, "pi", 2, &err) == 2, "conn_write client", &err);
    check(cnet_conn_write_n(client, "ng", 2, &written, &err) == 0 && written == 2,
          "conn_write_n counts what it wrote", &err);
    check(read_full(server, buf, 4, &err) == 0 && memcmp(buf, "ping", 4) == 0,
          "conn_read server gets ping", &err);
    check(cnet_conn_write(server, "pong", 4, &err) == 4, "conn_write server", &err);
    check(read_full(client, buf, 4, &err) == 0 && memcmp(buf, "pong", 4) == 0,
          "conn_read client gets pong", &err);

    check(cnet_conn_close_write(client, &err) == 0, "conn_close_write", &err);
    check(cnet_conn_read(server, buf, sizeof buf, &err) == 0, "end of stream after close_write",
          &err);
    check(cnet_conn_close_read(server, &err) == 0, "conn_close_read", &err);
}

/* Go's TCPConn setters; a dialed conn starts with Go's TCP_NODELAY on. */
static void use_conn_options(cnet_conn *c)
{
    cnet_keepalive ka = {0, 30 * SECOND_NS, 10 * SECOND_NS, 3};
    cnet_error err = {0, ""};

    check(tcp_nodelay(cnet_conn_fd(c)) == 1, "dialed conn has TCP_NODELAY", NULL);
    check(cnet_conn_set_nodelay(c, 0, &err) == 0 && tcp_nodelay(cnet_conn_fd(c)) == 0,
          "conn_set_nodelay", &err);
    check(cnet_conn_set_keepalive(c, &ka, &err) == 0, "conn_set_keepalive", &err);
    check(cnet_conn_set_linger(c, -1, &err) == 0, "conn_set_linger", &err);
    check(cnet_conn_set_read_buffer(c, 65536, &err) == 0, "conn_set_read_buffer", &err);
    check(cnet_conn_set_write_buffer(c, 65536, &err) == 0, "conn_set_write_buffer", &err);
}

/* An expired deadline fails at once with Go's "i/o timeout"; clearing it makes the conn
 * usable again. */
static void use_conn_deadlines(cnet_conn *c)
{
    char local[CNET_ADDRSTRLEN] = "", remote[CNET_ADDRSTRLEN] = "", want[CNET_ERROR_MAX] = "";
    char buf[4];
    cnet_error err = {0, ""};

    cnet_conn_local_addr(c, local, sizeof local);
    cnet_conn_remote_addr(c, remote, sizeof remote);
    snprintf(want, sizeof want, "read tcp %s->%s: i/o timeout", local, remote);
    check(cnet_conn_set_read_deadline(c, cnet_now_ns()) == 0, "conn_set_read_deadline", NULL);
    check(cnet_conn_read(c, buf, sizeof buf, &err) == CNET_ETIMEOUT,
          "read past its deadline times out", &err);
    check_str(err.msg, want, "deadline error text");
    check(cnet_error_is_timeout(&err) && cnet_error_is_deadline_exceeded(&err),
          "a passed deadline is a timeout and deadline exceeded", NULL);
    check(cnet_conn_set_deadline(c, 0) == 0, "conn_set_deadline(0) clears", NULL);
    check(cnet_conn_set_write_deadline(c, cnet_now_ns() + 10 * SECOND_NS) == 0,
          "conn_set_write_deadline", NULL);
}

/* Dials through Go's Dialer; its control hook must see the socket before connect. */
static int dial_with_control(const char *addr, cnet_conn **c)
{
    struct control_seen seen = {"", "", -1};
    cnet_dialer d = {0};
    cnet_error err = {0, ""};
    int rc;

    d.timeout_ns = 10 * SECOND_NS;
    d.control = record_control;
    d.control_arg = &seen;
    rc = cnet_dial_with(&d, "tcp", addr, c, &err);
    check(rc == 0, "dial_with tcp", &err);
    check_str(seen.network, "tcp4", "control hook network");
    check_str(seen.address, addr, "control hook address");
    check(seen.fd >= 0, "control hook got a socket", NULL);
    return rc;
}

/* Accept with a passed deadline times out even with a connection waiting. */
static void check_accept_deadline(cnet_listener *ln)
{
    cnet_conn *none = NULL;
    cnet_error err = {0, ""};

    check(cnet_listener_set_deadline(ln, cnet_now_ns()) == 0, "listener_set_deadline", NULL);
    check(cnet_listener_accept(ln, &none, &err) == CNET_ETIMEOUT,
          "accept past its deadline times out", &err);
    check(cnet_listener_set_deadline(ln, 0) == 0, "listener_set_deadline(0) clears", NULL);
}

static void check_conn_addrs(cnet_conn *client, cnet_conn *server, const char *ln_addr)
{
    char client_local[CNET_ADDRSTRLEN] = "", client_remote[CNET_ADDRSTRLEN] = "";
    char server_local[CNET_ADDRSTRLEN] = "", server_remote[CNET_ADDRSTRLEN] = "";

    check(cnet_conn_local_addr(client, client_local, sizeof client_local) > 0, "conn_local_addr",
          NULL);
    check(cnet_conn_remote_addr(client, client_remote, sizeof client_remote) > 0,
          "conn_remote_addr", NULL);
    check(cnet_conn_local_addr(server, server_local, sizeof server_local) > 0,
          "accepted conn_local_addr", NULL);
    check(cnet_conn_remote_addr(server, server_remote, sizeof server_remote) > 0,
          "accepted conn_remote_addr", NULL);
    check_str(client_remote, ln_addr, "dialed remote is the listener");
    check_str(server_local, ln_addr, "accepted local is the listener");
    check_str(server_remote, client_local, "accepted remote is the dialer");
}

/* Port is the listener's port, which is free again once the listener closed. */
static void check_refused(const char *addr)
{
    char want[CNET_ERROR_MAX];
    cnet_conn *c = NULL;
    cnet_error err = {0, ""};

    snprintf(want, sizeof want, "dial tcp %s: connect: connection refused", addr);
    check(cnet_dial("tcp", addr, &c, &err) == -ECONNREFUSED && c == NULL,
          "dial to a closed port is refused", &err);
    check_str(err.msg, want, "refused dial error text");
    check(!cnet_error_is_timeout(&err) && !cnet_error_is_closed(&err),
          "refused is neither timeout nor closed", NULL);
}

static void use_tcp(void)
{
    char addr[CNET_ADDRSTRLEN] = "", want[CNET_ERROR_MAX] = "";
    cnet_listener *ln = NULL, *dup = NULL;
    cnet_conn *client = NULL, *server = NULL;
    cnet_error err = {0, ""};

    if (cnet_listen("tcp", "127.0.0.1:0", &ln, &err) != 0) {
        check(0, "listen tcp 127.0.0.1:0", &err);
        return;
    }
    check(cnet_listener_addr(ln, addr, sizeof addr) > 0 && strncmp(addr, "127.0.0.1:", 10) == 0,
          "listener_addr", NULL);
    check_cloexec(cnet_listener_fd(ln), "listener_fd is close-on-exec");

    snprintf(want, sizeof want, "listen tcp %s: bind: address already in use", addr);
    check(cnet_listen("tcp", addr, &dup, &err) == -EADDRINUSE && dup == NULL,
          "second listen on the same port fails", &err);
    check_str(err.msg, want, "address in use error text");

    if (dial_with_control(addr, &client) == 0) {
        check_accept_deadline(ln);
        check(cnet_listener_accept(ln, &server, &err) == 0, "listener_accept", &err);
    }
    if (client != NULL && server != NULL) {
        check_cloexec(cnet_conn_fd(client), "dialed conn_fd is close-on-exec");
        check_cloexec(cnet_conn_fd(server), "accepted conn_fd is close-on-exec");
        check_conn_addrs(client, server, addr);
        use_conn_options(client);
        use_conn_deadlines(client);
        exchange(client, server);
    }
    if (client != NULL) {
        check(cnet_conn_stop(client) == 0 && cnet_conn_stop(client) == 0 &&
                  cnet_conn_write(client, "x", 1, &err) == CNET_ECLOSED,
              "conn_stop (twice) makes later calls fail with CNET_ECLOSED", &err);
    }
    check(client == NULL || cnet_conn_close(client) == 0, "conn_close client", NULL);
    check(server == NULL || cnet_conn_close(server) == 0, "conn_close server", NULL);
    check(cnet_listener_stop(ln) == 0 && cnet_listener_accept(ln, &server, &err) == CNET_ECLOSED,
          "listener_stop makes accept fail with CNET_ECLOSED", &err);
    check(cnet_listener_close(ln) == 0, "listener_close", NULL);
    check_refused(addr);
}

/* ---- tasks: a listener task echoes what a client task sends ---------------------------- */

typedef struct tasks_demo {
    cnet_listener *ln;
    char addr[CNET_ADDRSTRLEN];
    cnet_waitgroup *wg;
    int echoed, in_task;
} tasks_demo;

static void echo_one(void *arg)
{
    tasks_demo *t = arg;
    cnet_conn *c = NULL;
    char buf[8];
    ssize_t n;

    if (cnet_listener_accept(t->ln, &c, NULL) == 0) {
        while ((n = cnet_conn_read(c, buf, sizeof buf, NULL)) > 0)
            cnet_conn_write(c, buf, (size_t)n, NULL);
        cnet_conn_close(c);
    }
    cnet_waitgroup_done(t->wg);
}

static void send_one(void *arg)
{
    tasks_demo *t = arg;
    cnet_conn *c = NULL;
    char buf[8] = "";

    cnet_yield();
    cnet_sleep(1000000);
    if (cnet_dial("tcp", t->addr, &c, NULL) == 0) {
        t->echoed = cnet_conn_write(c, "task", 4, NULL) == 4 && cnet_conn_close_write(c, NULL) == 0 &&
                    read_full(c, buf, 4, NULL) == 0 && memcmp(buf, "task", 4) == 0;
        cnet_conn_close(c);
    }
    cnet_waitgroup_done(t->wg);
}

static void tasks_main(void *arg)
{
    tasks_demo *t = arg;

    t->in_task = cnet_in_task();
    if (cnet_waitgroup_new(&t->wg) != 0)
        return;
    cnet_waitgroup_add(t->wg, 2);
    if (cnet_go(echo_one, t) != 0)
        cnet_waitgroup_done(t->wg);
    if (cnet_go(send_one, t) != 0)
        cnet_waitgroup_done(t->wg);
    cnet_waitgroup_wait(t->wg);
    cnet_waitgroup_free(t->wg);
}

static void use_tasks(void)
{
    cnet_runtime_config cfg = {.threads = 2};
    tasks_demo t = {0};
    cnet_error err = {0, ""};

    if (cnet_listen("tcp", "127.0.0.1:0", &t.ln, &err) != 0) {
        check(0, "listen for the tasks", &err);
        return;
    }
    cnet_listener_addr(t.ln, t.addr, sizeof t.addr);
    check(cnet_run(&cfg, tasks_main, &t, &err) == 0, "run", &err);
    check(t.in_task == 1 && cnet_in_task() == 0, "in_task inside, not outside", NULL);
    check(t.echoed, "a task echoes what another task sends", NULL);
    check(cnet_go(echo_one, &t) == -EPERM, "go without a runtime is -EPERM", NULL);
    cnet_listener_close(t.ln);
}

static void use_udp(void)
{
    char a_addr[CNET_ADDRSTRLEN] = "", b_addr[CNET_ADDRSTRLEN] = "", from[CNET_ADDRSTRLEN] = "";
    char buf[16] = "";
    cnet_packet_conn *a = NULL, *b = NULL;
    cnet_error err = {0, ""};

    check(cnet_listen_packet("udp", "127.0.0.1:0", &a, &err) == 0, "listen_packet a", &err);
    check(cnet_listen_packet("udp", "127.0.0.1:0", &b, &err) == 0, "listen_packet b", &err);
    if (a != NULL && b != NULL) {
        check(cnet_packet_local_addr(a, a_addr, sizeof a_addr) > 0, "packet_local_addr a", NULL);
        check(cnet_packet_local_addr(b, b_addr, sizeof b_addr) > 0, "packet_local_addr b", NULL);
        check_cloexec(cnet_packet_fd(a), "packet_fd is close-on-exec");
        check(cnet_packet_set_read_deadline(b, cnet_now_ns()) == 0 &&
                  cnet_packet_read_from(b, buf, sizeof buf, NULL, 0, &err) == CNET_ETIMEOUT,
              "read_from past its deadline times out", &err);
        check(cnet_packet_set_deadline(b, 0) == 0, "packet_set_deadline(0) clears", NULL);
        check(cnet_packet_set_write_deadline(a, cnet_now_ns() + 10 * SECOND_NS) == 0,
              "packet_set_write_deadline", NULL);
        check(cnet_packet_write_to(a, "hello", 5, b_addr, &err) == 5, "packet_write_to", &err);
        check(cnet_packet_read_from(b, buf, sizeof buf, from, sizeof from, &err) == 5 &&
                  memcmp(buf, "hello", 5) == 0,
              "packet_read_from", &err);
        check_str(from, a_addr, "read_from names the sender");
    }
    check(a == NULL || (cnet_packet_stop(a) == 0 &&
                        cnet_packet_read_from(a, buf, sizeof buf, NULL, 0, &err) == CNET_ECLOSED),
          "packet_stop makes read_from fail with CNET_ECLOSED", &err);
    check(a == NULL || cnet_packet_close(a) == 0, "packet_close a", NULL);
    check(b == NULL || cnet_packet_close(b) == 0, "packet_close b", NULL);
}

/* Joins only on lo and sends nothing: the group never leaves the machine. */
static void use_multicast(void)
{
    char addr[CNET_ADDRSTRLEN] = "";
    cnet_packet_conn *pc = NULL;
    cnet_error err = {0, ""};

    if (cnet_listen_multicast_udp("udp4", "lo", "239.77.1.1:0", &pc, &err) != 0) {
        check(0, "listen_multicast_udp udp4 lo 239.77.1.1:0", &err);
        return;
    }
    check(cnet_packet_local_addr(pc, addr, sizeof addr) > 0 && strncmp(addr, "0.0.0.0:", 8) == 0,
          "multicast socket is bound to the wildcard", NULL);
    check(cnet_packet_close(pc) == 0, "multicast packet_close", NULL);
}

/* cnet_listen_with's control hook also sees the socket before bind. */
static int listen_with_control(cnet_listener **ln, char *addr, size_t addrlen)
{
    struct control_seen seen = {"", "", -1};
    cnet_listen_config cfg = {0};
    cnet_error err = {0, ""};

    cfg.backlog = 8;
    cfg.control = record_control;
    cfg.control_arg = &seen;
    if (cnet_listen_with(&cfg, "tcp", "127.0.0.1:0", ln, &err) != 0) {
        check(0, "listen_with tcp 127.0.0.1:0", &err);
        return -1;
    }
    check(cnet_listener_addr(*ln, addr, addrlen) > 0, "listen_with listener_addr", NULL);
    check_str(seen.network, "tcp4", "listen control hook network");
    check_str(seen.address, "127.0.0.1:0", "listen control hook address");
    return 0;
}

/* Go's FileListener/FileConn/FilePacketConn wrap a duplicate: same socket, same address,
 * and closing the wrapper leaves the original open. */
static void check_file_listener(cnet_listener *ln, const char *addr)
{
    char got[CNET_ADDRSTRLEN] = "";
    cnet_listener *fl = NULL;
    cnet_error err = {0, ""};

    check(cnet_file_listener(cnet_listener_fd(ln), "ln", &fl, &err) == 0, "file_listener", &err);
    if (fl == NULL)
        return;
    check(cnet_listener_addr(fl, got, sizeof got) > 0, "file_listener addr", NULL);
    check_str(got, addr, "file_listener has the listener's address");
    check(cnet_listener_fd(fl) != cnet_listener_fd(ln), "file_listener works on a duplicate", NULL);
    check(cnet_listener_close(fl) == 0, "close the file listener", NULL);
    check(fcntl(cnet_listener_fd(ln), F_GETFD) >= 0, "the original fd stays open", NULL);
}

static void check_file_conn(cnet_conn *c)
{
    char want[CNET_ADDRSTRLEN] = "", got[CNET_ADDRSTRLEN] = "";
    cnet_conn *fc = NULL;
    cnet_error err = {0, ""};

    check(cnet_file_conn(cnet_conn_fd(c), NULL, &fc, &err) == 0, "file_conn", &err);
    if (fc == NULL)
        return;
    cnet_conn_local_addr(c, want, sizeof want);
    check(cnet_conn_local_addr(fc, got, sizeof got) > 0, "file_conn local addr", NULL);
    check_str(got, want, "file_conn has the conn's address");
    check(cnet_conn_close(fc) == 0, "close the file conn", NULL);
}

static void check_packet_with_and_file(void)
{
    char want[CNET_ADDRSTRLEN] = "", got[CNET_ADDRSTRLEN] = "";
    cnet_packet_conn *pc = NULL, *fpc = NULL;
    cnet_error err = {0, ""};

    if (cnet_listen_packet_with(NULL, "udp", "127.0.0.1:0", &pc, &err) != 0) {
        check(0, "listen_packet_with udp 127.0.0.1:0", &err);
        return;
    }
    cnet_packet_local_addr(pc, want, sizeof want);
    check(cnet_file_packet_conn(cnet_packet_fd(pc), "udp", &fpc, &err) == 0, "file_packet_conn",
          &err);
    if (fpc != NULL) {
        check(cnet_packet_local_addr(fpc, got, sizeof got) > 0, "file_packet_conn local addr",
              NULL);
        check_str(got, want, "file_packet_conn has the socket's address");
        check(cnet_packet_close(fpc) == 0, "close the file packet conn", NULL);
    }
    check(cnet_packet_close(pc) == 0, "packet_close", NULL);
}

/* Outside socket activation the set is empty, and asking it for sockets says so. */
static void check_no_activation(void)
{
    cnet_activation *act = NULL;
    cnet_listener *ln = NULL;
    cnet_packet_conn *pc = NULL;
    cnet_error err = {0, ""};

    check(cnet_listeners_from_env(&act, &err) == 0 && act != NULL, "listeners_from_env, none",
          &err);
    check(cnet_activation_count(act) == 0, "activation_count is 0", NULL);
    check_str(cnet_activation_name(act, 0), "", "activation_name past the end");
    check(cnet_activation_listener(act, NULL, &ln, &err) == -ENOENT, "no activated listener",
          NULL);
    check(cnet_activation_packet_conn(act, NULL, &pc, &err) == -ENOENT,
          "no activated packet conn", NULL);
    cnet_activation_free(act);
}

/* The --activated process: takes the inherited listener and serves one connection. */
static int serve_activated(void)
{
    cnet_activation *act = NULL;
    cnet_listener *ln = NULL;
    cnet_conn *c = NULL;
    cnet_error err = {0, ""};

    check(cnet_listeners_from_env(&act, &err) == 1, "listeners_from_env finds one socket", &err);
    check(getenv("LISTEN_FDS") == NULL, "listeners_from_env unsets LISTEN_FDS", NULL);
    check_str(cnet_activation_name(act, 0), ACTIVATED_NAME, "activation_name");
    check(cnet_activation_listener(act, ACTIVATED_NAME, &ln, &err) == 0, "activation_listener",
          &err);
    if (ln != NULL) {
        cnet_listener_set_deadline(ln, cnet_now_ns() + 10 * SECOND_NS);
        check(cnet_listener_accept(ln, &c, &err) == 0, "activated accept", &err);
        check(c == NULL || cnet_conn_write(c, "hi", 2, &err) == 2, "activated write", &err);
        check(c == NULL || cnet_conn_close(c) == 0, "activated conn_close", NULL);
        check(cnet_listener_close(ln) == 0, "activated listener_close", NULL);
    }
    cnet_activation_free(act);
    return failures > 0;
}

/* Hands the listener to a new process (this program, --activated) and proves the
 * connection that arrives next is served there. */
static void check_restart_exec(char *self, cnet_listener *ln, const char *addr)
{
    char *argv[] = {self, ACTIVATED_FLAG, NULL};
    cnet_listener *const lns[] = {ln};
    const char *const names[] = {ACTIVATED_NAME};
    char buf[4] = "";
    cnet_conn *c = NULL;
    cnet_error err = {0, ""};
    pid_t pid = -1;
    int status = -1;

    if (cnet_restart_exec(self, argv, NULL, lns, names, 1, &pid, &err) != 0) {
        check(0, "restart_exec", &err);
        return;
    }
    if (cnet_dial("tcp", addr, &c, &err) == 0) {
        cnet_conn_set_deadline(c, cnet_now_ns() + 10 * SECOND_NS);
        check(read_full(c, buf, 2, &err) == 0 && memcmp(buf, "hi", 2) == 0,
              "the new process serves the handed listener", &err);
        check_file_conn(c);
        cnet_conn_close(c);
    } else {
        check(0, "dial the handed listener", &err);
    }
    check(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "the --activated process succeeded", NULL);
}

static void use_servers(char *self)
{
    char addr[CNET_ADDRSTRLEN] = "";
    cnet_listener *ln = NULL;

    check_no_activation();
    check_packet_with_and_file();
    if (listen_with_control(&ln, addr, sizeof addr) != 0)
        return;
    check_file_listener(ln, addr);
    check_restart_exec(self, ln, addr);
    check(cnet_listener_close(ln) == 0, "listener_close", NULL);
}

static void use_errors(void)
{
    cnet_error timeout = {CNET_ETIMEOUT, "read tcp 127.0.0.1:1->127.0.0.1:2: i/o timeout"};
    cnet_error closed = {CNET_ECLOSED,
                         "read tcp 127.0.0.1:1->127.0.0.1:2: use of closed network connection"};
    cnet_error dial_timeout = {CNET_EDIALTIMEOUT, "dial tcp 127.0.0.1:1: i/o timeout"};
    int64_t before = cnet_now_ns();

    check_str(cnet_strerror(-EADDRINUSE), "address already in use", "strerror(-EADDRINUSE)");
    check_str(cnet_strerror(CNET_ECLOSED), "use of closed network connection",
              "strerror(CNET_ECLOSED)");
    check(cnet_error_is_timeout(&timeout) && !cnet_error_is_closed(&timeout),
          "an i/o timeout is a timeout", NULL);
    check(cnet_error_is_closed(&closed) && !cnet_error_is_timeout(&closed),
          "a closed connection is closed", NULL);
    check(cnet_error_is_deadline_exceeded(&timeout), "an i/o timeout is deadline exceeded", NULL);
    check(cnet_error_is_timeout(&dial_timeout) && !cnet_error_is_deadline_exceeded(&dial_timeout),
          "a dial timeout is a timeout but not deadline exceeded", NULL);
    check(before > 0 && cnet_now_ns() >= before, "now_ns is monotonic", NULL);
}

static void use_policy(void)
{
    const cnet_sockopt_rule *rules = NULL;
    size_t n = 0, i;
    int listener_reuseaddr = 0;

    check(cnet_sockopt_policy(NULL, &rules, &n) == 0 && n > 0, "sockopt_policy(NULL)", NULL);
    for (i = 0; i < n; i++)
        if (strcmp(rules[i].role, "listener") == 0 && strcmp(rules[i].option, "SO_REUSEADDR") == 0)
            listener_reuseaddr = 1;
    check(listener_reuseaddr, "policy has listener SO_REUSEADDR", NULL);
    check(cnet_sockopt_policy("plan9", &rules, &n) == CNET_ENOTSUP, "sockopt_policy(plan9)", NULL);
#ifdef __linux__
    check_str(cnet_os_name(), "linux", "os_name");
#endif
    check(cnet_listen_backlog() > 0, "listen_backlog is positive", NULL);
}

/* ---- addresses and interfaces: Go's net/netip values and net.Interfaces ---- */
static void use_addresses(void)
{
    static const uint8_t lo4[4] = {127, 0, 0, 1}, lo6[16] = {[15] = 1};
    cnet_addr a, b, u;
    cnet_prefix p, m, q;
    cnet_error err;
    char text[CNET_PREFIX_STRLEN];

    check(cnet_addr_parse("::ffff:10.1.2.3", &a, &err) == 0, "addr_parse", &err);
    check(cnet_addr_string(&a, text, sizeof text) > 0, "addr_string", NULL);
    check_str(text, "::ffff:10.1.2.3", "addr_string");
    u = cnet_addr_unmap(&a);
    check(cnet_addr_is4(&u) && cnet_addr_is6(&a) && cnet_addr_is4in6(&a), "unmap, is4, is6", NULL);
    check(cnet_addr_is_valid(&u) && cnet_addr_bitlen(&u) == 32 && cnet_addr_is_private(&u),
          "is_valid, bitlen, is_private", NULL);
    b = cnet_addr_from4(lo4);
    check(cnet_addr_is_loopback(&b) && cnet_addr_less(&u, &b) && cnet_addr_compare(&b, &u) == 1,
          "from4, loopback, less, compare", NULL);
    b = cnet_addr_from16(lo6);
    check(cnet_addr_is_loopback(&b) && !cnet_addr_is_global_unicast(&b) &&
              !cnet_addr_is_unspecified(&b) && !cnet_addr_is_multicast(&b),
          "from16 and its predicates", NULL);
    check(cnet_addr_parse("ff02::1%lo", &b, &err) == 0 && cnet_addr_is_link_local_multicast(&b) &&
              !cnet_addr_is_interface_local_multicast(&b) && !cnet_addr_is_link_local_unicast(&b),
          "multicast scopes", &err);
    check(cnet_addr_parse("1.2.3", &b, &err) == CNET_EINVALIDADDR, "addr_parse error", NULL);
    check_str(err.msg, "ParseAddr(\"1.2.3\"): IPv4 address too short", "addr_parse error");
    check(cnet_prefix_parse("10.1.2.3/8", &p, &err) == 0 && cnet_prefix_is_valid(&p), "prefix_parse", &err);
    m = cnet_prefix_masked(&p);
    cnet_prefix_string(&m, text, sizeof text);
    check_str(text, "10.0.0.0/8", "prefix_masked, prefix_string");
    check(cnet_prefix_contains(&p, &u) && !cnet_prefix_contains(&p, &a), "prefix_contains", NULL);
    q = cnet_prefix_from(&u, 16);
    check(cnet_addr_prefix(&u, 16, &m, &err) == 0 && q.bits == 16 && m.addr.bytes[14] == 0,
          "prefix_from, addr_prefix", &err);
}

static void use_interfaces(void)
{
    cnet_interfaces *list, *one;
    const cnet_interface *lo, *ifi;
    const cnet_prefix *all;
    cnet_error err;
    char text[64];

    check(cnet_interfaces_read(&list, &err) == 0, "interfaces_read", &err);
    if (list == NULL)
        return;
    lo = cnet_interfaces_by_name(list, "lo");
    check(lo != NULL && cnet_interfaces_len(list) >= 1 && cnet_interfaces_at(list, 0) != NULL,
          "interfaces_by_name, len, at", NULL);
    if (lo != NULL) {
        check(cnet_interfaces_by_index(list, lo->index) == lo, "interfaces_by_index", NULL);
        check(cnet_interface_flags_string(lo->flags, text, sizeof text) > 0 &&
                  strstr(text, "loopback") != NULL,
              "interface_flags_string", NULL);
        check(cnet_hwaddr_string(lo->hwaddr, lo->hwaddr_len, text, sizeof text) >= 0, "hwaddr_string", NULL);
        check(cnet_interface_by_index(lo->index, &one, &ifi, &err) == 0, "interface_by_index", &err);
        cnet_interfaces_free(one);
    }
    check(cnet_interfaces_addrs(list, &all) >= 1, "interfaces_addrs", NULL);
    cnet_interfaces_free(list);
    check(cnet_interface_by_name("lo", &one, &ifi, &err) == 0, "interface_by_name", &err);
    cnet_interfaces_free(one);
}

/* ---- message I/O: datagrams ---- */
static void use_datagram_messages(void)
{
    char to[CNET_ADDRSTRLEN] = "", got[2][16];
    cnet_packet_conn *a = NULL, *b = NULL, *g = NULL;
    const cnet_multicast_opts bound = {.bind_group = 1};
    const cnet_batch_opts gso = {0};
    cnet_msg one = {.buf = "one", .len = 3}, two[2], in[2];
    cnet_error err = {0, ""};
    size_t sent = 0;

    if (cnet_listen_packet("udp4", "127.0.0.1:0", &a, &err) != 0 ||
        cnet_listen_packet("udp4", "127.0.0.1:0", &b, &err) != 0) {
        check(0, "listen_packet for messages", &err);
        return;
    }
    cnet_packet_local_addr(b, to, sizeof to);
    check(cnet_packet_set_control(b, CNET_MSG_LOCAL_IP | CNET_MSG_TTL, 1, &err) == 0,
          "packet_set_control", &err);
    snprintf(one.addr, sizeof one.addr, "%s", to);
    check(cnet_packet_write_msg(a, &one, &err) == 3, "packet_write_msg", &err);
    memset(two, 0, sizeof two);
    for (int i = 0; i < 2; i++) {
        two[i].buf = i == 0 ? "two" : "six";
        two[i].len = 3;
        snprintf(two[i].addr, sizeof two[i].addr, "%s", to);
    }
    check(cnet_packet_write_batch(a, two, 2, &gso, &sent, &err) == 2 && sent == 2,
          "packet_write_batch", &err);
    memset(in, 0, sizeof in);
    in[0].buf = got[0];
    in[0].len = sizeof got[0];
    check(cnet_packet_read_msg(b, &in[0], &err) == 3 && strcmp(in[0].ctl.local_ip, "127.0.0.1") == 0,
          "packet_read_msg", &err);
    in[1].buf = got[1];
    in[1].len = sizeof got[1];
    check(cnet_packet_read_batch(b, in, 2, &err) >= 1, "packet_read_batch", &err);
    check(cnet_packet_gso_supported(a) >= 0, "packet_gso_supported", NULL);
    cnet_packet_close(a);
    cnet_packet_close(b);
    if (cnet_listen_multicast_udp_with(&bound, "udp4", "lo", "239.77.1.2:0", &g, &err) != 0) {
        check(0, "listen_multicast_udp_with", &err);
        return;
    }
    check(cnet_packet_join_group(g, "lo", "239.77.1.3", &err) == 0, "packet_join_group", &err);
    check(cnet_packet_leave_group(g, "lo", "239.77.1.3", &err) == 0, "packet_leave_group", &err);
    check(cnet_packet_join_source_group(g, "lo", "232.77.1.4", "127.0.0.1", &err) == 0,
          "packet_join_source_group", &err);
    check(cnet_packet_leave_source_group(g, "lo", "232.77.1.4", "127.0.0.1", &err) == 0,
          "packet_leave_source_group", &err);
    check(cnet_packet_set_multicast_ttl(g, 1, &err) == 0, "packet_set_multicast_ttl", &err);
    check(cnet_packet_set_multicast_loopback(g, 1, &err) == 0, "packet_set_multicast_loopback", &err);
    check(cnet_packet_set_multicast_interface(g, "lo", &err) == 0,
          "packet_set_multicast_interface", &err);
    cnet_packet_close(g);
}

/* ---- lookups ---- */
/* Without any DNS query: "localhost" and literals come from /etc/hosts and the parser, a
 * name that is no domain name is refused before any query, and every record lookup
 * runs on a stopped resolver, which fails it before it starts. */
static void use_lookups(void)
{
    cnet_resolver *r = NULL, *stopped = NULL;
    char **list = NULL, *cname = NULL;
    cnet_srv *srvs = NULL;
    cnet_mx *mxs = NULL;
    cnet_error err;
    int n;

    check(cnet_resolver_new(&r) == 0 && cnet_resolver_new(&stopped) == 0, "resolver_new", NULL);
    if (r == NULL || stopped == NULL)
        return;
    check(cnet_resolver_set_deadline(r, cnet_now_ns() + 5000000000) == 0, "resolver deadline",
          NULL);
    n = cnet_lookup_host(r, "localhost", &list, &err);
    check(n > 0, "lookup_host localhost", &err);
    cnet_lookup_free(list);
    n = cnet_lookup_ip(r, "ip4", "127.0.0.1", &list, &err);
    check(n == 1 && strcmp(list[0], "127.0.0.1") == 0, "lookup_ip literal", &err);
    cnet_lookup_free(list);
    check(cnet_lookup_port("tcp", "80", &err) == 80, "lookup_port", &err);
    check(cnet_lookup_txt(r, "bad..name", &list, &err) < 0 && cnet_error_is_not_found(&err) &&
              !cnet_error_is_temporary(&err),
          "lookup_txt of no domain name: not found", &err);
    check(cnet_resolver_stop(stopped) == 0, "resolver_stop", NULL);
    check(cnet_lookup_addr(stopped, "127.0.0.1", &list, &err) == CNET_ECANCELED,
          "lookup_addr stopped", &err);
    check(cnet_lookup_cname(stopped, "localhost", &cname, &err) == CNET_ECANCELED,
          "lookup_cname stopped", &err);
    check(cnet_lookup_srv(stopped, "http", "tcp", "x.test", &cname, &srvs, &err) == CNET_ECANCELED,
          "lookup_srv stopped", &err);
    check(cnet_lookup_mx(stopped, "x.test", &mxs, &err) == CNET_ECANCELED, "lookup_mx stopped",
          &err);
    check(cnet_lookup_ns(stopped, "x.test", &list, &err) == CNET_ECANCELED, "lookup_ns stopped",
          &err);
    check_str(err.msg, "lookup x.test: operation was canceled", "a stopped lookup's text");
    cnet_resolver_free(r);
    cnet_resolver_free(stopped);
}

/* ---- message I/O: streams and unix ---- */
#include <stdint.h>
#include <unistd.h>

/* Reads exactly len bytes and compares them with want. */
static void read_expect(cnet_conn *c, const char *want, const char *what)
{
    char buf[64] = "";
    size_t got = 0, len = strlen(want);
    cnet_error err = {0, ""};
    while (got < len) {
        ssize_t n = cnet_conn_read(c, buf + got, len - got, &err);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    check_str(buf, want, what);
}

typedef struct tcp_pair {
    cnet_listener *ln;
    cnet_conn *client, *server;
} tcp_pair;

static int pair_open(tcp_pair *p, const char *network, const char *address)
{
    char addr[CNET_ADDRSTRLEN];
    cnet_error err = {0, ""};
    p->ln = NULL, p->client = p->server = NULL;
    if (cnet_listen(network, address, &p->ln, &err) < 0 ||
        cnet_listener_addr(p->ln, addr, sizeof addr) < 0 ||
        cnet_dial(network, addr, &p->client, &err) < 0 ||
        cnet_listener_accept(p->ln, &p->server, &err) < 0) {
        check(0, "message I/O: a connected pair", &err);
        return -1;
    }
    return 0;
}

static void pair_close(tcp_pair *p)
{
    cnet_conn_close(p->client);
    cnet_conn_close(p->server);
    cnet_listener_close(p->ln);
}

/* writev, sendfile and a spliced copy between two TCP pairs. */
static void use_stream_copies(void)
{
    struct iovec iov[2] = {{"ab", 2}, {"cd", 2}};
    char path[] = "/tmp/cnet-consumer-XXXXXX";
    tcp_pair a, b;
    size_t n = 0;
    cnet_error err = {0, ""};
    int fd;
    if (pair_open(&a, "tcp", "127.0.0.1:0") < 0)
        return;
    if (pair_open(&b, "tcp", "127.0.0.1:0") < 0) {
        pair_close(&a);
        return;
    }
    check(cnet_conn_writev(a.client, iov, 2, &n, &err) == 0 && n == 4, "conn_writev", &err);
    read_expect(a.server, "abcd", "writev arrives");
    fd = mkstemp(path);
    check(fd >= 0 && unlink(path) == 0 && write(fd, "file", 4) == 4, "a file to send", NULL);
    check(cnet_conn_sendfile(a.client, fd, 0, SIZE_MAX, &n, &err) == 0 && n == 4,
          "conn_sendfile", &err);
    read_expect(a.server, "file", "sendfile arrives");
    if (fd >= 0)
        close(fd);
    check(cnet_conn_write(a.server, "copy", 4, &err) == 4, "write for the copy", &err);
    check(cnet_copy(b.client, a.client, 4, &n, &err) == 0 && n == 4, "copy", &err);
    read_expect(b.server, "copy", "copy arrives");
    pair_close(&a);
    pair_close(&b);
}

/* Descriptors, credentials, a listener handover and the fdstore, over unix sockets. */
static void use_unix_messages(void)
{
    char dir[] = "/tmp/cnet-consumer-XXXXXX", path[64], name[256], text[64];
    tcp_pair u, t;
    cnet_listener *got = NULL;
    cnet_packet_conn *manager = NULL;
    cnet_peer_cred cred;
    cnet_error err = {0, ""};
    int fds[1], received = -1, lfd;
    size_t n = 0, nfds = 0;
    ssize_t len;
    if (pair_open(&u, "unix", "") < 0)
        return;
    if (pair_open(&t, "tcp", "127.0.0.1:0") < 0) {
        pair_close(&u);
        return;
    }
    fds[0] = cnet_conn_fd(t.client);
    check(cnet_conn_send_fds(u.client, "x", 1, fds, 1, &n, &err) == 0 && n == 1,
          "conn_send_fds", &err);
    check(cnet_conn_recv_fds(u.server, text, sizeof text, &n, &received, 1, &nfds, &err) == 0 &&
              n == 1 && nfds == 1, "conn_recv_fds", &err);
    if (nfds == 1) {
        check_cloexec(received, "a received descriptor is close-on-exec");
        close(received);
    }
    check(cnet_conn_peer_cred(u.server, &cred, &err) == 0 && cred.uid == getuid(),
          "conn_peer_cred", &err);
    check(cnet_listener_send(u.client, t.ln, "web", &err) == 0, "listener_send", &err);
    check(cnet_listener_recv(u.server, &got, name, sizeof name, &err) == 0, "listener_recv", &err);
    check_str(got != NULL ? name : "", "web", "the handed listener's name");
    cnet_listener_close(got);
    /* the fdstore, to a socket playing systemd */
    unsetenv("NOTIFY_SOCKET");
    lfd = cnet_listener_fd(t.ln);
    check(cnet_notify_fdstore("web", &lfd, 1, &err) == 0, "notify_fdstore without systemd", &err);
    if (mkdtemp(dir) != NULL) {
        snprintf(path, sizeof path, "%s/notify", dir);
        check(cnet_listen_packet("unixgram", path, &manager, &err) == 0, "a notify socket", &err);
        setenv("NOTIFY_SOCKET", path, 1);
        check(cnet_notify_fdstore("web", &lfd, 1, &err) == 1, "notify_fdstore", &err);
        unsetenv("NOTIFY_SOCKET");
        len = manager != NULL ? cnet_packet_read_from(manager, text, sizeof text - 1, NULL, 0, &err) : -1;
        text[len > 0 ? len : 0] = '\0';
        check_str(text, "FDSTORE=1\nFDNAME=web", "what the manager got");
        cnet_packet_close(manager);
        unlink(path); /* a unixgram socket's file stays (Go's ListenUnixgram too) */
        rmdir(dir);
    }
    pair_close(&t);
    pair_close(&u);
}
/* ---- end of message I/O: streams and unix ---- */

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], ACTIVATED_FLAG) == 0)
        return serve_activated();
    use_host_port();
    use_tcp();
    use_udp();
    use_tasks();
    use_multicast();
    use_errors();
    use_policy();
    use_addresses(); /* ---- addresses and interfaces ---- */
    use_interfaces();
    use_lookups();
    use_datagram_messages(); /* message I/O: datagrams */
    use_servers(argv[0]);
    use_stream_copies(); /* message I/O: streams and unix */
    use_unix_messages();
    if (failures > 0) {
        fprintf(stderr, "consumer: %d check(s) failed\n", failures);
        return 1;
    }
    puts("consumer: ok");
    return 0;
}
