/* Received descriptors close-on-exec from birth: recvmsg's MSG_CMSG_CLOEXEC (Linux,
 * FreeBSD, NetBSD, OpenBSD), so a fork and exec on another thread can never inherit one
 * (golang/go#42765). */
#include "internal.h"

int cnet__recvmsg_flags(void)
{
    return MSG_CMSG_CLOEXEC;
}

int cnet__received_fd_cloexec(int fd)
{
    (void)fd;
    return 0;
}
