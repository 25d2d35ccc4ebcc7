/* Bad input to every public function: exact codes and Go's exact texts (Go 1.19
 * oracle on loopback, go-dial.md §5.6), except where cnet follows newer Go (unknown
 * service: Go >= 1.23 "lookup tcp/foo: unknown port"). Nothing here resolves a name
 * or sends a packet. */
#include "testutil.h"

typedef struct err_row {
    const char *network, *address;
    int code;
    const char *msg;
} err_row;

static const err_row dial_rows[] = {
    {"foo", "127.0.0.1:80", CNET_EUNKNOWNNET, "dial foo: unknown network foo"},
    {"tcp:1", "x", CNET_EUNKNOWNNET, "dial tcp:1: unknown network tcp:1"},
    {"TCP", "127.0.0.1:80", CNET_EUNKNOWNNET, "dial TCP: unknown network TCP"},
    {"", "127.0.0.1:80", CNET_EUNKNOWNNET, "dial: unknown network "},
    {"ip", "127.0.0.1", CNET_EUNKNOWNNET, "dial ip: unknown network ip"},
    {"ip4", "127.0.0.1", CNET_EUNKNOWNNET, "dial ip4: unknown network ip4"},
    {"tcp", "", CNET_EMISSINGADDR, "dial tcp: missing address"},
    {"udp", "", CNET_EMISSINGADDR, "dial udp: missing address"},
    {"unix", "", CNET_EMISSINGADDR, "dial unix: missing address"},
    {"tcp", "127.0.0.1", CNET_EMISSINGPORT, "dial tcp: address 127.0.0.1: missing port in address"},
    {"tcp", "::1", CNET_ETOOMANYCOLONS, "dial tcp: address ::1: too many colons in address"},
    {"tcp", "[::1:80", CNET_EMISSINGBRACKET, "dial tcp: address [::1:80: missing ']' in address"},
    {"tcp", "a]b:80", CNET_EUNEXPECTEDRBRACKET, "dial tcp: address a]b:80: unexpected ']' in address"},
    {"tcp", "[a]:8[0", CNET_EUNEXPECTEDLBRACKET, "dial tcp: address [a]:8[0: unexpected '[' in address"},
    {"tcp", "127.0.0.1:99999", CNET_EINVALIDPORT, "dial tcp: address 99999: invalid port"},
    {"tcp", "127.0.0.1:-1", CNET_EINVALIDPORT, "dial tcp: address -1: invalid port"},
    {"tcp", "127.0.0.1:65536", CNET_EINVALIDPORT, "dial tcp: address 65536: invalid port"},
    {"udp", "127.0.0.1:65536", CNET_EINVALIDPORT, "dial udp: address 65536: invalid port"},
    {"tcp", "127.0.0.1:123456789", CNET_EINVALIDPORT, "dial tcp: address 123456789: invalid port"},
    /* newer Go (1.19 printed "address tcp/foo: unknown port") */
    {"tcp", "127.0.0.1:foo", CNET_EUNKNOWNPORT, "dial tcp: lookup tcp/foo: unknown port"},
    {"udp", "127.0.0.1:nosuchservice", CNET_EUNKNOWNPORT, "dial udp: lookup udp/nosuchservice: unknown port"},
    {"tcp", "127.0.0.1: 80", CNET_EUNKNOWNPORT, "dial tcp: lookup tcp/ 80: unknown port"},
    {"tcp", "127.0.0.1:0x50", CNET_EUNKNOWNPORT, "dial tcp: lookup tcp/0x50: unknown port"},
    {"tcp", "127.0.0.1:+-1", CNET_EUNKNOWNPORT, "dial tcp: lookup tcp/+-1: unknown port"},
    {"tcp6", "127.0.0.1:80", CNET_ENOSUITABLE, "dial tcp6: address 127.0.0.1: no suitable address found"},
    {"tcp6", "[::ffff:127.0.0.1]:80", CNET_ENOSUITABLE,
     "dial tcp6: address ::ffff:127.0.0.1: no suitable address found"},
    {"tcp4", "[::1]:80", CNET_ENOSUITABLE, "dial tcp4: address ::1: no suitable address found"},
    {"udp6", "127.0.0.1:80", CNET_ENOSUITABLE, "dial udp6: address 127.0.0.1: no suitable address found"},
};

