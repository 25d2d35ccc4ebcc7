/* copy: the kernel's copy paths against read/write copies, over loopback (issue 13 §5).
 *
 *   copy [MIB] [ROUNDS]     (defaults 1024 and 3)
 *
 * proxy: a source thread sends MIB MiB into one TCP connection (sendfile of a file in
 * the page cache), the proxy thread moves them to a second connection, a sink thread
 * discards them (recv with MSG_TRUNC: no copy), so that the proxy sets the pace: with
 * cnet_copy (splice through a pipe) and with a cnet_conn_read / cnet_conn_write loop
 * over a 64 KiB buffer (Go's io.Copy shape; cnet's own fallback). sendfile: the sending
 * thread sends a MIB MiB file (in the page cache) to that sink with cnet_conn_sendfile
 * and with a pread / cnet_conn_write loop over the same buffer size. The two ways of each alternate, ROUNDS times; each
 * reports its median rate and the copying thread's CPU time per byte
 * (CLOCK_THREAD_CPUTIME_ID: its system-call and kernel copy time, user time too).
 * Prints a Markdown table with the ratios. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cnet.h"

#define BUF_SIZE (64 * 1024)
#define IO_SIZE (256 * 1024)

static size_t total_bytes;

static void die(const char *what, const cnet_error *err)
{
    fprintf(stderr, "copy: %s: %s\n", what, err != NULL ? err->msg : "failed");
    exit(1);
}

static double now_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct pair {
    cnet_listener *ln;
    cnet_conn *client, *server;
} pair;

static void pair_open(pair *p)
{
    char addr[CNET_ADDRSTRLEN];
    cnet_error err;
    if (cnet_listen("tcp", "127.0.0.1:0", &p->ln, &err) < 0)
        die("listen", &err);
    cnet_listener_addr(p->ln, addr, sizeof addr);
    if (cnet_dial("tcp", addr, &p->client, &err) < 0)
        die("dial", &err);
    if (cnet_listener_accept(p->ln, &p->server, &err) < 0)
        die("accept", &err);
}

static void pair_close(pair *p)
{
    cnet_conn_close(p->client);
    cnet_conn_close(p->server);
    cnet_listener_close(p->ln);
}

/* Sends the file with sendfile, the cheapest source there is, the same for both ways
 * of copying in the middle. */
static int source_file = -1;

static void *source_main(void *arg)
{
    cnet_conn *c = arg;
    cnet_error err;
    if (cnet_conn_sendfile(c, source_file, 0, SIZE_MAX, NULL, &err) < 0)
        die("source sendfile", &err);
    if (cnet_conn_close_write(c, &err) < 0)
        die("close_write", &err);
    return NULL;
}

/* Reads to end of stream without copying (MSG_TRUNC discards TCP data in the kernel),
 * so that the copy in the middle, not the sink's own copy, sets the pace. */
