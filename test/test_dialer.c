/* Go's Dialer (go-dial.md §3.5-3.7, §6 end, contract rules 8-14, 17, 21).
 *
 * Without arguments: loopback only (timeouts that expire before connecting, local
 * addresses, the control hook, keep-alive, localhost and the resolver thread).
 * With --netns, run by he-netns.sh inside a private network and mount namespace:
 * hanging connects and Happy Eyeballs against black-holed addresses (2001:db8::2 and
 * 198.18.0.2 swallow every SYN) and names from that namespace's private hosts file. */
#include "testutil.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#define MS 1000000LL
#define SEC 1000000000LL

static cnet_listener *listen_loopback4(char *addr, int *port)
{
    cnet_listener *ln = tu_listen("tcp4", "127.0.0.1:0");
    *port = tu_listener_addr(ln, addr, CNET_ADDRSTRLEN);
    return ln;
}

/* A loopback port nothing listens on: listened on and closed again. */
static int free_port(const char *network, const char *address)
{
    char addr[CNET_ADDRSTRLEN];
    cnet_listener *ln = tu_listen(network, address);
    int port = tu_listener_addr(ln, addr, sizeof addr);
    assert_int_equal(cnet_listener_close(ln), 0);
    return port;
}

static cnet_conn *dial_with_ok(const cnet_dialer *d, const char *network, const char *address)
{
    cnet_conn *c = NULL;
    cnet_error err;
    int rc = cnet_dial_with(d, network, address, &c, &err);
    if (rc != 0)
        fail_msg("cnet_dial_with(%s, %s): %d %s", network, address, rc, err.msg);
    assert_non_null(c);
    assert_int_equal(err.code, 0);
    return c;
}

/* A dial that must fail with code and exactly the text want, leaving no handle. */
static void dial_with_fails(const cnet_dialer *d, const char *network, const char *address,
                            int code, const char *want, cnet_error *err)
{
    cnet_conn *c = (cnet_conn *)&c; /* must be overwritten with NULL */
    int rc = cnet_dial_with(d, network, address, &c, err);
    if (rc != code)
        fail_msg("cnet_dial_with(%s, %s) = %d (%s), want %d", network, address, rc, err->msg, code);
    assert_null(c);
    assert_int_equal(err->code, code);
    assert_string_equal(err->msg, want);
}

static void assert_dial_timeout(const cnet_error *err)
{
    assert_int_equal(err->code, CNET_EDIALTIMEOUT);
    assert_true(cnet_error_is_timeout(err));
    assert_false(cnet_error_is_deadline_exceeded(err));
    assert_false(cnet_error_is_closed(err));
}

static void accept_and_close(cnet_listener *ln, cnet_conn *c)
{
    cnet_conn *s = tu_accept(ln);
    assert_int_equal(cnet_conn_close(s), 0);
    assert_int_equal(cnet_conn_close(c), 0);
}

/* Nothing reached the listener: the dial failed before connecting. */
static void assert_no_pending_connection(cnet_listener *ln)
{
    assert_false(tu_wait_readable(cnet_listener_fd(ln), 0));
}

static void assert_keepalive(int fd, int on, int idle, int interval, int count)
{
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_KEEPALIVE), on);
    if (idle >= 0)
        assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE), idle);
    if (interval >= 0)
        assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL), interval);
    if (count >= 0)
        assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_KEEPCNT), count);
}

/* ---- cnet_dial is cnet_dial_with on a zeroed dialer ------------------------------------ */

static void assert_go_defaults(cnet_conn *c)
{
    int fd = cnet_conn_fd(c);
    assert_true(tu_is_cloexec(fd));
    assert_true(tu_is_nonblock(fd));
    assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_NODELAY), 1);
    assert_keepalive(fd, 1, 15, 15, 9);
}

