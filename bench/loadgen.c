/* The load generator: plain blocking system calls on loopback, no cnet, no Go, so it
 * favours no server. It starts the server itself (argv after "--"), reads the server's
 * "PORT PID" line from a pipe, runs one bounded workload, prints two figures, then
 * ends the server with SIGTERM and reaps it. The figures are the rate and the server's
 * CPU time per operation in microseconds (all its threads, from /proc/PID/task/TID/schedstat,
 * start-up excluded): the second says what the server library costs even
 * when the client is what limits the rate.
 *
 *   loadgen accept N [BATCH] -- SERVER...     connections per second
 *   loadgen pingpong N -- SERVER...           64-byte round trips per second
 *   loadgen bulk MIB -- SERVER...             MB/s received (the server writes 1 MiB writes);
 *                                             CPU per MB
 *   loadgen dial N CLIENT... -- SERVER...     runs CLIENT... PORT N against the server; the
 *                                             client prints its own two figures
 *
 * Every client socket ends with SO_LINGER 0 (a reset): neither side keeps TIME_WAIT
 * entries, so repeated runs start from the same kernel state. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PINGPONG_SIZE 64
#define PINGPONG_WARMUP 200
#define BULK_READ (256 * 1024)
#define MAX_BATCH 256

static void die(const char *what)
{
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct server {
    pid_t child;  /* what we started (the server, or strace around it) */
    pid_t server; /* the server process itself, from its "PORT PID" line */
    int port;
} server;

