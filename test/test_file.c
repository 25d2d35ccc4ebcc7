/* Sockets the caller already has: cnet_file_listener, cnet_file_conn and
 * cnet_file_packet_conn (Go's FileListener, FileConn and FilePacketConn, go-dial.md
 * rule 19). The caller keeps its descriptor; cnet works on a close-on-exec duplicate
 * and refuses anything that is not the right kind of socket, with Go's text. The
 * sockets here are made with the plain socket API, as another library would. */
#include "testutil.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>

/* A socket of type on 127.0.0.1, bound to a kernel-chosen port; its port in *port. */
static int raw_inet_socket(int type, int *port)
{
    int fd = socket(AF_INET, type, 0); /* not close-on-exec: cnet must not care */
    assert_true(fd >= 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    socklen_t len = sizeof sin;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    *port = ntohs(sin.sin_port);
    return fd;
}

static int raw_tcp_listener(int *port)
{
    int fd = raw_inet_socket(SOCK_STREAM, port);
    assert_int_equal(listen(fd, 8), 0);
    return fd;
}

static void expect_text(const char *got, const char *fmt, ...)
{
    char want[CNET_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(want, sizeof want, fmt, ap);
    va_end(ap);
    assert_string_equal(got, want);
}

/* A few bytes from a to b. */
static void round_trip(cnet_conn *a, cnet_conn *b)
{
    cnet_error err;
    char buf[8];
    assert_int_equal(cnet_conn_write(a, "ping", 4, &err), 4);
    assert_int_equal(cnet_conn_read(b, buf, sizeof buf, &err), 4);
    assert_memory_equal(buf, "ping", 4);
}

/* ---- listeners ---------------------------------------------------------------------- */

static void file_listener_accepts_and_caller_keeps_fd(void **state)
{
    (void)state;
    int port;
    int fd = raw_tcp_listener(&port);
    cnet_listener *ln = NULL;
    cnet_error err;
    assert_int_equal(cnet_file_listener(fd, "web", &ln, &err), 0);
    assert_int_equal(err.code, 0);
    int dup = cnet_listener_fd(ln);
    assert_true(dup != fd);
    assert_true(tu_is_cloexec(dup));
    assert_false(tu_is_cloexec(fd)); /* the caller's own flags are the caller's */
    char addr[CNET_ADDRSTRLEN];
    assert_int_equal(tu_listener_addr(ln, addr, sizeof addr), port);
    expect_text(addr, "127.0.0.1:%d", port);

    cnet_conn *client = tu_dial("tcp", addr);
    cnet_conn *server = tu_accept(ln);
    assert_int_equal(tu_sockopt(cnet_conn_fd(server), IPPROTO_TCP, TCP_NODELAY), 1);
    round_trip(client, server);
    cnet_conn_close(server);
    cnet_conn_close(client);
    assert_int_equal(cnet_listener_close(ln), 0);

    /* Closing the handle closed only cnet's duplicate: fd still listens. */
    client = tu_dial("tcp", addr);
    assert_true(tu_wait_readable(fd, 5000));
    int accepted = accept(fd, NULL, NULL);
    assert_true(accepted >= 0);
    close(accepted);
    cnet_conn_close(client);
    close(fd);
}

static void file_listener_refuses_regular_file(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_tempdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/plain", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    cnet_listener *ln = NULL;
    cnet_error err;
    assert_int_equal(cnet_file_listener(fd, path, &ln, &err), -ENOTSOCK);
    assert_null(ln);
    assert_int_equal(err.code, -ENOTSOCK);
    expect_text(err.msg, "file file+net %s: getsockopt: socket operation on non-socket", path);
    /* No name: cnet names the descriptor. */
    assert_int_equal(cnet_file_listener(fd, NULL, &ln, &err), -ENOTSOCK);
    expect_text(err.msg, "file file+net fd %d: getsockopt: socket operation on non-socket", fd);
    close(fd);
    unlink(path);
    rmdir(dir);
}

static void file_listener_refuses_udp_socket(void **state)
{
    (void)state;
    int port;
    int fd = raw_inet_socket(SOCK_DGRAM, &port);
    cnet_listener *ln = NULL;
    cnet_error err;
    assert_int_equal(cnet_file_listener(fd, "udp", &ln, &err), -EINVAL);
    assert_null(ln);
    assert_string_equal(err.msg, "file file+net udp: invalid argument");
    close(fd);
}

/* Go accepts this one and fails at the first Accept; cnet checks SO_ACCEPTCONN. */
static void file_listener_refuses_non_listening_tcp(void **state)
{
    (void)state;
    int port;
    int fd = raw_inet_socket(SOCK_STREAM, &port);
    cnet_listener *ln = NULL;
    cnet_error err;
    assert_int_equal(cnet_file_listener(fd, "bound", &ln, &err), -EINVAL);
    assert_null(ln);
    assert_string_equal(err.msg, "file file+net bound: invalid argument");
    close(fd);
}

static void file_handles_refuse_netlink(void **state)
{
    (void)state;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    assert_true(fd >= 0);
    cnet_listener *ln = NULL;
    cnet_conn *c = NULL;
    cnet_packet_conn *pc = NULL;
    cnet_error err;
    assert_int_equal(cnet_file_listener(fd, "netlink", &ln, &err), -EPROTONOSUPPORT);
    assert_string_equal(err.msg, "file file+net netlink: protocol not supported");
    assert_int_equal(cnet_file_conn(fd, "netlink", &c, &err), -EPROTONOSUPPORT);
    assert_string_equal(err.msg, "file file+net netlink: protocol not supported");
    assert_int_equal(cnet_file_packet_conn(fd, "netlink", &pc, &err), -EPROTONOSUPPORT);
    assert_string_equal(err.msg, "file file+net netlink: protocol not supported");
    assert_null(ln);
    assert_null(c);
    assert_null(pc);
    close(fd);
}

/* The duplicate must not leak into programs this process starts. */
static void file_duplicate_is_close_on_exec(void **state)
{
    (void)state;
    int port;
    int fd = raw_tcp_listener(&port);
    cnet_listener *ln = NULL;
    assert_int_equal(cnet_file_listener(fd, NULL, &ln, NULL), 0);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "test ! -e /proc/self/fd/%d", cnet_listener_fd(ln));
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "test -e /proc/self/fd/%d", fd); /* the control: fd is inherited */
    assert_int_equal(system(cmd), 0);
    cnet_listener_close(ln);
    close(fd);
}

