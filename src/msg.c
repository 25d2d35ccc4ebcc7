/* Message I/O on datagram sockets: Go's ReadMsgUDP / WriteMsgUDP with x/net's control
 * messages, and x/net's ReadBatch / WriteBatch with UDP GSO. The control messages are
 * in cmsg.c (what every OS spells alike) and cmsg_<os>.c (the OS's spellings), the
 * batch calls in batch_<os>.c; this file waits, resolves, groups and reports errors as
 * Go does. */
#include "internal.h"
#include "sys.h"

#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

/* The most a GSO send may carry: one IPv4 UDP datagram's payload. */
#define GSO_MAX_BYTES 65507
/* Payload pieces per write system call: 16 GSO runs of 16 datagrams, or 4 of 64. */
#define TX_IOV_MAX 256

/* Go's OpError for an I/O call: "<op> udp <local>[-><remote>]: [<syscall>: ]<text>". */
static int msg_error(cnet_packet_conn *pc, cnet_error *err, int code, const char *op,
                     const char *remote, const char *syscall)
{
    char local[CNET_ADDRSTRLEN];

    cnet__net_sockaddr_format(pc->net, &pc->local, local, sizeof local);
    if (code == CNET_ECLOSED || code == CNET_ETIMEOUT || code == CNET_EMISSINGADDR ||
        syscall == NULL)
        return cnet__op_error(err, code, op, pc->net->name, local, remote, NULL);
    return cnet__sys_error(err, code, op, pc->net->name, local, remote, syscall);
}

static int check_udp(cnet_packet_conn *pc, const char *op, cnet_error *err)
{
    if (pc->net->kind != CNET__UDP)
        return msg_error(pc, err, CNET_EADDRTYPE, op, NULL, NULL);
    return 0;
}

static int check_conn(cnet_packet_conn *pc, const void *ms, const char *op, cnet_error *err)
{
    cnet__err_clear(err);
    if (pc == NULL)
        return cnet__null_arg(err, op, "pc");
    if (ms == NULL)
        return cnet__null_arg(err, op, "msg");
    return check_udp(pc, op, err);
}

static int check_buffers(const cnet_msg *ms, size_t n, const char *op, cnet_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (ms[i].buf == NULL && ms[i].len > 0)
            return cnet__null_arg(err, op, "msg.buf");
    return 0;
}

/* ---- control ------------------------------------------------------------------- */

int cnet_packet_set_control(cnet_packet_conn *pc, unsigned flags, int on, cnet_error *err)
{
    int rc;

    cnet__err_clear(err);
    if (pc == NULL)
        return cnet__null_arg(err, "set", "pc");
    rc = check_udp(pc, "set", err);
    if (rc < 0)
        return rc;
    if (flags & ~(unsigned)CNET_MSG_ALL)
        return cnet__op_error(err, -EINVAL, "set", pc->net->name, NULL, NULL,
                              "invalid argument: unknown control flags");
    if (flags & ~cnet__cmsg_receivable)
        return msg_error(pc, err, CNET_ENOTSUP, "set", NULL, NULL);
    if (cnet__fd_acquire(&pc->fd) < 0)
        return msg_error(pc, err, CNET_ECLOSED, "set", NULL, NULL);
    rc = cnet__cmsg_enable(pc->fd.sysfd, pc->local.u.sa.sa_family, flags, on != 0);
    cnet__fd_release(&pc->fd);
    return rc < 0 ? msg_error(pc, err, rc, "set", NULL, "setsockopt") : 0;
}

int cnet_packet_gso_supported(cnet_packet_conn *pc)
{
    unsigned s;

    if (pc == NULL)
        return -EINVAL;
    s = atomic_load(&pc->msg_state);
    if (!(s & CNET__GSO_PROBED) && pc->net->kind == CNET__UDP &&
        cnet__fd_acquire(&pc->fd) == 0) {
        s = CNET__GSO_PROBED | (cnet__gso_probe(pc->fd.sysfd) ? CNET__GSO_YES : 0u);
        cnet__fd_release(&pc->fd);
        s = atomic_fetch_or(&pc->msg_state, s) | s;
    }
    return (s & CNET__GSO_YES) && !(s & CNET__GSO_REFUSED);
}

