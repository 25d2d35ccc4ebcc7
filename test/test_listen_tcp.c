/* TCP listeners on loopback: go-listen.md §8, rules 1, 2, 4, 5, 6, 8, 9, 11, 12, 13, 14,
 * 15, 17, 18 and 25, read back from the kernel. */
#include "testutil.h"
#include <stdbool.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

static void listen_loopback_reports_kernel_port(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN];
    int port = tu_listener_addr(ln, addr, sizeof addr);
    assert_in_range(port, 1, 65535);
    char want[CNET_ADDRSTRLEN];
    snprintf(want, sizeof want, "127.0.0.1:%d", port);
    assert_string_equal(addr, want);
    assert_int_equal(tu_family(cnet_listener_fd(ln)), AF_INET);
    assert_int_equal(cnet_listener_close(ln), 0);
}

static void listen_options_reuseaddr_without_reuseport(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    int fd = cnet_listener_fd(ln);
    assert_true(fd >= 0);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEADDR), 1);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEPORT), 0);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_BROADCAST), 0); /* rule 3: never on TCP */
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_ACCEPTCONN), 1);
    assert_int_equal(cnet_listener_close(ln), 0);
}

static void listen_socket_cloexec_and_nonblocking(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    assert_true(tu_is_cloexec(cnet_listener_fd(ln)));
    assert_true(tu_is_nonblock(cnet_listener_fd(ln)));
    assert_int_equal(cnet_listener_close(ln), 0);
}

typedef struct dup_row {
    const char *first_net, *first_host; /* the live listener */
    const char *second_net, *second_host;
    const char *want_prefix; /* Go's text up to the port */
} dup_row;

/* Rules 6 and 13. Messages from Go 1.19 (note "[::]" prints as "0.0.0.0": Go appends
 * 0.0.0.0 to a lone "::" and Listen picks the IPv4 address, go-dial.md §3.2). */
static const dup_row dups[] = {
    {"tcp", "127.0.0.1", "tcp", "127.0.0.1", "listen tcp 127.0.0.1:"},
    {"tcp", "127.0.0.1", "tcp4", "127.0.0.1", "listen tcp4 127.0.0.1:"},
    {"tcp6", "[::1]", "tcp6", "[::1]", "listen tcp6 [::1]:"},
    {"tcp6", "[::1]", "tcp", "[::1]", "listen tcp [::1]:"},
    {"tcp", "", "tcp", "", "listen tcp :"},
    {"tcp", "", "tcp", "0.0.0.0", "listen tcp 0.0.0.0:"},
    {"tcp", "", "tcp", "[::]", "listen tcp 0.0.0.0:"},
    {"tcp", "", "tcp", "[::ffff:0.0.0.0]", "listen tcp 0.0.0.0:"},
    {"tcp", "", "tcp4", "", "listen tcp4 :"},
    {"tcp", "", "tcp6", "", "listen tcp6 :"},
    {"tcp4", "", "tcp4", "0.0.0.0", "listen tcp4 0.0.0.0:"},
    {"tcp6", "", "tcp6", "[::]", "listen tcp6 [::]:"},
    {"tcp", "0.0.0.0", "tcp", "", "listen tcp :"},
};

static void listen_same_address_twice_eaddrinuse(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dups / sizeof dups[0]; i++) {
        char first[64], second[64], addr[CNET_ADDRSTRLEN], want[256];
        snprintf(first, sizeof first, "%s:0", dups[i].first_host);
        cnet_listener *ln = tu_listen(dups[i].first_net, first);
        int port = tu_listener_addr(ln, addr, sizeof addr);
        snprintf(second, sizeof second, "%s:%d", dups[i].second_host, port);
        snprintf(want, sizeof want, "%s%d: bind: address already in use", dups[i].want_prefix, port);
        print_message("%s %s, then %s %s\n", dups[i].first_net, first, dups[i].second_net, second);

        cnet_listener *ln2 = (cnet_listener *)&ln; /* must be overwritten with NULL */
        cnet_error err;
        int rc = cnet_listen(dups[i].second_net, second, &ln2, &err);
        assert_int_equal(rc, -EADDRINUSE);
        assert_int_equal(err.code, -EADDRINUSE);
        assert_null(ln2);
        assert_string_equal(err.msg, want);
        assert_int_equal(cnet_listener_close(ln), 0);
    }
}

