/* The cnet server: the blocking API, one connection at a time on one thread. That is
 * all every workload needs (accept closes at once; ping-pong and bulk use a single
 * connection), and it is what the floor's epoll loop does too, so neither side pays
 * for threads the other does not have.
 *
 *   srv_cnet accept|echo|bulk     listen on 127.0.0.1:0, print "PORT PID", serve
 *   srv_cnet dial PORT N          N x (cnet_dial, SO_LINGER 0, close); dials per second */
#define _GNU_SOURCE
#include <cnet.h>

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
    else
        fprintf(stderr, "usage: srv_cnet accept|echo|bulk | dial PORT N\n");
    return 2;
}
