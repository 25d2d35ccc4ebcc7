/* Control messages of datagrams on Linux: IP_PKTINFO / IPV6_RECVPKTINFO (destination and
 * arriving interface), IP_RECVTOS / IPV6_RECVTCLASS, IP_RECVTTL / IPV6_RECVHOPLIMIT,
 * SO_TIMESTAMPNS, and UDP GSO / GRO (UDP_SEGMENT, UDP_GRO). */
#include "internal.h"
#include "sys.h"

#include <netinet/udp.h>
#include <string.h>
#include <time.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
/* linux/udp.h; older libc headers lack them. */
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

const unsigned cnet__cmsg_receivable = CNET_MSG_ALL;
/* UDP_MAX_SEGMENTS: 64 until Linux 6.9, 128 since; the smaller is safe on both. */
const size_t cnet__gso_max_segments = 64;

static int set_int(int fd, int level, int name, int v)
{
    return cnet__os_setsockopt(fd, level, name, &v, sizeof v) < 0 ? CNET__ERRNO() : 0;
}

/* One receive option per CNET_MSG_* bit and family. */
static int enable_v4(int fd, unsigned flags, int v)
{
    int rc = 0;

    if (flags & (CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX))
        rc = set_int(fd, IPPROTO_IP, IP_PKTINFO, v);
    if (rc == 0 && (flags & CNET_MSG_TOS))
        rc = set_int(fd, IPPROTO_IP, IP_RECVTOS, v);
    if (rc == 0 && (flags & CNET_MSG_TTL))
        rc = set_int(fd, IPPROTO_IP, IP_RECVTTL, v);
    return rc;
}

static int enable_v6(int fd, unsigned flags, int v)
{
    int rc = 0;

    if (flags & (CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX))
        rc = set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, v);
    if (rc == 0 && (flags & CNET_MSG_TOS))
        rc = set_int(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, v);
    if (rc == 0 && (flags & CNET_MSG_TTL))
        rc = set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, v);
    return rc;
}

int cnet__cmsg_enable(int fd, int family, unsigned flags, bool on)
{
    int v = on ? 1 : 0;
    int rc;

    if (family == AF_INET6) {
        rc = enable_v6(fd, flags, v);
        /* A dual-stack socket's IPv4 datagrams carry the IPv4 options; a v6-only
         * socket refuses them, which is harmless. */
        if (rc == 0)
            (void)enable_v4(fd, flags, v);
    } else {
        rc = enable_v4(fd, flags, v);
    }
    if (rc == 0 && (flags & CNET_MSG_TIMESTAMP))
        rc = set_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, v);
    if (rc == 0 && (flags & CNET_MSG_SEGMENT))
        rc = set_int(fd, SOL_UDP, UDP_GRO, v);
    return rc;
}

static void set_local_ip(cnet_msg_control *ctl, int family, const void *addr)
{
    cnet__ip ip;

    memset(&ip, 0, sizeof ip);
    ip.family = family;
    memcpy(ip.b, addr, family == AF_INET ? 4 : 16);
    cnet__ip_format(&ip, ctl->local_ip, sizeof ctl->local_ip);
    ctl->flags |= CNET_MSG_LOCAL_IP;
}

static void parse_ip(const struct cmsghdr *c, cnet_msg_control *ctl)
{
    struct in_pktinfo pi;
    unsigned char b;
    int v;

    switch (c->cmsg_type) {
    case IP_PKTINFO:
        memcpy(&pi, CMSG_DATA(c), sizeof pi);
        set_local_ip(ctl, AF_INET, &pi.ipi_addr);
        ctl->ifindex = (unsigned)pi.ipi_ifindex;
        ctl->flags |= CNET_MSG_IFINDEX;
        break;
    case IP_TOS: /* one byte on Linux */
        memcpy(&b, CMSG_DATA(c), 1);
        ctl->tos = b;
        ctl->flags |= CNET_MSG_TOS;
        break;
    case IP_TTL:
        memcpy(&v, CMSG_DATA(c), sizeof v);
        ctl->ttl = v;
        ctl->flags |= CNET_MSG_TTL;
        break;
    }
}

static void parse_ipv6(const struct cmsghdr *c, cnet_msg_control *ctl)
{
    struct in6_pktinfo pi;
    int v;

    switch (c->cmsg_type) {
    case IPV6_PKTINFO:
        memcpy(&pi, CMSG_DATA(c), sizeof pi);
        set_local_ip(ctl, AF_INET6, &pi.ipi6_addr);
        ctl->ifindex = pi.ipi6_ifindex;
        ctl->flags |= CNET_MSG_IFINDEX;
        break;
    case IPV6_TCLASS:
        memcpy(&v, CMSG_DATA(c), sizeof v);
        ctl->tos = v;
        ctl->flags |= CNET_MSG_TOS;
        break;
    case IPV6_HOPLIMIT:
        memcpy(&v, CMSG_DATA(c), sizeof v);
        ctl->ttl = v;
        ctl->flags |= CNET_MSG_TTL;
        break;
    }
}

/* CMSG_NXTHDR, spelled out: musl's macro compares a size with a pointer difference,
 * which clang's -Wsign-compare refuses. */