/* Rule 8: the server closes first, so its side of the connection sits in TIME_WAIT on
 * the listening port; SO_REUSEADDR lets a new listener bind it at once. */
static int time_wait_on_port(int port)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    assert_non_null(f);
    char line[256];
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        unsigned lport, st;
        if (sscanf(line, " %*d: %*x:%x %*x:%*x %x", &lport, &st) == 2)
            found = (int)lport == port && st == 0x06;
    }
    fclose(f);
    return found;
}

static void listen_again_through_time_wait_succeeds(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN];
    int port = tu_listener_addr(ln, addr, sizeof addr);
    cnet_conn *client = tu_dial("tcp", addr);
    cnet_conn *server = tu_accept(ln);
    assert_int_equal(cnet_conn_close(server), 0);
    char b;
    assert_int_equal(cnet_conn_read(client, &b, 1, NULL), 0); /* the server's FIN */
    assert_int_equal(cnet_conn_close(client), 0);
    assert_int_equal(cnet_listener_close(ln), 0);

    const struct timespec ms = {0, 1000000};
    for (int i = 0; i < 2000 && !time_wait_on_port(port); i++)
        nanosleep(&ms, NULL);
    assert_true(time_wait_on_port(port));

    ln = tu_listen("tcp", addr);
    char again[CNET_ADDRSTRLEN];
    tu_listener_addr(ln, again, sizeof again);
    assert_string_equal(again, addr);
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* Rule 9: one dual-stack AF_INET6 socket for a wildcard "tcp" address. */
static void listen_tcp_wildcard_dual_stack(void **state)
{
    (void)state;
    static const char *const wildcards[] = {":0", "0.0.0.0:0", "[::]:0", "[::ffff:0.0.0.0]:0"};
    for (size_t i = 0; i < sizeof wildcards / sizeof wildcards[0]; i++) {
        print_message("tcp %s\n", wildcards[i]);
        cnet_listener *ln = tu_listen("tcp", wildcards[i]);
        int fd = cnet_listener_fd(ln);
        char addr[CNET_ADDRSTRLEN], want[CNET_ADDRSTRLEN];
        int port = tu_listener_addr(ln, addr, sizeof addr);
        snprintf(want, sizeof want, "[::]:%d", port);
        assert_string_equal(addr, want);
        assert_int_equal(tu_family(fd), AF_INET6);
        assert_int_equal(tu_sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY), 0);

        /* dual stack for real: an IPv4 client gets through */
        char v4[64];
        snprintf(v4, sizeof v4, "127.0.0.1:%d", port);
        cnet_conn *c = tu_dial("tcp4", v4);
        cnet_conn *s = tu_accept(ln);
        char remote[CNET_ADDRSTRLEN], local[CNET_ADDRSTRLEN];
        assert_true(cnet_conn_remote_addr(s, remote, sizeof remote) > 0);
        assert_true(cnet_conn_local_addr(c, local, sizeof local) > 0);
        assert_string_equal(remote, local); /* a mapped peer prints as dotted IPv4 */
        assert_int_equal(cnet_conn_close(s), 0);
        assert_int_equal(cnet_conn_close(c), 0);
        assert_int_equal(cnet_listener_close(ln), 0);
    }
}

/* Rule 11. */
static void listen_tcp4_wildcard_is_ipv4(void **state)
{
    (void)state;
    static const char *const wildcards[] = {":0", "0.0.0.0:0", "[::ffff:0.0.0.0]:0"};
    for (size_t i = 0; i < sizeof wildcards / sizeof wildcards[0]; i++) {
        cnet_listener *ln = tu_listen("tcp4", wildcards[i]);
        char addr[CNET_ADDRSTRLEN], want[CNET_ADDRSTRLEN];
        int port = tu_listener_addr(ln, addr, sizeof addr);
        snprintf(want, sizeof want, "0.0.0.0:%d", port);
        assert_string_equal(addr, want);
        assert_int_equal(tu_family(cnet_listener_fd(ln)), AF_INET);
        assert_int_equal(cnet_listener_close(ln), 0);
    }
}