/* ---- reading ------------------------------------------------------------------- */

/* The per-message state of a receive: the kernel fills name, data and control. */
typedef struct rx_slot {
    cnet__sockaddr sa;
    struct iovec iov;
    union {
        struct cmsghdr align;
        unsigned char b[CNET__CMSG_SPACE];
    } cbuf;
} rx_slot;

static void rx_prepare(struct msghdr *h, rx_slot *s, cnet_msg *m)
{
    memset(h, 0, sizeof *h);
    memset(&s->sa, 0, sizeof s->sa);
    s->iov.iov_base = m->buf;
    s->iov.iov_len = m->len;
    h->msg_name = &s->sa.u.sa;
    h->msg_namelen = sizeof s->sa.u;
    h->msg_iov = &s->iov;
    h->msg_iovlen = 1;
    h->msg_control = s->cbuf.b;
    h->msg_controllen = sizeof s->cbuf.b;
}

static void rx_finish(cnet_packet_conn *pc, struct msghdr *h, rx_slot *s, cnet_msg *m,
                      size_t n)
{
    m->n = n;
    m->flags = ((h->msg_flags & MSG_TRUNC) ? CNET_MSG_TRUNC : 0) |
               ((h->msg_flags & MSG_CTRUNC) ? CNET_MSG_CTRUNC : 0);
    s->sa.len = h->msg_namelen;
    if (cnet__net_sockaddr_format(pc->net, &s->sa, m->addr, sizeof m->addr) < 0)
        m->addr[0] = '\0';
    cnet__cmsg_parse(h, &m->ctl);
}

/* Receives up to n (1..CNET__BATCH_MAX) datagrams, waiting for the first. */
static int receive(cnet_packet_conn *pc, cnet_msg *ms, size_t n, bool batch, cnet_error *err)
{
    struct msghdr h[CNET__BATCH_MAX];
    rx_slot slots[CNET__BATCH_MAX];
    size_t lens[CNET__BATCH_MAX];
    const char *syscall = batch ? cnet__recv_batch_syscall : "recvmsg";
    ssize_t one;
    int got = 0, rc;

    if (cnet__fd_acquire(&pc->fd) < 0)
        return msg_error(pc, err, CNET_ECLOSED, "read", NULL, NULL);
    for (size_t i = 0; i < n; i++)
        rx_prepare(&h[i], &slots[i], &ms[i]);
    for (rc = cnet__fd_check_deadline(&pc->fd.rdeadline); rc == 0;) {
        if (batch) {
            got = cnet__sys_recv_batch(pc->fd.sysfd, h, lens, n);
        } else {
            one = cnet__os_recvmsg(pc->fd.sysfd, &h[0], 0);
            got = one < 0 ? -1 : 1;
            lens[0] = one < 0 ? 0 : (size_t)one;
        }
        if (got > 0)
            break;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            rc = cnet__fd_wait(&pc->fd, POLLIN, &pc->fd.rdeadline);
        else if (errno != EINTR)
            rc = CNET__ERRNO();
    }
    if (rc < 0) {
        cnet__fd_release(&pc->fd);
        return msg_error(pc, err, rc, "read", NULL, syscall);
    }
    for (int i = 0; i < got; i++)
        rx_finish(pc, &h[i], &slots[i], &ms[i], lens[i]);
    cnet__fd_release(&pc->fd);
    return got;
}

ssize_t cnet_packet_read_msg(cnet_packet_conn *pc, cnet_msg *m, cnet_error *err)
{
    int rc = check_conn(pc, m, "read", err);

    if (rc == 0)
        rc = check_buffers(m, 1, "read", err);
    if (rc == 0)
        rc = receive(pc, m, 1, false, err);
    return rc < 0 ? rc : (ssize_t)m->n;
}

int cnet_packet_read_batch(cnet_packet_conn *pc, cnet_msg *ms, size_t n, cnet_error *err)
{
    int rc = check_conn(pc, ms, "read", err);

    if (rc == 0)
        rc = check_buffers(ms, n, "read", err);
    if (rc < 0 || n == 0)
        return rc;
    return receive(pc, ms, n < CNET__BATCH_MAX ? n : CNET__BATCH_MAX, true, err);
}