static const err_row listen_rows[] = {
    {"foo", ":0", CNET_EUNKNOWNNET, "listen foo: unknown network foo"},
    {"ip", "127.0.0.1", CNET_EUNKNOWNNET, "listen ip: unknown network ip"},
    {"tcp", "127.0.0.1:70000", CNET_EINVALIDPORT, "listen tcp: address 70000: invalid port"},
    {"tcp", ":70000", CNET_EINVALIDPORT, "listen tcp: address 70000: invalid port"},
    {"tcp", "127.0.0.1", CNET_EMISSINGPORT, "listen tcp: address 127.0.0.1: missing port in address"},
    {"tcp", "127.0.0.1:foo", CNET_EUNKNOWNPORT, "listen tcp: lookup tcp/foo: unknown port"},
    {"tcp6", "127.0.0.1:0", CNET_ENOSUITABLE, "listen tcp6: address 127.0.0.1: no suitable address found"},
    {"tcp4", "[::1]:0", CNET_ENOSUITABLE, "listen tcp4: address ::1: no suitable address found"},
    {"udp", "127.0.0.1:0", CNET_EADDRTYPE, "listen udp 127.0.0.1:0: address 127.0.0.1:0: unexpected address type"},
};

static const err_row listen_packet_rows[] = {
    {"foo", ":0", CNET_EUNKNOWNNET, "listen foo: unknown network foo"},
    {"tcp", "127.0.0.1:0", CNET_EADDRTYPE, "listen tcp 127.0.0.1:0: address 127.0.0.1:0: unexpected address type"},
    {"udp", "127.0.0.1:70000", CNET_EINVALIDPORT, "listen udp: address 70000: invalid port"},
    {"udp6", "127.0.0.1:0", CNET_ENOSUITABLE, "listen udp6: address 127.0.0.1: no suitable address found"},
    {"udp4", "[::1]:0", CNET_ENOSUITABLE, "listen udp4: address ::1: no suitable address found"},
};

static void check_failure(int rc, const cnet_error *err, const void *handle, const err_row *row)
{
    print_message("%s \"%s\"\n", row->network, row->address);
    assert_int_equal(rc, row->code);
    assert_int_equal(err->code, row->code);
    assert_string_equal(err->msg, row->msg);
    assert_null(handle);
}

static void dial_bad_input_go_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dial_rows / sizeof dial_rows[0]; i++) {
        cnet_conn *c = (cnet_conn *)&c; /* must be overwritten with NULL */
        cnet_error err;
        int rc = cnet_dial(dial_rows[i].network, dial_rows[i].address, &c, &err);
        check_failure(rc, &err, c, &dial_rows[i]);
    }
}

static void listen_bad_input_go_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof listen_rows / sizeof listen_rows[0]; i++) {
        cnet_listener *ln = (cnet_listener *)&ln;
        cnet_error err;
        int rc = cnet_listen(listen_rows[i].network, listen_rows[i].address, &ln, &err);
        check_failure(rc, &err, ln, &listen_rows[i]);
    }
}

static void listen_packet_bad_input_go_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof listen_packet_rows / sizeof listen_packet_rows[0]; i++) {
        cnet_packet_conn *pc = (cnet_packet_conn *)&pc;
        cnet_error err;
        int rc = cnet_listen_packet(listen_packet_rows[i].network, listen_packet_rows[i].address, &pc, &err);
        check_failure(rc, &err, pc, &listen_packet_rows[i]);
    }
}

