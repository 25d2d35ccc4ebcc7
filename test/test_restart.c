/* Zero-downtime restart, the proof (issue 4 §3). A client opens CONNECTIONS connections,
 * one after another, each sending a line and expecting it back, while the server
 * (helper_server) is replaced REPLACEMENTS times under it:
 *   - restart: the server re-executes itself with cnet_restart_exec; the new process
 *     takes the listening socket with cnet_listeners_from_env, and the old one stops
 *     accepting and finishes its connections. The socket is never closed, so nothing
 *     is refused.
 *   - group: two servers share the port through reuse_port, and each in turn is
 *     replaced the same way: it hands its member socket to its successor. The socket
 *     never leaves the group, so nothing queued on it is lost. Closing a member instead
 *     is lossy even with net.ipv4.tcp_migrate_req=1: a handshake that completes while
 *     the member closes is reset (seen about once in 60 runs of 300 connections, as
 *     TcpEstabResets with no TCPMigrateReqFailure), so this is the only lossless way to
 *     replace a member, and test_reuseport shows what closing does.
 * Not one connection may be refused or reset, each gets its answer, a connection held
 * open across each replacement is answered too, and every server process exits 0 with
 * none left behind. The scenario runs in a child process that adopts the orphaned
 * servers (PR_SET_CHILD_SUBREAPER) so that it can reap every one of them.
 *
 * The same program checks the hand-over itself (issue 11 §2, §3): what the new process
 * gets, under tight descriptor limits and with bad names. It re-executes itself
 * ("--child ADDRESS...") as that new process.
 *
 * Usage: test_restart HELPER [group] */
#include "testutil.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#define CONNECTIONS 300
#define REPLACEMENTS 5
#define MAX_SERVERS 16
#define TIMEOUT_NS (10 * 1000000000LL)
#define FAILURE_MAX 200

static const char *helper;

/* ---- the servers ---------------------------------------------------------------------- */

typedef struct servers {
    int out[2];                /* every server's stdout: "ready <pid> <address>" lines */
    pid_t pids[MAX_SERVERS];
    size_t started;
    char addr[CNET_ADDRSTRLEN];
    char failure[FAILURE_MAX]; /* the first thing that went wrong, or "" */
} servers;

static void fail_with(char *failure, const char *fmt, ...)
{
    if (failure[0] != '\0')
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(failure, FAILURE_MAX, fmt, ap);
    va_end(ap);
}

/* One line from the servers' stdout, waiting at most 10 s for each byte. */
static int read_line(int fd, char *buf, size_t len)
{
    size_t got = 0;
    while (got + 1 < len && tu_wait_readable(fd, 10000)) {
        if (read(fd, buf + got, 1) != 1)
            break;
        if (buf[got++] == '\n') {
            buf[got - 1] = '\0';
            return 0;
        }
    }
    return -1;
}

/* Waits for the next "ready" line: the pid of the server that wrote it, or -1. */
static pid_t wait_ready(servers *s)
{
    char line[CNET_ADDRSTRLEN + 32], addr[CNET_ADDRSTRLEN];
    long pid;
    if (read_line(s->out[0], line, sizeof line) < 0 ||
        sscanf(line, "ready %ld %111s", &pid, addr) != 2) {
        fail_with(s->failure, "no ready line from a server");
        return -1;
    }
    if (s->addr[0] == '\0')
        snprintf(s->addr, sizeof s->addr, "%s", addr);
    else if (strcmp(addr, s->addr) != 0)
        fail_with(s->failure, "server %ld listens on %s, not %s", pid, addr, s->addr);
    if (s->started < MAX_SERVERS)
        s->pids[s->started++] = (pid_t)pid;
    return (pid_t)pid;
}

/* Starts helper_server [--group] address; returns its pid once it is ready, or -1. */
static pid_t start_server(servers *s, int group, const char *address)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (dup2(s->out[1], STDOUT_FILENO) == STDOUT_FILENO) {
            if (group)
                execl(helper, helper, "--group", address, (char *)NULL);
            else
                execl(helper, helper, address, (char *)NULL);
        }
        _exit(127);
    }
    return pid < 0 ? -1 : wait_ready(s);
}

/* Reaps every process this one adopted or started, waiting at most 10 s; counts those
 * that exited 0, and kills (and counts) any still running after that. */
static void reap_all(servers *s, int *exited_ok, int *left)
{
    *exited_ok = *left = 0;
    const struct timespec ms = {0, 1000000};
    for (int i = 0; i < 10000; i++) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0)
            return; /* ECHILD: none left */
        if (pid == 0)
            nanosleep(&ms, NULL);
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            (*exited_ok)++;
    }
    for (size_t i = 0; i < s->started; i++)
        if (kill(s->pids[i], SIGKILL) == 0)
            (*left)++;
    while (waitpid(-1, NULL, 0) > 0) {
    }
}

