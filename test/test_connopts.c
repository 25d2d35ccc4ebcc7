/* TCP conn options as Go's TCPConn setters (SetNoDelay, SetKeepAliveConfig, SetLinger,
 * SetReadBuffer, SetWriteBuffer, CloseRead, CloseWrite), each read back from the kernel. */
#include "testutil.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#define SEC 1000000000LL

static void ok(int rc, const cnet_error *err)
{
    if (rc != 0)
        fail_msg("rc %d: %s", rc, err->msg);
    assert_int_equal(err->code, 0);
    assert_string_equal(err->msg, "");
}

static void nodelay_toggles(void **state)
{
    (void)state;
    tu_pair p;
    tu_pair_open(&p, "tcp", "127.0.0.1:0");
    cnet_conn *both[] = {p.client, p.server};
    for (size_t i = 0; i < 2; i++) {
        int fd = cnet_conn_fd(both[i]);
        cnet_error err;
        assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_NODELAY), 1); /* Go's default */
        ok(cnet_conn_set_nodelay(both[i], 0, &err), &err);
        assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_NODELAY), 0);
        ok(cnet_conn_set_nodelay(both[i], 1, &err), &err);
        assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_NODELAY), 1);
    }
    tu_pair_close(&p);
}

static void assert_keepalive(int fd, int on, int idle, int interval, int count)
{
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_KEEPALIVE), on);
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE), idle);
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL), interval);
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_KEEPCNT), count);
}

static void keepalive_config_read_back(void **state)
{
    (void)state;
    tu_pair p;
    tu_pair_open(&p, "tcp", "[::1]:0");
    int fd = cnet_conn_fd(p.client);
    cnet_error err;
    const cnet_keepalive custom = {.idle_ns = 30 * SEC, .interval_ns = 5 * SEC, .count = 3};
    ok(cnet_conn_set_keepalive(p.client, &custom, &err), &err);
    assert_keepalive(fd, 1, 30, 5, 3);
    const cnet_keepalive rounded = {.idle_ns = SEC + 1, .interval_ns = 1, .count = 0};
    ok(cnet_conn_set_keepalive(p.client, &rounded, &err), &err);
    assert_keepalive(fd, 1, 2, 1, 9);
    /* a negative field leaves that setting as it is */
    const cnet_keepalive keep_idle = {.idle_ns = -1, .interval_ns = 7 * SEC, .count = -1};
    ok(cnet_conn_set_keepalive(p.client, &keep_idle, &err), &err);
    assert_keepalive(fd, 1, 2, 7, 9);
    const cnet_keepalive off = {.enable = -1};
    ok(cnet_conn_set_keepalive(p.client, &off, &err), &err);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
    ok(cnet_conn_set_keepalive(p.client, NULL, &err), &err); /* NULL: Go's defaults */
    assert_keepalive(fd, 1, 15, 15, 9);
    tu_pair_close(&p);
}

static void linger_values_read_back(void **state)
{
    (void)state;
    tu_pair p;
    tu_pair_open(&p, "tcp", "127.0.0.1:0");
    int fd = cnet_conn_fd(p.client);
    const struct {
        int sec, onoff, linger;
    } rows[] = {{5, 1, 5}, {0, 1, 0}, {-1, 0, -1}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cnet_error err;
        struct linger l;
        socklen_t len = sizeof l;
        ok(cnet_conn_set_linger(p.client, rows[i].sec, &err), &err);
        assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len), 0);
        assert_int_equal(l.l_onoff != 0, rows[i].onoff);
        if (rows[i].linger >= 0)
            assert_int_equal(l.l_linger, rows[i].linger);
    }
    tu_pair_close(&p);
}

/* SetLinger(0) then Close: unsent data is dropped and the peer sees a reset. */
static void linger_zero_close_resets_peer(void **state)
{
    (void)state;
    tu_pair p;
    tu_pair_open(&p, "tcp", "127.0.0.1:0");
    char client_local[CNET_ADDRSTRLEN], server_local[CNET_ADDRSTRLEN], want[384], buf[8];
    assert_true(cnet_conn_local_addr(p.client, client_local, sizeof client_local) > 0);
    assert_true(cnet_conn_local_addr(p.server, server_local, sizeof server_local) > 0);
    cnet_error err;
    ok(cnet_conn_set_linger(p.client, 0, &err), &err);
    assert_int_equal(cnet_conn_close(p.client), 0);
    p.client = NULL;
    assert_int_equal(cnet_conn_read(p.server, buf, sizeof buf, &err), -ECONNRESET);
    snprintf(want, sizeof want, "read tcp %s->%s: read: connection reset by peer", server_local,
             client_local);
    assert_string_equal(err.msg, want);
    tu_pair_close(&p);
}

/* Linux doubles the requested buffer size (for its bookkeeping). */
static void buffer_sizes_read_back(void **state)
{
    (void)state;
    tu_pair p;
    tu_pair_open(&p, "tcp", "127.0.0.1:0");
    int fd = cnet_conn_fd(p.client);
    cnet_error err;
    ok(cnet_conn_set_read_buffer(p.client, 65536, &err), &err);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_RCVBUF), 131072);
    ok(cnet_conn_set_write_buffer(p.client, 32768, &err), &err);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_SNDBUF), 65536);
    tu_pair_close(&p);
}

