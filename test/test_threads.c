/* Concurrency (issue 6 §4), run under ThreadSanitizer by .ci/reliability.sh:
 *   - many threads accept on one listener while connections arrive, and another thread
 *     closes it: every thread returns (an accepted conn, or CNET_ECLOSED), none hangs;
 *   - threads read a conn (and a packet conn) with deadlines while another thread keeps
 *     changing the deadlines, then another closes the handle: reads time out and are
 *     re-armed, and every reader leaves with CNET_ECLOSED.
 * A handle must not be used once its close has returned, so the closer runs only when
 * every reader is blocked inside cnet (and the deadline changer has stopped). */
#include "testutil.h"

#include <stdatomic.h>

#define ACCEPTORS 8
#define READERS 6
#define ROUNDS 10
#define DEADLINE_CHANGES 2000
#define MS 1000000LL

/* ---- accept from many threads, close from another ----------------------------------- */

/* A thread inside a cnet call: it has entered one more call than it has left, and it
 * sleeps. Only then may another thread close the handle under it. */
typedef struct in_call {
    atomic_int entered, left;
    atomic_long tid;
} in_call;

static void enter(in_call *ic)
{
    atomic_store(&ic->tid, tu_gettid());
    atomic_fetch_add(&ic->entered, 1);
}

static void wait_inside(in_call *ic)
{
    const struct timespec ms = {0, 1000000};
    for (int i = 0; i < 5000 && atomic_load(&ic->entered) != atomic_load(&ic->left) + 1; i++)
        nanosleep(&ms, NULL);
    assert_int_equal(atomic_load(&ic->entered), atomic_load(&ic->left) + 1);
    tu_wait_thread_blocked(atomic_load(&ic->tid));
}

typedef struct acceptor {
    pthread_t thread;
    cnet_listener *ln;
    atomic_int accepted;
    int rc;
    in_call ic;
} acceptor;

static void *accept_until_closed(void *arg)
{
    acceptor *a = arg;
    cnet_conn *c;
    cnet_error err;
    for (;;) {
        enter(&a->ic);
        a->rc = cnet_listener_accept(a->ln, &c, &err);
        if (a->rc != 0)
            break;
        atomic_fetch_add(&a->ic.left, 1);
        atomic_fetch_add(&a->accepted, 1);
        cnet_conn_close(c);
    }
    return NULL;
}

typedef struct closer {
    pthread_t thread;
    void *handle;
    int (*close)(void *);
    int rc;
} closer;

static int close_listener(void *h)
{
    return cnet_listener_close(h);
}

static void *close_it(void *arg)
{
    closer *cl = arg;
    cl->rc = cl->close(cl->handle);
    return NULL;
}

static int total_accepted(acceptor *a)
{
    int n = 0;
    for (int i = 0; i < ACCEPTORS; i++)
        n += atomic_load(&a[i].accepted);
    return n;
}

static void acceptors_all_leave_when_closed(void **state)
{
    char addr[CNET_ADDRSTRLEN];
    (void)state;
    for (int round = 0; round < ROUNDS; round++) {
        acceptor a[ACCEPTORS] = {0};
        cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
        tu_listener_addr(ln, addr, sizeof addr);
        for (int i = 0; i < ACCEPTORS; i++) {
            a[i].ln = ln;
            assert_int_equal(pthread_create(&a[i].thread, NULL, accept_until_closed, &a[i]), 0);
        }
        /* connections arrive while the acceptors compete for them */
        for (int i = 0; i < 3 * ACCEPTORS; i++)
            cnet_conn_close(tu_dial("tcp", addr));
        const struct timespec ms = {0, 1000000};
        for (int i = 0; i < 5000 && total_accepted(a) < 3 * ACCEPTORS; i++)
            nanosleep(&ms, NULL);
        assert_int_equal(total_accepted(a), 3 * ACCEPTORS);
        for (int i = 0; i < ACCEPTORS; i++)
            wait_inside(&a[i].ic);

        closer cl = {.handle = ln, .close = close_listener};
        assert_int_equal(pthread_create(&cl.thread, NULL, close_it, &cl), 0);
        for (int i = 0; i < ACCEPTORS; i++) {
            assert_int_equal(pthread_join(a[i].thread, NULL), 0);
            assert_int_equal(a[i].rc, CNET_ECLOSED);
        }
        assert_int_equal(pthread_join(cl.thread, NULL), 0);
        assert_int_equal(cl.rc, 0);
    }
}

/* ---- readers with deadlines, a deadline changer, a closer ------------------------------ */

typedef struct reader {
    pthread_t thread;
    void *handle;
    int packet;
    int timeouts, rc;
    in_call ic;
} reader;

