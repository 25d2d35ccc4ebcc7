/* Multicast control on a UDP packet conn (x/net's ipv4.PacketConn / ipv6.PacketConn):
 * joins and leaves per interface, source-specific ones, the TTL, loopback and outgoing
 * interface of sends; and a multicast listener bound to its group (golang/go#73484). */
#include "internal.h"
#include "sys.h"

#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* "set udp4 0.0.0.0:5000: ..." as x/net's setters report (Op "set"). */
static int set_error(cnet_packet_conn *pc, cnet_error *err, int code, const char *inner)
{
    char local[CNET_ADDRSTRLEN];

    cnet__net_sockaddr_format(pc->net, &pc->local, local, sizeof local);
    if (inner != NULL || code < -29999)
        return cnet__op_error(err, code, "set", pc->net->name, local, NULL, inner);
    return cnet__sys_error(err, code, "set", pc->net->name, local, NULL, "setsockopt");
}

static int check_pc(cnet_packet_conn *pc, cnet_error *err)
{
    cnet__err_clear(err);
    if (pc == NULL)
        return cnet__null_arg(err, "set", "pc");
    if (pc->net->kind != CNET__UDP)
        return set_error(pc, err, CNET_EADDRTYPE, NULL);
    return 0;
}

/* if_nametoindex's 0 means "no such interface" only with these (glibc: ENODEV; others
 * ENXIO); anything else is its own failure (no socket for the ioctl: EMFILE, ...). */
static bool no_such_interface(int e)
{
    return e == ENODEV || e == ENXIO;
}

static int interface_index(cnet_packet_conn *pc, const char *ifname, unsigned *ifindex,
                           cnet_error *err)
{
    char inner[CNET_ERROR_MAX];

    *ifindex = 0;
    if (ifname == NULL || ifname[0] == '\0')
        return 0;
    *ifindex = cnet__os_if_nametoindex(ifname);
    if (*ifindex != 0)
        return 0;
    if (!no_such_interface(errno)) {
        int code = CNET__ERRNO();
        char local[CNET_ADDRSTRLEN];
        cnet__net_sockaddr_format(pc->net, &pc->local, local, sizeof local);
        return cnet__sys_error(err, code, "set", pc->net->name, local, NULL, "if_nametoindex");
    }
    snprintf(inner, sizeof inner, "interface %s: %s", ifname, cnet_strerror(CNET_ENOINTERFACE));
    return set_error(pc, err, CNET_ENOINTERFACE, inner);
}

/* An IP literal usable on this socket: a v4 one on an IPv6 socket is v4-mapped (and
 * then not multicast for IPv6: Go's "non-IPv6 address" territory). */
static int parse_ip(cnet_packet_conn *pc, const char *what, const char *s, bool multicast,
                    cnet__ip *ip, cnet_error *err)
{
    char inner[CNET_ERROR_MAX];
    int family = pc->local.u.sa.sa_family;

    if (s == NULL)
        return cnet__null_arg(err, "set", what);
    if (cnet__ip_parse(s, strlen(s), ip) != 1) {
        snprintf(inner, sizeof inner, "%s %s: %s", what, s, cnet_strerror(CNET_EINVALIDADDR));
        return set_error(pc, err, CNET_EINVALIDADDR, inner);
    }
    if (multicast && (!cnet__ip_is_multicast(ip) || (family == AF_INET) != cnet__ip_is_v4(ip))) {
        snprintf(inner, sizeof inner, "%s %s: %s", what, s, cnet_strerror(CNET_ENOTMULTICAST));
        return set_error(pc, err, CNET_ENOTMULTICAST, inner);
    }
    if (!multicast && (family == AF_INET) != cnet__ip_is_v4(ip)) {
        snprintf(inner, sizeof inner, "%s %s: non-IPv%d address", what, s, family == AF_INET ? 4 : 6);
        return set_error(pc, err, -EINVAL, inner);
    }
    return 0;
}

