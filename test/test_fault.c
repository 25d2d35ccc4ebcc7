/* Every error path is clean (issue 6 §2). Linked against cnet_fault, the library built
 * with every system call and allocation routed through src/fault.c. For each public
 * operation (a scenario below), the calls it makes are counted per system call; then
 * each counted call n of each kind fails in turn with each errno of a list, and:
 *   - the result is the injected -errno with Go's message shape
 *     "<op> <net> <addr>: <syscall>: <errno text>", or one of the documented
 *     absorptions (EINTR and EAGAIN are retried or waited out, accept retries
 *     ECONNABORTED, best-effort options and the backlog file are ignored on failure);
 *   - no descriptor is left open (the fd count is the same after the scenario);
 *   - nothing crashes; leaks of memory are LeakSanitizer's job in the ASan build.
 * The same program also checks two real (not injected) failures: accept under EMFILE,
 * and writes to a peer that has gone (EPIPE, never SIGPIPE). */
#include "testutil.h"

#include "fault.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* ---- the scenarios ----------------------------------------------------------------- */

typedef struct fixture {
    char dir[64], path[128], prefix[CNET_ADDRSTRLEN * 2 + 32];
    char addr[CNET_ADDRSTRLEN], ends[CNET_ADDRSTRLEN * 2 + 2];
    cnet_listener *ln;
    cnet_conn *a, *b;
    cnet_packet_conn *pc, *peer_pc;
    bool test_owns_fd3; /* an activation that failed leaves fd 3 to its owner */
} fixture;

typedef struct scenario {
    const char *name;
    void (*setup)(fixture *f);      /* unarmed; also writes the expected message prefix */
    int (*op)(fixture *f, cnet_error *err); /* armed; owns and closes what it creates */
    int ok_rc;                      /* what op returns without a fault */
    unsigned absorbs;               /* ABSORB_* this operation may legitimately show */
} scenario;

/* The calls whose failure an operation may absorb, as documented in cnet.h and fault.h. */
enum {
    ABSORB_BEST_EFFORT = 1, /* setsockopt of TCP_NODELAY, keep-alive, IPV6_V6ONLY; fopen of somaxconn */
    ABSORB_RESOLVER = 2,    /* the resolver thread: its failures become CNET_ELOOKUP */
};

static void make_tempdir(fixture *f)
{
    tu_make_tempdir(f->dir, sizeof f->dir);
    snprintf(f->path, sizeof f->path, "%s/s.sock", f->dir);
}

static void remove_tempdir(fixture *f)
{
    if (f->dir[0] != '\0') {
        unlink(f->path);
        rmdir(f->dir);
    }
}

static void setup_nothing(fixture *f)
{
    snprintf(f->prefix, sizeof f->prefix, "listen tcp 127.0.0.1:0: ");
}

static int op_listen_tcp(fixture *f, cnet_error *err)
{
    (void)f;
    int rc = cnet_listen("tcp", "127.0.0.1:0", &f->ln, err);
    cnet_listener_close(f->ln);
    f->ln = NULL;
    return rc;
}

static void setup_tcp6(fixture *f)
{
    snprintf(f->prefix, sizeof f->prefix, "listen tcp6 [::1]:0: ");
}

static int op_listen_tcp6(fixture *f, cnet_error *err)
{
    int rc = cnet_listen("tcp6", "[::1]:0", &f->ln, err);
    cnet_listener_close(f->ln);
    f->ln = NULL;
    return rc;
}

static int op_listen_reuse_port(fixture *f, cnet_error *err)
{
    cnet_listen_config cfg = {.reuse_port = 1};
    int rc = cnet_listen_with(&cfg, "tcp", "127.0.0.1:0", &f->ln, err);
    cnet_listener_close(f->ln);
    f->ln = NULL;
    return rc;
}

static void setup_unix_path(fixture *f)
{
    make_tempdir(f);
    snprintf(f->prefix, sizeof f->prefix, "listen unix %s: ", f->path);
}

static int op_listen_unix(fixture *f, cnet_error *err)
{
    int rc = cnet_listen("unix", f->path, &f->ln, err);
    cnet_listener_close(f->ln);
    f->ln = NULL;
    return rc;
}

static void setup_udp(fixture *f)
{
    snprintf(f->prefix, sizeof f->prefix, "listen udp 127.0.0.1:0: ");
}

static int op_listen_udp(fixture *f, cnet_error *err)
{
    int rc = cnet_listen_packet("udp", "127.0.0.1:0", &f->pc, err);
    cnet_packet_close(f->pc);
    f->pc = NULL;
    return rc;
}

static void setup_unixgram_path(fixture *f)
{
    make_tempdir(f);
    snprintf(f->prefix, sizeof f->prefix, "listen unixgram %s: ", f->path);
}

static int op_listen_unixgram(fixture *f, cnet_error *err)
{
    int rc = cnet_listen_packet("unixgram", f->path, &f->pc, err);
    cnet_packet_close(f->pc);
    f->pc = NULL;
    return rc;
}

static void setup_multicast(fixture *f)
{
    /* after the bind Go names the socket too: "listen udp4 0.0.0.0:N->239.255.6.8:0" */
    snprintf(f->prefix, sizeof f->prefix, "listen udp4 ");
}

static int op_listen_multicast(fixture *f, cnet_error *err)
{
    int rc = cnet_listen_multicast_udp("udp4", "lo", "239.255.6.8:0", &f->pc, err);
    cnet_packet_close(f->pc);
    f->pc = NULL;
    return rc;
}

