/* The io_uring floor (issue 10, item 4): what an echo server costs the kernel through
 * io_uring with nothing added, to set beside the epoll floor (srv_floor.c) and decide
 * whether cnet should have an io_uring backend. Plain liburing, no cnet; one ring, one
 * thread; every wait is one io_uring_submit_and_wait that also submits everything the
 * previous batch of completions queued.
 *
 *   srv_uring echo       multishot accept, multishot receive into a ring of provided
 *                        buffers, IORING_OP_SEND straight from the buffer that received
 *                        (the buffer goes back to the ring when the send completes).
 *                        The known wins: one SQE per connection for all its reads, no
 *                        buffer held by an idle connection.
 *   srv_uring -1 echo    one-shot: an IORING_OP_ACCEPT per connection accepted, an
 *                        IORING_OP_RECV into the connection's own buffer per request,
 *                        queued when the previous send completed, an IORING_OP_SEND per
 *                        reply. A cnet backend behind blocking calls where every read
 *                        and every write parks its task on one SQE.
 *   srv_uring -1 -w echo one-shot receives, but each reply written at once by send(2)
 *                        (MSG_DONTWAIT; an SQE only if the socket buffer is full): a
 *                        backend where a read parks on one SQE and a write is a plain
 *                        call that parks only when it would block, as cnet writes now.
 *
 * Listens on 127.0.0.1:0, prints "PORT PID", serves until killed (srv_floor's contract).
 * No socket option is set, as in the floor. The sockets stay blocking (no SOCK_NONBLOCK):
 * io_uring tries each operation without blocking and arms its own poll on EAGAIN,
 * whereas a non-blocking socket would hand the EAGAIN back to us.
 *
 * The workload keeps one request in flight per connection, so a connection never has two
 * sends queued at once and their order cannot matter; a general server would queue them. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define ECHO_SIZE 64    /* the floor's read size */
#define MAX_FD 65536    /* descriptors at or above are closed at once, as in the floor */
#define SQ_ENTRIES 4096 /* SQEs queued between two submits; more forces an early submit */
/* Every connection may have a receive and a send completion pending at once; the kernel
 * keeps what overflows (IORING_FEAT_NODROP), but slowly. 65,536 is the kernel's maximum. */
#define CQ_ENTRIES 65536
/* One buffer per connection at most is out of the ring (from its receive to the end of
 * its send): 32,768 buffers outnumber the 19,000 connections of the largest run. */
#define BUF_COUNT 32768
#define BUF_GROUP 0

enum op { OP_ACCEPT = 1, OP_RECV, OP_SEND };

static struct io_uring ring;
static struct io_uring_buf_ring *buf_ring;
static char *bufs;             /* multishot: BUF_COUNT x ECHO_SIZE, lent to the kernel */
static int buf_returned;       /* buffers added to the ring since the last advance */
static char (*conn_buf)[ECHO_SIZE]; /* one-shot: each connection's own buffer, by fd */
static int one_shot;           /* -1 */
static int direct_write;       /* -w */

static void die(const char *what, int err)
{
    fprintf(stderr, "srv_uring: %s: %s\n", what, strerror(err));
    exit(1);
}

/* user_data: the operation, a 16-bit argument (a multishot send's buffer id, a one-shot
 * send's length) and the descriptor. */
static uint64_t tag(enum op op, unsigned arg, int fd)
{
    return (uint64_t)op << 56 | (uint64_t)arg << 32 | (uint32_t)fd;
}

static enum op tag_op(uint64_t t) { return (enum op)(t >> 56); }
static unsigned tag_arg(uint64_t t) { return (unsigned)(t >> 32) & 0xffff; }
static int tag_fd(uint64_t t) { return (int)(uint32_t)t; }

