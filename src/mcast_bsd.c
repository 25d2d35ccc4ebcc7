/* IPv4 multicast on the BSDs: the interface is named by its first IPv4 address
 * (struct ip_mreq), as in Go's sockoptip4_posix_nonlinux.go. */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>

/* The first IPv4 address of interface ifindex; INADDR_ANY for ifindex 0. */
static int interface_v4(unsigned ifindex, struct in_addr *out)
{
    char name[IF_NAMESIZE];
    struct ifaddrs *list, *ifa;
    int rc = CNET_ENOIPV4IF;

    out->s_addr = htonl(INADDR_ANY);
    if (ifindex == 0)
        return 0;
    if (if_indextoname(ifindex, name) == NULL)
        return CNET_ENOINTERFACE;
    if (cnet__os_getifaddrs(&list) < 0)
        return CNET__ERRNO();
    for (ifa = list; ifa != NULL && rc != 0; ifa = ifa->ifa_next) {
        if (ifa->ifa_addr != NULL && ifa->ifa_addr->sa_family == AF_INET &&
            strcmp(ifa->ifa_name, name) == 0) {
            *out = ((struct sockaddr_in *)(void *)ifa->ifa_addr)->sin_addr;
            rc = 0;
        }
    }
    freeifaddrs(list);
    return rc;
}

int cnet__mcast_set_if_v4(int fd, unsigned ifindex)
{
    struct in_addr a;
    int rc = interface_v4(ifindex, &a);

    if (rc < 0)
        return rc;
    return cnet__os_setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &a, sizeof a) < 0 ? CNET__ERRNO() : 0;
}

int cnet__mcast_join_v4(int fd, const cnet__ip *group, unsigned ifindex)
{
    struct ip_mreq m;
    int rc;

    memset(&m, 0, sizeof m);
    rc = interface_v4(ifindex, &m.imr_interface);
    if (rc < 0)
        return rc;
    memcpy(&m.imr_multiaddr, cnet__ip_to_v4(group).b, 4);
    return cnet__os_setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0 ? CNET__ERRNO() : 0;
}
