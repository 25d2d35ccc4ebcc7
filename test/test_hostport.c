/* cnet_split_host_port / cnet_join_host_port against Go's SplitHostPort and
 * JoinHostPort. Every row was produced by Go 1.19's net package (go-dial.md §2). */
#include "testutil.h"

typedef struct split_ok_row {
    const char *in, *host, *port;
} split_ok_row;

static const split_ok_row split_ok[] = {
    {"localhost:http", "localhost", "http"},
    {"localhost:80", "localhost", "80"},
    {"[::1]:80", "::1", "80"},
    {"[::1%lo0]:80", "::1%lo0", "80"},
    {"localhost%lo0:80", "localhost%lo0", "80"}, /* an unbracketed zone is accepted */
    {"[localhost]:80", "localhost", "80"},
    {"[localhost%lo0]:80", "localhost%lo0", "80"},
    {":80", "", "80"},
    {"[]:80", "", "80"},
    {"[::1]:", "::1", ""},
    {"localhost:", "localhost", ""},
    {":", "", ""},
    {"[foo:bar]:80", "foo:bar", "80"},
    {"host: 80 ", "host", " 80 "}, /* the port is returned verbatim */
    {"127.0.0.1:0", "127.0.0.1", "0"},
};

typedef struct split_err_row {
    const char *in;
    int code;
    const char *msg;
} split_err_row;

static const split_err_row split_err[] = {
    {"", CNET_EMISSINGPORT, "missing port in address"},
    {"golang.org", CNET_EMISSINGPORT, "address golang.org: missing port in address"},
    {"127.0.0.1", CNET_EMISSINGPORT, "address 127.0.0.1: missing port in address"},
    {"[::1]", CNET_EMISSINGPORT, "address [::1]: missing port in address"},
    {"[fe80::1%lo0]", CNET_EMISSINGPORT, "address [fe80::1%lo0]: missing port in address"},
    {"[localhost%lo0]", CNET_EMISSINGPORT, "address [localhost%lo0]: missing port in address"},
    {"localhost%lo0", CNET_EMISSINGPORT, "address localhost%lo0: missing port in address"},
    {"[foo:bar]", CNET_EMISSINGPORT, "address [foo:bar]: missing port in address"},
    {"[foo:bar]baz", CNET_EMISSINGPORT, "address [foo:bar]baz: missing port in address"},
    {"[foo]bar:baz", CNET_EMISSINGPORT, "address [foo]bar:baz: missing port in address"},
    {"[a]]:80", CNET_EMISSINGPORT, "address [a]]:80: missing port in address"},
    {"[a]b]:80", CNET_EMISSINGPORT, "address [a]b]:80: missing port in address"},
    {"::1", CNET_ETOOMANYCOLONS, "address ::1: too many colons in address"},
    {"fe80::1%lo0", CNET_ETOOMANYCOLONS, "address fe80::1%lo0: too many colons in address"},
    {"fe80::1%lo0:80", CNET_ETOOMANYCOLONS, "address fe80::1%lo0:80: too many colons in address"},
    {"[::1]:80:90", CNET_ETOOMANYCOLONS, "address [::1]:80:90: too many colons in address"},
    {"[foo]:[bar]:baz", CNET_ETOOMANYCOLONS, "address [foo]:[bar]:baz: too many colons in address"},
    {"[::1", CNET_EMISSINGBRACKET, "address [::1: missing ']' in address"},
    {"[::1:80", CNET_EMISSINGBRACKET, "address [::1:80: missing ']' in address"},
    {"[foo]:[bar]baz", CNET_EUNEXPECTEDLBRACKET, "address [foo]:[bar]baz: unexpected '[' in address"},
    {"foo[bar]:baz", CNET_EUNEXPECTEDLBRACKET, "address foo[bar]:baz: unexpected '[' in address"},
    {"[a[]:80", CNET_EUNEXPECTEDLBRACKET, "address [a[]:80: unexpected '[' in address"},
    {"[a]:8[0", CNET_EUNEXPECTEDLBRACKET, "address [a]:8[0: unexpected '[' in address"},
    {"foo]bar:baz", CNET_EUNEXPECTEDRBRACKET, "address foo]bar:baz: unexpected ']' in address"},
    {"a]b:80", CNET_EUNEXPECTEDRBRACKET, "address a]b:80: unexpected ']' in address"},
    {"[a]:80]", CNET_EUNEXPECTEDRBRACKET, "address [a]:80]: unexpected ']' in address"},
};

