/* IPv4 multicast on the host's lo (lab.md §2a). Safety: every join and every send
 * names lo (cnet joins on the interface it is given; the raw sender sets
 * IP_MULTICAST_IF), so nothing leaves the machine. Go: go-listen.md §8, rules 20, 21. */
#include "testutil.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>

#define GROUP "239.77.2.34"

static cnet_packet_conn *join_lo(const char *group_address)
{
    cnet_packet_conn *pc = NULL;
    cnet_error err;
    int rc = cnet_listen_multicast_udp("udp4", "lo", group_address, &pc, &err);
    if (rc != 0)
        print_message("cnet_listen_multicast_udp(udp4, lo, %s): %s\n", group_address, err.msg);
    assert_int_equal(rc, 0);
    assert_non_null(pc);
    return pc;
}

/* A plain socket that sends to the group through lo, with loopback on. */
static int lo_sender(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(s >= 0);
    struct ip_mreqn mr = {.imr_ifindex = (int)if_nametoindex("lo")};
    assert_true(mr.imr_ifindex > 0);
    assert_int_equal(setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr), 0);
    unsigned char loop = 1;
    assert_int_equal(setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop), 0);
    return s;
}

static void send_raw_to_group(int port, const char *payload)
{
    int s = lo_sender();
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    assert_int_equal(inet_pton(AF_INET, GROUP, &to.sin_addr), 1);
    assert_int_equal(sendto(s, payload, strlen(payload), 0, (struct sockaddr *)&to, sizeof to),
                     (ssize_t)strlen(payload));
    close(s);
}

static void expect_datagram(cnet_packet_conn *pc, const char *payload)
{
    assert_true(tu_wait_readable(cnet_packet_fd(pc), 5000));
    char buf[64], from[CNET_ADDRSTRLEN];
    cnet_error err;
    ssize_t n = cnet_packet_read_from(pc, buf, sizeof buf, from, sizeof from, &err);
    assert_int_equal(n, (ssize_t)strlen(payload));
    assert_memory_equal(buf, payload, strlen(payload));
    assert_true(from[0] != '\0');
}

static void multicast_options_match_go(void **state)
{
    (void)state;
    cnet_packet_conn *pc = join_lo(GROUP ":0");
    int fd = cnet_packet_fd(pc);
    char addr[CNET_ADDRSTRLEN], want[CNET_ADDRSTRLEN];
    int port = tu_packet_addr(pc, addr, sizeof addr);
    snprintf(want, sizeof want, "0.0.0.0:%d", port);
    assert_string_equal(addr, want);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEADDR), 1);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEPORT), 0);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_BROADCAST), 1);
    assert_int_equal(tu_sockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP), 0);
    assert_true(tu_is_cloexec(fd));
    assert_int_equal(cnet_packet_close(pc), 0);
}

/* Rule 21, beyond Go: both receivers get the datagram. */
static void multicast_two_receivers_both_receive(void **state)
{
    (void)state;
    cnet_packet_conn *a = join_lo(GROUP ":0");
    char addr[CNET_ADDRSTRLEN], group[64];
    int port = tu_packet_addr(a, addr, sizeof addr);
    snprintf(group, sizeof group, GROUP ":%d", port);
    cnet_packet_conn *b = join_lo(group);
    assert_int_equal(tu_packet_addr(b, addr, sizeof addr), port);
    send_raw_to_group(port, "hello-mcast");
    expect_datagram(a, "hello-mcast");
    expect_datagram(b, "hello-mcast");
    assert_int_equal(cnet_packet_close(a), 0);
    assert_int_equal(cnet_packet_close(b), 0);
}

/* A cnet multicast conn sends to the group; with loop off on the sender, lo's own
 * transmission still loops back (lab.md §2a "noloop"). Linux cannot read an
 * ifindex-only IP_MULTICAST_IF back, so the test sets lo again itself: were cnet to
 * forget it, the datagram would leave through eth0 (safety rule 1). test_multicast6
 * checks cnet's own choice inside a namespace. */