/* A listener to dial; accepted conns are discarded with it. */
static void setup_tcp_listener(fixture *f)
{
    f->ln = tu_listen("tcp", "127.0.0.1:0");
    tu_listener_addr(f->ln, f->addr, sizeof f->addr);
    snprintf(f->prefix, sizeof f->prefix, "dial tcp ");
}

static int op_dial_tcp(fixture *f, cnet_error *err)
{
    int rc = cnet_dial("tcp", f->addr, &f->a, err);
    cnet_conn_close(f->a);
    f->a = NULL;
    return rc;
}

static int op_dial_local_address(fixture *f, cnet_error *err)
{
    cnet_dialer d = {.local_address = "127.0.0.1:0"};
    int rc = cnet_dial_with(&d, "tcp", f->addr, &f->a, err);
    cnet_conn_close(f->a);
    f->a = NULL;
    return rc;
}

static void setup_localhost(fixture *f)
{
    f->ln = tu_listen("tcp4", "127.0.0.1:0");
    snprintf(f->addr, sizeof f->addr, "localhost:%d", tu_listener_addr(f->ln, f->path, sizeof f->path));
    f->path[0] = '\0';
    snprintf(f->prefix, sizeof f->prefix, "dial tcp4");
}

static int op_dial_localhost_timeout(fixture *f, cnet_error *err)
{
    cnet_dialer d = {.timeout_ns = 10000000000LL};
    int rc = cnet_dial_with(&d, "tcp4", f->addr, &f->a, err);
    cnet_conn_close(f->a);
    f->a = NULL;
    return rc;
}

static void setup_udp_peer(fixture *f)
{
    f->pc = tu_listen_packet("udp", "127.0.0.1:0");
    tu_packet_addr(f->pc, f->addr, sizeof f->addr);
    snprintf(f->prefix, sizeof f->prefix, "dial udp ");
}

static int op_dial_udp(fixture *f, cnet_error *err)
{
    int rc = cnet_dial("udp", f->addr, &f->a, err);
    cnet_conn_close(f->a);
    f->a = NULL;
    return rc;
}

static void setup_unix_listener(fixture *f)
{
    make_tempdir(f);
    f->ln = tu_listen("unix", f->path);
    snprintf(f->prefix, sizeof f->prefix, "dial unix %s: ", f->path);
}

static int op_dial_unix(fixture *f, cnet_error *err)
{
    int rc = cnet_dial("unix", f->path, &f->a, err);
    cnet_conn_close(f->a);
    f->a = NULL;
    return rc;
}

/* A connection waiting in the listener's queue. */
static void setup_pending(fixture *f)
{
    setup_tcp_listener(f);
    f->a = tu_dial("tcp", f->addr);
    snprintf(f->prefix, sizeof f->prefix, "accept tcp %s: ", f->addr);
}

static int op_accept(fixture *f, cnet_error *err)
{
    int rc = cnet_listener_accept(f->ln, &f->b, err);
    cnet_conn_close(f->b);
    f->b = NULL;
    return rc;
}

/* A connected pair with five bytes on their way to f->b. */
static void setup_pair(fixture *f)
{
    char local[CNET_ADDRSTRLEN], remote[CNET_ADDRSTRLEN];
    cnet_error err;
    setup_tcp_listener(f);
    f->a = tu_dial("tcp", f->addr);
    f->b = tu_accept(f->ln);
    assert_int_equal(cnet_conn_write(f->a, "hello", 5, &err), 5);
    assert_true(cnet_conn_local_addr(f->b, local, sizeof local) > 0);
    assert_true(cnet_conn_remote_addr(f->b, remote, sizeof remote) > 0);
    snprintf(f->ends, sizeof f->ends, "%s->%s", local, remote);
}

static int op_read(fixture *f, cnet_error *err)
{
    char buf[16];
    snprintf(f->prefix, sizeof f->prefix, "read tcp %s: ", f->ends);
    ssize_t n = cnet_conn_read(f->b, buf, sizeof buf, err);
    return n < 0 ? (int)n : (int)(n == 5 ? 0 : -1000);
}

static int op_write(fixture *f, cnet_error *err)
{
    snprintf(f->prefix, sizeof f->prefix, "write tcp %s: ", f->ends);
    ssize_t n = cnet_conn_write(f->b, "world", 5, err);
    return n < 0 ? (int)n : (int)(n == 5 ? 0 : -1000);
}

/* An expired read deadline fails the read at once, even with data waiting. */
static int op_deadline(fixture *f, cnet_error *err)
{
    char buf[16];
    snprintf(f->prefix, sizeof f->prefix, "read tcp %s: ", f->ends);
    int rc = cnet_conn_set_read_deadline(f->b, cnet_now_ns() - 1);
    if (rc != 0) {
        err->code = rc;
        snprintf(err->msg, sizeof err->msg, "set_deadline: %s", cnet_strerror(rc));
        return rc;
    }
    return (int)cnet_conn_read(f->b, buf, sizeof buf, err);
}

static int op_close_write(fixture *f, cnet_error *err)
{
    snprintf(f->prefix, sizeof f->prefix, "close tcp %s: ", f->ends);
    return cnet_conn_close_write(f->b, err);
}

/* Two datagram sockets; one datagram waiting for f->pc. */
static void setup_datagrams(fixture *f)
{
    char peer[CNET_ADDRSTRLEN];
    cnet_error err;
    f->pc = tu_listen_packet("udp", "127.0.0.1:0");
    f->peer_pc = tu_listen_packet("udp", "127.0.0.1:0");
    tu_packet_addr(f->pc, f->addr, sizeof f->addr);
    tu_packet_addr(f->peer_pc, peer, sizeof peer);
    assert_int_equal(cnet_packet_write_to(f->peer_pc, "ping", 4, f->addr, &err), 4);
    snprintf(f->path, sizeof f->path, "%s", peer); /* where write_to sends */
}

