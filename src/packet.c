/* Datagram sockets: Go's ListenPacket, ListenMulticastUDP, ReadFrom, WriteTo. */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cnet__packet_new(int sysfd, const cnet__network *net, cnet_packet_conn **out,
                     const char **syscall)
{
    cnet_packet_conn *pc = cnet__os_calloc(1, sizeof *pc);
    int rc;

    *syscall = "malloc";
    if (pc == NULL)
        return -ENOMEM;
    *syscall = "getsockname";
    rc = cnet__local_sockaddr(sysfd, &pc->local);
    if (rc < 0) {
        free(pc);
        return rc;
    }
    *syscall = "malloc";
    rc = cnet__fd_init(&pc->fd, sysfd);
    if (rc < 0) {
        free(pc);
        return rc;
    }
    cnet__network_of_socket(net, &pc->net_copy);
    pc->net = &pc->net_copy;
    *out = pc;
    return 0;
}

static int packet_new(int sysfd, const cnet__network *net, const char *address,
                      cnet_packet_conn **out, cnet_error *err)
{
    const char *syscall;
    int rc = cnet__packet_new(sysfd, net, out, &syscall);

    if (rc < 0) {
        close(sysfd);
        return cnet__sys_error(err, rc, "listen", net->name, NULL, address, syscall);
    }
    return 0;
}

static int listen_unixgram(const cnet_listen_config *cfg, const cnet__network *net,
                           const char *address, cnet_packet_conn **pc, cnet_error *err)
{
    cnet__sockaddr sa;
    cnet__sock_req req = {.family = AF_UNIX, .sotype = SOCK_DGRAM, .local = &sa,
                          .control = cfg->control, .control_arg = cfg->control_arg,
                          .control_addr = address};
    const char *syscall = "bind";
    int fd;

    if (cfg->reuse_port)
        return cnet__op_error(err, CNET_ENOTSUP, "listen", net->name, NULL, address,
                              "reuse_port: not supported for unix sockets");
    if (!cnet__unix_sockaddr(address, &sa))
        return cnet__sys_error(err, -EINVAL, "listen", net->name, NULL, address, syscall);
    fd = cnet__socket(&req, net->name, &syscall);
    if (fd < 0)
        return cnet__sys_error(err, fd, "listen", net->name, NULL, address, syscall);
    return packet_new(fd, net, address, pc, err);
}

/* Go's datagram listen (UDP and raw IP): a multicast UDP address gets the multicast
 * options and is bound as the family's wildcard with the group's port (and zone), so
 * that several sockets can share the port and one socket can join several groups.
 * Returns the fd. */
static int bind_inet(const cnet_listen_config *cfg, const cnet__network *net,
                    const cnet__endpoint *ep, const char *addr, cnet_error *err)
{
    cnet__endpoint local = *ep;
    cnet__sockaddr sa;
    char bound[CNET_ADDRSTRLEN];
    cnet__sock_req req = {.sotype = net->sotype, .proto = net->proto, .local = &sa,
                          .reuse_port = cfg->reuse_port != 0,
                          .control = cfg->control, .control_arg = cfg->control_arg,
                          .control_addr = bound};
    const char *syscall;
    int fd;

    req.family = cnet__favorite_family(net, ep, NULL, true, &req.ipv6only);
    req.multicast = net->kind == CNET__UDP && ep->ip.family != AF_UNSPEC &&
                    cnet__ip_is_multicast(&ep->ip);
    if (req.multicast) {
        memset(local.ip.b, 0, sizeof local.ip.b);
        local.ip.family = req.family;
    }
    if (!cnet__endpoint_to_sockaddr(&local, req.family, &sa))
        return cnet__op_error(err, CNET_ENOSUITABLE, "listen", net->name, NULL, addr, NULL);
    cnet__net_sockaddr_format(net, &sa, bound, sizeof bound); /* the hook sees the rewrite */
    fd = cnet__socket(&req, cnet__qualified_network(net, req.family), &syscall);
    if (fd < 0)
        return cnet__sys_error(err, fd, "listen", net->name, NULL, addr, syscall);
    return fd;
}

