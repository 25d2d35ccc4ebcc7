/* Deadlines on conns, packet conns and listeners, as Go's SetDeadline (go-dial.md §6,
 * contract rule 18), and close waking every kind of blocked call. Timing assertions
 * check order and generous bounds only. */
#include "testutil.h"

#define MS 1000000LL
#define SLACK_NS (2000 * MS) /* upper bound on how late a timed-out call may return */

typedef struct pair {
    cnet_listener *ln;
    cnet_conn *client, *server;
    char addr[CNET_ADDRSTRLEN];  /* the listener's, the client's remote address */
    char local[CNET_ADDRSTRLEN]; /* the client's local address */
} pair;

static void pair_open(pair *p)
{
    p->ln = tu_listen("tcp", "127.0.0.1:0");
    tu_listener_addr(p->ln, p->addr, sizeof p->addr);
    p->client = tu_dial("tcp", p->addr);
    p->server = tu_accept(p->ln);
    assert_true(cnet_conn_local_addr(p->client, p->local, sizeof p->local) > 0);
}

static void pair_close(pair *p)
{
    if (p->client != NULL)
        assert_int_equal(cnet_conn_close(p->client), 0);
    if (p->server != NULL)
        assert_int_equal(cnet_conn_close(p->server), 0);
    if (p->ln != NULL)
        assert_int_equal(cnet_listener_close(p->ln), 0);
}