static void dial_equals_dial_with_zeroed_dialer(void **state)
{
    (void)state;
    static const cnet_dialer zero;
    char addr[CNET_ADDRSTRLEN];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    cnet_conn *a = tu_dial("tcp", addr);
    cnet_conn *b = dial_with_ok(&zero, "tcp", addr);
    cnet_conn *n = dial_with_ok(NULL, "tcp", addr);
    assert_go_defaults(a);
    assert_go_defaults(b);
    assert_go_defaults(n);
    accept_and_close(ln, a);
    accept_and_close(ln, b);
    accept_and_close(ln, n);
    assert_int_equal(cnet_listener_close(ln), 0);

    /* the same error, byte for byte */
    cnet_error e1, e2;
    cnet_conn *c = NULL;
    assert_int_equal(cnet_dial("tcp", addr, &c, &e1), -ECONNREFUSED);
    dial_with_fails(&zero, "tcp", addr, -ECONNREFUSED, e1.msg, &e2);
}

/* ---- dial timeouts that have expired before the dial starts ----------------------------- */

/* Go 1.19's TestDialTimeout rows that must fail within 100 ms: (timeout, deadline). A
 * deadline of INT64_MIN is Go's time.Now().Add(-1<<63): saturated to the far past. */
static void expired_dial_timeouts_fail_fast(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN], want[384];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    snprintf(want, sizeof want, "dial tcp %s: i/o timeout", addr);
    int64_t now = cnet_now_ns();
    const struct {
        int64_t timeout, deadline;
    } rows[] = {
        {-5 * SEC, 0},
        {0, now - 5 * SEC},
        {-5 * SEC, now + 5 * SEC},
        {INT64_MIN, 0},
        {0, now + INT64_MIN},
        {0, INT64_MIN},
        {-1, 0},
        {INT64_MAX, INT64_MIN}, /* the earlier of the two, however far apart */
        {INT64_MIN, INT64_MAX},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cnet_dialer d = {.timeout_ns = rows[i].timeout, .deadline_ns = rows[i].deadline};
        cnet_conn *c = NULL;
        cnet_error err;
        int64_t t0 = cnet_now_ns();
        int rc = cnet_dial_with(&d, "tcp", addr, &c, &err);
        int64_t took = cnet_now_ns() - t0;
        if (rc != CNET_EDIALTIMEOUT || strcmp(err.msg, want) != 0 || took >= 500 * MS) {
            print_message("row %zu (timeout %lld, deadline %lld): rc %d \"%s\" after %lld ms\n", i,
                          (long long)rows[i].timeout, (long long)rows[i].deadline, rc, err.msg,
                          (long long)(took / MS));
            failed++;
        }
        if (c != NULL)
            accept_and_close(ln, c);
        else
            assert_dial_timeout(&err);
        assert_no_pending_connection(ln);
    }
    assert_int_equal(failed, 0);
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* Timeout or deadline INT64_MAX must not overflow into the past. */
static void huge_timeouts_do_not_overflow(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    int64_t edge = INT64_MAX - cnet_now_ns(); /* now + edge overflows from here on */
    const struct {
        int64_t timeout, deadline;
    } rows[] = {{INT64_MAX, 0}, {0, INT64_MAX}, {INT64_MAX, INT64_MAX}, {INT64_MAX - 1, 0},
                {edge, 0}, {edge + 1, 0}, {INT64_MAX, INT64_MAX - 1}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cnet_dialer d = {.timeout_ns = rows[i].timeout, .deadline_ns = rows[i].deadline};
        accept_and_close(ln, dial_with_ok(&d, "tcp", addr));
    }
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* ---- local addresses ------------------------------------------------------------------- */

static void local_address_is_bound(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN], local[64], got[CNET_ADDRSTRLEN];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    snprintf(local, sizeof local, "127.0.0.1:%d", free_port("tcp4", "127.0.0.1:0"));
    cnet_dialer d = {.local_address = local};
    cnet_conn *c = dial_with_ok(&d, "tcp", addr);
    assert_true(cnet_conn_local_addr(c, got, sizeof got) > 0);
    assert_string_equal(got, local);
    accept_and_close(ln, c);
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* Go names the local address as given, before the remote one. */
static void local_address_refused_text(void **state)
{
    (void)state;
    char remote[64], local[64], want[384];
    snprintf(remote, sizeof remote, "127.0.0.1:%d", free_port("tcp4", "127.0.0.1:0"));
    static const char *const locals[] = {"127.0.0.1:0", NULL};
    for (size_t i = 0; i < 2; i++) {
        if (locals[i] != NULL)
            snprintf(local, sizeof local, "%s", locals[i]);
        else
            snprintf(local, sizeof local, "127.0.0.1:%d", free_port("tcp4", "127.0.0.1:0"));
        cnet_dialer d = {.local_address = local};
        cnet_error err;
        snprintf(want, sizeof want, "dial tcp %s->%s: connect: connection refused", local, remote);
        dial_with_fails(&d, "tcp", remote, -ECONNREFUSED, want, &err);
        assert_false(cnet_error_is_timeout(&err));
    }
}

static void local_port_in_use_bind_error(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN], held[CNET_ADDRSTRLEN], want[384];
    int port, held_port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    cnet_listener *holder = listen_loopback4(held, &held_port);
    cnet_dialer d = {.local_address = held};
    cnet_error err;
    snprintf(want, sizeof want, "dial tcp %s->%s: bind: address already in use", held, addr);
    dial_with_fails(&d, "tcp", addr, -EADDRINUSE, want, &err);
    assert_no_pending_connection(ln);
    assert_int_equal(cnet_listener_close(holder), 0);
    assert_int_equal(cnet_listener_close(ln), 0);
}