static int op_read_from(fixture *f, cnet_error *err)
{
    char buf[16], from[CNET_ADDRSTRLEN];
    snprintf(f->prefix, sizeof f->prefix, "read udp %s: ", f->addr);
    ssize_t n = cnet_packet_read_from(f->pc, buf, sizeof buf, from, sizeof from, err);
    return n < 0 ? (int)n : (int)(n == 4 ? 0 : -1000);
}

static int op_write_to(fixture *f, cnet_error *err)
{
    snprintf(f->prefix, sizeof f->prefix, "write udp %s->%s: ", f->addr, f->path);
    ssize_t n = cnet_packet_write_to(f->pc, "pong", 4, f->path, err);
    return n < 0 ? (int)n : (int)(n == 4 ? 0 : -1000);
}

/* A socket the caller already has. */
static void setup_raw_listener(fixture *f)
{
    setup_tcp_listener(f);
    snprintf(f->prefix, sizeof f->prefix, "file file+net web: ");
}

static int op_file_listener(fixture *f, cnet_error *err)
{
    cnet_listener *ln = NULL;
    int rc = cnet_file_listener(cnet_listener_fd(f->ln), "web", &ln, err);
    cnet_listener_close(ln);
    return rc;
}

/* Socket activation: a listener at fd 3 and the three variables. */
static void setup_activation(fixture *f)
{
    char pid[32];
    assert_int_equal(open("/dev/null", O_RDONLY), 3); /* keeps fd 3 from the listener */
    setup_tcp_listener(f);
    assert_int_equal(dup2(cnet_listener_fd(f->ln), 3), 3);
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    setenv("LISTEN_PID", pid, 1);
    setenv("LISTEN_FDS", "1", 1);
    setenv("LISTEN_FDNAMES", "web", 1);
    f->test_owns_fd3 = true;
    snprintf(f->prefix, sizeof f->prefix, "file file+net web: ");
}

static int op_activation(fixture *f, cnet_error *err)
{
    cnet_activation *act = NULL;
    cnet_listener *ln = NULL;
    int rc = cnet_listeners_from_env(&act, err);
    f->test_owns_fd3 = rc < 0;
    if (rc == 1)
        rc = cnet_activation_listener(act, "web", &ln, err);
    else if (rc >= 0)
        rc = -1000;
    cnet_listener_close(ln);
    cnet_activation_free(act);
    return rc;
}

static void setup_restart(fixture *f)
{
    setup_tcp_listener(f);
    snprintf(f->prefix, sizeof f->prefix, "exec /bin/true: ");
}

