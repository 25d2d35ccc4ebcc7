/* Wake-up descriptor on Linux: one eventfd serves as both ends. */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

const char cnet__wake_syscall[] = "eventfd";

int cnet__wake_open(int *rfd, int *wfd)
{
    int fd;

    CNET__FAULT("eventfd", CNET__ERRNO());
    fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

    if (fd < 0)
        return CNET__ERRNO();
    *rfd = *wfd = fd;
    return 0;
}

void cnet__wake_signal(int wfd)
{
    uint64_t one = 1;

    /* Never read back: once signalled it stays readable, waking every poller. */
    if (write(wfd, &one, sizeof one) < 0) {
        /* only EAGAIN on counter overflow is possible, and then it is readable anyway */
    }
}

void cnet__wake_close(int rfd, int wfd)
{
    (void)wfd;
    close(rfd);
}

void cnet__wake_drain(int rfd)
{
    uint64_t n;

    if (read(rfd, &n, sizeof n) < 0) {
        /* EAGAIN: already quiet */
    }
}
