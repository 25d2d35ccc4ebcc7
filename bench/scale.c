/* The scale workload's load generator (issue 10): N connections to one echo server,
 * each with one 64-byte request in flight. Plain system calls and one epoll loop, no
 * cnet and no Go, so it favours no server. It runs in its own process (the server is
 * its child): a process may hold at most 20,000 descriptors on the test machine, and
 * the server needs N + its own.
 *
 *   scale N SECONDS -- SERVER...
 *   scale N -c K -- SERVER...      exactly K round trips after the setup, no warm-up:
 *                                  for system call counts (strace), where a timed run
 *                                  would not give the same count twice
 *
 * 1. Starts the server (argv after "--") and reads its "PORT PID" line.
 * 2. Connects once and echoes once, then notes the server's resident memory,
 *    descriptors and threads: what one-time costs a first connection brings (a lazily
 *    made poller, a first pool of stacks) are in this baseline, not in the figures
 *    per connection.
 * 3. Connects the other N - 1 in chunks of CHUNK; each chunk does one round trip on
 *    every connection before the next chunk connects, so the accept queue never
 *    overflows and every connection is known to be accepted and served. With all N
 *    connections idle (each handler back in its read), notes the same three again:
 *    the differences divided by N - 1 are the costs per connection.
 * 4. Sends one request on every connection and answers each reply with the next
 *    request (a closed loop), WARMUP_S seconds unmeasured, then SECONDS measured.
 * 5. Stops the server, then closes every connection with a reset (no TIME_WAIT is
 *    left).
 *
 * Prints one line: round trips per second, server CPU microseconds per round trip
 * (every thread, from the process CPU clock), p50 and p99 latency in microseconds
 * (request written to reply read in full), resident KiB per idle connection,
 * descriptors per connection, the descriptors beyond one per connection (0 when each
 * costs exactly one), and the server's threads with N idle connections.
 * With SCALE_PERF=FILE in the environment, a perf record of the server covers the
 * measured seconds alone (not the setup), into FILE.
 * On any failure prints "error WHAT" instead and exits 1; the server's own stderr
 * (which says why it failed, if it did) goes to ours. Every wait is bounded. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG_SIZE 64
#define CHUNK 256
#define WARMUP_S 0.3
#define IO_TIMEOUT_S 10 /* a connect or warm-up read that takes longer is an error */
#define STALL_S 5       /* no reply at all for this long in the loop is an error */
#define MAX_N 19500
#define MAX_EVENTS 512

typedef struct server {
    pid_t child;  /* what we started */
    pid_t server; /* the server process itself, from its "PORT PID" line */
    int port;
} server;

typedef struct conn {
    int fd;
    unsigned got;    /* bytes of the current reply read so far */
    int64_t sent_ns; /* when the request in flight was written */
} conn;

/* What /proc says about the server at one moment. */
typedef struct snapshot {
    long rss_kib;
    long fds;
    long threads;
} snapshot;

/* The latencies of the measured round trips, in nanoseconds. */
typedef struct samples {
    uint32_t *v;
    size_t n, cap;
} samples;

static server srv;
static conn *conns;
static long nconns;
static long budget = LONG_MAX; /* requests still to be sent */
static long in_flight;         /* requests sent and not yet answered in full */

static void stop_server(void);

