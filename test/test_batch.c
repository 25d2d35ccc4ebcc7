/* Datagram batches and segmentation (issue 13 §2): x/net's ReadBatch / WriteBatch over
 * recvmmsg / sendmmsg (one datagram per call in the fallback build), UDP GSO and GRO,
 * and the fallback when the kernel refuses GSO. Real sockets on loopback; the kernel's
 * refusals are injected (linked with cnet_fault). */
#include "testutil.h"

#include "fault.h"

#include <stdbool.h>

#ifdef CNET_TEST_PORTABLE_FALLBACKS
#define SEND_CALL "sendmsg"
#else
#define SEND_CALL "sendmmsg"
#endif

#define DGRAM 1200
#define COUNT 64

typedef struct peers {
    cnet_packet_conn *tx, *rx;
    char rx_addr[CNET_ADDRSTRLEN], tx_addr[CNET_ADDRSTRLEN];
} peers;

static void peers_open(peers *p, const char *network, const char *address)
{
    p->tx = tu_listen_packet(network, address);
    p->rx = tu_listen_packet(network, address);
    tu_packet_addr(p->rx, p->rx_addr, sizeof p->rx_addr);
    tu_packet_addr(p->tx, p->tx_addr, sizeof p->tx_addr);
    assert_int_equal(cnet_packet_set_read_deadline(p->rx, cnet_now_ns() + 10000000000LL), 0);
}

static void peers_close(peers *p)
{
    assert_int_equal(cnet_packet_close(p->tx), 0);
    assert_int_equal(cnet_packet_close(p->rx), 0);
}

/* Datagram i of a test: its bytes say which it is. */
static void fill(unsigned char *b, size_t len, unsigned i)
{
    for (size_t k = 0; k < len; k++)
        b[k] = (unsigned char)(i * 31 + k);
}

static void check(const unsigned char *b, size_t len, unsigned i)
{
    for (size_t k = 0; k < len; k++)
        if (b[k] != (unsigned char)(i * 31 + k))
            fail_msg("datagram %u byte %zu: %u", i, k, b[k]);
}

static void make_msgs(cnet_msg *ms, unsigned char *store, const size_t *lens, size_t n,
                      const char *to)
{
    unsigned char *at = store;
    memset(ms, 0, n * sizeof *ms);
    for (size_t i = 0; i < n; i++) {
        fill(at, lens[i], (unsigned)i);
        ms[i].buf = at;
        ms[i].len = lens[i];
        snprintf(ms[i].addr, sizeof ms[i].addr, "%s", to);
        at += lens[i];
    }
}

static void send_all(cnet_packet_conn *pc, cnet_msg *ms, size_t n, int gso)
{
    cnet_batch_opts o = {.gso = gso};
    cnet_error err;
    size_t sent = 99;
    int rc = cnet_packet_write_batch(pc, ms, n, &o, &sent, &err);
    if (rc < 0)
        print_message("write_batch: %s\n", err.msg);
    assert_int_equal(rc, (int)n);
    assert_int_equal(sent, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ms[i].n, ms[i].len);
}

/* Reads datagrams until want have arrived, splitting GRO buffers; checks each against
 * lens and its sender. Returns how many buffers carried more than one datagram. */
static int receive_all(peers *p, const size_t *lens, size_t want, bool gro)
{
    static unsigned char bufs[16][65536];
    cnet_msg ms[16];
    cnet_error err;
    size_t got = 0;
    int coalesced = 0;
    while (got < want) {
        memset(ms, 0, sizeof ms);
        for (int i = 0; i < 16; i++) {
            ms[i].buf = bufs[i];
            ms[i].len = sizeof bufs[i];
        }
        int n = cnet_packet_read_batch(p->rx, ms, 16, &err);
        if (n <= 0)
            fail_msg("read_batch after %zu of %zu: %d %s", got, want, n, err.msg);
        for (int i = 0; i < n; i++) {
            assert_string_equal(ms[i].addr, p->tx_addr);
            assert_int_equal(ms[i].flags, 0);
            size_t seg = ms[i].n, off = 0;
            if (ms[i].ctl.flags & CNET_MSG_SEGMENT) {
                assert_true(gro);
                seg = ms[i].ctl.segment_size;
                coalesced += ms[i].n > seg;
            }
            do { /* an empty datagram is one of length 0 */
                size_t len = ms[i].n - off < seg ? ms[i].n - off : seg;
                assert_true(got < want);
                assert_int_equal(len, lens[got]);
                check(bufs[i] + off, len, (unsigned)got);
                off += len;
                got++;
            } while (off < ms[i].n);
        }
    }
    return coalesced;
}