/* An SQE, submitting what is queued first if the submission queue is full. */
static struct io_uring_sqe *sqe_get(void)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    int r;

    if (sqe == NULL) {
        if ((r = io_uring_submit(&ring)) < 0)
            die("io_uring_submit", -r);
        sqe = io_uring_get_sqe(&ring);
        if (sqe == NULL)
            die("io_uring_get_sqe", EBUSY);
    }
    return sqe;
}

static void queue_accept(int lfd)
{
    struct io_uring_sqe *sqe = sqe_get();

    if (one_shot)
        io_uring_prep_accept(sqe, lfd, NULL, NULL, SOCK_CLOEXEC);
    else
        io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, tag(OP_ACCEPT, 0, lfd));
}

static void queue_recv(int fd)
{
    struct io_uring_sqe *sqe = sqe_get();

    if (one_shot) {
        io_uring_prep_recv(sqe, fd, conn_buf[fd], ECHO_SIZE, 0);
    } else {
        io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
        sqe->flags |= IOSQE_BUFFER_SELECT;
        sqe->buf_group = BUF_GROUP;
    }
    io_uring_sqe_set_data64(sqe, tag(OP_RECV, 0, fd));
}

static void queue_send(int fd, const void *data, size_t len, unsigned arg)
{
    struct io_uring_sqe *sqe = sqe_get();

    io_uring_prep_send(sqe, fd, data, len, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, tag(OP_SEND, arg, fd));
}

/* Gives buffer bid back to the kernel; made visible by buf_ring_publish. */
static void buf_return(unsigned bid)
{
    io_uring_buf_ring_add(buf_ring, bufs + (size_t)bid * ECHO_SIZE, ECHO_SIZE,
                          (unsigned short)bid, io_uring_buf_ring_mask(BUF_COUNT),
                          buf_returned++);
}

static void buf_ring_publish(void)
{
    if (buf_returned > 0)
        io_uring_buf_ring_advance(buf_ring, buf_returned);
    buf_returned = 0;
}

static void setup_buf_ring(void)
{
    /* liburing 2.3 (Debian 12) has no io_uring_setup_buf_ring: map and register by hand. */
    size_t ring_size = BUF_COUNT * sizeof(struct io_uring_buf);
    struct io_uring_buf_reg reg = {.ring_entries = BUF_COUNT, .bgid = BUF_GROUP};
    void *mem = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    unsigned i;
    int r;

    if (mem == MAP_FAILED)
        die("mmap", errno);
    bufs = malloc((size_t)BUF_COUNT * ECHO_SIZE);
    if (bufs == NULL)
        die("malloc", ENOMEM);
    buf_ring = mem;
    reg.ring_addr = (unsigned long)(uintptr_t)mem;
    if ((r = io_uring_register_buf_ring(&ring, &reg, 0)) < 0)
        die("io_uring_register_buf_ring", -r);
    io_uring_buf_ring_init(buf_ring);
    for (i = 0; i < BUF_COUNT; i++)
        buf_return(i);
    buf_ring_publish();
}

static void setup_ring(void)
{
    /* One thread submits and reaps: the kernel may skip its locking (SINGLE_ISSUER) and
     * run completion work only when we wait (DEFER_TASKRUN), in batches, instead of
     * interrupting the thread for each. Both exist since Linux 6.1. */
    struct io_uring_params p = {
        .flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        .cq_entries = CQ_ENTRIES,
    };
    int r = io_uring_queue_init_params(SQ_ENTRIES, &ring, &p);

    if (r < 0)
        die("io_uring_queue_init_params", -r);
    /* Each io_uring_enter then skips the ring descriptor's lookup. */
    if ((r = io_uring_register_ring_fd(&ring)) < 0)
        die("io_uring_register_ring_fd", -r);
    if (one_shot) {
        conn_buf = calloc(MAX_FD, sizeof *conn_buf);
        if (conn_buf == NULL)
            die("calloc", ENOMEM);
    } else {
        setup_buf_ring();
    }
}