/* Reports a failure as the result line, stops the server and exits. */
static void fail(const char *fmt, ...)
{
    va_list ap;

    printf("error ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    stop_server();
    exit(1);
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The server dies with us (PR_SET_PDEATHSIG), so a run killed by a timeout leaves no
 * server behind holding 19,000 sockets. */
static void start_server(char **argv)
{
    int p[2];
    FILE *f;

    if (pipe(p) < 0)
        fail("pipe: %s", strerror(errno));
    srv.child = fork();
    if (srv.child < 0)
        fail("fork: %s", strerror(errno));
    if (srv.child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(p[1], STDOUT_FILENO);
        close(p[0]);
        close(p[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "scale: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    f = fdopen(p[0], "r");
    if (f == NULL || fscanf(f, "%d %d", &srv.port, &srv.server) != 2) {
        srv.server = 0;
        fail("%s did not print \"PORT PID\"", argv[0]);
    }
    fclose(f);
}

/* Stops the server first, so that what it does is the same in every run (it never
 * sees the resets, which a strace count would catch half of), then resets every
 * connection: the server's orphaned sockets get the reset, and neither side keeps
 * TIME_WAIT entries into the next run. */
static void stop_server(void)
{
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    long i;

    if (srv.server > 0)
        kill(srv.server, SIGTERM);
    if (srv.child > 0)
        waitpid(srv.child, NULL, 0);
    srv.child = srv.server = 0;
    for (i = 0; i < nconns; i++) {
        setsockopt(conns[i].fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        close(conns[i].fd);
    }
    nconns = 0;
}

/* The server's CPU time so far (every thread, the dead ones included): one system
 * call, where summing /proc/PID/task/TID/schedstat would take a file per thread, far
 * too slow with 19,000 threads. */
static int64_t server_cpu_ns(clockid_t clock)
{
    struct timespec ts;

    if (clock_gettime(clock, &ts) < 0)
        fail("clock_gettime(server CPU clock): %s", strerror(errno));
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long count_fds(pid_t pid)
{
    char path[64];
    struct dirent *e;
    long n = 0;
    DIR *d;

    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    d = opendir(path);
    if (d == NULL)
        fail("opendir %s: %s", path, strerror(errno));
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static snapshot take_snapshot(pid_t pid)
{
    snapshot s = {-1, -1, -1};
    char path[64], line[256];
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        fail("open %s: %s", path, strerror(errno));
    while (fgets(line, sizeof line, f) != NULL) {
        sscanf(line, "VmRSS: %ld", &s.rss_kib);
        sscanf(line, "Threads: %ld", &s.threads);
    }
    fclose(f);
    if (s.rss_kib < 0 || s.threads < 0)
        fail("%s has no VmRSS or Threads line", path);
    s.fds = count_fds(pid);
    return s;
}

static void set_int(int fd, int level, int name, int value)
{
    if (setsockopt(fd, level, name, &value, sizeof value) < 0)
        fail("setsockopt: %s", strerror(errno));
}

/* A blocking socket whose connect and reads give up after IO_TIMEOUT_S. In the loop it
 * is only read when epoll says so, and a 64-byte write always fits (one request in
 * flight), so it never blocks there. */
static int connect_one(long i)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
    struct timeval tv = {.tv_sec = IO_TIMEOUT_S};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        fail("connection %ld: socket: %s", i + 1, strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1); /* each request leaves at once */
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        fail("connection %ld: connect: %s", i + 1, strerror(errno));
    return fd;
}

static void send_request(long i)
{
    static const char req[MSG_SIZE] = "scale";
    ssize_t w = write(conns[i].fd, req, MSG_SIZE);

    if (w != MSG_SIZE)
        fail("connection %ld: write: %s", i + 1, w < 0 ? strerror(errno) : "short write");
    budget--;
    in_flight++;
    conns[i].got = 0;
    conns[i].sent_ns = now_ns();
}

/* Reads what is there of connection i's reply: 1 once the whole reply is in. */
static int read_reply(long i)
{
    char buf[MSG_SIZE];
    ssize_t r = read(conns[i].fd, buf, MSG_SIZE - conns[i].got);

    if (r < 0)
        fail("connection %ld: read: %s", i + 1,
             errno == EAGAIN ? "no reply within the timeout" : strerror(errno));
    if (r == 0)
        fail("connection %ld: read: end of stream (the server closed it)", i + 1);
    conns[i].got += (unsigned)r;
    if (conns[i].got < MSG_SIZE)
        return 0;
    in_flight--;
    return 1;
}

/* Connects connections from..n-1, CHUNK at a time, each chunk served once before the
 * next. */
static void connect_all(long from, long n)
{
    long base, i, end;

    for (base = from; base < n; base = end) {
        end = base + CHUNK < n ? base + CHUNK : n;
        for (i = base; i < end; i++) {
            conns[i].fd = connect_one(i);
            nconns = i + 1;
        }
        for (i = base; i < end; i++)
            send_request(i);
        for (i = base; i < end; i++)
            while (!read_reply(i))
                ;
    }
}

static void add_sample(samples *s, int64_t ns)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1 << 16;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (s->v == NULL)
            fail("realloc: %s", strerror(errno));
    }
    s->v[s->n++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

static int make_epoll(long n)
{
    struct epoll_event ev = {.events = EPOLLIN};
    int ep = epoll_create1(EPOLL_CLOEXEC);
    long i;

    if (ep < 0)
        fail("epoll_create1: %s", strerror(errno));
    for (i = 0; i < n; i++) {
        ev.data.u64 = (uint64_t)i;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev) < 0)
            fail("epoll_ctl: %s", strerror(errno));
    }
    return ep;
}

/* Runs the closed loop (each reply answered by the next request while the budget
 * lasts) until `until` or until no request is left in flight; keeps the latency of
 * every reply if lat is not NULL. Returns the replies completed. */
static long run_loop(int ep, int64_t until, samples *lat)
{
    struct epoll_event evs[MAX_EVENTS];
    int64_t last = now_ns(), t;
    long i, done = 0;
    int k, j;

    while ((t = now_ns()) < until && in_flight > 0) {
        if (t - last > (int64_t)STALL_S * 1000000000)
            fail("no reply for %d s", STALL_S);
        k = epoll_wait(ep, evs, MAX_EVENTS, 1000);
        if (k < 0 && errno != EINTR)
            fail("epoll_wait: %s", strerror(errno));
        for (j = 0; j < k; j++) {
            i = (long)evs[j].data.u64;
            if (!read_reply(i))
                continue;
            last = now_ns();
            if (lat != NULL)
                add_sample(lat, last - conns[i].sent_ns);
            done++;
            if (budget > 0)
                send_request(i);
        }
    }
    return done;
}

static int usage(void)
{
    fprintf(stderr, "usage: scale N SECONDS -- SERVER...   (2 <= N <= %d)\n"
                    "       scale N -c ROUND_TRIPS -- SERVER...\n", MAX_N);
    return 2;
}

/* Every descriptor the hard limit allows: N connections need N + a few. */
static void raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void print_result(long n, double secs, long done, int64_t cpu_ns, samples *lat,
                         const snapshot *base, const snapshot *idle)
{
    long fds = idle->fds - base->fds;

    if (done == 0)
        fail("no round trip in %.1f s", secs);
    qsort(lat->v, lat->n, sizeof *lat->v, cmp_u32);
    printf("%.1f %.3f %.1f %.1f %.3f %.3f %ld %ld\n", (double)done / secs,
           (double)cpu_ns / 1e3 / (double)done, lat->v[lat->n / 2] / 1e3,
           lat->v[lat->n * 99 / 100] / 1e3,
           (double)(idle->rss_kib - base->rss_kib) / (double)(n - 1),
           (double)fds / (double)(n - 1), fds - (n - 1), idle->threads);
    fflush(stdout);
}

/* perf record of the server for secs seconds from now, if SCALE_PERF names a file;
 * returns its pid (0: none). */
static pid_t start_perf(double secs)
{
    const char *file = getenv("SCALE_PERF");
    char pid[24], duration[32];
    pid_t p;

    if (file == NULL || *file == '\0')
        return 0;
    snprintf(pid, sizeof pid, "%d", (int)srv.server);
    snprintf(duration, sizeof duration, "%.3f", secs);
    p = fork();
    if (p == 0) {
        execlp("perf", "perf", "record", "-q", "-F", "999", "-g", "-p", pid, "-o", file, "--",
               "sleep", duration, (char *)NULL);
        _exit(127);
    }
    return p < 0 ? 0 : p;
}

/* Connects all N (see above) and notes the server's state with one and with N. */
static void set_up(long n, snapshot *base, snapshot *idle)
{
    conns = calloc((size_t)n, sizeof *conns);
    if (conns == NULL)
        fail("calloc: %s", strerror(errno));
    connect_all(0, 1);
    usleep(100 * 1000); /* the first handler back in its read */
    *base = take_snapshot(srv.server);
    connect_all(1, n);
    usleep(100 * 1000); /* every handler back in its read */
    *idle = take_snapshot(srv.server);
}

/* Starts the loop: a request on each connection (at most the budget's). */
static void prime(long n)
{
    long i;

    for (i = 0; i < n && budget > 0; i++)
        send_request(i);
}

int main(int argc, char **argv)
{
    int counted = argc > 5 && strcmp(argv[2], "-c") == 0, sep = counted ? 4 : 3;
    snapshot base, idle;
    samples lat = {0};
    int64_t t0, c0, end = INT64_MAX;
    clockid_t clock;
    pid_t perf;
    long n, k = 0, done;
    double secs = 0;
    int ep;

    if (argc < sep + 2 || strcmp(argv[sep], "--") != 0)
        return usage();
    n = strtol(argv[1], NULL, 10);
    if (counted)
        k = strtol(argv[3], NULL, 10);
    else
        secs = strtod(argv[2], NULL);
    if (n < 2 || n > MAX_N || (counted ? k < 1 : secs <= 0 || secs > 60))
        return usage();
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    start_server(argv + sep + 1);
    if (clock_getcpuclockid(srv.server, &clock) != 0)
        fail("clock_getcpuclockid: the server's CPU clock is not readable");
    set_up(n, &base, &idle);
    ep = make_epoll(n);
    if (counted) {
        budget = k;
    } else {
        prime(n);
        run_loop(ep, now_ns() + (int64_t)(WARMUP_S * 1e9), NULL);
        end = now_ns() + (int64_t)(secs * 1e9);
    }
    perf = counted ? 0 : start_perf(secs);
    c0 = server_cpu_ns(clock);
    t0 = now_ns();
    if (counted)
        prime(n);
    done = run_loop(ep, end, &lat);
    secs = (double)(now_ns() - t0) / 1e9;
    print_result(n, secs, done, server_cpu_ns(clock) - c0, &lat, &base, &idle);
    if (perf > 0)
        waitpid(perf, NULL, 0); /* its record is written before the server goes */
    stop_server();
    return 0;
}
