/* The cnet server: the blocking API, one connection at a time on one thread. That is
 * all every workload needs (accept closes at once; ping-pong and bulk use a single
 * connection), and it is what the floor's epoll loop does too, so neither side pays
 * for threads the other does not have. The scale workload (many connections at once)
 * has the "threads" mode: a thread per connection, the only way the blocking API
 * serves many connections without the task runtime (srv_tasks.c is the other way).
 *
 *   srv_cnet accept|echo|bulk     listen on 127.0.0.1:0, print "PORT PID", serve
 *   srv_cnet threads              echo, a detached thread per connection (default
 *                                 attributes, as a plain program would create it)
 *   srv_cnet dial PORT N          N x (cnet_dial, SO_LINGER 0, close); dials per second */
#define _GNU_SOURCE
#include <cnet.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define ECHO_SIZE 64
#define BULK_CHUNK (1 << 20)

static void die(const char *what, const cnet_error *err)
{
    fprintf(stderr, "srv_cnet: %s: %s\n", what, err->msg);
    exit(1);
}

static cnet_listener *listen_loopback(void)
{
    char addr[CNET_ADDRSTRLEN];
    cnet_listener *ln;
    cnet_error err;

    if (cnet_listen("tcp", "127.0.0.1:0", &ln, &err) < 0)
        die("listen", &err);
    cnet_listener_addr(ln, addr, sizeof addr);
    printf("%s %d\n", strrchr(addr, ':') + 1, (int)getpid());
    fflush(stdout);
    return ln;
}

static void echo(cnet_conn *c)
{
    char buf[ECHO_SIZE];
    ssize_t n;

    while ((n = cnet_conn_read(c, buf, sizeof buf, NULL)) > 0)
        if (cnet_conn_write(c, buf, (size_t)n, NULL) < 0)
            break;
}

/* The first failure other than the client's reset at the end of a run, on stderr:
 * the scale report shows it (say, "read: too many open files"). */
static void report_once(const char *what, const cnet_error *err)
{
    static atomic_int reported;

    if (err->code == -ECONNRESET || err->code == -EPIPE || atomic_exchange(&reported, 1))
        return;
    fprintf(stderr, "srv_cnet: %s: %s\n", what, err->msg);
}

static void *echo_thread(void *arg)
{
    cnet_conn *c = arg;
    char buf[ECHO_SIZE];
    cnet_error err;
    ssize_t n;

    while ((n = cnet_conn_read(c, buf, sizeof buf, &err)) > 0)
        if (cnet_conn_write(c, buf, (size_t)n, &err) < 0)
            break;
    if (n != 0)
        report_once("handler", &err);
    cnet_conn_close(c);
    return NULL;
}

/* A thread per connection. An accept or thread failure ends the server: its clients
 * see their connections reset, and the load generator reports the error. */
static void serve_threads(void)
{
    cnet_listener *ln = listen_loopback();
    cnet_error err;
    pthread_t t;
    cnet_conn *c;
    int rc;

    for (;;) {
        if (cnet_listener_accept(ln, &c, &err) < 0)
            die("accept", &err);
        rc = pthread_create(&t, NULL, echo_thread, c);
        if (rc != 0) {
            fprintf(stderr, "srv_cnet: pthread_create: %s\n", strerror(rc));
            exit(1);
        }
        pthread_detach(t);
    }
}

static void bulk(cnet_conn *c)
{
    static char buf[BULK_CHUNK];

    while (cnet_conn_write(c, buf, sizeof buf, NULL) >= 0)
        ;
}

static void serve(void (*handle)(cnet_conn *))
{
    cnet_listener *ln = listen_loopback();
    cnet_conn *c;
    cnet_error err;

    for (;;) {
        if (cnet_listener_accept(ln, &c, &err) < 0)
            die("accept", &err);
        if (handle != NULL)
            handle(c);
        cnet_conn_close(c);
    }
}

/* CPU time of this process (every thread), in microseconds. */
static double cpu_us(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static void dial(const char *port, long n)
{
    char addr[32];
    int64_t t0 = cnet_now_ns();
    double c0 = cpu_us();
    cnet_error err;
    cnet_conn *c;
    long i;

    snprintf(addr, sizeof addr, "127.0.0.1:%s", port);
    for (i = 0; i < n; i++) {
        if (cnet_dial("tcp", addr, &c, &err) < 0)
            die("dial", &err);
        cnet_conn_set_linger(c, 0, NULL);
        cnet_conn_close(c);
    }
    printf("%.1f %.3f\n", (double)n * 1e9 / (double)(cnet_now_ns() - t0),
           (cpu_us() - c0) / (double)n);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "dial") == 0) {
        dial(argv[2], atol(argv[3]));
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "accept") == 0)
        serve(NULL);
    else if (argc == 2 && strcmp(argv[1], "echo") == 0)
        serve(echo);
    else if (argc == 2 && strcmp(argv[1], "bulk") == 0)
        serve(bulk);
    else if (argc == 2 && strcmp(argv[1], "threads") == 0)
        serve_threads();
    else
        fprintf(stderr, "usage: srv_cnet accept|echo|bulk|threads | dial PORT N\n");
    return 2;
}