static void pin_to_lo(int fd)
{
    struct ip_mreqn mr = {.imr_ifindex = (int)if_nametoindex("lo")};
    assert_int_equal(setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr), 0);
}

static void multicast_cnet_sender_on_lo_reaches_receivers(void **state)
{
    (void)state;
    cnet_packet_conn *a = join_lo(GROUP ":0");
    char addr[CNET_ADDRSTRLEN], group[64];
    int port = tu_packet_addr(a, addr, sizeof addr);
    snprintf(group, sizeof group, GROUP ":%d", port);
    cnet_packet_conn *b = join_lo(group);
    cnet_packet_conn *sender = join_lo(group);
    pin_to_lo(cnet_packet_fd(sender));
    cnet_error err;
    assert_int_equal(cnet_packet_write_to(sender, "via-cnet", 8, group, &err), 8);
    expect_datagram(a, "via-cnet");
    expect_datagram(b, "via-cnet");
    assert_int_equal(cnet_packet_close(sender), 0);
    assert_int_equal(cnet_packet_close(a), 0);
    assert_int_equal(cnet_packet_close(b), 0);
}

/* The membership shows up under lo in /proc/net/igmp, and goes away on close. */
static int igmp_lo_has_group(const char *group)
{
    struct in_addr a;
    assert_int_equal(inet_pton(AF_INET, group, &a), 1);
    char hex[16];
    snprintf(hex, sizeof hex, "%08X", (unsigned)a.s_addr);
    FILE *f = fopen("/proc/net/igmp", "r");
    assert_non_null(f);
    char line[256], dev[32] = "";
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        if (line[0] != '\t' && line[0] != ' ')
            sscanf(line, "%*d %31s", dev); /* a device line: "1\tlo        :     2      V3" */
        else
            found = strcmp(dev, "lo") == 0 && strstr(line, hex) != NULL;
    }
    fclose(f);
    return found;
}

static void multicast_join_listed_in_proc_igmp(void **state)
{
    (void)state;
    cnet_packet_conn *pc = join_lo("239.77.2.35:0");
    assert_true(igmp_lo_has_group("239.77.2.35"));
    assert_int_equal(cnet_packet_close(pc), 0);
    assert_false(igmp_lo_has_group("239.77.2.35"));
}

/* Rule 22: bound to the wildcard, so a unicast datagram to the port arrives too. */
static void multicast_receives_unicast_to_port(void **state)
{
    (void)state;
    cnet_packet_conn *pc = join_lo(GROUP ":0");
    char addr[CNET_ADDRSTRLEN], to[64];
    snprintf(to, sizeof to, "127.0.0.1:%d", tu_packet_addr(pc, addr, sizeof addr));
    cnet_packet_conn *sender = tu_listen_packet("udp4", "127.0.0.1:0");
    assert_int_equal(cnet_packet_write_to(sender, "unicast", 7, to, NULL), 7);
    expect_datagram(pc, "unicast");
    assert_int_equal(cnet_packet_close(sender), 0);
    assert_int_equal(cnet_packet_close(pc), 0);
}

static void expect_failure(const char *network, const char *ifname, const char *group, int code,
                           const char *want_prefix)
{
    cnet_packet_conn *pc = (cnet_packet_conn *)&pc; /* must be overwritten with NULL */
    cnet_error err;
    print_message("%s %s %s\n", network, ifname ? ifname : "(null)", group);
    assert_int_equal(cnet_listen_multicast_udp(network, ifname, group, &pc, &err), code);
    assert_null(pc);
    assert_int_equal(err.code, code);
    /* cnet's own errors have no Go text to copy; they follow Go's OpError shape and end
     * in cnet_strerror's text. */
    assert_true(strncmp(err.msg, want_prefix, strlen(want_prefix)) == 0);
    const char *text = cnet_strerror(code);
    size_t mlen = strlen(err.msg), tlen = strlen(text);
    assert_true(mlen > tlen);
    assert_string_equal(err.msg + mlen - tlen, text);
}

