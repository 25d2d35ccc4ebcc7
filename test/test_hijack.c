/* Ports cannot be taken (issue 6 §1). Every kind of socket cnet makes reads back
 * SO_REUSEPORT = 0 unless reuse_port was asked for, and another user (uid 65534) can
 * bind neither the port of a cnet TCP listener nor that of a unicast UDP socket,
 * whatever options it sets; it can share a multicast port (that is what multicast is
 * for) but never join another user's load-balanced group. The strace audit of the
 * system calls is test_syscalls.sh; unlink-only-our-own-path is test_unix.c. */
#include "testutil.h"

#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/wait.h>

#define OTHER_UID 65534
#define GROUP "239.255.6.6"

/* ---- SO_REUSEPORT read back on every kind of socket ----------------------------- */

static int reuseport_of(int fd)
{
    return tu_sockopt(fd, SOL_SOCKET, SO_REUSEPORT);
}

/* A listener, the conn dialed to it and the conn accepted from it: none may share. */
static void stream_trio_has_no_reuseport(const char *network, const char *address,
                                         const char *dial_network)
{
    char addr[CNET_ADDRSTRLEN];
    cnet_listener *ln = tu_listen(network, address);
    assert_true(cnet_listener_addr(ln, addr, sizeof addr) > 0);
    cnet_conn *dialed = tu_dial(dial_network, addr);
    cnet_conn *accepted = tu_accept(ln);

    print_message("%s %s\n", network, addr);
    assert_int_equal(reuseport_of(cnet_listener_fd(ln)), 0);
    assert_int_equal(reuseport_of(cnet_conn_fd(dialed)), 0);
    assert_int_equal(reuseport_of(cnet_conn_fd(accepted)), 0);

    cnet_conn_close(dialed);
    cnet_conn_close(accepted);
    cnet_listener_close(ln);
}

static void stream_sockets_never_reuseport(void **state)
{
    char dir[64], path[128];
    (void)state;
    stream_trio_has_no_reuseport("tcp", "127.0.0.1:0", "tcp");
    stream_trio_has_no_reuseport("tcp4", ":0", "tcp4");
    stream_trio_has_no_reuseport("tcp6", "[::1]:0", "tcp6");
    stream_trio_has_no_reuseport("tcp", "[::]:0", "tcp");
    tu_make_tempdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s.sock", dir);
    stream_trio_has_no_reuseport("unix", path, "unix");
    stream_trio_has_no_reuseport("unixpacket", "", "unixpacket");
    stream_trio_has_no_reuseport("unix", "@cnet-hijack-test", "unix");
    rmdir(dir);
}

static void datagram_sockets_never_reuseport(void **state)
{
    char addr[CNET_ADDRSTRLEN], dir[64], path[128];
    (void)state;
    static const char *const udp[][2] = {
        {"udp", "127.0.0.1:0"}, {"udp4", ":0"}, {"udp6", "[::1]:0"}, {"udp", ":0"}};
    for (size_t i = 0; i < sizeof udp / sizeof udp[0]; i++) {
        cnet_packet_conn *pc = tu_listen_packet(udp[i][0], udp[i][1]);
        tu_packet_addr(pc, addr, sizeof addr);
        cnet_conn *dialed = tu_dial(udp[i][0], strncmp(addr, "0.0.0.0", 7) == 0 ? "127.0.0.1:9"
                                                                                  : addr);
        print_message("%s %s\n", udp[i][0], addr);
        assert_int_equal(reuseport_of(cnet_packet_fd(pc)), 0);
        assert_int_equal(reuseport_of(cnet_conn_fd(dialed)), 0);
        cnet_conn_close(dialed);
        cnet_packet_close(pc);
    }

    tu_make_tempdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/g.sock", dir);
    cnet_packet_conn *ug = tu_listen_packet("unixgram", path);
    cnet_conn *udialed = tu_dial("unixgram", path);
    assert_int_equal(reuseport_of(cnet_packet_fd(ug)), 0);
    assert_int_equal(reuseport_of(cnet_conn_fd(udialed)), 0);
    cnet_conn_close(udialed);
    cnet_packet_close(ug);
    unlink(path);
    rmdir(dir);
}

/* Multicast shares its port with SO_REUSEADDR (Linux), never with SO_REUSEPORT. */
static void multicast_never_reuseport(void **state)
{
    cnet_packet_conn *pc = NULL, *unicast_mc = NULL;
    cnet_error err;
    (void)state;
    assert_int_equal(cnet_listen_multicast_udp("udp4", "lo", GROUP ":0", &pc, &err), 0);
    assert_int_equal(reuseport_of(cnet_packet_fd(pc)), 0);
    assert_int_equal(tu_sockopt(cnet_packet_fd(pc), SOL_SOCKET, SO_REUSEADDR), 1);
    assert_int_equal(cnet_listen_packet("udp4", GROUP ":0", &unicast_mc, &err), 0);
    assert_int_equal(reuseport_of(cnet_packet_fd(unicast_mc)), 0);
    cnet_packet_close(unicast_mc);
    cnet_packet_close(pc);
}