/* ---- the client ----------------------------------------------------------------------- */

typedef struct load {
    const char *addr;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;     /* connections finished */
    int released; /* replacements begun: the client pauses before each one */
    int answered;
    char failure[FAILURE_MAX];
} load;

/* Reads until the server closes: the whole answer. */
static ssize_t read_answer(cnet_conn *c, char *buf, size_t len, cnet_error *err)
{
    size_t got = 0;
    for (;;) {
        ssize_t n = cnet_conn_read(c, buf + got, len - got, err);
        if (n <= 0)
            return n < 0 ? n : (ssize_t)got;
        got += (size_t)n;
        if (got == len)
            return (ssize_t)got;
    }
}

/* Sends a line on c and checks that exactly that line comes back. */
static int exchange(cnet_conn *c, int i, char *failure)
{
    char line[64], answer[64];
    cnet_error err;
    int n = snprintf(line, sizeof line, "connection %d\n", i);
    cnet_conn_set_deadline(c, cnet_now_ns() + TIMEOUT_NS);
    ssize_t got = -1;
    if (cnet_conn_write(c, line, (size_t)n, &err) == n)
        got = read_answer(c, answer, sizeof answer, &err);
    if (got == n && memcmp(answer, line, (size_t)n) == 0)
        return 0;
    fail_with(failure, "connection %d: %s", i, got < 0 ? err.msg : "wrong answer");
    return -1;
}

static int one_connection(const char *addr, int i, char *failure)
{
    const cnet_dialer d = {.timeout_ns = TIMEOUT_NS};
    cnet_conn *c;
    cnet_error err;
    if (cnet_dial_with(&d, "tcp", addr, &c, &err) < 0) {
        fail_with(failure, "connection %d: %s", i, err.msg);
        return -1;
    }
    int rc = exchange(c, i, failure);
    cnet_conn_close(c);
    return rc;
}

#define STEP (CONNECTIONS / (REPLACEMENTS + 1))

static void *run_load(void *arg)
{
    load *l = arg;
    for (int i = 0; i < CONNECTIONS; i++) {
        pthread_mutex_lock(&l->mu);
        /* At each step, wait for the replacement to begin, so that the connections
         * that follow race it. */
        while (i > 0 && i % STEP == 0 && l->released < i / STEP && i / STEP <= REPLACEMENTS)
            pthread_cond_wait(&l->cv, &l->mu);
        pthread_mutex_unlock(&l->mu);
        int ok = one_connection(l->addr, i, l->failure) == 0;
        pthread_mutex_lock(&l->mu);
        l->done++;
        l->answered += ok;
        pthread_cond_broadcast(&l->cv);
        pthread_mutex_unlock(&l->mu);
    }
    return NULL;
}

static void wait_done(load *l, int n)
{
    pthread_mutex_lock(&l->mu);
    while (l->done < n)
        pthread_cond_wait(&l->cv, &l->mu);
    pthread_mutex_unlock(&l->mu);
}

static void release(load *l, int k)
{
    pthread_mutex_lock(&l->mu);
    l->released = k;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

/* ---- the scenarios ---------------------------------------------------------------------- */

typedef struct scenario {
    int group;        /* 0: one server; 1: a group of two */
    pid_t current[2]; /* the live servers (one for restart) */
} scenario;

/* Replacement k: the server (for a group, each member in turn) is sent SIGHUP and
 * restarts itself, handing its socket to its successor. The client is released once
 * the replacement has begun. */
static void replace(scenario *sc, servers *s, load *l, int k)
{
    pid_t *replaced = &sc->current[sc->group ? k % 2 : 0];
    kill(*replaced, SIGHUP);
    release(l, k);
    *replaced = wait_ready(s);
}

/* The whole run; reports "answered=<n>/<n> held=<n>/<n> servers=<n> exited_ok=<n>
 * left=<n> failure=<first failure or ->". */
static int run_scenario(scenario *sc, int out)
{
    servers s = {.started = 0};
    load l = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    int held_answered = 0, exited_ok, left;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || pipe2(s.out, O_CLOEXEC) < 0)
        return 1;
    sc->current[0] = start_server(&s, sc->group, "127.0.0.1:0");
    if (sc->group)
        sc->current[1] = start_server(&s, 1, s.addr);
    pthread_t t;
    l.addr = s.addr;
    if (s.failure[0] == '\0' && pthread_create(&t, NULL, run_load, &l) == 0) {
        for (int k = 1; k <= REPLACEMENTS; k++) {
            wait_done(&l, k * STEP);
            /* Opened before the replacement, used after it: the old server (or the
             * queue it leaves behind) must still answer. */
            cnet_conn *held = NULL;
            cnet_error err;
            if (cnet_dial("tcp", s.addr, &held, &err) < 0)
                fail_with(s.failure, "held connection %d: %s", k, err.msg);
            replace(sc, &s, &l, k);
            held_answered += held != NULL && exchange(held, -k, s.failure) == 0;
            cnet_conn_close(held);
        }
        release(&l, REPLACEMENTS);
        pthread_join(t, NULL);
    }
    for (int i = 0; i < 1 + sc->group; i++)
        kill(sc->current[i], SIGTERM);
    close(s.out[1]);
    reap_all(&s, &exited_ok, &left);
    close(s.out[0]);
    fail_with(s.failure, "%s", l.failure);
    dprintf(out, "answered=%d/%d held=%d/%d servers=%zu exited_ok=%d left=%d failure=%s", l.answered,
            CONNECTIONS, held_answered, REPLACEMENTS, s.started, exited_ok, left,
            s.failure[0] != '\0' ? s.failure : "-");
    return 0;
}

