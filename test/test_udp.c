/* UDP packet sockets on loopback: go-listen.md §8, rules 3, 7, 22 and 23. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>

/* Rule 3: SO_BROADCAST on every UDP socket; rule 7: no reuse option on unicast. */
static void listen_packet_unicast_broadcast_without_reuse(void **state)
{
    (void)state;
    static const char *const rows[][2] = {
        {"udp", "127.0.0.1:0"}, {"udp4", "127.0.0.1:0"}, {"udp6", "[::1]:0"},
        {"udp", ":0"},          {"udp4", ":0"},          {"udp6", ":0"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        print_message("%s %s\n", rows[i][0], rows[i][1]);
        cnet_packet_conn *pc = tu_listen_packet(rows[i][0], rows[i][1]);
        int fd = cnet_packet_fd(pc);
        assert_true(fd >= 0);
        assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
        assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_BROADCAST), 1);
        assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEADDR), 0);
        assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEPORT), 0);
        assert_true(tu_is_cloexec(fd));
        assert_true(tu_is_nonblock(fd));
        assert_int_equal(cnet_packet_close(pc), 0);
    }
}

typedef struct wildcard_row {
    const char *net;
    const char *want_host;
    int family, v6only;
} wildcard_row;

/* Rules 9 and 11 for UDP. */
static void listen_packet_wildcards_follow_network(void **state)
{
    (void)state;
    static const wildcard_row rows[] = {
        {"udp", "[::]", AF_INET6, 0},
        {"udp4", "0.0.0.0", AF_INET, -1},
        {"udp6", "[::]", AF_INET6, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cnet_packet_conn *pc = tu_listen_packet(rows[i].net, ":0");
        int fd = cnet_packet_fd(pc);
        char addr[CNET_ADDRSTRLEN], want[CNET_ADDRSTRLEN];
        int port = tu_packet_addr(pc, addr, sizeof addr);
        snprintf(want, sizeof want, "%s:%d", rows[i].want_host, port);
        assert_string_equal(addr, want);
        assert_int_equal(tu_family(fd), rows[i].family);
        if (rows[i].v6only >= 0)
            assert_int_equal(tu_sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY), rows[i].v6only);
        assert_int_equal(cnet_packet_close(pc), 0);
    }
}

/* Rule 7. */
static void listen_packet_same_address_twice_eaddrinuse(void **state)
{
    (void)state;
    static const char *const rows[][3] = {
        {"udp", "127.0.0.1", "listen udp 127.0.0.1:"},
        {"udp6", "[::1]", "listen udp6 [::1]:"},
        {"udp", "", "listen udp :"},
        {"udp4", "", "listen udp4 :"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char first[64], second[64], addr[CNET_ADDRSTRLEN], want[256];
        snprintf(first, sizeof first, "%s:0", rows[i][1]);
        cnet_packet_conn *pc = tu_listen_packet(rows[i][0], first);
        int port = tu_packet_addr(pc, addr, sizeof addr);
        snprintf(second, sizeof second, "%s:%d", rows[i][1], port);
        snprintf(want, sizeof want, "%s%d: bind: address already in use", rows[i][2], port);
        cnet_packet_conn *pc2 = (cnet_packet_conn *)&pc; /* must be overwritten with NULL */
        cnet_error err;
        assert_int_equal(cnet_listen_packet(rows[i][0], second, &pc2, &err), -EADDRINUSE);
        assert_null(pc2);
        assert_int_equal(err.code, -EADDRINUSE);
        assert_string_equal(err.msg, want);
        assert_int_equal(cnet_packet_close(pc), 0);
    }
}

static void send_and_expect(cnet_packet_conn *from, cnet_packet_conn *to, const char *to_addr,
                            const char *want_from)
{
    cnet_error err;
    assert_int_equal(cnet_packet_write_to(from, "ping", 4, to_addr, &err), 4);
    assert_true(tu_wait_readable(cnet_packet_fd(to), 5000));
    char buf[16], src[CNET_ADDRSTRLEN] = "garbage";
    assert_int_equal(cnet_packet_read_from(to, buf, sizeof buf, src, sizeof src, &err), 4);
    assert_memory_equal(buf, "ping", 4);
    assert_string_equal(src, want_from);
}

static void write_to_read_from_round_trip_reports_sender(void **state)
{
    (void)state;
    static const char *const rows[][2] = {{"udp", "127.0.0.1:0"}, {"udp6", "[::1]:0"}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cnet_packet_conn *a = tu_listen_packet(rows[i][0], rows[i][1]);
        cnet_packet_conn *b = tu_listen_packet(rows[i][0], rows[i][1]);
        char a_addr[CNET_ADDRSTRLEN], b_addr[CNET_ADDRSTRLEN];
        tu_packet_addr(a, a_addr, sizeof a_addr);
        tu_packet_addr(b, b_addr, sizeof b_addr);
        send_and_expect(a, b, b_addr, a_addr);
        send_and_expect(b, a, a_addr, b_addr);
        assert_int_equal(cnet_packet_close(a), 0);
        assert_int_equal(cnet_packet_close(b), 0);
    }
}

static void write_to_localhost_is_resolved(void **state)
{
    (void)state;
    cnet_packet_conn *a = tu_listen_packet("udp4", "127.0.0.1:0");
    cnet_packet_conn *b = tu_listen_packet("udp4", "127.0.0.1:0");
    char a_addr[CNET_ADDRSTRLEN], b_addr[CNET_ADDRSTRLEN], to[64];
    tu_packet_addr(a, a_addr, sizeof a_addr);
    snprintf(to, sizeof to, "localhost:%d", tu_packet_addr(b, b_addr, sizeof b_addr));
    send_and_expect(a, b, to, a_addr);
    assert_int_equal(cnet_packet_close(a), 0);
    assert_int_equal(cnet_packet_close(b), 0);
}

static void read_from_truncates_and_small_from_is_empty(void **state)
{
    (void)state;
    cnet_packet_conn *a = tu_listen_packet("udp", "127.0.0.1:0");
    char addr[CNET_ADDRSTRLEN];
    tu_packet_addr(a, addr, sizeof addr);
    assert_int_equal(cnet_packet_write_to(a, "abcdef", 6, addr, NULL), 6);
    assert_true(tu_wait_readable(cnet_packet_fd(a), 5000));
    char buf[3], from[4] = "xyz";
    assert_int_equal(cnet_packet_read_from(a, buf, sizeof buf, from, sizeof from, NULL), 3);
    assert_memory_equal(buf, "abc", 3);
    assert_string_equal(from, "");
    assert_int_equal(cnet_packet_close(a), 0);
}

/* "239.77.1.23" appears in /proc/net/igmp only if something joined it. */
static int igmp_has_group(const char *group)
{
    struct in_addr a;
    assert_int_equal(inet_pton(AF_INET, group, &a), 1);
    char hex[16];
    snprintf(hex, sizeof hex, "%08X", (unsigned)a.s_addr);
    FILE *f = fopen("/proc/net/igmp", "r");
    assert_non_null(f);
    char line[256];
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL)
        found = strstr(line, hex) != NULL;
    fclose(f);
    return found;
}

