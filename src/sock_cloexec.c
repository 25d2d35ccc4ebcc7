/* Linux, FreeBSD, NetBSD, OpenBSD, DragonFly: sockets are born non-blocking and
 * close-on-exec (SOCK_NONBLOCK|SOCK_CLOEXEC, accept4), so no fork in another thread
 * can ever leak them. Like current Go, no fallback for kernels without the flags. */
#include "internal.h"

#include <errno.h>
#include <sys/socket.h>

int cnet__sys_socket(int family, int sotype, int proto)
{
    int fd = socket(family, sotype | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

    return fd < 0 ? CNET__ERRNO() : fd;
}

const char cnet__accept_syscall[] = "accept4";

int cnet__sys_accept(int fd, cnet__sockaddr *sa)
{
    int nfd;

    sa->len = sizeof sa->u;
    do
        nfd = accept4(fd, &sa->u.sa, &sa->len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    while (nfd < 0 && errno == EINTR);
    return nfd < 0 ? CNET__ERRNO() : nfd;
}