/* err may be NULL: the code alone comes back. */
static void errors_without_err_return_code(void **state)
{
    (void)state;
    cnet_conn *c = (cnet_conn *)&c;
    assert_int_equal(cnet_dial("foo", "127.0.0.1:80", &c, NULL), CNET_EUNKNOWNNET);
    assert_null(c);
    cnet_listener *ln = (cnet_listener *)&ln;
    assert_int_equal(cnet_listen("tcp", "127.0.0.1:70000", &ln, NULL), CNET_EINVALIDPORT);
    assert_null(ln);
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* A message longer than CNET_ERROR_MAX loses its middle, never its end: the cause is
 * what a reader needs (issue 11, item 6), and nothing is overflowed. */
static void error_overlong_address_keeps_its_cause(void **state)
{
    (void)state;
    static char address[4000];
    memset(address, 'a', sizeof address - 1); /* no colon: fails before any lookup */
    struct {
        cnet_error err;
        char guard[16];
    } box;
    memset(box.guard, 'G', sizeof box.guard);
    cnet_conn *c = (cnet_conn *)&c;
    assert_int_equal(cnet_dial("tcp", address, &c, &box.err), CNET_EMISSINGPORT);
    assert_null(c);
    assert_int_equal(box.err.code, CNET_EMISSINGPORT);
    assert_int_equal(strlen(box.err.msg), CNET_ERROR_MAX - 1);
    assert_true(strncmp(box.err.msg, "dial tcp: address aaaa", 22) == 0);
    assert_non_null(strstr(box.err.msg, "aaa...aaa"));
    assert_true(ends_with(box.err.msg, "aaaa: missing port in address"));
    for (size_t i = 0; i < sizeof box.guard; i++)
        assert_int_equal(box.guard[i], 'G');

    char host[8], port[8];
    assert_int_equal(cnet_split_host_port(address, host, sizeof host, port, sizeof port, &box.err),
                     CNET_EMISSINGPORT);
    assert_int_equal(strlen(box.err.msg), CNET_ERROR_MAX - 1);
    assert_true(ends_with(box.err.msg, "aaaa: missing port in address"));
}

/* A message that fits is Go's text byte for byte: a 900-byte name is in full. */
static void error_long_name_in_full(void **state)
{
    (void)state;
    static char address[1000], expect[1100];
    memset(address, 'b', 900);
    cnet_listener *ln = (cnet_listener *)&ln;
    cnet_error err;
    assert_int_equal(cnet_listen("tcp", address, &ln, &err), CNET_EMISSINGPORT);
    assert_null(ln);
    snprintf(expect, sizeof expect, "listen tcp: address %s: missing port in address", address);
    assert_string_equal(err.msg, expect);
}

/* A name longer than cnet looks up (1024 bytes) is Go's "no such host", whose text
 * keeps its start and its cause; digits alone are no domain name, so nothing is asked
 * of DNS here. */
static void error_name_beyond_lookup_bound(void **state)
{
    (void)state;
    static char address[2100];
    memset(address, '7', 2000);
    strcpy(address + 2000, ":1");
    cnet_conn *c = (cnet_conn *)&c;
    cnet_error err;
    assert_int_equal(cnet_dial("tcp", address, &c, &err), CNET_ENOHOST);
    assert_null(c);
    assert_int_equal(strlen(err.msg), CNET_ERROR_MAX - 1);
    assert_true(strncmp(err.msg, "dial tcp: lookup 7777", 21) == 0);
    assert_true(ends_with(err.msg, "7777: no such host"));
}

/* An overlong unix path fails in bind's terms; the message keeps bind's cause. */
static void error_overlong_unix_path_einval(void **state)
{
    (void)state;
    static char path[2000];
    memset(path, 'p', sizeof path - 1);
    path[0] = '/';
    cnet_listener *ln = (cnet_listener *)&ln;
    cnet_error err;
    assert_int_equal(cnet_listen("unix", path, &ln, &err), -EINVAL);
    assert_null(ln);
    assert_int_equal(strlen(err.msg), CNET_ERROR_MAX - 1);
    assert_true(strncmp(err.msg, "listen unix /ppp", 16) == 0);
    assert_true(ends_with(err.msg, "ppp: bind: invalid argument"));
}

static void expect_einval(int rc, const cnet_error *err)
{
    assert_int_equal(rc, -EINVAL);
    if (err != NULL) {
        assert_int_equal(err->code, -EINVAL);
        assert_true(err->msg[0] != '\0');
    }
}

static void null_arguments_listen_einval(void **state)
{
    (void)state;
    cnet_error err;
    cnet_listener *ln = (cnet_listener *)&ln;
    expect_einval(cnet_listen(NULL, "127.0.0.1:0", &ln, &err), &err);
    assert_null(ln);
    ln = (cnet_listener *)&ln;
    expect_einval(cnet_listen("tcp", NULL, &ln, &err), &err);
    assert_null(ln);
    expect_einval(cnet_listen("tcp", "127.0.0.1:0", NULL, &err), &err);
    expect_einval(cnet_listen("tcp", "127.0.0.1:0", NULL, NULL), NULL);
}

static void null_arguments_listen_packet_einval(void **state)
{
    (void)state;
    cnet_error err;
    cnet_packet_conn *pc = (cnet_packet_conn *)&pc;
    expect_einval(cnet_listen_packet(NULL, "127.0.0.1:0", &pc, &err), &err);
    assert_null(pc);
    pc = (cnet_packet_conn *)&pc;
    expect_einval(cnet_listen_packet("udp", NULL, &pc, &err), &err);
    assert_null(pc);
    expect_einval(cnet_listen_packet("udp", "127.0.0.1:0", NULL, &err), &err);
}

static void null_arguments_listen_multicast_einval(void **state)
{
    (void)state;
    cnet_error err;
    /* always with ifname "lo": a NULL ifname would join on the default interface */
    cnet_packet_conn *pc = (cnet_packet_conn *)&pc;
    expect_einval(cnet_listen_multicast_udp(NULL, "lo", "239.77.9.9:0", &pc, &err), &err);
    assert_null(pc);
    pc = (cnet_packet_conn *)&pc;
    expect_einval(cnet_listen_multicast_udp("udp4", "lo", NULL, &pc, &err), &err);
    assert_null(pc);
    expect_einval(cnet_listen_multicast_udp("udp4", "lo", "239.77.9.9:0", NULL, &err), &err);
}

static void null_arguments_dial_einval(void **state)
{
    (void)state;
    cnet_error err;
    cnet_conn *c = (cnet_conn *)&c;
    expect_einval(cnet_dial(NULL, "127.0.0.1:1", &c, &err), &err);
    assert_null(c);
    c = (cnet_conn *)&c;
    expect_einval(cnet_dial("tcp", NULL, &c, &err), &err);
    assert_null(c);
    expect_einval(cnet_dial("tcp", "127.0.0.1:1", NULL, &err), &err);
}

static void null_handles_einval(void **state)
{
    (void)state;
    cnet_error err;
    char buf[CNET_ADDRSTRLEN];

    cnet_conn *c = (cnet_conn *)&c;
    expect_einval(cnet_listener_accept(NULL, &c, &err), &err);
    assert_null(c);
    assert_int_equal(cnet_listener_addr(NULL, buf, sizeof buf), -EINVAL);
    assert_int_equal(cnet_listener_fd(NULL), -EINVAL);
    assert_int_equal(cnet_listener_close(NULL), -EINVAL);

    expect_einval((int)cnet_packet_read_from(NULL, buf, sizeof buf, NULL, 0, &err), &err);
    expect_einval((int)cnet_packet_write_to(NULL, "x", 1, "127.0.0.1:1", &err), &err);
    assert_int_equal(cnet_packet_local_addr(NULL, buf, sizeof buf), -EINVAL);
    assert_int_equal(cnet_packet_fd(NULL), -EINVAL);
    assert_int_equal(cnet_packet_close(NULL), -EINVAL);

    expect_einval((int)cnet_conn_read(NULL, buf, sizeof buf, &err), &err);
    expect_einval((int)cnet_conn_write(NULL, "x", 1, &err), &err);
    expect_einval(cnet_conn_close_write(NULL, &err), &err);
    assert_int_equal(cnet_conn_local_addr(NULL, buf, sizeof buf), -EINVAL);
    assert_int_equal(cnet_conn_remote_addr(NULL, buf, sizeof buf), -EINVAL);
    assert_int_equal(cnet_conn_fd(NULL), -EINVAL);
    assert_int_equal(cnet_conn_close(NULL), -EINVAL);
}

/* NULL buffers on live handles. */
static void null_buffers_on_live_handles_einval(void **state)
{
    (void)state;
    cnet_error err;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN];
    tu_listener_addr(ln, addr, sizeof addr);
    assert_int_equal(cnet_listener_addr(ln, NULL, 64), -EINVAL);
    expect_einval(cnet_listener_accept(ln, NULL, &err), &err);
    cnet_conn *c = tu_dial("tcp", addr);
    cnet_conn *s = tu_accept(ln);
    expect_einval((int)cnet_conn_read(c, NULL, 1, &err), &err);
    expect_einval((int)cnet_conn_write(c, NULL, 1, &err), &err);
    assert_int_equal(cnet_conn_local_addr(c, NULL, 64), -EINVAL);
    assert_int_equal(cnet_conn_remote_addr(c, NULL, 64), -EINVAL);
    assert_int_equal(cnet_conn_close(s), 0);
    assert_int_equal(cnet_conn_close(c), 0);
    assert_int_equal(cnet_listener_close(ln), 0);

    cnet_packet_conn *pc = tu_listen_packet("udp", "127.0.0.1:0");
    tu_packet_addr(pc, addr, sizeof addr);
    expect_einval((int)cnet_packet_read_from(pc, NULL, 1, NULL, 0, &err), &err);
    expect_einval((int)cnet_packet_write_to(pc, NULL, 1, addr, &err), &err);
    expect_einval((int)cnet_packet_write_to(pc, "x", 1, NULL, &err), &err);
    assert_int_equal(cnet_packet_local_addr(pc, NULL, 64), -EINVAL);
    assert_int_equal(cnet_packet_close(pc), 0);
}

