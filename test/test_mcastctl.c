/* Multicast control (issue 13 §3): x/net's ipv4.PacketConn joins and leaves on several
 * interfaces, source-specific joins (IGMPv3), multicast TTL, loopback and outgoing
 * interface, and the receiver bound to its group (golang/go#73484). Every join and send
 * names its interface. The datagram tests run in msg-netns.sh's private namespace (d1
 * with 198.18.1.1, d2 with 198.18.2.1; nothing leaves it): argument "netns". Without it,
 * only what needs no traffic (errors, on lo). */
#include "testutil.h"

#include <net/if.h>
#include <stdbool.h>

#define NO_DATAGRAM_MS 300 /* how long "nothing arrives" is watched */

static cnet_packet_conn *receiver(void)
{
    cnet_packet_conn *pc = tu_listen_packet("udp4", "0.0.0.0:0");
    assert_int_equal(cnet_packet_set_control(pc, CNET_MSG_ALL & ~CNET_MSG_SEGMENT, 1, NULL), 0);
    return pc;
}

static void ok(int rc, const cnet_error *err)
{
    if (rc != 0)
        fail_msg("%d %s", rc, err->msg);
}

/* A sender bound to local (an address of the namespace), sending through ifname with
 * loopback on, so that this host's members get what it sends. */
static cnet_packet_conn *sender(const char *local, const char *ifname, int ttl)
{
    cnet_packet_conn *pc = tu_listen_packet("udp4", local);
    cnet_error err;
    ok(cnet_packet_set_multicast_interface(pc, ifname, &err), &err);
    ok(cnet_packet_set_multicast_loopback(pc, 1, &err), &err);
    ok(cnet_packet_set_multicast_ttl(pc, ttl, &err), &err);
    return pc;
}

static void send_to(cnet_packet_conn *pc, const char *group, int port, const char *text)
{
    char to[CNET_ADDRSTRLEN];
    cnet_error err;
    snprintf(to, sizeof to, "%s:%d", group, port);
    if (cnet_packet_write_to(pc, text, strlen(text), to, &err) != (ssize_t)strlen(text))
        fail_msg("write_to %s: %s", to, err.msg);
}

/* The next datagram within 5 s, or fails; its text in buf. */
static void expect_datagram(cnet_packet_conn *pc, const char *text, cnet_msg *m)
{
    static char buf[64];
    cnet_error err;
    memset(m, 0, sizeof *m);
    m->buf = buf;
    m->len = sizeof buf - 1;
    assert_int_equal(cnet_packet_set_read_deadline(pc, cnet_now_ns() + 5000000000LL), 0);
    ssize_t n = cnet_packet_read_msg(pc, m, &err);
    if (n < 0)
        fail_msg("waiting for \"%s\": %s", text, err.msg);
    buf[n] = '\0';
    assert_string_equal(buf, text);
}

static void expect_nothing(cnet_packet_conn *pc)
{
    char buf[64], from[CNET_ADDRSTRLEN];
    cnet_error err;
    assert_int_equal(cnet_packet_set_read_deadline(pc, cnet_now_ns() + NO_DATAGRAM_MS * 1000000LL), 0);
    ssize_t n = cnet_packet_read_from(pc, buf, sizeof buf, from, sizeof from, &err);
    if (n >= 0)
        fail_msg("unexpected datagram from %s: %.*s", from, (int)n, buf);
    assert_int_equal(n, CNET_ETIMEOUT);
}