/* ---- writing ------------------------------------------------------------------- */

/* The last destination resolved: a batch to one peer resolves its address once. */
typedef struct dest_cache {
    bool valid;
    char addr[CNET_ADDRSTRLEN];
    cnet__sockaddr sa;
    char text[CNET_ADDRSTRLEN]; /* the resolved destination, for error texts */
} dest_cache;

static int resolve_destination(cnet_packet_conn *pc, const char *address, dest_cache *d,
                               cnet_error *err)
{
    cnet__addr_list list;
    char ipstr[CNET_ADDRSTRLEN], inner[CNET_ERROR_MAX], local[CNET_ADDRSTRLEN];
    int family = pc->local.u.sa.sa_family;
    int rc, i;

    if (d->valid && strcmp(d->addr, address) == 0)
        return 0;
    d->valid = false;
    if (address[0] == '\0')
        return msg_error(pc, err, CNET_EMISSINGADDR, "write", NULL, NULL);
    rc = cnet__resolve("write", pc->net, address, 0, &list, err);
    for (i = 0; rc == 0 && i < list.n; i++) {
        if (cnet__endpoint_to_sockaddr(&list.ep[i], family, &d->sa)) {
            cnet__net_endpoint_format(pc->net, &list.ep[i], d->text, sizeof d->text);
            snprintf(d->addr, sizeof d->addr, "%s", address);
            d->valid = true;
            return 0;
        }
    }
    if (rc < 0)
        return rc;
    /* Go's AddrError, as cnet_packet_write_to reports it. */
    cnet__ip_format(&cnet__addr_list_first_v4(&list)->ip, ipstr, sizeof ipstr);
    ipstr[strcspn(ipstr, "%")] = '\0';
    snprintf(inner, sizeof inner, "address %s: non-IPv%d address", ipstr,
             family == AF_INET ? 4 : 6);
    cnet__net_sockaddr_format(pc->net, &pc->local, local, sizeof local);
    return cnet__op_error(err, CNET_ENOSUITABLE, "write", pc->net->name, local, address, inner);
}

/* The source IP of a send in the socket's family: an IPv4 source on an IPv6 socket is
 * written IPv4-mapped (Linux takes it so for an IPv4 destination of a dual-stack
 * socket). family AF_UNSPEC: none asked for. */
static int source_ip(cnet_packet_conn *pc, const cnet_msg_control *ctl, cnet__ip *src,
                     const char *dest, cnet_error *err)
{
    const char *s = ctl->local_ip;
    int family = pc->local.u.sa.sa_family;

    memset(src, 0, sizeof *src);
    if (!(ctl->flags & CNET_MSG_LOCAL_IP) || s[0] == '\0')
        return 0;
    if (cnet__ip_parse(s, strnlen(s, sizeof ctl->local_ip), src) != 1)
        return msg_error(pc, err, -EINVAL, "write", dest, "sendmsg");
    if (family == AF_INET && src->family == AF_INET6 && cnet__ip_is_v4(src))
        *src = cnet__ip_to_v4(src);
    if (family == AF_INET6 && src->family == AF_INET) {
        memmove(src->b + 12, src->b, 4);
        memset(src->b, 0, 10);
        src->b[10] = src->b[11] = 0xff;
        src->family = AF_INET6;
    }
    if (src->family != family)
        return msg_error(pc, err, -EINVAL, "write", dest, "sendmsg");
    return 0;
}

/* One system-call message: a datagram, or a run of them sent as one GSO buffer. */
typedef struct tx_group {
    size_t first, count; /* ms[first .. first+count) */
    size_t segment;      /* GSO segment size, 0: a plain datagram */
    union {
        struct cmsghdr align;
        unsigned char b[CNET__CMSG_SPACE];
    } cbuf;
} tx_group;

