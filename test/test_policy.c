/* Every OS's default-option policy, checked as data against the documented facts
 * (go-listen.md section 1, peers.md section 11). Only Linux runs here, so these tables
 * are the one part of the darwin and BSD behaviour that a test can hold to account.
 * The checks read the public view, cnet_sockopt_policy(), which is also what
 * `cnet sockopts --os NAME` prints. The last test applies the keep-alive rows to a real
 * connection with durations at the int64 limits. */
#include <limits.h>
#include <stdbool.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "testutil.h"

static const char *const all_oses[] = {"linux", "darwin", "freebsd", "netbsd", "openbsd", "dragonfly"};
static const char *const bsd_oses[] = {"darwin", "freebsd", "netbsd", "openbsd", "dragonfly"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct table {
    const cnet_sockopt_rule *rules;
    size_t n;
} table;

static table table_of(const char *os)
{
    table t = {NULL, 0};

    assert_int_equal(cnet_sockopt_policy(os, &t.rules, &t.n), 0);
    assert_non_null(t.rules);
    return t;
}

/* How many rows of role set option (role NULL: any role). */
static size_t count_rows(table t, const char *role, const char *option)
{
    size_t i, n = 0;

    for (i = 0; i < t.n; i++)
        if ((role == NULL || strcmp(t.rules[i].role, role) == 0) &&
            strcmp(t.rules[i].option, option) == 0)
            n++;
    return n;
}

/* The only row of role that sets option; fails the test unless there is exactly one. */
static const cnet_sockopt_rule *only_row(table t, const char *role, const char *option)
{
    size_t i;

    assert_int_equal(count_rows(t, role, option), 1);
    for (i = 0; i < t.n; i++)
        if (strcmp(t.rules[i].role, role) == 0 && strcmp(t.rules[i].option, option) == 0)
            return &t.rules[i];
    return NULL;
}

static void assert_row(table t, const char *role, const char *level, const char *option,
                       const char *value, const char *when)
{
    const cnet_sockopt_rule *r = only_row(t, role, option);

    assert_string_equal(r->level, level);
    assert_string_equal(r->value, value);
    assert_string_equal(r->when, when);
}

static size_t rows_of_role(table t, const char *role)
{
    size_t i, n = 0;

    for (i = 0; i < t.n; i++)
        n += strcmp(t.rules[i].role, role) == 0;
    return n;
}

/* Listeners: SO_REUSEADDR, and never SO_REUSEPORT, on every OS (golang/go#2830). The
 * "socket" rows reach listeners too, so they must not reuse anything either. */
static void listeners_reuseaddr_never_reuseport(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < COUNT(all_oses); i++) {
        table t = table_of(all_oses[i]);

        print_message("%s\n", all_oses[i]);
        assert_row(t, "listener", "SOL_SOCKET", "SO_REUSEADDR", "1", "all");
        assert_int_equal(count_rows(t, "listener", "SO_REUSEPORT"), 0);
        assert_int_equal(count_rows(t, "listener", "SO_REUSEPORT_LB"), 0);
        assert_int_equal(count_rows(t, "socket", "SO_REUSEADDR"), 0);
        assert_int_equal(count_rows(t, "socket", "SO_REUSEPORT"), 0);
        assert_int_equal(count_rows(t, "socket", "SO_REUSEPORT_LB"), 0);
    }
}

/* Multicast receivers share the port: SO_REUSEADDR everywhere, plus SO_REUSEPORT on the
 * BSD family, whose 4.4BSD semantics need both. */
static void multicast_reuse_per_os(void **state)
{
    size_t i;
    table t;

    (void)state;
    for (i = 0; i < COUNT(bsd_oses); i++) {
        t = table_of(bsd_oses[i]);
        print_message("%s\n", bsd_oses[i]);
        assert_row(t, "multicast", "SOL_SOCKET", "SO_REUSEADDR", "1", "all");
        assert_row(t, "multicast", "SOL_SOCKET", "SO_REUSEPORT", "1", "all");
        assert_int_equal(rows_of_role(t, "multicast"), 2);
    }
    t = table_of("linux");
    assert_row(t, "multicast", "SOL_SOCKET", "SO_REUSEADDR", "1", "all");
    assert_int_equal(rows_of_role(t, "multicast"), 1);
}

/* Multicast loop off on the joined socket, IPv4 and IPv6, on every OS. */
static void multicast_loop_off(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < COUNT(all_oses); i++) {
        table t = table_of(all_oses[i]);

        assert_row(t, "multicast-join", "IPPROTO_IP", "IP_MULTICAST_LOOP", "0", "AF_INET");
        assert_row(t, "multicast-join", "IPPROTO_IPV6", "IPV6_MULTICAST_LOOP", "0", "AF_INET6");
        assert_int_equal(rows_of_role(t, "multicast-join"), 2);
    }
}

