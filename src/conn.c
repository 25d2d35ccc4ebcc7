/* Connections: Go's Conn Read, Write, CloseWrite, LocalAddr, RemoteAddr, Close. The
 * data-ready path is one system call; poll only after EAGAIN, or before the call when
 * the last TCP read drained the socket (see read_once). */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

cnet_conn *cnet__conn_new(int sysfd, const cnet__network *net, const cnet__sockaddr *remote)
{
    cnet_conn *c = cnet__os_calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    if (cnet__fd_init(&c->fd, sysfd) < 0) {
        free(c);
        return NULL;
    }
    cnet__network_of_socket(net, &c->net_copy);
    c->net = &c->net_copy;
    if (remote != NULL)
        c->remote = *remote;
    return c;
}

int cnet__local_sockaddr(int fd, cnet__sockaddr *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->len = sizeof sa->u;
    return cnet__os_getsockname(fd, &sa->u.sa, &sa->len) < 0 ? CNET__ERRNO() : 0;
}

/* Go's OpError for an I/O failure on c: "<op> <net> <local>-><remote>: <inner>". */
int cnet__conn_error(cnet_conn *c, cnet_error *err, int code, const char *op,
                     const char *syscall)
{
    char local[CNET_ADDRSTRLEN] = "", remote[CNET_ADDRSTRLEN] = "";
    cnet__sockaddr sa;

    if (cnet__local_sockaddr(c->fd.sysfd, &sa) == 0)
        cnet__net_sockaddr_format(c->net, &sa, local, sizeof local);
    if (c->remote.len > 0)
        cnet__net_sockaddr_format(c->net, &c->remote, remote, sizeof remote);
    if (code == CNET_ECLOSED || code == CNET_ETIMEOUT || syscall == NULL)
        return cnet__op_error(err, code, op, c->net->name, local, remote, NULL);
    return cnet__sys_error(err, code, op, c->net->name, local, remote, syscall);
}

/* The handle is closing: its socket may already be gone, so name only the remote end. */
int cnet__conn_closed_error(cnet_conn *c, cnet_error *err, const char *op)
{
    char remote[CNET_ADDRSTRLEN] = "";

    if (c->remote.len > 0)
        cnet__net_sockaddr_format(c->net, &c->remote, remote, sizeof remote);
    return cnet__op_error(err, CNET_ECLOSED, op, c->net->name, NULL, remote, NULL);
}

/* One read. On TCP it also learns whether the kernel still holds data: when it holds
 * none, the next read waits for the poller first instead of spending a system call on
 * an EAGAIN. Nothing is stranded: data, a FIN or an error that comes after the read is
 * a new edge; a FIN already there keeps TCP_INQ above zero, and an error already
 * there is the hang-up the poller reported. */
static ssize_t read_once(cnet_conn *c, void *buf, size_t len)
{
    ssize_t n;
    int left;

    if (c->net->kind != CNET__TCP)
        return cnet__os_read(c->fd.sysfd, buf, len);
    n = cnet__tcp_read(c->fd.sysfd, buf, len, &left);
    if (n > 0 && left == 0 && !cnet__pd_hung_up(c->fd.pd))
        atomic_store_explicit(&c->drained, true, memory_order_relaxed);
    return n;
}

ssize_t cnet_conn_read(cnet_conn *c, void *buf, size_t len, cnet_error *err)
{
    ssize_t n = 0;
    int rc;

    cnet__err_clear(err);
    if (c == NULL || (buf == NULL && len > 0))
        return cnet__null_arg(err, "read", c == NULL ? "c" : "buf");
    if (len == 0)
        return 0; /* Go: a zero-length read returns at once */
    if (cnet__fd_acquire(&c->fd) < 0)
        return cnet__conn_closed_error(c, err, "read");
    for (rc = cnet__fd_check_deadline(&c->fd.rdeadline); rc == 0;) {
        if (atomic_exchange_explicit(&c->drained, false, memory_order_relaxed)) {
            rc = cnet__fd_wait(&c->fd, POLLIN, &c->fd.rdeadline);
            continue;
        }
        n = read_once(c, buf, len);
        if (n >= 0)
            break;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            rc = cnet__fd_wait(&c->fd, POLLIN, &c->fd.rdeadline);
        else if (errno != EINTR)
            rc = CNET__ERRNO();
    }
    if (rc < 0)
        n = cnet__conn_error(c, err, rc, "read", "read");
    cnet__fd_release(&c->fd);
    return n;
}

