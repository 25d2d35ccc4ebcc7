/* Streams without copies: Go's TCPConn.ReadFrom, with a file (sendfile) or another
 * conn (splice through a pipe) as the source. The kernel's paths are in
 * zerocopy_<os>.c; this front waits, keeps count, and falls back to a buffer copy
 * (Go's genericReadFrom) where the kernel path cannot serve the pair. */
#include "internal.h"
#include "sys.h"

#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#define COPY_BUF_SIZE ((size_t)64 << 10)

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* ---- file to socket ------------------------------------------------------------ */

typedef struct file_src {
    int fd;
    int64_t pos; /* -1: the file's own position */
} file_src;

static ssize_t file_read(file_src *f, char *buf, size_t len)
{
    ssize_t n;

    if (f->pos < 0)
        return cnet__os_read(f->fd, buf, len);
    n = cnet__os_pread(f->fd, buf, len, (off_t)f->pos);
    if (n > 0)
        f->pos += n;
    return n;
}

/* Go's genericReadFrom for a file: read, write, until end of file or count. */
static int sendfile_buffered(cnet_conn *c, file_src *f, size_t count, size_t *done,
                             const char **syscall)
{
    char *buf;
    ssize_t n;
    int rc = 0;

    *syscall = "malloc";
    buf = cnet__os_malloc(min_size(count, COPY_BUF_SIZE));
    if (buf == NULL)
        return -ENOMEM;
    while (rc == 0 && *done < count) {
        n = file_read(f, buf, min_size(count - *done, COPY_BUF_SIZE));
        if (n == 0)
            break;
        *syscall = f->pos < 0 ? "read" : "pread";
        if (n < 0) {
            rc = errno == EINTR ? 0 : CNET__ERRNO();
            continue;
        }
        *syscall = "write";
        rc = cnet__conn_write_all(c, buf, (size_t)n, done);
    }
    free(buf);
    return rc;
}

/* Go's poll.SendFile. Sets *fallback when the kernel refused the pair before a byte
 * moved (ENOSYS: no sendfile; EINVAL: a file it cannot map), as Go's handled = false. */
static int sendfile_kernel(cnet_conn *c, file_src *f, size_t count, size_t *done,
                           bool *fallback)
{
    ssize_t n;
    int rc = 0;

    while (rc == 0 && *done < count) {
        n = cnet__zc_sendfile(c->fd.sysfd, f->fd, f->pos < 0 ? NULL : &f->pos,
                              min_size(count - *done, CNET__ZC_SENDFILE_CHUNK));
        if (n == 0)
            break; /* end of file */
        if (n > 0)
            *done += (size_t)n;
        else if (n == -EAGAIN)
            rc = cnet__fd_wait(&c->fd, POLLOUT, &c->fd.wdeadline);
        else if (n != -EINTR)
            rc = (int)n;
    }
    *fallback = *done == 0 && (rc == -ENOSYS || rc == -EINVAL);
    return rc;
}

int cnet_conn_sendfile(cnet_conn *c, int fd, int64_t offset, size_t count, size_t *sent,
                       cnet_error *err)
{
    file_src f = {fd, offset};
    const char *syscall = "sendfile";
    size_t done = 0;
    bool fallback = false;
    int rc;

    cnet__err_clear(err);
    if (sent != NULL)
        *sent = 0;
    if (c == NULL)
        return cnet__null_arg(err, "readfrom", "c");
    if (fd < 0 || offset < -1)
        return cnet__op_error(err, -EINVAL, "readfrom", c->net->name, NULL, NULL,
                              fd < 0 ? "invalid argument: fd < 0"
                                     : "invalid argument: offset < -1");
    if (cnet__fd_acquire(&c->fd) < 0)
        return cnet__conn_closed_error(c, err, "readfrom");
    rc = cnet__fd_check_deadline(&c->fd.wdeadline);
    if (rc == 0 && count > 0)
        rc = sendfile_kernel(c, &f, count, &done, &fallback);
    if (fallback)
        rc = sendfile_buffered(c, &f, count, &done, &syscall);
    if (sent != NULL)
        *sent = done;
    if (rc < 0)
        rc = cnet__conn_error(c, err, rc, "readfrom", syscall);
    cnet__fd_release(&c->fd);
    return rc;
}

/* ---- socket to socket ------------------------------------------------------------ */

/* CNET_ECLOSED once c has been stopped: a copy waiting on one conn learns of the
 * other's stop when it next has something to move. */
static int still_open(cnet_conn *c)
{
    if (cnet__fd_acquire(&c->fd) < 0)
        return CNET_ECLOSED;
    cnet__fd_release(&c->fd);
    return 0;
}

