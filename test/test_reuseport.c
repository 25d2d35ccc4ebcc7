/* Load-balanced port groups (cnet_listen_config.reuse_port) on Linux: both sides must
 * opt in, the kernel spreads connections and datagrams over the members, a group is
 * closed to other users, unix sockets are refused, and what a closing member does to
 * the connections queued on it.
 *
 * Run without arguments for the tests any user can run. "root" runs the ones that need
 * root: a second user (uid 65534, no account needed) and private network namespaces
 * where net.ipv4.tcp_migrate_req may be set; they exit 77 (skipped) for anyone else. */
#include "testutil.h"

#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#define NOBODY 65534

static const cnet_listen_config group_cfg = {.reuse_port = 1};

static int group_listen(const char *address, cnet_listener **ln, cnet_error *err)
{
    return cnet_listen_with(&group_cfg, "tcp", address, ln, err);
}

static int group_listen_packet(const char *address, cnet_packet_conn **pc, cnet_error *err)
{
    return cnet_listen_packet_with(&group_cfg, "udp", address, pc, err);
}

static cnet_listener *must_group_listen(const char *address)
{
    cnet_listener *ln = NULL;
    cnet_error err;
    int rc = group_listen(address, &ln, &err);
    if (rc != 0)
        print_message("group listen %s: %s\n", address, err.msg);
    assert_int_equal(rc, 0);
    return ln;
}

static cnet_packet_conn *must_group_listen_packet(const char *address)
{
    cnet_packet_conn *pc = NULL;
    cnet_error err;
    int rc = group_listen_packet(address, &pc, &err);
    if (rc != 0)
        print_message("group listen packet %s: %s\n", address, err.msg);
    assert_int_equal(rc, 0);
    return pc;
}

static void loopback_address(char *buf, size_t len, int port)
{
    snprintf(buf, len, "127.0.0.1:%d", port);
}

static void expect_in_use(int rc, const cnet_error *err, const char *network, const char *address)
{
    char want[CNET_ERROR_MAX];
    snprintf(want, sizeof want, "listen %s %s: bind: address already in use", network, address);
    assert_int_equal(rc, -EADDRINUSE);
    assert_int_equal(err->code, -EADDRINUSE);
    assert_string_equal(err->msg, want);
}

/* ---- TCP groups -------------------------------------------------------------------- */

/* Accepts one connection from whichever member has it; returns that member's index. */
static int accept_from_group(cnet_listener *const members[2])
{
    struct pollfd p[2] = {{.fd = cnet_listener_fd(members[0]), .events = POLLIN},
                          {.fd = cnet_listener_fd(members[1]), .events = POLLIN}};
    assert_int_equal(poll(p, 2, 5000) > 0, 1);
    int which = (p[0].revents & POLLIN) ? 0 : 1;
    cnet_conn_close(tu_accept(members[which]));
    return which;
}

static void group_members_share_connections(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN];
    cnet_listener *members[2];
    members[0] = must_group_listen("127.0.0.1:0");
    loopback_address(addr, sizeof addr, tu_listener_addr(members[0], addr, sizeof addr));
    members[1] = must_group_listen(addr);
    for (int i = 0; i < 2; i++) {
        int fd = cnet_listener_fd(members[i]);
        assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEPORT), 1);
        assert_int_equal(tu_sockopt(fd, SOL_SOCKET, SO_REUSEADDR), 1);
    }
    int served[2] = {0, 0};
    for (int i = 0; i < 200; i++) {
        cnet_conn *c = tu_dial("tcp", addr);
        served[accept_from_group(members)]++;
        cnet_conn_close(c);
    }
    print_message("200 connections: %d on member 0, %d on member 1\n", served[0], served[1]);
    assert_int_equal(served[0] + served[1], 200);
    assert_true(served[0] > 0);
    assert_true(served[1] > 0);
    cnet_listener_close(members[0]);
    cnet_listener_close(members[1]);
}

