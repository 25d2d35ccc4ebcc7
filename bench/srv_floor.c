/* The floor: what the kernel costs with nothing added. One epoll loop, accept4, no
 * socket option set anywhere (not even SO_REUSEADDR), exactly the reads and writes the
 * workload needs.
 *
 *   srv_floor [-o] accept|echo|bulk    listen on 127.0.0.1:0, print "PORT PID", serve
 *   srv_floor [-o] dial PORT N         N x (socket, blocking connect, SO_LINGER 0, close);
 *                                      prints dials per second and CPU microseconds per dial
 *
 * -o gives the sockets Go's final state (TCP_NODELAY and keep-alive 15 s / 15 s / 9) in
 * the fewest calls: once on the listener, which accepted sockets inherit, or on each
 * dialed socket. It is not the floor; it tells what that state itself costs the kernel,
 * apart from any library's code. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ECHO_SIZE 64
#define BULK_CHUNK (1 << 20)
#define MAX_EVENTS 64

enum mode { ACCEPT, ECHO, BULK };

static int go_state; /* -o */
static char bulk_buf[BULK_CHUNK];
static size_t bulk_off[65536]; /* per descriptor: how far into the current 1 MiB write */

static void die(const char *what)
{
    fprintf(stderr, "srv_floor: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void set_int(int fd, int level, int name, int value)
{
    if (setsockopt(fd, level, name, &value, sizeof value) < 0)
        die("setsockopt");
}

static void set_go_state(int fd)
{
    set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
    set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 15);
    set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, 15);
    set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 9);
}

static int listen_loopback(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && go_state)
        set_go_state(fd);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4096) < 0)
        die("listen");
    if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
        die("getsockname");
    printf("%d %d\n", ntohs(sa.sin_port), (int)getpid());
    fflush(stdout);
    return fd;
}

static void watch(int ep, int fd, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};

    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        die("epoll_ctl");
}

/* Accepts until the queue is empty. */
static void on_listener(int ep, int lfd, enum mode mode)
{
    int fd;

    while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        if (mode == ACCEPT || fd >= (int)(sizeof bulk_off / sizeof bulk_off[0])) {
            close(fd);
        } else {
            bulk_off[fd] = 0;
            watch(ep, fd, mode == ECHO ? EPOLLIN : EPOLLOUT);
        }
    }
}

static void on_echo(int fd)
{
    char buf[ECHO_SIZE];
    ssize_t n = read(fd, buf, sizeof buf);

    if (n > 0 && write(fd, buf, (size_t)n) == n)
        return;
    if (n < 0 && errno == EAGAIN)
        return;
    close(fd); /* end of stream or an error: close also leaves the epoll set */
}

/* Writes until the socket buffer is full. */
static void on_bulk(int fd)
{
    ssize_t n;

    for (;;) {
        n = send(fd, bulk_buf + bulk_off[fd], BULK_CHUNK - bulk_off[fd], MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN)
                close(fd);
            return;
        }
        bulk_off[fd] = (bulk_off[fd] + (size_t)n) % BULK_CHUNK;
    }
}

static void serve(enum mode mode)
{
    struct epoll_event evs[MAX_EVENTS];
    int lfd = listen_loopback(), ep = epoll_create1(EPOLL_CLOEXEC), n, i;

    if (ep < 0)
        die("epoll_create1");
    watch(ep, lfd, EPOLLIN);
    for (;;) {
        n = epoll_wait(ep, evs, MAX_EVENTS, -1);
        for (i = 0; i < n; i++) {
            if (evs[i].data.fd == lfd)
                on_listener(ep, lfd, mode);
            else if (mode == ECHO)
                on_echo(evs[i].data.fd);
            else
                on_bulk(evs[i].data.fd);
        }
    }
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process (every thread), in microseconds. */
static double cpu_us(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static void dial(int port, long n)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    double t0 = now_s(), c0 = cpu_us();
    long i;
    int fd;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (i = 0; i < n; i++) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && go_state)
            set_go_state(fd);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
            die("dial");
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        close(fd);
    }
    printf("%.1f %.3f\n", (double)n / (now_s() - t0), (cpu_us() - c0) / (double)n);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "-o") == 0) {
        go_state = 1;
        argv++;
        argc--;
    }
    if (argc == 4 && strcmp(argv[1], "dial") == 0) {
        dial(atoi(argv[2]), atol(argv[3]));
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "accept") == 0)
        serve(ACCEPT);
    else if (argc == 2 && strcmp(argv[1], "echo") == 0)
        serve(ECHO);
    else if (argc == 2 && strcmp(argv[1], "bulk") == 0)
        serve(BULK);
    else
        fprintf(stderr, "usage: srv_floor [-o] accept|echo|bulk | [-o] dial PORT N\n");
    return 2;
}