typedef struct text_row {
    int code;
    const char *text;
} text_row;

static const text_row texts[] = {
    {CNET_ECLOSED, "use of closed network connection"},
    {CNET_ETIMEOUT, "i/o timeout"},
    {CNET_EUNKNOWNNET, "unknown network"},
    {CNET_EMISSINGADDR, "missing address"},
    {CNET_EMISSINGPORT, "missing port in address"},
    {CNET_EMISSINGBRACKET, "missing ']' in address"},
    {CNET_ETOOMANYCOLONS, "too many colons in address"},
    {CNET_EUNEXPECTEDLBRACKET, "unexpected '[' in address"},
    {CNET_EUNEXPECTEDRBRACKET, "unexpected ']' in address"},
    {CNET_EINVALIDPORT, "invalid port"},
    {CNET_EUNKNOWNPORT, "unknown port"},
    {CNET_ENOSUITABLE, "no suitable address found"},
    {CNET_ENOHOST, "no such host"},
    {CNET_EADDRTYPE, "unexpected address type"},
    {CNET_EWRITETOCONNECTED, "use of WriteTo with pre-connected connection"},
    {-EADDRINUSE, "address already in use"},
    {-ECONNREFUSED, "connection refused"},
    {-ECONNRESET, "connection reset by peer"},
    {-EPIPE, "broken pipe"},
    {-EINVAL, "invalid argument"},
    {-ENOENT, "no such file or directory"},
    {-EMFILE, "too many open files"},
    {-EAGAIN, "resource temporarily unavailable"},
    {-EADDRNOTAVAIL, "cannot assign requested address"},
};