static int op_restart(fixture *f, cnet_error *err)
{
    char *const argv[] = {"true", NULL};
    cnet_listener *const lns[] = {f->ln};
    pid_t pid = -1;
    int rc = cnet_restart_exec("/bin/true", argv, NULL, lns, NULL, 1, &pid, err);
    if (rc == 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    return rc;
}

/* ---- message I/O: datagrams ---- */
static void setup_datagrams_control(fixture *f)
{
    setup_datagrams(f);
    assert_int_equal(cnet_packet_set_control(f->pc, CNET_MSG_ALL, 1, NULL), 0);
}

static int op_set_control(fixture *f, cnet_error *err)
{
    snprintf(f->prefix, sizeof f->prefix, "set udp %s: ", f->addr);
    return cnet_packet_set_control(f->pc, CNET_MSG_ALL, 1, err);
}

static int op_read_msg(fixture *f, cnet_error *err)
{
    char buf[16];
    cnet_msg m = {.buf = buf, .len = sizeof buf};
    snprintf(f->prefix, sizeof f->prefix, "read udp %s: ", f->addr);
    ssize_t n = cnet_packet_read_msg(f->pc, &m, err);
    return n < 0 ? (int)n : (int)(n == 4 && (m.ctl.flags & CNET_MSG_LOCAL_IP) ? 0 : -1000);
}

static int op_read_batch(fixture *f, cnet_error *err)
{
    char buf[2][16];
    cnet_msg m[2] = {{.buf = buf[0], .len = 16}, {.buf = buf[1], .len = 16}};
    snprintf(f->prefix, sizeof f->prefix, "read udp %s: ", f->addr);
    int n = cnet_packet_read_batch(f->pc, m, 2, err);
    return n < 0 ? n : (n == 1 && m[0].n == 4 ? 0 : -1000);
}

static int op_write_msg(fixture *f, cnet_error *err)
{
    cnet_msg m = {.buf = "pong", .len = 4, .ctl = {.flags = CNET_MSG_TOS | CNET_MSG_LOCAL_IP, .tos = 2}};
    snprintf(m.addr, sizeof m.addr, "%.*s", (int)sizeof m.addr - 1, f->path);
    snprintf(m.ctl.local_ip, sizeof m.ctl.local_ip, "127.0.0.1");
    snprintf(f->prefix, sizeof f->prefix, "write udp %s->%s: ", f->addr, f->path);
    ssize_t n = cnet_packet_write_msg(f->pc, &m, err);
    return n < 0 ? (int)n : (int)(n == 4 ? 0 : -1000);
}

/* 64 datagrams of 1,200 bytes: two GSO runs in one sendmmsg (or, without GSO, 64). */
static int op_write_batch(fixture *f, cnet_error *err)
{
    static char payload[1200];
    cnet_msg m[64];
    size_t sent;
    memset(m, 0, sizeof m);
    for (int i = 0; i < 64; i++) {
        m[i].buf = payload;
        m[i].len = sizeof payload;
        snprintf(m[i].addr, sizeof m[i].addr, "%.*s", (int)sizeof m[i].addr - 1, f->path);
    }
    snprintf(f->prefix, sizeof f->prefix, "write udp %s->%s: ", f->addr, f->path);
    int n = cnet_packet_write_batch(f->pc, m, 64, NULL, &sent, err);
    return n < 0 ? n : (n == 64 && sent == 64 ? 0 : -1000);
}

static void setup_mcast_conn(fixture *f)
{
    f->pc = tu_listen_packet("udp4", "127.0.0.1:0");
    tu_packet_addr(f->pc, f->addr, sizeof f->addr);
    snprintf(f->prefix, sizeof f->prefix, "set udp4 %s: ", f->addr);
}

/* Joins and leaves on lo: nothing is sent. */
static int op_mcast_control(fixture *f, cnet_error *err)
{
    int rc = cnet_packet_join_source_group(f->pc, "lo", "232.7.7.7", "127.0.0.1", err);
    if (rc == 0)
        rc = cnet_packet_leave_source_group(f->pc, "lo", "232.7.7.7", "127.0.0.1", err);
    if (rc == 0)
        rc = cnet_packet_join_group(f->pc, "lo", "239.7.7.7", err);
    if (rc == 0)
        rc = cnet_packet_set_multicast_ttl(f->pc, 3, err);
    if (rc == 0)
        rc = cnet_packet_set_multicast_loopback(f->pc, 0, err);
    if (rc == 0)
        rc = cnet_packet_set_multicast_interface(f->pc, "lo", err);
    return rc;
}

static int op_listen_multicast_bound(fixture *f, cnet_error *err)
{
    cnet_multicast_opts o = {.bind_group = 1};
    snprintf(f->prefix, sizeof f->prefix, "listen udp4 239.255.6.9:0: ");
    int rc = cnet_listen_multicast_udp_with(&o, "udp4", "lo", "239.255.6.9:0", &f->pc, err);
    cnet_packet_close(f->pc);
    f->pc = NULL;
    return rc;
}

/* ---- message I/O: streams and unix ---- */
#include <sys/uio.h>
#include <sys/un.h>

/* What the scenarios below hold beyond the fixture; each op closes what its setup made. */
static int msgio_fd = -1, msgio_pipe[2] = {-1, -1};
static cnet_listener *msgio_ln;
static char msgio_a_ends[CNET_ADDRSTRLEN * 2 + 2]; /* f->a's, read in setup: unarmed */

static void ends_of(cnet_conn *c, char *buf, size_t len)
{
    char local[CNET_ADDRSTRLEN], remote[CNET_ADDRSTRLEN];
    /* as Go's OpError: an end without an address (a unix peer's) is left out */
    assert_true(cnet_conn_local_addr(c, local, sizeof local) >= 0);
    assert_true(cnet_conn_remote_addr(c, remote, sizeof remote) >= 0);
    snprintf(buf, len, "%s%s%s", local, local[0] != '\0' && remote[0] != '\0' ? "->" : "", remote);
}

static int op_writev(fixture *f, cnet_error *err)
{
    struct iovec iov[3] = {{"wo", 2}, {"r", 1}, {"ld", 2}};
    size_t written = 0;
    snprintf(f->prefix, sizeof f->prefix, "writev tcp %s: ", f->ends);
    int rc = cnet_conn_writev(f->b, iov, 3, &written, err);
    return rc < 0 ? rc : written == 5 ? 0 : -1000;
}

static void setup_pair_file(fixture *f)
{
    char path[] = "/tmp/cnet-fault-XXXXXX";
    setup_pair(f);
    msgio_fd = mkstemp(path);
    assert_true(msgio_fd >= 0);
    unlink(path);
    assert_int_equal(write(msgio_fd, "file!", 5), 5);
}

static int op_sendfile(fixture *f, cnet_error *err)
{
    size_t sent = 0;
    snprintf(f->prefix, sizeof f->prefix, "readfrom tcp %s: ", f->ends);
    int rc = cnet_conn_sendfile(f->b, msgio_fd, 0, SIZE_MAX, &sent, err);
    close(msgio_fd);
    return rc < 0 ? rc : sent == 5 ? 0 : -1000;
}

/* A pipe is no file sendfile takes: the buffer copy (malloc, read, send) runs. */
static void setup_pair_pipe(fixture *f)
{
    setup_pair(f);
    assert_int_equal(pipe(msgio_pipe), 0);
    assert_int_equal(write(msgio_pipe[1], "pipe!", 5), 5);
    close(msgio_pipe[1]);
}

static int op_sendfile_pipe(fixture *f, cnet_error *err)
{
    size_t sent = 0;
    snprintf(f->prefix, sizeof f->prefix, "readfrom tcp %s: ", f->ends);
    int rc = cnet_conn_sendfile(f->b, msgio_pipe[0], -1, SIZE_MAX, &sent, err);
    close(msgio_pipe[0]);
    return rc < 0 ? rc : sent == 5 ? 0 : -1000;
}

/* The five bytes waiting for b go back out through a (dst a, src b, count 5). */
static void setup_pair_copy(fixture *f)
{
    setup_pair(f);
    ends_of(f->a, msgio_a_ends, sizeof msgio_a_ends);
}

static int op_copy(fixture *f, cnet_error *err)
{
    size_t copied = 0;
    snprintf(f->prefix, sizeof f->prefix, "readfrom tcp %s: ", msgio_a_ends);
    int rc = cnet_copy(f->a, f->b, 5, &copied, err);
    return rc < 0 ? rc : copied == 5 ? 0 : -1000;
}

/* A unix pair through a listener on a path; "hello" plus a descriptor on its way to b. */
static void setup_unix_pair(fixture *f)
{
    cnet_error err;
    int fd;
    make_tempdir(f);
    f->ln = tu_listen("unix", f->path);
    f->a = tu_dial("unix", f->path);
    f->b = tu_accept(f->ln);
    fd = cnet_conn_fd(f->a);
    assert_int_equal(cnet_conn_send_fds(f->a, "hello", 5, &fd, 1, NULL, &err), 0);
    ends_of(f->b, f->ends, sizeof f->ends);
    ends_of(f->a, msgio_a_ends, sizeof msgio_a_ends);
}

static int op_send_fds(fixture *f, cnet_error *err)
{
    int fd = cnet_conn_fd(f->b);
    size_t written = 0;
    snprintf(f->prefix, sizeof f->prefix, "write unix %s: ", msgio_a_ends);
    int rc = cnet_conn_send_fds(f->a, "fds", 3, &fd, 1, &written, err);
    return rc < 0 ? rc : written == 3 ? 0 : -1000;
}

static int op_recv_fds(fixture *f, cnet_error *err)
{
    char buf[16];
    int fds[4];
    size_t n = 0, nfds = 0;
    snprintf(f->prefix, sizeof f->prefix, "read unix %s: ", f->ends);
    int rc = cnet_conn_recv_fds(f->b, buf, sizeof buf, &n, fds, 4, &nfds, err);
    for (size_t i = 0; i < nfds; i++)
        close(fds[i]);
    return rc < 0 ? rc : n == 5 && nfds == 1 ? 0 : -1000;
}

static int op_peer_cred(fixture *f, cnet_error *err)
{
    cnet_peer_cred cred;
    snprintf(f->prefix, sizeof f->prefix, "peercred unix %s: ", f->ends);
    int rc = cnet_conn_peer_cred(f->b, &cred, err);
    return rc < 0 ? rc : cred.pid == getpid() ? 0 : -1000;
}

static void setup_handover(fixture *f)
{
    setup_unix_pair(f);
    msgio_ln = tu_listen("tcp", "127.0.0.1:0");
}

static int op_listener_send(fixture *f, cnet_error *err)
{
    snprintf(f->prefix, sizeof f->prefix, "write unix %s: ", msgio_a_ends);
    int rc = cnet_listener_send(f->a, msgio_ln, "web", err);
    cnet_listener_close(msgio_ln);
    return rc;
}

/* A handover waits behind the "hello" message, which is read first (unarmed). */
static void setup_handover_waiting(fixture *f)
{
    char buf[8];
    int fd = -1;
    size_t n, nfds;
    cnet_error err;
    setup_handover(f);
    assert_int_equal(cnet_conn_recv_fds(f->b, buf, 5, &n, &fd, 1, &nfds, &err), 0);
    close(fd);
    assert_int_equal(cnet_listener_send(f->a, msgio_ln, "web", &err), 0);
    cnet_listener_close(msgio_ln);
}

static int op_listener_recv(fixture *f, cnet_error *err)
{
    cnet_listener *ln = NULL;
    char name[256];
    /* the read's errors name the unix conn; those of the received socket's checks are
     * cnet_file_listener's ("file file+net web: dup: ..."): any prefix, Go's shape */
    f->prefix[0] = '\0';
    int rc = cnet_listener_recv(f->b, &ln, name, sizeof name, err);
    cnet_listener_close(ln);
    return rc;
}

/* The test plays systemd: a datagram socket at NOTIFY_SOCKET. */
static void setup_notify(fixture *f)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    make_tempdir(f);
    assert_true(strlen(f->path) < sizeof sa.sun_path);
    memcpy(sa.sun_path, f->path, strlen(f->path));
    msgio_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(msgio_fd >= 0);
    assert_int_equal(bind(msgio_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    setenv("NOTIFY_SOCKET", f->path, 1);
    msgio_ln = tu_listen("tcp", "127.0.0.1:0");
    snprintf(f->prefix, sizeof f->prefix, "notify unixgram %s: ", f->path);
}

static int op_notify(fixture *f, cnet_error *err)
{
    int fd = cnet_listener_fd(msgio_ln);
    (void)f;
    int rc = cnet_notify_fdstore("web", &fd, 1, err);
    unsetenv("NOTIFY_SOCKET");
    close(msgio_fd); /* with what it received */
    cnet_listener_close(msgio_ln);
    return rc;
}
/* ---- end of message I/O: streams and unix ---- */

static void teardown(fixture *f)
{
    cnet_conn_close(f->a);
    cnet_conn_close(f->b);
    cnet_packet_close(f->pc);
    cnet_packet_close(f->peer_pc);
    cnet_listener_close(f->ln);
    if (f->test_owns_fd3)
        close(3);
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    remove_tempdir(f);
    memset(f, 0, sizeof *f);
}

/* ---- addresses and interfaces: the interface list (Linux: two netlink dumps) ---- */
static void setup_interfaces(fixture *f)
{
    snprintf(f->prefix, sizeof f->prefix, "route ip+net: ");
}

static int op_interfaces(fixture *f, cnet_error *err)
{
    cnet_interfaces *list;
    const cnet_interface *lo;
    int rc;

    (void)f;
    rc = cnet_interface_by_name("lo", &list, &lo, err);
    cnet_interfaces_free(list);
    return rc;
}

static const scenario scenarios[] = {
    {"listen tcp", setup_nothing, op_listen_tcp, 0, ABSORB_BEST_EFFORT},
    {"listen tcp6", setup_tcp6, op_listen_tcp6, 0, ABSORB_BEST_EFFORT},
    {"listen_with reuse_port", setup_nothing, op_listen_reuse_port, 0, ABSORB_BEST_EFFORT},
    {"listen unix", setup_unix_path, op_listen_unix, 0, ABSORB_BEST_EFFORT},
    {"listen_packet udp", setup_udp, op_listen_udp, 0, ABSORB_BEST_EFFORT},
    {"listen_packet unixgram", setup_unixgram_path, op_listen_unixgram, 0, 0},
    {"listen_multicast_udp lo", setup_multicast, op_listen_multicast, 0, ABSORB_BEST_EFFORT},
    {"dial tcp", setup_tcp_listener, op_dial_tcp, 0, ABSORB_BEST_EFFORT},
    {"dial udp", setup_udp_peer, op_dial_udp, 0, ABSORB_BEST_EFFORT},
    {"dial unix", setup_unix_listener, op_dial_unix, 0, 0},
    {"dial_with local_address", setup_tcp_listener, op_dial_local_address, 0, ABSORB_BEST_EFFORT},
    {"dial_with timeout localhost", setup_localhost, op_dial_localhost_timeout, 0,
     ABSORB_BEST_EFFORT | ABSORB_RESOLVER},
    {"accept", setup_pending, op_accept, 0, ABSORB_BEST_EFFORT},
    {"read", setup_pair, op_read, 0, 0},
    {"write", setup_pair, op_write, 0, 0},
    {"close_write", setup_pair, op_close_write, 0, 0},
    {"deadline", setup_pair, op_deadline, CNET_ETIMEOUT, 0},
    {"read_from", setup_datagrams, op_read_from, 0, 0},
    {"write_to", setup_datagrams, op_write_to, 0, 0},
    {"file listener", setup_raw_listener, op_file_listener, 0, 0},
    {"activation", setup_activation, op_activation, 0, 0},
    {"restart_exec", setup_restart, op_restart, 0, 0},
    {"interfaces", setup_interfaces, op_interfaces, 0, 0}, /* ---- addresses and interfaces ---- */
    /* ---- message I/O: datagrams ---- */
    {"set_control", setup_datagrams, op_set_control, 0, 0},
    {"read_msg", setup_datagrams_control, op_read_msg, 0, 0},
    {"read_batch", setup_datagrams_control, op_read_batch, 0, 0},
    {"write_msg", setup_datagrams, op_write_msg, 0, 0},
    {"write_batch gso", setup_datagrams, op_write_batch, 0, 0},
    {"multicast control", setup_mcast_conn, op_mcast_control, 0, 0},
    {"listen_multicast_udp_with bind_group", setup_nothing, op_listen_multicast_bound, 0,
     ABSORB_BEST_EFFORT},
    /* ---- message I/O: streams and unix ---- */
    {"writev", setup_pair, op_writev, 0, 0},
    {"sendfile", setup_pair_file, op_sendfile, 0, 0},
    {"sendfile from a pipe", setup_pair_pipe, op_sendfile_pipe, 0, 0},
    {"copy", setup_pair_copy, op_copy, 0, 0},
    {"send_fds", setup_unix_pair, op_send_fds, 0, 0},
    {"recv_fds", setup_unix_pair, op_recv_fds, 0, 0},
    {"peer_cred", setup_unix_pair, op_peer_cred, 0, 0},
    {"listener_send", setup_handover, op_listener_send, 0, 0},
    {"listener_recv", setup_handover_waiting, op_listener_recv, 0, 0},
    {"notify_fdstore", setup_notify, op_notify, 1, 0},
    /* ---- end of message I/O: streams and unix ---- */
};

/* ---- running them -------------------------------------------------------------------- */

static const char *const calls[] = {
    "socket",   "setsockopt", "getsockopt",     "bind",       "listen", "connect",
    "accept4",  "accept",     "getsockname",    "getpeername", "read",  "send",
    "sendto",   "recvfrom",   "poll",           "shutdown",   "fcntl",  "pipe",
    "eventfd",  "calloc",     "malloc",         "if_nametoindex", "getifaddrs", "fopen",
    "pthread_create", "fork",
    "recvmsg", "sendmsg", "recvmmsg", "sendmmsg", /* message I/O: datagrams */
    /* ---- message I/O: streams and unix ---- */
    "pread", "sendfile", "splice", "pipe2", /* and sendmsg, recvmsg above */
};

static const int errnos[] = {EINTR, EAGAIN, ENOMEM, EMFILE, ENOBUFS, EADDRINUSE, ECONNABORTED};

/* The syscall names a message may carry before the errno text. */
static const char *const syscall_words[] = {
    "socket", "setsockopt", "getsockopt", "bind", "listen", "connect", "accept4", "accept",
    "getsockname", "getpeername", "read", "write", "recvfrom", "sendto", "sendmsg", "recvmsg",
    "poll", "shutdown", "fcntl", "dup", "pipe", "pipe2", "eventfd", "malloc", "fork", "execve",
    "setnonblock",
    "if_nametoindex", "getifaddrs", "pthread_create", "wait",
    "netlinkrib", /* ---- addresses and interfaces: Go's name for the interface dumps ---- */
    "recvmmsg", "sendmmsg", /* message I/O: datagrams */
    /* ---- message I/O: streams and unix ---- */
    "writev", "pread", "sendfile", "splice", "getpeereid",
};

/* An allocator can only fail with ENOMEM; other calls get every errno of the list. */
static int sensible(const char *call, int e)
{
    if (!strcmp(call, "calloc") || !strcmp(call, "malloc"))
        return e == ENOMEM;
    if (e == ECONNABORTED) /* only accept can report a connection aborted before it */
        return !strcmp(call, "accept4") || !strcmp(call, "accept");
    if (e == EADDRINUSE)
        return !strcmp(call, "bind") || !strcmp(call, "listen") || !strcmp(call, "connect");
    return 1;
}

static unsigned long injected, absorbed, failed_cleanly, problems;

/* Every problem is listed before the test fails, so that one run shows them all. */
#define PROBLEM(...) (problems++, print_message("PROBLEM: " __VA_ARGS__), print_message("\n"))

static int is_syscall_word(const char *w, size_t len)
{
    for (size_t i = 0; i < sizeof syscall_words / sizeof syscall_words[0]; i++) {
        if (strlen(syscall_words[i]) == len && strncmp(syscall_words[i], w, len) == 0)
            return 1;
    }
    return 0;
}

/* "<prefix>...: <syscall>: <errno text>" */
static int has_go_shape(const char *msg, const char *prefix, int code)
{
    char tail[CNET_ERROR_MAX];
    snprintf(tail, sizeof tail, ": %s", cnet_strerror(code));
    size_t m = strlen(msg), t = strlen(tail);
    if (strncmp(msg, prefix, strlen(prefix)) != 0 || m <= t || strcmp(msg + m - t, tail) != 0)
        return 0;
    size_t end = m - t, start = end;
    while (start > 0 && msg[start - 1] != ' ')
        start--;
    return start >= 2 && msg[start - 2] == ':' && is_syscall_word(msg + start, end - start);
}

/* Whether an injected failure that did not fail the operation is one cnet.h allows. */
static int absorption_allowed(const scenario *s, const char *call, int e)
{
    if (e == EINTR || e == EAGAIN)
        return 1; /* retried, or waited out with poll on a non-blocking socket */
    if (e == ECONNABORTED && (!strcmp(call, "accept4") || !strcmp(call, "accept")))
        return 1; /* "ECONNABORTED is retried" (accept: darwin's path, CNET_PORTABLE_FALLBACKS) */
    if (!strcmp(call, "fcntl") && !strcmp(s->name, "accept"))
        return 1; /* darwin's path asks whether the listener is still non-blocking; if it
                     cannot tell, it accepts without the fork lock rather than fail */
    if ((s->absorbs & ABSORB_BEST_EFFORT) && (!strcmp(call, "setsockopt") || !strcmp(call, "fopen")))
        return 1;
    if (!strcmp(call, "getsockname") || !strcmp(call, "getpeername"))
        return 1; /* as Go: a conn whose address cannot be read has none, and a socket
                     without a peer is simply not connected */
    if (!strcmp(call, "poll"))
        return 1; /* the wait is retried; the next system call reports a real error */
    if (!strcmp(call, "getsockopt") && !strcmp(s->name, "write_batch gso"))
        return 1; /* the GSO probe: a kernel that cannot answer sends without GSO */
    if (!strcmp(call, "pipe2") && !strcmp(s->name, "copy"))
        return 1; /* message I/O: no pipe for splice, so the copy goes through memory (Go) */
    if (!strcmp(call, "fcntl") && !strcmp(s->name, "copy"))
        return 1; /* message I/O: the pipe stays at 64 KiB if it cannot grow (best effort) */
    return 0;
}

static int lookup_failure_allowed(const scenario *s, int rc, const char *msg)
{
    return (s->absorbs & ABSORB_RESOLVER) && rc == CNET_ELOOKUP &&
           strncmp(msg, "dial tcp4: lookup localhost: ", 29) == 0;
}

/* malloc can only say ENOMEM; some operations name it ("malloc: ..."), some not. */
static int allocation_failure_ok(const char *call, int rc, const char *msg)
{
    static const char tail[] = ": cannot allocate memory";
    size_t m = strlen(msg), t = sizeof tail - 1;
    return (!strcmp(call, "calloc") || !strcmp(call, "malloc")) && rc == -ENOMEM && m > t &&
           strcmp(msg + m - t, tail) == 0;
}

/* How many calls of this kind the operation makes, unarmed. */
static unsigned long count_calls(const scenario *s, const char *call)
{
    fixture f = {0};
    cnet_error err;
    s->setup(&f);
    cnet__fault_arm(0, 0, call);
    int rc = s->op(&f, &err);
    unsigned long n = cnet__fault_disarm();
    if (rc != s->ok_rc)
        fail_msg("%s without a fault: %d %s", s->name, rc, err.msg);
    teardown(&f);
    return n;
}

/* The fd count, once it is back to want or after 2 s: a resolver thread the dial
 * stopped waiting for closes its descriptors when getaddrinfo returns. */
static int settled_fd_count(int want)
{
    const struct timespec ms = {0, 1000000};
    int n = tu_count_fds();
    for (int i = 0; i < 2000 && n != want; i++) {
        nanosleep(&ms, NULL);
        n = tu_count_fds();
    }
    return n;
}

static int baseline_fds;

static void inject(const scenario *s, const char *call, unsigned long nth, int e)
{
    fixture f = {0};
    cnet_error err = {0};
    int fds = baseline_fds;
    if (getenv("FAULT_VERBOSE") != NULL)
        fprintf(stderr, "inject: %s: %s #%lu %s\n", s->name, call, nth, strerror(e));
    s->setup(&f);
    cnet__fault_arm(nth, e, call);
    int rc = s->op(&f, &err);
    cnet__fault_disarm();
    int fired = cnet__fault_fired();
    char prefix[sizeof f.prefix];
    snprintf(prefix, sizeof prefix, "%s", f.prefix);
    teardown(&f);
    int after = settled_fd_count(fds);
    if (after != fds)
        PROBLEM("%s: %s #%lu %s: %d fds before, %d after", s->name, call, nth, strerror(e), fds, after);
    if (!fired)
        return; /* the count varies (a retry, a second address): nothing was injected */
    injected++;
    if (rc == s->ok_rc) {
        if (!absorption_allowed(s, call, e))
            PROBLEM("%s: %s #%lu %s was ignored", s->name, call, nth, strerror(e));
        if (getenv("FAULT_VERBOSE") != NULL)
            print_message("absorbed: %s: %s #%lu %s\n", s->name, call, nth, strerror(e));
        absorbed++;
        return;
    }
    failed_cleanly++;
    if (lookup_failure_allowed(s, rc, err.msg) || allocation_failure_ok(call, rc, err.msg))
        return;
    if (rc != -e || err.code != rc || !has_go_shape(err.msg, prefix, rc))
        PROBLEM("%s: %s #%lu %s: got %d \"%s\" (want %d, prefix \"%s\")", s->name, call, nth,
                strerror(e), rc, err.msg, -e, prefix);
}

static void every_call_of_every_operation_fails_cleanly(void **state)
{
    (void)state;
    unsigned long counted = 0;
    baseline_fds = tu_count_fds();
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const scenario *s = &scenarios[i];
        for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
            unsigned long n = count_calls(s, calls[c]);
            counted += n;
            for (unsigned long nth = 1; nth <= n; nth++) {
                for (size_t e = 0; e < sizeof errnos / sizeof errnos[0]; e++) {
                    if (sensible(calls[c], errnos[e]))
                        inject(s, calls[c], nth, errnos[e]);
                }
            }
        }
    }
    print_message("%zu operations, %lu calls counted, %lu faults injected: %lu failed with the "
                  "injected error, %lu retried or ignored as documented\n",
                  sizeof scenarios / sizeof scenarios[0], counted, injected, failed_cleanly,
                  absorbed);
    assert_true(injected > 500); /* the build really injects: this is cnet_fault */
    assert_int_equal(problems, 0);
}