/* The read-back can see the option: when it is asked for, it is there. */
static void reuse_port_only_when_asked(void **state)
{
    cnet_listen_config cfg = {.reuse_port = 1};
    cnet_listener *ln = NULL;
    cnet_packet_conn *pc = NULL;
    cnet_error err;
    char addr[CNET_ADDRSTRLEN];
    (void)state;
    assert_int_equal(cnet_listen_with(&cfg, "tcp", "127.0.0.1:0", &ln, &err), 0);
    assert_int_equal(reuseport_of(cnet_listener_fd(ln)), 1);
    tu_listener_addr(ln, addr, sizeof addr);
    cnet_conn *dialed = tu_dial("tcp", addr);
    cnet_conn *accepted = tu_accept(ln);
    assert_int_equal(reuseport_of(cnet_conn_fd(accepted)), 1); /* inherited from the listener */
    assert_int_equal(reuseport_of(cnet_conn_fd(dialed)), 0);
    cnet_conn_close(dialed);
    cnet_conn_close(accepted);
    cnet_listener_close(ln);

    assert_int_equal(cnet_listen_packet_with(&cfg, "udp", "127.0.0.1:0", &pc, &err), 0);
    assert_int_equal(reuseport_of(cnet_packet_fd(pc)), 1);
    cnet_packet_close(pc);
}

/* ---- another user ---------------------------------------------------------------- */

enum { WANT_REUSEADDR = 1, WANT_REUSEPORT = 2, WANT_JOIN = 4 };

typedef struct bind_attempt {
    int family, type, opts;
    const char *ip;
    int port;
} bind_attempt;

static int other_user_bind(const bind_attempt *a)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    int one = 1;
    int fd = socket(a->family, a->type, 0);
    if (fd < 0)
        return errno;
    if ((a->opts & WANT_REUSEADDR) && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one))
        return errno;
    if ((a->opts & WANT_REUSEPORT) && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one))
        return errno;
    if (a->family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)a->port);
        inet_pton(AF_INET, a->ip, &sin->sin_addr);
        len = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)a->port);
        inet_pton(AF_INET6, a->ip, &sin6->sin6_addr);
        len = sizeof *sin6;
    }
    if (bind(fd, (struct sockaddr *)&ss, len) != 0)
        return errno;
    if (a->type == SOCK_STREAM && listen(fd, 1) != 0)
        return errno;
    if (a->opts & WANT_JOIN) {
        struct ip_mreqn mreq = {.imr_ifindex = (int)if_nametoindex("lo")};
        inet_pton(AF_INET, GROUP, &mreq.imr_multiaddr);
        if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0)
            return errno;
    }
    return 0;
}

/* Runs the attempt as uid/gid 65534 in a child; returns its errno (0 = it bound). */
static int as_other_user(const bind_attempt *a)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(OTHER_UID) != 0 || setuid(OTHER_UID) != 0)
            _exit(255);
        if (getuid() != OTHER_UID || geteuid() != OTHER_UID)
            _exit(254);
        _exit(other_user_bind(a));
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_true(WEXITSTATUS(status) < 254);
    return WEXITSTATUS(status);
}

/* Every combination of the other user's reuse options, on the address and the wildcard. */
static void other_user_cannot_bind(int family, int type, const char *ip, const char *wildcard,
                                   int port)
{
    for (int opts = 0; opts <= (WANT_REUSEADDR | WANT_REUSEPORT); opts++) {
        bind_attempt same = {family, type, opts, ip, port};
        bind_attempt wild = {family, type, opts, wildcard, port};
        print_message("uid %d %s %s:%d opts=%d\n", OTHER_UID, type == SOCK_STREAM ? "tcp" : "udp",
                      ip, port, opts);
        assert_int_equal(as_other_user(&same), EADDRINUSE);
        assert_int_equal(as_other_user(&wild), EADDRINUSE);
    }
}

static void other_user_cannot_take_tcp_listener(void **state)
{
    char addr[CNET_ADDRSTRLEN];
    (void)state;
    cnet_listener *ln = tu_listen("tcp4", "127.0.0.1:0");
    other_user_cannot_bind(AF_INET, SOCK_STREAM, "127.0.0.1", "0.0.0.0",
                           tu_listener_addr(ln, addr, sizeof addr));
    cnet_listener_close(ln);

    ln = tu_listen("tcp6", "[::1]:0");
    other_user_cannot_bind(AF_INET6, SOCK_STREAM, "::1", "::", tu_listener_addr(ln, addr, sizeof addr));
    cnet_listener_close(ln);

    ln = tu_listen("tcp", ":0"); /* dual-stack wildcard */
    int port = tu_listener_addr(ln, addr, sizeof addr);
    other_user_cannot_bind(AF_INET, SOCK_STREAM, "127.0.0.1", "0.0.0.0", port);
    other_user_cannot_bind(AF_INET6, SOCK_STREAM, "::1", "::", port);
    cnet_listener_close(ln);
}

