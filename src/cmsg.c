/* Control messages of datagrams, the part every OS spells alike: walking and appending
 * cmsghdrs, IPv6's RFC 3542 options (IPV6_RECVPKTINFO, IPV6_RECVTCLASS,
 * IPV6_RECVHOPLIMIT on receipt; IPV6_PKTINFO, IPV6_TCLASS, IPV6_HOPLIMIT on send), and
 * the order of things. What differs (IPv4's options and widths, the timestamp, GSO and
 * GRO) is in cmsg_<os>.c, behind the cnet__cmsg_*_v4 and cnet__cmsg_*_os calls. */
/* darwin names RFC 3542's options (IPV6_RECVPKTINFO, ...) only when asked to; without
 * it, it offers RFC 2292's, whose IPV6_PKTINFO means something else. */
#define __APPLE_USE_RFC_3542 1

#include "internal.h"
#include "sys.h"

#include <string.h>

int cnet__cmsg_set_int(int fd, int level, int name, int v)
{
    return cnet__os_setsockopt(fd, level, name, &v, sizeof v) < 0 ? CNET__ERRNO() : 0;
}

/* CMSG_NXTHDR, spelled out: musl's macro compares a size with a pointer difference,
 * which clang's -Wsign-compare refuses, and darwin has no CMSG_ALIGN to spell it with
 * (CMSG_SPACE of the payload is the same aligned length). Like glibc's, it refuses a
 * next header whose length runs past the buffer, so a caller may trust cmsg_len. */
struct cmsghdr *cnet__cmsg_next(struct msghdr *mh, struct cmsghdr *c)
{
    unsigned char *end = (unsigned char *)mh->msg_control + mh->msg_controllen;
    unsigned char *next;
    struct cmsghdr *n;

    if (c->cmsg_len < CMSG_LEN(0))
        return NULL;
    next = (unsigned char *)c + CMSG_SPACE(c->cmsg_len - CMSG_LEN(0));
    if (next > end || (size_t)(end - next) < sizeof *c)
        return NULL;
    n = (struct cmsghdr *)(void *)next;
    return n->cmsg_len > (size_t)(end - next) ? NULL : n;
}

bool cnet__cmsg_put(struct msghdr *mh, size_t *used, int level, int type, const void *data,
                    size_t len)
{
    struct cmsghdr *c;

    if (*used + CMSG_SPACE(len) > mh->msg_controllen)
        return false;
    c = (struct cmsghdr *)(void *)((unsigned char *)mh->msg_control + *used);
    memset(c, 0, CMSG_SPACE(len));
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(len);
    memcpy(CMSG_DATA(c), data, len);
    *used += CMSG_SPACE(len);
    return true;
}

void cnet__cmsg_set_local_ip(cnet_msg_control *ctl, int family, const void *addr)
{
    cnet__ip ip;

    memset(&ip, 0, sizeof ip);
    ip.family = family;
    memcpy(ip.b, addr, family == AF_INET ? 4 : 16);
    cnet__ip_format(&ip, ctl->local_ip, sizeof ctl->local_ip);
    ctl->flags |= CNET_MSG_LOCAL_IP;
}

/* ---- receipt ---------------------------------------------------------------------- */

/* One receive option per CNET_MSG_* bit. */
static int enable_v6(int fd, unsigned flags, int v)
{
    int rc = 0;

    if (flags & (CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX))
        rc = cnet__cmsg_set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, v);
    if (rc == 0 && (flags & CNET_MSG_TOS))
        rc = cnet__cmsg_set_int(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, v);
    if (rc == 0 && (flags & CNET_MSG_TTL))
        rc = cnet__cmsg_set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, v);
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
            (void)cnet__cmsg_enable_v4(fd, flags, v);
    } else {
        rc = cnet__cmsg_enable_v4(fd, flags, v);
    }
    if (rc == 0)
        rc = cnet__cmsg_enable_os(fd, flags, v);
    return rc;
}

static void parse_v6(const struct cmsghdr *c, cnet_msg_control *ctl)
{
    struct in6_pktinfo pi;
    int v;

    switch (c->cmsg_type) {
    case IPV6_PKTINFO:
        memcpy(&pi, CMSG_DATA(c), sizeof pi);
        cnet__cmsg_set_local_ip(ctl, AF_INET6, &pi.ipi6_addr);
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

    memset(ctl, 0, sizeof *ctl);
    for (c = CMSG_FIRSTHDR(mh); c != NULL; c = cnet__cmsg_next(mh, c)) {
        if (c->cmsg_level == IPPROTO_IP)
            cnet__cmsg_parse_v4(c, ctl);
        else if (c->cmsg_level == IPPROTO_IPV6)
            parse_v6(c, ctl);
        else
            cnet__cmsg_parse_os(c, ctl);
    }
}

/* ---- send --------------------------------------------------------------------------- */

static int build_v6(struct msghdr *mh, size_t *used, const cnet_msg_control *ctl,
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
        if (!cnet__cmsg_put(mh, used, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof pi))
            return -ENOBUFS;
    }
    v = ctl->tos;
    if ((ctl->flags & CNET_MSG_TOS) &&
        !cnet__cmsg_put(mh, used, IPPROTO_IPV6, IPV6_TCLASS, &v, sizeof v))
        return -ENOBUFS;
    v = ctl->ttl;
    if ((ctl->flags & CNET_MSG_TTL) &&
        !cnet__cmsg_put(mh, used, IPPROTO_IPV6, IPV6_HOPLIMIT, &v, sizeof v))
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
    if (src->family != AF_UNSPEC && src->family != family)
        return -EINVAL;
    rc = family == AF_INET6 ? build_v6(&mh, &used, ctl, src)
                            : cnet__cmsg_build_v4(&mh, &used, ctl, src);
    if (rc == 0 && gso_size != 0)
        rc = cnet__cmsg_build_gso(&mh, &used, gso_size);
    return rc < 0 ? rc : (int)used;
}