/* ---- real failures: EMFILE at accept, EPIPE without SIGPIPE ------------------------------- */

/* accept with no descriptor left: Go's error, and the listener keeps working. */
static void accept_under_emfile(void **state)
{
    char addr[CNET_ADDRSTRLEN], want[CNET_ERROR_MAX];
    struct rlimit old, low;
    cnet_conn *c = NULL;
    cnet_error err;
    int hogs[64], n = 0;
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    tu_listener_addr(ln, addr, sizeof addr);
    cnet_conn *d1 = tu_dial("tcp", addr);
    cnet_conn *d2 = tu_dial("tcp", addr);

    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    low = old;
    low.rlim_cur = (rlim_t)tu_count_fds() + 8;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    for (int fd; n < 64 && (fd = dup(0)) >= 0; n++)
        hogs[n] = fd;
    assert_int_equal(errno, EMFILE);

    assert_int_equal(cnet_listener_accept(ln, &c, &err), -EMFILE);
    assert_null(c);
    snprintf(want, sizeof want, "accept tcp %s: accept4: too many open files", addr);
    if (strcmp(err.msg, want) != 0) /* darwin's path (CNET_PORTABLE_FALLBACKS) has no accept4 */
        snprintf(want, sizeof want, "accept tcp %s: accept: too many open files", addr);
    assert_string_equal(err.msg, want);

    while (n > 0)
        close(hogs[--n]);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    /* one accept, not two: under valgrind, which fakes the fd limit, the first
     * connection is accepted by the kernel and dropped by valgrind */
    cnet_conn_close(tu_accept(ln));
    cnet_conn_close(d1);
    cnet_conn_close(d2);
    cnet_listener_close(ln);
}

