/* Helpers shared by the cmocka test programs. Every helper is static inline so that a
 * program that does not use one compiles cleanly under -Werror. */
#ifndef CNET_TESTUTIL_H
#define CNET_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cnet.h"

/* ---- the same suite on plain threads and inside tasks ------------------------------
 * With CNET_TEST_IN_TASK=1 in the environment (ctest's *_task entries), a program's
 * group runs as the first task of cnet_run (two scheduler threads): every blocking cnet
 * call the test makes then parks a task, while the plain threads the test starts keep
 * blocking as threads, and both must see the same results. */

typedef struct tu_group {
    const char *name;
    const struct CMUnitTest *tests;
    size_t n;
    CMFixtureFunction setup, teardown;
    int failed;
} tu_group;

static inline void tu_group_task(void *arg)
{
    tu_group *g = arg;

    g->failed = _cmocka_run_group_tests(g->name, g->tests, g->n, g->setup, g->teardown);
}

static inline int tu_run_group(const char *name, const struct CMUnitTest *tests, size_t n,
                               CMFixtureFunction setup, CMFixtureFunction teardown)
{
    tu_group g = {name, tests, n, setup, teardown, 0};
    /* room for cmocka and the test bodies in any build, sanitizers included */
    cnet_runtime_config cfg = {.threads = 2, .stack_size = 1 << 20};
    cnet_error err;
    const char *in_task = getenv("CNET_TEST_IN_TASK");

    if (in_task == NULL || strcmp(in_task, "1") != 0)
        return _cmocka_run_group_tests(name, tests, n, setup, teardown);
    if (cnet_run(&cfg, tu_group_task, &g, &err) < 0) {
        fprintf(stderr, "cnet_run: %s\n", err.msg);
        return 1;
    }
    return g.failed;
}

#undef cmocka_run_group_tests
#define cmocka_run_group_tests(group, setup, teardown) \
    tu_run_group(#group, group, sizeof(group) / sizeof((group)[0]), setup, teardown)
#undef cmocka_run_group_tests_name
#define cmocka_run_group_tests_name(name, group, setup, teardown) \
    tu_run_group(name, group, sizeof(group) / sizeof((group)[0]), setup, teardown)

/* ---- fd accounting: every test must leave the fd table as it found it ------------- */

static inline int tu_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (e->d_name[0] != '.')
            n++;
    }
    closedir(d);
    return n - 1; /* the directory stream's own fd */
}

/* ---- threads ---------------------------------------------------------------------- */

static inline int tu_count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* The thread count once it has stopped falling for 50 ms (at most 5 s): a resolver
 * thread that an earlier call stopped waiting for finishes by itself. Counted, not
 * assumed: an emulator (qemu-user) may run threads of its own in the process. */
static inline int tu_settled_threads(void)
{
    const struct timespec ms = {0, 1000000};
    int n = tu_count_threads(), same = 0;
    for (int i = 0; i < 5000 && same < 50; i++) {
        nanosleep(&ms, NULL);
        int now = tu_count_threads();
        same = now == n ? same + 1 : 0;
        n = now;
    }
    return n;
}

/* ---- the thread's wake-up descriptor ------------------------------------------------ */

static inline long tu_gettid(void);
static inline void tu_wait_thread_blocked(long tid);

typedef struct tu_warm {
    cnet_conn *c;
    long tid;
} tu_warm;

static inline void *tu_warm_stopper(void *arg)
{
    tu_warm *w = arg;
    tu_wait_thread_blocked(w->tid);
    cnet_conn_stop(w->c);
    return NULL;
}

/* A thread's first blocking wait gives it a wake-up descriptor that lives as long as the
 * thread (one per thread, never one per handle). A read that surely blocks (another
 * thread stops it only once this one sleeps in poll) makes it exist before the count, so
 * the count sees only what the test itself opens. */
static inline void tu_warm_thread_wake(void)
{
    int sv[2];
    tu_warm w = {NULL, tu_gettid()};
    pthread_t t;
    char b;

    if (cnet_in_task() || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return;
    if (cnet_file_conn(sv[0], NULL, &w.c, NULL) == 0) {
        if (pthread_create(&t, NULL, tu_warm_stopper, &w) == 0) {
            (void)cnet_conn_read(w.c, &b, 1, NULL);
            pthread_join(t, NULL);
        }
        cnet_conn_close(w.c);
    }
    close(sv[0]);
    close(sv[1]);
}

static inline int tu_fd_setup(void **state)
{
    tu_warm_thread_wake();
    *state = (void *)(intptr_t)tu_count_fds();
    return 0;
}

static inline int tu_fd_teardown(void **state)
{
    int before = (int)(intptr_t)*state;
    assert_int_equal(tu_count_fds(), before);
    return 0;
}

/* A test case wrapped in the fd leak check. */
#define TU_TEST(f) cmocka_unit_test_setup_teardown(f, tu_fd_setup, tu_fd_teardown)

/* ---- socket inspection ------------------------------------------------------------- */

/* An int-sized socket option, read back from the kernel. */
static inline int tu_sockopt(int fd, int level, int option)
{
    int v = -1;
    socklen_t len = sizeof v;
    assert_int_equal(getsockopt(fd, level, option, &v, &len), 0);
    return v;
}

static inline int tu_is_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    assert_true(flags >= 0);
    return (flags & FD_CLOEXEC) != 0;
}