/* The buffer setters apply to any conn, a dialed UDP one included. */
static void buffer_sizes_on_udp_conn(void **state)
{
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("udp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN];
    tu_packet_addr(pc, addr, sizeof addr);
    cnet_conn *c = tu_dial("udp", addr);
    cnet_error err;
    ok(cnet_conn_set_read_buffer(c, 16384, &err), &err);
    assert_int_equal(tu_sockopt(cnet_conn_fd(c), SOL_SOCKET, SO_RCVBUF), 32768);
    ok(cnet_conn_set_write_buffer(c, 16384, &err), &err);
    assert_int_equal(tu_sockopt(cnet_conn_fd(c), SOL_SOCKET, SO_SNDBUF), 32768);
    assert_int_equal(cnet_conn_close(c), 0);
    assert_int_equal(cnet_packet_close(pc), 0);
}

/* Go's CloseRead: reads see end of stream at once; the other direction still works. */
static void close_read_gives_eof_and_keeps_writing(void **state)
{
    (void)state;
    static const char *const rows[][2] = {{"tcp", "127.0.0.1:0"}, {"unix", ""}};
    for (size_t i = 0; i < 2; i++) {
        tu_pair p;
        tu_pair_open(&p, rows[i][0], rows[i][1]);
        char buf[8];
        cnet_error err;
        ok(cnet_conn_close_read(p.client, &err), &err);
        assert_int_equal(cnet_conn_read(p.client, buf, sizeof buf, &err), 0);
        assert_int_equal(err.code, 0);
        assert_int_equal(cnet_conn_write(p.client, "still", 5, &err), 5);
        tu_read_exactly(p.server, buf, 5);
        assert_memory_equal(buf, "still", 5);
        tu_pair_close(&p);
    }
}

/* Go's CloseWrite: the peer reads end of stream; a later write fails with EPIPE. */
static void close_write_gives_peer_eof(void **state)
{
    (void)state;
    tu_pair p;
    tu_pair_open(&p, "tcp", "127.0.0.1:0");
    char buf[8], local[CNET_ADDRSTRLEN], want[384];
    cnet_error err;
    assert_int_equal(cnet_conn_write(p.client, "bye", 3, NULL), 3);
    ok(cnet_conn_close_write(p.client, &err), &err);
    tu_read_exactly(p.server, buf, 3);
    assert_int_equal(cnet_conn_read(p.server, buf, sizeof buf, &err), 0);
    assert_int_equal(cnet_conn_write(p.client, "x", 1, &err), -EPIPE);
    assert_true(cnet_conn_local_addr(p.client, local, sizeof local) > 0);
    snprintf(want, sizeof want, "write tcp %s->%s: write: broken pipe", local, p.addr);
    assert_string_equal(err.msg, want);
    assert_int_equal(cnet_conn_write(p.server, "back", 4, NULL), 4);
    tu_read_exactly(p.client, buf, 4);
    assert_memory_equal(buf, "back", 4);
    tu_pair_close(&p);
}

/* Unix sockets have no TCP options: the setters report ENOPROTOOPT with the text of
 * Go's setters ("set <net> <local>-><remote>: setsockopt: ..."; an unnamed client is
 * "@"), and the other options still work. */
static void tcp_options_on_unix_conn(void **state)
{
    (void)state;
    tu_pair p;
    tu_pair_open(&p, "unix", "");
    cnet_error err;
    char want[384];
    snprintf(want, sizeof want, "set unix @->%s: setsockopt: protocol not available", p.addr);
    assert_int_equal(cnet_conn_set_nodelay(p.client, 1, &err), -ENOPROTOOPT);
    assert_int_equal(err.code, -ENOPROTOOPT);
    assert_string_equal(err.msg, want);
    assert_int_equal(cnet_conn_set_keepalive(p.client, NULL, &err), -ENOPROTOOPT);
    assert_int_equal(err.code, -ENOPROTOOPT);
    ok(cnet_conn_set_read_buffer(p.client, 8192, &err), &err);
    tu_pair_close(&p);
}

static void null_conn_einval(void **state)
{
    (void)state;
    cnet_error err;
    assert_int_equal(cnet_conn_set_nodelay(NULL, 1, &err), -EINVAL);
    assert_int_equal(cnet_conn_set_keepalive(NULL, NULL, &err), -EINVAL);
    assert_int_equal(cnet_conn_set_linger(NULL, 0, &err), -EINVAL);
    assert_int_equal(cnet_conn_set_read_buffer(NULL, 1, &err), -EINVAL);
    assert_int_equal(cnet_conn_set_write_buffer(NULL, 1, &err), -EINVAL);
    assert_int_equal(cnet_conn_close_read(NULL, &err), -EINVAL);
    assert_int_equal(cnet_conn_close_write(NULL, &err), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(nodelay_toggles),
        TU_TEST(keepalive_config_read_back),
        TU_TEST(linger_values_read_back),
        TU_TEST(linger_zero_close_resets_peer),
        TU_TEST(buffer_sizes_read_back),
        TU_TEST(buffer_sizes_on_udp_conn),
        TU_TEST(close_read_gives_eof_and_keeps_writing),
        TU_TEST(close_write_gives_peer_eof),
        TU_TEST(tcp_options_on_unix_conn),
        TU_TEST(null_conn_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