/* A listener that did not opt in can never be joined, and cannot join a group. */
static void plain_and_group_listeners_never_mix(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN];
    cnet_listener *plain = tu_listen("tcp", "127.0.0.1:0"), *ln = NULL;
    cnet_error err;
    loopback_address(addr, sizeof addr, tu_listener_addr(plain, addr, sizeof addr));
    expect_in_use(group_listen(addr, &ln, &err), &err, "tcp", addr);
    assert_null(ln);
    cnet_listener_close(plain);

    cnet_listener *group = must_group_listen("127.0.0.1:0");
    loopback_address(addr, sizeof addr, tu_listener_addr(group, addr, sizeof addr));
    expect_in_use(cnet_listen("tcp", addr, &ln, &err), &err, "tcp", addr);
    cnet_listen_config off = {.reuse_port = 0};
    expect_in_use(cnet_listen_with(&off, "tcp", addr, &ln, &err), &err, "tcp", addr);
    assert_null(ln);
    cnet_listener_close(group);
}

/* ---- UDP groups -------------------------------------------------------------------- */

static void udp_group_members_share_datagrams(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN];
    cnet_packet_conn *members[2];
    members[0] = must_group_listen_packet("127.0.0.1:0");
    loopback_address(addr, sizeof addr, tu_packet_addr(members[0], addr, sizeof addr));
    members[1] = must_group_listen_packet(addr);
    assert_int_equal(tu_sockopt(cnet_packet_fd(members[1]), SOL_SOCKET, SO_REUSEPORT), 1);
    /* The kernel picks a member by the sender's address: many senders reach both. */
    int got[2] = {0, 0};
    for (int i = 0; i < 64; i++) {
        cnet_packet_conn *sender = tu_listen_packet("udp", "127.0.0.1:0");
        cnet_error err;
        assert_int_equal(cnet_packet_write_to(sender, "x", 1, addr, &err), 1);
        struct pollfd p[2] = {{.fd = cnet_packet_fd(members[0]), .events = POLLIN},
                              {.fd = cnet_packet_fd(members[1]), .events = POLLIN}};
        assert_true(poll(p, 2, 5000) > 0);
        int which = (p[0].revents & POLLIN) ? 0 : 1;
        char buf[8];
        assert_int_equal(cnet_packet_read_from(members[which], buf, sizeof buf, NULL, 0, &err), 1);
        got[which]++;
        cnet_packet_close(sender);
    }
    print_message("64 senders: %d on member 0, %d on member 1\n", got[0], got[1]);
    assert_true(got[0] > 0);
    assert_true(got[1] > 0);
    cnet_packet_close(members[0]);
    cnet_packet_close(members[1]);
}

static void udp_plain_and_group_never_mix(void **state)
{
    (void)state;
    char addr[CNET_ADDRSTRLEN];
    cnet_packet_conn *plain = tu_listen_packet("udp", "127.0.0.1:0"), *pc = NULL;
    cnet_error err;
    loopback_address(addr, sizeof addr, tu_packet_addr(plain, addr, sizeof addr));
    expect_in_use(group_listen_packet(addr, &pc, &err), &err, "udp", addr);
    assert_null(pc);
    cnet_packet_close(plain);

    cnet_packet_conn *group = must_group_listen_packet("127.0.0.1:0");
    loopback_address(addr, sizeof addr, tu_packet_addr(group, addr, sizeof addr));
    expect_in_use(cnet_listen_packet("udp", addr, &pc, &err), &err, "udp", addr);
    assert_null(pc);
    cnet_packet_close(group);
}

/* ---- unix sockets: no groups ------------------------------------------------------- */

static void unix_group_not_supported(void **state)
{
    (void)state;
    char dir[64], path[128], want[CNET_ERROR_MAX];
    tu_make_tempdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s", dir);
    cnet_listener *ln = NULL;
    cnet_packet_conn *pc = NULL;
    cnet_error err;

    assert_int_equal(cnet_listen_with(&group_cfg, "unix", path, &ln, &err), CNET_ENOTSUP);
    snprintf(want, sizeof want, "listen unix %s: reuse_port: not supported for unix sockets", path);
    assert_string_equal(err.msg, want);
    assert_null(ln);
    assert_int_equal(cnet_listen_packet_with(&group_cfg, "unixgram", path, &pc, &err), CNET_ENOTSUP);
    snprintf(want, sizeof want, "listen unixgram %s: reuse_port: not supported for unix sockets", path);
    assert_string_equal(err.msg, want);
    assert_null(pc);
    assert_false(tu_path_exists(path)); /* refused before anything was bound */
    assert_int_equal(rmdir(dir), 0);
}

