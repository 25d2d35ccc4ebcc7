/* Wake-up descriptor on the BSDs: a close-on-exec, non-blocking pipe. */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

const char cnet__wake_syscall[] = "pipe";

int cnet__wake_open(int *rfd, int *wfd)
{
    int p[2], rc = cnet__sys_pipe(p);

    if (rc < 0)
        return rc;
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

    while (read(rfd, buf, sizeof buf) > 0)
        ;
}