static void sleep_until(int64_t when_ns)
{
    int64_t left = when_ns - cnet_now_ns();
    if (left <= 0)
        return;
    struct timespec ts = {(time_t)(left / 1000000000), (long)(left % 1000000000)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A deadline-exceeded error: the code, the predicates and Go's exact text. */
static void assert_deadline_error(long rc, const cnet_error *err, const char *want)
{
    assert_int_equal(rc, CNET_ETIMEOUT);
    assert_int_equal(err->code, CNET_ETIMEOUT);
    assert_string_equal(err->msg, want);
    assert_true(cnet_error_is_timeout(err));
    assert_true(cnet_error_is_deadline_exceeded(err));
    assert_false(cnet_error_is_closed(err));
}

static void assert_closed_error(long rc, const cnet_error *err, const char *want)
{
    assert_int_equal(rc, CNET_ECLOSED);
    assert_int_equal(err->code, CNET_ECLOSED);
    assert_string_equal(err->msg, want);
    assert_true(cnet_error_is_closed(err));
    assert_false(cnet_error_is_timeout(err));
    assert_false(cnet_error_is_deadline_exceeded(err));
}

static void want_text(char *buf, size_t len, const char *op, const pair *p, const char *inner)
{
    snprintf(buf, len, "%s tcp %s->%s: %s", op, p->local, p->addr, inner);
}

/* ---- expiry ------------------------------------------------------------------------- */

static void read_deadline_expires_with_go_text(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    char buf[8], want[384];
    cnet_error err;
    int64_t t0 = cnet_now_ns();
    assert_int_equal(cnet_conn_set_read_deadline(p.client, t0 + 100 * MS), 0);
    ssize_t rc = cnet_conn_read(p.client, buf, sizeof buf, &err);
    int64_t took = cnet_now_ns() - t0;
    want_text(want, sizeof want, "read", &p, "i/o timeout");
    assert_deadline_error(rc, &err, want);
    assert_true(took >= 100 * MS);
    assert_true(took < 100 * MS + SLACK_NS);
    pair_close(&p);
}

/* cnet_conn_set_deadline covers both directions. */
static void set_deadline_sets_read_and_write(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    char buf[8], want[384];
    cnet_error err;
    assert_int_equal(cnet_conn_set_deadline(p.client, cnet_now_ns() - 1000 * MS), 0);
    want_text(want, sizeof want, "read", &p, "i/o timeout");
    assert_deadline_error(cnet_conn_read(p.client, buf, sizeof buf, &err), &err, want);
    want_text(want, sizeof want, "write", &p, "i/o timeout");
    assert_deadline_error(cnet_conn_write(p.client, "x", 1, &err), &err, want);
    pair_close(&p);
}

/* Read and write deadlines are independent. */
static void read_deadline_leaves_writes_alone(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    char buf[8];
    cnet_error err;
    assert_int_equal(cnet_conn_set_read_deadline(p.client, cnet_now_ns() - 1000 * MS), 0);
    assert_int_equal(cnet_conn_write(p.client, "ping", 4, &err), 4);
    tu_read_exactly(p.server, buf, 4);
    assert_int_equal(cnet_conn_set_write_deadline(p.server, cnet_now_ns() - 1000 * MS), 0);
    assert_int_equal(cnet_conn_write(p.client, "pong", 4, NULL), 4);
    tu_read_exactly(p.server, buf, 4);
    assert_memory_equal(buf, "pong", 4);
    pair_close(&p);
}

/* Go's read/write timeout tests with a deadline 5 s in the past: the first and the
 * second call both fail, before any system call, although data (or buffer space) is
 * there. A deadline equal to now is expired too. */
static void past_deadline_fails_at_once_with_data_waiting(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    char buf[8], rwant[384], wwant[384];
    cnet_error err;
    want_text(rwant, sizeof rwant, "read", &p, "i/o timeout");
    want_text(wwant, sizeof wwant, "write", &p, "i/o timeout");
    assert_int_equal(cnet_conn_write(p.server, "data", 4, NULL), 4);
    assert_true(tu_wait_readable(cnet_conn_fd(p.client), 5000));

    int64_t t0 = cnet_now_ns();
    assert_int_equal(cnet_conn_set_deadline(p.client, t0 - 5000 * MS), 0);
    for (int call = 0; call < 2; call++) {
        assert_deadline_error(cnet_conn_read(p.client, buf, sizeof buf, &err), &err, rwant);
        assert_deadline_error(cnet_conn_write(p.client, "x", 1, &err), &err, wwant);
    }
    assert_int_equal(cnet_conn_set_deadline(p.client, cnet_now_ns()), 0);
    assert_deadline_error(cnet_conn_read(p.client, buf, sizeof buf, &err), &err, rwant);
    assert_deadline_error(cnet_conn_write(p.client, "x", 1, &err), &err, wwant);
    assert_true(cnet_now_ns() - t0 < SLACK_NS);

    /* the data was left where it was */
    assert_int_equal(cnet_conn_set_deadline(p.client, 0), 0);
    tu_read_exactly(p.client, buf, 4);
    assert_memory_equal(buf, "data", 4);
    pair_close(&p);
}

static void zero_length_read_ignores_expired_deadline(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    char buf[1];
    cnet_error err;
    assert_int_equal(cnet_conn_set_read_deadline(p.client, cnet_now_ns() - 5000 * MS), 0);
    assert_int_equal(cnet_conn_read(p.client, buf, 0, &err), 0);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.msg, "");
    pair_close(&p);
}

static void conn_usable_after_timeout(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    char buf[8];
    cnet_error err;
    assert_int_equal(cnet_conn_set_read_deadline(p.client, cnet_now_ns() + 20 * MS), 0);
    assert_int_equal(cnet_conn_read(p.client, buf, sizeof buf, &err), CNET_ETIMEOUT);
    assert_int_equal(cnet_conn_set_read_deadline(p.client, 0), 0);
    assert_int_equal(cnet_conn_write(p.server, "again", 5, NULL), 5);
    tu_read_exactly(p.client, buf, 5);
    assert_memory_equal(buf, "again", 5);
    assert_int_equal(cnet_conn_write(p.client, "back", 4, &err), 4);
    tu_read_exactly(p.server, buf, 4);
    assert_memory_equal(buf, "back", 4);
    /* and a new deadline works again */
    assert_int_equal(cnet_conn_set_read_deadline(p.client, cnet_now_ns() + 20 * MS), 0);
    assert_int_equal(cnet_conn_read(p.client, buf, sizeof buf, &err), CNET_ETIMEOUT);
    pair_close(&p);
}

/* The ends of the clock: INT64_MIN is a deadline in the far past (expired, no
 * overflow into the future), INT64_MAX one in the far future (no overflow into the
 * past). */
static void extreme_deadlines_do_not_overflow(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    char buf[8], want[384];
    cnet_error err;
    want_text(want, sizeof want, "read", &p, "i/o timeout");
    assert_int_equal(cnet_conn_write(p.server, "data", 4, NULL), 4);
    assert_true(tu_wait_readable(cnet_conn_fd(p.client), 5000));
    assert_int_equal(cnet_conn_set_read_deadline(p.client, INT64_MIN), 0);
    assert_deadline_error(cnet_conn_read(p.client, buf, sizeof buf, &err), &err, want);
    assert_int_equal(cnet_conn_set_read_deadline(p.client, INT64_MAX), 0);
    tu_read_exactly(p.client, buf, 4);
    assert_memory_equal(buf, "data", 4);

    assert_int_equal(cnet_conn_set_write_deadline(p.client, INT64_MIN), 0);
    want_text(want, sizeof want, "write", &p, "i/o timeout");
    assert_deadline_error(cnet_conn_write(p.client, "x", 1, &err), &err, want);
    pair_close(&p);
}

/* ---- changing a deadline while a call is blocked --------------------------------------- */

static void call_read(tu_blocked_call *bc)
{
    char buf[8];
    bc->rc = (long)cnet_conn_read(bc->handle, buf, sizeof buf, &bc->err);
}

/* Go's verified case: a read with a 100 ms deadline, extended at 50 ms to 1 s, succeeds
 * when data arrives at 300 ms. */
static void extending_deadline_rearms_blocked_read(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    int64_t t0 = cnet_now_ns();
    assert_int_equal(cnet_conn_set_read_deadline(p.client, t0 + 100 * MS), 0);
    tu_blocked_call bc = {.handle = p.client, .call = call_read};
    tu_blocked_call_start(&bc);
    sleep_until(t0 + 50 * MS);
    int64_t extended_at = cnet_now_ns();
    assert_int_equal(cnet_conn_set_read_deadline(p.client, extended_at + 1000 * MS), 0);
    if (extended_at >= t0 + 100 * MS)
        fail_msg("the machine is too slow: extended only after %lld ms",
                 (long long)((extended_at - t0) / MS));
    sleep_until(t0 + 300 * MS);
    assert_int_equal(cnet_conn_write(p.server, "late", 4, NULL), 4);
    tu_blocked_call_join(&bc);
    if (bc.rc != 4)
        fail_msg("read returned %ld: %s", bc.rc, bc.err.msg);
    assert_true(cnet_now_ns() - t0 >= 300 * MS);
    pair_close(&p);
}

static void shortening_deadline_wakes_blocked_read_early(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    char want[384];
    want_text(want, sizeof want, "read", &p, "i/o timeout");
    assert_int_equal(cnet_conn_set_read_deadline(p.client, cnet_now_ns() + 30000 * MS), 0);
    tu_blocked_call bc = {.handle = p.client, .call = call_read};
    tu_blocked_call_start(&bc);
    int64_t t1 = cnet_now_ns();
    assert_int_equal(cnet_conn_set_read_deadline(p.client, t1 + 100 * MS), 0);
    tu_blocked_call_join(&bc);
    int64_t took = cnet_now_ns() - t1;
    assert_deadline_error(bc.rc, &bc.err, want);
    assert_true(took >= 100 * MS);
    assert_true(took < 100 * MS + SLACK_NS);

    /* a deadline moved into the past wakes a call blocked with no deadline at once */
    assert_int_equal(cnet_conn_set_read_deadline(p.client, 0), 0);
    tu_blocked_call again = {.handle = p.client, .call = call_read};
    tu_blocked_call_start(&again);
    t1 = cnet_now_ns();
    assert_int_equal(cnet_conn_set_read_deadline(p.client, t1 - 1000 * MS), 0);
    tu_blocked_call_join(&again);
    assert_deadline_error(again.rc, &again.err, want);
    assert_true(cnet_now_ns() - t1 < SLACK_NS);
    pair_close(&p);
}

/* ---- writes on a full socket buffer ---------------------------------------------------- */

enum { BIG = 16 << 20 };

/* Small buffers on both ends, the peer not reading: a large write must block. */
static void shrink_buffers(pair *p)
{
    assert_int_equal(cnet_conn_set_write_buffer(p->client, 4096, NULL), 0);
    assert_int_equal(cnet_conn_set_read_buffer(p->server, 4096, NULL), 0);
}

static void write_deadline_on_full_buffer(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    shrink_buffers(&p);
    char *big = calloc(1, BIG), want[384];
    assert_non_null(big);
    cnet_error err;
    int64_t t0 = cnet_now_ns();
    assert_int_equal(cnet_conn_set_write_deadline(p.client, t0 + 100 * MS), 0);
    ssize_t rc = cnet_conn_write(p.client, big, BIG, &err);
    int64_t took = cnet_now_ns() - t0;
    want_text(want, sizeof want, "write", &p, "i/o timeout");
    assert_deadline_error(rc, &err, want);
    assert_true(took >= 100 * MS);
    assert_true(took < 100 * MS + SLACK_NS);
    free(big);
    pair_close(&p);
}

/* Issue 11.11: a write stopped by its deadline reports how much the kernel took, so the
 * caller can re-arm and write the rest: every byte arrives once, in order. */
static void write_deadline_reports_count(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    shrink_buffers(&p);
    unsigned char *big = malloc(BIG), *got = malloc(BIG);
    assert_non_null(big);
    assert_non_null(got);
    for (size_t i = 0; i < BIG; i++)
        big[i] = (unsigned char)(i * 131 + (i >> 16));
    cnet_error err;
    size_t written = 12345;
    assert_int_equal(cnet_conn_set_write_deadline(p.client, cnet_now_ns() + 100 * MS), 0);
    int rc = cnet_conn_write_n(p.client, big, BIG, &written, &err);
    assert_int_equal(rc, CNET_ETIMEOUT);
    assert_true(written > 0 && written < BIG);
    /* What was taken sits in the buffers; the rest goes on after a new deadline. */
    assert_int_equal(cnet_conn_set_write_deadline(p.client, 0), 0);
    size_t have = 0;
    while (have < written) {
        ssize_t n = cnet_conn_read(p.server, got + have, written - have, NULL);
        assert_true(n > 0);
        have += (size_t)n;
    }
    assert_memory_equal(got, big, written);
    free(big);
    free(got);
    pair_close(&p);
}

static void call_write_big(tu_blocked_call *bc)
{
    char *big = calloc(1, BIG);
    if (big == NULL)
        abort();
    bc->rc = (long)cnet_conn_write(bc->handle, big, BIG, &bc->err);
    free(big);
}

/* ---- close wakes every kind of blocked call -------------------------------------------- */

static void close_wakes_blocked_read(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    char want[384];
    want_text(want, sizeof want, "read", &p, "use of closed network connection");
    /* a pending deadline does not change the outcome */
    assert_int_equal(cnet_conn_set_read_deadline(p.client, cnet_now_ns() + 30000 * MS), 0);
    tu_blocked_call bc = {.handle = p.client, .call = call_read};
    tu_blocked_call_start(&bc);
    assert_int_equal(cnet_conn_close(p.client), 0);
    p.client = NULL;
    tu_blocked_call_join(&bc);
    assert_closed_error(bc.rc, &bc.err, want);
    pair_close(&p);
}

static void close_wakes_blocked_write(void **state)
{
    (void)state;
    pair p;
    pair_open(&p);
    shrink_buffers(&p);
    char want[384];
    want_text(want, sizeof want, "write", &p, "use of closed network connection");
    tu_blocked_call bc = {.handle = p.client, .call = call_write_big};
    tu_blocked_call_start(&bc);
    assert_int_equal(cnet_conn_close(p.client), 0);
    p.client = NULL;
    tu_blocked_call_join(&bc);
    assert_closed_error(bc.rc, &bc.err, want);
    pair_close(&p);
}

static void call_accept(tu_blocked_call *bc)
{
    cnet_conn *c = (cnet_conn *)bc; /* must be overwritten with NULL */
    bc->rc = cnet_listener_accept(bc->handle, &c, &bc->err);
    if (c != NULL)
        abort();
}

static void close_wakes_blocked_accept(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN], want[384];
    tu_listener_addr(ln, addr, sizeof addr);
    snprintf(want, sizeof want, "accept tcp %s: use of closed network connection", addr);
    tu_blocked_call bc = {.handle = ln, .call = call_accept};
    tu_blocked_call_start(&bc);
    assert_int_equal(cnet_listener_close(ln), 0);
    tu_blocked_call_join(&bc);
    assert_closed_error(bc.rc, &bc.err, want);
}