/* ---- another user (root only) ------------------------------------------------------ */

typedef struct join_attempt {
    const char *network; /* "tcp" or "udp" */
    const char *address;
    int as_nobody;       /* 0: the same user, the control case */
} join_attempt;

/* In a child: optionally become uid/gid 65534, then try to join; reports
 * "<code> <message>". */
static int try_join(void *arg, int out)
{
    const join_attempt *j = arg;
    if (j->as_nobody && (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)) {
        dprintf(out, "setuid: %s", strerror(errno));
        return 1;
    }
    cnet_error err;
    int rc;
    if (strcmp(j->network, "tcp") == 0) {
        cnet_listener *ln = NULL;
        rc = group_listen(j->address, &ln, &err);
        cnet_listener_close(ln);
    } else {
        cnet_packet_conn *pc = NULL;
        rc = group_listen_packet(j->address, &pc, &err);
        cnet_packet_close(pc);
    }
    dprintf(out, "%d %s", rc, err.msg);
    return 0;
}

static void expect_join(const char *network, const char *address, int as_nobody, const char *want)
{
    join_attempt j = {network, address, as_nobody};
    char out[512];
    assert_int_equal(tu_run_child(try_join, &j, out, sizeof out), 0);
    assert_string_equal(out, want);
}

static void group_closed_to_other_users(const char *network)
{
    char addr[CNET_ADDRSTRLEN], want[CNET_ERROR_MAX + 16];
    cnet_listener *ln = NULL;
    cnet_packet_conn *pc = NULL;
    if (strcmp(network, "tcp") == 0) {
        ln = must_group_listen("127.0.0.1:0");
        loopback_address(addr, sizeof addr, tu_listener_addr(ln, addr, sizeof addr));
    } else {
        pc = must_group_listen_packet("127.0.0.1:0");
        loopback_address(addr, sizeof addr, tu_packet_addr(pc, addr, sizeof addr));
    }
    expect_join(network, addr, 0, "0 "); /* the same user may join: the group is real */
    snprintf(want, sizeof want, "%d listen %s %s: bind: address already in use", -EADDRINUSE,
             network, addr);
    expect_join(network, addr, 1, want);
    cnet_listener_close(ln);
    cnet_packet_close(pc);
}

static void tcp_group_closed_to_other_users(void **state)
{
    (void)state;
    group_closed_to_other_users("tcp");
}

static void udp_group_closed_to_other_users(void **state)
{
    (void)state;
    group_closed_to_other_users("udp");
}

/* ---- a member closes with connections queued (root only: private namespaces) -------- */

#define QUEUED 32