static int resolve_inet(const cnet__network *net, const char *address, cnet__endpoint *ep,
                       char *addr, cnet_error *err)
{
    cnet__addr_list list;
    int rc = cnet__resolve("listen", net, address, 0, &list, err);

    if (rc < 0)
        return rc;
    *ep = *cnet__addr_list_first_v4(&list);
    cnet__net_endpoint_format(net, ep, addr, CNET_ADDRSTRLEN);
    return 0;
}

static int check_args(const char *op, const char *network, const char *address,
                      cnet_packet_conn **out, cnet_error *err)
{
    cnet__err_clear(err);
    if (out == NULL)
        return cnet__null_arg(err, op, "pc");
    *out = NULL;
    if (network == NULL)
        return cnet__null_arg(err, op, "network");
    if (address == NULL)
        return cnet__null_arg(err, op, "address");
    return 0;
}

int cnet_listen_packet_with(const cnet_listen_config *cfg, const char *network,
                            const char *address, cnet_packet_conn **pc, cnet_error *err)
{
    static const cnet_listen_config defaults;
    cnet__network parsed, *net = &parsed;
    char errtext[CNET_ERROR_MAX];
    cnet__endpoint ep;
    char addr[CNET_ADDRSTRLEN];
    int rc = check_args("listen", network, address, pc, err);

    if (rc < 0)
        return rc;
    *pc = NULL;
    rc = cnet__network_parse(network, net, errtext, sizeof errtext);
    if (rc < 0)
        return cnet__network_error(err, rc, "listen", network, errtext);
    if (net->sotype != SOCK_DGRAM && net->sotype != SOCK_RAW)
        return cnet__wrong_kind("listen", net, address, err);
    if (cfg == NULL)
        cfg = &defaults;
    if (net->kind == CNET__UNIX)
        return listen_unixgram(cfg, net, address, pc, err);
    rc = resolve_inet(net, address, &ep, addr, err);
    if (rc == 0)
        rc = bind_inet(cfg, net, &ep, addr, err);
    return rc < 0 ? rc : packet_new(rc, net, addr, pc, err);
}

int cnet_listen_packet(const char *network, const char *address, cnet_packet_conn **pc,
                       cnet_error *err)
{
    return cnet_listen_packet_with(NULL, network, address, pc, err);
}

/* ---- Multicast ------------------------------------------------------------------ */

static int join_v6(int fd, const cnet__ip *group, unsigned ifindex)
{
    struct ipv6_mreq m;
    int rc;

    if (ifindex != 0 &&
        cnet__os_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) < 0)
        return CNET__ERRNO();
    memset(&m, 0, sizeof m);
    memcpy(&m.ipv6mr_multiaddr, group->b, 16);
    m.ipv6mr_interface = ifindex;
    rc = cnet__apply_policy(fd, CNET__ROLE_JOIN, AF_INET6, SOCK_DGRAM, false);
    if (rc < 0)
        return rc;
    return cnet__os_setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof m) < 0 ? CNET__ERRNO() : 0;
}

static int join_v4(int fd, const cnet__ip *group, unsigned ifindex)
{
    int rc = ifindex != 0 ? cnet__mcast_set_if_v4(fd, ifindex) : 0;

    if (rc == 0)
        rc = cnet__apply_policy(fd, CNET__ROLE_JOIN, AF_INET, SOCK_DGRAM, false);
    if (rc == 0)
        rc = cnet__mcast_join_v4(fd, group, ifindex);
    return rc;
}

/* Go's listenMulticastUDP after the bind: interface, loopback off, join. A failure is
 * reported as Go 1.19 does, naming the group only: "listen <net> <group>: setsockopt:
 * <errno text>". */
