/* The cnet tasks server for the scale workload: the plain blocking style of
 * srv_cnet.c's thread per connection, with a task per connection instead (cnet_run,
 * cnet_go): an accept loop task starts a handler task for each connection, and every
 * blocking read and write parks its task, not a thread.
 *
 *   srv_tasks [THREADS]     echo on 127.0.0.1:0, print "PORT PID", serve until killed;
 *                           THREADS scheduler threads (default 1: the benchmark pins
 *                           the server to one CPU, as it gives Go GOMAXPROCS=1) */
#define _GNU_SOURCE
#include <cnet.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ECHO_SIZE 64

static void die(const char *what, const cnet_error *err)
{
    fprintf(stderr, "srv_tasks: %s: %s\n", what, err->msg);
    exit(1);
}

/* The first failure other than the client's reset at the end of a run, on stderr:
 * the scale report shows it. */
static void report_once(const char *what, const cnet_error *err)
{
    static atomic_int reported;

    if (err->code == -ECONNRESET || err->code == -EPIPE || atomic_exchange(&reported, 1))
        return;
    fprintf(stderr, "srv_tasks: %s: %s\n", what, err->msg);
}

static void echo_task(void *arg)
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
}

/* A failure to accept or to start a task ends the server: its clients see their
 * connections reset, and the load generator reports the error. */
static void accept_loop(void *arg)
{
    char addr[CNET_ADDRSTRLEN];
    cnet_listener *ln;
    cnet_error err;
    cnet_conn *c;
    int rc;

    (void)arg;
    if (cnet_listen("tcp", "127.0.0.1:0", &ln, &err) < 0)
        die("listen", &err);
    cnet_listener_addr(ln, addr, sizeof addr);
    printf("%s %d\n", strrchr(addr, ':') + 1, (int)getpid());
    fflush(stdout);
    for (;;) {
        if (cnet_listener_accept(ln, &c, &err) < 0)
            die("accept", &err);
        rc = cnet_go(echo_task, c);
        if (rc < 0) {
            fprintf(stderr, "srv_tasks: cnet_go: %s\n", cnet_strerror(rc));
            exit(1);
        }
    }
}

int main(int argc, char **argv)
{
    cnet_runtime_config cfg = {.threads = argc > 1 ? atoi(argv[1]) : 1};
    cnet_error err;

    if (argc > 2 || cfg.threads < 1) {
        fprintf(stderr, "usage: srv_tasks [THREADS (default 1)]\n");
        return 2;
    }
    if (cnet_run(&cfg, accept_loop, NULL, &err) < 0)
        die("cnet_run", &err);
    return 0;
}
