/* darwin, FreeBSD, NetBSD, OpenBSD, DragonFly: Go's sockopt_bsd.go and sock_bsd.go.
 * The option values live in the policy table (policy.c); this file names the OS, maps
 * options to BSD constants, and reads the backlog. */
#include "internal.h"
#include "sys.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/sysctl.h>
#include <sys/types.h>

const char *cnet__os_name(void)
{
#if defined(__APPLE__)
    return "darwin";
#elif defined(__FreeBSD__)
    return "freebsd";
#elif defined(__NetBSD__)
    return "netbsd";
#elif defined(__OpenBSD__)
    return "openbsd";
#else
    return "dragonfly";
#endif
}

bool cnet__opt_native(cnet__opt opt, int *level, int *name, socklen_t *size)
{
    *size = sizeof(int);
    switch (opt) {
    case CNET__OPT_IPV6_V6ONLY: *level = IPPROTO_IPV6; *name = IPV6_V6ONLY; return true;
    case CNET__OPT_SO_BROADCAST: *level = SOL_SOCKET; *name = SO_BROADCAST; return true;
    case CNET__OPT_SO_REUSEADDR: *level = SOL_SOCKET; *name = SO_REUSEADDR; return true;
    case CNET__OPT_SO_REUSEPORT: *level = SOL_SOCKET; *name = SO_REUSEPORT; return true;
#ifdef SO_REUSEPORT_LB /* FreeBSD 12+: the load-balanced group (policy.c reuse_port row) */
    case CNET__OPT_SO_REUSEPORT_LB: *level = SOL_SOCKET; *name = SO_REUSEPORT_LB; return true;
#endif
#ifdef IP_PORTRANGE
    case CNET__OPT_IP_PORTRANGE: *level = IPPROTO_IP; *name = IP_PORTRANGE; return true;
#endif
#ifdef IPV6_PORTRANGE
    case CNET__OPT_IPV6_PORTRANGE: *level = IPPROTO_IPV6; *name = IPV6_PORTRANGE; return true;
#endif
    case CNET__OPT_IP_MULTICAST_LOOP: /* a byte on the BSDs, as in Go's BSD file */
        *level = IPPROTO_IP; *name = IP_MULTICAST_LOOP; *size = 1; return true;
    case CNET__OPT_IPV6_MULTICAST_LOOP: *level = IPPROTO_IPV6; *name = IPV6_MULTICAST_LOOP; return true;
    case CNET__OPT_TCP_NODELAY: *level = IPPROTO_TCP; *name = TCP_NODELAY; return true;
    case CNET__OPT_SO_KEEPALIVE: *level = SOL_SOCKET; *name = SO_KEEPALIVE; return true;
#ifdef TCP_KEEPIDLE
    case CNET__OPT_TCP_KEEPIDLE: *level = IPPROTO_TCP; *name = TCP_KEEPIDLE; return true;
#endif
#if defined(TCP_KEEPALIVE) && defined(__APPLE__)
    case CNET__OPT_TCP_KEEPALIVE: *level = IPPROTO_TCP; *name = TCP_KEEPALIVE; return true;
#endif
#ifdef TCP_KEEPINTVL
    case CNET__OPT_TCP_KEEPINTVL: *level = IPPROTO_TCP; *name = TCP_KEEPINTVL; return true;
#endif
#ifdef TCP_KEEPCNT
    case CNET__OPT_TCP_KEEPCNT: *level = IPPROTO_TCP; *name = TCP_KEEPCNT; return true;
#endif
#ifdef SO_NOSIGPIPE
    case CNET__OPT_SO_NOSIGPIPE: *level = SOL_SOCKET; *name = SO_NOSIGPIPE; return true;
#endif
    default: return false;
    }
}

/* No BSD says how much a read left queued: every read is Go's, retried after EAGAIN. */
ssize_t cnet__tcp_read(int fd, void *buf, size_t len, int *left)
{
    *left = -1;
    return cnet__os_read(fd, buf, len);
}

int cnet__set_default_sockopts(int fd, int family, int sotype, bool ipv6only)
{
    return cnet__apply_policy(fd, CNET__ROLE_SOCKET, family, sotype, ipv6only);
}

int cnet__set_default_listener_sockopts(int fd, int family, int sotype)
{
    return cnet__apply_policy(fd, CNET__ROLE_LISTENER, family, sotype, false);
}

int cnet__set_default_multicast_sockopts(int fd)
{
    return cnet__apply_policy(fd, CNET__ROLE_MULTICAST, AF_UNSPEC, SOCK_DGRAM, false);
}

void cnet__set_default_conn_sockopts(int fd, int family)
{
    cnet__apply_policy(fd, CNET__ROLE_CONN, family, SOCK_STREAM, false);
}

/* Not every BSD documents that accepted sockets inherit TCP options: set them on each
 * connection, as Go does. */
bool cnet__accept_inherits_conn_sockopts(void)
{
    return false;
}

int cnet__send_flags(void)
{
#ifdef MSG_NOSIGNAL
    return MSG_NOSIGNAL;
#else
    return 0; /* darwin: SO_NOSIGPIPE on every socket instead (policy row) */
#endif
}

bool cnet__kernel_may_map_ipv4(void)
{
#if defined(__OpenBSD__) || defined(__DragonFly__)
    return false; /* their IPv6 sockets are always v6-only */
#else
    return true;
#endif
}

/* The OS maximum, clamped to 16 bits as Go does (golang/go#5030, #41470). */
static int clamp_backlog(int n)
{
    if (n <= 0)
        return SOMAXCONN;
    return n > 65535 ? 65535 : n;
}

#if defined(__APPLE__) || defined(__FreeBSD__)
static int sysctl_backlog(const char *name)
{
    int n = 0;
    size_t len = sizeof n;

    return clamp_backlog(sysctlbyname(name, &n, &len, NULL, 0) < 0 ? 0 : n);
}
#elif defined(__OpenBSD__)
static int sysctl_backlog(void)
{
    int mib[2] = {CTL_KERN, KERN_SOMAXCONN}, n = 0;
    size_t len = sizeof n;

    return clamp_backlog(sysctl(mib, 2, &n, &len, NULL, 0) < 0 ? 0 : n);
}
#endif

int cnet__max_listener_backlog(void)
{
#if defined(__APPLE__)
    return sysctl_backlog("kern.ipc.somaxconn");
#elif defined(__FreeBSD__)
    return sysctl_backlog("kern.ipc.soacceptqueue");
#elif defined(__OpenBSD__)
    return sysctl_backlog(); /* kern.somaxconn */
#else
    return SOMAXCONN; /* NetBSD and DragonFly expose no such sysctl to Go */
#endif
}