static void *sink_main(void *arg)
{
    cnet_conn *c = arg;
    int fd = cnet_conn_fd(c);
    char dummy[1];
    size_t got = 0;
    for (;;) {
        ssize_t n = recv(fd, dummy, 1 << 30, MSG_TRUNC | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {fd, POLLIN, 0};
            poll(&p, 1, -1);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("sink recv", NULL);
        if (n == 0)
            break;
        got += (size_t)n;
    }
    if (got != total_bytes) {
        fprintf(stderr, "copy: sink got %zu of %zu bytes\n", got, total_bytes);
        exit(1);
    }
    return NULL;
}

typedef struct result {
    double secs, cpu;
} result;

static void rw_copy(cnet_conn *dst, cnet_conn *src)
{
    static char buf[BUF_SIZE];
    cnet_error err;
    for (;;) {
        ssize_t n = cnet_conn_read(src, buf, sizeof buf, &err);
        if (n < 0)
            die("proxy read", &err);
        if (n == 0)
            break;
        if (cnet_conn_write_n(dst, buf, (size_t)n, NULL, &err) < 0)
            die("proxy write", &err);
    }
}

static result run_proxy(int spliced)
{
    pair in, out;
    pthread_t src, snk;
    result r;
    cnet_error err;
    size_t copied = 0;
    pair_open(&in);
    pair_open(&out);
    pthread_create(&snk, NULL, sink_main, out.server);
    double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
    pthread_create(&src, NULL, source_main, in.client);
    if (spliced) {
        if (cnet_copy(out.client, in.server, SIZE_MAX, &copied, &err) < 0)
            die("cnet_copy", &err);
    } else {
        rw_copy(out.client, in.server);
    }
    if (cnet_conn_close_write(out.client, &err) < 0)
        die("close_write", &err);
    r.cpu = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    pthread_join(snk, NULL);
    r.secs = now_s(CLOCK_MONOTONIC) - t0;
    pthread_join(src, NULL);
    pair_close(&in);
    pair_close(&out);
    return r;
}

static int make_file(void)
{
    char path[] = "/tmp/cnet-bench-copy-XXXXXX";
    int fd = mkstemp(path);
    char *buf = malloc(IO_SIZE);
    if (fd < 0 || buf == NULL)
        die("mkstemp", NULL);
    unlink(path);
    for (size_t i = 0; i < IO_SIZE; i++)
        buf[i] = (char)(i * 7);
    for (size_t done = 0; done < total_bytes; done += IO_SIZE)
        if (write(fd, buf, IO_SIZE) != IO_SIZE)
            die("write file", NULL);
    free(buf);
    return fd;
}

static result run_sendfile(int fd, int kernel)
{
    static char buf[BUF_SIZE];
    pair p;
    pthread_t snk;
    result r;
    cnet_error err;
    size_t sent = 0;
    pair_open(&p);
    pthread_create(&snk, NULL, sink_main, p.server);
    double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
    if (kernel) {
        if (cnet_conn_sendfile(p.client, fd, 0, SIZE_MAX, &sent, &err) < 0)
            die("cnet_conn_sendfile", &err);
    } else {
        for (off_t off = 0;;) {
            ssize_t n = pread(fd, buf, sizeof buf, off);
            if (n < 0)
                die("pread", NULL);
            if (n == 0)
                break;
            if (cnet_conn_write_n(p.client, buf, (size_t)n, NULL, &err) < 0)
                die("write", &err);
            off += n;
        }
    }
    if (cnet_conn_close_write(p.client, &err) < 0)
        die("close_write", &err);
    r.cpu = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    pthread_join(snk, NULL);
    r.secs = now_s(CLOCK_MONOTONIC) - t0;
    pair_close(&p);
    return r;
}

static int by_secs(const void *a, const void *b)
{
    double x = ((const result *)a)->secs, y = ((const result *)b)->secs;
    return (x > y) - (x < y);
}

/* The median run by time (its own CPU figure with it). */
static result median(result *r, int n)
{
    qsort(r, (size_t)n, sizeof *r, by_secs);
    return r[n / 2];
}

static void row(const char *name, result base, result fast, const char *fast_name)
{
    double gib = (double)total_bytes / (1 << 30);
    double base_rate = gib / base.secs, fast_rate = gib / fast.secs;
    double base_cpb = base.cpu * 1e9 / (double)total_bytes;
    double fast_cpb = fast.cpu * 1e9 / (double)total_bytes;
    printf("| %s | %.2f GiB/s, %.3f ns/B | %s: %.2f GiB/s, %.3f ns/B | **%.2fx** | %.2fx less |\n",
           name, base_rate, base_cpb, fast_name, fast_rate, fast_cpb, fast_rate / base_rate,
           base_cpb / fast_cpb);
}

int main(int argc, char **argv)
{
    int mib = argc > 1 ? atoi(argv[1]) : 1024, rounds = argc > 2 ? atoi(argv[2]) : 3;
    result prw[16], psp[16], frw[16], fsf[16];
    if (mib <= 0 || rounds <= 0 || rounds > 16) {
        fprintf(stderr, "usage: copy [MIB] [ROUNDS (1..16)]\n");
        return 2;
    }
    total_bytes = (size_t)mib << 20;
    int fd = make_file();
    source_file = fd;
    for (int i = 0; i < rounds; i++) {
        /* alternate which goes first, so that neither always runs on a warmer machine */
        if (i % 2 == 0) {
            prw[i] = run_proxy(0);
            psp[i] = run_proxy(1);
            frw[i] = run_sendfile(fd, 0);
            fsf[i] = run_sendfile(fd, 1);
        } else {
            psp[i] = run_proxy(1);
            prw[i] = run_proxy(0);
            fsf[i] = run_sendfile(fd, 1);
            frw[i] = run_sendfile(fd, 0);
        }
    }
    close(fd);
    printf("%d MiB over loopback TCP, median of %d rounds; CPU: the copying thread's, per byte\n\n",
           mib, rounds);
    printf("| workload | read/write (64 KiB buffer) | kernel path | throughput ratio "
           "| CPU per byte |\n");
    printf("|---|---|---|---|---|\n");
    row("proxy conn to conn", median(prw, rounds), median(psp, rounds), "splice (cnet_copy)");
    row("file to conn", median(frw, rounds), median(fsf, rounds), "sendfile (cnet_conn_sendfile)");
    return 0;
}