static int restart_child(void *arg, int out)
{
    (void)arg;
    scenario sc = {.group = 0};
    return run_scenario(&sc, out);
}

static int group_child(void *arg, int out)
{
    (void)arg;
    scenario sc = {.group = 1};
    return run_scenario(&sc, out);
}

static void expect_run(int (*child)(void *, int), size_t servers_started)
{
    char out[512], want[512];
    assert_int_equal(tu_run_child(child, NULL, out, sizeof out), 0);
    print_message("%s\n", out);
    snprintf(want, sizeof want, "answered=%d/%d held=%d/%d servers=%zu exited_ok=%zu left=0 failure=-",
             CONNECTIONS, CONNECTIONS, REPLACEMENTS, REPLACEMENTS, servers_started, servers_started);
    assert_string_equal(out, want);
}

static void restart_refuses_no_connection(void **state)
{
    (void)state;
    expect_run(restart_child, 1 + REPLACEMENTS);
}

static void group_replacement_refuses_no_connection(void **state)
{
    (void)state;
    expect_run(group_child, 2 + REPLACEMENTS);
}

/* ---- the hand-over itself -------------------------------------------------------------- */

/* The new process: takes every handed socket in order and says, for each, whether it is
 * the listener the old process meant (whose address is in expected). */
static int new_process_main(int argc, char **argv)
{
    cnet_activation *act;
    cnet_error err;
    int rc = cnet_listeners_from_env(&act, &err);
    printf("from_env %d %s\n", rc, rc < 0 ? err.msg : "");
    for (size_t i = 0; rc >= 0 && i < cnet_activation_count(act); i++) {
        cnet_listener *ln = NULL;
        char addr[CNET_ADDRSTRLEN] = "";
        int took = cnet_activation_listener(act, NULL, &ln, &err);
        if (took == 0)
            cnet_listener_addr(ln, addr, sizeof addr);
        printf("listener %zu %s %s\n", i, cnet_activation_name(act, i),
               took < 0 ? err.msg : (int)i < argc && strcmp(addr, argv[i]) == 0 ? "ok" : addr);
        cnet_listener_close(ln);
    }
    cnet_activation_free(act);
    return 0;
}

#define MAX_OPENED 4

/* One hand-over: opened listeners at fds 3, 4, ...; order[i] is the one handed over as
 * the new process's fd 3+i. */
typedef struct handover_case {
    size_t opened;
    const size_t *order;
    size_t n;
    const char *const *names;
    rlim_t nofile; /* RLIMIT_NOFILE for the old process (and so for the new); 0: as is */
} handover_case;

static int open_at_3(cnet_listener **lns, size_t n)
{
    for (int fd = 3; fd < 1024; fd++) /* whatever the runner left open */
        close(fd);
    for (size_t i = 0; i < n; i++) {
        cnet_error err;
        if (cnet_listen("tcp", "127.0.0.1:0", &lns[i], &err) < 0 ||
            cnet_listener_fd(lns[i]) != 3 + (int)i)
            return -1;
    }
    return 0;
}

/* The old process, in a child: stdout (shared with the new process) goes to the test.
 * Writes what the new process reports, then "exec <rc> <message>". */