static struct cmsghdr *next_cmsg(struct msghdr *mh, struct cmsghdr *c)
{
    unsigned char *end = (unsigned char *)mh->msg_control + mh->msg_controllen;
    unsigned char *next = (unsigned char *)c + CMSG_ALIGN(c->cmsg_len);

    if (c->cmsg_len < sizeof *c || next > end || (size_t)(end - next) < sizeof *c)
        return NULL;
    return (struct cmsghdr *)(void *)next;
}

void cnet__cmsg_parse(struct msghdr *mh, cnet_msg_control *ctl)
{
    struct cmsghdr *c;
    struct timespec ts;
    int v;

    memset(ctl, 0, sizeof *ctl);
    for (c = CMSG_FIRSTHDR(mh); c != NULL; c = next_cmsg(mh, c)) {
        if (c->cmsg_level == IPPROTO_IP) {
            parse_ip(c, ctl);
        } else if (c->cmsg_level == IPPROTO_IPV6) {
            parse_ipv6(c, ctl);
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            ctl->timestamp_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
            ctl->flags |= CNET_MSG_TIMESTAMP;
        } else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
            memcpy(&v, CMSG_DATA(c), sizeof v);
            ctl->segment_size = (size_t)v;
            ctl->flags |= CNET_MSG_SEGMENT;
        }
    }
}

/* Appends one control message; false when it does not fit. */
static bool put(struct msghdr *mh, size_t *used, int level, int type, const void *data,
                size_t len)
{
    struct cmsghdr *c;

    if (*used + CMSG_SPACE(len) > mh->msg_controllen)
        return false;
    c = (struct cmsghdr *)((unsigned char *)mh->msg_control + *used);
    memset(c, 0, CMSG_SPACE(len));
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(len);
    memcpy(CMSG_DATA(c), data, len);
    *used += CMSG_SPACE(len);
    return true;
}

static bool put_v4(struct msghdr *mh, size_t *used, const cnet_msg_control *ctl,
                   const cnet__ip *src)
{
    struct in_pktinfo pi;
    int v;
    bool ok = true;

    if (src->family != AF_UNSPEC || (ctl->flags & CNET_MSG_IFINDEX)) {
        memset(&pi, 0, sizeof pi);
        if (src->family != AF_UNSPEC)
            memcpy(&pi.ipi_spec_dst, src->b, 4);
        if (ctl->flags & CNET_MSG_IFINDEX)
            pi.ipi_ifindex = (int)ctl->ifindex;
        ok = put(mh, used, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
    }
    /* The kernel takes an int for IP_TOS and IP_TTL on send (it receives a byte). */
    v = ctl->tos;
    if (ok && (ctl->flags & CNET_MSG_TOS))
        ok = put(mh, used, IPPROTO_IP, IP_TOS, &v, sizeof v);
    v = ctl->ttl;
    if (ok && (ctl->flags & CNET_MSG_TTL))
        ok = put(mh, used, IPPROTO_IP, IP_TTL, &v, sizeof v);
    return ok;
}

static bool put_v6(struct msghdr *mh, size_t *used, const cnet_msg_control *ctl,
                   const cnet__ip *src)
{
    struct in6_pktinfo pi;
    int v;
    bool ok = true;

    if (src->family != AF_UNSPEC || (ctl->flags & CNET_MSG_IFINDEX)) {
        memset(&pi, 0, sizeof pi);
        if (src->family != AF_UNSPEC)
            memcpy(&pi.ipi6_addr, src->b, 16);
        if (ctl->flags & CNET_MSG_IFINDEX)
            pi.ipi6_ifindex = ctl->ifindex;
        ok = put(mh, used, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof pi);
    }
    v = ctl->tos;
    if (ok && (ctl->flags & CNET_MSG_TOS))
        ok = put(mh, used, IPPROTO_IPV6, IPV6_TCLASS, &v, sizeof v);
    v = ctl->ttl;
    if (ok && (ctl->flags & CNET_MSG_TTL))
        ok = put(mh, used, IPPROTO_IPV6, IPV6_HOPLIMIT, &v, sizeof v);
    return ok;
}

int cnet__cmsg_build(void *buf, size_t cap, int family, const cnet_msg_control *ctl,
                     const cnet__ip *src, size_t gso_size)
{
    struct msghdr mh;
    size_t used = 0;
    uint16_t seg = (uint16_t)gso_size;
    bool ok;

    memset(&mh, 0, sizeof mh);
    mh.msg_control = buf;
    mh.msg_controllen = cap;
    if (src->family != AF_UNSPEC && src->family != family)
        return -EINVAL;
    ok = family == AF_INET6 ? put_v6(&mh, &used, ctl, src) : put_v4(&mh, &used, ctl, src);
    if (ok && gso_size != 0)
        ok = put(&mh, &used, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg);
    return ok ? (int)used : -ENOBUFS;
}

bool cnet__gso_probe(int fd)
{
    int v = 0;
    socklen_t len = sizeof v;

    /* quic-go's probe: a kernel that knows the option answers the getsockopt. */
    return cnet__os_getsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, &len) == 0;
}

bool cnet__gso_refused(int errnum)
{
    /* EIO: the route's device cannot checksum segments (no TX checksum offload). */
    return errnum == EIO || errnum == EINVAL || errnum == ENOPROTOOPT || errnum == EOPNOTSUPP;
}