static void call_read_from(tu_blocked_call *bc)
{
    char buf[8], from[CNET_ADDRSTRLEN];
    bc->rc = (long)cnet_packet_read_from(bc->handle, buf, sizeof buf, from, sizeof from, &bc->err);
}

static void close_wakes_blocked_read_from(void **state)
{
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("udp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN], want[384];
    tu_packet_addr(pc, addr, sizeof addr);
    snprintf(want, sizeof want, "read udp %s: use of closed network connection", addr);
    tu_blocked_call bc = {.handle = pc, .call = call_read_from};
    tu_blocked_call_start(&bc);
    assert_int_equal(cnet_packet_close(pc), 0);
    tu_blocked_call_join(&bc);
    assert_closed_error(bc.rc, &bc.err, want);
}

/* ---- listeners ----------------------------------------------------------------------- */

static void accept_deadline_expires_with_go_text(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN], want[384];
    tu_listener_addr(ln, addr, sizeof addr);
    snprintf(want, sizeof want, "accept tcp %s: i/o timeout", addr);
    cnet_conn *c = (cnet_conn *)&c;
    cnet_error err;
    int64_t t0 = cnet_now_ns();
    assert_int_equal(cnet_listener_set_deadline(ln, t0 + 100 * MS), 0);
    int rc = cnet_listener_accept(ln, &c, &err);
    int64_t took = cnet_now_ns() - t0;
    assert_deadline_error(rc, &err, want);
    assert_null(c);
    assert_true(took >= 100 * MS);
    assert_true(took < 100 * MS + SLACK_NS);
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* A connection waiting in the queue is not taken past the deadline; once the deadline
 * is cleared, the listener goes on. */
static void accept_past_deadline_with_pending_connection(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN], want[384];
    tu_listener_addr(ln, addr, sizeof addr);
    snprintf(want, sizeof want, "accept tcp %s: i/o timeout", addr);
    cnet_conn *client = tu_dial("tcp", addr), *c = NULL;
    assert_true(tu_wait_readable(cnet_listener_fd(ln), 5000));
    cnet_error err;
    assert_int_equal(cnet_listener_set_deadline(ln, cnet_now_ns() - 5000 * MS), 0);
    for (int call = 0; call < 2; call++) {
        assert_deadline_error(cnet_listener_accept(ln, &c, &err), &err, want);
        assert_null(c);
    }
    assert_int_equal(cnet_listener_set_deadline(ln, 0), 0);
    c = tu_accept(ln);
    assert_int_equal(cnet_conn_close(c), 0);
    assert_int_equal(cnet_conn_close(client), 0);
    assert_int_equal(cnet_listener_close(ln), 0);
}

