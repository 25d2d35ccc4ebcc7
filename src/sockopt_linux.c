/* Linux: Go's sockopt_linux.go and sock_linux.go. The option values live in the policy
 * table (policy.c); this file names the OS, maps options to Linux constants, and
 * reads the backlog. */
#include "internal.h"
#include "sys.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

const char *cnet__os_name(void)
{
    return "linux";
}

bool cnet__opt_native(cnet__opt opt, int *level, int *name, socklen_t *size)
{
    static const struct {
        int level, name;
    } native[CNET__OPT_COUNT] = {
        [CNET__OPT_IPV6_V6ONLY] = {IPPROTO_IPV6, IPV6_V6ONLY},
        [CNET__OPT_SO_BROADCAST] = {SOL_SOCKET, SO_BROADCAST},
        [CNET__OPT_SO_REUSEADDR] = {SOL_SOCKET, SO_REUSEADDR},
        [CNET__OPT_SO_REUSEPORT] = {SOL_SOCKET, SO_REUSEPORT},
        [CNET__OPT_IP_MULTICAST_LOOP] = {IPPROTO_IP, IP_MULTICAST_LOOP},
        [CNET__OPT_IPV6_MULTICAST_LOOP] = {IPPROTO_IPV6, IPV6_MULTICAST_LOOP},
        [CNET__OPT_TCP_NODELAY] = {IPPROTO_TCP, TCP_NODELAY},
        [CNET__OPT_SO_KEEPALIVE] = {SOL_SOCKET, SO_KEEPALIVE},
        [CNET__OPT_TCP_KEEPIDLE] = {IPPROTO_TCP, TCP_KEEPIDLE},
        [CNET__OPT_TCP_KEEPINTVL] = {IPPROTO_TCP, TCP_KEEPINTVL},
        [CNET__OPT_TCP_KEEPCNT] = {IPPROTO_TCP, TCP_KEEPCNT},
        [CNET__OPT_TCP_INQ] = {IPPROTO_TCP, TCP_INQ},
    };

    if (native[opt].level == 0 && native[opt].name == 0)
        return false; /* not a Linux option (IP_PORTRANGE, SO_NOSIGPIPE, TCP_KEEPALIVE) */
    *level = native[opt].level;
    *name = native[opt].name;
    *size = sizeof(int);
    return true;
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

/* An accepted socket is cloned from its listener, TCP_NODELAY and the keep-alive
 * settings included, so setting them once on the listener saves five system calls
 * per connection. */
bool cnet__accept_inherits_conn_sockopts(void)
{
    return true;
}

ssize_t cnet__tcp_read(int fd, void *buf, size_t len, int *left)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = {buf, len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof control.buf};
    ssize_t n = cnet__os_recvmsg(fd, &msg, 0);
    struct cmsghdr *h = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;

    /* Room for one message only: if the user turned on another (SO_TIMESTAMP through
     * the descriptor, say), TCP_INQ's is cut off and this read learns nothing. */
    *left = -1;
    if (h != NULL && h->cmsg_level == SOL_TCP && h->cmsg_type == TCP_CM_INQ)
        memcpy(left, CMSG_DATA(h), sizeof *left);
    return n;
}

int cnet__send_flags(void)
{
    return MSG_NOSIGNAL; /* EPIPE instead of SIGPIPE, per call */
}

bool cnet__kernel_may_map_ipv4(void)
{
    return true;
}

/* /proc/sys/net/core/somaxconn, or SOMAXCONN if unreadable (0 if it could not be opened
 * for want of descriptors or memory: try again next time). Kernels before 4.1 keep
 * the backlog in 16 bits (golang/go#5030, #41470): clamp, so a huge value cannot wrap. */
int cnet__max_listener_backlog(void)
{
    FILE *f = cnet__os_fopen("/proc/sys/net/core/somaxconn", "re");
    long n = 0;

    if (f == NULL && (errno == EMFILE || errno == ENFILE || errno == ENOMEM))
        return 0;
    if (f != NULL) {
        if (fscanf(f, "%ld", &n) != 1)
            n = 0;
        fclose(f);
    }
    if (n <= 0)
        return SOMAXCONN;
    return n > 65535 ? 65535 : (int)n;
}
