/* Dialing: Go's Dial for stream, datagram and unix networks (go-dial.md section 3).
 * Addresses are tried in order; the first error is the one reported. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A connected socket whose kernel-chosen local port equals its remote port on the same
 * address is connected to itself (TCP simultaneous open). */
static bool is_self_connect(int fd, const cnet__sockaddr *remote)
{
    cnet__sockaddr local;
    char a[CNET_ADDRSTRLEN], b[CNET_ADDRSTRLEN];

    local.len = sizeof local.u;
    if (getsockname(fd, &local.u.sa, &local.len) < 0)
        return false;
    cnet__sockaddr_format(&local, a, sizeof a);
    cnet__sockaddr_format(remote, b, sizeof b);
    return strcmp(a, b) == 0;
}

/* One TCP/UDP endpoint. Go retries a TCP dial with a kernel-chosen port up to twice
 * on a self-connect or EADDRNOTAVAIL. Returns the fd or the code. */
static int dial_endpoint(const cnet__network *net, const cnet__endpoint *ep,
                         cnet__sockaddr *remote, const char **syscall)
{
    cnet__sock_req req = {.sotype = net->sotype, .remote = remote};
    int attempt, fd = CNET_ENOSUITABLE;

    req.family = cnet__favorite_family(net, NULL, ep, false, &req.ipv6only);
    if (!cnet__endpoint_to_sockaddr(ep, req.family, remote))
        return CNET_ENOSUITABLE;
    for (attempt = 0; attempt < 3; attempt++) {
        fd = cnet__socket(&req, syscall);
        if (net->kind != CNET__TCP)
            break;
        if (fd >= 0 && !is_self_connect(fd, remote))
            break;
        if (fd >= 0) {
            close(fd);
            fd = -ECONNREFUSED; /* what the self-connect stood in for */
        } else if (fd != -EADDRNOTAVAIL) {
            break;
        }
    }
    return fd;
}

static int dial_inet(const cnet__network *net, const char *address, cnet_conn **c,
                     cnet_error *err)
{
    cnet__addr_list list;
    cnet__sockaddr remote;
    char addr[CNET_ADDRSTRLEN];
    const char *syscall = "connect";
    int rc, i, fd, first = 0;

    rc = cnet__resolve("dial", net, address, &list, err);
    for (i = 0; rc == 0 && i < list.n; i++) {
        fd = dial_endpoint(net, &list.ep[i], &remote, &syscall);
        if (fd >= 0) {
            *c = cnet__conn_new(fd, net, &remote);
            if (*c == NULL) {
                close(fd);
                fd = -ENOMEM;
                syscall = "malloc";
            } else {
                if (net->kind == CNET__TCP)
                    cnet__set_default_conn_sockopts(fd, remote.u.sa.sa_family);
                return 0;
            }
        }
        if (first == 0) {
            first = fd;
            cnet__endpoint_format(&list.ep[i], addr, sizeof addr);
            if (fd == CNET_ENOSUITABLE)
                cnet__op_error(err, fd, "dial", net->name, NULL, addr, NULL);
            else
                cnet__sys_error(err, fd, "dial", net->name, NULL, addr, syscall);
        }
    }
    return rc < 0 ? rc : first;
}

static int dial_unix(const cnet__network *net, const char *address, cnet_conn **c,
                     cnet_error *err)
{
    cnet__sockaddr remote;
    cnet__sock_req req = {.family = AF_UNIX, .sotype = net->sotype, .remote = &remote};
    const char *syscall = "connect";
    int fd;

    if (!cnet__unix_sockaddr(address, &remote))
        return cnet__sys_error(err, -EINVAL, "dial", net->name, NULL, address, syscall);
    fd = cnet__socket(&req, &syscall);
    if (fd < 0)
        return cnet__sys_error(err, fd, "dial", net->name, NULL, address, syscall);
    *c = cnet__conn_new(fd, net, &remote);
    if (*c == NULL) {
        close(fd);
        return cnet__sys_error(err, -ENOMEM, "dial", net->name, NULL, address, "malloc");
    }
    return 0;
}

int cnet_dial(const char *network, const char *address, cnet_conn **c, cnet_error *err)
{
    const cnet__network *net;

    cnet__err_clear(err);
    if (c == NULL)
        return cnet__null_arg(err, "dial", "c");
    *c = NULL;
    if (network == NULL)
        return cnet__null_arg(err, "dial", "network");
    if (address == NULL)
        return cnet__null_arg(err, "dial", "address");
    net = cnet__network_lookup(network);
    if (net == NULL)
        return cnet__unknown_network(err, "dial", network);
    if (address[0] == '\0')
        return cnet__op_error(err, CNET_EMISSINGADDR, "dial", net->name, NULL, NULL, NULL);
    if (net->kind == CNET__UNIX)
        return dial_unix(net, address, c, err);
    return dial_inet(net, address, c, err);
}