static inline int tu_is_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    assert_true(flags >= 0);
    return (flags & O_NONBLOCK) != 0;
}

static inline int tu_family(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    return ss.ss_family;
}

/* The port of a Go address string ("127.0.0.1:80", "[::]:80"). */
static inline int tu_port_of(const char *addr)
{
    const char *colon = strrchr(addr, ':');
    assert_non_null(colon);
    return atoi(colon + 1);
}

/* ---- handles that must succeed ------------------------------------------------------ */

static inline cnet_listener *tu_listen(const char *network, const char *address)
{
    cnet_listener *ln = NULL;
    cnet_error err;
    int rc = cnet_listen(network, address, &ln, &err);
    if (rc != 0)
        print_message("cnet_listen(%s, %s): %s\n", network, address, err.msg);
    assert_int_equal(rc, 0);
    assert_non_null(ln);
    return ln;
}

static inline cnet_packet_conn *tu_listen_packet(const char *network, const char *address)
{
    cnet_packet_conn *pc = NULL;
    cnet_error err;
    int rc = cnet_listen_packet(network, address, &pc, &err);
    if (rc != 0)
        print_message("cnet_listen_packet(%s, %s): %s\n", network, address, err.msg);
    assert_int_equal(rc, 0);
    assert_non_null(pc);
    return pc;
}

static inline cnet_conn *tu_dial(const char *network, const char *address)
{
    cnet_conn *c = NULL;
    cnet_error err;
    int rc = cnet_dial(network, address, &c, &err);
    if (rc != 0)
        print_message("cnet_dial(%s, %s): %s\n", network, address, err.msg);
    assert_int_equal(rc, 0);
    assert_non_null(c);
    return c;
}

static inline cnet_conn *tu_accept(cnet_listener *ln)
{
    cnet_conn *c = NULL;
    cnet_error err;
    int rc = cnet_listener_accept(ln, &c, &err);
    if (rc != 0)
        print_message("cnet_listener_accept: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_non_null(c);
    return c;
}

/* The listener's address string; also returns its port. */
static inline int tu_listener_addr(const cnet_listener *ln, char *buf, size_t len)
{
    int n = cnet_listener_addr(ln, buf, len);
    assert_true(n > 0);
    assert_int_equal((size_t)n, strlen(buf));
    return tu_port_of(buf);
}

static inline int tu_packet_addr(const cnet_packet_conn *pc, char *buf, size_t len)
{
    int n = cnet_packet_local_addr(pc, buf, len);
    assert_true(n > 0);
    assert_int_equal((size_t)n, strlen(buf));
    return tu_port_of(buf);
}

/* ---- waiting, bounded --------------------------------------------------------------- */

/* 1 if fd became readable within ms, else 0: receives that might never arrive
 * (multicast) are bounded instead of blocking the test forever. */
static inline int tu_wait_readable(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int rc;
    do {
        rc = poll(&p, 1, ms);
    } while (rc < 0 && errno == EINTR);
    return rc > 0;
}

static inline long tu_gettid(void)
{
    return (long)syscall(SYS_gettid);
}

/* State letter of a thread of this process ('R', 'S', ...) from /proc. */
static inline char tu_thread_state(long tid)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *got = fgets(line, sizeof line, f);
    fclose(f);
    assert_non_null(got);
    const char *paren = strrchr(line, ')');
    assert_non_null(paren);
    return paren[2];
}

/* Waits (at most 5 s) until thread tid sleeps in the kernel. A thread cannot signal
 * "I am now blocked inside cnet", so after it has announced that it is about to call
 * cnet, sleeping is the only observable proof that the call has started. */
static inline void tu_wait_thread_blocked(long tid)
{
    const struct timespec ms = {0, 1000000};
    for (int i = 0; i < 5000; i++) {
        if (tu_thread_state(tid) == 'S')
            return;
        nanosleep(&ms, NULL);
    }
    fail_msg("thread %ld never blocked", tid);
}

/* ---- a blocked call in another thread ------------------------------------------------- */

/* One blocking cnet call run in a helper thread. The thread announces its tid through
 * a pipe, then makes the call; the test waits for it to block, closes the handle and
 * joins. */
