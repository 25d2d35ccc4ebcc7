/* A socket shared by the threads that use one handle.
 *
 * Every operation holds a reference while it runs. Close sets the closing bit, wakes
 * the operations that are blocked in poll (through a wake-up descriptor each of them
 * polls as well), waits until the last one has left, and only then closes the socket,
 * so no thread can ever touch a descriptor number that has been reused. The wake-up
 * descriptor is created only when an operation first has to block: the data-ready path
 * costs one system call and no extra descriptor. The socket itself is never shut down
 * to wake anyone, because it may be shared with another process (an inherited or
 * handed-over listener) that must keep working. */
#include "internal.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

enum { CLOSING = 1u, ONE_REF = 2u };

void cnet__fd_init(cnet__fd *fd, int sysfd)
{
    fd->sysfd = sysfd;
    atomic_init(&fd->state, 0u);
    pthread_mutex_init(&fd->mu, NULL);
    pthread_cond_init(&fd->idle, NULL);
    fd->wake_rfd = -1;
    fd->wake_wfd = -1;
}

int cnet__fd_acquire(cnet__fd *fd)
{
    unsigned s = atomic_fetch_add(&fd->state, ONE_REF);

    if (s & CLOSING) {
        cnet__fd_release(fd);
        return CNET_ECLOSED;
    }
    return 0;
}

void cnet__fd_release(cnet__fd *fd)
{
    unsigned s = atomic_fetch_sub(&fd->state, ONE_REF) - ONE_REF;

    if (s == CLOSING) { /* the last operation leaves a closing descriptor */
        pthread_mutex_lock(&fd->mu);
        pthread_cond_broadcast(&fd->idle);
        pthread_mutex_unlock(&fd->mu);
    }
}

bool cnet__fd_closing(cnet__fd *fd)
{
    return (atomic_load(&fd->state) & CLOSING) != 0;
}

/* Under mu: creates the wake-up descriptor unless closing. */
static int prepare_to_block(cnet__fd *fd, int *wake_rfd)
{
    int rc = 0;

    pthread_mutex_lock(&fd->mu);
    if (cnet__fd_closing(fd))
        rc = CNET_ECLOSED;
    else if (fd->wake_rfd < 0)
        rc = cnet__wake_open(&fd->wake_rfd, &fd->wake_wfd);
    *wake_rfd = fd->wake_rfd;
    pthread_mutex_unlock(&fd->mu);
    return rc;
}

int cnet__fd_wait(cnet__fd *fd, short events)
{
    struct pollfd p[2];
    int rc = prepare_to_block(fd, &p[1].fd);

    if (rc < 0)
        return rc;
    p[0].fd = fd->sysfd;
    p[0].events = events;
    p[1].events = POLLIN;
    for (;;) {
        p[0].revents = p[1].revents = 0;
        rc = poll(p, 2, -1);
        if (rc < 0 && errno != EINTR)
            return CNET__ERRNO();
        if (p[1].revents != 0 || cnet__fd_closing(fd))
            return CNET_ECLOSED;
        if (rc > 0)
            return 0; /* ready, or an error/hang-up the next syscall will report */
    }
}

int cnet__fd_close(cnet__fd *fd)
{
    unsigned s;

    pthread_mutex_lock(&fd->mu);
    s = atomic_fetch_or(&fd->state, CLOSING);
    if (s & CLOSING) {
        pthread_mutex_unlock(&fd->mu);
        return CNET_ECLOSED;
    }
    if (fd->wake_wfd >= 0)
        cnet__wake_signal(fd->wake_wfd);
    while (atomic_load(&fd->state) != CLOSING)
        pthread_cond_wait(&fd->idle, &fd->mu);
    pthread_mutex_unlock(&fd->mu);
    if (fd->wake_rfd >= 0)
        cnet__wake_close(fd->wake_rfd, fd->wake_wfd);
    /* Never retried on EINTR: the descriptor is gone either way on Linux and the BSDs. */
    close(fd->sysfd);
    pthread_cond_destroy(&fd->idle);
    pthread_mutex_destroy(&fd->mu);
    return 0;
}
