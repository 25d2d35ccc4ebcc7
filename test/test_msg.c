/* Datagrams with their control messages (issue 13 §1): Go's ReadMsgUDP / WriteMsgUDP with
 * x/net's ControlMessage. Real sockets on loopback; with the argument "netns" (run by
 * msg-netns.sh in a private network namespace with 198.18.1.1 on d1 and 198.18.2.1 on
 * d2) a wildcard server answers from the address each datagram arrived on. */
#include "testutil.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <time.h>

static cnet_packet_conn *with_control(const char *network, const char *address, unsigned flags)
{
    cnet_packet_conn *pc = tu_listen_packet(network, address);
    cnet_error err;
    int rc = cnet_packet_set_control(pc, flags, 1, &err);
    if (rc != 0)
        print_message("set_control: %s\n", err.msg);
    assert_int_equal(rc, 0);
    return pc;
}

static void send_msg(cnet_packet_conn *pc, const char *to, const char *text, const cnet_msg_control *ctl)
{
    cnet_msg m;
    cnet_error err;
    memset(&m, 0, sizeof m);
    m.buf = (void *)text;
    m.len = strlen(text);
    snprintf(m.addr, sizeof m.addr, "%s", to);
    if (ctl != NULL)
        m.ctl = *ctl;
    ssize_t n = cnet_packet_write_msg(pc, &m, &err);
    if (n < 0)
        print_message("write_msg: %s\n", err.msg);
    assert_int_equal(n, (ssize_t)strlen(text));
    assert_int_equal(m.n, strlen(text));
}

static ssize_t recv_msg(cnet_packet_conn *pc, cnet_msg *m, char *buf, size_t len)
{
    cnet_error err;
    memset(m, 0, sizeof *m);
    m->buf = buf;
    m->len = len;
    assert_int_equal(cnet_packet_set_read_deadline(pc, cnet_now_ns() + 5000000000LL), 0);
    ssize_t n = cnet_packet_read_msg(pc, m, &err);
    if (n < 0)
        print_message("read_msg: %s\n", err.msg);
    assert_true(n >= 0);
    assert_int_equal((size_t)n, m->n);
    return n;
}

static int64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void pktinfo_on_loopback_v4(void **state)
{
    (void)state;
    cnet_packet_conn *srv = with_control("udp4", "127.0.0.1:0", CNET_MSG_ALL & ~CNET_MSG_SEGMENT);
    cnet_packet_conn *cli = tu_listen_packet("udp4", "127.0.0.1:0");
    char saddr[CNET_ADDRSTRLEN], caddr[CNET_ADDRSTRLEN], buf[64];
    cnet_msg m;
    tu_packet_addr(srv, saddr, sizeof saddr);
    tu_packet_addr(cli, caddr, sizeof caddr);

    int64_t before = realtime_ns();
    send_msg(cli, saddr, "hello", NULL);
    assert_int_equal(recv_msg(srv, &m, buf, sizeof buf), 5);
    int64_t after = realtime_ns();
    assert_memory_equal(buf, "hello", 5);
    assert_string_equal(m.addr, caddr);
    assert_int_equal(m.flags, 0);
    unsigned want = CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX | CNET_MSG_TOS | CNET_MSG_TTL |
                    CNET_MSG_TIMESTAMP;
    assert_int_equal(m.ctl.flags & want, want);
    assert_string_equal(m.ctl.local_ip, "127.0.0.1");
    assert_int_equal(m.ctl.ifindex, if_nametoindex("lo"));
    assert_int_equal(m.ctl.tos, 0);
    assert_int_equal(m.ctl.ttl, 64);
    assert_true(m.ctl.timestamp_ns >= before - 1000000 && m.ctl.timestamp_ns <= after + 1000000);
    assert_int_equal(cnet_packet_close(cli), 0);
    assert_int_equal(cnet_packet_close(srv), 0);
}

