/* IPv4 multicast on Linux: the interface by index (ip_mreqn), so a join works even on
 * an interface without an IPv4 address (golang/go#70132). */
#include "internal.h"
#include "sys.h"

#include <string.h>

static struct ip_mreqn mreqn(const cnet__ip *group, unsigned ifindex)
{
    struct ip_mreqn m;

    memset(&m, 0, sizeof m);
    if (group != NULL)
        memcpy(&m.imr_multiaddr, cnet__ip_to_v4(group).b, 4);
    m.imr_ifindex = (int)ifindex;
    return m;
}

int cnet__mcast_set_if_v4(int fd, unsigned ifindex)
{
    struct ip_mreqn m = mreqn(NULL, ifindex);

    return cnet__os_setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) < 0 ? CNET__ERRNO() : 0;
}

int cnet__mcast_join_v4(int fd, const cnet__ip *group, unsigned ifindex)
{
    struct ip_mreqn m = mreqn(group, ifindex);

    return cnet__os_setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0 ? CNET__ERRNO() : 0;
}
