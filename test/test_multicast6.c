/* IPv6 multicast, and cnet's own choice of the sending interface. IPv6 multicast
 * cannot use lo (lab.md §2b), so this program runs only inside the private namespace
 * made by netns-run.sh (ifb device mc0); it exits 77 (skip) anywhere else. */
#include "testutil.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#define IFNAME "mc0"

static cnet_packet_conn *join(const char *network, const char *ifname, const char *group_address)
{
    cnet_packet_conn *pc = NULL;
    cnet_error err;
    int rc = cnet_listen_multicast_udp(network, ifname, group_address, &pc, &err);
    if (rc != 0)
        print_message("cnet_listen_multicast_udp(%s, %s, %s): %s\n", network, ifname, group_address,
                      err.msg);
    assert_int_equal(rc, 0);
    assert_non_null(pc);
    return pc;
}

/* A plain socket sending to group on mc0 with loopback on: an ifb device drops what it
 * transmits, so receivers get only the looped-back copy. */
static void send_raw6(const char *group, int port, const char *payload)
{
    int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(s >= 0);
    unsigned ifindex = if_nametoindex(IFNAME);
    int loop = 1;
    assert_int_equal(setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex), 0);
    assert_int_equal(setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof loop), 0);
    struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
                              .sin6_scope_id = ifindex};
    assert_int_equal(inet_pton(AF_INET6, group, &to.sin6_addr), 1);
    assert_int_equal(sendto(s, payload, strlen(payload), 0, (struct sockaddr *)&to, sizeof to),
                     (ssize_t)strlen(payload));
    close(s);
}

static void expect_datagram(cnet_packet_conn *pc, const char *payload, int v6)
{
    assert_true(tu_wait_readable(cnet_packet_fd(pc), 5000));
    char buf[64], from[CNET_ADDRSTRLEN];
    ssize_t n = cnet_packet_read_from(pc, buf, sizeof buf, from, sizeof from, NULL);
    assert_int_equal(n, (ssize_t)strlen(payload));
    assert_memory_equal(buf, payload, strlen(payload));
    assert_int_equal(from[0] == '[', v6);
}

/* /proc/net/igmp6 rows: "idx dev group-in-32-hex users flags timer". */
static int igmp6_has(const char *dev, const char *group)
{
    struct in6_addr a;
    assert_int_equal(inet_pton(AF_INET6, group, &a), 1);
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", a.s6_addr[i]);
    FILE *f = fopen("/proc/net/igmp6", "r");
    assert_non_null(f);
    char line[256], d[32], g[64];
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL)
        found = sscanf(line, "%*d %31s %63s", d, g) == 2 && strcmp(d, dev) == 0 && strcmp(g, hex) == 0;
    fclose(f);
    return found;
}

static void two_receivers_both_receive(const char *group)
{
    char first[64], second[64], addr[CNET_ADDRSTRLEN], want[CNET_ADDRSTRLEN];
    snprintf(first, sizeof first, "[%s]:0", group);
    cnet_packet_conn *a = join("udp6", IFNAME, first);
    int port = tu_packet_addr(a, addr, sizeof addr);
    snprintf(want, sizeof want, "[::]:%d", port);
    assert_string_equal(addr, want);
    snprintf(second, sizeof second, "[%s]:%d", group, port);
    cnet_packet_conn *b = join("udp6", IFNAME, second);
    assert_true(igmp6_has(IFNAME, group));

    send_raw6(group, port, "hello-mcast6");
    expect_datagram(a, "hello-mcast6", 1);
    expect_datagram(b, "hello-mcast6", 1);
    assert_int_equal(cnet_packet_close(a), 0);
    assert_int_equal(cnet_packet_close(b), 0);
    assert_false(igmp6_has(IFNAME, group));
}

static void multicast6_link_local_group_two_receivers(void **state)
{
    (void)state;
    two_receivers_both_receive("ff02::114");
}

static void multicast6_site_group_two_receivers(void **state)
{
    (void)state;
    two_receivers_both_receive("ff15::114");
}

/* Rule 20 for IPv6, where Linux can read the sending interface back. */
static void multicast6_options_match_go(void **state)
{
    (void)state;
    cnet_packet_conn *pc = join("udp6", IFNAME, "[ff15::114]:0");
    int fd = cnet_packet_fd(pc);
    assert_int_equal(tu_family(fd), AF_INET6);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEADDR), 1);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEPORT), 0);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_BROADCAST), 1);
    assert_int_equal(tu_sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
    assert_int_equal(tu_sockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP), 0);
    assert_int_equal(tu_sockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF), (int)if_nametoindex(IFNAME));
    assert_true(tu_is_cloexec(fd));
    assert_int_equal(cnet_packet_close(pc), 0);
}

/* Network "udp" with an IPv6 group: an AF_INET6 socket that is not v6-only. */
static void multicast6_udp_network_not_v6only(void **state)
{
    (void)state;
    cnet_packet_conn *pc = join("udp", IFNAME, "[ff15::114]:0");
    int fd = cnet_packet_fd(pc);
    assert_int_equal(tu_family(fd), AF_INET6);
    assert_int_equal(tu_sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY), 0);
    assert_true(igmp6_has(IFNAME, "ff15::114"));
    assert_int_equal(cnet_packet_close(pc), 0);
}

/* IPv4: a cnet sender joined on lo must send through lo by itself. The namespace has
 * no multicast route, so without cnet's IP_MULTICAST_IF the datagram could not reach
 * the receivers (and could not leave the namespace either). */
static void multicast4_cnet_sender_uses_named_interface(void **state)
{
    (void)state;
    cnet_packet_conn *a = join("udp4", "lo", "239.77.3.45:0");
    char addr[CNET_ADDRSTRLEN], group[64];
    snprintf(group, sizeof group, "239.77.3.45:%d", tu_packet_addr(a, addr, sizeof addr));
    cnet_packet_conn *b = join("udp4", "lo", group);
    cnet_packet_conn *sender = join("udp4", "lo", group);
    cnet_error err;
    ssize_t n = cnet_packet_write_to(sender, "via-cnet", 8, group, &err);
    if (n < 0)
        print_message("write_to: %s\n", err.msg);
    assert_int_equal(n, 8);
    expect_datagram(a, "via-cnet", 0);
    expect_datagram(b, "via-cnet", 0);
    assert_int_equal(cnet_packet_close(sender), 0);
    assert_int_equal(cnet_packet_close(a), 0);
    assert_int_equal(cnet_packet_close(b), 0);
}

int main(void)
{
    if (if_nametoindex(IFNAME) == 0) {
        print_message("SKIP: no interface " IFNAME "; run me through test/netns-run.sh\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        TU_TEST(multicast6_link_local_group_two_receivers),
        TU_TEST(multicast6_site_group_two_receivers),
        TU_TEST(multicast6_options_match_go),
        TU_TEST(multicast6_udp_network_not_v6only),
        TU_TEST(multicast4_cnet_sender_uses_named_interface),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