/* IPV6_V6ONLY is stated explicitly, except on OpenBSD and DragonFly, which have no
 * IPv4-mapped addresses and so nothing to choose. */
static void ipv6only_except_openbsd_dragonfly(void **state)
{
    static const char *const with[] = {"linux", "darwin", "freebsd", "netbsd"};
    static const char *const without[] = {"openbsd", "dragonfly"};
    size_t i;

    (void)state;
    for (i = 0; i < COUNT(with); i++) {
        table t = table_of(with[i]);

        print_message("%s\n", with[i]);
        assert_row(t, "socket", "IPPROTO_IPV6", "IPV6_V6ONLY", "1 for *6 networks, else 0",
                   "AF_INET6");
        assert_int_equal(count_rows(t, NULL, "IPV6_V6ONLY"), 1);
    }
    for (i = 0; i < COUNT(without); i++)
        assert_int_equal(count_rows(table_of(without[i]), NULL, "IPV6_V6ONLY"), 0);
}

/* SO_BROADCAST on UDP sockets only, on every OS. */
static void broadcast_on_udp_only(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < COUNT(all_oses); i++) {
        table t = table_of(all_oses[i]);

        assert_row(t, "socket", "SOL_SOCKET", "SO_BROADCAST", "1", "UDP, raw IP");
        assert_int_equal(count_rows(t, NULL, "SO_BROADCAST"), 1);
    }
}

typedef struct conn_row {
    const char *level, *option, *value;
} conn_row;

#define NODELAY {"IPPROTO_TCP", "TCP_NODELAY", "1"}
#define KEEPALIVE {"SOL_SOCKET", "SO_KEEPALIVE", "1"}
#define KEEPINTVL {"IPPROTO_TCP", "TCP_KEEPINTVL", "15"}
#define KEEPCNT {"IPPROTO_TCP", "TCP_KEEPCNT", "9"}

static void assert_conn_rows(const char *os, const conn_row *want, size_t n)
{
    table t = table_of(os);
    size_t i;

    print_message("%s\n", os);
    for (i = 0; i < n; i++)
        assert_row(t, "conn", want[i].level, want[i].option, want[i].value, "TCP");
    assert_int_equal(rows_of_role(t, "conn"), n);
}

/* Accepted and dialed TCP: no Nagle, keep-alive after 15 s idle, every 15 s, 9 probes.
 * darwin names the idle time TCP_KEEPALIVE; OpenBSD has no per-socket timers. Linux
 * adds TCP_INQ, cnet's own: reads learn what is left queued. */
static void conn_rows_per_os(void **state)
{
    static const conn_row standard[] = {NODELAY, KEEPALIVE,
                                        {"IPPROTO_TCP", "TCP_KEEPIDLE", "15"}, KEEPINTVL, KEEPCNT};
    static const conn_row linux_rows[] = {NODELAY, KEEPALIVE,
                                          {"IPPROTO_TCP", "TCP_KEEPIDLE", "15"}, KEEPINTVL,
                                          KEEPCNT, {"IPPROTO_TCP", "TCP_INQ", "1"}};
    static const conn_row darwin[] = {NODELAY, KEEPALIVE,
                                      {"IPPROTO_TCP", "TCP_KEEPALIVE", "15"}, KEEPINTVL, KEEPCNT};
    static const conn_row openbsd[] = {NODELAY, KEEPALIVE};
    static const char *const standard_oses[] = {"freebsd", "netbsd", "dragonfly"};
    size_t i;

    (void)state;
    for (i = 0; i < COUNT(standard_oses); i++)
        assert_conn_rows(standard_oses[i], standard, COUNT(standard));
    assert_conn_rows("linux", linux_rows, COUNT(linux_rows));
    assert_conn_rows("darwin", darwin, COUNT(darwin));
    assert_conn_rows("openbsd", openbsd, COUNT(openbsd));
}

/* A load-balanced group: SO_REUSEPORT_LB on FreeBSD, SO_REUSEPORT on Linux and
 * DragonFly, and a refusal where SO_REUSEPORT shares a port without balancing. */