static void join_on_two_interfaces_leave_one(void **state)
{
    (void)state;
    const char *g = "239.77.1.1";
    cnet_packet_conn *r = receiver();
    cnet_packet_conn *s1 = sender("198.18.1.1:0", "d1", 1);
    cnet_packet_conn *s2 = sender("198.18.2.1:0", "d2", 1);
    char raddr[CNET_ADDRSTRLEN], want[CNET_ERROR_MAX];
    cnet_error err;
    cnet_msg m;
    int port = tu_packet_addr(r, raddr, sizeof raddr);
    ok(cnet_packet_join_group(r, "d1", g, &err), &err);
    ok(cnet_packet_join_group(r, "d2", g, &err), &err);
    send_to(s1, g, port, "via d1");
    expect_datagram(r, "via d1", &m);
    assert_string_equal(m.ctl.local_ip, g);
    assert_int_equal(m.ctl.ifindex, if_nametoindex("d1"));
    send_to(s2, g, port, "via d2");
    expect_datagram(r, "via d2", &m);
    assert_int_equal(m.ctl.ifindex, if_nametoindex("d2"));
    /* A second join of one group on one interface. */
    assert_int_equal(cnet_packet_join_group(r, "d2", g, &err), -EADDRINUSE);
    snprintf(want, sizeof want, "set udp4 %s: setsockopt: address already in use", raddr);
    assert_string_equal(err.msg, want);
    /* Left on d1: only d2's datagrams still arrive. */
    ok(cnet_packet_leave_group(r, "d1", g, &err), &err);
    send_to(s1, g, port, "via d1 again");
    send_to(s2, g, port, "via d2 again");
    expect_datagram(r, "via d2 again", &m);
    expect_nothing(r);
    assert_int_equal(cnet_packet_leave_group(r, "d1", g, &err), -EADDRNOTAVAIL);
    cnet_packet_close(s1);
    cnet_packet_close(s2);
    cnet_packet_close(r);
}

static void ttl_and_loopback(void **state)
{
    (void)state;
    const char *g = "239.77.1.2";
    cnet_packet_conn *r = receiver();
    cnet_packet_conn *s = sender("198.18.1.1:0", "d1", 5);
    char raddr[CNET_ADDRSTRLEN];
    cnet_error err;
    cnet_msg m;
    int port = tu_packet_addr(r, raddr, sizeof raddr);
    ok(cnet_packet_join_group(r, "d1", g, &err), &err);
    send_to(s, g, port, "ttl 5");
    expect_datagram(r, "ttl 5", &m);
    assert_int_equal(m.ctl.ttl, 5);
    ok(cnet_packet_set_multicast_ttl(s, 9, &err), &err);
    send_to(s, g, port, "ttl 9");
    expect_datagram(r, "ttl 9", &m);
    assert_int_equal(m.ctl.ttl, 9);
    ok(cnet_packet_set_multicast_loopback(s, 0, &err), &err);
    send_to(s, g, port, "not looped back");
    expect_nothing(r);
    ok(cnet_packet_set_multicast_loopback(s, 1, &err), &err);
    send_to(s, g, port, "looped back");
    expect_datagram(r, "looped back", &m);
    assert_int_equal(cnet_packet_set_multicast_ttl(s, 256, &err), -EINVAL);
    cnet_packet_close(s);
    cnet_packet_close(r);
}

/* IGMPv3: joined for source 198.18.1.1 only, the receiver never sees 198.18.2.1's
 * datagrams to the group; after leaving that and joining for any source, it does. */
static void source_specific_join(void **state)
{
    (void)state;
    const char *g = "232.1.1.1";
    cnet_packet_conn *r = receiver();
    cnet_packet_conn *a = sender("198.18.1.1:0", "d1", 1);
    cnet_packet_conn *b = sender("198.18.2.1:0", "d1", 1);
    char raddr[CNET_ADDRSTRLEN], aaddr[CNET_ADDRSTRLEN], baddr[CNET_ADDRSTRLEN];
    cnet_error err;
    cnet_msg m;
    int port = tu_packet_addr(r, raddr, sizeof raddr);
    tu_packet_addr(a, aaddr, sizeof aaddr);
    tu_packet_addr(b, baddr, sizeof baddr);
    ok(cnet_packet_join_source_group(r, "d1", g, "198.18.1.1", &err), &err);
    send_to(b, g, port, "from b");
    send_to(a, g, port, "from a");
    expect_datagram(r, "from a", &m);
    assert_string_equal(m.addr, aaddr);
    expect_nothing(r);
    ok(cnet_packet_leave_source_group(r, "d1", g, "198.18.1.1", &err), &err);
    ok(cnet_packet_join_group(r, "d1", g, &err), &err);
    send_to(b, g, port, "from b");
    expect_datagram(r, "from b", &m);
    assert_string_equal(m.addr, baddr);
    cnet_packet_close(a);
    cnet_packet_close(b);
    cnet_packet_close(r);
}

