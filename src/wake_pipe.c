/* Wake-up descriptor on the BSDs: a close-on-exec pipe. */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static int set_cloexec_nonblock(int fd)
{
    int flags;

    if (cnet__os_fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return CNET__ERRNO();
    flags = cnet__os_fcntl(fd, F_GETFL, 0);
    if (flags < 0 || cnet__os_fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return CNET__ERRNO();
    return 0;
}

int cnet__wake_open(int *rfd, int *wfd)
{
    int p[2], rc;

    if (cnet__os_pipe(p) < 0)
        return CNET__ERRNO();
    rc = set_cloexec_nonblock(p[0]);
    if (rc == 0)
        rc = set_cloexec_nonblock(p[1]);
    if (rc < 0) {
        close(p[0]);
        close(p[1]);
        return rc;
    }
    *rfd = p[0];
    *wfd = p[1];
    return 0;
}

void cnet__wake_signal(int wfd)
{
    /* Never read back: once signalled it stays readable, waking every poller. */
    if (write(wfd, "x", 1) < 0) {
        /* a full pipe is readable already */
    }
}

void cnet__wake_close(int rfd, int wfd)
{
    close(rfd);
    close(wfd);
}

void cnet__wake_drain(int rfd)
{
    char buf[64];

    while (cnet__os_read(rfd, buf, sizeof buf) > 0)
        ;
}