static void reuse_port_mapping(void **state)
{
    static const char *const lb[] = {"linux", "dragonfly"};
    static const char *const refused[] = {"darwin", "netbsd", "openbsd"};
    size_t i;

    (void)state;
    for (i = 0; i < COUNT(lb); i++) {
        table t = table_of(lb[i]);

        assert_row(t, "reuse_port", "SOL_SOCKET", "SO_REUSEPORT", "1", "AF_INET/AF_INET6");
        assert_int_equal(rows_of_role(t, "reuse_port"), 1);
    }
    assert_row(table_of("freebsd"), "reuse_port", "SOL_SOCKET", "SO_REUSEPORT_LB", "1",
               "AF_INET/AF_INET6");
    assert_int_equal(rows_of_role(table_of("freebsd"), "reuse_port"), 1);
    for (i = 0; i < COUNT(refused); i++) {
        table t = table_of(refused[i]);

        print_message("%s\n", refused[i]);
        assert_string_equal(only_row(t, "reuse_port", "(none)")->value, "CNET_ENOTSUP");
        assert_int_equal(rows_of_role(t, "reuse_port"), 1);
    }
}

/* Where each OS's listen(2) backlog comes from (Go's maxListenerBacklog). */
static void backlog_source_per_os(void **state)
{
    static const struct {
        const char *os, *source;
    } want[] = {
        {"linux", "/proc/sys/net/core/somaxconn"},
        {"darwin", "sysctl kern.ipc.somaxconn"},
        {"freebsd", "sysctl kern.ipc.soacceptqueue"},
        {"openbsd", "sysctl kern.somaxconn"},
        {"netbsd", "SOMAXCONN"},
        {"dragonfly", "SOMAXCONN"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < COUNT(want); i++) {
        const cnet_sockopt_rule *r = only_row(table_of(want[i].os), "listener", "backlog");

        assert_string_equal(r->level, "listen(2)");
        assert_string_equal(r->reason, want[i].source);
    }
}

/* DragonFly alone asks for the high ephemeral port range (Go's sockopt_bsd.go). */
static void portrange_only_dragonfly(void **state)
{
    size_t i;
    table t;

    (void)state;
    for (i = 0; i < COUNT(all_oses); i++) {
        if (strcmp(all_oses[i], "dragonfly") == 0)
            continue;
        t = table_of(all_oses[i]);
        assert_int_equal(count_rows(t, NULL, "IP_PORTRANGE"), 0);
        assert_int_equal(count_rows(t, NULL, "IPV6_PORTRANGE"), 0);
    }
    t = table_of("dragonfly");
    assert_row(t, "socket", "IPPROTO_IP", "IP_PORTRANGE", "2", "AF_INET");
    assert_row(t, "socket", "IPPROTO_IPV6", "IPV6_PORTRANGE", "2", "AF_INET6");
}

/* darwin has no MSG_NOSIGNAL to rely on: SO_NOSIGPIPE on every socket (accepted
 * sockets inherit it from the listener). Linux must never name it. */
static void nosigpipe_on_darwin(void **state)
{
    (void)state;
    assert_row(table_of("darwin"), "socket", "SOL_SOCKET", "SO_NOSIGPIPE", "1", "all");
    assert_int_equal(count_rows(table_of("linux"), NULL, "SO_NOSIGPIPE"), 0);
}

/* Every row says why, and names a known role, a level and a value. */
static void every_row_complete(void **state)
{
    static const char *const roles[] = {"socket", "listener", "multicast", "multicast-join",
                                        "conn", "reuse_port"};
    size_t i, r, k;

    (void)state;
    for (i = 0; i < COUNT(all_oses); i++) {
        table t = table_of(all_oses[i]);

        for (r = 0; r < t.n; r++) {
            const cnet_sockopt_rule *row = &t.rules[r];
            bool known = false;

            print_message("%s %s %s\n", all_oses[i], row->role, row->option);
            for (k = 0; k < COUNT(roles); k++)
                known = known || strcmp(row->role, roles[k]) == 0;
            assert_true(known);
            assert_true(row->level[0] != '\0' && row->option[0] != '\0');
            assert_true(row->value[0] != '\0' && row->when[0] != '\0');
            assert_true(row->reason[0] != '\0');
            assert_string_not_equal(row->value, "?");
            assert_string_not_equal(row->when, "?");
        }
    }
}

/* NULL means the build's own OS, and this build is Linux's. */
static void null_os_is_this_os(void **state)
{
    const cnet_sockopt_rule *own = NULL, *named = NULL;
    size_t own_n = 0, named_n = 0;

    (void)state;
    assert_string_equal(cnet_os_name(), "linux");
    assert_int_equal(cnet_sockopt_policy(NULL, &own, &own_n), 0);
    assert_int_equal(cnet_sockopt_policy("linux", &named, &named_n), 0);
    assert_ptr_equal(own, named);
    assert_int_equal(own_n, named_n);
}

static void unknown_os_enotsup(void **state)
{
    static const char *const unknown[] = {"windows", "solaris", "", "linux2"};
    size_t i;

    (void)state;
    for (i = 0; i < COUNT(unknown); i++) {
        const cnet_sockopt_rule *rules = (const cnet_sockopt_rule *)1;
        size_t n = 99;

        assert_int_equal(cnet_sockopt_policy(unknown[i], &rules, &n), CNET_ENOTSUP);
        assert_null(rules);
        assert_int_equal(n, 0);
    }
}

/* ---- Keep-alive durations at the int64 limits, on a real connection ----------------
 * Times are rounded up to whole seconds as Go does; near INT64_MAX that rounding used
 * to overflow (undefined: the sanitizer build stops on it). Now it saturates, and a
 * number of seconds the kernel cannot hold is refused with Go's setter text, leaving
 * the connection's settings as they were. */

#define SEC 1000000000LL
#define LINUX_MAX_KEEP_SECS 32767LL /* MAX_TCP_KEEPIDLE and MAX_TCP_KEEPINTVL */

enum { REFUSED = 0, LEFT_ALONE = -1 };

/* Sets one keep-alive time (interval or idle) to ns, every other field left alone, and
 * checks the outcome: want seconds read back, REFUSED or LEFT_ALONE. */
static void check_keepalive_time(cnet_conn *c, bool interval, int64_t ns, int want)
{
    const cnet_keepalive baseline = {.idle_ns = 10 * SEC, .interval_ns = 20 * SEC, .count = 3};
    cnet_keepalive ka = {.idle_ns = -1, .interval_ns = -1, .count = -1};
    int fd = cnet_conn_fd(c), option = interval ? TCP_KEEPINTVL : TCP_KEEPIDLE;
    int other = interval ? TCP_KEEPIDLE : TCP_KEEPINTVL;
    cnet_error err;
    int rc;

    print_message("%s %lld ns\n", interval ? "interval" : "idle", (long long)ns);
    assert_int_equal(cnet_conn_set_keepalive(c, &baseline, &err), 0);
    *(interval ? &ka.interval_ns : &ka.idle_ns) = ns;
    rc = cnet_conn_set_keepalive(c, &ka, &err);
    if (want == REFUSED) {
        assert_int_equal(rc, -EINVAL);
        assert_non_null(strstr(err.msg, ": setsockopt: invalid argument"));
        assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, option), interval ? 20 : 10);
    } else {
        assert_int_equal(rc, 0);
        assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, option),
                         want == LEFT_ALONE ? (interval ? 20 : 10) : want);
    }
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, other), interval ? 10 : 20);
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_KEEPCNT), 3);
}

