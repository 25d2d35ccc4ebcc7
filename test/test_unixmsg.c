/* Unix sockets' messages (issue 13 §4): descriptors passed with SCM_RIGHTS and used,
 * close-on-exec on arrival, none leaked when the receiver's control buffer is too
 * small; peer credentials; a listener handed to an unrelated running process that
 * accepts on it while the first keeps serving; systemd's descriptor store, against a
 * notify socket the test plays the manager on.
 *
 *   test_unixmsg HELPER_HANDOFF   (the path of the helper_handoff program) */
#include "testutil.h"

#include <spawn.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

extern char **environ;

static const char *helper_path;

static void unix_pair(tu_pair *p)
{
    tu_pair_open(p, "unix", ""); /* autobind: an abstract name, no file to remove */
}

/* Whether fd's read end sees end of stream: every write end (copies included) closed. */
static bool pipe_at_eof(int rfd)
{
    char c;
    return tu_wait_readable(rfd, 2000) && read(rfd, &c, 1) == 0;
}

/* ---- SCM_RIGHTS ---------------------------------------------------------------------- */

static void fds_are_passed_and_used(void **state)
{
    (void)state;
    tu_pair p;
    int pp[2], fds[2], got[4];
    char file[] = "/tmp/cnet-unixmsg-XXXXXX", buf[16];
    size_t written = 0, n = 0, nfds = 0;
    cnet_error err;
    unix_pair(&p);
    assert_int_equal(pipe(pp), 0);
    int ffd = mkstemp(file);
    assert_true(ffd >= 0);
    assert_int_equal(unlink(file), 0);
    assert_int_equal(write(ffd, "in the file", 11), 11);
    fds[0] = pp[1];
    fds[1] = ffd;
    assert_int_equal(cnet_conn_send_fds(p.client, "hello", 5, fds, 2, &written, &err), 0);
    assert_int_equal(written, 5);
    assert_int_equal(cnet_conn_recv_fds(p.server, buf, sizeof buf, &n, got, 4, &nfds, &err), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(nfds, 2);
    assert_true(tu_is_cloexec(got[0])); /* from birth: MSG_CMSG_CLOEXEC */
    assert_true(tu_is_cloexec(got[1]));
    assert_int_equal(write(got[0], "via", 3), 3); /* the received write end is ours */
    assert_int_equal(read(pp[0], buf, sizeof buf), 3);
    assert_memory_equal(buf, "via", 3);
    assert_int_equal(pread(got[1], buf, 11, 0), 11);
    assert_memory_equal(buf, "in the file", 11);
    close(got[0]);
    close(got[1]);
    close(pp[1]);
    assert_true(pipe_at_eof(pp[0]));
    close(pp[0]);
    close(ffd);
    tu_pair_close(&p);
}

/* Go's WriteMsgUnix: descriptors with no data ride on one zero byte of a stream. */
static void fds_without_data_ride_on_one_byte(void **state)
{
    (void)state;
    tu_pair p;
    int pp[2], got = -1;
    char buf[4] = "xyz";
    size_t written = 9, n = 0, nfds = 0;
    cnet_error err;
    unix_pair(&p);
    assert_int_equal(pipe(pp), 0);
    assert_int_equal(cnet_conn_send_fds(p.client, NULL, 0, &pp[1], 1, &written, &err), 0);
    assert_int_equal(written, 0);
    assert_int_equal(cnet_conn_recv_fds(p.server, buf, sizeof buf, &n, &got, 1, &nfds, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(buf[0], 0);
    assert_int_equal(nfds, 1);
    close(got);
    close(pp[0]);
    close(pp[1]);
    tu_pair_close(&p);
}

/* Three descriptors, room for one (and for none): all three closed, none handed out,
 * the data still read; the pipe behind them sees every write end gone. */
static void a_short_control_buffer_closes_everything_received(void **state)
{
    (void)state;
    for (size_t room = 0; room < 2; room++) {
        tu_pair p;
        int pp[2], fds[3], got[1] = {-1};
        char buf[16];
        size_t n = 0, nfds = 9;
        cnet_error err;
        unix_pair(&p);
        assert_int_equal(pipe(pp), 0);
        fds[0] = pp[1];
        fds[1] = dup(pp[1]);
        fds[2] = dup(pp[1]);
        int before = tu_count_fds();
        assert_int_equal(cnet_conn_send_fds(p.client, "three", 5, fds, 3, NULL, &err), 0);
        assert_int_equal(cnet_conn_recv_fds(p.server, buf, sizeof buf, &n, got, room, &nfds, &err),
                         -EMSGSIZE);
        assert_int_equal(n, 5);
        assert_int_equal(nfds, 0);
        assert_int_equal(got[0], -1);
        assert_int_equal(tu_count_fds(), before);
        assert_true(strstr(err.msg, ": recvmsg: message too long") != NULL);
        for (int i = 0; i < 3; i++)
            close(fds[i]);
        assert_true(pipe_at_eof(pp[0])); /* no copy of the write end survives */
        close(pp[0]);
        tu_pair_close(&p);
    }
}

/* CNET_MAX_FDS in one message; one more is refused before anything is sent. */
static void the_most_descriptors_one_message_carries(void **state)
{
    (void)state;
    tu_pair p;
    static int fds[CNET_MAX_FDS + 1], got[CNET_MAX_FDS + 8];
    int pp[2];
    char c;
    size_t n = 0, nfds = 0;
    cnet_error err;
    unix_pair(&p);
    assert_int_equal(pipe(pp), 0);
    for (int i = 0; i <= CNET_MAX_FDS; i++)
        fds[i] = pp[1];
    assert_int_equal(cnet_conn_send_fds(p.client, "m", 1, fds, CNET_MAX_FDS + 1, NULL, &err),
                     -EINVAL);
    assert_int_equal(cnet_conn_send_fds(p.client, "m", 1, fds, CNET_MAX_FDS, NULL, &err), 0);
    assert_int_equal(
        cnet_conn_recv_fds(p.server, &c, 1, &n, got, CNET_MAX_FDS + 8, &nfds, &err), 0);
    assert_int_equal(nfds, CNET_MAX_FDS);
    for (size_t i = 0; i < nfds; i++)
        close(got[i]);
    close(pp[0]);
    close(pp[1]);
    tu_pair_close(&p);
}

static void unixpacket_carries_descriptors_too(void **state)
{
    (void)state;
    tu_pair p;
    int pp[2], got = -1;
    char buf[8];
    size_t n = 0, nfds = 0;
    cnet_error err;
    tu_pair_open(&p, "unixpacket", "");
    assert_int_equal(pipe(pp), 0);
    assert_int_equal(cnet_conn_send_fds(p.client, "pkt", 3, &pp[0], 1, NULL, &err), 0);
    assert_int_equal(cnet_conn_recv_fds(p.server, buf, sizeof buf, &n, &got, 1, &nfds, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(nfds, 1);
    close(got);
    close(pp[0]);
    close(pp[1]);
    tu_pair_close(&p);
}

static void tcp_conns_carry_no_descriptors(void **state)
{
    (void)state;
    tu_pair p;
    char buf[4], local[CNET_ADDRSTRLEN], remote[CNET_ADDRSTRLEN], want[CNET_ERROR_MAX];
    int fd = 0, got;
    size_t n, nfds;
    cnet_peer_cred cred;
    cnet_error err;
    tu_pair_open(&p, "tcp", "127.0.0.1:0");
    assert_true(cnet_conn_local_addr(p.client, local, sizeof local) > 0);
    assert_true(cnet_conn_remote_addr(p.client, remote, sizeof remote) > 0);
    assert_int_equal(cnet_conn_send_fds(p.client, "x", 1, &fd, 1, NULL, &err), -EINVAL);
    snprintf(want, sizeof want, "write tcp %s->%s: sendmsg: invalid argument", local, remote);
    assert_string_equal(err.msg, want);
    assert_int_equal(cnet_conn_recv_fds(p.client, buf, 4, &n, &got, 1, &nfds, &err), -EINVAL);
    assert_int_equal(cnet_conn_peer_cred(p.client, &cred, &err), -EOPNOTSUPP);
    snprintf(want, sizeof want, "peercred tcp %s->%s: getsockopt: operation not supported", local,
             remote);
    assert_string_equal(err.msg, want);
    tu_pair_close(&p);
}

static void recv_honours_deadline_and_stop(void **state)
{
    (void)state;
    tu_pair p;
    char buf[4];
    int got;
    size_t n, nfds;
    cnet_error err;
    unix_pair(&p);
    assert_int_equal(cnet_conn_set_read_deadline(p.server, cnet_now_ns() + 30000000), 0);
    assert_int_equal(cnet_conn_recv_fds(p.server, buf, 4, &n, &got, 1, &nfds, &err), CNET_ETIMEOUT);
    assert_true(cnet_error_is_deadline_exceeded(&err));
    assert_int_equal(cnet_conn_stop(p.server), 0);
    assert_int_equal(cnet_conn_recv_fds(p.server, buf, 4, &n, &got, 1, &nfds, &err), CNET_ECLOSED);
    assert_int_equal(cnet_conn_send_fds(p.server, "x", 1, NULL, 0, NULL, &err), CNET_ECLOSED);
    /* the peer is gone: a send is EPIPE in Go's words, never SIGPIPE */
    assert_int_equal(cnet_conn_close(p.server), 0);
    p.server = NULL;
    int rc = cnet_conn_send_fds(p.client, "x", 1, NULL, 0, NULL, &err);
    assert_true(rc == -EPIPE || rc == -ECONNRESET);
    assert_true(strstr(err.msg, ": sendmsg: ") != NULL);
    tu_pair_close(&p);
}

/* ---- credentials ---------------------------------------------------------------------- */

static void peer_cred_names_this_process(void **state)
{
    (void)state;
    tu_pair p;
    cnet_peer_cred cred;
    cnet_error err;
    unix_pair(&p);
    assert_int_equal(cnet_conn_peer_cred(p.server, &cred, &err), 0);
    assert_int_equal(cred.pid, getpid());
    assert_int_equal(cred.uid, getuid());
    assert_int_equal(cred.gid, getgid());
    assert_int_equal(cnet_conn_peer_cred(p.client, &cred, &err), 0);
    assert_int_equal(cred.pid, getpid());
    tu_pair_close(&p);
}

/* ---- listener handover ------------------------------------------------------------------ */

static void dial_and_accept(cnet_listener *ln, const char *addr)
{
    cnet_conn *a = tu_dial("tcp", addr), *b = tu_accept(ln);
    char c = 0;
    assert_int_equal(cnet_conn_write(a, "h", 1, NULL), 1);
    assert_int_equal(cnet_conn_read(b, &c, 1, NULL), 1);
    assert_int_equal(c, 'h');
    cnet_conn_close(a);
    cnet_conn_close(b);
}

static void listener_handed_over_in_process(void **state)
{
    (void)state;
    tu_pair p;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0"), *got = NULL;
    char addr[CNET_ADDRSTRLEN], addr2[CNET_ADDRSTRLEN], name[256];
    cnet_error err;
    unix_pair(&p);
    assert_true(cnet_listener_addr(ln, addr, sizeof addr) > 0);
    assert_int_equal(cnet_listener_send(p.client, ln, "web", &err), 0);
    assert_int_equal(cnet_listener_send(p.client, ln, "admin", &err), 0); /* two in a row */
    assert_int_equal(cnet_listener_recv(p.server, &got, name, sizeof name, &err), 0);
    assert_string_equal(name, "web");
    assert_true(cnet_listener_addr(got, addr2, sizeof addr2) > 0);
    assert_string_equal(addr, addr2);
    assert_true(tu_is_cloexec(cnet_listener_fd(got)));
    dial_and_accept(got, addr);
    dial_and_accept(ln, addr); /* the sender keeps serving */
    cnet_listener_close(got);
    assert_int_equal(cnet_listener_recv(p.server, &got, name, 6, &err), 0);
    assert_string_equal(name, "admin");
    assert_int_equal(cnet_listener_close(ln), 0);
    dial_and_accept(got, addr); /* and the receiver goes on alone */
    cnet_listener_close(got);
    tu_pair_close(&p);
}

/* A unix listener on a path: the receiver's handle never removes the file, which is
 * the sender's to remove when it closes its own. */
static void unix_listener_handed_over_keeps_its_file(void **state)
{
    (void)state;
    tu_pair p;
    char dir[64], path[128], name[256];
    cnet_listener *ln, *got = NULL;
    cnet_error err;
    tu_make_tempdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/web.sock", dir);
    ln = tu_listen("unix", path);
    unix_pair(&p);
    assert_int_equal(cnet_listener_send(p.client, ln, "web", &err), 0);
    assert_int_equal(cnet_listener_recv(p.server, &got, name, sizeof name, &err), 0);
    cnet_conn *c = tu_dial("unix", path), *s = tu_accept(got);
    cnet_conn_close(c);
    cnet_conn_close(s);
    assert_int_equal(cnet_listener_close(got), 0);
    assert_true(tu_path_exists(path));
    assert_int_equal(cnet_listener_close(ln), 0);
    assert_false(tu_path_exists(path));
    assert_int_equal(rmdir(dir), 0);
    tu_pair_close(&p);
}

static void listener_recv_refuses_what_is_not_a_handover(void **state)
{
    (void)state;
    tu_pair p;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0"), *got = (cnet_listener *)1;
    char name[256];
    int before;
    cnet_error err;
    unix_pair(&p);
    before = tu_count_fds();
    /* data without a descriptor */
    assert_int_equal(cnet_conn_write(p.client, "\003web", 4, &err), 4);
    assert_int_equal(cnet_listener_recv(p.server, &got, name, sizeof name, &err), -EPROTO);
    assert_null(got);
    assert_true(strstr(err.msg, ": protocol error") != NULL);
    tu_read_exactly(p.server, name, 3);
    /* a name longer than the caller's buffer: the descriptor is closed */
    assert_int_equal(cnet_listener_send(p.client, ln, "a-long-name", &err), 0);
    assert_int_equal(cnet_listener_recv(p.server, &got, name, 5, &err), CNET_ENOSPACE);
    assert_int_equal(tu_count_fds(), before);
    /* a descriptor that is no listener: a pipe, with a well-formed header */
    int pp[2];
    assert_int_equal(pipe(pp), 0);
    assert_int_equal(cnet_conn_send_fds(p.client, "\003abc", 4, &pp[0], 1, NULL, &err), 0);
    assert_int_equal(cnet_listener_recv(p.server, &got, name, sizeof name, &err), -ENOTSOCK);
    close(pp[0]);
    close(pp[1]);
    assert_int_equal(tu_count_fds(), before);
    /* bad names never leave */
    assert_int_equal(cnet_listener_send(p.client, ln, "a:b", &err), -EINVAL);
    assert_int_equal(cnet_listener_send(p.client, ln, "", &err), -EINVAL);
    /* end of stream in the middle of a handover */
    int lfd = cnet_listener_fd(ln);
    assert_int_equal(cnet_conn_send_fds(p.client, "\011ab", 3, &lfd, 1, NULL, &err), 0);
    assert_int_equal(cnet_conn_close_write(p.client, &err), 0);
    assert_int_equal(cnet_listener_recv(p.server, &got, name, sizeof name, &err), -EPROTO);
    assert_int_equal(tu_count_fds(), before);
    cnet_listener_close(ln);
    tu_pair_close(&p);
}

/* Reads one line (without its newline) from a pipe, waiting up to 10 s. */
static void read_line_fd(int fd, char *buf, size_t len)
{
    size_t got = 0;
    while (got + 1 < len) {
        assert_true(tu_wait_readable(fd, 10000));
        ssize_t n = read(fd, buf + got, 1);
        assert_int_equal(n, 1);
        if (buf[got] == '\n')
            break;
        got++;
    }
    buf[got] = '\0';
}

static void read_line_conn(cnet_conn *c, char *buf, size_t len)
{
    size_t got = 0;
    cnet_error err;
    while (got + 1 < len) {
        ssize_t n = cnet_conn_read(c, buf + got, 1, &err);
        assert_int_equal(n, 1);
        if (buf[got] == '\n')
            break;
        got++;
    }
    buf[got] = '\0';
}

/* HAProxy's "expose-fd listeners": a separate program, started with nothing of ours but
 * stdout and stderr, asks for the listener over a unix socket and serves a connection
 * on it, while this process serves on the same listener before, during and after. */
static void listener_handed_to_an_unrelated_process(void **state)
{
    (void)state;
    char dir[64], ctl_path[128], line[256], want[256], addr[CNET_ADDRSTRLEN];
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0"), *ctl_ln;
    cnet_conn *ctl;
    cnet_error err;
    int out[2], status;
    pid_t pid;
    posix_spawn_file_actions_t fa;
    assert_non_null(helper_path);
    assert_true(cnet_listener_addr(ln, addr, sizeof addr) > 0);
    tu_make_tempdir(dir, sizeof dir);
    snprintf(ctl_path, sizeof ctl_path, "%s/ctl.sock", dir);
    ctl_ln = tu_listen("unix", ctl_path);
    dial_and_accept(ln, addr); /* serving before */

    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
    assert_int_equal(posix_spawn_file_actions_adddup2(&fa, out[1], 1), 0);
    char *argv[] = {(char *)helper_path, ctl_path, NULL};
    assert_int_equal(posix_spawn(&pid, helper_path, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);

    ctl = tu_accept(ctl_ln);
    dial_and_accept(ln, addr); /* serving during */
    assert_int_equal(cnet_listener_send(ctl, ln, "web", &err), 0);
    read_line_fd(out[0], line, sizeof line);
    snprintf(want, sizeof want, "ready web %s", addr);
    assert_string_equal(line, want);
    /* only the other process is in accept now: this connection is its */
    cnet_conn *c = tu_dial("tcp", addr);
    read_line_conn(c, line, sizeof line);
    snprintf(want, sizeof want, "child %ld", (long)pid);
    assert_string_equal(line, want);
    cnet_conn_close(c);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    dial_and_accept(ln, addr); /* and after: the listener was never ours alone */

    close(out[0]);
    cnet_conn_close(ctl);
    cnet_listener_close(ctl_ln);
    cnet_listener_close(ln);
    assert_int_equal(rmdir(dir), 0);
}

/* ---- systemd's descriptor store ---------------------------------------------------------- */

/* The manager's end: a datagram socket bound at addr (a path or "@name"). */
static int fake_manager(const char *addr)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    socklen_t len = offsetof(struct sockaddr_un, sun_path) + strlen(addr);
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(s >= 0);
    memcpy(sa.sun_path, addr, strlen(addr));
    if (addr[0] == '@')
        sa.sun_path[0] = '\0';
    assert_int_equal(bind(s, (struct sockaddr *)&sa, len), 0);
    return s;
}

/* What the manager received: the text, and the descriptors (into fds). */
static size_t manager_recv(int s, char *text, size_t len, int *fds, size_t maxfds)
{
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(16 * sizeof(int))];
    } ctl;
    struct iovec v = {text, len - 1};
    struct msghdr msg = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl.b,
                         .msg_controllen = sizeof ctl.b};
    assert_true(tu_wait_readable(s, 2000));
    ssize_t n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
    assert_true(n >= 0);
    text[n] = '\0';
    assert_int_equal(msg.msg_flags & MSG_CTRUNC, 0);
    /* one SCM_RIGHTS message (CMSG_NXTHDR is not used: musl's trips -Wsign-compare) */
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    assert_non_null(cm);
    assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
    size_t m = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    assert_true(m <= maxfds);
    memcpy(fds, CMSG_DATA(cm), m * sizeof(int));
    return m;
}

static bool same_file(int a, int b)
{
    struct stat sa, sb;
    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static void fdstore_sends_to_the_notify_socket(void **state)
{
    (void)state;
    char dir[64], path[128], text[512], abstract[64];
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    int fds[2] = {cnet_listener_fd(ln), 0}, got[16];
    cnet_error err;
    tu_make_tempdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/notify", dir);
    int m = fake_manager(path);
    assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
    assert_int_equal(cnet_notify_fdstore("web", fds, 1, &err), 1);
    assert_int_equal(manager_recv(m, text, sizeof text, got, 16), 1);
    assert_string_equal(text, "FDSTORE=1\nFDNAME=web");
    assert_true(same_file(got[0], fds[0]));
    close(got[0]);
    fds[1] = fds[0];
    assert_int_equal(cnet_notify_fdstore(NULL, fds, 2, &err), 1);
    assert_int_equal(manager_recv(m, text, sizeof text, got, 16), 2);
    assert_string_equal(text, "FDSTORE=1");
    close(got[0]);
    close(got[1]);
    close(m);
    /* no manager listening there any more */
    assert_int_equal(cnet_notify_fdstore("web", fds, 1, &err), -ECONNREFUSED);
    snprintf(text, sizeof text, "notify unixgram %s: sendmsg: connection refused", path);
    assert_string_equal(err.msg, text);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    /* an abstract socket, as systemd's user manager may use */
    snprintf(abstract, sizeof abstract, "@cnet-notify-%ld", (long)getpid());
    m = fake_manager(abstract);
    assert_int_equal(setenv("NOTIFY_SOCKET", abstract, 1), 0);
    assert_int_equal(cnet_notify_fdstore("a", fds, 1, &err), 1);
    assert_int_equal(manager_recv(m, text, sizeof text, got, 16), 1);
    close(got[0]);
    close(m);
    /* other forms, bad names, no manager at all */
    assert_int_equal(setenv("NOTIFY_SOCKET", "vsock:2:1234", 1), 0);
    assert_int_equal(cnet_notify_fdstore("a", fds, 1, &err), -EAFNOSUPPORT);
    assert_int_equal(cnet_notify_fdstore("a:b", fds, 1, &err), -EINVAL);
    assert_int_equal(cnet_notify_fdstore("a", fds, 0, &err), -EINVAL);
    assert_int_equal(unsetenv("NOTIFY_SOCKET"), 0);
    assert_int_equal(cnet_notify_fdstore("a", fds, 1, &err), 0);
    cnet_listener_close(ln);
}

int main(int argc, char **argv)
{
    helper_path = argc > 1 ? argv[1] : NULL;
    const struct CMUnitTest tests[] = {
        TU_TEST(fds_are_passed_and_used),
        TU_TEST(fds_without_data_ride_on_one_byte),
        TU_TEST(a_short_control_buffer_closes_everything_received),
        TU_TEST(the_most_descriptors_one_message_carries),
        TU_TEST(unixpacket_carries_descriptors_too),
        TU_TEST(tcp_conns_carry_no_descriptors),
        TU_TEST(recv_honours_deadline_and_stop),
        TU_TEST(peer_cred_names_this_process),
        TU_TEST(listener_handed_over_in_process),
        TU_TEST(unix_listener_handed_over_keeps_its_file),
        TU_TEST(listener_recv_refuses_what_is_not_a_handover),
        TU_TEST(listener_handed_to_an_unrelated_process),
        TU_TEST(fdstore_sends_to_the_notify_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