typedef struct join_row {
    const char *host, *port, *out;
} join_row;

static const join_row joins[] = {
    {"::1", "80", "[::1]:80"},
    {"localhost", "80", "localhost:80"},
    {"", "80", ":80"},
    {"", "", ":"},
    {"[::1]", "80", "[[::1]]:80"}, /* no validation: brackets are doubled */
    {"fe80::1%eth0", "80", "[fe80::1%eth0]:80"},
    {"host%zone", "80", "host%zone:80"}, /* only ':' causes brackets */
    {"[x]", "80", "[x]:80"},
    {"127.0.0.1", "", "127.0.0.1:"},
};

static void split_valid_returns_host_and_port(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof split_ok / sizeof split_ok[0]; i++) {
        char host[64] = "garbage", port[16] = "garbage";
        cnet_error err = {.code = 1, .msg = "garbage"};
        print_message("split %s\n", split_ok[i].in);
        int rc = cnet_split_host_port(split_ok[i].in, host, sizeof host, port, sizeof port, &err);
        assert_int_equal(rc, 0);
        assert_string_equal(host, split_ok[i].host);
        assert_string_equal(port, split_ok[i].port);
        assert_int_equal(err.code, 0);
        assert_string_equal(err.msg, "");
    }
}

static void split_invalid_returns_go_error(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof split_err / sizeof split_err[0]; i++) {
        char host[64] = "garbage", port[16] = "garbage";
        cnet_error err;
        print_message("split %s\n", split_err[i].in);
        int rc = cnet_split_host_port(split_err[i].in, host, sizeof host, port, sizeof port, &err);
        assert_int_equal(rc, split_err[i].code);
        assert_int_equal(err.code, split_err[i].code);
        assert_string_equal(err.msg, split_err[i].msg);
        assert_string_equal(host, "");
        assert_string_equal(port, "");
    }
}

static void split_invalid_without_err_returns_code(void **state)
{
    (void)state;
    char host[16], port[16];
    assert_int_equal(cnet_split_host_port("::1", host, sizeof host, port, sizeof port, NULL),
                     CNET_ETOOMANYCOLONS);
}

static void split_small_host_buffer_enospace(void **state)
{
    (void)state;
    char host[9] = "garbage", port[16] = "garbage"; /* "localhost" needs 10 bytes */
    cnet_error err;
    int rc = cnet_split_host_port("localhost:80", host, sizeof host, port, sizeof port, &err);
    assert_int_equal(rc, CNET_ENOSPACE);
    assert_int_equal(err.code, CNET_ENOSPACE);
    assert_string_equal(host, "");
    assert_string_equal(port, "");
}

static void split_small_port_buffer_enospace(void **state)
{
    (void)state;
    char host[16] = "garbage", port[5] = "junk"; /* "12345" needs 6 bytes */
    int rc = cnet_split_host_port("h:12345", host, sizeof host, port, sizeof port, NULL);
    assert_int_equal(rc, CNET_ENOSPACE);
    assert_string_equal(host, "");
    assert_string_equal(port, "");
}

static void split_exact_fit_succeeds(void **state)
{
    (void)state;
    char host[10], port[3];
    assert_int_equal(cnet_split_host_port("localhost:80", host, sizeof host, port, sizeof port, NULL), 0);
    assert_string_equal(host, "localhost");
    assert_string_equal(port, "80");
}

static void split_null_pointers_einval(void **state)
{
    (void)state;
    char host[16] = "garbage", port[16] = "garbage";
    cnet_error err;
    assert_int_equal(cnet_split_host_port(NULL, host, sizeof host, port, sizeof port, &err), -EINVAL);
    assert_int_equal(err.code, -EINVAL);
    assert_true(err.msg[0] != '\0');
    assert_string_equal(host, "");
    assert_string_equal(port, "");
    assert_int_equal(cnet_split_host_port("a:1", NULL, 16, port, sizeof port, &err), -EINVAL);
    assert_int_equal(cnet_split_host_port("a:1", host, sizeof host, NULL, 16, &err), -EINVAL);
    assert_int_equal(cnet_split_host_port(NULL, NULL, 0, NULL, 0, NULL), -EINVAL);
}

static void join_matches_go(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof joins / sizeof joins[0]; i++) {
        char out[64] = "garbage";
        int rc = cnet_join_host_port(joins[i].host, joins[i].port, out, sizeof out);
        assert_string_equal(out, joins[i].out);
        assert_int_equal(rc, (int)strlen(joins[i].out));
    }
}

