/* Multicast membership through RFC 3678's protocol-independent options
 * (MCAST_JOIN_GROUP, MCAST_JOIN_SOURCE_GROUP and their leaves, with struct group_req and
 * group_source_req): one spelling for IPv4 and IPv6, the interface by index, as x/net
 * uses on Linux, darwin and FreeBSD. */
#include "internal.h"
#include "sys.h"

#include <string.h>

static void to_storage(struct sockaddr_storage *ss, int family, const cnet__ip *ip)
{
    cnet__endpoint ep;
    cnet__sockaddr sa;

    memset(&ep, 0, sizeof ep);
    ep.ip = family == AF_INET ? cnet__ip_to_v4(ip) : *ip;
    (void)cnet__endpoint_to_sockaddr(&ep, family, &sa);
    memset(ss, 0, sizeof *ss);
    memcpy(ss, &sa.u.ss, sa.len);
#ifdef SIN6_LEN
    /* BSD sockaddrs carry their length, and these options check it. */
    ss->ss_len = (unsigned char)sa.len;
#endif
}

int cnet__mcast_membership(int fd, int family, bool join, unsigned ifindex,
                           const cnet__ip *group, const cnet__ip *source)
{
    int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
    struct group_source_req gsr;
    struct group_req gr;
    int rc;

    if (source == NULL) {
        memset(&gr, 0, sizeof gr);
        gr.gr_interface = ifindex;
        to_storage(&gr.gr_group, family, group);
        rc = cnet__os_setsockopt(fd, level, join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP, &gr,
                                 sizeof gr);
    } else {
        memset(&gsr, 0, sizeof gsr);
        gsr.gsr_interface = ifindex;
        to_storage(&gsr.gsr_group, family, group);
        to_storage(&gsr.gsr_source, family, source);
        rc = cnet__os_setsockopt(fd, level,
                                 join ? MCAST_JOIN_SOURCE_GROUP : MCAST_LEAVE_SOURCE_GROUP, &gsr,
                                 sizeof gsr);
    }
    return rc < 0 ? CNET__ERRNO() : 0;
}
