/* Control messages of datagrams on darwin and the BSDs, the parts they spell their own
 * way: IPv4's IP_RECVDSTADDR (the destination), IP_RECVIF (the interface, as a
 * sockaddr_dl), IP_RECVTOS and IP_RECVTTL (single bytes), IP_SENDSRCADDR or darwin's
 * IP_PKTINFO for the source; the timestamp SO_TIMESTAMP (microseconds). No GSO or GRO.
 * IPv6 (RFC 3542, as on Linux) and the walking are cmsg.c's. */
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

int cnet__cmsg_enable_v4(int fd, unsigned flags, int v)
{
    int rc = 0;

    if (flags & CNET_MSG_LOCAL_IP)
        rc = cnet__cmsg_set_int(fd, IPPROTO_IP, IP_RECVDSTADDR, v);
    if (rc == 0 && (flags & CNET_MSG_IFINDEX))
        rc = cnet__cmsg_set_int(fd, IPPROTO_IP, IP_RECVIF, v);
#ifdef IP_RECVTOS
    if (rc == 0 && (flags & CNET_MSG_TOS))
        rc = cnet__cmsg_set_int(fd, IPPROTO_IP, IP_RECVTOS, v);
#endif
    if (rc == 0 && (flags & CNET_MSG_TTL))
        rc = cnet__cmsg_set_int(fd, IPPROTO_IP, IP_RECVTTL, v);
    return rc;
}

int cnet__cmsg_enable_os(int fd, unsigned flags, int v)
{
    if (flags & CNET_MSG_TIMESTAMP)
        return cnet__cmsg_set_int(fd, SOL_SOCKET, SO_TIMESTAMP, v);
    return 0;
}

void cnet__cmsg_parse_v4(const struct cmsghdr *c, cnet_msg_control *ctl)
{
    struct sockaddr_dl dl;
    unsigned char b;

    switch (c->cmsg_type) {
    case IP_RECVDSTADDR:
        cnet__cmsg_set_local_ip(ctl, AF_INET, CMSG_DATA(c));
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

void cnet__cmsg_parse_os(const struct cmsghdr *c, cnet_msg_control *ctl)
{
    struct timeval tv;

    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP) {
        memcpy(&tv, CMSG_DATA(c), sizeof tv);
        /* tv_usec < 1000000 (the kernel's), so the product cannot overflow */
        ctl->timestamp_ns = cnet__sec_to_ns_sat(tv.tv_sec, (int64_t)tv.tv_usec * 1000);
        ctl->flags |= CNET_MSG_TIMESTAMP;
    }
}

/* IPv4 sends: the source (and on darwin the interface) only. */
int cnet__cmsg_build_v4(struct msghdr *mh, size_t *used, const cnet_msg_control *ctl,
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
        if (!cnet__cmsg_put(mh, used, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi))
            return -ENOBUFS;
    }
#else
    if (ctl->flags & CNET_MSG_IFINDEX)
        return CNET_ENOTSUP;
    if (src->family != AF_UNSPEC &&
        !cnet__cmsg_put(mh, used, IPPROTO_IP, IP_SENDSRCADDR, src->b, sizeof(struct in_addr)))
        return -ENOBUFS;
#endif
    return 0;
}

int cnet__cmsg_build_gso(struct msghdr *mh, size_t *used, size_t gso_size)
{
    (void)mh;
    (void)used;
    (void)gso_size;
    return CNET_ENOTSUP;
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