static void other_user_cannot_take_udp_socket(void **state)
{
    char addr[CNET_ADDRSTRLEN];
    (void)state;
    cnet_packet_conn *pc = tu_listen_packet("udp4", "127.0.0.1:0");
    other_user_cannot_bind(AF_INET, SOCK_DGRAM, "127.0.0.1", "0.0.0.0",
                           tu_packet_addr(pc, addr, sizeof addr));
    cnet_packet_close(pc);

    pc = tu_listen_packet("udp6", "[::1]:0");
    other_user_cannot_bind(AF_INET6, SOCK_DGRAM, "::1", "::", tu_packet_addr(pc, addr, sizeof addr));
    cnet_packet_close(pc);

    pc = tu_listen_packet("udp", ":0");
    int port = tu_packet_addr(pc, addr, sizeof addr);
    other_user_cannot_bind(AF_INET, SOCK_DGRAM, "127.0.0.1", "0.0.0.0", port);
    other_user_cannot_bind(AF_INET6, SOCK_DGRAM, "::1", "::", port);
    cnet_packet_close(pc);
}

/* A free UDP port for a multicast group: bind :0, read it, release it. */
static int free_udp_port(void)
{
    char addr[CNET_ADDRSTRLEN];
    cnet_packet_conn *pc = tu_listen_packet("udp4", ":0");
    int port = tu_packet_addr(pc, addr, sizeof addr);
    cnet_packet_close(pc);
    return port;
}

static void other_user_can_share_multicast_port(void **state)
{
    char group[64];
    cnet_packet_conn *pc = NULL;
    cnet_error err;
    (void)state;
    int port = free_udp_port();
    snprintf(group, sizeof group, GROUP ":%d", port);
    assert_int_equal(cnet_listen_multicast_udp("udp4", "lo", group, &pc, &err), 0);

    bind_attempt receiver = {AF_INET, SOCK_DGRAM, WANT_REUSEADDR | WANT_JOIN, "0.0.0.0", port};
    bind_attempt no_reuse = {AF_INET, SOCK_DGRAM, 0, "0.0.0.0", port};
    bind_attempt reuseport_only = {AF_INET, SOCK_DGRAM, WANT_REUSEPORT, "0.0.0.0", port};
    assert_int_equal(as_other_user(&receiver), 0);
    assert_int_equal(as_other_user(&no_reuse), EADDRINUSE);
    assert_int_equal(as_other_user(&reuseport_only), EADDRINUSE);
    cnet_packet_close(pc);
}

static void other_user_cannot_join_reuse_port_group(void **state)
{
    cnet_listen_config cfg = {.reuse_port = 1};
    cnet_listener *ln = NULL;
    cnet_packet_conn *pc = NULL;
    cnet_error err;
    char addr[CNET_ADDRSTRLEN];
    (void)state;
    assert_int_equal(cnet_listen_with(&cfg, "tcp4", "127.0.0.1:0", &ln, &err), 0);
    other_user_cannot_bind(AF_INET, SOCK_STREAM, "127.0.0.1", "0.0.0.0",
                           tu_listener_addr(ln, addr, sizeof addr));
    /* the same user can: the group is real, and only the uid keeps the other out */
    cnet_listener *member = NULL;
    assert_int_equal(cnet_listen_with(&cfg, "tcp4", addr, &member, &err), 0);
    cnet_listener_close(member);
    cnet_listener_close(ln);

    assert_int_equal(cnet_listen_packet_with(&cfg, "udp4", "127.0.0.1:0", &pc, &err), 0);
    other_user_cannot_bind(AF_INET, SOCK_DGRAM, "127.0.0.1", "0.0.0.0",
                           tu_packet_addr(pc, addr, sizeof addr));
    cnet_packet_close(pc);
}

int main(void)
{
    const struct CMUnitTest sockopts[] = {
        TU_TEST(stream_sockets_never_reuseport),
        TU_TEST(datagram_sockets_never_reuseport),
        TU_TEST(multicast_never_reuseport),
        TU_TEST(reuse_port_only_when_asked),
    };
    const struct CMUnitTest other_user[] = {
        TU_TEST(other_user_cannot_take_tcp_listener),
        TU_TEST(other_user_cannot_take_udp_socket),
        TU_TEST(other_user_can_share_multicast_port),
        TU_TEST(other_user_cannot_join_reuse_port_group),
    };
    int failed = cmocka_run_group_tests_name("reuseport read back", sockopts, NULL, NULL);
    if (geteuid() != 0) {
        print_message("skipped: switching to uid %d needs root\n", OTHER_UID);
        return failed != 0 ? failed : 77;
    }
    return failed + cmocka_run_group_tests_name("another user", other_user, NULL, NULL);
}
