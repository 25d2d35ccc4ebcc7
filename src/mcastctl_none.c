/* Multicast membership on an OS without RFC 3678's options (OpenBSD, NetBSD, DragonFly):
 * cnet_listen_multicast_udp's ip_mreq join is all there is; the per-call joins and the
 * source-specific ones are refused. */
#include "internal.h"

int cnet__mcast_membership(int fd, int family, bool join, unsigned ifindex,
                           const cnet__ip *group, const cnet__ip *source)
{
    (void)fd, (void)family, (void)join, (void)ifindex, (void)group, (void)source;
    return CNET_ENOTSUP;
}
