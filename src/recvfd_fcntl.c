/* darwin has no MSG_CMSG_CLOEXEC: each received descriptor is made close-on-exec right
 * after recvmsg, leaving the short window sys_cloexec.c describes for sockets (a C
 * library cannot hold off another thread's fork). Also the portable-fallbacks build. */
#include "internal.h"
#include "sys.h"

int cnet__recvmsg_flags(void)
{
    return 0;
}

int cnet__received_fd_cloexec(int fd)
{
    return cnet__os_fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ? CNET__ERRNO() : 0;
}