static void listen_tcp6_sets_v6only(void **state)
{
    (void)state;
    static const char *const addrs[] = {":0", "[::]:0"};
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        cnet_listener *ln = tu_listen("tcp6", addrs[i]);
        int fd = cnet_listener_fd(ln);
        char addr[CNET_ADDRSTRLEN], want[CNET_ADDRSTRLEN];
        int port = tu_listener_addr(ln, addr, sizeof addr);
        snprintf(want, sizeof want, "[::]:%d", port);
        assert_string_equal(addr, want);
        assert_int_equal(tu_family(fd), AF_INET6);
        assert_int_equal(tu_sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
        assert_int_equal(cnet_listener_close(ln), 0);
    }
}

/* Rule 12. (IPV6_V6ONLY is not read back for ::1: Linux sets it itself on a bind to a
 * specific IPv6 address, lab.md §1.) */
static void listen_specific_address_uses_its_family(void **state)
{
    (void)state;
    cnet_listener *v4 = tu_listen("tcp", "127.0.0.1:0");
    cnet_listener *mapped = tu_listen("tcp", "[::ffff:127.0.0.1]:0");
    cnet_listener *v6 = tu_listen("tcp", "[::1]:0");
    assert_int_equal(tu_family(cnet_listener_fd(v4)), AF_INET);
    assert_int_equal(tu_family(cnet_listener_fd(mapped)), AF_INET);
    assert_int_equal(tu_family(cnet_listener_fd(v6)), AF_INET6);
    char addr[CNET_ADDRSTRLEN], want[CNET_ADDRSTRLEN];
    int port = tu_listener_addr(mapped, addr, sizeof addr);
    snprintf(want, sizeof want, "127.0.0.1:%d", port);
    assert_string_equal(addr, want);
    port = tu_listener_addr(v6, addr, sizeof addr);
    snprintf(want, sizeof want, "[::1]:%d", port);
    assert_string_equal(addr, want);
    assert_int_equal(cnet_listener_close(v4), 0);
    assert_int_equal(cnet_listener_close(mapped), 0);
    assert_int_equal(cnet_listener_close(v6), 0);
}

typedef struct coexist_row {
    const char *first_net, *first_host, *second_net, *second_host;
} coexist_row;

/* Rules 14 and 15. */
static const coexist_row coexist[] = {
    {"tcp4", "", "tcp6", ""},
    {"tcp6", "", "tcp4", ""},
    {"tcp4", "0.0.0.0", "tcp6", "[::]"},
    {"tcp", "127.0.0.1", "tcp", "[::1]"},
    {"tcp", "[::1]", "tcp", "127.0.0.1"},
    {"tcp4", "127.0.0.1", "tcp6", "[::1]"},
    {"tcp6", "[::1]", "tcp4", "127.0.0.1"},
};

/* The second listen of a pair, retried on a new port while the port it got is busy in
 * the other family for a reason outside the test (another program's connection on the
 * same ephemeral port): that is not the conflict the rule is about. */
static bool listen_pair(size_t i)
{
    char first[64], second[64], addr[CNET_ADDRSTRLEN];
    cnet_listener *a, *b = NULL;
    cnet_error err;
    int rc;

    snprintf(first, sizeof first, "%s:0", coexist[i].first_host);
    a = tu_listen(coexist[i].first_net, first);
    snprintf(second, sizeof second, "%s:%d", coexist[i].second_host,
             tu_listener_addr(a, addr, sizeof addr));
    print_message("%s %s + %s %s\n", coexist[i].first_net, first, coexist[i].second_net, second);
    rc = cnet_listen(coexist[i].second_net, second, &b, &err);
    if (rc == 0)
        assert_int_equal(cnet_listener_close(b), 0);
    assert_int_equal(cnet_listener_close(a), 0);
    if (rc != -EADDRINUSE)
        assert_int_equal(rc, 0);
    return rc == 0;
}

static void listen_different_families_same_port_coexist(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof coexist / sizeof coexist[0]; i++) {
        int attempts = 0;
        while (!listen_pair(i))
            assert_true(++attempts < 20); /* a real conflict fails every time */
    }
}

static void assert_go_conn_options(int fd)
{
    assert_true(tu_is_cloexec(fd));
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_NODELAY), 1);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE), 15);
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL), 15);
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_KEEPCNT), 9);
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_INQ), 1); /* cnet's: reads learn what is left */
}