static void *read_until_closed(void *arg)
{
    reader *r = arg;
    char buf[64];
    cnet_error err;
    long rc;
    for (;;) {
        enter(&r->ic);
        rc = r->packet ? cnet_packet_read_from(r->handle, buf, sizeof buf, NULL, 0, &err)
                       : cnet_conn_read(r->handle, buf, sizeof buf, &err);
        if (rc == CNET_ETIMEOUT) {
            atomic_fetch_add(&r->ic.left, 1);
            r->timeouts++;
            continue;
        }
        if (rc < 0)
            break;
    }
    r->rc = (int)rc;
    return NULL;
}

typedef struct changer {
    pthread_t thread;
    void *handle;
    int packet;
    int rc; /* the first failure; cmocka's asserts belong to the main thread */
} changer;

/* Deadlines from "already past" to 20 ms ahead, on all three setters. */
static void *change_deadlines(void *arg)
{
    changer *ch = arg;
    for (int i = 0; i < DEADLINE_CHANGES; i++) {
        int64_t when = cnet_now_ns() + (i % 5 - 1) * 5 * MS;
        int rc;
        switch (i % 3) {
        case 0:
            rc = ch->packet ? cnet_packet_set_deadline(ch->handle, when)
                            : cnet_conn_set_deadline(ch->handle, when);
            break;
        case 1:
            rc = ch->packet ? cnet_packet_set_read_deadline(ch->handle, when)
                            : cnet_conn_set_read_deadline(ch->handle, when);
            break;
        default:
            rc = ch->packet ? cnet_packet_set_write_deadline(ch->handle, when)
                            : cnet_conn_set_write_deadline(ch->handle, when);
        }
        if (rc != 0 && ch->rc == 0)
            ch->rc = rc;
    }
    return NULL;
}

static int close_conn(void *h)
{
    return cnet_conn_close(h);
}

static int close_packet(void *h)
{
    return cnet_packet_close(h);
}

static void readers_with_deadlines_then_close(void *handle, int packet)
{
    reader r[READERS] = {0};
    changer ch = {.handle = handle, .packet = packet};
    for (int i = 0; i < READERS; i++) {
        r[i].handle = handle;
        r[i].packet = packet;
        assert_int_equal(pthread_create(&r[i].thread, NULL, read_until_closed, &r[i]), 0);
    }
    /* Every reader blocked before the first change: on a loaded machine the readers could
     * otherwise start only after the changes, and nothing would be tested. */
    for (int i = 0; i < READERS; i++)
        wait_inside(&r[i].ic);
    assert_int_equal(pthread_create(&ch.thread, NULL, change_deadlines, &ch), 0);
    assert_int_equal(pthread_join(ch.thread, NULL), 0);
    assert_int_equal(ch.rc, 0);

    /* a deadline far enough away that every reader stays inside its read */
    assert_int_equal(packet ? cnet_packet_set_read_deadline(handle, cnet_now_ns() + 30000 * MS)
                            : cnet_conn_set_read_deadline(handle, cnet_now_ns() + 30000 * MS),
                     0);
    for (int i = 0; i < READERS; i++)
        wait_inside(&r[i].ic);

    closer cl = {.handle = handle, .close = packet ? close_packet : close_conn};
    assert_int_equal(pthread_create(&cl.thread, NULL, close_it, &cl), 0);
    int timeouts = 0;
    for (int i = 0; i < READERS; i++) {
        assert_int_equal(pthread_join(r[i].thread, NULL), 0);
        assert_int_equal(r[i].rc, CNET_ECLOSED);
        timeouts += r[i].timeouts;
    }
    assert_int_equal(pthread_join(cl.thread, NULL), 0);
    assert_int_equal(cl.rc, 0);
    assert_true(timeouts > 0); /* the changer's past deadlines did fail reads */
}

static void conn_readers_deadlines_and_close(void **state)
{
    char addr[CNET_ADDRSTRLEN];
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    tu_listener_addr(ln, addr, sizeof addr);
    for (int round = 0; round < ROUNDS; round++) {
        cnet_conn *c = tu_dial("tcp", addr);
        cnet_conn *s = tu_accept(ln);
        readers_with_deadlines_then_close(s, 0);
        cnet_conn_close(c);
    }
    cnet_listener_close(ln);
}

static void packet_readers_deadlines_and_close(void **state)
{
    (void)state;
    for (int round = 0; round < ROUNDS; round++)
        readers_with_deadlines_then_close(tu_listen_packet("udp", "127.0.0.1:0"), 1);
}