static int membership(cnet_packet_conn *pc, bool join, const char *ifname, const char *group,
                      const char *source, cnet_error *err)
{
    cnet__ip g, src;
    unsigned ifindex;
    int rc = check_pc(pc, err);

    if (rc == 0)
        rc = parse_ip(pc, "group", group, true, &g, err);
    if (rc == 0 && source != NULL)
        rc = parse_ip(pc, "source", source, false, &src, err);
    if (rc == 0)
        rc = interface_index(pc, ifname, &ifindex, err);
    if (rc < 0)
        return rc;
    if (cnet__fd_acquire(&pc->fd) < 0)
        return set_error(pc, err, CNET_ECLOSED, NULL);
    rc = cnet__mcast_membership(pc->fd.sysfd, pc->local.u.sa.sa_family, join, ifindex, &g,
                                source != NULL ? &src : NULL);
    cnet__fd_release(&pc->fd);
    return rc < 0 ? set_error(pc, err, rc, NULL) : 0;
}

int cnet_packet_join_group(cnet_packet_conn *pc, const char *ifname, const char *group,
                           cnet_error *err)
{
    return membership(pc, true, ifname, group, NULL, err);
}

int cnet_packet_leave_group(cnet_packet_conn *pc, const char *ifname, const char *group,
                            cnet_error *err)
{
    return membership(pc, false, ifname, group, NULL, err);
}

int cnet_packet_join_source_group(cnet_packet_conn *pc, const char *ifname, const char *group,
                                  const char *source, cnet_error *err)
{
    if (pc != NULL && source == NULL)
        return cnet__null_arg(err, "set", "source");
    return membership(pc, true, ifname, group, source, err);
}

int cnet_packet_leave_source_group(cnet_packet_conn *pc, const char *ifname, const char *group,
                                   const char *source, cnet_error *err)
{
    if (pc != NULL && source == NULL)
        return cnet__null_arg(err, "set", "source");
    return membership(pc, false, ifname, group, source, err);
}

/* One option on the socket: an IPv4 multicast TTL and loopback are a byte (what every
 * BSD takes; Linux takes a byte or an int), IPv6's an int (RFC 3493). */
static int set_option(cnet_packet_conn *pc, int name4, int name6, int value, cnet_error *err)
{
    unsigned char b = (unsigned char)value;
    int rc = check_pc(pc, err);

    if (rc < 0)
        return rc;
    if (cnet__fd_acquire(&pc->fd) < 0)
        return set_error(pc, err, CNET_ECLOSED, NULL);
    if (pc->local.u.sa.sa_family == AF_INET)
        rc = cnet__os_setsockopt(pc->fd.sysfd, IPPROTO_IP, name4, &b, sizeof b);
    else
        rc = cnet__os_setsockopt(pc->fd.sysfd, IPPROTO_IPV6, name6, &value, sizeof value);
    rc = rc < 0 ? CNET__ERRNO() : 0;
    cnet__fd_release(&pc->fd);
    return rc < 0 ? set_error(pc, err, rc, NULL) : 0;
}

int cnet_packet_set_multicast_ttl(cnet_packet_conn *pc, int ttl, cnet_error *err)
{
    if (pc != NULL && (ttl < 0 || ttl > 255))
        return set_error(pc, err, -EINVAL, "invalid argument: multicast TTL out of 0..255");
    return set_option(pc, IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS, ttl, err);
}

int cnet_packet_set_multicast_loopback(cnet_packet_conn *pc, int on, cnet_error *err)
{
    return set_option(pc, IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, on != 0, err);
}

int cnet_packet_set_multicast_interface(cnet_packet_conn *pc, const char *ifname,
                                        cnet_error *err)
{
    unsigned ifindex;
    int rc = check_pc(pc, err);

    if (rc == 0)
        rc = interface_index(pc, ifname, &ifindex, err);
    if (rc < 0)
        return rc;
    if (cnet__fd_acquire(&pc->fd) < 0)
        return set_error(pc, err, CNET_ECLOSED, NULL);
    if (pc->local.u.sa.sa_family == AF_INET)
        rc = cnet__mcast_set_if_v4(pc->fd.sysfd, ifindex);
    else if (cnet__os_setsockopt(pc->fd.sysfd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
                                 sizeof ifindex) < 0)
        rc = CNET__ERRNO();
    cnet__fd_release(&pc->fd);
    return rc < 0 ? set_error(pc, err, rc, NULL) : 0;
}

/* ---- a receiver bound to its group ------------------------------------------------ */

/* Go's listenMulticastUDP with the group's own address in the bind: the socket options of
 * a multicast listener (SO_REUSEADDR, and SO_REUSEPORT on the BSDs, so receivers share
 * the port), then the interface, loopback off and the join, as Go does them. */