static int join(cnet_packet_conn *pc, const cnet__endpoint *group, unsigned ifindex,
                const char *gaddr, cnet_error *err)
{
    int rc = pc->local.u.sa.sa_family == AF_INET6 ? join_v6(pc->fd.sysfd, &group->ip, ifindex)
                                                   : join_v4(pc->fd.sysfd, &group->ip, ifindex);

    if (rc == 0)
        return 0;
    if (rc == CNET_ENOIPV4IF || rc == CNET_ENOINTERFACE)
        return cnet__op_error(err, rc, "listen", pc->net->name, NULL, gaddr, NULL);
    return cnet__sys_error(err, rc, "listen", pc->net->name, NULL, gaddr, "setsockopt");
}

static int multicast_interface(const char *ifname, const cnet__network *net, const char *gaddr,
                               unsigned *ifindex, cnet_error *err)
{
    char inner[CNET_ERROR_MAX];

    *ifindex = 0;
    if (ifname == NULL)
        return 0;
    *ifindex = if_nametoindex(ifname);
    if (*ifindex != 0)
        return 0;
    snprintf(inner, sizeof inner, "interface %s: %s", ifname, cnet_strerror(CNET_ENOINTERFACE));
    return cnet__op_error(err, CNET_ENOINTERFACE, "listen", net->name, NULL, gaddr, inner);
}

/* Go names the group in this error: "listen tcp 239.1.2.3:5000: unknown network tcp". */
static int unknown_multicast_network(const char *network, const char *group_address,
                                     cnet_error *err)
{
    cnet__endpoint group;
    char gaddr[CNET_ADDRSTRLEN], inner[CNET_ERROR_MAX];
    cnet_error ignored;

    if (resolve_inet(cnet__network_lookup("udp"), group_address, &group, gaddr, &ignored) < 0)
        gaddr[0] = '\0';
    snprintf(inner, sizeof inner, "unknown network %s", network);
    return cnet__op_error(err, CNET_EUNKNOWNNET, "listen", network, NULL, gaddr, inner);
}

int cnet_listen_multicast_udp(const char *network, const char *ifname, const char *group_address,
                              cnet_packet_conn **pc, cnet_error *err)
{
    static const cnet_listen_config defaults;
    cnet__network parsed, *net = &parsed;
    char errtext[CNET_ERROR_MAX];
    cnet__endpoint group;
    char gaddr[CNET_ADDRSTRLEN];
    unsigned ifindex;
    int rc = check_args("listen", network, group_address, pc, err);

    if (rc < 0)
        return rc;
    *pc = NULL;
    if (cnet__network_parse(network, net, errtext, sizeof errtext) < 0 || net->kind != CNET__UDP)
        return unknown_multicast_network(network, group_address, err);
    rc = resolve_inet(net, group_address, &group, gaddr, err);
    if (rc < 0)
        return rc;
    if (group.ip.family == AF_UNSPEC)
        return cnet__op_error(err, CNET_EMISSINGADDR, "listen", net->name, NULL, gaddr, NULL);
    if (!cnet__ip_is_multicast(&group.ip))
        return cnet__op_error(err, CNET_ENOTMULTICAST, "listen", net->name, NULL, gaddr, NULL);
    rc = multicast_interface(ifname, net, gaddr, &ifindex, err);
    if (rc == 0)
        rc = bind_inet(&defaults, net, &group, gaddr, err); /* Go: a zero ListenConfig */
    if (rc >= 0)
        rc = packet_new(rc, net, gaddr, pc, err);
    if (rc == 0 && (rc = join(*pc, &group, ifindex, gaddr, err)) < 0) {
        cnet_packet_close(*pc);
        *pc = NULL;
    }
    return rc;
}

/* ---- I/O ------------------------------------------------------------------------ */

/* Go's OpError for an I/O call. remote is the destination of a write (NULL for a read);
 * Go prints the arrow even for an empty one (unixgram's WriteTo to ""), which
 * cnet__op_error would drop with the empty address, so it goes on the source. */
