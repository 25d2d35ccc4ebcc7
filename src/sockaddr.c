/* Conversions between Go-style endpoints, kernel sockaddrs and address strings. */
#include "internal.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const size_t sun_path_off = offsetof(struct sockaddr_un, sun_path);

static bool to_sockaddr_in(const cnet__endpoint *ep, cnet__sockaddr *sa)
{
    cnet__ip v4;

    if (ep->ip.family != AF_UNSPEC && !cnet__ip_is_v4(&ep->ip))
        return false; /* Go: "non-IPv4 address" */
    sa->u.in4.sin_family = AF_INET;
    sa->u.in4.sin_port = htons((uint16_t)ep->port);
    if (ep->ip.family != AF_UNSPEC) {
        v4 = cnet__ip_to_v4(&ep->ip);
        memcpy(&sa->u.in4.sin_addr, v4.b, 4);
    }
    sa->len = sizeof sa->u.in4;
    return true;
}

static void to_sockaddr_in6(const cnet__endpoint *ep, cnet__sockaddr *sa)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    sa->u.in6.sin6_family = AF_INET6;
    sa->u.in6.sin6_port = htons((uint16_t)ep->port);
    /* Go: no IP and the IPv4 wildcard both become "::", so that "tcp" ":p" and
     * "0.0.0.0:p" are one dual-stack socket. */
    if (ep->ip.family == AF_INET6 && !(cnet__ip_is_v4(&ep->ip) && cnet__ip_is_unspecified(&ep->ip))) {
        memcpy(&sa->u.in6.sin6_addr, ep->ip.b, 16);
        sa->u.in6.sin6_scope_id = ep->ip.scope_id;
    } else if (ep->ip.family == AF_INET && !cnet__ip_is_unspecified(&ep->ip)) {
        memcpy(&sa->u.in6.sin6_addr, mapped, 12);
        memcpy((unsigned char *)&sa->u.in6.sin6_addr + 12, ep->ip.b, 4);
    }
    sa->len = sizeof sa->u.in6;
}

bool cnet__endpoint_to_sockaddr(const cnet__endpoint *ep, int family, cnet__sockaddr *sa)
{
    memset(sa, 0, sizeof *sa);
    if (family == AF_INET)
        return to_sockaddr_in(ep, sa);
    to_sockaddr_in6(ep, sa);
    return true;
}

/* Go's TCPAddr/UDPAddr String() ("host:port"), or IPAddr's (the IP alone) for an ip
 * network. */
static int format_endpoint(const cnet__endpoint *ep, bool with_port, char *buf, size_t len)
{
    char host[CNET_ADDRSTRLEN], port[8];

    cnet__ip_format(&ep->ip, host, sizeof host);
    if (!with_port)
        return cnet__copy_out(buf, len, host);
    snprintf(port, sizeof port, "%d", ep->port);
    return cnet_join_host_port(host, port, buf, len);
}

int cnet__endpoint_format(const cnet__endpoint *ep, char *buf, size_t len)
{
    return format_endpoint(ep, true, buf, len);
}

static int format_unix(const cnet__sockaddr *sa, char *buf, size_t len)
{
    char name[sizeof sa->u.un.sun_path + 2];
    size_t n = sa->len > sun_path_off ? sa->len - sun_path_off : 0;
    const char *path = sa->u.un.sun_path;

    if (n > sizeof sa->u.un.sun_path)
        n = sizeof sa->u.un.sun_path;
    /* Go shows the abstract namespace's leading NUL as '@', and an unnamed socket as
     * "@" alone (golang/go#7354); a name ends at its first NUL. */
    if (n == 0 || path[0] == '\0') {
        name[0] = '@';
        n = n > 1 ? strnlen(path + 1, n - 1) : 0;
        memcpy(name + 1, path + 1, n);
        name[n + 1] = '\0';
    } else {
        n = strnlen(path, n);
        memcpy(name, path, n);
        name[n] = '\0';
    }
    return cnet__copy_out(buf, len, name);
}

static int format_sockaddr(const cnet__sockaddr *sa, bool with_port, char *buf, size_t len)
{
    cnet__endpoint ep = {{0}, 0};
    char tmp[CNET_ADDRSTRLEN];

    switch (sa->u.sa.sa_family) {
    case AF_INET:
        ep.ip.family = AF_INET;
        memcpy(ep.ip.b, &sa->u.in4.sin_addr, 4);
        ep.port = ntohs(sa->u.in4.sin_port);
        break;
    case AF_INET6:
        ep.ip.family = AF_INET6;
        memcpy(ep.ip.b, &sa->u.in6.sin6_addr, 16);
        ep.ip.scope_id = sa->u.in6.sin6_scope_id;
        ep.port = ntohs(sa->u.in6.sin6_port);
        break;
    case AF_UNIX:
        return format_unix(sa, buf, len);
    default:
        return cnet__copy_out(buf, len, "");
    }
    format_endpoint(&ep, with_port, tmp, sizeof tmp);
    return cnet__copy_out(buf, len, tmp);
}

int cnet__sockaddr_format(const cnet__sockaddr *sa, char *buf, size_t len)
{
    return format_sockaddr(sa, true, buf, len);
}

bool cnet__unix_sockaddr(const char *name, cnet__sockaddr *sa)
{
    size_t n = strlen(name);
    size_t cap = sizeof sa->u.un.sun_path;

    memset(sa, 0, sizeof *sa);
    sa->u.un.sun_family = AF_UNIX;
    /* A path needs its NUL inside sun_path; an abstract name does not. */
    if (n > cap || (n == cap && name[0] != '@'))
        return false;
    memcpy(sa->u.un.sun_path, name, n);
    if (n == 0) {
        sa->len = (socklen_t)sun_path_off; /* the kernel autobinds an abstract name */
        return true;
    }
    if (name[0] == '@') {
        sa->u.un.sun_path[0] = '\0';
        sa->len = (socklen_t)(sun_path_off + n);
        return true;
    }
    sa->len = (socklen_t)(sun_path_off + n + 1);
    return true;
}

/* An ip network's addresses have no port, as Go's IPAddr prints them. */
int cnet__net_sockaddr_format(const cnet__network *net, const cnet__sockaddr *sa, char *buf,
                              size_t len)
{
    return format_sockaddr(sa, net->kind != CNET__IP, buf, len);
}

int cnet__net_endpoint_format(const cnet__network *net, const cnet__endpoint *ep, char *buf,
                              size_t len)
{
    return format_endpoint(ep, net->kind != CNET__IP, buf, len);
}