/* Rules 1 and 25, for both address families. */
static void accept_and_dial_get_go_conn_options(void **state)
{
    (void)state;
    static const char *const addrs[] = {"127.0.0.1:0", "[::1]:0"};
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        cnet_listener *ln = tu_listen("tcp", addrs[i]);
        char addr[CNET_ADDRSTRLEN];
        tu_listener_addr(ln, addr, sizeof addr);
        cnet_conn *client = tu_dial("tcp", addr);
        cnet_conn *server = tu_accept(ln);
        assert_go_conn_options(cnet_conn_fd(client));
        assert_go_conn_options(cnet_conn_fd(server));
        assert_true(tu_is_nonblock(cnet_conn_fd(client)));
        assert_true(tu_is_nonblock(cnet_conn_fd(server)));
        assert_int_equal(cnet_conn_close(server), 0);
        assert_int_equal(cnet_conn_close(client), 0);
        assert_int_equal(cnet_listener_close(ln), 0);
    }
}

/* Rule 18: for a listening socket Linux reports the listen(2) backlog in
 * tcpi_sacked (sk_max_ack_backlog). */
static void listen_backlog_is_somaxconn(void **state)
{
    (void)state;
    int somaxconn = tu_read_proc_int("/proc/sys/net/core/somaxconn");
    assert_int_equal(cnet_listen_backlog(), somaxconn);
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    assert_int_equal(getsockopt(cnet_listener_fd(ln), IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
    assert_int_equal(ti.tcpi_state, TCP_LISTEN);
    assert_int_equal(ti.tcpi_sacked, (unsigned)somaxconn);
    assert_int_equal(cnet_listener_close(ln), 0);
}

static void call_accept(tu_blocked_call *bc)
{
    cnet_conn *c = (cnet_conn *)bc; /* must be overwritten with NULL */
    bc->rc = cnet_listener_accept(bc->handle, &c, &bc->err);
    if (c != NULL)
        bc->rc = 1; /* a handle on failure is itself a failure */
}

/* Close from another thread wakes the blocked accept (rule 8's "blocked acceptor"),
 * and the address can be listened on again at once. */
static void accept_blocked_woken_by_close_eclosed(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN], want[256];
    tu_listener_addr(ln, addr, sizeof addr);
    tu_blocked_call bc = {.handle = ln, .call = call_accept};
    tu_blocked_call_start(&bc);
    assert_int_equal(cnet_listener_close(ln), 0);
    tu_blocked_call_join(&bc);
    assert_int_equal(bc.rc, CNET_ECLOSED);
    assert_int_equal(bc.err.code, CNET_ECLOSED);
    snprintf(want, sizeof want, "accept tcp %s: use of closed network connection", addr);
    assert_string_equal(bc.err.msg, want);
    assert_true(cnet_error_is_closed(&bc.err));
    assert_false(cnet_error_is_timeout(&bc.err));

    ln = tu_listen("tcp", addr);
    assert_int_equal(cnet_listener_close(ln), 0);
}

static void listener_addr_small_buffer_enospace(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN];
    int n = cnet_listener_addr(ln, addr, sizeof addr);
    assert_true(n > 0);
    char small[16];
    assert_true((size_t)n >= 11 && (size_t)n < sizeof small);
    assert_int_equal(cnet_listener_addr(ln, small, (size_t)n), CNET_ENOSPACE);
    assert_int_equal(cnet_listener_addr(ln, small, (size_t)n + 1), n);
    assert_string_equal(small, addr);
    assert_int_equal(cnet_listener_close(ln), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(listen_loopback_reports_kernel_port),
        TU_TEST(listen_options_reuseaddr_without_reuseport),
        TU_TEST(listen_socket_cloexec_and_nonblocking),
        TU_TEST(listen_same_address_twice_eaddrinuse),
        TU_TEST(listen_again_through_time_wait_succeeds),
        TU_TEST(listen_tcp_wildcard_dual_stack),
        TU_TEST(listen_tcp4_wildcard_is_ipv4),
        TU_TEST(listen_tcp6_sets_v6only),
        TU_TEST(listen_specific_address_uses_its_family),
        TU_TEST(listen_different_families_same_port_coexist),
        TU_TEST(accept_and_dial_get_go_conn_options),
        TU_TEST(listen_backlog_is_somaxconn),
        TU_TEST(accept_blocked_woken_by_close_eclosed),
        TU_TEST(listener_addr_small_buffer_enospace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