static int packet_error(cnet_packet_conn *pc, cnet_error *err, int code, const char *op,
                        const char *remote, const char *syscall)
{
    char local[CNET_ADDRSTRLEN + 2];

    cnet__net_sockaddr_format(pc->net, &pc->local, local, CNET_ADDRSTRLEN);
    if (remote != NULL && remote[0] == '\0' && local[0] != '\0')
        strcat(local, "->");
    if (code == CNET_ECLOSED || code == CNET_ETIMEOUT || syscall == NULL)
        return cnet__op_error(err, code, op, pc->net->name, local, remote, NULL);
    return cnet__sys_error(err, code, op, pc->net->name, local, remote, syscall);
}

/* An IPv4 raw socket delivers the IP header too; Go's ReadFrom strips it. */
static ssize_t strip_ipv4_header(void *buf, size_t len, ssize_t n)
{
    unsigned char *b = buf;
    size_t hl;

    if (len < 20 || n < 20 || b[0] >> 4 != 4)
        return n;
    hl = (size_t)(b[0] & 0x0f) << 2;
    if (hl < 20 || hl > (size_t)n)
        return n;
    memmove(b, b + hl, (size_t)n - hl);
    return n - (ssize_t)hl;
}

ssize_t cnet_packet_read_from(cnet_packet_conn *pc, void *buf, size_t len, char *from,
                              size_t fromlen, cnet_error *err)
{
    cnet__sockaddr sa;
    ssize_t n = 0;
    int rc;

    cnet__err_clear(err);
    if (pc == NULL || (buf == NULL && len > 0))
        return cnet__null_arg(err, "read", pc == NULL ? "pc" : "buf");
    if (cnet__fd_acquire(&pc->fd) < 0)
        return packet_error(pc, err, CNET_ECLOSED, "read", NULL, NULL);
    for (rc = cnet__fd_check_deadline(&pc->fd.rdeadline); rc == 0;) {
        memset(&sa, 0, sizeof sa);
        sa.len = sizeof sa.u;
        n = cnet__os_recvfrom(pc->fd.sysfd, buf, len, 0, &sa.u.sa, &sa.len);
        if (n >= 0)
            break;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            rc = cnet__fd_wait(&pc->fd, POLLIN, &pc->fd.rdeadline);
        else if (errno != EINTR)
            rc = CNET__ERRNO();
    }
    if (rc < 0)
        n = packet_error(pc, err, rc, "read", NULL, "recvfrom");
    else if (pc->net->kind == CNET__IP && sa.u.sa.sa_family == AF_INET)
        n = strip_ipv4_header(buf, len, n);
    if (rc == 0 && from != NULL)
        cnet__net_sockaddr_format(pc->net, &sa, from, fromlen);
    cnet__fd_release(&pc->fd);
    return n;
}

/* No resolved address fits the socket's family: Go's AddrError for the address Go's
 * caller would have resolved to (the first IPv4 one, else the first), its IP without
 * the zone: "address ::1: non-IPv4 address". The code stays CNET_ENOSUITABLE. */
static int unsuitable_destination(cnet_packet_conn *pc, const cnet__addr_list *list,
                                  const char *text, cnet_error *err)
{
    char ipstr[CNET_ADDRSTRLEN], inner[CNET_ERROR_MAX], local[CNET_ADDRSTRLEN];

    cnet__ip_format(&cnet__addr_list_first_v4(list)->ip, ipstr, sizeof ipstr);
    ipstr[strcspn(ipstr, "%")] = '\0';
    snprintf(inner, sizeof inner, "address %s: non-IPv%d address", ipstr,
             pc->local.u.sa.sa_family == AF_INET ? 4 : 6);
    cnet__net_sockaddr_format(pc->net, &pc->local, local, sizeof local);
    return cnet__op_error(err, CNET_ENOSUITABLE, "write", pc->net->name, local, text, inner);
}

/* The destination of a write: a path for unixgram, else a resolved host:port in the
 * socket's own family. */
