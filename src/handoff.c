/* Handing listeners on without a restart: to a running process over a unix conn
 * (HAProxy's "expose-fd listeners"), and to systemd's descriptor store
 * (sd_pid_notify_with_fds with FDSTORE=1), which hands them back to the next start of
 * the service through LISTEN_FDS. cnet_restart_exec (restart.c) is the third way: to a
 * new process of one's own.
 *
 * On the wire a handover is one byte n (1..255), then n bytes of name; the listener's
 * descriptor rides on the first byte. The receiver reads exactly that much, so a
 * stream may carry several handovers and other data around them. */
#include "internal.h"
#include "sys.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cnet_listener_send(cnet_conn *c, cnet_listener *ln, const char *name, cnet_error *err)
{
    unsigned char msg[1 + CNET__FDNAME_MAX];
    size_t len;
    int rc;

    cnet__err_clear(err);
    if (c == NULL || ln == NULL || name == NULL)
        return cnet__null_arg(err, "write", c == NULL ? "c" : ln == NULL ? "ln" : "name");
    len = strlen(name);
    if (!cnet__fdname_valid(name, len))
        return cnet__op_error(err, -EINVAL, "write", c->net->name, NULL, NULL,
                              "invalid argument: a listener's name is 1 to 255 bytes without ':'");
    msg[0] = (unsigned char)len;
    memcpy(msg + 1, name, len);
    if (cnet__fd_acquire(&ln->fd) < 0)
        return cnet__op_error(err, CNET_ECLOSED, "write", ln->net->name, NULL, ln->addr_text, NULL);
    rc = cnet_conn_send_fds(c, msg, 1 + len, &ln->fd.sysfd, 1, NULL, err);
    cnet__fd_release(&ln->fd);
    return rc;
}

/* Reads exactly len bytes: 0, -EPROTO at end of stream, or the read's error (in err). */
static int read_exactly(cnet_conn *c, char *buf, size_t len, cnet_error *err)
{
    size_t got = 0;
    ssize_t n;

    while (got < len) {
        n = cnet_conn_read(c, buf + got, len - got, err);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return cnet__conn_error(c, err, -EPROTO, "read", NULL);
        got += (size_t)n;
    }
    return 0;
}

/* The header byte with its descriptor, then the name: the descriptor (owned by the
 * caller) or a code with err written; nothing is left open on error. */
static int recv_handover(cnet_conn *c, char *name, size_t namelen, cnet_error *err)
{
    unsigned char n = 0;
    char got_name[CNET__FDNAME_MAX + 1];
    size_t got = 0, nfds = 0;
    int fd = -1, rc;

    rc = cnet_conn_recv_fds(c, &n, 1, &got, &fd, 1, &nfds, err);
    if (rc < 0)
        return rc;
    if (got == 0 || nfds != 1 || n == 0)
        rc = cnet__conn_error(c, err, -EPROTO, "read", NULL);
    if (rc == 0)
        rc = read_exactly(c, got_name, n, err);
    if (rc == 0 && !cnet__fdname_valid(got_name, n))
        rc = cnet__conn_error(c, err, -EPROTO, "read", NULL);
    if (rc == 0 && (size_t)n >= namelen)
        rc = cnet__conn_error(c, err, CNET_ENOSPACE, "read", NULL);
    if (rc < 0) {
        if (nfds == 1)
            close(fd);
        return rc;
    }
    memcpy(name, got_name, n);
    name[n] = '\0';
    return fd;
}

int cnet_listener_recv(cnet_conn *c, cnet_listener **ln, char *name, size_t namelen,
                       cnet_error *err)
{
    int fd, rc;

    cnet__err_clear(err);
    if (ln != NULL)
        *ln = NULL;
    if (c == NULL || ln == NULL || name == NULL)
        return cnet__null_arg(err, "read", c == NULL ? "c" : ln == NULL ? "ln" : "name");
    fd = recv_handover(c, name, namelen, err);
    if (fd < 0)
        return fd;
    /* cnet_file_listener checks it is a listening socket and keeps its own duplicate */
    rc = cnet_file_listener(fd, name, ln, err);
    close(fd);
    return rc;
}

/* ---- systemd's descriptor store ------------------------------------------------------ */

static int notify_send(int sock, const cnet__sockaddr *sa, const char *text, const int *fds,
                       size_t nfds)
{
    cnet__rights_buf ctl;
    struct iovec v = {(void *)(uintptr_t)text, strlen(text)}; /* sendmsg only reads it */
    struct msghdr msg;
    struct pollfd p = {sock, POLLOUT, 0};
    int rc;

    memset(&msg, 0, sizeof msg);
    msg.msg_name = (void *)(uintptr_t)&sa->u.sa;
    msg.msg_namelen = sa->len;
    msg.msg_iov = &v;
    msg.msg_iovlen = 1;
    cnet__rights_attach(&msg, &ctl, fds, nfds);
    for (;;) {
        if (cnet__os_sendmsg(sock, &msg, cnet__send_flags()) >= 0)
            return 0;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return CNET__ERRNO();
        /* the manager's queue is full: wait for room, as sd_notify's blocking send does */
        if (errno != EINTR && (rc = cnet__poll_any(&p, 1, 0)) < 0)
            return rc;
    }
}

int cnet_notify_fdstore(const char *name, const int *fds, size_t nfds, cnet_error *err)
{
    char text[sizeof "FDSTORE=1\nFDNAME=" + CNET__FDNAME_MAX];
    const char *path, *syscall = "socket";
    cnet__sockaddr sa;
    int sock, rc;

    cnet__err_clear(err);
    if (fds == NULL)
        return cnet__null_arg(err, "notify", "fds");
    if (nfds == 0 || nfds > CNET_MAX_FDS)
        return cnet__op_error(err, -EINVAL, "notify", "unixgram", NULL, NULL,
                              "invalid argument: 1 to 253 descriptors");
    if (name != NULL && !cnet__fdname_valid(name, strlen(name)))
        return cnet__op_error(err, -EINVAL, "notify", "unixgram", NULL, NULL,
                              "invalid argument: a name is 1 to 255 bytes without ':'");
    path = getenv("NOTIFY_SOCKET");
    if (path == NULL || path[0] == '\0')
        return 0;
    /* systemd also speaks vsock ("vsock:CID:PORT"), for virtual machines: not here */
    if ((path[0] != '/' && path[0] != '@') || !cnet__unix_sockaddr(path, &sa))
        return cnet__op_error(err, path[0] == '/' || path[0] == '@' ? -EINVAL : -EAFNOSUPPORT,
                              "notify", "unixgram", NULL, path, NULL);
    snprintf(text, sizeof text, name != NULL ? "FDSTORE=1\nFDNAME=%s" : "FDSTORE=1",
             name != NULL ? name : "");
    sock = cnet__sys_socket(AF_UNIX, SOCK_DGRAM, 0);
    if (sock < 0)
        return cnet__sys_error(err, sock, "notify", "unixgram", NULL, path, syscall);
    syscall = "sendmsg";
    rc = notify_send(sock, &sa, text, fds, nfds);
    close(sock);
    return rc < 0 ? cnet__sys_error(err, rc, "notify", "unixgram", NULL, path, syscall) : 1;
}