/* Go's genericReadFrom between conns: read src, write dst, until end of stream. */
static int copy_buffered(cnet_conn *dst, cnet_conn *src, size_t count, size_t *done,
                         const char **syscall)
{
    char *buf;
    ssize_t n;
    int rc = 0;

    *syscall = "malloc";
    buf = cnet__os_malloc(min_size(count, COPY_BUF_SIZE));
    if (buf == NULL)
        return -ENOMEM;
    while (rc == 0 && *done < count) {
        *syscall = "read";
        n = cnet__os_read(src->fd.sysfd, buf, min_size(count - *done, COPY_BUF_SIZE));
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                rc = cnet__fd_wait(&src->fd, POLLIN, &src->fd.rdeadline);
            else if (errno != EINTR)
                rc = CNET__ERRNO();
            continue;
        }
        *syscall = "write";
        rc = still_open(dst);
        if (rc == 0)
            rc = cnet__conn_write_all(dst, buf, (size_t)n, done);
    }
    free(buf);
    return rc;
}

/* Go's spliceDrain: src -> pipe, waiting for src. Bytes now in the pipe (0: end of
 * stream), or a code. */
static ssize_t splice_drain(cnet_conn *src, int pipe_w, size_t max)
{
    ssize_t n;
    int rc;

    for (;;) {
        n = cnet__zc_splice(src->fd.sysfd, pipe_w, max);
        if (n >= 0 || (n != -EAGAIN && n != -EINTR))
            return n;
        if (n == -EAGAIN && (rc = cnet__fd_wait(&src->fd, POLLIN, &src->fd.rdeadline)) < 0)
            return rc;
    }
}

/* Go's splicePump: pipe -> dst until the pipe is empty, waiting for dst. */
static int splice_pump(cnet_conn *dst, int pipe_r, size_t in_pipe, size_t *done)
{
    ssize_t n;
    int rc = 0;

    while (rc == 0 && in_pipe > 0) {
        n = cnet__zc_splice(pipe_r, dst->fd.sysfd, in_pipe);
        if (n > 0) {
            in_pipe -= (size_t)n;
            *done += (size_t)n;
        } else if (n == -EAGAIN) {
            rc = cnet__fd_wait(&dst->fd, POLLOUT, &dst->fd.wdeadline);
        } else if (n == 0) {
            rc = -EPIPE; /* the pipe's data is gone: cannot happen while we hold it */
        } else if (n != -EINTR) {
            rc = (int)n;
        }
    }
    return rc;
}

/* Go's poll.Splice, with a pipe of its own. *fallback when splice refused the pair
 * before anything moved, or there was no pipe (Go's handled = false). */
static int copy_spliced(cnet_conn *dst, cnet_conn *src, size_t count, size_t *done,
                        bool *fallback)
{
    const char *ignored;
    ssize_t in_pipe;
    int p[2], rc = 0;

    if (cnet__zc_pipe(p, &ignored) < 0) {
        *fallback = true; /* as Go: no pipe, copy through memory instead */
        return 0;
    }
    while (rc == 0 && *done < count) {
        in_pipe = splice_drain(src, p[1], min_size(count - *done, CNET__ZC_SPLICE_CHUNK));
        if (in_pipe <= 0) {
            rc = (int)in_pipe;
            *fallback = *done == 0 && rc == -EINVAL;
            break;
        }
        rc = still_open(dst);
        if (rc == 0)
            rc = splice_pump(dst, p[0], (size_t)in_pipe, done);
    }
    close(p[0]);
    close(p[1]);
    return rc;
}

int cnet_copy(cnet_conn *dst, cnet_conn *src, size_t count, size_t *copied, cnet_error *err)
{
    const char *syscall = "splice";
    size_t done = 0;
    bool fallback = false;
    int rc;

    cnet__err_clear(err);
    if (copied != NULL)
        *copied = 0;
    if (dst == NULL || src == NULL)
        return cnet__null_arg(err, "readfrom", dst == NULL ? "dst" : "src");
    if (dst == src)
        return cnet__op_error(err, -EINVAL, "readfrom", dst->net->name, NULL, NULL,
                              "invalid argument: src is dst");
    if (cnet__fd_acquire(&dst->fd) < 0)
        return cnet__conn_closed_error(dst, err, "readfrom");
    if (cnet__fd_acquire(&src->fd) < 0) {
        cnet__fd_release(&dst->fd);
        return cnet__conn_closed_error(dst, err, "readfrom");
    }
    rc = cnet__fd_check_deadline(&src->fd.rdeadline);
    if (rc == 0)
        rc = cnet__fd_check_deadline(&dst->fd.wdeadline);
    if (rc == 0 && count > 0)
        rc = copy_spliced(dst, src, count, &done, &fallback);
    if (fallback)
        rc = copy_buffered(dst, src, count, &done, &syscall);
    if (copied != NULL)
        *copied = done;
    if (rc < 0)
        rc = cnet__conn_error(dst, err, rc, "readfrom", syscall);
    cnet__fd_release(&src->fd);
    cnet__fd_release(&dst->fd);
    return rc;
}