static void mixed_sizes_arrive_in_order(void **state)
{
    (void)state;
    static const size_t lens[] = {1, 1200, 0, 100, 1500, 7, 1200, 1200, 1200, 900, 65507 - 28};
    static unsigned char store[80000];
    cnet_msg ms[sizeof lens / sizeof lens[0]];
    size_t n = sizeof lens / sizeof lens[0];
    peers p;
    for (int gso = -1; gso <= 0; gso++) {
        peers_open(&p, "udp4", "127.0.0.1:0");
        make_msgs(ms, store, lens, n, p.rx_addr);
        send_all(p.tx, ms, n, gso);
        receive_all(&p, lens, n, false);
        peers_close(&p);
    }
}

static void batches_on_ipv6(void **state)
{
    (void)state;
    size_t lens[COUNT];
    static unsigned char store[COUNT * DGRAM];
    cnet_msg ms[COUNT];
    peers p;
    for (size_t i = 0; i < COUNT; i++)
        lens[i] = DGRAM;
    peers_open(&p, "udp6", "[::1]:0");
    make_msgs(ms, store, lens, COUNT, p.rx_addr);
    send_all(p.tx, ms, COUNT, 0);
    receive_all(&p, lens, COUNT, false);
    peers_close(&p);
}

static void truncation_in_a_batch(void **state)
{
    (void)state;
    static const size_t lens[] = {5, 20, 10};
    static unsigned char store[64];
    cnet_msg ms[3], rs[3];
    unsigned char bufs[3][10];
    cnet_error err;
    peers p;
    peers_open(&p, "udp4", "127.0.0.1:0");
    make_msgs(ms, store, lens, 3, p.rx_addr);
    send_all(p.tx, ms, 3, -1);
    size_t got = 0;
    while (got < 3) {
        memset(rs, 0, sizeof rs);
        for (int i = 0; i < 3; i++) {
            rs[i].buf = bufs[i];
            rs[i].len = sizeof bufs[i];
        }
        int n = cnet_packet_read_batch(p.rx, rs, 3 - got, &err);
        assert_true(n >= 1);
        for (int i = 0; i < n; i++, got++) {
            size_t want = lens[got] < 10 ? lens[got] : 10;
            assert_int_equal(rs[i].n, want);
            check(bufs[i], want, (unsigned)got);
            assert_int_equal(rs[i].flags, lens[got] > 10 ? CNET_MSG_TRUNC : 0);
        }
    }
    peers_close(&p);
}

/* With GRO on at the receiver, a GSO send on loopback arrives as one coalesced buffer
 * (the kernel keeps the segments together): the proof that GSO was used. Without GSO
 * nothing is coalesced. */
static int gso_round(int gso, bool gro)
{
    size_t lens[COUNT];
    static unsigned char store[COUNT * DGRAM];
    cnet_msg ms[COUNT];
    cnet_error err;
    peers p;
    for (size_t i = 0; i < COUNT; i++)
        lens[i] = i == COUNT - 1 ? 333 : DGRAM; /* a shorter last one ends the run */
    peers_open(&p, "udp4", "127.0.0.1:0");
    if (gro)
        assert_int_equal(cnet_packet_set_control(p.rx, CNET_MSG_SEGMENT, 1, &err), 0);
    make_msgs(ms, store, lens, COUNT, p.rx_addr);
    send_all(p.tx, ms, COUNT, gso);
    int coalesced = receive_all(&p, lens, COUNT, gro);
    peers_close(&p);
    return coalesced;
}