static void accept_deadline_extended_while_blocked(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN];
    tu_listener_addr(ln, addr, sizeof addr);
    int64_t t0 = cnet_now_ns();
    assert_int_equal(cnet_listener_set_deadline(ln, t0 + 30000 * MS), 0);
    tu_blocked_call bc = {.handle = ln, .call = call_accept};
    tu_blocked_call_start(&bc);
    int64_t t1 = cnet_now_ns();
    assert_int_equal(cnet_listener_set_deadline(ln, t1 + 100 * MS), 0);
    tu_blocked_call_join(&bc);
    assert_int_equal(bc.rc, CNET_ETIMEOUT);
    assert_true(cnet_now_ns() - t1 >= 100 * MS);
    assert_true(cnet_now_ns() - t1 < 100 * MS + SLACK_NS);
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* ---- packet conns -------------------------------------------------------------------- */

static void read_from_deadline_expires_with_go_text(void **state)
{
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("udp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN], want[384], buf[8], from[CNET_ADDRSTRLEN];
    tu_packet_addr(pc, addr, sizeof addr);
    snprintf(want, sizeof want, "read udp %s: i/o timeout", addr);
    cnet_error err;
    int64_t t0 = cnet_now_ns();
    assert_int_equal(cnet_packet_set_read_deadline(pc, t0 + 100 * MS), 0);
    ssize_t rc = cnet_packet_read_from(pc, buf, sizeof buf, from, sizeof from, &err);
    int64_t took = cnet_now_ns() - t0;
    assert_deadline_error(rc, &err, want);
    assert_true(took >= 100 * MS);
    assert_true(took < 100 * MS + SLACK_NS);

    /* usable afterwards: clear the deadline and receive */
    assert_int_equal(cnet_packet_set_read_deadline(pc, 0), 0);
    assert_int_equal(cnet_packet_write_to(pc, "self", 4, addr, NULL), 4);
    assert_int_equal(cnet_packet_read_from(pc, buf, sizeof buf, from, sizeof from, &err), 4);
    assert_memory_equal(buf, "self", 4);
    assert_string_equal(from, addr);
    assert_int_equal(cnet_packet_close(pc), 0);
}

/* A datagram already queued is not returned past the deadline; Go's WriteTo text names
 * the destination. */
static void packet_past_deadline_fails_at_once(void **state)
{
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("udp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN], rwant[384], wwant[384], buf[8], from[CNET_ADDRSTRLEN];
    tu_packet_addr(pc, addr, sizeof addr);
    snprintf(rwant, sizeof rwant, "read udp %s: i/o timeout", addr);
    snprintf(wwant, sizeof wwant, "write udp %s->%s: i/o timeout", addr, addr);
    assert_int_equal(cnet_packet_write_to(pc, "queued", 6, addr, NULL), 6);
    assert_true(tu_wait_readable(cnet_packet_fd(pc), 5000));
    cnet_error err;
    assert_int_equal(cnet_packet_set_deadline(pc, cnet_now_ns() - 5000 * MS), 0);
    for (int call = 0; call < 2; call++) {
        assert_deadline_error(cnet_packet_read_from(pc, buf, sizeof buf, from, sizeof from, &err),
                              &err, rwant);
        assert_deadline_error(cnet_packet_write_to(pc, "x", 1, addr, &err), &err, wwant);
    }
    assert_int_equal(cnet_packet_set_write_deadline(pc, 0), 0);
    assert_int_equal(cnet_packet_write_to(pc, "x", 1, addr, &err), 1);
    assert_int_equal(cnet_packet_set_read_deadline(pc, 0), 0);
    assert_int_equal(cnet_packet_read_from(pc, buf, sizeof buf, from, sizeof from, &err), 6);
    assert_memory_equal(buf, "queued", 6);
    assert_int_equal(cnet_packet_close(pc), 0);
}

/* A dialed UDP conn is a cnet_conn: Go's text names both ends. */
static void dialed_udp_read_deadline(void **state)
{
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("udp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN], local[CNET_ADDRSTRLEN], want[384], buf[8];
    tu_packet_addr(pc, addr, sizeof addr);
    cnet_conn *c = tu_dial("udp", addr);
    assert_true(cnet_conn_local_addr(c, local, sizeof local) > 0);
    snprintf(want, sizeof want, "read udp %s->%s: i/o timeout", local, addr);
    cnet_error err;
    assert_int_equal(cnet_conn_set_read_deadline(c, cnet_now_ns() + 20 * MS), 0);
    assert_deadline_error(cnet_conn_read(c, buf, sizeof buf, &err), &err, want);
    assert_int_equal(cnet_conn_close(c), 0);
    assert_int_equal(cnet_packet_close(pc), 0);
}

static void null_handles_einval(void **state)
{
    (void)state;
    assert_int_equal(cnet_conn_set_deadline(NULL, 1), -EINVAL);
    assert_int_equal(cnet_conn_set_read_deadline(NULL, 1), -EINVAL);
    assert_int_equal(cnet_conn_set_write_deadline(NULL, 1), -EINVAL);
    assert_int_equal(cnet_packet_set_deadline(NULL, 1), -EINVAL);
    assert_int_equal(cnet_packet_set_read_deadline(NULL, 1), -EINVAL);
    assert_int_equal(cnet_packet_set_write_deadline(NULL, 1), -EINVAL);
    assert_int_equal(cnet_listener_set_deadline(NULL, 1), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(read_deadline_expires_with_go_text),
        TU_TEST(set_deadline_sets_read_and_write),
        TU_TEST(read_deadline_leaves_writes_alone),
        TU_TEST(past_deadline_fails_at_once_with_data_waiting),
        TU_TEST(zero_length_read_ignores_expired_deadline),
        TU_TEST(conn_usable_after_timeout),
        TU_TEST(extreme_deadlines_do_not_overflow),
        TU_TEST(extending_deadline_rearms_blocked_read),
        TU_TEST(shortening_deadline_wakes_blocked_read_early),
        TU_TEST(write_deadline_on_full_buffer),
        TU_TEST(write_deadline_reports_count),
        TU_TEST(close_wakes_blocked_read),
        TU_TEST(close_wakes_blocked_write),
        TU_TEST(close_wakes_blocked_accept),
        TU_TEST(close_wakes_blocked_read_from),
        TU_TEST(accept_deadline_expires_with_go_text),
        TU_TEST(accept_past_deadline_with_pending_connection),
        TU_TEST(accept_deadline_extended_while_blocked),
        TU_TEST(read_from_deadline_expires_with_go_text),
        TU_TEST(packet_past_deadline_fails_at_once),
        TU_TEST(dialed_udp_read_deadline),
        TU_TEST(null_handles_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