typedef struct tu_blocked_call {
    pthread_t thread;
    int announce[2];
    long tid;
    void *handle;
    long rc;
    cnet_error err;
    void (*call)(struct tu_blocked_call *);
} tu_blocked_call;

static inline void *tu_blocked_call_main(void *arg)
{
    tu_blocked_call *bc = arg;
    long tid = tu_gettid();
    if (write(bc->announce[1], &tid, sizeof tid) != (ssize_t)sizeof tid)
        abort();
    bc->call(bc);
    return NULL;
}

/* Starts bc->call(bc) in a thread and returns once the thread is blocked in it. */
static inline void tu_blocked_call_start(tu_blocked_call *bc)
{
    assert_int_equal(pipe(bc->announce), 0);
    assert_int_equal(pthread_create(&bc->thread, NULL, tu_blocked_call_main, bc), 0);
    assert_int_equal(read(bc->announce[0], &bc->tid, sizeof bc->tid), (ssize_t)sizeof bc->tid);
    close(bc->announce[0]);
    close(bc->announce[1]);
    tu_wait_thread_blocked(bc->tid);
}

static inline void tu_blocked_call_join(tu_blocked_call *bc)
{
    assert_int_equal(pthread_join(bc->thread, NULL), 0);
}

/* ---- files -------------------------------------------------------------------------- */

/* A fresh private directory under /tmp for unix socket paths. */
static inline void tu_make_tempdir(char *buf, size_t len)
{
    assert_true(snprintf(buf, len, "/tmp/cnet-test-XXXXXX") < (int)len);
    assert_non_null(mkdtemp(buf));
}

static inline int tu_path_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Reads a small integer from a /proc file. */
static inline int tu_read_proc_int(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int v = -1;
    assert_int_equal(fscanf(f, "%d", &v), 1);
    fclose(f);
    return v;
}

/* ---- child processes: another user, a private network namespace ---------------------- */

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

/* Runs fn(arg, out_fd) in a forked child and returns its exit status (-1 if it did not
 * exit normally); what the child wrote to out_fd is in out (NUL-terminated). The child
 * must not use cmocka's asserts: a failure there would unwind into a copy of the test
 * runner. It reports its findings as text for the parent to assert on instead. */
static inline int tu_run_child(int (*fn)(void *arg, int out_fd), void *arg, char *out, size_t len)
{
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        _exit(fn(arg, p[1]));
    }
    close(p[1]);
    size_t got = 0;
    while (got + 1 < len) {
        ssize_t n = read(p[0], out + got, len - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    out[got] = '\0';
    close(p[0]);
    int status;
    pid_t w;
    do {
        w = waitpid(pid, &status, 0);
    } while (w < 0 && errno == EINTR);
    assert_int_equal(w, pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Moves the calling process (a child: see tu_run_child) into a new, empty network
 * namespace with lo up and net.ipv4.tcp_migrate_req set to migrate_req. Nothing in it
 * can reach the host's network, and it disappears with the process. 0 or -errno. */
static inline int tu_enter_private_netns(int migrate_req)
{
    if (unshare(CLONE_NEWNET) < 0)
        return -errno;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    rc = rc < 0 ? -errno : 0;
    close(s);
    if (rc < 0)
        return rc;
    /* /proc/sys/net shows the namespace of the process that opens it. */
    FILE *f = fopen("/proc/sys/net/ipv4/tcp_migrate_req", "w");
    if (f == NULL)
        return -errno;
    int wrote = fprintf(f, "%d\n", migrate_req);
    return fclose(f) == 0 && wrote > 0 ? 0 : -EIO;
}

/* A TCP (or unix) connection and both of its ends, through a cnet listener. */
typedef struct tu_pair {
    cnet_listener *ln;
    cnet_conn *client, *server;
    char addr[CNET_ADDRSTRLEN];
} tu_pair;

static inline void tu_pair_open(tu_pair *p, const char *network, const char *listen_address)
{
    p->ln = tu_listen(network, listen_address);
    assert_true(cnet_listener_addr(p->ln, p->addr, sizeof p->addr) > 0);
    p->client = tu_dial(network, p->addr);
    p->server = tu_accept(p->ln);
}

static inline void tu_pair_close(tu_pair *p)
{
    if (p->client != NULL)
        assert_int_equal(cnet_conn_close(p->client), 0);
    if (p->server != NULL)
        assert_int_equal(cnet_conn_close(p->server), 0);
    assert_int_equal(cnet_listener_close(p->ln), 0);
}

/* Reads exactly len bytes, or fails the test. */
static inline void tu_read_exactly(cnet_conn *c, char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        cnet_error err;
        ssize_t n = cnet_conn_read(c, buf + got, len - got, &err);
        if (n <= 0)
            fail_msg("read returned %zd: %s", n, err.msg);
        got += (size_t)n;
    }
}

#endif /* CNET_TESTUTIL_H */
