/* The socket skeleton: Go's socket() in sock_posix.go, written once for every OS.
 * Create, apply the defaults, then listen, bind or dial; every failure after creation
 * closes the socket before returning. */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

static atomic_int backlog;

enum { MAP_UNKNOWN, MAP_YES, MAP_NO };
static atomic_int ipv4map = MAP_UNKNOWN;

static bool out_of_resources(int code)
{
    return code == -EMFILE || code == -ENFILE || code == -ENOBUFS || code == -ENOMEM;
}

/* Go's supportsIPv4map(): can an AF_INET6 socket with V6ONLY=0 bind a mapped address?
 * EPERM/EACCES (a security policy) still counts as supported (golang/go#77430). A
 * probe that runs out of descriptors or memory proves nothing: it is not cached, and
 * the common answer (yes) is used this time. */
static bool supports_ipv4map(void)
{
    cnet__sockaddr sa;
    cnet__endpoint ep = {{.family = AF_INET, .b = {127, 0, 0, 1}}, 0};
    int fd, off = 0, rc, state = atomic_load(&ipv4map);

    if (state != MAP_UNKNOWN)
        return state == MAP_YES;
    if (!cnet__kernel_may_map_ipv4())
        rc = -EAFNOSUPPORT;
    else if ((fd = cnet__sys_socket(AF_INET6, SOCK_STREAM, 0)) < 0)
        rc = fd;
    else {
        cnet__endpoint_to_sockaddr(&ep, AF_INET6, &sa);
        rc = cnet__os_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
        if (rc == 0)
            rc = cnet__os_bind(fd, &sa.u.sa, sa.len);
        rc = rc == 0 || errno == EPERM || errno == EACCES ? 0 : CNET__ERRNO();
        close(fd);
    }
    if (out_of_resources(rc))
        return true;
    atomic_store(&ipv4map, rc == 0 ? MAP_YES : MAP_NO);
    return rc == 0;
}

/* Read once per process, as Go does; a read that failed for want of descriptors or
 * memory is not kept, so a passing EMFILE cannot shrink every later backlog. */
int cnet_listen_backlog(void)
{
    int n = atomic_load(&backlog);

    if (n > 0)
        return n;
    n = cnet__max_listener_backlog();
    if (n > 0) {
        atomic_store(&backlog, n);
        return n;
    }
    return SOMAXCONN;
}

static int endpoint_family(const cnet__endpoint *ep)
{
    return ep == NULL || ep->ip.family == AF_UNSPEC || cnet__ip_is_v4(&ep->ip) ? AF_INET : AF_INET6;
}

int cnet__favorite_family(const cnet__network *net, const cnet__endpoint *local,
                          const cnet__endpoint *remote, bool listen, bool *ipv6only)
{
    *ipv6only = false;
    if (net->family_hint == AF_INET)
        return AF_INET;
    if (net->family_hint == AF_INET6) {
        *ipv6only = true;
        return AF_INET6;
    }
    if (listen && (local == NULL || cnet__ip_is_unspecified(&local->ip))) {
        if (supports_ipv4map())
            return AF_INET6; /* one dual-stack socket for "tcp"/"udp" wildcards */
        return local == NULL ? AF_INET : endpoint_family(local);
    }
    if (endpoint_family(local) == AF_INET && endpoint_family(remote) == AF_INET)
        return AF_INET;
    return AF_INET6;
}

int cnet__connect_result(int fd)
{
    int soerr = 0;
    socklen_t len = sizeof soerr;

    if (cnet__os_getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        return CNET__ERRNO();
    return soerr == 0 || soerr == EISCONN ? 0 : -soerr;
}

/* Starts a non-blocking connect; without connect_async, waits for the result. */
static int start_connect(int fd, const cnet__sock_req *req)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int rc;

    if (cnet__os_connect(fd, &req->remote->u.sa, req->remote->len) == 0)
        return 0;
    if (errno != EINPROGRESS && errno != EINTR && errno != EALREADY)
        return errno == EISCONN ? 0 : CNET__ERRNO();
    if (req->connect_async)
        return 0;
    do
        rc = cnet__poll_any(&p, 1, 0);
    while (rc == -EINTR || rc == 0);
    return rc < 0 ? rc : cnet__connect_result(fd);
}