static void local_remote_family_mismatch(void **state)
{
    (void)state;
    cnet_dialer d = {.local_address = "127.0.0.1:0"};
    cnet_error err;
    dial_with_fails(&d, "tcp", "[::1]:80", CNET_ENOSUITABLE,
                    "dial tcp: address 127.0.0.1:0: no suitable address found", &err);
    cnet_dialer d6 = {.local_address = "[::1]:0"};
    dial_with_fails(&d6, "tcp", "127.0.0.1:80", CNET_ENOSUITABLE,
                    "dial tcp: address [::1]:0: no suitable address found", &err);
}

/* ---- the control hook ------------------------------------------------------------------ */

typedef struct hook_log {
    int calls, result, fd;
    char network[16], address[CNET_ADDRSTRLEN];
    int cloexec, nonblock, connected, bound_port;
} hook_log;

static int record_hook(void *arg, const char *network, const char *address, int fd)
{
    hook_log *h = arg;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    h->calls++;
    h->fd = fd;
    snprintf(h->network, sizeof h->network, "%s", network);
    snprintf(h->address, sizeof h->address, "%s", address);
    h->cloexec = tu_is_cloexec(fd);
    h->nonblock = tu_is_nonblock(fd);
    h->connected = getpeername(fd, (struct sockaddr *)&ss, &len) == 0;
    len = sizeof ss;
    h->bound_port = -1;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        h->bound_port = ntohs(((struct sockaddr_in *)&ss)->sin_port); /* same offset in sin6 */
    return h->result;
}