static void gso_on_and_off(void **state)
{
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("udp4", "127.0.0.1:0");
    assert_int_equal(cnet_packet_gso_supported(pc), 1); /* Linux >= 4.18 */
    cnet_packet_close(pc);
    assert_true(gso_round(0, true) > 0);
    assert_int_equal(gso_round(-1, true), 0);
    assert_int_equal(gso_round(0, false), 0); /* no GRO: the kernel hands out each one */
}

/* A kernel without UDP_SEGMENT (the probe's getsockopt fails) or a device that refuses
 * it (EIO on the send): every datagram still goes out, once, without GSO. */
static void gso_fallback_when_refused(void **state)
{
    (void)state;
    size_t lens[COUNT];
    static unsigned char store[COUNT * DGRAM];
    cnet_msg ms[COUNT];
    cnet_error err;
    peers p;
    for (size_t i = 0; i < COUNT; i++)
        lens[i] = DGRAM;

    /* EIO from the first GSO send. */
    peers_open(&p, "udp4", "127.0.0.1:0");
    assert_int_equal(cnet_packet_set_control(p.rx, CNET_MSG_SEGMENT, 1, &err), 0);
    assert_int_equal(cnet_packet_gso_supported(p.tx), 1);
    make_msgs(ms, store, lens, COUNT, p.rx_addr);
    cnet__fault_arm(1, EIO, SEND_CALL);
    send_all(p.tx, ms, COUNT, 0);
    cnet__fault_disarm();
    assert_true(cnet__fault_fired());
    assert_int_equal(receive_all(&p, lens, COUNT, true), 0);
    assert_int_equal(cnet_packet_gso_supported(p.tx), 0); /* this conn stopped using it */
    peers_close(&p);

    /* The probe answers "no such option". */
    peers_open(&p, "udp4", "127.0.0.1:0");
    assert_int_equal(cnet_packet_set_control(p.rx, CNET_MSG_SEGMENT, 1, &err), 0);
    make_msgs(ms, store, lens, COUNT, p.rx_addr);
    cnet__fault_arm(1, ENOPROTOOPT, "getsockopt");
    send_all(p.tx, ms, COUNT, 0);
    cnet__fault_disarm();
    assert_true(cnet__fault_fired());
    assert_int_equal(receive_all(&p, lens, COUNT, true), 0);
    assert_int_equal(cnet_packet_gso_supported(p.tx), 0);
    peers_close(&p);

    /* A refusal that is no refusal of GSO (EPERM, a firewall) is reported. */
    peers_open(&p, "udp4", "127.0.0.1:0");
    make_msgs(ms, store, lens, COUNT, p.rx_addr);
    cnet__fault_arm(1, EPERM, SEND_CALL);
    size_t sent = 99;
    assert_int_equal(cnet_packet_write_batch(p.tx, ms, COUNT, NULL, &sent, &err), -EPERM);
    cnet__fault_disarm();
    assert_int_equal(sent, 0);
    char want[CNET_ERROR_MAX];
    snprintf(want, sizeof want, "write udp4 %s->%s: %s: operation not permitted", p.tx_addr,
             p.rx_addr, SEND_CALL);
    assert_string_equal(err.msg, want);
    assert_int_equal(cnet_packet_gso_supported(p.tx), 1);
    peers_close(&p);
}

