/* cnet_addr / cnet_prefix against Go's net/netip. Every row's expected text and
 * predicate was printed by Go 1.19's netip (test/oracle checks a larger table live);
 * rows marked "Go >= 1.22" follow the newer Go, as cnet does. */
#include "testutil.h"

#include <string.h>

typedef struct addr_row {
    const char *in;
    const char *text; /* String(), or the error text */
    int ok;
} addr_row;

static const addr_row addr_rows[] = {
    {"127.0.0.1", "127.0.0.1", 1},
    {"0.0.0.0", "0.0.0.0", 1},
    {"::", "::", 1},
    {"::1", "::1", 1},
    {"2001:0DB8:0000:0000:0000:0000:0000:0068", "2001:db8::68", 1},
    {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", 1},
    {"1:0:0:0:0:0:0:0", "1::", 1},
    {"fe80::1%eth0", "fe80::1%eth0", 1},
    {"::ffff:1.2.3.4", "::ffff:1.2.3.4", 1},
    {"::ffff:1.2.3.4%eth0", "::ffff:1.2.3.4%eth0", 1},
    {"::ffff:c000:0280", "::ffff:192.0.2.128", 1},
    {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304", 1},
    {"0000000000000000001::1", "1::1", 1},
    {"fe80::1%eth0%1", "fe80::1%eth0%1", 1}, /* netip splits at the first '%' */
    {"", "ParseAddr(\"\"): unable to parse IP", 0},
    {"localhost", "ParseAddr(\"localhost\"): unable to parse IP", 0},
    {"1.2.3", "ParseAddr(\"1.2.3\"): IPv4 address too short", 0},
    {"1.2.3.4.5", "ParseAddr(\"1.2.3.4.5\"): IPv4 address too long", 0},
    {"1.2.3.", "ParseAddr(\"1.2.3.\"): IPv4 field must have at least one digit (at \".\")", 0},
    {"01.2.3.4", "ParseAddr(\"01.2.3.4\"): IPv4 field has octet with leading zero", 0},
    {"1.2.3.256", "ParseAddr(\"1.2.3.256\"): IPv4 field has value >255", 0},
    {"1.2.3.4%eth0", "ParseAddr(\"1.2.3.4%eth0\"): unexpected character (at \"%eth0\")", 0},
    {"127.1", "ParseAddr(\"127.1\"): IPv4 address too short", 0},
    {"%eth0", "ParseAddr(\"%eth0\"): missing IPv6 address", 0},
    {"fe80::1%", "ParseAddr(\"fe80::1%\"): zone must be a non-empty string", 0},
    {"1:", "ParseAddr(\"1:\"): colon must be followed by more characters (at \":\")", 0},
    {"1:::2", "ParseAddr(\"1:::2\"): each colon-separated field must have at least one digit (at \":2\")", 0},
    {"::1::2", "ParseAddr(\"::1::2\"): multiple :: in address (at \":2\")", 0},
    {"1:2:3:4:5:6:7", "ParseAddr(\"1:2:3:4:5:6:7\"): address string too short", 0},
    {"1:2:3:4:5:6:7:8::", "ParseAddr(\"1:2:3:4:5:6:7:8::\"): the :: must expand to at least one field of zeros", 0},
    {"10000::1", "ParseAddr(\"10000::1\"): IPv6 field has value >=2^16 (at \"10000::1\")", 0},
    {"1:2x::", "ParseAddr(\"1:2x::\"): unexpected character, want colon (at \"x::\")", 0},
    {"1:2:3:4:5:6:7:8:9", "ParseAddr(\"1:2:3:4:5:6:7:8:9\"): trailing garbage after address (at \"9\")", 0},
    {"1:2:3:4:1.2.3.4", "ParseAddr(\"1:2:3:4:1.2.3.4\"): embedded IPv4 address must replace the final 2 fields of the address (at \"1.2.3.4\")", 0},
    {"::1.2.03.4", "ParseAddr(\"::1.2.03.4\"): ParseAddr(\"1.2.03.4\"): IPv4 field has octet with leading zero (at \"1.2.03.4\")", 0},
    {"::1.2..4%z", "ParseAddr(\"::1.2..4%z\"): ParseAddr(\"1.2..4\"): IPv4 field must have at least one digit (at \".4\") (at \"1.2..4\")", 0},
    {"\xff::1", "ParseAddr(\"\\xff::1\"): each colon-separated field must have at least one digit (at \"\\xff::1\")", 0},
    {"\xc3\xa9::1", "ParseAddr(\"\xc3\xa9::1\"): each colon-separated field must have at least one digit (at \"\xc3\xa9::1\")", 0},
    {"\"::1\"", "ParseAddr(\"\\\"::1\\\"\"): each colon-separated field must have at least one digit (at \"\\\"::1\\\"\")", 0},
    {"1.2.3.4\n", "ParseAddr(\"1.2.3.4\\n\"): unexpected character (at \"\\n\")", 0},
};

static void addr_parse_and_string_match_go(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof addr_rows / sizeof addr_rows[0]; i++) {
        const addr_row *r = &addr_rows[i];
        cnet_addr a, zero;
        cnet_error err;
        char buf[CNET_ADDR_STRLEN];
        int rc = cnet_addr_parse(r->in, &a, &err);

        memset(&zero, 0, sizeof zero);
        if (r->ok) {
            assert_int_equal(rc, 0);
            assert_int_equal(err.code, 0);
            assert_int_equal(cnet_addr_string(&a, buf, sizeof buf), (int)strlen(r->text));
            assert_string_equal(buf, r->text);
        } else {
            assert_int_equal(rc, CNET_EINVALIDADDR);
            assert_int_equal(err.code, CNET_EINVALIDADDR);
            assert_string_equal(err.msg, r->text);
            assert_memory_equal(&a, &zero, sizeof a); /* the zero Addr on error */
        }
    }
}

/* Predicates: loopback, private, multicast, interface-local mc, link-local mc,
 * link-local unicast, global unicast, unspecified, 4, 6, 4in6. */
typedef struct pred_row {
    const char *in;
    int lo, priv, mc, ilmc, llmc, llu, gu, unspec, is4, is6, is4in6;
} pred_row;

static const pred_row pred_rows[] = {
    {"127.0.0.1", 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
    {"10.1.2.3", 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0},
    {"172.31.255.255", 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0},
    {"172.32.0.1", 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0},
    {"192.168.0.1", 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0},
    {"169.254.1.1", 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0},
    {"224.0.0.1", 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0},
    {"239.255.255.250", 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0},
    {"255.255.255.255", 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
    {"0.0.0.0", 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0},
    {"8.8.8.8", 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0},
    {"::", 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0},
    {"::%0", 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0}, /* Go compares with ==: a zone is not :: */
    {"::1", 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0},
    {"fe80::1%eth0", 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0},
    {"febf::1", 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0},
    {"fec0::1", 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0},
    {"fd12:3456::1", 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0},
    {"ff01::1", 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0},
    {"ff11::1", 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0},
    {"ff02::1", 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0},
    {"ff05::2", 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0},
    {"2001:db8::68", 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0},
    /* Go 1.19: an IPv4-mapped address is IPv6 and none of IPv4's classes */
    {"::ffff:127.0.0.1", 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1},
    {"::ffff:10.0.0.1", 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1},
    {"::ffff:0.0.0.0", 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1},
};

static void addr_predicates_match_go(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof pred_rows / sizeof pred_rows[0]; i++) {
        const pred_row *r = &pred_rows[i];
        cnet_addr a;

        assert_int_equal(cnet_addr_parse(r->in, &a, NULL), 0);
        assert_int_equal(cnet_addr_is_loopback(&a), r->lo);
        assert_int_equal(cnet_addr_is_private(&a), r->priv);
        assert_int_equal(cnet_addr_is_multicast(&a), r->mc);
        assert_int_equal(cnet_addr_is_interface_local_multicast(&a), r->ilmc);
        assert_int_equal(cnet_addr_is_link_local_multicast(&a), r->llmc);
        assert_int_equal(cnet_addr_is_link_local_unicast(&a), r->llu);
        assert_int_equal(cnet_addr_is_global_unicast(&a), r->gu);
        assert_int_equal(cnet_addr_is_unspecified(&a), r->unspec);
        assert_int_equal(cnet_addr_is4(&a), r->is4);
        assert_int_equal(cnet_addr_is6(&a), r->is6);
        assert_int_equal(cnet_addr_is4in6(&a), r->is4in6);
        assert_int_equal(cnet_addr_is_valid(&a), 1);
        assert_int_equal(cnet_addr_bitlen(&a), r->is4 ? 32 : 128);
    }
}

static void zero_addr_is_invalid(void **state)
{
    cnet_addr zero;
    char buf[CNET_ADDR_STRLEN];

    (void)state;
    memset(&zero, 0, sizeof zero);
    assert_int_equal(cnet_addr_is_valid(&zero), 0);
    assert_int_equal(cnet_addr_bitlen(&zero), 0);
    assert_int_equal(cnet_addr_is_unspecified(&zero), 0);
    assert_int_equal(cnet_addr_is_global_unicast(&zero), 0);
    assert_int_equal(cnet_addr_string(&zero, buf, sizeof buf), 10);
    assert_string_equal(buf, "invalid IP");
}

static void unmap_and_compare_match_go(void **state)
{
    cnet_addr a, b, u;
    char buf[CNET_ADDR_STRLEN];
    static const char *const sorted[] = {"0.0.0.0", "1.2.3.4", "1.2.3.5", "255.255.255.255", "::",
                                         "::1", "::ffff:1.2.3.4", "fe80::1", "fe80::1%eth0",
                                         "fe80::1%eth1", "ff02::1"};

    (void)state;
    assert_int_equal(cnet_addr_parse("::ffff:1.2.3.4%eth0", &a, NULL), 0);
    u = cnet_addr_unmap(&a);
    assert_int_equal(cnet_addr_is4(&u), 1);
    cnet_addr_string(&u, buf, sizeof buf);
    assert_string_equal(buf, "1.2.3.4");
    assert_int_equal(cnet_addr_parse("1.2.3.4", &b, NULL), 0);
    assert_memory_equal(&u, &b, sizeof u); /* a value: equal addresses are equal bytes */
    for (size_t i = 0; i + 1 < sizeof sorted / sizeof sorted[0]; i++) {
        assert_int_equal(cnet_addr_parse(sorted[i], &a, NULL), 0);
        assert_int_equal(cnet_addr_parse(sorted[i + 1], &b, NULL), 0);
        assert_int_equal(cnet_addr_compare(&a, &b), -1);
        assert_int_equal(cnet_addr_compare(&b, &a), 1);
        assert_int_equal(cnet_addr_compare(&a, &a), 0);
        assert_true(cnet_addr_less(&a, &b));
        assert_false(cnet_addr_less(&b, &a));
    }
}

typedef struct prefix_row {
    const char *in;
    const char *text;   /* String(), or the error text */
    const char *masked; /* Masked().String() */
} prefix_row;

static const prefix_row prefix_rows[] = {
    {"1.2.3.4/24", "1.2.3.4/24", "1.2.3.0/24"},
    {"0.0.0.0/0", "0.0.0.0/0", "0.0.0.0/0"},
    {"1.2.3.4/32", "1.2.3.4/32", "1.2.3.4/32"},
    {"2001:db8::1/48", "2001:db8::1/48", "2001:db8::/48"},
    {"::ffff:1.2.3.4/120", "::ffff:1.2.3.4/120", "::ffff:1.2.3.0/120"},
    {"::/0", "::/0", "::/0"},
    {"1.2.3.4/33", "netip.ParsePrefix(\"1.2.3.4/33\"): prefix length out of range", NULL},
    {"2001:db8::1/129", "netip.ParsePrefix(\"2001:db8::1/129\"): prefix length out of range", NULL},
    {"1.2.3.4", "netip.ParsePrefix(\"1.2.3.4\"): no '/'", NULL},
    {"1.2.3.4/", "netip.ParsePrefix(\"1.2.3.4/\"): bad bits after slash: \"\"", NULL},
    {"1.2.3.4/a", "netip.ParsePrefix(\"1.2.3.4/a\"): bad bits after slash: \"a\"", NULL},
    {"1.2.3.4/+24", "netip.ParsePrefix(\"1.2.3.4/+24\"): bad bits after slash: \"+24\"", NULL}, /* Go >= 1.22 */
    {"1.2.3.4/024", "netip.ParsePrefix(\"1.2.3.4/024\"): bad bits after slash: \"024\"", NULL}, /* Go >= 1.22 */
    {"fe80::1%eth0/64", "netip.ParsePrefix(\"fe80::1%eth0/64\"): IPv6 zones cannot be present in a prefix", NULL},
    {"1.2.3/24", "netip.ParsePrefix(\"1.2.3/24\"): ParseAddr(\"1.2.3\"): IPv4 address too short", NULL},
    {"1.2.3.4/24/24", "netip.ParsePrefix(\"1.2.3.4/24/24\"): ParseAddr(\"1.2.3.4/24\"): unexpected character (at \"/24\")", NULL},
};

static void prefix_parse_string_masked_match_go(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof prefix_rows / sizeof prefix_rows[0]; i++) {
        const prefix_row *r = &prefix_rows[i];
        cnet_prefix p, m;
        cnet_error err;
        char buf[CNET_PREFIX_STRLEN];
        int rc = cnet_prefix_parse(r->in, &p, &err);

        if (r->masked == NULL) {
            assert_int_equal(rc, CNET_EINVALIDADDR);
            assert_string_equal(err.msg, r->text);
            assert_int_equal(cnet_prefix_is_valid(&p), 0);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(cnet_prefix_string(&p, buf, sizeof buf), (int)strlen(r->text));
        assert_string_equal(buf, r->text);
        m = cnet_prefix_masked(&p);
        cnet_prefix_string(&m, buf, sizeof buf);
        assert_string_equal(buf, r->masked);
    }
}

typedef struct contains_row {
    const char *prefix, *addr;
    int in;
} contains_row;

static const contains_row contains_rows[] = {
    {"1.2.3.0/24", "1.2.3.4", 1},
    {"1.2.3.0/24", "1.2.4.4", 0},
    {"1.2.3.4/24", "1.2.3.200", 1}, /* host bits of the prefix do not matter */
    {"10.0.0.0/7", "11.255.255.255", 1},
    {"0.0.0.0/0", "8.8.8.8", 1},
    {"0.0.0.0/0", "::1", 0},
    {"::/0", "1.2.3.4", 0},
    {"1.2.3.0/24", "::ffff:1.2.3.4", 0},
    {"::ffff:0.0.0.0/96", "::ffff:1.2.3.4", 1},
    {"fe80::/10", "febf::1", 1},
    {"fe80::/10", "fec0::1", 0},
    {"fe80::/10", "fe80::1%eth0", 0}, /* prefixes strip zones: a zoned address never matches */
    {"2001:db8::/127", "2001:db8::1", 1},
    {"2001:db8::/128", "2001:db8::1", 0},
};

static void prefix_contains_matches_go(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof contains_rows / sizeof contains_rows[0]; i++) {
        cnet_prefix p;
        cnet_addr a;

        assert_int_equal(cnet_prefix_parse(contains_rows[i].prefix, &p, NULL), 0);
        assert_int_equal(cnet_addr_parse(contains_rows[i].addr, &a, NULL), 0);
        assert_int_equal(cnet_prefix_contains(&p, &a), contains_rows[i].in);
    }
}

static void addr_prefix_and_prefix_from_match_go(void **state)
{
    cnet_addr a, zero;
    cnet_prefix p;
    cnet_error err;
    char buf[CNET_PREFIX_STRLEN];

    (void)state;
    memset(&zero, 0, sizeof zero);
    assert_int_equal(cnet_addr_parse("fe80::1%eth0", &a, NULL), 0);
    assert_int_equal(cnet_addr_prefix(&a, 64, &p, &err), 0);
    cnet_prefix_string(&p, buf, sizeof buf);
    assert_string_equal(buf, "fe80::/64");
    assert_int_equal(cnet_addr_parse("1.2.3.4", &a, NULL), 0);
    assert_int_equal(cnet_addr_prefix(&a, 33, &p, &err), -EINVAL);
    assert_string_equal(err.msg, "prefix length 33 too large for IPv4");
    assert_int_equal(cnet_addr_prefix(&a, -1, &p, &err), -EINVAL);
    assert_string_equal(err.msg, "negative Prefix bits");
    assert_int_equal(cnet_addr_prefix(&zero, 8, &p, &err), 0); /* Go: zero Prefix, no error */
    assert_int_equal(cnet_prefix_is_valid(&p), 0);
    p = cnet_prefix_from(&a, 40);
    assert_int_equal(p.bits, -1);
    assert_int_equal(cnet_prefix_string(&p, buf, sizeof buf), 14);
    assert_string_equal(buf, "invalid Prefix");
    p = cnet_prefix_masked(&p);
    assert_int_equal(cnet_prefix_is_valid(&p), 0);
}

/* Buffers: the exact size works, one byte less is CNET_ENOSPACE and "". */
static void strings_fit_exactly_or_enospace(void **state)
{
    cnet_addr a;
    cnet_prefix p;
    char buf[CNET_PREFIX_STRLEN];
    char zone[CNET_ZONE_MAX + 16];
    int n;

    (void)state;
    memset(zone, 'z', CNET_ZONE_MAX - 1);
    snprintf(buf, sizeof buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%%%.*s", CNET_ZONE_MAX - 1, zone);
    assert_int_equal(cnet_addr_parse(buf, &a, NULL), 0);
    n = cnet_addr_string(&a, buf, CNET_ADDR_STRLEN);
    assert_int_equal(n, CNET_ADDR_STRLEN - 1); /* the longest text fits CNET_ADDR_STRLEN */
    assert_int_equal(cnet_addr_string(&a, buf, (size_t)n), CNET_ENOSPACE);
    assert_string_equal(buf, "");
    assert_int_equal(cnet_prefix_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", &p, NULL), 0);
    n = cnet_prefix_string(&p, buf, sizeof buf);
    assert_int_equal(n, 43);
    assert_int_equal(cnet_prefix_string(&p, buf, 43), CNET_ENOSPACE);
    assert_string_equal(buf, "");
}

/* The parser net.ParseIP uses is the same one: dial and listen still read literals as
 * Go's net does (an empty zone allowed, which netip refuses). */
static void net_parser_unchanged_by_netip(void **state)
{
    cnet_listener *ln;
    cnet_error err;
    char addr[CNET_ADDRSTRLEN];

    (void)state;
    assert_int_equal(cnet_listen("tcp6", "[::1%]:0", &ln, &err), 0); /* net: empty zone ok */
    assert_int_equal(cnet_listener_addr(ln, addr, sizeof addr) > 0, 1);
    assert_int_equal(strncmp(addr, "[::1]:", 6), 0);
    cnet_listener_close(ln);
    assert_int_equal(cnet_addr_parse("::1%", &(cnet_addr){0}, &err), CNET_EINVALIDADDR);
}

static void null_arguments_einval(void **state)
{
    cnet_addr a;
    cnet_prefix p;
    cnet_error err;
    char buf[8];

    (void)state;
    assert_int_equal(cnet_addr_parse(NULL, &a, &err), -EINVAL);
    assert_string_equal(err.msg, "ParseAddr: invalid argument: s is NULL");
    assert_int_equal(cnet_addr_parse("::1", NULL, &err), -EINVAL);
    assert_int_equal(cnet_prefix_parse(NULL, &p, &err), -EINVAL);
    assert_int_equal(cnet_prefix_parse("::/0", NULL, &err), -EINVAL);
    assert_int_equal(cnet_addr_string(NULL, buf, sizeof buf), -EINVAL);
    assert_int_equal(cnet_addr_string(&a, NULL, 8), -EINVAL);
    assert_int_equal(cnet_prefix_string(NULL, buf, sizeof buf), -EINVAL);
    assert_int_equal(cnet_addr_prefix(NULL, 8, &p, &err), -EINVAL);
    assert_int_equal(cnet_addr_is_valid(NULL), 0);
    assert_int_equal(cnet_addr_is_loopback(NULL), 0);
    assert_int_equal(cnet_prefix_contains(NULL, NULL), 0);
    assert_int_equal(cnet_addr_compare(NULL, NULL), 0);
    a = cnet_addr_unmap(NULL);
    assert_int_equal(cnet_addr_is_valid(&a), 0);
    p = cnet_prefix_masked(NULL);
    assert_int_equal(cnet_prefix_is_valid(&p), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(addr_parse_and_string_match_go),
        TU_TEST(addr_predicates_match_go),
        TU_TEST(zero_addr_is_invalid),
        TU_TEST(unmap_and_compare_match_go),
        TU_TEST(prefix_parse_string_masked_match_go),
        TU_TEST(prefix_contains_matches_go),
        TU_TEST(addr_prefix_and_prefix_from_match_go),
        TU_TEST(strings_fit_exactly_or_enospace),
        TU_TEST(net_parser_unchanged_by_netip),
        TU_TEST(null_arguments_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