static int listen_loopback(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4096) < 0)
        die("listen", errno);
    if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
        die("getsockname", errno);
    printf("%d %d\n", ntohs(sa.sin_port), (int)getpid());
    fflush(stdout);
    return fd;
}

static void on_accept(const struct io_uring_cqe *cqe, int lfd)
{
    /* A one-shot accept is spent; a multishot one ends (no F_MORE) on an error such as
     * EMFILE: either way queue another. */
    if (one_shot || !(cqe->flags & IORING_CQE_F_MORE))
        queue_accept(lfd);
    if (cqe->res < 0)
        return;
    if (cqe->res >= MAX_FD) {
        close(cqe->res);
        return;
    }
    queue_recv(cqe->res);
}

static void reply_one_shot(int fd, size_t len)
{
    ssize_t n;

    if (direct_write) {
        n = send(fd, conn_buf[fd], len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n == (ssize_t)len) {
            queue_recv(fd);
            return;
        }
        if (n >= 0 || errno != EAGAIN) {
            close(fd); /* a short or failed write, as in the floor */
            return;
        }
    }
    queue_send(fd, conn_buf[fd], len, (unsigned)len);
}

/* Multishot: only a receive closes its descriptor, and only once its last completion is
 * in: no other operation on it is then pending but a send, whose completion never
 * touches the descriptor (its number may already belong to a new connection).
 * One-shot: a connection has one operation pending at a time, and closes when it fails. */
static void on_recv(const struct io_uring_cqe *cqe, int fd)
{
    if (cqe->res > 0) {
        if (one_shot) {
            reply_one_shot(fd, (size_t)cqe->res);
            return;
        }
        unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
        queue_send(fd, bufs + (size_t)bid * ECHO_SIZE, (size_t)cqe->res, bid);
        if (!(cqe->flags & IORING_CQE_F_MORE))
            queue_recv(fd); /* the kernel ended the multishot receive (a full CQ ring) */
        return;
    }
    if (cqe->res == -ENOBUFS) { /* the buffer ring ran dry: receive again */
        queue_recv(fd);
        return;
    }
    close(fd); /* end of stream or an error */
}

static void on_send(const struct io_uring_cqe *cqe, int fd)
{
    if (one_shot) {
        /* Nothing else is pending on the connection: the send can close it, as the
         * floor does after a failed or short write. */
        if (cqe->res == (int)tag_arg(cqe->user_data))
            queue_recv(fd);
        else
            close(fd);
        return;
    }
    /* A failed send: the connection's multishot receive sees the end and closes it. (A
     * short one does not happen: 64 bytes into an idle loopback connection.) */
    buf_return(tag_arg(cqe->user_data));
}

static void serve(void)
{
    struct io_uring_cqe *cqe;
    unsigned head, seen;
    int lfd, r;

    setup_ring(); /* first: where io_uring is disabled, fail before "PORT PID" */
    lfd = listen_loopback();
    queue_accept(lfd);
    for (;;) {
        r = io_uring_submit_and_wait(&ring, 1);
        if (r < 0 && r != -EINTR)
            die("io_uring_submit_and_wait", -r);
        seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            int fd = tag_fd(cqe->user_data);

            switch (tag_op(cqe->user_data)) {
            case OP_ACCEPT: on_accept(cqe, fd); break;
            case OP_RECV: on_recv(cqe, fd); break;
            case OP_SEND: on_send(cqe, fd); break;
            }
            seen++;
        }
        io_uring_cq_advance(&ring, seen);
        if (!one_shot)
            buf_ring_publish();
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "-1") == 0) {
        one_shot = 1;
        argv++;
        argc--;
    }
    if (one_shot && argc > 1 && strcmp(argv[1], "-w") == 0) {
        direct_write = 1;
        argv++;
        argc--;
    }
    if (argc == 2 && strcmp(argv[1], "echo") == 0)
        serve();
    fprintf(stderr, "usage: srv_uring [-1 [-w]] echo\n");
    return 2;
}
