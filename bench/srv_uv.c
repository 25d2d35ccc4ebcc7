/* The libuv server (Debian's libuv1-dev): one loop, the idiomatic calls, no option
 * set beyond libuv's own defaults.
 *
 *   srv_uv accept|echo|bulk     listen on 127.0.0.1:0, print "PORT PID", serve
 *   srv_uv dial PORT N          N x (uv_tcp_connect, SO_LINGER 0, uv_close); dials per second */
#define _GNU_SOURCE
#include <uv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define ECHO_SIZE 64
#define BULK_CHUNK (1 << 20)

enum mode { MODE_ACCEPT, MODE_ECHO, MODE_BULK };

typedef struct conn {
    uv_tcp_t tcp;
    uv_write_t wr;
    char rbuf[ECHO_SIZE];
    char wbuf[ECHO_SIZE]; /* a reply libuv could not send at once */
} conn;

static enum mode mode;
static char bulk_buf[BULK_CHUNK];

static void check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "srv_uv: %s: %s\n", what, uv_strerror(rc));
        exit(1);
    }
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

/* A read error and a failed write can both want to close a connection (the scale
 * workload's clients reset theirs at the end); libuv asserts on a second close. */
static void close_conn(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, free_handle);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    *buf = uv_buf_init(((conn *)h)->rbuf, ECHO_SIZE);
}

static void on_echo_written(uv_write_t *wr, int status)
{
    if (status < 0)
        close_conn((uv_handle_t *)wr->handle);
}

/* The reply goes out at once when the socket has room (always, for 64 bytes). */
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    conn *c = (conn *)s;
    uv_buf_t out = uv_buf_init(buf->base, (unsigned)(n > 0 ? n : 0));
    int sent;

    if (n < 0) {
        close_conn((uv_handle_t *)s);
        return;
    }
    if (n == 0)
        return;
    sent = uv_try_write(s, &out, 1);
    if (sent == n)
        return;
    sent = sent < 0 ? 0 : sent;
    memcpy(c->wbuf, buf->base + sent, (size_t)(n - sent));
    out = uv_buf_init(c->wbuf, (unsigned)(n - sent));
    if (uv_write(&c->wr, s, &out, 1, on_echo_written) < 0)
        close_conn((uv_handle_t *)s);
}

static void write_bulk(conn *c);

static void on_bulk_written(uv_write_t *wr, int status)
{
    if (status < 0)
        uv_close((uv_handle_t *)wr->handle, free_handle);
    else
        write_bulk((conn *)wr->handle);
}

static void write_bulk(conn *c)
{
    uv_buf_t b = uv_buf_init(bulk_buf, BULK_CHUNK);

    if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_bulk_written) < 0)
        uv_close((uv_handle_t *)&c->tcp, free_handle);
}

static void on_connection(uv_stream_t *server, int status)
{
    conn *c = malloc(sizeof *c);

    check(status, "listen");
    if (c == NULL)
        abort();
    uv_tcp_init(server->loop, &c->tcp);
    check(uv_accept(server, (uv_stream_t *)&c->tcp), "accept");
    if (mode == MODE_ACCEPT)
        uv_close((uv_handle_t *)&c->tcp, free_handle);
    else if (mode == MODE_ECHO)
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    else
        write_bulk(c);
}

static void serve(void)
{
    uv_loop_t *loop = uv_default_loop();
    struct sockaddr_storage ss;
    struct sockaddr_in sa;
    int len = sizeof ss;
    uv_tcp_t server;

    check(uv_ip4_addr("127.0.0.1", 0, &sa), "address");
    uv_tcp_init(loop, &server);
    check(uv_tcp_bind(&server, (const struct sockaddr *)&sa, 0), "bind");
    check(uv_listen((uv_stream_t *)&server, 4096, on_connection), "listen");
    check(uv_tcp_getsockname(&server, (struct sockaddr *)&ss, &len), "getsockname");
    printf("%d %d\n", ntohs(((struct sockaddr_in *)&ss)->sin_port), (int)getpid());
    fflush(stdout);
    uv_run(loop, UV_RUN_DEFAULT);
}

/* CPU time of this process (every thread), in microseconds. */
static double cpu_us(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* ---- dial ------------------------------------------------------------------------- */

typedef struct dialer {
    uv_tcp_t tcp;
    uv_connect_t req;
    struct sockaddr_in to;
    long left;
} dialer;

static void dial_next(dialer *d);

static void on_dial_closed(uv_handle_t *h)
{
    dialer *d = (dialer *)h;

    if (--d->left > 0)
        dial_next(d);
}

static void on_connect(uv_connect_t *req, int status)
{
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    dialer *d = req->data;
    uv_os_fd_t fd;

    check(status, "connect");
    /* libuv has no linger call: set it on the descriptor, as its users do. */
    if (uv_fileno((uv_handle_t *)&d->tcp, &fd) == 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    uv_close((uv_handle_t *)&d->tcp, on_dial_closed);
}

static void dial_next(dialer *d)
{
    uv_tcp_init(uv_default_loop(), &d->tcp);
    d->req.data = d;
    check(uv_tcp_connect(&d->req, &d->tcp, (const struct sockaddr *)&d->to, on_connect), "connect");
}

static void dial(int port, long n)
{
    static dialer d;
    uint64_t t0 = uv_hrtime();
    double c0 = cpu_us();

    check(uv_ip4_addr("127.0.0.1", port, &d.to), "address");
    d.left = n;
    dial_next(&d);
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    printf("%.1f %.3f\n", (double)n * 1e9 / (double)(uv_hrtime() - t0),
           (cpu_us() - c0) / (double)n);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "dial") == 0) {
        dial(atoi(argv[2]), atol(argv[3]));
        return 0;
    }
    if (argc != 2 || (strcmp(argv[1], "accept") != 0 && strcmp(argv[1], "echo") != 0 &&
                      strcmp(argv[1], "bulk") != 0)) {
        fprintf(stderr, "usage: srv_uv accept|echo|bulk | dial PORT N\n");
        return 2;
    }
    mode = argv[1][0] == 'a' ? MODE_ACCEPT : argv[1][0] == 'e' ? MODE_ECHO : MODE_BULK;
    serve();
    return 2;
}