/* The control fields a send applies (received-only ones are ignored). */
static bool same_send_control(const cnet_msg_control *a, const cnet_msg_control *b)
{
    unsigned fa = a->flags & (CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX | CNET_MSG_TOS | CNET_MSG_TTL);
    unsigned fb = b->flags & (CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX | CNET_MSG_TOS | CNET_MSG_TTL);

    return fa == fb &&
           (!(fa & CNET_MSG_LOCAL_IP) || strncmp(a->local_ip, b->local_ip, sizeof a->local_ip) == 0) &&
           (!(fa & CNET_MSG_IFINDEX) || a->ifindex == b->ifindex) &&
           (!(fa & CNET_MSG_TOS) || a->tos == b->tos) && (!(fa & CNET_MSG_TTL) || a->ttl == b->ttl);
}

/* How many messages from ms[i] can go as one GSO buffer: same destination string, same
 * control, equal lengths except a shorter last one, within the kernel's bounds. */
static size_t gso_run(const cnet_msg *ms, size_t i, size_t n, size_t max_iov)
{
    size_t seg = ms[i].len, total = seg, k = 1;

    if (seg == 0)
        return 1;
    while (i + k < n && k < cnet__gso_max_segments && k < max_iov) {
        const cnet_msg *m = &ms[i + k];
        if (m->len == 0 || m->len > seg || total + m->len > GSO_MAX_BYTES ||
            strcmp(m->addr, ms[i].addr) != 0 || !same_send_control(&m->ctl, &ms[i].ctl))
            break;
        total += m->len;
        k++;
        if (m->len < seg)
            break; /* a shorter datagram ends a run */
    }
    return k;
}

typedef struct tx_batch {
    struct msghdr h[CNET__BATCH_MAX];
    tx_group g[CNET__BATCH_MAX];
    struct iovec iov[TX_IOV_MAX];
    cnet__sockaddr sa[CNET__BATCH_MAX];
    size_t lens[CNET__BATCH_MAX];
    size_t ngroups;
} tx_batch;

/* Fills b with the system-call messages for ms[i..n) (as many as fit). 0 or an error
 * for message b->g[ngroups] (reported with its destination). */
static int tx_build(cnet_packet_conn *pc, cnet_msg *ms, size_t i, size_t n, bool gso,
                    tx_batch *b, dest_cache *dc, cnet_error *err)
{
    size_t iov_used = 0, max_groups = CNET__BATCH_MAX;
    int family = pc->local.u.sa.sa_family;
    cnet__ip src;
    int rc;

    b->ngroups = 0;
    while (i < n && b->ngroups < max_groups && iov_used < sizeof b->iov / sizeof b->iov[0]) {
        tx_group *g = &b->g[b->ngroups];
        struct msghdr *h = &b->h[b->ngroups];
        size_t room = sizeof b->iov / sizeof b->iov[0] - iov_used;

        rc = resolve_destination(pc, ms[i].addr, dc, err);
        if (rc == 0)
            rc = source_ip(pc, &ms[i].ctl, &src, dc->text, err);
        if (rc < 0)
            return b->ngroups > 0 ? 0 : rc; /* send what is ready; fail it next time */
        g->first = i;
        g->count = gso ? gso_run(ms, i, n, room) : 1;
        g->segment = g->count > 1 ? ms[i].len : 0;
        rc = cnet__cmsg_build(g->cbuf.b, sizeof g->cbuf.b, family, &ms[i].ctl, &src, g->segment);
        if (rc < 0) {
            if (b->ngroups > 0)
                return 0;
            return msg_error(pc, err, rc, "write", dc->text, rc == CNET_ENOTSUP ? NULL : "sendmsg");
        }
        memset(h, 0, sizeof *h);
        b->sa[b->ngroups] = dc->sa;
        h->msg_name = &b->sa[b->ngroups].u.sa;
        h->msg_namelen = dc->sa.len;
        h->msg_iov = &b->iov[iov_used];
        h->msg_iovlen = g->count;
        for (size_t k = 0; k < g->count; k++) {
            b->iov[iov_used + k].iov_base = ms[i + k].buf;
            b->iov[iov_used + k].iov_len = ms[i + k].len;
        }
        h->msg_control = rc > 0 ? g->cbuf.b : NULL;
        h->msg_controllen = (size_t)rc;
        iov_used += g->count;
        i += g->count;
        b->ngroups++;
    }
    return 0;
}

/* Sends b's messages, waiting for room; the count sent (>= 1), or the code of the
 * first failure. */
