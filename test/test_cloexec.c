/* Nothing leaks into children (issue 6 §1): while several threads make every kind of
 * socket cnet makes, another thread forks and execs this program again, which lists the
 * descriptors it inherited: only 0, 1 and 2 may be there. fork + exec from a thread is
 * exactly the race that only close-on-exec from birth (SOCK_CLOEXEC, accept4) wins.
 *
 * This program has two other modes, used as the exec'd child and by test_syscalls.sh:
 *   --list-fds           prints the open descriptors, one a line, and exits
 *   --every-constructor  calls every public constructor once (for the strace audit) */
#include "testutil.h"

#include <stdatomic.h>
#include <sys/wait.h>

#define WORKERS 4
#define ROUNDS 60
#define CHILDREN 40

static char self_exe[4096];

/* ---- the exec'd child ---------------------------------------------------------------- */

static int list_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return 2;
    int own = dirfd(d);
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (e->d_name[0] != '.' && atoi(e->d_name) != own)
            printf("%s\n", e->d_name);
    }
    closedir(d);
    return fflush(stdout) == 0 ? 0 : 2;
}

/* ---- one of every kind of socket -------------------------------------------------------- */

typedef struct every_kind {
    cnet_listener *tcp_ln, *unix_ln, *file_ln;
    cnet_conn *tcp_dialed, *tcp_accepted, *unix_dialed, *unix_accepted, *udp_dialed, *bound_dialed;
    cnet_conn *resolved, *resolved_accepted, *file_conn;
    cnet_packet_conn *udp, *udp6, *mcast, *unixgram, *file_pc;
    char dir[64];
} every_kind;

/* Go-shaped failure text is printed by the tu_* helpers; here a NULL is enough to fail. */
static void must(int rc, const char *what, const cnet_error *err)
{
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", what, err->msg);
        abort();
    }
}

static void make_every_kind(every_kind *k, int id)
{
    char addr[CNET_ADDRSTRLEN], path[128];
    cnet_error err;
    cnet_dialer local = {.local_address = "127.0.0.1:0"};
    cnet_dialer timed = {.timeout_ns = 5000000000LL};
    cnet_listen_config plain = {0};

    memset(k, 0, sizeof *k);
    snprintf(k->dir, sizeof k->dir, "/tmp/cnet-cloexec-XXXXXX");
    if (mkdtemp(k->dir) == NULL)
        abort();

    must(cnet_listen_with(&plain, "tcp", "127.0.0.1:0", &k->tcp_ln, &err), "listen tcp", &err);
    cnet_listener_addr(k->tcp_ln, addr, sizeof addr);
    must(cnet_dial("tcp", addr, &k->tcp_dialed, &err), "dial tcp", &err);
    must(cnet_listener_accept(k->tcp_ln, &k->tcp_accepted, &err), "accept tcp", &err);
    must(cnet_dial_with(&local, "tcp", addr, &k->bound_dialed, &err), "dial tcp local", &err);
    cnet_conn_close(k->bound_dialed);
    k->bound_dialed = NULL;
    must(cnet_listener_accept(k->tcp_ln, &k->resolved_accepted, &err), "accept tcp 2", &err);
    cnet_conn_close(k->resolved_accepted);
    k->resolved_accepted = NULL;
    /* a name: the resolver thread and its wake-up descriptors */
    snprintf(path, sizeof path, "localhost:%d", tu_port_of(addr));
    must(cnet_dial_with(&timed, "tcp4", path, &k->resolved, &err), "dial localhost", &err);
    must(cnet_listener_accept(k->tcp_ln, &k->resolved_accepted, &err), "accept tcp 3", &err);

    snprintf(path, sizeof path, "%s/s%d.sock", k->dir, id);
    must(cnet_listen("unix", path, &k->unix_ln, &err), "listen unix", &err);
    must(cnet_dial("unix", path, &k->unix_dialed, &err), "dial unix", &err);
    must(cnet_listener_accept(k->unix_ln, &k->unix_accepted, &err), "accept unix", &err);
    must(cnet_file_listener(cnet_listener_fd(k->tcp_ln), "tcp", &k->file_ln, &err), "file ln", &err);
    must(cnet_file_conn(cnet_conn_fd(k->tcp_dialed), "c", &k->file_conn, &err), "file conn", &err);

    must(cnet_listen_packet_with(&plain, "udp", "127.0.0.1:0", &k->udp, &err), "udp", &err);
    cnet_packet_local_addr(k->udp, addr, sizeof addr);
    must(cnet_dial("udp", addr, &k->udp_dialed, &err), "dial udp", &err);
    must(cnet_listen_packet("udp6", "[::1]:0", &k->udp6, &err), "udp6", &err);
    must(cnet_listen_multicast_udp("udp4", "lo", "239.255.6.7:0", &k->mcast, &err), "mcast", &err);
    must(cnet_file_packet_conn(cnet_packet_fd(k->udp), "u", &k->file_pc, &err), "file pc", &err);
    snprintf(path, sizeof path, "%s/g%d.sock", k->dir, id);
    must(cnet_listen_packet("unixgram", path, &k->unixgram, &err), "unixgram", &err);
}

