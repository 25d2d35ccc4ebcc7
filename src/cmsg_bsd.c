/* Control messages of datagrams on darwin and the BSDs: IPv4 has the BSD spellings
 * (IP_RECVDSTADDR for the destination, IP_RECVIF for the interface as a sockaddr_dl,
 * IP_RECVTTL and IP_RECVTOS as single bytes, IP_SENDSRCADDR or darwin's IP_PKTINFO for
 * the source), IPv6 the RFC 3542 ones shared with Linux, the timestamp SO_TIMESTAMP
 * (microseconds). No GSO or GRO. */
/* darwin names RFC 3542's options (IPV6_RECVPKTINFO, ...) only when asked to; without
 * it, it offers RFC 2292's, whose IPV6_PKTINFO means something else. */
#define __APPLE_USE_RFC_3542 1

#include "internal.h"
#include "sys.h"

#include <net/if_dl.h>
#include <string.h>
#include <sys/time.h>

/* IP_RECVTOS is newer than the rest (FreeBSD 12, darwin 10.15 headers). */
#ifdef IP_RECVTOS
#define RECV_TOS_BIT CNET_MSG_TOS
#else
#define RECV_TOS_BIT 0u
#endif

const unsigned cnet__cmsg_receivable = CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX | RECV_TOS_BIT |
                                       CNET_MSG_TTL | CNET_MSG_TIMESTAMP;
const size_t cnet__gso_max_segments = 1;

static int set_int(int fd, int level, int name, int v)
{
    return cnet__os_setsockopt(fd, level, name, &v, sizeof v) < 0 ? CNET__ERRNO() : 0;
}

static int enable_v4(int fd, unsigned flags, int v)
{
    int rc = 0;

    if (flags & CNET_MSG_LOCAL_IP)
        rc = set_int(fd, IPPROTO_IP, IP_RECVDSTADDR, v);
    if (rc == 0 && (flags & CNET_MSG_IFINDEX))
        rc = set_int(fd, IPPROTO_IP, IP_RECVIF, v);
#ifdef IP_RECVTOS
    if (rc == 0 && (flags & CNET_MSG_TOS))
        rc = set_int(fd, IPPROTO_IP, IP_RECVTOS, v);
#endif
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

    if (flags & ~cnet__cmsg_receivable)
        return CNET_ENOTSUP;
    if (family == AF_INET6) {
        rc = enable_v6(fd, flags, v);
        if (rc == 0)
            (void)enable_v4(fd, flags, v); /* dual stack; refused on a v6-only socket */
    } else {
        rc = enable_v4(fd, flags, v);
    }
    if (rc == 0 && (flags & CNET_MSG_TIMESTAMP))
        rc = set_int(fd, SOL_SOCKET, SO_TIMESTAMP, v);
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
    struct sockaddr_dl dl;
    unsigned char b;

    switch (c->cmsg_type) {
    case IP_RECVDSTADDR:
        set_local_ip(ctl, AF_INET, CMSG_DATA(c));
        break;
    case IP_RECVIF:
        memset(&dl, 0, sizeof dl);
        memcpy(&dl, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0) < sizeof dl ?
                                      c->cmsg_len - CMSG_LEN(0) : sizeof dl);
        ctl->ifindex = dl.sdl_index;
        ctl->flags |= CNET_MSG_IFINDEX;
        break;
#ifdef IP_RECVTOS
    case IP_RECVTOS:
        memcpy(&b, CMSG_DATA(c), 1);
        ctl->tos = b;
        ctl->flags |= CNET_MSG_TOS;
        break;
#endif
    case IP_RECVTTL:
        memcpy(&b, CMSG_DATA(c), 1);
        ctl->ttl = b;
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

void cnet__cmsg_parse(struct msghdr *mh, cnet_msg_control *ctl)
{
    struct cmsghdr *c;
    struct timeval tv;

    memset(ctl, 0, sizeof *ctl);
    for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level == IPPROTO_IP) {
            parse_ip(c, ctl);
        } else if (c->cmsg_level == IPPROTO_IPV6) {
            parse_ipv6(c, ctl);
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP) {
            memcpy(&tv, CMSG_DATA(c), sizeof tv);
            ctl->timestamp_ns = (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
            ctl->flags |= CNET_MSG_TIMESTAMP;
        }
    }
}

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

/* IPv4 sends: the source (and on darwin the interface) only. */
static int put_v4(struct msghdr *mh, size_t *used, const cnet_msg_control *ctl,
                  const cnet__ip *src)
{
    if (ctl->flags & (CNET_MSG_TOS | CNET_MSG_TTL))
        return CNET_ENOTSUP;
#if defined(IP_PKTINFO)
    /* darwin: in_pktinfo, as Linux's. */
    if (src->family != AF_UNSPEC || (ctl->flags & CNET_MSG_IFINDEX)) {
        struct in_pktinfo pi;
        memset(&pi, 0, sizeof pi);
        if (src->family != AF_UNSPEC)
            memcpy(&pi.ipi_spec_dst, src->b, 4);
        if (ctl->flags & CNET_MSG_IFINDEX)
            pi.ipi_ifindex = ctl->ifindex;
        if (!put(mh, used, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi))
            return -ENOBUFS;
    }
#else
    if (ctl->flags & CNET_MSG_IFINDEX)
        return CNET_ENOTSUP;
    if (src->family != AF_UNSPEC &&
        !put(mh, used, IPPROTO_IP, IP_SENDSRCADDR, src->b, sizeof(struct in_addr)))
        return -ENOBUFS;
#endif
    return 0;
}

static int put_v6(struct msghdr *mh, size_t *used, const cnet_msg_control *ctl,
                  const cnet__ip *src)
{
    struct in6_pktinfo pi;
    int v;

    if (src->family != AF_UNSPEC || (ctl->flags & CNET_MSG_IFINDEX)) {
        memset(&pi, 0, sizeof pi);
        if (src->family != AF_UNSPEC)
            memcpy(&pi.ipi6_addr, src->b, 16);
        if (ctl->flags & CNET_MSG_IFINDEX)
            pi.ipi6_ifindex = ctl->ifindex;
        if (!put(mh, used, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof pi))
            return -ENOBUFS;
    }
    v = ctl->tos;
    if ((ctl->flags & CNET_MSG_TOS) && !put(mh, used, IPPROTO_IPV6, IPV6_TCLASS, &v, sizeof v))
        return -ENOBUFS;
    v = ctl->ttl;
    if ((ctl->flags & CNET_MSG_TTL) && !put(mh, used, IPPROTO_IPV6, IPV6_HOPLIMIT, &v, sizeof v))
        return -ENOBUFS;
    return 0;
}

int cnet__cmsg_build(void *buf, size_t cap, int family, const cnet_msg_control *ctl,
                     const cnet__ip *src, size_t gso_size)
{
    struct msghdr mh;
    size_t used = 0;
    int rc;

    memset(&mh, 0, sizeof mh);
    mh.msg_control = buf;
    mh.msg_controllen = (socklen_t)cap;
    if (gso_size != 0)
        return CNET_ENOTSUP;
    if (src->family != AF_UNSPEC && src->family != family)
        return -EINVAL;
    rc = family == AF_INET6 ? put_v6(&mh, &used, ctl, src) : put_v4(&mh, &used, ctl, src);
    return rc < 0 ? rc : (int)used;
}

bool cnet__gso_probe(int fd)
{
    (void)fd;
    return false;
}

bool cnet__gso_refused(int errnum)
{
    (void)errnum;
    return false;
}