static void start_server(char **argv, server *s)
{
    int p[2];
    FILE *f;

    if (pipe(p) < 0)
        die("pipe");
    s->child = fork();
    if (s->child < 0)
        die("fork");
    if (s->child == 0) {
        dup2(p[1], STDOUT_FILENO);
        close(p[0]);
        close(p[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "loadgen: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    f = fdopen(p[0], "r");
    if (f == NULL || fscanf(f, "%d %d", &s->port, &s->server) != 2) {
        fprintf(stderr, "loadgen: %s did not print \"PORT PID\"\n", argv[0]);
        exit(1);
    }
    fclose(f);
}

/* CPU time of every thread of pid so far, in nanoseconds. */
static long long cpu_ns(pid_t pid)
{
    char path[64], sub[400];
    long long total = 0, t;
    struct dirent *e;
    FILE *f;
    DIR *d;

    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    d = opendir(path);
    if (d == NULL)
        die("opendir /proc/PID/task");
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof sub, "%s/%s/schedstat", path, e->d_name);
        f = fopen(sub, "r");
        if (f == NULL)
            continue; /* the thread has just gone */
        if (fscanf(f, "%lld", &t) == 1)
            total += t;
        fclose(f);
    }
    closedir(d);
    return total;
}

static int stop_server(const server *s)
{
    int status;

    kill(s->server, SIGTERM);
    if (waitpid(s->child, &status, 0) < 0)
        die("waitpid");
    return status;
}

static int connect_to(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        die("socket");
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        die("connect");
    return fd;
}

static void close_with_reset(int fd)
{
    struct linger l = {.l_onoff = 1, .l_linger = 0};

    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

/* Waits for the server's close: the connection was accepted and closed. */
static void expect_eof(int fd)
{
    char b;
    ssize_t n = read(fd, &b, 1);

    if (n != 0) {
        errno = n < 0 ? errno : EPROTO;
        die("read (expected end of stream)");
    }
    close_with_reset(fd);
}

/* BATCH connections in flight at a time keep the server's accept queue non-empty. */
static double run_accept(int port, long n, int batch)
{
    int fds[MAX_BATCH];
    double t0 = now_s();
    long done = 0;
    int i, k;

    while (done < n) {
        k = n - done < batch ? (int)(n - done) : batch;
        for (i = 0; i < k; i++)
            fds[i] = connect_to(port);
        for (i = 0; i < k; i++)
            expect_eof(fds[i]);
        done += k;
    }
    return (double)n / (now_s() - t0);
}

static void read_full(int fd, char *buf, size_t len)
{
    size_t got = 0;
    ssize_t r;

    while (got < len) {
        r = read(fd, buf + got, len - got);
        if (r <= 0) {
            errno = r < 0 ? errno : EPROTO;
            die("read");
        }
        got += (size_t)r;
    }
}

static void round_trip(int fd, char *buf)
{
    if (write(fd, buf, PINGPONG_SIZE) != PINGPONG_SIZE)
        die("write");
    read_full(fd, buf, PINGPONG_SIZE);
}

static double run_pingpong(int port, long n)
{
    char buf[PINGPONG_SIZE];
    int fd = connect_to(port), one = 1;
    double t0;
    long i;

    /* The client must not batch either: each request leaves at once. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    memset(buf, 'p', sizeof buf);
    for (i = 0; i < PINGPONG_WARMUP; i++)
        round_trip(fd, buf);
    t0 = now_s();
    for (i = 0; i < n; i++)
        round_trip(fd, buf);
    t0 = now_s() - t0;
    close_with_reset(fd);
    return (double)n / t0;
}

static double run_bulk(int port, long mib, double *ops)
{
    static char buf[BULK_READ];
    long long want = (long long)mib << 20, got = 0;
    int fd = connect_to(port);
    double t0 = now_s();
    ssize_t r;

    *ops = (double)want / 1e6;
    while (got < want) {
        r = read(fd, buf, sizeof buf);
        if (r <= 0) {
            errno = r < 0 ? errno : EPROTO;
            die("read (bulk)");
        }
        got += r;
    }
    t0 = now_s() - t0;
    close_with_reset(fd);
    return (double)got / 1e6 / t0;
}

/* Runs the dialing client with PORT N appended; its stdout (the figure) is ours. */
static int run_client(char **argv, int argc, int port, long n)
{
    char sport[16], sn[24];
    char **args = calloc((size_t)argc + 3, sizeof *args);
    pid_t pid;
    int status, i;

    if (args == NULL)
        die("calloc");
    for (i = 0; i < argc; i++)
        args[i] = argv[i];
    snprintf(sport, sizeof sport, "%d", port);
    snprintf(sn, sizeof sn, "%ld", n);
    args[argc] = sport;
    args[argc + 1] = sn;
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        execvp(args[0], args);
        fprintf(stderr, "loadgen: exec %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    free(args);
    if (waitpid(pid, &status, 0) < 0)
        die("waitpid");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: loadgen accept|pingpong|bulk N [BATCH] -- SERVER...\n"
                    "       loadgen dial N CLIENT... -- SERVER...\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *workload;
    int sep, batch = 1, rc = 0;
    double rate = 0, ops;
    long long cpu0;
    long n;
    server s;

    for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
        ;
    if (argc < 4 || sep >= argc - 1 || sep < 3)
        return usage();
    workload = argv[1];
    n = strtol(argv[2], NULL, 10);
    if (n <= 0)
        return usage();
    ops = (double)n;
    if (strcmp(workload, "accept") == 0 && sep == 4)
        batch = atoi(argv[3]);
    if (batch < 1 || batch > MAX_BATCH)
        return usage();
    signal(SIGPIPE, SIG_IGN);
    start_server(argv + sep + 1, &s);
    cpu0 = cpu_ns(s.server);
    if (strcmp(workload, "accept") == 0)
        rate = run_accept(s.port, n, batch);
    else if (strcmp(workload, "pingpong") == 0)
        rate = run_pingpong(s.port, n), ops += PINGPONG_WARMUP;
    else if (strcmp(workload, "bulk") == 0)
        rate = run_bulk(s.port, n, &ops);
    else if (strcmp(workload, "dial") == 0)
        rc = run_client(argv + 3, sep - 3, s.port, n);
    else
        rc = usage();
    if (rate > 0)
        printf("%.1f %.3f\n", rate, (double)(cpu_ns(s.server) - cpu0) / 1e3 / ops);
    fflush(stdout);
    stop_server(&s);
    return rc;
}