/* golang/go#73484: a receiver on the wildcard address gets the datagrams of a group it
 * never joined once another socket on the host joins that group on its port; the one
 * bound to its group does not. */
static void receiver_bound_to_its_group(void **state)
{
    (void)state;
    cnet_multicast_opts bind_group = {.bind_group = 1};
    cnet_packet_conn *bound, *wild, *other;
    char addr[CNET_ADDRSTRLEN], group2[CNET_ADDRSTRLEN];
    cnet_error err;
    cnet_msg m;
    ok(cnet_listen_multicast_udp_with(&bind_group, "udp4", "d1", "239.77.2.1:0", &bound, &err), &err);
    int port = tu_packet_addr(bound, addr, sizeof addr);
    char want[CNET_ADDRSTRLEN];
    snprintf(want, sizeof want, "239.77.2.1:%d", port);
    assert_string_equal(addr, want);
    snprintf(addr, sizeof addr, "239.77.2.1:%d", port);
    snprintf(group2, sizeof group2, "239.77.2.2:%d", port);
    ok(cnet_listen_multicast_udp("udp4", "d1", addr, &wild, &err), &err);
    ok(cnet_listen_multicast_udp("udp4", "d1", group2, &other, &err), &err);
    cnet_packet_conn *s = sender("198.18.1.1:0", "d1", 1);
    send_to(s, "239.77.2.2", port, "to group 2");
    expect_datagram(other, "to group 2", &m);
    expect_datagram(wild, "to group 2", &m); /* Go's default: it gets group 2's too */
    expect_nothing(bound);
    send_to(s, "239.77.2.1", port, "to group 1");
    expect_datagram(bound, "to group 1", &m);
    expect_datagram(wild, "to group 1", &m);
    cnet_packet_close(s);
    cnet_packet_close(other);
    cnet_packet_close(wild);
    cnet_packet_close(bound);
}

/* MLD: the same joins on IPv6, hop limit and interface included. */
static void ipv6_join_hop_limit_and_leave(void **state)
{
    (void)state;
    const char *g = "ff15::77";
    cnet_packet_conn *r = tu_listen_packet("udp6", "[::]:0");
    cnet_packet_conn *s = tu_listen_packet("udp6", "[fd42:1::1]:0");
    char raddr[CNET_ADDRSTRLEN];
    cnet_error err;
    cnet_msg m;
    int port = tu_packet_addr(r, raddr, sizeof raddr);
    ok(cnet_packet_set_control(r, CNET_MSG_TTL | CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX, 1, &err), &err);
    ok(cnet_packet_join_group(r, "d1", g, &err), &err);
    ok(cnet_packet_set_multicast_interface(s, "d1", &err), &err);
    ok(cnet_packet_set_multicast_loopback(s, 1, &err), &err);
    ok(cnet_packet_set_multicast_ttl(s, 4, &err), &err);
    char to[CNET_ADDRSTRLEN];
    snprintf(to, sizeof to, "[%s]:%d", g, port);
    assert_int_equal(cnet_packet_write_to(s, "six", 3, to, &err), 3);
    expect_datagram(r, "six", &m);
    assert_int_equal(m.ctl.ttl, 4);
    assert_string_equal(m.ctl.local_ip, g);
    assert_int_equal(m.ctl.ifindex, if_nametoindex("d1"));
    ok(cnet_packet_leave_group(r, "d1", g, &err), &err);
    assert_int_equal(cnet_packet_write_to(s, "gone", 4, to, &err), 4);
    expect_nothing(r);
    assert_int_equal(cnet_packet_join_group(r, "d1", "239.1.1.1", &err), CNET_ENOTMULTICAST);
    cnet_packet_close(s);
    cnet_packet_close(r);
}