static void close_every_kind(every_kind *k)
{
    cnet_conn *conns[] = {k->tcp_dialed,  k->tcp_accepted,      k->unix_dialed, k->unix_accepted,
                          k->udp_dialed,  k->resolved,          k->resolved_accepted,
                          k->file_conn};
    cnet_packet_conn *pcs[] = {k->udp, k->udp6, k->mcast, k->unixgram, k->file_pc};
    for (size_t i = 0; i < sizeof conns / sizeof conns[0]; i++)
        cnet_conn_close(conns[i]);
    for (size_t i = 0; i < sizeof pcs / sizeof pcs[0]; i++)
        cnet_packet_close(pcs[i]);
    cnet_listener_close(k->file_ln);
    cnet_listener_close(k->unix_ln);
    cnet_listener_close(k->tcp_ln);
    char path[sizeof k->dir + 256 + 1];
    DIR *d = opendir(k->dir);
    for (struct dirent *e = d ? readdir(d) : NULL; e != NULL; e = readdir(d)) {
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", k->dir, e->d_name);
            unlink(path);
        }
    }
    if (d != NULL)
        closedir(d);
    rmdir(k->dir);
}

/* ---- fork + exec, and what the child saw ----------------------------------------------- */

/* Forks and execs this program with --list-fds, its stdout on a pipe; returns the
 * descriptors it listed, joined by spaces ("0 1 2"). */
static void child_fds(char *out, size_t len)
{
    int p[2];
    char *const argv[] = {self_exe, "--list-fds", NULL};
    if (pipe2(p, O_CLOEXEC) != 0)
        abort();
    pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        if (dup2(p[1], STDOUT_FILENO) < 0)
            _exit(3);
        execv(self_exe, argv);
        _exit(4);
    }
    close(p[1]);
    char raw[512];
    size_t got = 0;
    ssize_t n;
    while (got + 1 < sizeof raw && (n = read(p[0], raw + got, sizeof raw - 1 - got)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        got += (size_t)n;
    }
    raw[got] = '\0';
    close(p[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    size_t o = 0;
    out[0] = '\0';
    for (char *tok = strtok(raw, "\n"); tok != NULL && o + 1 < len; tok = strtok(NULL, "\n"))
        o += (size_t)snprintf(out + o, len - o, "%s%s", o ? " " : "", tok);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        snprintf(out, len, "child failed (status %d)", status);
}

/* The child's fd list is sorted by the kernel's readdir order of /proc/self/fd, which
 * is numeric. */
static void child_sees_only_stdio(void **state)
{
    every_kind k;
    char seen[256];
    (void)state;
    make_every_kind(&k, 0);
    child_fds(seen, sizeof seen);
    assert_string_equal(seen, "0 1 2");
    close_every_kind(&k);
}

static atomic_int workers_running;

static void *socket_maker(void *arg)
{
    every_kind k;
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < ROUNDS; i++) {
        make_every_kind(&k, id * 1000 + i);
        close_every_kind(&k);
    }
    atomic_fetch_sub(&workers_running, 1);
    return NULL;
}

/* Children are forked for as long as the workers run (and at least CHILDREN times). */
static void children_see_only_stdio_while_threads_make_sockets(void **state)
{
    pthread_t workers[WORKERS];
    char seen[256];
    int children = 0, clean = 0;
    (void)state;
    atomic_store(&workers_running, WORKERS);
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_create(&workers[i], NULL, socket_maker, (void *)(intptr_t)(i + 1)), 0);
    while (children < CHILDREN || atomic_load(&workers_running) > 0) {
        child_fds(seen, sizeof seen);
        children++;
        if (strcmp(seen, "0 1 2") != 0)
            print_message("child %d saw: %s\n", children, seen);
        else
            clean++;
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL);
    print_message("%d children forked and exec'd while %d threads made every kind of socket %d times\n", children,
                  WORKERS, WORKERS * ROUNDS);
    assert_int_equal(clean, children);
}

/* Descriptors this process inherited (a CI runner's, a shell's) are not cnet's: they
 * are made close-on-exec first, so that anything a child sees beyond 0-2 is cnet's. */
static void stop_passing_inherited_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        abort();
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] != '.' && fd > 2 && fd != dirfd(d))
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    closedir(d);
}

static int every_constructor(void)
{
    every_kind k;
    make_every_kind(&k, 0);
    close_every_kind(&k);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--list-fds") == 0)
        return list_fds();
    if (argc > 1 && strcmp(argv[1], "--every-constructor") == 0)
        return every_constructor();
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n <= 0)
        return 1;
    self_exe[n] = '\0';
    stop_passing_inherited_fds();
    const struct CMUnitTest tests[] = {
        TU_TEST(child_sees_only_stdio),
        TU_TEST(children_see_only_stdio_while_threads_make_sockets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