static void strerror_known_codes_go_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        assert_string_equal(cnet_strerror(texts[i].code), texts[i].text);
}

/* Every cnet code has its own non-empty text. */
static void strerror_every_cnet_code_distinct(void **state)
{
    (void)state;
    for (int a = CNET_ENOIPV4IF; a <= CNET_ECLOSED; a++) {
        const char *ta = cnet_strerror(a);
        assert_non_null(ta);
        assert_true(ta[0] != '\0');
        assert_null(strstr(ta, "unknown error"));
        for (int b = a + 1; b <= CNET_ECLOSED; b++)
            assert_string_not_equal(ta, cnet_strerror(b));
    }
}

static void strerror_unknown_code_unknown_error(void **state)
{
    (void)state;
    static const int codes[] = {-30999, CNET_ECLOSED + 1, -29999, 12345};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *t = cnet_strerror(codes[i]);
        assert_non_null(t);
        print_message("%d: %s\n", codes[i], t);
        assert_true(strncmp(t, "unknown error ", 14) == 0);
    }
}

/* Go prints an errno value it has no text for as "errno N" (syscall.Errno.Error). */
static void strerror_errno_without_text_go_errno_n(void **state)
{
    (void)state;
    assert_string_equal(cnet_strerror(-4000), "errno 4000");
}

static cnet_error make_error(int code, const char *msg)
{
    cnet_error e = {.code = code};
    snprintf(e.msg, sizeof e.msg, "%s", msg);
    return e;
}