/* A bad message in the middle: what went before it is sent, *sent says how much. */
static void an_error_reports_what_was_sent(void **state)
{
    (void)state;
    static const size_t lens[] = {10, 10, 10, 10, 10};
    static unsigned char store[64];
    cnet_msg ms[5];
    cnet_error err;
    char want[CNET_ERROR_MAX];
    peers p;
    size_t sent = 99;
    peers_open(&p, "udp4", "127.0.0.1:0");
    make_msgs(ms, store, lens, 5, p.rx_addr);
    snprintf(ms[3].addr, sizeof ms[3].addr, "[::1]:9");
    assert_int_equal(cnet_packet_write_batch(p.tx, ms, 5, NULL, &sent, &err), CNET_ENOSUITABLE);
    assert_int_equal(sent, 3);
    snprintf(want, sizeof want, "write udp4: address ::1: no suitable address found");
    assert_string_equal(err.msg, want);
    receive_all(&p, lens, 3, false);
    /* Too long for a datagram. */
    static unsigned char big[70000];
    cnet_msg m = {.buf = big, .len = sizeof big};
    snprintf(m.addr, sizeof m.addr, "%s", p.rx_addr);
    assert_int_equal(cnet_packet_write_batch(p.tx, &m, 1, NULL, &sent, &err), -EMSGSIZE);
    assert_int_equal(sent, 0);
    snprintf(want, sizeof want, "write udp4 %s->%s: %s: message too long", p.tx_addr, p.rx_addr,
             SEND_CALL);
    assert_string_equal(err.msg, want);
    /* Nothing to do, and bad arguments. */
    assert_int_equal(cnet_packet_write_batch(p.tx, ms, 0, NULL, &sent, &err), 0);
    assert_int_equal(cnet_packet_read_batch(p.rx, ms, 0, &err), 0);
    assert_int_equal(cnet_packet_write_batch(NULL, ms, 1, NULL, &sent, &err), -EINVAL);
    assert_int_equal(cnet_packet_read_batch(p.rx, NULL, 1, &err), -EINVAL);
    m.buf = NULL;
    assert_int_equal(cnet_packet_read_batch(p.rx, &m, 1, &err), -EINVAL);
    peers_close(&p);
}

static void blocked_batch_read(tu_blocked_call *bc)
{
    char buf[8];
    cnet_msg m = {.buf = buf, .len = sizeof buf};
    bc->rc = cnet_packet_read_batch(bc->handle, &m, 1, &bc->err);
}

static void read_batch_waits_and_stops(void **state)
{
    (void)state;
    tu_blocked_call bc = {.call = blocked_batch_read};
    char addr[CNET_ADDRSTRLEN], want[CNET_ERROR_MAX];
    bc.handle = tu_listen_packet("udp4", "127.0.0.1:0");
    tu_packet_addr(bc.handle, addr, sizeof addr);
    tu_blocked_call_start(&bc);
    cnet_packet_stop(bc.handle);
    tu_blocked_call_join(&bc);
    assert_int_equal(bc.rc, CNET_ECLOSED);
    snprintf(want, sizeof want, "read udp4 %s: use of closed network connection", addr);
    assert_string_equal(bc.err.msg, want);
    cnet_packet_close(bc.handle);

    /* A deadline ends the wait for the first datagram. */
    cnet_packet_conn *pc = tu_listen_packet("udp4", "127.0.0.1:0");
    char buf[8];
    cnet_msg m = {.buf = buf, .len = sizeof buf};
    cnet_error err;
    assert_int_equal(cnet_packet_set_read_deadline(pc, cnet_now_ns() + 30000000), 0);
    assert_int_equal(cnet_packet_read_batch(pc, &m, 1, &err), CNET_ETIMEOUT);
    cnet_packet_close(pc);
}

/* Batches are for UDP. */
static void unixgram_is_refused(void **state)
{
    (void)state;
    cnet_packet_conn *tx = tu_listen_packet("unixgram", "");
    cnet_msg m;
    cnet_error err;
    memset(&m, 0, sizeof m);
    assert_int_equal(cnet_packet_write_batch(tx, &m, 1, NULL, NULL, &err), CNET_EADDRTYPE);
    cnet_packet_close(tx);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        TU_TEST(mixed_sizes_arrive_in_order),
        TU_TEST(batches_on_ipv6),
        TU_TEST(truncation_in_a_batch),
        TU_TEST(gso_on_and_off),
        TU_TEST(gso_fallback_when_refused),
        TU_TEST(an_error_reports_what_was_sent),
        TU_TEST(read_batch_waits_and_stops),
        TU_TEST(unixgram_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