static int tx_send(cnet_packet_conn *pc, tx_batch *b, bool batch)
{
    ssize_t one;
    int sent, rc;

    for (rc = cnet__fd_check_deadline(&pc->fd.wdeadline); rc == 0;) {
        if (batch) {
            sent = cnet__sys_send_batch(pc->fd.sysfd, b->h, b->lens, b->ngroups,
                                        cnet__send_flags());
        } else {
            one = cnet__os_sendmsg(pc->fd.sysfd, &b->h[0], cnet__send_flags());
            sent = one < 0 ? -1 : 1;
        }
        if (sent > 0)
            return sent;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            rc = cnet__fd_wait(&pc->fd, POLLOUT, &pc->fd.wdeadline);
        else if (errno != EINTR)
            rc = CNET__ERRNO();
    }
    return rc;
}

/* Sends ms[0..n): the count sent before an error is in *sent. */
static int transmit(cnet_packet_conn *pc, cnet_msg *ms, size_t n, bool batch, bool want_gso,
                    size_t *sent, cnet_error *err)
{
    tx_batch *b, local_b;
    dest_cache dc = {0};
    const char *syscall = batch ? cnet__send_batch_syscall : "sendmsg";
    bool gso = false;
    size_t i = 0;
    int rc = 0, k;

    b = &local_b;
    if (want_gso)
        gso = cnet_packet_gso_supported(pc) == 1;
    while (i < n) {
        rc = tx_build(pc, ms, i, n, gso, b, &dc, err);
        if (rc < 0)
            break;
        k = tx_send(pc, b, batch);
        if (k < 0 && gso && b->g[0].segment != 0 && cnet__gso_refused(-k)) {
            /* Refused: this datagram run goes again without GSO; if that works, the
             * conn stops using GSO. */
            gso = false;
            continue;
        }
        if (k < 0) {
            const char *text = resolve_destination(pc, ms[b->g[0].first].addr, &dc, NULL) == 0 ? dc.text : ms[b->g[0].first].addr;
            rc = msg_error(pc, err, k, "write", text, syscall);
            break;
        }
        if (want_gso && !gso && cnet_packet_gso_supported(pc) == 1)
            atomic_fetch_or(&pc->msg_state, CNET__GSO_REFUSED);
        for (int g = 0; g < k; g++)
            for (size_t j = 0; j < b->g[g].count; j++)
                ms[b->g[g].first + j].n = ms[b->g[g].first + j].len;
        i = b->g[k - 1].first + b->g[k - 1].count;
    }
    *sent = i;
    return rc;
}

ssize_t cnet_packet_write_msg(cnet_packet_conn *pc, cnet_msg *m, cnet_error *err)
{
    size_t sent = 0;
    int rc = check_conn(pc, m, "write", err);

    if (rc == 0)
        rc = check_buffers(m, 1, "write", err);
    if (rc < 0)
        return rc;
    if (cnet__fd_acquire(&pc->fd) < 0)
        return msg_error(pc, err, CNET_ECLOSED, "write", m->addr, NULL);
    rc = transmit(pc, m, 1, false, false, &sent, err);
    cnet__fd_release(&pc->fd);
    return rc < 0 ? rc : (ssize_t)m->n;
}

int cnet_packet_write_batch(cnet_packet_conn *pc, cnet_msg *ms, size_t n,
                            const cnet_batch_opts *opts, size_t *sent, cnet_error *err)
{
    size_t done = 0;
    int rc = check_conn(pc, ms, "write", err);

    if (sent != NULL)
        *sent = 0;
    if (rc == 0)
        rc = check_buffers(ms, n, "write", err);
    if (rc < 0 || n == 0)
        return rc;
    if (n > INT_MAX)
        return cnet__op_error(err, -EINVAL, "write", pc->net->name, NULL, NULL,
                              "invalid argument: too many messages");
    if (cnet__fd_acquire(&pc->fd) < 0)
        return msg_error(pc, err, CNET_ECLOSED, "write", ms[0].addr, NULL);
    rc = transmit(pc, ms, n, true, opts == NULL || opts->gso >= 0, &done, err);
    cnet__fd_release(&pc->fd);
    if (sent != NULL)
        *sent = done;
    return rc < 0 ? rc : (int)n;
}