static void error_predicates_match_go(void **state)
{
    (void)state;
    cnet_error closed = make_error(CNET_ECLOSED, "read tcp 127.0.0.1:1->127.0.0.1:2: use of closed network connection");
    cnet_error timeout = make_error(CNET_ETIMEOUT, "read tcp 127.0.0.1:1->127.0.0.1:2: i/o timeout");
    cnet_error again = make_error(-EAGAIN, "read tcp 127.0.0.1:1->127.0.0.1:2: read: resource temporarily unavailable");
    cnet_error timedout = make_error(-ETIMEDOUT, "dial tcp 127.0.0.1:1: connect: connection timed out");
    cnet_error refused = make_error(-ECONNREFUSED, "dial tcp 127.0.0.1:1: connect: connection refused");
    assert_true(cnet_error_is_closed(&closed));
    assert_false(cnet_error_is_timeout(&closed));
    assert_true(cnet_error_is_timeout(&timeout));
    assert_false(cnet_error_is_closed(&timeout));
    assert_true(cnet_error_is_timeout(&again));
    assert_true(cnet_error_is_timeout(&timedout));
    assert_false(cnet_error_is_timeout(&refused));
    assert_false(cnet_error_is_closed(&refused));
    /* NULL is not an error of either kind (the header promises no crash) */
    assert_true(cnet_error_is_timeout(NULL) <= 0);
    assert_true(cnet_error_is_closed(NULL) <= 0);
}

static void sockopt_policy_lookup(void **state)
{
    (void)state;
    static const char *const oses[] = {"linux", "darwin", "freebsd", "netbsd", "openbsd", "dragonfly"};
    for (size_t i = 0; i < sizeof oses / sizeof oses[0]; i++) {
        const cnet_sockopt_rule *rules = NULL;
        size_t n = 0;
        assert_int_equal(cnet_sockopt_policy(oses[i], &rules, &n), 0);
        assert_non_null(rules);
        assert_true(n > 0);
        for (size_t r = 0; r < n; r++) {
            assert_non_null(rules[r].role);
            assert_non_null(rules[r].level);
            assert_non_null(rules[r].option);
            assert_non_null(rules[r].value);
            assert_non_null(rules[r].when);
            assert_non_null(rules[r].reason);
        }
    }
    assert_string_equal(cnet_os_name(), "linux");
    const cnet_sockopt_rule *rules = NULL, *own = NULL;
    size_t n = 0, own_n = 0;
    assert_int_equal(cnet_sockopt_policy(NULL, &own, &own_n), 0);
    assert_int_equal(cnet_sockopt_policy("linux", &rules, &n), 0);
    assert_ptr_equal(own, rules);
    assert_int_equal(own_n, n);
    assert_int_equal(cnet_sockopt_policy("windows", &rules, &n), CNET_ENOTSUP);
    assert_int_equal(cnet_sockopt_policy("nosuchos", &rules, &n), CNET_ENOTSUP);
    assert_int_equal(cnet_sockopt_policy("linux", NULL, &n), -EINVAL);
    assert_int_equal(cnet_sockopt_policy("linux", &rules, NULL), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(dial_bad_input_go_errors),
        TU_TEST(listen_bad_input_go_errors),
        TU_TEST(listen_packet_bad_input_go_errors),
        TU_TEST(errors_without_err_return_code),
        TU_TEST(error_overlong_address_keeps_its_cause),
        TU_TEST(error_long_name_in_full),
        TU_TEST(error_name_beyond_lookup_bound),
        TU_TEST(error_overlong_unix_path_einval),
        TU_TEST(null_arguments_listen_einval),
        TU_TEST(null_arguments_listen_packet_einval),
        TU_TEST(null_arguments_listen_multicast_einval),
        TU_TEST(null_arguments_dial_einval),
        TU_TEST(null_handles_einval),
        TU_TEST(null_buffers_on_live_handles_einval),
        TU_TEST(strerror_known_codes_go_text),
        TU_TEST(strerror_every_cnet_code_distinct),
        TU_TEST(strerror_unknown_code_unknown_error),
        TU_TEST(strerror_errno_without_text_go_errno_n),
        TU_TEST(error_predicates_match_go),
        TU_TEST(sockopt_policy_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