static void multicast_non_group_enotmulticast(void **state)
{
    (void)state;
    expect_failure("udp4", "lo", "127.0.0.1:5000", CNET_ENOTMULTICAST, "listen udp4 ");
    expect_failure("udp", "lo", "10.1.2.3:5000", CNET_ENOTMULTICAST, "listen udp ");
    expect_failure("udp6", "lo", "[::1]:5000", CNET_ENOTMULTICAST, "listen udp6 ");
}

static void multicast_unknown_interface_enointerface(void **state)
{
    (void)state;
    expect_failure("udp4", "cnet-nosuch0", GROUP ":5000", CNET_ENOINTERFACE, "listen udp4 ");
}

static void multicast_tcp_network_unknown(void **state)
{
    (void)state;
    cnet_packet_conn *pc = (cnet_packet_conn *)&pc;
    cnet_error err;
    assert_int_equal(cnet_listen_multicast_udp("tcp", "lo", GROUP ":5000", &pc, &err),
                     CNET_EUNKNOWNNET);
    assert_null(pc);
    assert_string_equal(err.msg, "listen tcp " GROUP ":5000: unknown network tcp"); /* Go 1.19 */
}

/* In a child, in a network namespace of its own where lo cannot carry IPv4 (an MTU
 * below IPv4's 68 drops its IPv4 state, so the kernel refuses the join with ENODEV):
 * the join's code and text, or "skip" where no namespace can be made. */
static int join_without_ipv4(void *arg, int out)
{
    const char *network = arg;
    cnet_packet_conn *pc = NULL;
    cnet_error err;
    char line[CNET_ERROR_MAX + 16];

    if (unshare(CLONE_NEWNET) < 0)
        return dprintf(out, "skip") < 0;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    ifr.ifr_mtu = 60;
    if (s < 0 || ioctl(s, SIOCSIFMTU, &ifr) < 0)
        return dprintf(out, "SIOCSIFMTU: %d", errno) < 0;
    close(s);
    int rc = cnet_listen_multicast_udp(network, "lo", GROUP ":5000", &pc, &err);
    snprintf(line, sizeof line, "%d %s", rc, rc < 0 ? err.msg : "joined");
    return dprintf(out, "%s", line) < 0;
}

/* A join the kernel refuses names the group only, as Go 1.19 does (not the bound
 * wildcard): "listen udp4 239.77.2.34:5000: setsockopt: no such device". */
static void multicast_refused_join_names_the_group(void **state)
{
    (void)state;
    static const char *const networks[] = {"udp4", "udp"};
    for (size_t i = 0; i < sizeof networks / sizeof networks[0]; i++) {
        char out[CNET_ERROR_MAX + 16], want[CNET_ERROR_MAX + 16];
        assert_int_equal(tu_run_child(join_without_ipv4, (void *)networks[i], out, sizeof out), 0);
        if (strcmp(out, "skip") == 0)
            skip(); /* no private network namespace here */
#ifdef CNET_TEST_PORTABLE_FALLBACKS
        /* darwin's join names the interface by its IPv4 address, which lo lacks here */
        snprintf(want, sizeof want, "%d listen %s " GROUP ":5000: no such multicast interface",
                 CNET_ENOIPV4IF, networks[i]);
#else
        snprintf(want, sizeof want, "%d listen %s " GROUP ":5000: setsockopt: no such device",
                 -ENODEV, networks[i]);
#endif
        assert_string_equal(out, want);
    }
}

int main(void)
{
    if (if_nametoindex("lo") == 0) {
        print_message("no lo interface\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        TU_TEST(multicast_options_match_go),
        TU_TEST(multicast_two_receivers_both_receive),
        TU_TEST(multicast_cnet_sender_on_lo_reaches_receivers),
        TU_TEST(multicast_join_listed_in_proc_igmp),
        TU_TEST(multicast_receives_unicast_to_port),
        TU_TEST(multicast_non_group_enotmulticast),
        TU_TEST(multicast_unknown_interface_enointerface),
        TU_TEST(multicast_tcp_network_unknown),
        TU_TEST(multicast_refused_join_names_the_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