static void file_unix_listener_never_unlinks(void **state)
{
    (void)state;
    char dir[64];
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    tu_make_tempdir(dir, sizeof dir);
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s/s", dir);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
    assert_int_equal(listen(fd, 8), 0);
    cnet_listener *ln = NULL;
    assert_int_equal(cnet_file_listener(fd, "unix", &ln, NULL), 0);
    char addr[CNET_ADDRSTRLEN];
    assert_true(cnet_listener_addr(ln, addr, sizeof addr) > 0);
    assert_string_equal(addr, sun.sun_path);
    cnet_conn *client = tu_dial("unix", sun.sun_path);
    cnet_conn *server = tu_accept(ln);
    round_trip(server, client);
    cnet_conn_close(server);
    cnet_conn_close(client);
    assert_int_equal(cnet_listener_close(ln), 0);
    assert_true(tu_path_exists(sun.sun_path)); /* the path belongs to whoever bound it */
    close(fd);
    unlink(sun.sun_path);
    rmdir(dir);
}

/* ---- connections ------------------------------------------------------------------ */

static void file_conn_gets_go_tcp_options(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN];
    int port = tu_listener_addr(ln, addr, sizeof addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_NODELAY), 0);

    cnet_conn *c = NULL;
    cnet_error err;
    assert_int_equal(cnet_file_conn(fd, "client", &c, &err), 0);
    assert_true(tu_is_cloexec(cnet_conn_fd(c)));
    assert_int_equal(tu_sockopt(cnet_conn_fd(c), IPPROTO_TCP, TCP_NODELAY), 1);
    assert_int_equal(tu_sockopt(cnet_conn_fd(c), SOL_SOCKET, SO_KEEPALIVE), 1);
    assert_int_equal(tu_sockopt(cnet_conn_fd(c), IPPROTO_TCP, TCP_KEEPIDLE), 15);
    char remote[CNET_ADDRSTRLEN];
    assert_true(cnet_conn_remote_addr(c, remote, sizeof remote) > 0);
    assert_string_equal(remote, addr);
    cnet_conn *server = tu_accept(ln);
    round_trip(c, server);
    cnet_conn_close(server);
    cnet_conn_close(c);
    close(fd);
    cnet_listener_close(ln);
}