static void keepalive_times_at_int64_limits(void **state)
{
    const struct {
        int64_t ns;
        int want;
    } rows[] = {
        {INT64_MAX, REFUSED},
        {INT64_MAX - 1, REFUSED},
        {INT64_MAX - SEC + 2, REFUSED}, /* the smallest whose rounding overflowed */
        {INT64_MAX - SEC + 1, REFUSED}, /* the largest whose rounding did not */
        {(int64_t)INT_MAX * SEC + 1, REFUSED}, /* more seconds than an int holds */
        {LINUX_MAX_KEEP_SECS * SEC + 1, REFUSED},
        {LINUX_MAX_KEEP_SECS * SEC, LINUX_MAX_KEEP_SECS},
        {(LINUX_MAX_KEEP_SECS - 1) * SEC + 1, LINUX_MAX_KEEP_SECS},
        {1, 1},
        {INT64_MIN, LEFT_ALONE},
        {INT64_MIN + 1, LEFT_ALONE},
    };
    tu_pair p;

    (void)state;
    tu_pair_open(&p, "tcp", "127.0.0.1:0");
    for (size_t i = 0; i < COUNT(rows); i++) {
        check_keepalive_time(p.client, false, rows[i].ns, rows[i].want);
        check_keepalive_time(p.client, true, rows[i].ns, rows[i].want);
    }
    tu_pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(listeners_reuseaddr_never_reuseport),
        cmocka_unit_test(multicast_reuse_per_os),
        cmocka_unit_test(multicast_loop_off),
        cmocka_unit_test(ipv6only_except_openbsd_dragonfly),
        cmocka_unit_test(broadcast_on_udp_only),
        cmocka_unit_test(conn_rows_per_os),
        cmocka_unit_test(reuse_port_mapping),
        cmocka_unit_test(backlog_source_per_os),
        cmocka_unit_test(portrange_only_dragonfly),
        cmocka_unit_test(nosigpipe_on_darwin),
        cmocka_unit_test(every_row_complete),
        cmocka_unit_test(null_os_is_this_os),
        cmocka_unit_test(unknown_os_enotsup),
        TU_TEST(keepalive_times_at_int64_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