/* ECN (ECT(0) = 2, CE = 3) and a DSCP, and a TTL, chosen per datagram and read back. */
static void tos_and_ttl_per_datagram(void **state)
{
    (void)state;
    static const struct { const char *net, *addr; } cases[] = {
        {"udp4", "127.0.0.1:0"}, {"udp6", "[::1]:0"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cnet_packet_conn *srv = with_control(cases[i].net, cases[i].addr, CNET_MSG_TOS | CNET_MSG_TTL);
        cnet_packet_conn *cli = tu_listen_packet(cases[i].net, cases[i].addr);
        char saddr[CNET_ADDRSTRLEN], buf[16];
        cnet_msg m;
        tu_packet_addr(srv, saddr, sizeof saddr);
        static const int tos[] = {0x02, 0x03, 0xb8 | 0x01};
        for (size_t k = 0; k < sizeof tos / sizeof tos[0]; k++) {
            cnet_msg_control ctl = {.flags = CNET_MSG_TOS | CNET_MSG_TTL, .tos = tos[k], .ttl = 7 + (int)k};
            send_msg(cli, saddr, "ecn", &ctl);
            assert_int_equal(recv_msg(srv, &m, buf, sizeof buf), 3);
            assert_true(m.ctl.flags & CNET_MSG_TOS);
            assert_true(m.ctl.flags & CNET_MSG_TTL);
            assert_int_equal(m.ctl.tos, tos[k]);
            assert_int_equal(m.ctl.tos & 3, tos[k] & 3);
            assert_int_equal(m.ctl.ttl, 7 + (int)k);
            assert_int_equal(m.ctl.flags & CNET_MSG_LOCAL_IP, 0); /* not enabled */
        }
        /* Disabled again: nothing arrives with the datagram. */
        assert_int_equal(cnet_packet_set_control(srv, CNET_MSG_TOS | CNET_MSG_TTL, 0, NULL), 0);
        send_msg(cli, saddr, "x", NULL);
        assert_int_equal(recv_msg(srv, &m, buf, sizeof buf), 1);
        assert_int_equal(m.ctl.flags, 0);
        cnet_packet_close(cli);
        cnet_packet_close(srv);
    }
}

static void pktinfo_on_loopback_v6(void **state)
{
    (void)state;
    cnet_packet_conn *srv = with_control("udp6", "[::1]:0", CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX);
    cnet_packet_conn *cli = tu_listen_packet("udp6", "[::1]:0");
    char saddr[CNET_ADDRSTRLEN], caddr[CNET_ADDRSTRLEN], buf[16];
    cnet_msg m;
    tu_packet_addr(srv, saddr, sizeof saddr);
    tu_packet_addr(cli, caddr, sizeof caddr);
    send_msg(cli, saddr, "six", NULL);
    assert_int_equal(recv_msg(srv, &m, buf, sizeof buf), 3);
    assert_string_equal(m.addr, caddr);
    assert_string_equal(m.ctl.local_ip, "::1");
    assert_int_equal(m.ctl.ifindex, if_nametoindex("lo"));
    /* The reply goes out with the received control: from ::1 on lo. */
    cnet_msg r = m;
    r.buf = "ack";
    r.len = 3;
    cnet_error err;
    assert_int_equal(cnet_packet_write_msg(srv, &r, &err), 3);
    char from[CNET_ADDRSTRLEN];
    assert_int_equal(cnet_packet_read_from(cli, buf, sizeof buf, from, sizeof from, &err), 3);
    assert_string_equal(from, saddr);
    cnet_packet_close(cli);
    cnet_packet_close(srv);
}

/* A datagram longer than the buffer: Go's MSG_TRUNC flag; the rest is lost. */
static void truncation_is_flagged(void **state)
{
    (void)state;
    cnet_packet_conn *srv = tu_listen_packet("udp4", "127.0.0.1:0");
    cnet_packet_conn *cli = tu_listen_packet("udp4", "127.0.0.1:0");
    char saddr[CNET_ADDRSTRLEN], buf[4];
    cnet_msg m;
    tu_packet_addr(srv, saddr, sizeof saddr);
    send_msg(cli, saddr, "0123456789", NULL);
    send_msg(cli, saddr, "ab", NULL);
    assert_int_equal(recv_msg(srv, &m, buf, sizeof buf), 4);
    assert_memory_equal(buf, "0123", 4);
    assert_int_equal(m.flags, CNET_MSG_TRUNC);
    assert_int_equal(recv_msg(srv, &m, buf, sizeof buf), 2);
    assert_int_equal(m.flags, 0);
    cnet_packet_close(cli);
    cnet_packet_close(srv);
}

static void errors_name_the_operation(void **state)
{
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("udp4", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN], want[CNET_ERROR_MAX], buf[8];
    cnet_msg m;
    cnet_error err;
    tu_packet_addr(pc, addr, sizeof addr);
    memset(&m, 0, sizeof m);
    m.buf = buf;
    m.len = sizeof buf;

    /* An expired deadline fails at once, with Go's text. */
    assert_int_equal(cnet_packet_set_read_deadline(pc, cnet_now_ns() - 1), 0);
    assert_int_equal(cnet_packet_read_msg(pc, &m, &err), CNET_ETIMEOUT);
    snprintf(want, sizeof want, "read udp4 %s: i/o timeout", addr);
    assert_string_equal(err.msg, want);
    assert_true(cnet_error_is_deadline_exceeded(&err));

    /* No destination: Go's errMissingAddress. */
    assert_int_equal(cnet_packet_write_msg(pc, &m, &err), CNET_EMISSINGADDR);
    snprintf(want, sizeof want, "write udp4 %s: missing address", addr);
    assert_string_equal(err.msg, want);

    /* An IPv6 destination on an IPv4 socket: the text of cnet_packet_write_to. */
    snprintf(m.addr, sizeof m.addr, "[::1]:9");
    assert_int_equal(cnet_packet_write_to(pc, "x", 1, m.addr, &err), CNET_ENOSUITABLE);
    snprintf(want, sizeof want, "%s", err.msg);
    assert_int_equal(cnet_packet_write_msg(pc, &m, &err), CNET_ENOSUITABLE);
    assert_string_equal(err.msg, want);
    cnet_packet_conn *dual = tu_listen_packet("udp", "127.0.0.1:0");
    char daddr[CNET_ADDRSTRLEN];
    tu_packet_addr(dual, daddr, sizeof daddr);
    assert_int_equal(cnet_packet_write_msg(dual, &m, &err), CNET_ENOSUITABLE);
    snprintf(want, sizeof want, "write udp %s->[::1]:9: address ::1: non-IPv4 address", daddr);
    assert_string_equal(err.msg, want);
    cnet_packet_close(dual);

    /* A source address this host does not have. */
    snprintf(m.addr, sizeof m.addr, "%s", addr);
    m.ctl.flags = CNET_MSG_LOCAL_IP;
    snprintf(m.ctl.local_ip, sizeof m.ctl.local_ip, "192.0.2.77");
    ssize_t n = cnet_packet_write_msg(pc, &m, &err);
    assert_true(n < 0); /* EINVAL, EADDRNOTAVAIL or ENETUNREACH, by kernel and route */
    snprintf(want, sizeof want, "write udp4 %s->%s: sendmsg: ", addr, addr);
    assert_memory_equal(err.msg, want, strlen(want));

    /* A source that is no IP at all. */
    snprintf(m.ctl.local_ip, sizeof m.ctl.local_ip, "not-an-ip");
    assert_int_equal(cnet_packet_write_msg(pc, &m, &err), -EINVAL);

    /* Unknown control bits. */
    assert_int_equal(cnet_packet_set_control(pc, 0x1000, 1, &err), -EINVAL);

    /* A stopped conn. */
    cnet_packet_stop(pc);
    assert_int_equal(cnet_packet_read_msg(pc, &m, &err), CNET_ECLOSED);
    snprintf(want, sizeof want, "read udp4 %s: use of closed network connection", addr);
    assert_string_equal(err.msg, want);
    assert_int_equal(cnet_packet_set_control(pc, CNET_MSG_TOS, 1, &err), CNET_ECLOSED);
    cnet_packet_close(pc);
}

static void unixgram_is_refused(void **state)
{
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("unixgram", "");
    cnet_msg m;
    cnet_error err;
    memset(&m, 0, sizeof m);
    assert_int_equal(cnet_packet_read_msg(pc, &m, &err), CNET_EADDRTYPE);
    assert_int_equal(cnet_packet_set_control(pc, CNET_MSG_TOS, 1, &err), CNET_EADDRTYPE);
    cnet_packet_close(pc);
}

/* A read blocked in another thread (or task) is woken by a stop. */
static void blocked_read(tu_blocked_call *bc)
{
    char buf[8];
    cnet_msg m = {.buf = buf, .len = sizeof buf};
    bc->rc = cnet_packet_read_msg(bc->handle, &m, &bc->err);
}

static void stop_wakes_a_blocked_read(void **state)
{
    (void)state;
    tu_blocked_call bc = {.call = blocked_read};
    bc.handle = tu_listen_packet("udp4", "127.0.0.1:0");
    tu_blocked_call_start(&bc);
    cnet_packet_stop(bc.handle);
    tu_blocked_call_join(&bc);
    assert_int_equal(bc.rc, CNET_ECLOSED);
    cnet_packet_close(bc.handle);
}

/* A deadline set while the read waits wakes it with a timeout. */
static void deadline_ends_a_waiting_read(void **state)
{
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("udp4", "127.0.0.1:0");
    char buf[8];
    cnet_msg m = {.buf = buf, .len = sizeof buf};
    cnet_error err;
    assert_int_equal(cnet_packet_set_read_deadline(pc, cnet_now_ns() + 50000000), 0);
    assert_int_equal(cnet_packet_read_msg(pc, &m, &err), CNET_ETIMEOUT);
    cnet_packet_close(pc);
}

/* ---- in the namespace: two addresses on two devices ---------------------------------- */

/* The wildcard server answers each datagram from the address it was sent to, so the
 * client sees the reply come from the address it wrote to. Without the control data the
 * kernel would pick the source by route (the client's own address here): checked too,
 * so that the test can tell the two apart. */
static void reply_comes_from_the_arrival_address(void **state)
{
    (void)state;
    cnet_packet_conn *srv = with_control("udp4", "0.0.0.0:0", CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX);
    cnet_packet_conn *cli = tu_listen_packet("udp4", "198.18.1.1:0");
    char saddr[CNET_ADDRSTRLEN], to[CNET_ADDRSTRLEN], from[CNET_ADDRSTRLEN], buf[16];
    cnet_error err;
    cnet_msg m;
    int port = tu_packet_addr(srv, saddr, sizeof saddr);
    static const char *const dsts[] = {"198.18.2.1", "198.18.1.1", "127.0.0.1"};
    static const char *const devs[] = {"d2", "d1", "lo"};
    for (size_t i = 0; i < sizeof dsts / sizeof dsts[0]; i++) {
        snprintf(to, sizeof to, "%s:%d", dsts[i], port);
        send_msg(cli, to, "q", NULL);
        assert_int_equal(recv_msg(srv, &m, buf, sizeof buf), 1);
        assert_string_equal(m.ctl.local_ip, dsts[i]);
        assert_true(m.ctl.flags & CNET_MSG_IFINDEX);
        /* Local delivery: Linux names the device that holds the address. */
        assert_int_equal(m.ctl.ifindex, if_nametoindex(devs[i]));
        /* The reply from that address; not pinned to that device, which would send it
         * out of d2 instead of delivering it here. */
        cnet_msg r = m;
        r.ctl.flags &= ~(unsigned)CNET_MSG_IFINDEX;
        r.buf = "a";
        r.len = 1;
        assert_int_equal(cnet_packet_write_msg(srv, &r, &err), 1);
        assert_int_equal(cnet_packet_set_read_deadline(cli, cnet_now_ns() + 5000000000LL), 0);
        assert_int_equal(cnet_packet_read_from(cli, buf, sizeof buf, from, sizeof from, &err), 1);
        assert_string_equal(from, to);
    }
    /* The control: a plain reply to 198.18.2.1's datagram leaves from the route's choice. */
    snprintf(to, sizeof to, "198.18.2.1:%d", port);
    send_msg(cli, to, "q", NULL);
    assert_int_equal(recv_msg(srv, &m, buf, sizeof buf), 1);
    assert_int_equal(cnet_packet_write_to(srv, "a", 1, m.addr, &err), 1);
    assert_int_equal(cnet_packet_read_from(cli, buf, sizeof buf, from, sizeof from, &err), 1);
    snprintf(to, sizeof to, "198.18.1.1:%d", port);
    assert_string_equal(from, to);
    /* A source address chosen without a received datagram; and the interface. */
    cnet_msg_control ctl = {.flags = CNET_MSG_LOCAL_IP};
    snprintf(ctl.local_ip, sizeof ctl.local_ip, "198.18.2.1");
    char caddr[CNET_ADDRSTRLEN];
    tu_packet_addr(cli, caddr, sizeof caddr);
    send_msg(srv, caddr, "b", &ctl);
    assert_int_equal(cnet_packet_read_from(cli, buf, sizeof buf, from, sizeof from, &err), 1);
    snprintf(to, sizeof to, "198.18.2.1:%d", port);
    assert_string_equal(from, to);
    cnet_packet_close(cli);
    cnet_packet_close(srv);
}

/* The same on a dual-stack socket ("udp" on ":0" is [::]): IPv4 datagrams carry IPv4
 * pktinfo, and the reply is sent IPv4-mapped. */
static void dual_stack_reply_from_the_arrival_address(void **state)
{
    (void)state;
    cnet_packet_conn *srv = with_control("udp", ":0", CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX);
    cnet_packet_conn *cli = tu_listen_packet("udp4", "198.18.1.1:0");
    char saddr[CNET_ADDRSTRLEN], to[CNET_ADDRSTRLEN], from[CNET_ADDRSTRLEN], buf[16];
    cnet_error err;
    cnet_msg m;
    int port = tu_packet_addr(srv, saddr, sizeof saddr);
    snprintf(to, sizeof to, "198.18.2.1:%d", port);
    send_msg(cli, to, "q", NULL);
    assert_int_equal(recv_msg(srv, &m, buf, sizeof buf), 1);
    assert_string_equal(m.ctl.local_ip, "198.18.2.1");
    assert_int_equal(m.ctl.ifindex, if_nametoindex("d2"));
    cnet_msg r = m;
    r.ctl.flags &= ~(unsigned)CNET_MSG_IFINDEX;
    r.buf = "a";
    r.len = 1;
    if (cnet_packet_write_msg(srv, &r, &err) != 1)
        fail_msg("dual-stack reply: %s", err.msg);
    assert_int_equal(cnet_packet_set_read_deadline(cli, cnet_now_ns() + 5000000000LL), 0);
    assert_int_equal(cnet_packet_read_from(cli, buf, sizeof buf, from, sizeof from, &err), 1);
    assert_string_equal(from, to);
    cnet_packet_close(cli);
    cnet_packet_close(srv);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        TU_TEST(pktinfo_on_loopback_v4),
        TU_TEST(tos_and_ttl_per_datagram),
        TU_TEST(pktinfo_on_loopback_v6),
        TU_TEST(truncation_is_flagged),
        TU_TEST(errors_name_the_operation),
        TU_TEST(unixgram_is_refused),
        TU_TEST(stop_wakes_a_blocked_read),
        TU_TEST(deadline_ends_a_waiting_read),
    };
    static const struct CMUnitTest netns_tests[] = {
        TU_TEST(reply_comes_from_the_arrival_address),
        TU_TEST(dual_stack_reply_from_the_arrival_address),
    };
    if (argc > 1 && strcmp(argv[1], "netns") == 0)
        return cmocka_run_group_tests(netns_tests, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
