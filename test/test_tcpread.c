/* A TCP read that found the socket drained (Linux's TCP_INQ said nothing was left)
 * waits for the poller before its next system call instead of spending one on an
 * EAGAIN. These tests hold it to Go's results on every path where the kernel's next
 * word is not new data: end of stream, a reset, urgent data, close_read, a deadline,
 * and data that arrives while the reader waits. Each runs in a plain thread and (the
 * _task twin) inside a task. Links cnet_fault, to count the library's reads. */
#include "testutil.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fault.h"

#define SECOND 1000000000LL

/* The peer is a plain socket, so that every counted call is the reader's. */
typedef struct fixture {
    cnet_conn *reader;
    int peer;
} fixture;

static int setup(void **state)
{
    static fixture f;
    char addr[CNET_ADDRSTRLEN];
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

    tu_listener_addr(ln, addr, sizeof addr);
    sa.sin_port = htons((uint16_t)tu_port_of(addr));
    f.peer = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(f.peer >= 0);
    assert_int_equal(connect(f.peer, (struct sockaddr *)&sa, sizeof sa), 0);
    f.reader = tu_accept(ln);
    cnet_listener_close(ln);
    assert_int_equal(cnet_conn_set_read_deadline(f.reader, cnet_now_ns() + 5 * SECOND), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    cnet_conn_close(f->reader);
    if (f->peer >= 0)
        close(f->peer);
    return 0;
}

static void peer_send(fixture *f, const char *s, int flags)
{
    assert_int_equal(send(f->peer, s, strlen(s), flags | MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Reads what the peer sent: the socket is drained afterwards. */
static void read_expect(fixture *f, const char *want)
{
    char buf[64];
    cnet_error err;
    ssize_t n = cnet_conn_read(f->reader, buf, sizeof buf, &err);

    if (n < 0)
        fail_msg("read: %s", err.msg);
    assert_int_equal(n, (ssize_t)strlen(want));
    assert_memory_equal(buf, want, (size_t)n);
}

static void read_expect_error(fixture *f, int code)
{
    char buf[64];
    cnet_error err;
    ssize_t n = cnet_conn_read(f->reader, buf, sizeof buf, &err);

    if (n >= 0)
        fail_msg("read returned %zd, want error %d", n, code);
    if (n != code)
        fail_msg("read: %s (%zd), want %d", err.msg, n, code);
}

/* True if the kernel (or the emulator the suite runs under) reports what a read left. */
static bool kernel_reports_inq(fixture *f)
{
    int on = 0;
    socklen_t len = sizeof on;

    if (getsockopt(cnet_conn_fd(f->reader), IPPROTO_TCP, TCP_INQ, &on, &len) == 0 && on)
        return true;
    print_message("TCP_INQ is not on here (an emulator?): only results are checked\n");
    return false;
}

/* After a read that drained the socket, a read that finds nothing makes no read system
 * call at all; one that finds data makes exactly one. */
static void drained_read_waits_without_a_system_call(void **state)
{
    fixture *f = *state;
    unsigned long calls;
    bool inq = kernel_reports_inq(f);

    peer_send(f, "one", 0);
    read_expect(f, "one");
    assert_int_equal(cnet_conn_set_read_deadline(f->reader, cnet_now_ns() + SECOND / 20), 0);
    cnet__fault_arm(0, 0, "recvmsg");
    read_expect_error(f, CNET_ETIMEOUT);
    calls = cnet__fault_disarm();
    if (inq)
        assert_int_equal(calls, 0);
    assert_int_equal(cnet_conn_set_read_deadline(f->reader, cnet_now_ns() + 5 * SECOND), 0);
    peer_send(f, "two", 0);
    cnet__fault_arm(0, 0, "recvmsg");
    read_expect(f, "two");
    calls = cnet__fault_disarm();
    if (inq)
        assert_int_equal(calls, 1);
}

/* Data and a reset that arrive together: the data, then Go's reset error, not a wait
 * for an edge that already came (the reset's edge is consumed with the data's). */
static void data_then_reset(void **state)
{
    fixture *f = *state;
    struct linger lg = {1, 0};

    peer_send(f, "a", 0);
    read_expect(f, "a"); /* drained */
    peer_send(f, "b", 0);
    assert_int_equal(setsockopt(f->peer, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
    close(f->peer);
    f->peer = -1;
    read_expect(f, "b");
    read_expect_error(f, -ECONNRESET);
}

/* Data and the end of the stream together: the data, then end of stream at once. */
static void data_then_eof(void **state)
{
    fixture *f = *state;

    peer_send(f, "a", 0);
    read_expect(f, "a");
    peer_send(f, "b", 0);
    assert_int_equal(shutdown(f->peer, SHUT_WR), 0);
    read_expect(f, "b");
    assert_int_equal(cnet_conn_read(f->reader, (char[8]){0}, 8, NULL), 0);
}

/* A read stops at TCP's urgent mark with data still queued behind it: every byte of
 * the stream still arrives (the urgent byte itself is out of band). */
static void urgent_data_does_not_strand_the_rest(void **state)
{
    fixture *f = *state;
    char buf[16];
    size_t got = 0;

    peer_send(f, "ab", 0);
    peer_send(f, "U", MSG_OOB);
    peer_send(f, "cd", 0);
    while (got < 4) {
        cnet_error err;
        ssize_t n = cnet_conn_read(f->reader, buf + got, sizeof buf - got, &err);

        if (n <= 0)
            fail_msg("read after %zu bytes: %s", got, n < 0 ? err.msg : "end of stream");
        got += (size_t)n;
    }
    assert_memory_equal(buf, "abcd", 4);
}

/* close_read after a drained read: the next read is end of stream at once (Go: EOF). */
static void close_read_after_drain(void **state)
{
    fixture *f = *state;

    peer_send(f, "a", 0);
    read_expect(f, "a");
    assert_int_equal(cnet_conn_close_read(f->reader, NULL), 0);
    assert_int_equal(cnet_conn_read(f->reader, (char[8]){0}, 8, NULL), 0);
}

static void *send_later(void *arg)
{
    fixture *f = arg;

    usleep(50 * 1000);
    peer_send(f, "late", 0);
    return NULL;
}

/* The reader waits first; data sent while it waits wakes it. */
static void data_while_waiting(void **state)
{
    fixture *f = *state;
    pthread_t t;

    peer_send(f, "a", 0);
    read_expect(f, "a");
    assert_int_equal(pthread_create(&t, NULL, send_later, f), 0);
    read_expect(f, "late");
    pthread_join(t, NULL);
}

/* An echo exchange of many rounds, each read waiting first: every byte comes back in
 * order and the reads never strand data. */
static void *echo_peer(void *arg)
{
    fixture *f = arg;
    char c = 0;

    for (int i = 0; i < 200; i++) {
        char b = (char)('a' + i % 26);

        if (send(f->peer, &b, 1, MSG_NOSIGNAL) != 1 || recv(f->peer, &c, 1, MSG_WAITALL) != 1 ||
            c != b)
            return (void *)1;
    }
    return NULL;
}

static void many_rounds(void **state)
{
    fixture *f = *state;
    pthread_t t;
    void *bad;

    assert_int_equal(pthread_create(&t, NULL, echo_peer, f), 0);
    for (int i = 0; i < 200; i++) {
        char b;
        cnet_error err;

        if (cnet_conn_read(f->reader, &b, 1, &err) != 1)
            fail_msg("round %d: %s", i, err.msg);
        assert_int_equal(cnet_conn_write(f->reader, &b, 1, &err), 1);
    }
    pthread_join(t, &bad);
    assert_null(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(drained_read_waits_without_a_system_call, setup, teardown),
        cmocka_unit_test_setup_teardown(data_then_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(data_then_eof, setup, teardown),
        cmocka_unit_test_setup_teardown(urgent_data_does_not_strand_the_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(close_read_after_drain, setup, teardown),
        cmocka_unit_test_setup_teardown(data_while_waiting, setup, teardown),
        cmocka_unit_test_setup_teardown(many_rounds, setup, teardown),
    };

    return tu_run_group("tcpread", tests, sizeof tests / sizeof tests[0], NULL, NULL);
}
