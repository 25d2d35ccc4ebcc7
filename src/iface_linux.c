/* Linux: the interface list from two rtnetlink dumps on one socket (links, then
 * addresses), read as Go's interface_linux.go reads them. getifaddrs would give no MTU
 * (its AF_PACKET entries carry link statistics), which would cost an ioctl per
 * interface. */
#include "internal.h"
#include "sys.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

/* Go's sysARPHardware* tunnel types, whose IFLA_ADDRESS is an IP address, not a
 * hardware address (interface_linux.go). */
enum {
    ARPHRD_IPV4_IPV4 = 768,
    ARPHRD_IPV6_IPV6 = 769,
    ARPHRD_IPV6_IPV4 = 776,
    ARPHRD_GRE_IPV4 = 778,
    ARPHRD_GRE_IPV6 = 823,
};

/* The kernel writes at most 32 KiB per dump message batch (NLMSG_GOODSIZE is smaller);
 * a buffer this size never truncates one. */
enum { DUMP_BUFFER = 32768 };

static bool tunnel_ip_as_hwaddr(unsigned short type, size_t len)
{
    if (len == 4)
        return type == ARPHRD_IPV4_IPV4 || type == ARPHRD_GRE_IPV4 || type == ARPHRD_IPV6_IPV4;
    if (len == 16)
        return type == ARPHRD_IPV6_IPV6 || type == ARPHRD_GRE_IPV6;
    return false;
}

static bool all_zero(const unsigned char *b, size_t n)
{
    while (n-- > 0)
        if (*b++ != 0)
            return false;
    return true;
}

/* Go's newLink. */
static int add_link(cnet__iface_acc *acc, const struct nlmsghdr *nh)
{
    const struct ifinfomsg *ifi = NLMSG_DATA(nh);
    int len = (int)IFLA_PAYLOAD(nh);
    const struct rtattr *a;
    cnet_interface link;
    size_t n;

    memset(&link, 0, sizeof link);
    link.index = ifi->ifi_index;
    link.flags = cnet__iface_flags(ifi->ifi_flags);
    for (a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        n = RTA_PAYLOAD(a);
        switch (a->rta_type) {
        case IFLA_ADDRESS:
            if (tunnel_ip_as_hwaddr(ifi->ifi_type, n) || all_zero(RTA_DATA(a), n))
                break;
            link.hwaddr_len = n < CNET_HWADDR_MAX ? n : CNET_HWADDR_MAX;
            memcpy(link.hwaddr, RTA_DATA(a), link.hwaddr_len);
            break;
        case IFLA_IFNAME:
            n = strnlen(RTA_DATA(a), n);
            n = n < sizeof link.name ? n : sizeof link.name - 1;
            memcpy(link.name, RTA_DATA(a), n);
            link.name[n] = '\0';
            break;
        case IFLA_MTU:
            if (n >= sizeof(uint32_t)) {
                uint32_t mtu;
                memcpy(&mtu, RTA_DATA(a), sizeof mtu);
                link.mtu = (int)mtu;
            }
            break;
        }
    }
    return cnet__iface_add_link(acc, &link);
}

/* Go's newAddr: the local address (IFA_LOCAL) of a point-to-point link, else
 * IFA_ADDRESS, with the prefix length as its mask; no zone. */
static int add_addr(cnet__iface_acc *acc, const struct nlmsghdr *nh)
{
    const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
    int len = (int)IFA_PAYLOAD(nh);
    const struct rtattr *a;
    const unsigned char *local = NULL, *address = NULL;
    size_t want = ifa->ifa_family == AF_INET ? 4 : 16;
    cnet_addr ip;
    cnet_prefix p;

    if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
        return 0;
    for (a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (RTA_PAYLOAD(a) < want)
            continue;
        if (a->rta_type == IFA_LOCAL)
            local = RTA_DATA(a);
        else if (a->rta_type == IFA_ADDRESS)
            address = RTA_DATA(a);
    }
    if (local == NULL)
        local = address;
    if (local == NULL)
        return 0;
    ip = want == 4 ? cnet_addr_from4(local) : cnet_addr_from16(local);
    p = cnet_prefix_from(&ip, ifa->ifa_prefixlen);
    return cnet__iface_add_addr(acc, (int)ifa->ifa_index, &p);
}