static void control_hook_runs_once_before_connect(void **state)
{
    (void)state;
    static const char *const rows[][3] = {
        {"tcp", "127.0.0.1:0", "tcp4"},
        {"tcp", "[::1]:0", "tcp6"},
        {"tcp6", "[::1]:0", "tcp6"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char addr[CNET_ADDRSTRLEN];
        cnet_listener *ln = tu_listen(rows[i][0], rows[i][1]);
        tu_listener_addr(ln, addr, sizeof addr);
        hook_log h = {0};
        cnet_dialer d = {.control = record_hook, .control_arg = &h};
        cnet_conn *c = dial_with_ok(&d, rows[i][0], addr);
        assert_int_equal(h.calls, 1);
        assert_string_equal(h.network, rows[i][2]);
        assert_string_equal(h.address, addr);
        assert_int_equal(h.fd, cnet_conn_fd(c));
        assert_true(h.cloexec);
        assert_true(h.nonblock);
        assert_false(h.connected);
        assert_int_equal(h.bound_port, 0);
        accept_and_close(ln, c);
        assert_int_equal(cnet_listener_close(ln), 0);
    }
}

static void control_hook_udp_network_name(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN];
    cnet_packet_conn *pc = tu_listen_packet("udp", "127.0.0.1:0");
    tu_packet_addr(pc, addr, sizeof addr);
    hook_log h = {0};
    cnet_dialer d = {.control = record_hook, .control_arg = &h};
    cnet_conn *c = dial_with_ok(&d, "udp", addr);
    assert_int_equal(h.calls, 1);
    assert_string_equal(h.network, "udp4");
    assert_string_equal(h.address, addr);
    assert_int_equal(cnet_conn_close(c), 0);
    assert_int_equal(cnet_packet_close(pc), 0);
}

/* A failing hook fails the dial with its code (Go: "dial tcp <addr>: operation not
 * permitted"), closes the socket and connects nothing; for a name as for a literal. */
static void control_hook_failure_fails_dial(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN], byname[64], want[384];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    snprintf(byname, sizeof byname, "localhost:%d", port);
    snprintf(want, sizeof want, "dial tcp %s: operation not permitted", addr);
    const char *targets[] = {addr, byname};
    for (size_t i = 0; i < 2; i++) {
        hook_log h = {.result = -EPERM};
        cnet_dialer d = {.control = record_hook, .control_arg = &h};
        cnet_error err;
        int before = tu_count_fds();
        dial_with_fails(&d, "tcp", targets[i], -EPERM, want, &err);
        assert_int_equal(h.calls, 1);
        assert_string_equal(h.network, "tcp4");
        assert_int_equal(tu_count_fds(), before);
        assert_int_equal(fcntl(h.fd, F_GETFD), -1); /* the hook's socket is closed */
        assert_no_pending_connection(ln);
    }
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* ---- keep-alive ------------------------------------------------------------------------ */

static void dialer_keepalive_config(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    int os_interval = tu_read_proc_int("/proc/sys/net/ipv4/tcp_keepalive_intvl");
    const struct {
        cnet_keepalive ka;
        int on, idle, interval, count;
    } rows[] = {
        {{.idle_ns = 30 * SEC}, 1, 30, 15, 9},
        {{.idle_ns = 1500 * MS, .interval_ns = 1, .count = 3}, 1, 2, 1, 3}, /* rounded up */
        {{.interval_ns = -1}, 1, 15, os_interval, 9},                        /* left alone */
        {{.enable = -1}, 0, -1, -1, -1},
        /* beyond what the kernel holds (the rounding must not overflow): refused, and
         * ignored as Go ignores it, the rest of the config applied */
        {{.idle_ns = INT64_MAX, .interval_ns = INT64_MAX, .count = 4}, 1, -1, -1, 4},
        {{.idle_ns = INT64_MAX - SEC + 2, .interval_ns = 3 * SEC}, 1, -1, 3, 9},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cnet_dialer d = {.keepalive = rows[i].ka};
        cnet_conn *c = dial_with_ok(&d, "tcp", addr);
        int fd = cnet_conn_fd(c);
        print_message("row %zu\n", i);
        assert_keepalive(fd, rows[i].on, rows[i].idle, rows[i].interval, rows[i].count);
        assert_int_equal(tu_sockopt(fd, IPPROTO_TCP, TCP_NODELAY), 1);
        accept_and_close(ln, c);
    }
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* ---- names and the resolver thread ------------------------------------------------------ */

/* A resolver thread the caller stopped waiting for finishes by itself (bounded wait). */
static void wait_threads(int want)
{
    const struct timespec ms = {0, 1000000};
    for (int i = 0; i < 5000 && tu_count_threads() != want; i++)
        nanosleep(&ms, NULL);
    assert_int_equal(tu_count_threads(), want);
}

static void dial_localhost_with_and_without_timeout(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN], name[64], remote[CNET_ADDRSTRLEN];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    snprintf(name, sizeof name, "localhost:%d", port);
    int threads = tu_settled_threads(); /* an earlier test's resolver thread has finished */
    const int64_t timeouts[] = {0, 5 * SEC};
    for (size_t i = 0; i < 2; i++) {
        for (int round = 0; round < 20; round++) {
            cnet_dialer d = {.timeout_ns = timeouts[i]};
            cnet_conn *c = dial_with_ok(&d, "tcp", name);
            assert_true(cnet_conn_remote_addr(c, remote, sizeof remote) > 0);
            assert_string_equal(remote, addr);
            accept_and_close(ln, c);
        }
    }
    wait_threads(threads);
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* Name resolution counts against the deadline: an expired one fails as Go 1.19's
 * "dial tcp: lookup localhost: i/o timeout". */
static void dial_localhost_expired_timeout(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN], name[64];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    snprintf(name, sizeof name, "localhost:%d", port);
    int threads = tu_count_threads();
    const int64_t timeouts[] = {-1, -5 * SEC, 1};
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
        cnet_dialer d = {.timeout_ns = timeouts[i]};
        cnet_error err;
        dial_with_fails(&d, "tcp", name, CNET_EDIALTIMEOUT, "dial tcp: lookup localhost: i/o timeout",
                        &err);
        assert_dial_timeout(&err);
        assert_no_pending_connection(ln);
    }
    wait_threads(threads);
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* ---- in the namespace: hanging connects and Happy Eyeballs -------------------------------- */