/* The length of a listener's accept queue (Linux reports it in tcpi_unacked). */
static int accept_queue_len(cnet_listener *ln)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    if (getsockopt(cnet_listener_fd(ln), IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return -1;
    return (int)ti.tcpi_unacked;
}

/* Waits (at most 5 s) for n handshakes to reach the two accept queues. */
static int wait_queued(cnet_listener *a, cnet_listener *b, int n)
{
    const struct timespec ms = {0, 1000000};
    for (int i = 0; i < 5000; i++) {
        if (accept_queue_len(a) + accept_queue_len(b) == n)
            return 0;
        nanosleep(&ms, NULL);
    }
    return -1;
}

/* Each client reads one byte: 1 if it was answered, 0 if reset, -1 otherwise. */
static int client_outcome(cnet_conn *c)
{
    char b;
    cnet_error err;
    cnet_conn_set_read_deadline(c, cnet_now_ns() + 2000000000LL);
    ssize_t n = cnet_conn_read(c, &b, 1, &err);
    return n == 1 ? 1 : n == -ECONNRESET ? 0 : -1;
}

/* In a child, in a fresh namespace: a group of two, QUEUED connections nobody accepted,
 * then member A closes and B accepts and answers all it has. Reports
 * "on_closed=<queued on A> accepted=<by B> answered=<n> reset=<n> other=<n>". */
static int close_member_with_queue(void *arg, int out)
{
    int migrate = *(const int *)arg;
    int rc = tu_enter_private_netns(migrate);
    if (rc < 0) {
        dprintf(out, "namespace: %s", strerror(-rc));
        return 1;
    }
    cnet_error err;
    cnet_listener *a = NULL, *b = NULL;
    char addr[CNET_ADDRSTRLEN];
    cnet_conn *clients[QUEUED];
    if (group_listen("127.0.0.1:0", &a, &err) < 0 || cnet_listener_addr(a, addr, sizeof addr) < 0 ||
        group_listen(addr, &b, &err) < 0) {
        dprintf(out, "listen: %s", err.msg);
        return 1;
    }
    for (int i = 0; i < QUEUED; i++) {
        if (cnet_dial("tcp", addr, &clients[i], &err) < 0) {
            dprintf(out, "dial: %s", err.msg);
            return 1;
        }
    }
    if (wait_queued(a, b, QUEUED) < 0) {
        dprintf(out, "queues: %d + %d", accept_queue_len(a), accept_queue_len(b));
        return 1;
    }
    int on_closed = accept_queue_len(a);
    cnet_listener_close(a);
    int accepted = 0;
    for (int waiting = accept_queue_len(b); accepted < waiting; accepted++) {
        cnet_conn *c;
        if (cnet_listener_accept(b, &c, &err) < 0 || cnet_conn_write(c, "!", 1, &err) != 1)
            break;
        cnet_conn_close(c);
    }
    int outcome[3] = {0, 0, 0}; /* other, reset, answered */
    for (int i = 0; i < QUEUED; i++) {
        outcome[client_outcome(clients[i]) + 1]++;
        cnet_conn_close(clients[i]);
    }
    cnet_listener_close(b);
    dprintf(out, "on_closed=%d accepted=%d answered=%d reset=%d other=%d", on_closed, accepted,
            outcome[2], outcome[1], outcome[0]);
    return 0;
}

static void run_close_member(int migrate, char *out, size_t len, int *on_closed)
{
    assert_int_equal(tu_run_child(close_member_with_queue, &migrate, out, len), 0);
    print_message("tcp_migrate_req=%d: %s\n", migrate, out);
    assert_int_equal(sscanf(out, "on_closed=%d", on_closed), 1);
    /* 2^-32 odds that the hash put no connection on A: then there is nothing to show. */
    assert_true(*on_closed > 0);
}

/* Linux's default (nginx trac #1300): the connections queued on a closing member are
 * reset, even though another member is still listening on the port. */
static void closing_member_resets_its_queue(void **state)
{
    (void)state;
    char out[256], want[256];
    int a;
    run_close_member(0, out, sizeof out, &a);
    snprintf(want, sizeof want, "on_closed=%d accepted=%d answered=%d reset=%d other=0", a,
             QUEUED - a, QUEUED - a, a);
    assert_string_equal(out, want);
}

/* With net.ipv4.tcp_migrate_req=1 (Linux 5.14+) they move to a remaining member. */
static void closing_member_migrates_queue_when_enabled(void **state)
{
    (void)state;
    char out[256], want[256];
    int a;
    run_close_member(1, out, sizeof out, &a);
    snprintf(want, sizeof want, "on_closed=%d accepted=%d answered=%d reset=0 other=0", a, QUEUED,
             QUEUED);
    assert_string_equal(out, want);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(group_members_share_connections),
        TU_TEST(plain_and_group_listeners_never_mix),
        TU_TEST(udp_group_members_share_datagrams),
        TU_TEST(udp_plain_and_group_never_mix),
        TU_TEST(unix_group_not_supported),
    };
    const struct CMUnitTest root_tests[] = {
        TU_TEST(tcp_group_closed_to_other_users),
        TU_TEST(udp_group_closed_to_other_users),
        TU_TEST(closing_member_resets_its_queue),
        TU_TEST(closing_member_migrates_queue_when_enabled),
    };
    if (argc > 1 && strcmp(argv[1], "root") == 0) {
        if (geteuid() != 0) {
            fprintf(stderr, "SKIP: needs root (a second user, network namespaces)\n");
            return 77;
        }
        return cmocka_run_group_tests_name("reuseport_root", root_tests, NULL, NULL);
    }
    return cmocka_run_group_tests_name("reuseport", tests, NULL, NULL);
}