static void bad_arguments(void **state)
{
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("udp4", "127.0.0.1:0");
    cnet_packet_conn *ug = tu_listen_packet("unixgram", "");
    char addr[CNET_ADDRSTRLEN], want[CNET_ERROR_MAX];
    cnet_error err;
    tu_packet_addr(pc, addr, sizeof addr);
    assert_int_equal(cnet_packet_join_group(pc, "lo", "127.0.0.1", &err), CNET_ENOTMULTICAST);
    snprintf(want, sizeof want, "set udp4 %s: group 127.0.0.1: not a multicast address", addr);
    assert_string_equal(err.msg, want);
    assert_int_equal(cnet_packet_join_group(pc, "lo", "ff02::1", &err), CNET_ENOTMULTICAST);
    assert_int_equal(cnet_packet_join_group(pc, "lo", "not-an-ip", &err), CNET_EINVALIDADDR);
    assert_int_equal(cnet_packet_join_group(pc, "nosuchif0", "239.1.1.1", &err), CNET_ENOINTERFACE);
    snprintf(want, sizeof want, "set udp4 %s: interface nosuchif0: no such network interface", addr);
    assert_string_equal(err.msg, want);
    assert_int_equal(cnet_packet_join_group(pc, "lo", NULL, &err), -EINVAL);
    assert_int_equal(cnet_packet_join_source_group(pc, "lo", "232.1.1.1", NULL, &err), -EINVAL);
    assert_int_equal(cnet_packet_join_source_group(pc, "lo", "232.1.1.1", "::1", &err), -EINVAL);
    assert_int_equal(cnet_packet_join_group(NULL, "lo", "239.1.1.1", &err), -EINVAL);
    assert_int_equal(cnet_packet_set_multicast_ttl(NULL, 1, &err), -EINVAL);
    assert_int_equal(cnet_packet_set_multicast_interface(pc, "nosuchif0", &err), CNET_ENOINTERFACE);
    assert_int_equal(cnet_packet_join_group(ug, "lo", "239.1.1.1", &err), CNET_EADDRTYPE);
    assert_int_equal(cnet_packet_set_multicast_loopback(ug, 1, &err), CNET_EADDRTYPE);
    cnet_packet_conn *out = (cnet_packet_conn *)&out;
    cnet_multicast_opts bg = {.bind_group = 1};
    assert_int_equal(cnet_listen_multicast_udp_with(&bg, "udp4", "lo", "127.0.0.1:0", &out, &err),
                     CNET_ENOTMULTICAST);
    assert_null(out);
    assert_int_equal(cnet_listen_multicast_udp_with(&bg, "tcp", "lo", "239.1.1.1:0", &out, &err),
                     CNET_EUNKNOWNNET);
    assert_int_equal(cnet_listen_multicast_udp_with(&bg, "udp4", "nosuchif0", "239.1.1.1:0", &out, &err),
                     CNET_ENOINTERFACE);
    cnet_packet_stop(pc);
    assert_int_equal(cnet_packet_join_group(pc, "lo", "239.1.1.1", &err), CNET_ECLOSED);
    cnet_packet_close(ug);
    cnet_packet_close(pc);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        TU_TEST(bad_arguments),
    };
    static const struct CMUnitTest netns_tests[] = {
        TU_TEST(join_on_two_interfaces_leave_one),
        TU_TEST(ttl_and_loopback),
        TU_TEST(source_specific_join),
        TU_TEST(receiver_bound_to_its_group),
        TU_TEST(ipv6_join_hop_limit_and_leave),
        TU_TEST(bad_arguments),
    };
    if (argc > 1 && strcmp(argv[1], "netns") == 0)
        return cmocka_run_group_tests(netns_tests, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