static int listen_bound_to_group(const char *network, const char *ifname,
                                 const char *group_address, cnet_packet_conn **pc,
                                 cnet_error *err)
{
    cnet__network parsed;
    cnet__addr_list list;
    cnet__endpoint group;
    cnet__sockaddr sa;
    char gaddr[CNET_ADDRSTRLEN], errtext[CNET_ERROR_MAX];
    cnet__sock_req req = {.sotype = SOCK_DGRAM, .local = &sa, .multicast = true};
    const char *syscall = "socket";
    unsigned ifindex = 0;
    int fd, rc;

    if (cnet__network_parse(network, &parsed, errtext, sizeof errtext) < 0 ||
        parsed.kind != CNET__UDP) {
        snprintf(errtext, sizeof errtext, "unknown network %s", network);
        return cnet__op_error(err, CNET_EUNKNOWNNET, "listen", network, NULL, NULL, errtext);
    }
    rc = cnet__resolve("listen", &parsed, group_address, 0, &list, err);
    if (rc < 0)
        return rc;
    group = *cnet__addr_list_first_v4(&list);
    cnet__net_endpoint_format(&parsed, &group, gaddr, sizeof gaddr);
    if (group.ip.family == AF_UNSPEC || !cnet__ip_is_multicast(&group.ip))
        return cnet__op_error(err, group.ip.family == AF_UNSPEC ? CNET_EMISSINGADDR : CNET_ENOTMULTICAST,
                              "listen", parsed.name, NULL, gaddr, NULL);
    if (ifname != NULL && (ifindex = cnet__os_if_nametoindex(ifname)) == 0) {
        if (!no_such_interface(errno))
            return cnet__sys_error(err, CNET__ERRNO(), "listen", parsed.name, NULL, gaddr,
                                   "if_nametoindex");
        snprintf(errtext, sizeof errtext, "interface %s: %s", ifname, cnet_strerror(CNET_ENOINTERFACE));
        return cnet__op_error(err, CNET_ENOINTERFACE, "listen", parsed.name, NULL, gaddr, errtext);
    }
    req.family = cnet__favorite_family(&parsed, &group, NULL, true, &req.ipv6only);
    if (!cnet__endpoint_to_sockaddr(&group, req.family, &sa))
        return cnet__op_error(err, CNET_ENOSUITABLE, "listen", parsed.name, NULL, gaddr, NULL);
    req.control_addr = gaddr;
    fd = cnet__socket(&req, cnet__qualified_network(&parsed, req.family), &syscall);
    if (fd < 0)
        return cnet__sys_error(err, fd, "listen", parsed.name, NULL, gaddr, syscall);
    rc = cnet__packet_new(fd, &parsed, pc, &syscall);
    if (rc < 0) {
        close(fd);
        return cnet__sys_error(err, rc, "listen", parsed.name, NULL, gaddr, syscall);
    }
    rc = cnet__apply_policy(fd, CNET__ROLE_JOIN, req.family, SOCK_DGRAM, false);
    if (rc == 0 && ifindex != 0)
        rc = req.family == AF_INET ? cnet__mcast_set_if_v4(fd, ifindex)
             : cnet__os_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) < 0
                 ? CNET__ERRNO() : 0;
    if (rc == 0)
        rc = cnet__mcast_membership(fd, req.family, true, ifindex, &group.ip, NULL);
    if (rc < 0) {
        cnet_packet_close(*pc);
        *pc = NULL;
        return rc < -29999 ? cnet__op_error(err, rc, "listen", parsed.name, NULL, gaddr, NULL)
                                  : cnet__sys_error(err, rc, "listen", parsed.name, NULL, gaddr, "setsockopt");
    }
    return 0;
}

int cnet_listen_multicast_udp_with(const cnet_multicast_opts *opts, const char *network,
                                   const char *ifname, const char *group_address,
                                   cnet_packet_conn **pc, cnet_error *err)
{
    if (opts == NULL || !opts->bind_group)
        return cnet_listen_multicast_udp(network, ifname, group_address, pc, err);
    cnet__err_clear(err);
    if (pc == NULL)
        return cnet__null_arg(err, "listen", "pc");
    *pc = NULL;
    if (network == NULL || group_address == NULL)
        return cnet__null_arg(err, "listen", network == NULL ? "network" : "group_address");
    return listen_bound_to_group(network, ifname, group_address, pc, err);
}