#define HOLE6 "[2001:db8::2]:80"
#define HOLE4 "198.18.0.2:80"

/* Sockets still trying to connect (SYN_SENT, state 02) in this namespace. */
static int syn_sent_sockets(void)
{
    static const char *const tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    int n = 0;
    for (size_t i = 0; i < 2; i++) {
        FILE *f = fopen(tables[i], "r");
        assert_non_null(f);
        char line[512], st[8];
        while (fgets(line, sizeof line, f) != NULL) {
            if (sscanf(line, "%*s %*s %*s %7s", st) == 1 && strcmp(st, "02") == 0)
                n++;
        }
        fclose(f);
    }
    return n;
}

/* Go 1.19's rows with a hanging connect: a timeout error within 1 s. */
static void hanging_connect_times_out(void **state)
{
    (void)state;
    static const char *const holes[] = {HOLE6, HOLE4};
    for (size_t h = 0; h < 2; h++) {
        char want[384];
        snprintf(want, sizeof want, "dial tcp %s: i/o timeout", holes[h]);
        int64_t now = cnet_now_ns();
        const struct {
            int64_t timeout, deadline;
        } rows[] = {{50 * MS, 0}, {0, now + 50 * MS}, {50 * MS, now + 5 * SEC}};
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            cnet_dialer d = {.timeout_ns = rows[i].timeout};
            cnet_error err;
            int64_t t0 = cnet_now_ns();
            d.deadline_ns = rows[i].deadline != 0 ? t0 + (rows[i].deadline - now) : 0;
            dial_with_fails(&d, "tcp", holes[h], CNET_EDIALTIMEOUT, want, &err);
            int64_t took = cnet_now_ns() - t0;
            assert_dial_timeout(&err);
            assert_true(took >= 50 * MS);
            assert_true(took < 1 * SEC);
            assert_int_equal(syn_sent_sockets(), 0);
        }
    }
}

/* Dials name (which resolves to a black hole first, then 127.0.0.1:port) and returns
 * how long it took; the conn must be the IPv4 one. */