/* Writes to a peer that has gone, with SIGPIPE's default action (death) in place: the
 * process survives and the write fails with EPIPE (or ECONNRESET once the RST came). */
static void write_after_peer_closed(const char *network, const char *address)
{
    char addr[CNET_ADDRSTRLEN], buf[4096] = {0};
    cnet_error err;
    ssize_t rc = 0;
    cnet_listener *ln = tu_listen(network, address);
    assert_true(cnet_listener_addr(ln, addr, sizeof addr) > 0);
    cnet_conn *c = tu_dial(network, addr);
    cnet_conn *peer = tu_accept(ln);
    cnet_conn_close(peer);
    for (int i = 0; i < 100 && rc >= 0; i++)
        rc = cnet_conn_write(c, buf, sizeof buf, &err);
    print_message("%s: %s\n", network, err.msg);
    assert_true(rc == -EPIPE || rc == -ECONNRESET);
    assert_int_equal(err.code, (int)rc);
    assert_non_null(strstr(err.msg, "write: "));
    cnet_conn_close(c);
    cnet_listener_close(ln);
}

static void no_sigpipe(void **state)
{
    char dir[64], path[128];
    struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
    (void)state;
    assert_int_equal(sigaction(SIGPIPE, &dfl, &old), 0);
    write_after_peer_closed("tcp", "127.0.0.1:0");
    write_after_peer_closed("tcp6", "[::1]:0");
    tu_make_tempdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/p.sock", dir);
    write_after_peer_closed("unix", path);
    write_after_peer_closed("unixpacket", "");
    rmdir(dir);
    assert_int_equal(sigaction(SIGPIPE, &old, NULL), 0);
}

/* Socket activation hands sockets over from fd 3 on; a runner (ctest) may have left
 * something there. It is moved out of the way, not closed. */
static void free_fd3(void)
{
    if (fcntl(3, F_GETFD) >= 0) {
        if (fcntl(3, F_DUPFD_CLOEXEC, 10) < 0 || close(3) != 0)
            abort();
    }
}

int main(void)
{
    free_fd3();
    const struct CMUnitTest tests[] = {
        TU_TEST(every_call_of_every_operation_fails_cleanly),
        TU_TEST(accept_under_emfile),
        TU_TEST(no_sigpipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
