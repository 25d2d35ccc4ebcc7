/* Vectored writes (Go's net.Buffers), and the write loop the other message-I/O calls on
 * a conn share. */
#include "internal.h"
#include "sys.h"

#include <limits.h>
#include <poll.h>
#include <string.h>

/* Go's maxVec: Linux's and darwin's limit alike. */
#define MAX_IOV 1024

int cnet__conn_write_all(cnet_conn *c, const char *p, size_t len, size_t *done)
{
    size_t off = 0;
    ssize_t n;
    int rc = 0;

    while (rc == 0 && off < len) {
        n = cnet__os_send(c->fd.sysfd, p + off, len - off, cnet__send_flags());
        if (n >= 0) {
            off += (size_t)n;
            *done += (size_t)n;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            rc = cnet__fd_wait(&c->fd, POLLOUT, &c->fd.wdeadline);
        } else if (errno != EINTR) {
            rc = CNET__ERRNO();
        }
    }
    return rc;
}

/* The first non-empty buffer at or after i. */
static int skip_empty(const struct iovec *iov, int iovcnt, int i)
{
    while (i < iovcnt && iov[i].iov_len == 0)
        i++;
    return i;
}

/* One system call: the rest of iov[i] from off alone when a write stopped inside it,
 * else iov[i..] as they are (the caller's array is passed to the kernel, which only
 * reads it). Bytes taken, or -1 with errno. */
static ssize_t write_some(int sysfd, const struct iovec *iov, int iovcnt, int i, size_t off)
{
    struct msghdr msg;

    if (off > 0)
        return cnet__os_send(sysfd, (const char *)iov[i].iov_base + off, iov[i].iov_len - off,
                             cnet__send_flags());
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = (struct iovec *)(uintptr_t)&iov[i]; /* sendmsg does not write it */
    msg.msg_iovlen = iovcnt - i < MAX_IOV ? iovcnt - i : MAX_IOV;
    /* sendmsg, not writev: writev cannot say MSG_NOSIGNAL */
    return cnet__os_sendmsg(sysfd, &msg, cnet__send_flags());
}

static int check_iov(const struct iovec *iov, int iovcnt)
{
    int i;

    if (iovcnt < 0 || (iov == NULL && iovcnt > 0))
        return -EINVAL;
    for (i = 0; i < iovcnt; i++)
        if (iov[i].iov_base == NULL && iov[i].iov_len > 0)
            return -EINVAL;
    return 0;
}

int cnet_conn_writev(cnet_conn *c, const struct iovec *iov, int iovcnt, size_t *written,
                     cnet_error *err)
{
    size_t done = 0, off = 0, left;
    ssize_t n;
    int i, rc;

    cnet__err_clear(err);
    if (written != NULL)
        *written = 0;
    if (c == NULL)
        return cnet__null_arg(err, "writev", "c");
    if (check_iov(iov, iovcnt) < 0)
        return cnet__op_error(err, -EINVAL, "writev", c->net->name, NULL, NULL,
                              "invalid argument: iovcnt < 0, or a NULL iov or base with a length");
    if (cnet__fd_acquire(&c->fd) < 0)
        return cnet__conn_closed_error(c, err, "writev");
    i = skip_empty(iov, iovcnt, 0);
    for (rc = cnet__fd_check_deadline(&c->fd.wdeadline); rc == 0 && i < iovcnt;) {
        n = write_some(c->fd.sysfd, iov, iovcnt, i, off);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                rc = cnet__fd_wait(&c->fd, POLLOUT, &c->fd.wdeadline);
            else if (errno != EINTR)
                rc = CNET__ERRNO();
            continue;
        }
        done += (size_t)n;
        if (written != NULL)
            *written = done;
        /* advance over what the kernel took: whole buffers, then into one */
        for (left = (size_t)n; i < iovcnt && left >= iov[i].iov_len - off;) {
            left -= iov[i].iov_len - off;
            off = 0;
            i = skip_empty(iov, iovcnt, i + 1);
        }
        off += left;
    }
    if (rc < 0)
        rc = cnet__conn_error(c, err, rc, "writev", "writev");
    cnet__fd_release(&c->fd);
    return rc;
}