static int send_dump_request(int fd, int type, uint32_t seq)
{
    struct {
        struct nlmsghdr nh;
        struct rtgenmsg g;
    } req;
    struct sockaddr_nl kernel;

    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = NLMSG_LENGTH(sizeof req.g);
    req.nh.nlmsg_type = (unsigned short)type;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nh.nlmsg_seq = seq;
    req.g.rtgen_family = AF_UNSPEC;
    memset(&kernel, 0, sizeof kernel);
    kernel.nl_family = AF_NETLINK;
    while (cnet__os_sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
                           sizeof kernel) < 0) {
        if (errno != EINTR)
            return CNET__ERRNO();
    }
    return 0;
}

/* NLMSG_OK and NLMSG_NEXT with unsigned lengths (some kernel headers' macros compare
 * signed and unsigned). NULL after the last whole message. */
static const struct nlmsghdr *next_message(const struct nlmsghdr *nh, size_t *left)
{
    size_t step = NLMSG_ALIGN(nh->nlmsg_len);

    if (step >= *left)
        return NULL;
    *left -= step;
    nh = (const struct nlmsghdr *)(const void *)((const char *)nh + step);
    return *left >= sizeof *nh && nh->nlmsg_len >= sizeof *nh && nh->nlmsg_len <= *left ? nh : NULL;
}

/* Handles one batch: 1 at the dump's end, 0 for more, or an error. */
static int take_batch(cnet__iface_acc *acc, const void *buf, size_t n, uint32_t seq)
{
    const struct nlmsghdr *nh = buf;
    size_t left = n;
    int rc = 0;

    if (n < sizeof *nh || nh->nlmsg_len < sizeof *nh || nh->nlmsg_len > n)
        return -EPROTO; /* not even one whole message */
    for (; nh != NULL && rc == 0; nh = next_message(nh, &left)) {
        if (nh->nlmsg_seq != seq)
            continue; /* not an answer to this request */
        switch (nh->nlmsg_type) {
        case NLMSG_DONE:
            return 1;
        case NLMSG_ERROR: {
            const struct nlmsgerr *e = NLMSG_DATA(nh);
            return e->error < 0 ? e->error : -EPROTO;
        }
        case RTM_NEWLINK:
            rc = add_link(acc, nh);
            break;
        case RTM_NEWADDR:
            rc = add_addr(acc, nh);
            break;
        }
    }
    return rc;
}

/* One dump. The kernel writes each part of a dump during the send or receive call that
 * asks for it, so the non-blocking socket always has the next part: EAGAIN never
 * happens and, were it to, is an error rather than a wait. */
static int dump(int fd, int type, uint32_t seq, cnet__iface_acc *acc, unsigned char *buf)
{
    struct sockaddr_nl from;
    socklen_t fromlen;
    ssize_t n;
    int rc;

    rc = send_dump_request(fd, type, seq);
    while (rc == 0) {
        memset(&from, 0, sizeof from);
        fromlen = sizeof from;
        n = cnet__os_recvfrom(fd, buf, DUMP_BUFFER, 0, (struct sockaddr *)&from, &fromlen);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return CNET__ERRNO();
        if (from.nl_pid != 0) /* only the kernel's answers count */
            continue;
        rc = take_batch(acc, buf, (size_t)n, seq);
    }
    return rc < 0 ? rc : 0;
}

int cnet__iface_read(cnet__iface_acc *acc, const char **syscall)
{
    unsigned char *buf;
    int fd, rc;

    *syscall = "netlinkrib"; /* Go's name for every failure of these dumps */
    buf = cnet__os_malloc(DUMP_BUFFER);
    if (buf == NULL)
        return -ENOMEM;
    fd = cnet__sys_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    if (fd < 0) {
        rc = fd;
        goto out_free;
    }
    rc = dump(fd, RTM_GETLINK, 1, acc, buf);
    if (rc == 0)
        rc = dump(fd, RTM_GETADDR, 2, acc, buf);
    close(fd);
out_free:
    free(buf);
    return rc;
}