const char *cnet__qualified_network(const cnet__network *net, int family)
{
    static const char *const names[][2] = {
        [CNET__TCP] = {"tcp4", "tcp6"}, [CNET__UDP] = {"udp4", "udp6"}, [CNET__IP] = {"ip4", "ip6"}};

    if (net->kind == CNET__UNIX)
        return net->name;
    return names[net->kind][family == AF_INET6];
}

/* The caller's hook, after every default option and before bind or connect. */
static int run_control(int fd, const cnet__sock_req *req, const char *net_name,
                       const char **syscall)
{
    int rc;

    if (req->control == NULL)
        return 0;
    rc = req->control(req->control_arg, net_name, req->control_addr, fd);
    if (rc != 0) {
        *syscall = NULL; /* the hook's own error, as Go reports it */
        return rc < 0 ? rc : -EINVAL;
    }
    return 0;
}

/* A load-balanced group, if asked for: this OS's option, or CNET_ENOTSUP. */
static int join_reuseport_group(int fd, const cnet__sock_req *req, const char **syscall)
{
    int rc;

    if (!req->reuse_port)
        return 0;
    rc = cnet__apply_policy(fd, CNET__ROLE_REUSEPORT, req->family, req->sotype, false);
    if (rc < 0)
        *syscall = rc == CNET_ENOTSUP ? "reuse_port" : "setsockopt";
    return rc;
}

/* Go's order for a local socket: the role's options (their failure is rc), the
 * load-balanced group if asked for, the Control hook, then bind. */
static int bind_local(int fd, int rc, const cnet__sock_req *req, const char *net_name,
                      const char **syscall)
{
    if (rc < 0) {
        *syscall = "setsockopt";
        return rc;
    }
    rc = join_reuseport_group(fd, req, syscall);
    if (rc == 0)
        rc = run_control(fd, req, net_name, syscall);
    if (rc == 0 && cnet__os_bind(fd, &req->local->u.sa, req->local->len) < 0) {
        *syscall = "bind";
        rc = CNET__ERRNO();
    }
    return rc;
}

/* The listen path: listener options, bind, listen. */
static int listen_stream(int fd, const cnet__sock_req *req, const char *net_name,
                         const char **syscall)
{
    int rc = cnet__set_default_listener_sockopts(fd, req->family, req->sotype);

    rc = bind_local(fd, rc, req, net_name, syscall);
    if (rc == 0 && cnet__os_listen(fd, req->backlog > 0 ? req->backlog : cnet_listen_backlog()) < 0) {
        *syscall = "listen";
        rc = CNET__ERRNO();
    }
    return rc;
}

/* The datagram path: multicast options if bound to a group, then bind. */
static int bind_datagram(int fd, const cnet__sock_req *req, const char *net_name,
                         const char **syscall)
{
    int rc = req->multicast ? cnet__set_default_multicast_sockopts(fd) : 0;

    return bind_local(fd, rc, req, net_name, syscall);
}

/* The dial path: optional bind, then connect. */
static int dial(int fd, const cnet__sock_req *req, const char *net_name, const char **syscall)
{
    int rc = run_control(fd, req, net_name, syscall);

    if (rc < 0)
        return rc;
    if (req->local != NULL && cnet__os_bind(fd, &req->local->u.sa, req->local->len) < 0) {
        *syscall = "bind";
        return CNET__ERRNO();
    }
    rc = start_connect(fd, req);
    if (rc < 0)
        *syscall = "connect";
    return rc;
}

int cnet__socket(const cnet__sock_req *req, const char *net_name, const char **syscall)
{
    int fd, rc;

    *syscall = "socket";
    fd = cnet__sys_socket(req->family, req->sotype, req->proto);
    if (fd < 0)
        return fd;
    rc = cnet__set_default_sockopts(fd, req->family, req->sotype, req->ipv6only);
    if (rc < 0) {
        *syscall = "setsockopt";
        goto fail;
    }
    if (req->local != NULL && req->remote == NULL)
        rc = req->sotype == SOCK_DGRAM || req->sotype == SOCK_RAW
                 ? bind_datagram(fd, req, net_name, syscall)
                 : listen_stream(fd, req, net_name, syscall);
    else
        rc = dial(fd, req, net_name, syscall);
    if (rc < 0)
        goto fail;
    return fd;
fail:
    close(fd);
    return rc;
}