/* Writers and a reader on both ends of one conn at once: bytes arrive whole. */
typedef struct writer {
    pthread_t thread;
    cnet_conn *c;
    char byte;
    long failed; /* a write that did not send the whole chunk */
} writer;

#define WRITES 500
#define CHUNK 1024

static void *write_chunks(void *arg)
{
    writer *w = arg;
    char buf[CHUNK];
    cnet_error err;
    memset(buf, w->byte, sizeof buf);
    for (int i = 0; i < WRITES && w->failed == 0; i++) {
        ssize_t n = cnet_conn_write(w->c, buf, sizeof buf, &err);
        if (n != CHUNK)
            w->failed = n == 0 ? -1 : n;
    }
    return NULL;
}

static void concurrent_writers_one_reader(void **state)
{
    char addr[CNET_ADDRSTRLEN], buf[4096];
    long counts[4] = {0}, total = 0;
    cnet_error err;
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    tu_listener_addr(ln, addr, sizeof addr);
    cnet_conn *c = tu_dial("tcp", addr);
    cnet_conn *s = tu_accept(ln);
    writer w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (writer){.c = c, .byte = (char)('a' + i)};
        assert_int_equal(pthread_create(&w[i].thread, NULL, write_chunks, &w[i]), 0);
    }
    while (total < 4L * WRITES * CHUNK) {
        ssize_t n = cnet_conn_read(s, buf, sizeof buf, &err);
        assert_true(n > 0);
        for (ssize_t i = 0; i < n; i++) {
            assert_true(buf[i] >= 'a' && buf[i] <= 'd');
            counts[buf[i] - 'a']++;
        }
        total += n;
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(w[i].thread, NULL), 0);
        assert_int_equal(w[i].failed, 0);
        assert_int_equal(counts[i], (long)WRITES * CHUNK);
    }
    cnet_conn_close(c);
    cnet_conn_close(s);
    cnet_listener_close(ln);
}

/* ---- two watchdogs and an owner (issue 11.12) ------------------------------------------ */

static void call_read_one(tu_blocked_call *bc)
{
    char b;
    bc->rc = (long)cnet_conn_read(bc->handle, &b, 1, &bc->err);
}

typedef struct stopper {
    pthread_t thread;
    cnet_conn *c;
    atomic_int *go;
    int rc;
} stopper;

static void *stop_when_told(void *arg)
{
    stopper *s = arg;
    while (!atomic_load(s->go))
        ;
    s->rc = cnet_conn_stop(s->c);
    return NULL;
}

/* Go lets a watchdog close a conn its handler also closes. In C the watchdogs stop it
 * (idempotent, never frees), racing each other while a reader is blocked, and the one
 * owner frees it after: the reader leaves with CNET_ECLOSED, so do later calls, and
 * ASan sees no use after free. */
static void two_stoppers_and_a_blocked_reader(void **state)
{
    (void)state;
    for (int round = 0; round < ROUNDS; round++) {
        tu_pair p;
        atomic_int go = 0;
        stopper s[2] = {{.go = &go}, {.go = &go}};
        tu_blocked_call bc = {0};
        char b;
        tu_pair_open(&p, "tcp", "127.0.0.1:0");
        bc.handle = p.server;
        bc.call = call_read_one;
        tu_blocked_call_start(&bc);
        for (int i = 0; i < 2; i++) {
            s[i].c = p.server;
            assert_int_equal(pthread_create(&s[i].thread, NULL, stop_when_told, &s[i]), 0);
        }
        atomic_store(&go, 1);
        for (int i = 0; i < 2; i++) {
            assert_int_equal(pthread_join(s[i].thread, NULL), 0);
            assert_int_equal(s[i].rc, 0);
        }
        tu_blocked_call_join(&bc);
        assert_int_equal(bc.rc, CNET_ECLOSED);
        assert_int_equal(cnet_conn_read(p.server, &b, 1, NULL), CNET_ECLOSED);
        assert_int_equal(cnet_conn_write(p.server, "x", 1, NULL), CNET_ECLOSED);
        assert_int_equal(cnet_conn_stop(p.server), 0);
        tu_pair_close(&p);
    }
    assert_int_equal(cnet_conn_stop(NULL), -EINVAL);
    assert_int_equal(cnet_listener_stop(NULL), -EINVAL);
    assert_int_equal(cnet_packet_stop(NULL), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(acceptors_all_leave_when_closed),
        TU_TEST(conn_readers_deadlines_and_close),
        TU_TEST(packet_readers_deadlines_and_close),
        TU_TEST(concurrent_writers_one_reader),
        TU_TEST(two_stoppers_and_a_blocked_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
