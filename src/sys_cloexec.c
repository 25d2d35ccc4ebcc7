/* darwin: no SOCK_CLOEXEC and no accept4. Set close-on-exec with fcntl right after
 * creation, as Go's sys_cloexec.go does. A C library cannot hold other threads' forks
 * off, so the window is only kept as short as possible (see docs/DESIGN.md). */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

static int set_cloexec_nonblock(int fd)
{
    int flags;

    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return CNET__ERRNO();
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return CNET__ERRNO();
    return 0;
}

static int finish(int fd)
{
    int rc;

    if (fd < 0)
        return CNET__ERRNO();
    rc = set_cloexec_nonblock(fd);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return fd;
}

int cnet__sys_socket(int family, int sotype, int proto)
{
    return finish(socket(family, sotype, proto));
}

const char cnet__accept_syscall[] = "accept";

int cnet__sys_accept(int fd, cnet__sockaddr *sa)
{
    int nfd;

    sa->len = sizeof sa->u;
    do
        nfd = accept(fd, &sa->u.sa, &sa->len);
    while (nfd < 0 && errno == EINTR);
    return finish(nfd);
}