static void join_small_buffer_enospace(void **state)
{
    (void)state;
    char out[12] = "garbage"; /* "localhost:80" needs 13 bytes */
    assert_int_equal(cnet_join_host_port("localhost", "80", out, sizeof out), CNET_ENOSPACE);
    assert_string_equal(out, "");
    char out6[8] = "garbage"; /* "[::1]:80" needs 9 bytes: the brackets count */
    assert_int_equal(cnet_join_host_port("::1", "80", out6, sizeof out6), CNET_ENOSPACE);
    assert_string_equal(out6, "");
}

static void join_exact_fit_succeeds(void **state)
{
    (void)state;
    char out[9];
    assert_int_equal(cnet_join_host_port("::1", "80", out, sizeof out), 8);
    assert_string_equal(out, "[::1]:80");
}

static void join_null_pointers_einval(void **state)
{
    (void)state;
    char out[16] = "garbage";
    assert_int_equal(cnet_join_host_port(NULL, "80", out, sizeof out), -EINVAL);
    assert_int_equal(cnet_join_host_port("h", NULL, out, sizeof out), -EINVAL);
    assert_int_equal(cnet_join_host_port("h", "80", NULL, 16), -EINVAL);
}

static void split_join_round_trip_preserves_input(void **state)
{
    (void)state;
    static const char *const inputs[] = {"127.0.0.1:80", "[::1]:80", "[fe80::1%eth0]:443", ":0", "localhost:http"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char host[64], port[16], out[96];
        assert_int_equal(cnet_split_host_port(inputs[i], host, sizeof host, port, sizeof port, NULL), 0);
        assert_int_equal(cnet_join_host_port(host, port, out, sizeof out), (int)strlen(inputs[i]));
        assert_string_equal(out, inputs[i]);
    }
}

/* Listens on address and checks the listener's address starts with want ("[::1]:"). */
static void expect_listens_on(const char *network, const char *address, const char *want)
{
    cnet_listener *ln = NULL;
    cnet_error err;
    char addr[CNET_ADDRSTRLEN];
    print_message("listen %s %.60s\n", network, address);
    int rc = cnet_listen(network, address, &ln, &err);
    if (rc != 0)
        print_message("  %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_true(cnet_listener_addr(ln, addr, sizeof addr) > 0);
    assert_true(strncmp(addr, want, strlen(want)) == 0);
    cnet_listener_close(ln);
}

/* Go's parsePort reads a port of any length: "000...0" with 70 zeros is port 0, as
 * "000...080" is 80 (issue 11, item 6: a 64-byte service buffer refused them). */
static void listen_port_of_any_length(void **state)
{
    (void)state;
    static char address[600];
    snprintf(address, sizeof address, "127.0.0.1:%070d", 0);
    expect_listens_on("tcp", address, "127.0.0.1:");
    memset(address, '0', sizeof address - 1);
    memcpy(address, "127.0.0.1:", 10);
    expect_listens_on("tcp4", address, "127.0.0.1:");
}

/* Go's splitHostZone: the zone starts after the last '%', may be empty and may be long;
 * Go's parseIPv6 allows leading zeros in a group (issue 11, item 7). */
static void listen_ipv6_zones_as_go_reads_them(void **state)
{
    (void)state;
    static const char *const addresses[] = {
        "[::1%]:0",                                                                /* no zone */
        "[::1%zzzzzzzzzzzzzzzzzzzz]:0",                                            /* 20 bytes */
        "[::1%zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz]:0", /* 63 */
        "[::00001]:0",
        "[0000000000::1]:0",
    };
    for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++)
        expect_listens_on("tcp6", addresses[i], "[::1]:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(split_valid_returns_host_and_port),
        TU_TEST(split_invalid_returns_go_error),
        TU_TEST(split_invalid_without_err_returns_code),
        TU_TEST(split_small_host_buffer_enospace),
        TU_TEST(split_small_port_buffer_enospace),
        TU_TEST(split_exact_fit_succeeds),
        TU_TEST(split_null_pointers_einval),
        TU_TEST(join_matches_go),
        TU_TEST(join_small_buffer_enospace),
        TU_TEST(join_exact_fit_succeeds),
        TU_TEST(join_null_pointers_einval),
        TU_TEST(split_join_round_trip_preserves_input),
        TU_TEST(listen_port_of_any_length),
        TU_TEST(listen_ipv6_zones_as_go_reads_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
