/* Linux, FreeBSD, NetBSD, OpenBSD, DragonFly: sockets are born non-blocking and
 * close-on-exec (SOCK_NONBLOCK|SOCK_CLOEXEC, accept4), so no fork in another thread
 * can ever leak them. Like current Go, no fallback for kernels without the flags. */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>

int cnet__sys_socket(int family, int sotype, int proto)
{
    int fd = cnet__os_socket(family, sotype | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

    return fd < 0 ? CNET__ERRNO() : fd;
}

const char cnet__accept_syscall[] = "accept4";

static inline int cnet__os_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
    CNET__FAULT("accept4", -1);
    return accept4(fd, sa, len, flags);
}

int cnet__sys_accept(int fd, cnet__sockaddr *sa, bool *dequeued)
{
    int nfd;

    sa->len = sizeof sa->u;
    do
        nfd = cnet__os_accept4(fd, &sa->u.sa, &sa->len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    while (nfd < 0 && errno == EINTR);
    *dequeued = nfd >= 0;
    return nfd < 0 ? CNET__ERRNO() : nfd;
}

int cnet__sys_pipe(int p[2])
{
    CNET__FAULT("pipe", CNET__ERRNO());
    return pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0 ? CNET__ERRNO() : 0;
}