int cnet_conn_write_n(cnet_conn *c, const void *buf, size_t len, size_t *written,
                      cnet_error *err)
{
    const char *p = buf;
    size_t done = 0;
    ssize_t n;
    int rc;

    cnet__err_clear(err);
    if (written != NULL)
        *written = 0;
    if (c == NULL || (buf == NULL && len > 0))
        return cnet__null_arg(err, "write", c == NULL ? "c" : "buf");
    if (cnet__fd_acquire(&c->fd) < 0)
        return cnet__conn_closed_error(c, err, "write");
    /* Loop at least once: a zero-length write still sends an empty datagram. */
    for (rc = cnet__fd_check_deadline(&c->fd.wdeadline); rc == 0 && (done < len || len == 0);) {
        n = cnet__os_send(c->fd.sysfd, p + done, len - done, cnet__send_flags());
        if (n >= 0) {
            done += (size_t)n;
            if (written != NULL)
                *written = done; /* kept current: a later failure still reports it */
            if (len == 0)
                break;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            rc = cnet__fd_wait(&c->fd, POLLOUT, &c->fd.wdeadline);
        } else if (errno != EINTR) {
            rc = CNET__ERRNO();
        }
    }
    if (rc < 0)
        rc = cnet__conn_error(c, err, rc, "write", "write");
    cnet__fd_release(&c->fd);
    return rc;
}

ssize_t cnet_conn_write(cnet_conn *c, const void *buf, size_t len, cnet_error *err)
{
    int rc = cnet_conn_write_n(c, buf, len, NULL, err);

    return rc < 0 ? rc : (ssize_t)len;
}

static int shutdown_side(cnet_conn *c, int how, cnet_error *err)
{
    int rc;

    cnet__err_clear(err);
    if (c == NULL)
        return cnet__null_arg(err, "close", "c");
    if (cnet__fd_acquire(&c->fd) < 0)
        return cnet__conn_closed_error(c, err, "close");
    rc = cnet__os_shutdown(c->fd.sysfd, how) < 0 ? CNET__ERRNO() : 0;
    if (rc < 0)
        rc = cnet__conn_error(c, err, rc, "close", "shutdown");
    cnet__fd_release(&c->fd);
    return rc;
}

int cnet_conn_close_write(cnet_conn *c, cnet_error *err)
{
    return shutdown_side(c, SHUT_WR, err);
}

int cnet_conn_close_read(cnet_conn *c, cnet_error *err)
{
    int rc = shutdown_side(c, SHUT_RD, err);

    if (rc == 0)
        atomic_store(&c->drained, false); /* the next read returns end of stream at once */
    return rc;
}

int cnet_conn_set_deadline(cnet_conn *c, int64_t deadline_ns)
{
    return c == NULL ? -EINVAL : cnet__fd_set_deadline(&c->fd, true, true, deadline_ns);
}

int cnet_conn_set_read_deadline(cnet_conn *c, int64_t deadline_ns)
{
    return c == NULL ? -EINVAL : cnet__fd_set_deadline(&c->fd, true, false, deadline_ns);
}

int cnet_conn_set_write_deadline(cnet_conn *c, int64_t deadline_ns)
{
    return c == NULL ? -EINVAL : cnet__fd_set_deadline(&c->fd, false, true, deadline_ns);
}

int cnet_conn_local_addr(const cnet_conn *c, char *buf, size_t len)
{
    cnet__sockaddr sa;
    int rc;

    if (c == NULL || buf == NULL)
        return -EINVAL;
    rc = cnet__local_sockaddr(c->fd.sysfd, &sa);
    return rc < 0 ? rc : cnet__net_sockaddr_format(c->net, &sa, buf, len);
}

int cnet_conn_remote_addr(const cnet_conn *c, char *buf, size_t len)
{
    if (c == NULL || buf == NULL)
        return -EINVAL;
    return cnet__net_sockaddr_format(c->net, &c->remote, buf, len);
}