/* A listening socket is not a connection. */
static void file_conn_refuses_listener(void **state)
{
    (void)state;
    int port;
    int fd = raw_tcp_listener(&port);
    cnet_conn *c = NULL;
    cnet_error err;
    assert_int_equal(cnet_file_conn(fd, "listener", &c, &err), -EINVAL);
    assert_null(c);
    assert_string_equal(err.msg, "file file+net listener: invalid argument");
    close(fd);
}

static void file_packet_conn_round_trip(void **state)
{
    (void)state;
    int port;
    int fd = raw_inet_socket(SOCK_DGRAM, &port);
    cnet_packet_conn *pc = NULL;
    cnet_error err;
    assert_int_equal(cnet_file_packet_conn(fd, "dns", &pc, &err), 0);
    assert_true(tu_is_cloexec(cnet_packet_fd(pc)));
    char addr[CNET_ADDRSTRLEN], peer_addr[CNET_ADDRSTRLEN], from[CNET_ADDRSTRLEN], buf[16];
    assert_int_equal(tu_packet_addr(pc, addr, sizeof addr), port);
    expect_text(addr, "127.0.0.1:%d", port);

    cnet_packet_conn *peer = tu_listen_packet("udp", "127.0.0.1:0");
    tu_packet_addr(peer, peer_addr, sizeof peer_addr);
    assert_int_equal(cnet_packet_write_to(pc, "query", 5, peer_addr, &err), 5);
    assert_int_equal(cnet_packet_read_from(peer, buf, sizeof buf, from, sizeof from, &err), 5);
    assert_string_equal(from, addr);
    assert_int_equal(cnet_packet_write_to(peer, "answer", 6, from, &err), 6);
    assert_int_equal(cnet_packet_read_from(pc, buf, sizeof buf, from, sizeof from, &err), 6);
    assert_memory_equal(buf, "answer", 6);
    assert_string_equal(from, peer_addr);
    cnet_packet_close(peer);
    cnet_packet_close(pc);
    close(fd);
}

static void file_packet_conn_refuses_stream(void **state)
{
    (void)state;
    int port;
    int fd = raw_tcp_listener(&port);
    cnet_packet_conn *pc = NULL;
    cnet_error err;
    assert_int_equal(cnet_file_packet_conn(fd, "tcp", &pc, &err), -EINVAL);
    assert_null(pc);
    assert_string_equal(err.msg, "file file+net tcp: invalid argument");
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(file_listener_accepts_and_caller_keeps_fd),
        TU_TEST(file_listener_refuses_regular_file),
        TU_TEST(file_listener_refuses_udp_socket),
        TU_TEST(file_listener_refuses_non_listening_tcp),
        TU_TEST(file_handles_refuse_netlink),
        TU_TEST(file_duplicate_is_close_on_exec),
        TU_TEST(file_unix_listener_never_unlinks),
        TU_TEST(file_conn_gets_go_tcp_options),
        TU_TEST(file_conn_refuses_listener),
        TU_TEST(file_packet_conn_round_trip),
        TU_TEST(file_packet_conn_refuses_stream),
    };
    return cmocka_run_group_tests_name("file", tests, NULL, NULL);
}