static int destination(cnet_packet_conn *pc, const char *address, cnet__sockaddr *sa,
                       char *text, cnet_error *err)
{
    cnet__addr_list list;
    int rc, i;

    snprintf(text, CNET_ADDRSTRLEN, "%s", address);
    if (pc->net->kind == CNET__UNIX) {
        if (!cnet__unix_sockaddr(address, sa))
            return packet_error(pc, err, -EINVAL, "write", address, "sendto");
        return 0;
    }
    rc = cnet__resolve("write", pc->net, address, 0, &list, err);
    for (i = 0; rc == 0 && i < list.n; i++) {
        if (cnet__endpoint_to_sockaddr(&list.ep[i], pc->local.u.sa.sa_family, sa)) {
            /* Go names the resolved destination: "" is the zero address ":0". */
            cnet__net_endpoint_format(pc->net, &list.ep[i], text, CNET_ADDRSTRLEN);
            return 0;
        }
    }
    return rc < 0 ? rc : unsuitable_destination(pc, &list, address, err);
}

ssize_t cnet_packet_write_to(cnet_packet_conn *pc, const void *buf, size_t len,
                             const char *address, cnet_error *err)
{
    cnet__sockaddr sa;
    char dest[CNET_ADDRSTRLEN];
    ssize_t n;
    int rc;

    cnet__err_clear(err);
    if (pc == NULL || address == NULL || (buf == NULL && len > 0))
        return cnet__null_arg(err, "write", pc == NULL ? "pc" : address == NULL ? "address" : "buf");
    rc = destination(pc, address, &sa, dest, err);
    if (rc < 0)
        return rc;
    if (cnet__fd_acquire(&pc->fd) < 0)
        return packet_error(pc, err, CNET_ECLOSED, "write", dest, NULL);
    for (rc = cnet__fd_check_deadline(&pc->fd.wdeadline), n = rc; rc == 0;) {
        n = cnet__os_sendto(pc->fd.sysfd, buf, len, cnet__send_flags(), &sa.u.sa, sa.len);
        if (n >= 0)
            break;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            rc = cnet__fd_wait(&pc->fd, POLLOUT, &pc->fd.wdeadline);
        else if (errno != EINTR)
            rc = CNET__ERRNO();
    }
    if (rc < 0)
        n = packet_error(pc, err, rc, "write", dest, "sendto");
    cnet__fd_release(&pc->fd);
    return n;
}

int cnet_packet_set_deadline(cnet_packet_conn *pc, int64_t deadline_ns)
{
    return pc == NULL ? -EINVAL : cnet__fd_set_deadline(&pc->fd, true, true, deadline_ns);
}

int cnet_packet_set_read_deadline(cnet_packet_conn *pc, int64_t deadline_ns)
{
    return pc == NULL ? -EINVAL : cnet__fd_set_deadline(&pc->fd, true, false, deadline_ns);
}

int cnet_packet_set_write_deadline(cnet_packet_conn *pc, int64_t deadline_ns)
{
    return pc == NULL ? -EINVAL : cnet__fd_set_deadline(&pc->fd, false, true, deadline_ns);
}

int cnet_packet_local_addr(const cnet_packet_conn *pc, char *buf, size_t len)
{
    if (pc == NULL || buf == NULL)
        return -EINVAL;
    return cnet__net_sockaddr_format(pc->net, &pc->local, buf, len);
}

int cnet_packet_fd(const cnet_packet_conn *pc)
{
    return pc == NULL ? -EINVAL : pc->fd.sysfd;
}

int cnet_packet_stop(cnet_packet_conn *pc)
{
    if (pc == NULL)
        return -EINVAL;
    cnet__fd_stop(&pc->fd);
    return 0;
}

int cnet_packet_close(cnet_packet_conn *pc)
{
    if (pc == NULL)
        return -EINVAL;
    cnet__fd_close(&pc->fd);
    free(pc);
    return 0;
}