static int64_t dial_to_ipv4(cnet_listener *ln, const cnet_dialer *d, const char *host, int port)
{
    char name[64], remote[CNET_ADDRSTRLEN], want[64];
    snprintf(name, sizeof name, "%s:%d", host, port);
    snprintf(want, sizeof want, "127.0.0.1:%d", port);
    int64_t t0 = cnet_now_ns();
    cnet_conn *c = dial_with_ok(d, "tcp", name);
    int64_t took = cnet_now_ns() - t0;
    assert_true(cnet_conn_remote_addr(c, remote, sizeof remote) > 0);
    assert_string_equal(remote, want);
    assert_int_equal(syn_sent_sockets(), 0); /* the losing racer's socket is gone */
    accept_and_close(ln, c);
    return took;
}

/* (a) The IPv6 address comes first and is a black hole: IPv4 wins after the fallback
 * delay, long before the timeout. */
static void happy_eyeballs_falls_back_after_delay(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    const int64_t delays[] = {0 /* Go's 300 ms */, 100 * MS, 600 * MS};
    const int64_t expect[] = {300 * MS, 100 * MS, 600 * MS};
    for (size_t i = 0; i < 3; i++) {
        cnet_dialer d = {.timeout_ns = 5 * SEC, .fallback_delay_ns = delays[i]};
        int64_t took = dial_to_ipv4(ln, &d, "cnet-he.test", port);
        print_message("fallback delay %lld ms: connected after %lld ms\n",
                      (long long)(expect[i] / MS), (long long)(took / MS));
        assert_true(took >= expect[i]);
        assert_true(took < expect[i] + 1 * SEC);
    }
    /* no timeout at all: the fallback still wins */
    cnet_dialer d = {0};
    int64_t took = dial_to_ipv4(ln, &d, "cnet-he.test", port);
    assert_true(took >= 300 * MS);
    assert_true(took < 2 * SEC);
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* (b) Serial (fallback delay < 0): the black hole gets its share of the timeout (4 s
 * for 2 addresses: 2 s), then IPv4 connects. */
static void serial_dial_waits_for_first_share(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    cnet_dialer d = {.timeout_ns = 4 * SEC, .fallback_delay_ns = -1};
    int64_t took = dial_to_ipv4(ln, &d, "cnet-he.test", port);
    print_message("serial: connected after %lld ms\n", (long long)(took / MS));
    assert_true(took >= 2 * SEC);
    assert_true(took < 4 * SEC);
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* (d) The primary (::1) is refused at once: the fallback starts at once, not after the
 * (here 2 s) delay. */
static void refused_primary_starts_fallback_at_once(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    cnet_dialer d = {.timeout_ns = 5 * SEC, .fallback_delay_ns = 2 * SEC};
    int64_t took = dial_to_ipv4(ln, &d, "cnet-rst.test", port);
    print_message("refused primary: connected after %lld ms\n", (long long)(took / MS));
    assert_true(took < 1 * SEC);
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* (e) A fallback delay too long to add to the clock means "not before the primary is
 * done": the black-holed primary times out with the dial, and IPv4, started only then,
 * has no time left. (The sum used to wrap into the past: IPv4 connected at once.) */
static void endless_fallback_delay_waits_for_primary(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN], name[64], want[384];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    snprintf(name, sizeof name, "cnet-he.test:%d", port);
    snprintf(want, sizeof want, "dial tcp [2001:db8::2]:%d: i/o timeout", port);
    const int64_t delays[] = {INT64_MAX, INT64_MAX - 1, INT64_MAX - cnet_now_ns() + 1};
    for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        cnet_dialer d = {.timeout_ns = 300 * MS, .fallback_delay_ns = delays[i]};
        cnet_error err;
        int64_t t0 = cnet_now_ns();
        dial_with_fails(&d, "tcp", name, CNET_EDIALTIMEOUT, want, &err);
        int64_t took = cnet_now_ns() - t0;
        print_message("fallback delay %lld: failed after %lld ms\n", (long long)delays[i],
                      (long long)(took / MS));
        assert_true(took >= 300 * MS);
        assert_true(took < 300 * MS + 2 * SEC);
        assert_no_pending_connection(ln);
        assert_int_equal(syn_sent_sockets(), 0);
    }
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* Both families fail: the primary's first error is returned. */
static void all_fail_returns_primary_error(void **state)
{
    (void)state;
    char name[64], want[384];
    cnet_error err;
    int port = free_port("tcp", "[::]:0"); /* free on ::1 and 127.0.0.1 */
    snprintf(name, sizeof name, "cnet-rst.test:%d", port);
    snprintf(want, sizeof want, "dial tcp [::1]:%d: connect: connection refused", port);
    cnet_dialer d = {.timeout_ns = 5 * SEC};
    dial_with_fails(&d, "tcp", name, -ECONNREFUSED, want, &err);

    cnet_dialer hole = {.timeout_ns = 500 * MS, .fallback_delay_ns = 100 * MS};
    int64_t t0 = cnet_now_ns();
    dial_with_fails(&hole, "tcp", "cnet-hole.test:80", CNET_EDIALTIMEOUT,
                    "dial tcp [2001:db8::2]:80: i/o timeout", &err);
    int64_t took = cnet_now_ns() - t0;
    assert_dial_timeout(&err);
    assert_true(took >= 500 * MS);
    assert_true(took < 500 * MS + 2 * SEC);
    assert_int_equal(syn_sent_sockets(), 0);
}

/* Happy Eyeballs is for "tcp" only: tcp4 and tcp6 keep to their family. */
static void family_networks_do_not_race(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN], name[64];
    int port;
    cnet_listener *ln = listen_loopback4(addr, &port);
    snprintf(name, sizeof name, "cnet-he.test:%d", port);
    cnet_dialer d = {.timeout_ns = 5 * SEC};
    int64_t t0 = cnet_now_ns();
    accept_and_close(ln, dial_with_ok(&d, "tcp4", name)); /* the hole is not even tried */
    assert_true(cnet_now_ns() - t0 < 1 * SEC);
    char want[384];
    cnet_error err;
    snprintf(want, sizeof want, "dial tcp6 [2001:db8::2]:%d: i/o timeout", port);
    cnet_dialer short_timeout = {.timeout_ns = 200 * MS};
    dial_with_fails(&short_timeout, "tcp6", name, CNET_EDIALTIMEOUT, want, &err);
    assert_int_equal(cnet_listener_close(ln), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest loopback[] = {
        TU_TEST(dial_equals_dial_with_zeroed_dialer),
        TU_TEST(expired_dial_timeouts_fail_fast),
        TU_TEST(huge_timeouts_do_not_overflow),
        TU_TEST(local_address_is_bound),
        TU_TEST(local_address_refused_text),
        TU_TEST(local_port_in_use_bind_error),
        TU_TEST(local_remote_family_mismatch),
        TU_TEST(control_hook_runs_once_before_connect),
        TU_TEST(control_hook_udp_network_name),
        TU_TEST(control_hook_failure_fails_dial),
        TU_TEST(dialer_keepalive_config),
        TU_TEST(dial_localhost_with_and_without_timeout),
        TU_TEST(dial_localhost_expired_timeout),
    };
    const struct CMUnitTest netns[] = {
        TU_TEST(hanging_connect_times_out),
        TU_TEST(happy_eyeballs_falls_back_after_delay),
        TU_TEST(serial_dial_waits_for_first_share),
        TU_TEST(refused_primary_starts_fallback_at_once),
        TU_TEST(endless_fallback_delay_waits_for_primary),
        TU_TEST(all_fail_returns_primary_error),
        TU_TEST(family_networks_do_not_race),
    };
    if (argc > 1 && strcmp(argv[1], "--netns") == 0)
        return cmocka_run_group_tests_name("dialer_netns", netns, NULL, NULL);
    return cmocka_run_group_tests_name("dialer", loopback, NULL, NULL);
}