/* Rules 22 and 23: a multicast address through ListenPacket gets the multicast options,
 * binds the wildcard with the group's port, joins nothing, and still receives unicast
 * datagrams to that port. */
static void listen_packet_multicast_binds_wildcard_without_join(void **state)
{
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("udp4", "239.77.1.23:0");
    int fd = cnet_packet_fd(pc);
    char addr[CNET_ADDRSTRLEN], want[CNET_ADDRSTRLEN];
    int port = tu_packet_addr(pc, addr, sizeof addr);
    snprintf(want, sizeof want, "0.0.0.0:%d", port);
    assert_string_equal(addr, want);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEADDR), 1);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEPORT), 0);
    assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_BROADCAST), 1);
    assert_false(igmp_has_group("239.77.1.23"));

    cnet_packet_conn *sender = tu_listen_packet("udp4", "127.0.0.1:0");
    char sender_addr[CNET_ADDRSTRLEN], to[64];
    tu_packet_addr(sender, sender_addr, sizeof sender_addr);
    snprintf(to, sizeof to, "127.0.0.1:%d", port);
    send_and_expect(sender, pc, to, sender_addr);
    assert_int_equal(cnet_packet_close(sender), 0);
    assert_int_equal(cnet_packet_close(pc), 0);
}

/* SO_REUSEADDR makes the multicast port shareable: a second socket on the same
 * group and port succeeds, unlike rule 7's unicast case. */
static void listen_packet_multicast_twice_shares_port(void **state)
{
    (void)state;
    cnet_packet_conn *a = tu_listen_packet("udp4", "239.77.1.23:0");
    char addr[CNET_ADDRSTRLEN], group[64];
    snprintf(group, sizeof group, "239.77.1.23:%d", tu_packet_addr(a, addr, sizeof addr));
    cnet_packet_conn *b = tu_listen_packet("udp4", group);
    assert_int_equal(cnet_packet_close(b), 0);
    assert_int_equal(cnet_packet_close(a), 0);
}

/* Go 1.19's WriteTo of an IPv6 address on an IPv4 socket fails in ipToSockaddr with an
 * AddrError on the IP (no zone): "address ::1: non-IPv4 address". The code is
 * CNET_ENOSUITABLE. */
static void write_to_other_family_is_go_addr_error(void **state)
{
    (void)state;
    static const char *const dests[] = {"[::1]:9", "[::1%lo]:9"};
    char local[CNET_ADDRSTRLEN], want[256];
    cnet_packet_conn *pc = tu_listen_packet("udp", "127.0.0.1:0");
    assert_true(cnet_packet_local_addr(pc, local, sizeof local) > 0);
    for (size_t i = 0; i < sizeof dests / sizeof dests[0]; i++) {
        cnet_error err;
        snprintf(want, sizeof want, "write udp %s->%s: address ::1: non-IPv4 address", local,
                 dests[i]);
        assert_int_equal(cnet_packet_write_to(pc, "x", 1, dests[i], &err), CNET_ENOSUITABLE);
        assert_int_equal(err.code, CNET_ENOSUITABLE);
        assert_string_equal(err.msg, want);
    }
    assert_int_equal(cnet_packet_close(pc), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(listen_packet_unicast_broadcast_without_reuse),
        TU_TEST(listen_packet_wildcards_follow_network),
        TU_TEST(listen_packet_same_address_twice_eaddrinuse),
        TU_TEST(write_to_read_from_round_trip_reports_sender),
        TU_TEST(write_to_localhost_is_resolved),
        TU_TEST(read_from_truncates_and_small_from_is_empty),
        TU_TEST(listen_packet_multicast_binds_wildcard_without_join),
        TU_TEST(listen_packet_multicast_twice_shares_port),
        TU_TEST(write_to_other_family_is_go_addr_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