static int old_process(void *arg, int out)
{
    const handover_case *c = arg;
    cnet_listener *opened[MAX_OPENED], *lns[8];
    char addrs[8][CNET_ADDRSTRLEN];
    char *argv[12] = {"test_restart", "--child"};
    if (dup2(out, STDOUT_FILENO) < 0 || open_at_3(opened, c->opened) < 0)
        return 126;
    for (size_t i = 0; i < c->n; i++) {
        lns[i] = opened[c->order[i]];
        cnet_listener_addr(lns[i], addrs[i], sizeof addrs[i]);
        argv[2 + i] = addrs[i];
    }
    argv[2 + c->n] = NULL;
    const struct rlimit lim = {c->nofile, c->nofile};
    if (c->nofile != 0 && setrlimit(RLIMIT_NOFILE, &lim) < 0)
        return 126;
    cnet_error err;
    pid_t pid;
    fflush(stdout);
    int rc = cnet_restart_exec("/proc/self/exe", argv, NULL, lns, c->names, c->n, &pid, &err);
    if (rc == 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
    printf("exec %d %s\n", rc, rc < 0 ? err.msg : "");
    return fflush(stdout) == 0 ? 0 : 126; /* the child _exits: stdio is not flushed */
}

static void expect_handover(const handover_case *c, const char *want)
{
    char out[2048];
    assert_int_equal(tu_run_child(old_process, (void *)c, out, sizeof out), 0);
    assert_string_equal(out, want);
}

/* Issue 11 §2: one listener at fd 3, RLIMIT_NOFILE 6. The new process must get it: the
 * listener already is at its place and needs no free descriptor to get there. Three at
 * 3, 4, 5 handed over as 5, 3, 4 need two moves: the limit 9 leaves room for them. */
static void restart_hands_over_under_a_tight_fd_limit(void **state)
{
    (void)state;
    static const size_t one[] = {0}, rotated[] = {2, 0, 1};
    static const char *const names[] = {"c", "a", NULL};
    const handover_case at_3 = {1, one, 1, NULL, 6};
    expect_handover(&at_3, "from_env 1 \n"
                           "listener 0 unknown ok\n"
                           "exec 0 \n");
    const handover_case moved = {3, rotated, 3, names, 9};
    expect_handover(&moved, "from_env 3 \n"
                            "listener 0 c ok\n"
                            "listener 1 a ok\n"
                            "listener 2 unknown ok\n"
                            "exec 0 \n");
}

/* Issue 11 §2: where the limit leaves no room to move a descriptor into place, the old
 * process learns of it (and can go on serving) instead of starting a new process
 * without its listeners: no new process runs, and the error says why. */
static void restart_reports_a_hand_over_that_cannot_happen(void **state)
{
    (void)state;
    static const size_t thrice[] = {0, 0, 0}, rotated[] = {2, 0, 1};
    const char *want = "exec -24 exec /proc/self/exe: fcntl: too many open files\n";
    /* 3..5 are the targets; the error pipe is at 5 and cannot move above them. */
    const handover_case pipe_in_range = {1, thrice, 3, NULL, 6};
    expect_handover(&pipe_in_range, want);
    /* Two listeners must move, and there is room for one. */
    const handover_case no_room = {3, rotated, 3, NULL, 8};
    expect_handover(&no_room, want);
}

/* Issue 11 §3: a name the new process would refuse fails the restart in the old one,
 * by the same rule; the longest valid name goes through. */
static void restart_refuses_names_the_reader_refuses(void **state)
{
    (void)state;
    static const size_t one[] = {0};
    char longest[256], too_long[301], want[512];
    memset(longest, 'x', 255);
    longest[255] = '\0';
    memset(too_long, 'y', 300);
    too_long[300] = '\0';
    const char *const bad[] = {"a:b", "", too_long};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *const names[] = {bad[i]};
        const handover_case c = {1, one, 1, names, 0};
        snprintf(want, sizeof want, "exec -22 exec /proc/self/exe: listener name \"%.64s\": "
                                    "invalid argument\n", bad[i]);
        expect_handover(&c, want);
    }
    const char *const names[] = {longest};
    const handover_case c = {1, one, 1, names, 0};
    snprintf(want, sizeof want, "from_env 1 \nlistener 0 %s ok\nexec 0 \n", longest);
    expect_handover(&c, want);
}

/* Issue 11 §3: with no listener there is no LISTEN_FDNAMES (an empty one names one). */
static void restart_with_no_listener_hands_over_nothing(void **state)
{
    (void)state;
    const handover_case none = {0, NULL, 0, NULL, 0};
    expect_handover(&none, "from_env 0 \nexec 0 \n");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return new_process_main(argc - 2, argv + 2);
    if (argc < 2) {
        fprintf(stderr, "usage: test_restart HELPER [group]\n");
        return 2;
    }
    helper = argv[1];
    if (argc > 2 && strcmp(argv[2], "group") == 0) {
        const struct CMUnitTest group_tests[] = {TU_TEST(group_replacement_refuses_no_connection)};
        return cmocka_run_group_tests_name("restart_group", group_tests, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        TU_TEST(restart_hands_over_under_a_tight_fd_limit),
        TU_TEST(restart_reports_a_hand_over_that_cannot_happen),
        TU_TEST(restart_refuses_names_the_reader_refuses),
        TU_TEST(restart_with_no_listener_hands_over_nothing),
        TU_TEST(restart_refuses_no_connection),
    };
    return cmocka_run_group_tests_name("restart", tests, NULL, NULL);
}
