/* Control messages of datagrams on Linux, the parts it spells its own way: IPv4's
 * IP_PKTINFO (destination and arriving interface), IP_RECVTOS (a byte) and IP_RECVTTL
 * (an int), SO_TIMESTAMPNS, and UDP GSO / GRO (UDP_SEGMENT, UDP_GRO). IPv6 and the
 * walking are cmsg.c's. */
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

int cnet__cmsg_enable_v4(int fd, unsigned flags, int v)
{
    int rc = 0;

    if (flags & (CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX))
        rc = cnet__cmsg_set_int(fd, IPPROTO_IP, IP_PKTINFO, v);
    if (rc == 0 && (flags & CNET_MSG_TOS))
        rc = cnet__cmsg_set_int(fd, IPPROTO_IP, IP_RECVTOS, v);
    if (rc == 0 && (flags & CNET_MSG_TTL))
        rc = cnet__cmsg_set_int(fd, IPPROTO_IP, IP_RECVTTL, v);
    return rc;
}

int cnet__cmsg_enable_os(int fd, unsigned flags, int v)
{
    int rc = 0;

    if (flags & CNET_MSG_TIMESTAMP)
        rc = cnet__cmsg_set_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, v);
    if (rc == 0 && (flags & CNET_MSG_SEGMENT))
        rc = cnet__cmsg_set_int(fd, SOL_UDP, UDP_GRO, v);
    return rc;
}

void cnet__cmsg_parse_v4(const struct cmsghdr *c, cnet_msg_control *ctl)
{
    struct in_pktinfo pi;
    unsigned char b;
    int v;

    switch (c->cmsg_type) {
    case IP_PKTINFO:
        memcpy(&pi, CMSG_DATA(c), sizeof pi);
        cnet__cmsg_set_local_ip(ctl, AF_INET, &pi.ipi_addr);
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

void cnet__cmsg_parse_os(const struct cmsghdr *c, cnet_msg_control *ctl)
{
    struct timespec ts;
    int v;

    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        memcpy(&ts, CMSG_DATA(c), sizeof ts);
        ctl->timestamp_ns = cnet__sec_to_ns_sat(ts.tv_sec, ts.tv_nsec);
        ctl->flags |= CNET_MSG_TIMESTAMP;
    } else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
        memcpy(&v, CMSG_DATA(c), sizeof v);
        ctl->segment_size = (size_t)v;
        ctl->flags |= CNET_MSG_SEGMENT;
    }
}

int cnet__cmsg_build_v4(struct msghdr *mh, size_t *used, const cnet_msg_control *ctl,
                        const cnet__ip *src)
{
    struct in_pktinfo pi;
    int v;

    if (src->family != AF_UNSPEC || (ctl->flags & CNET_MSG_IFINDEX)) {
        memset(&pi, 0, sizeof pi);
        if (src->family != AF_UNSPEC)
            memcpy(&pi.ipi_spec_dst, src->b, 4);
        if (ctl->flags & CNET_MSG_IFINDEX)
            pi.ipi_ifindex = (int)ctl->ifindex;
        if (!cnet__cmsg_put(mh, used, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi))
            return -ENOBUFS;
    }
    /* The kernel takes an int for IP_TOS and IP_TTL on send (it receives a byte). */
    v = ctl->tos;
    if ((ctl->flags & CNET_MSG_TOS) && !cnet__cmsg_put(mh, used, IPPROTO_IP, IP_TOS, &v, sizeof v))
        return -ENOBUFS;
    v = ctl->ttl;
    if ((ctl->flags & CNET_MSG_TTL) && !cnet__cmsg_put(mh, used, IPPROTO_IP, IP_TTL, &v, sizeof v))
        return -ENOBUFS;
    return 0;
}

int cnet__cmsg_build_gso(struct msghdr *mh, size_t *used, size_t gso_size)
{
    uint16_t seg = (uint16_t)gso_size;

    return cnet__cmsg_put(mh, used, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) ? 0 : -ENOBUFS;
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
