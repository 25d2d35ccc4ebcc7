/* Unix sockets' messages: descriptors passed with SCM_RIGHTS (Go's WriteMsgUnix /
 * ReadMsgUnix with syscall.UnixRights) and the peer's credentials. */
#include "internal.h"
#include "sys.h"

#include <poll.h>
#include <string.h>
#include <unistd.h>


static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

void cnet__rights_attach(struct msghdr *msg, cnet__rights_buf *ctl, const int *fds,
                         size_t nfds)
{
    struct cmsghdr *cm;

    memset(ctl, 0, sizeof *ctl);
    msg->msg_control = ctl->bytes;
    msg->msg_controllen = CMSG_SPACE(nfds * sizeof(int));
    cm = CMSG_FIRSTHDR(msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
    memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
}

static int sendmsg_waiting(cnet_conn *c, const struct msghdr *msg, size_t *sent)
{
    ssize_t n;
    int rc;

    for (rc = cnet__fd_check_deadline(&c->fd.wdeadline); rc == 0;) {
        n = cnet__os_sendmsg(c->fd.sysfd, msg, cnet__send_flags());
        if (n >= 0) {
            *sent = (size_t)n;
            break;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            rc = cnet__fd_wait(&c->fd, POLLOUT, &c->fd.wdeadline);
        else if (errno != EINTR)
            rc = CNET__ERRNO();
    }
    return rc;
}

/* The message: buf (or Go's one dummy byte, which carries descriptors on a stream that
 * has no data to send) and the rights. */
static int send_rights(cnet_conn *c, const void *buf, size_t len, const int *fds, size_t nfds,
                       size_t *written, const char **syscall)
{
    static const char dummy = 0;
    cnet__rights_buf ctl;
    struct iovec v;
    struct msghdr msg;
    size_t sent = 0;
    int rc;

    *syscall = "sendmsg";
    if (c->net->kind != CNET__UNIX)
        return -EINVAL;
    memset(&msg, 0, sizeof msg);
    v.iov_base = (void *)(uintptr_t)(len > 0 ? buf : &dummy); /* sendmsg only reads it */
    v.iov_len = len > 0 || nfds == 0 || c->net->sotype == SOCK_DGRAM ? len : 1;
    msg.msg_iov = &v;
    msg.msg_iovlen = 1;
    if (nfds > 0)
        cnet__rights_attach(&msg, &ctl, fds, nfds);
    rc = sendmsg_waiting(c, &msg, &sent);
    if (rc < 0 || len == 0)
        return rc;
    *written = sent;
    /* A stream took part of it: the descriptors went with the first byte; the rest
     * follows as plain data. */
    *syscall = "write";
    return cnet__conn_write_all(c, (const char *)buf + sent, len - sent, written);
}

int cnet_conn_send_fds(cnet_conn *c, const void *buf, size_t len, const int *fds, size_t nfds,
                       size_t *written, cnet_error *err)
{
    const char *syscall = "sendmsg";
    size_t done = 0;
    int rc;

    cnet__err_clear(err);
    if (written != NULL)
        *written = 0;
    if (c == NULL || (buf == NULL && len > 0) || (fds == NULL && nfds > 0))
        return cnet__null_arg(err, "write",
                              c == NULL ? "c" : buf == NULL && len > 0 ? "buf" : "fds");
    if (nfds > CNET_MAX_FDS)
        return cnet__op_error(err, -EINVAL, "write", c->net->name, NULL, NULL,
                              "invalid argument: more than 253 descriptors");
    if (cnet__fd_acquire(&c->fd) < 0)
        return cnet__conn_closed_error(c, err, "write");
    rc = send_rights(c, buf, len, fds, nfds, &done, &syscall);
    if (written != NULL)
        *written = done;
    if (rc < 0)
        rc = cnet__conn_error(c, err, rc, "write", syscall);
    cnet__fd_release(&c->fd);
    return rc;
}

/* ---- receiving --------------------------------------------------------------------- */

typedef struct rights_in {
    int *fds;
    size_t max, n;
    bool overflow; /* more arrived than fds holds */
} rights_in;

static void close_rights(rights_in *in)
{
    while (in->n > 0) {
        close(in->fds[--in->n]);
        in->fds[in->n] = -1; /* no number the caller could mistake for its own */
    }
}

/* Takes every SCM_RIGHTS descriptor out of msg (into in, or closed if it has no room),
 * each made close-on-exec where recvmsg could not do it. 0 or -errno (fcntl). */
static int take_rights(struct msghdr *msg, rights_in *in)
{
    struct cmsghdr *cm;
    size_t i, k;
    int fd, rc = 0;

    for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = cnet__cmsg_next(msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (i = 0; i < k; i++) {
            memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
            if (rc == 0)
                rc = cnet__received_fd_cloexec(fd);
            if (rc == 0 && in->n < in->max) {
                in->fds[in->n++] = fd;
                continue;
            }
            if (rc == 0)
                in->overflow = true;
            close(fd);
        }
    }
    return rc;
}

static int recv_rights(cnet_conn *c, void *buf, size_t len, size_t *got, rights_in *in,
                       const char **syscall)
{
    cnet__rights_buf ctl;
    struct iovec v = {buf, len};
    struct msghdr msg;
    ssize_t n;
    int rc;

    *syscall = "recvmsg";
    if (c->net->kind != CNET__UNIX)
        return -EINVAL;
    for (rc = cnet__fd_check_deadline(&c->fd.rdeadline); rc == 0;) {
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = &v;
        msg.msg_iovlen = 1;
        msg.msg_control = ctl.bytes;
        msg.msg_controllen = in->max > 0 ? CMSG_SPACE(in->max * sizeof(int)) : 0;
        n = cnet__os_recvmsg(c->fd.sysfd, &msg, cnet__recvmsg_flags());
        if (n >= 0) {
            *got = (size_t)n;
            break;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            rc = cnet__fd_wait(&c->fd, POLLIN, &c->fd.rdeadline);
        else if (errno != EINTR)
            rc = CNET__ERRNO();
    }
    if (rc < 0)
        return rc;
    rc = take_rights(&msg, in);
    if (rc < 0) {
        *syscall = "fcntl";
    } else if (in->overflow || (msg.msg_flags & MSG_CTRUNC)) {
        rc = -EMSGSIZE; /* some were dropped: none is handed out */
    }
    if (rc < 0)
        close_rights(in);
    return rc;
}

int cnet_conn_recv_fds(cnet_conn *c, void *buf, size_t len, size_t *n, int *fds, size_t maxfds,
                       size_t *nfds, cnet_error *err)
{
    rights_in in = {fds, min_size(maxfds, CNET_MAX_FDS), 0, false};
    const char *syscall;
    size_t got = 0;
    int rc;

    cnet__err_clear(err);
    if (n != NULL)
        *n = 0;
    if (nfds != NULL)
        *nfds = 0;
    if (c == NULL || buf == NULL || n == NULL || nfds == NULL || (fds == NULL && maxfds > 0))
        return cnet__null_arg(err, "read", c == NULL ? "c" : buf == NULL ? "buf" : n == NULL ? "n"
                                           : nfds == NULL ? "nfds" : "fds");
    if (len == 0)
        return cnet__op_error(err, -EINVAL, "read", c->net->name, NULL, NULL,
                              "invalid argument: len is 0");
    if (cnet__fd_acquire(&c->fd) < 0)
        return cnet__conn_closed_error(c, err, "read");
    rc = recv_rights(c, buf, len, &got, &in, &syscall);
    *n = got;
    *nfds = in.n;
    if (rc < 0)
        rc = cnet__conn_error(c, err, rc, "read", syscall);
    cnet__fd_release(&c->fd);
    return rc;
}

/* ---- credentials --------------------------------------------------------------------- */

int cnet_conn_peer_cred(cnet_conn *c, cnet_peer_cred *cred, cnet_error *err)
{
    const char *syscall = "getsockopt";
    int rc;

    cnet__err_clear(err);
    if (c == NULL || cred == NULL)
        return cnet__null_arg(err, "peercred", c == NULL ? "c" : "cred");
    if (cnet__fd_acquire(&c->fd) < 0)
        return cnet__conn_closed_error(c, err, "peercred");
    rc = c->net->kind == CNET__UNIX ? cnet__peer_cred(c->fd.sysfd, cred, &syscall) : -EOPNOTSUPP;
    if (rc < 0)
        rc = cnet__conn_error(c, err, rc, "peercred", syscall);
    cnet__fd_release(&c->fd);
    return rc;
}
