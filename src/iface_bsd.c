/* darwin and the BSDs: the interface list from one getifaddrs call. Its AF_LINK entry
 * for each interface comes first and carries the index and hardware address
 * (sockaddr_dl) and the MTU (if_data); the AF_INET and AF_INET6 entries that follow
 * carry the addresses and their netmasks. Go reads the same facts from the routing
 * socket (route.FetchRIB), one interface at a time. */
#include "internal.h"
#include "sys.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_dl.h>
#include <netinet/in.h>
#include <string.h>

static int add_link(cnet__iface_acc *acc, const struct ifaddrs *ifa)
{
    const struct sockaddr_dl *sdl = (const struct sockaddr_dl *)(const void *)ifa->ifa_addr;
    const struct if_data *data = ifa->ifa_data;
    cnet_interface link;
    size_t n;

    memset(&link, 0, sizeof link);
    link.index = sdl->sdl_index;
    link.flags = cnet__iface_flags(ifa->ifa_flags);
    link.mtu = data != NULL ? (int)data->ifi_mtu : 0;
    n = strlen(ifa->ifa_name);
    n = n < sizeof link.name ? n : sizeof link.name - 1;
    memcpy(link.name, ifa->ifa_name, n);
    n = sdl->sdl_alen < CNET_HWADDR_MAX ? sdl->sdl_alen : CNET_HWADDR_MAX;
    memcpy(link.hwaddr, LLADDR(sdl), n);
    link.hwaddr_len = n;
    return cnet__iface_add_link(acc, &link);
}

/* The length of a contiguous netmask (Go's IPMask.Size); -1 for one with holes. */
static int mask_bits(const unsigned char *m, size_t n)
{
    int bits = 0;
    size_t i;

    for (i = 0; i < n && m[i] == 0xff; i++)
        bits += 8;
    if (i < n) {
        unsigned char b = m[i++];
        while (b & 0x80) {
            bits++;
            b = (unsigned char)(b << 1);
        }
        if (b != 0)
            return -1;
    }
    for (; i < n; i++)
        if (m[i] != 0)
            return -1;
    return bits;
}

/* The KAME stack keeps a link-local address's scope in bytes 2 and 3; Go's route
 * package clears them, as here. */
static void clear_kame_scope(unsigned char b[16])
{
    if ((b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || (b[0] == 0xff && ((b[1] & 0x0f) == 0x01 || (b[1] & 0x0f) == 0x02)))
        b[2] = b[3] = 0;
}

static int add_addr(cnet__iface_acc *acc, const struct ifaddrs *ifa)
{
    unsigned char b[16], mask[16];
    int index = cnet__iface_index_of(acc, ifa->ifa_name), bits;
    cnet_addr ip;
    cnet_prefix p;
    size_t n;

    if (index == 0 || ifa->ifa_netmask == NULL)
        return 0;
    memset(mask, 0, sizeof mask);
    if (ifa->ifa_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)ifa->ifa_addr;
        memcpy(b, &in->sin_addr, 4);
        memcpy(mask, &((const struct sockaddr_in *)(const void *)ifa->ifa_netmask)->sin_addr, 4);
        ip = cnet_addr_from4(b);
        n = 4;
    } else {
        const struct sockaddr_in6 *in6 = (const void *)ifa->ifa_addr;
        memcpy(b, &in6->sin6_addr, 16);
        memcpy(mask, &((const struct sockaddr_in6 *)(const void *)ifa->ifa_netmask)->sin6_addr, 16);
        clear_kame_scope(b);
        ip = cnet_addr_from16(b);
        n = 16;
    }
    bits = mask_bits(mask, n);
    p = cnet_prefix_from(&ip, bits);
    return cnet__iface_add_addr(acc, index, &p);
}

int cnet__iface_read(cnet__iface_acc *acc, const char **syscall)
{
    struct ifaddrs *list, *ifa;
    int rc = 0;

    *syscall = "getifaddrs";
    if (cnet__os_getifaddrs(&list) < 0)
        return CNET__ERRNO();
    for (ifa = list; ifa != NULL && rc == 0; ifa = ifa->ifa_next) {
        if (ifa->ifa_addr == NULL)
            continue;
        if (ifa->ifa_addr->sa_family == AF_LINK)
            rc = add_link(acc, ifa);
        else if (ifa->ifa_addr->sa_family == AF_INET || ifa->ifa_addr->sa_family == AF_INET6)
            rc = add_addr(acc, ifa);
    }
    freeifaddrs(list);
    return rc;
}