int cnet_conn_fd(const cnet_conn *c)
{
    return c == NULL ? -EINVAL : c->fd.sysfd;
}

int cnet_conn_stop(cnet_conn *c)
{
    if (c == NULL)
        return -EINVAL;
    cnet__fd_stop(&c->fd);
    return 0;
}

int cnet_conn_close(cnet_conn *c)
{
    if (c == NULL)
        return -EINVAL;
    cnet__fd_close(&c->fd);
    free(c);
    return 0;
}

/* ---- TCP options (Go's TCPConn setters) ------------------------------------------ */

static int local_family(cnet_conn *c)
{
    cnet__sockaddr sa;

    return cnet__local_sockaddr(c->fd.sysfd, &sa) == 0 ? sa.u.sa.sa_family : AF_UNSPEC;
}

/* Runs set(c, arg) on the socket; a failure reads "set <net> <local>-><remote>:
 * setsockopt: ...". */
static int set_option(cnet_conn *c, cnet_error *err, int (*set)(cnet_conn *, const void *),
                      const void *arg)
{
    int rc;

    cnet__err_clear(err);
    if (c == NULL)
        return cnet__null_arg(err, "set", "c");
    if (cnet__fd_acquire(&c->fd) < 0)
        return cnet__conn_closed_error(c, err, "set");
    rc = set(c, arg);
    if (rc < 0)
        rc = cnet__conn_error(c, err, rc, "set", "setsockopt");
    cnet__fd_release(&c->fd);
    return rc;
}

static int setsockopt_int(cnet_conn *c, int level, int name, int value)
{
    return cnet__os_setsockopt(c->fd.sysfd, level, name, &value, sizeof value) < 0 ? CNET__ERRNO() : 0;
}

static int set_nodelay(cnet_conn *c, const void *arg)
{
    if (c->net->kind != CNET__TCP)
        return -ENOPROTOOPT;
    return setsockopt_int(c, IPPROTO_TCP, TCP_NODELAY, *(const int *)arg != 0);
}

static int set_keepalive(cnet_conn *c, const void *arg)
{
    const cnet_keepalive *ka = arg;

    if (c->net->kind != CNET__TCP)
        return -ENOPROTOOPT;
    if (ka->enable < 0) /* Go's SetKeepAlive(false) */
        return setsockopt_int(c, SOL_SOCKET, SO_KEEPALIVE, 0);
    return cnet__set_keepalive(c->fd.sysfd, local_family(c), ka);
}

static int set_linger(cnet_conn *c, const void *arg)
{
    int sec = *(const int *)arg;
    struct linger l = {.l_onoff = sec >= 0, .l_linger = sec >= 0 ? sec : 0};

    return cnet__os_setsockopt(c->fd.sysfd, SOL_SOCKET, SO_LINGER, &l, sizeof l) < 0 ? CNET__ERRNO() : 0;
}

static int set_rcvbuf(cnet_conn *c, const void *arg)
{
    return setsockopt_int(c, SOL_SOCKET, SO_RCVBUF, *(const int *)arg);
}

static int set_sndbuf(cnet_conn *c, const void *arg)
{
    return setsockopt_int(c, SOL_SOCKET, SO_SNDBUF, *(const int *)arg);
}

int cnet_conn_set_nodelay(cnet_conn *c, int on, cnet_error *err)
{
    return set_option(c, err, set_nodelay, &on);
}

int cnet_conn_set_keepalive(cnet_conn *c, const cnet_keepalive *ka, cnet_error *err)
{
    static const cnet_keepalive defaults;

    return set_option(c, err, set_keepalive, ka != NULL ? ka : &defaults);
}

int cnet_conn_set_linger(cnet_conn *c, int sec, cnet_error *err)
{
    return set_option(c, err, set_linger, &sec);
}

int cnet_conn_set_read_buffer(cnet_conn *c, int bytes, cnet_error *err)
{
    return set_option(c, err, set_rcvbuf, &bytes);
}

int cnet_conn_set_write_buffer(cnet_conn *c, int bytes, cnet_error *err)
{
    return set_option(c, err, set_sndbuf, &bytes);
}
