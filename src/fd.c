/* A socket shared by the threads that use one handle.
 *
 * Every operation holds a reference while it runs. Close sets the closing bit, wakes
 * the operations that are blocked in poll (through a wake-up descriptor each of them
 * polls as well), waits until the last one has left, and only then closes the socket,
 * so no thread can ever touch a descriptor number that has been reused. The socket
 * itself is never shut down to wake anyone, because it may be shared with another
 * process (an inherited or handed-over listener) that must keep working.
 *
 * The wake-up descriptor is created only when an operation first has to block: the
 * data-ready path costs one system call and no extra descriptor. A deadline change
 * "kicks" the blocked operations through the same descriptor so that they re-read
 * their deadline; the kicker waits until each of them has acknowledged, then makes the
 * descriptor quiet again. After close it stays readable for good. */
#include "internal.h"
#include "sys.h"

#include <limits.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

enum { CLOSING = 1u, ONE_REF = 2u };

int64_t cnet_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int cnet__poll_timeout(int64_t deadline_ns)
{
    int64_t now, ms;

    if (deadline_ns == 0)
        return -1;
    now = cnet_now_ns();
    if (deadline_ns <= now)
        return 0; /* compared first: the subtraction below cannot overflow */
    ms = (deadline_ns - now) / 1000000 + 1;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

void cnet__fd_init(cnet__fd *fd, int sysfd)
{
    fd->sysfd = sysfd;
    atomic_init(&fd->state, 0u);
    atomic_init(&fd->rdeadline, 0);
    atomic_init(&fd->wdeadline, 0);
    pthread_mutex_init(&fd->mu, NULL);
    pthread_cond_init(&fd->cv, NULL);
    fd->wake_rfd = fd->wake_wfd = -1;
    fd->waiters = fd->kick_gen = fd->kick_acks = 0;
    fd->kicking = false;
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
    unsigned s = atomic_load(&fd->state);

    /* Not closing: drop the reference without the lock (the common case). */
    while (!(s & CLOSING))
        if (atomic_compare_exchange_weak(&fd->state, &s, s - ONE_REF))
            return;
    /* Closing: drop it under the lock, so that close cannot see the count reach zero,
     * destroy the lock and free the handle while this thread still holds it. */
    pthread_mutex_lock(&fd->mu);
    atomic_fetch_sub(&fd->state, ONE_REF);
    pthread_cond_broadcast(&fd->cv);
    pthread_mutex_unlock(&fd->mu);
}

static bool closing(cnet__fd *fd)
{
    return (atomic_load(&fd->state) & CLOSING) != 0;
}

int cnet__fd_check_deadline(const _Atomic int64_t *deadline)
{
    int64_t d = atomic_load(deadline);

    return d != 0 && cnet_now_ns() >= d ? CNET_ETIMEOUT : 0;
}

/* Registers a blocked operation (under mu): waits out a kick in progress and makes
 * sure the wake-up descriptor exists. */
static int enter_wait(cnet__fd *fd, int *wake_rfd, unsigned *gen)
{
    int rc = 0;

    pthread_mutex_lock(&fd->mu);
    while (fd->kicking && !closing(fd))
        pthread_cond_wait(&fd->cv, &fd->mu);
    if (closing(fd))
        rc = CNET_ECLOSED;
    else if (fd->wake_rfd < 0)
        rc = cnet__wake_open(&fd->wake_rfd, &fd->wake_wfd);
    if (rc == 0) {
        fd->waiters++;
        *gen = fd->kick_gen;
        *wake_rfd = fd->wake_rfd;
    }
    pthread_mutex_unlock(&fd->mu);
    return rc;
}

static void leave_wait(cnet__fd *fd, unsigned gen)
{
    pthread_mutex_lock(&fd->mu);
    fd->waiters--;
    if (gen != fd->kick_gen) { /* a kick happened while this operation was blocked */
        fd->kick_acks++;
        pthread_cond_broadcast(&fd->cv);
    }
    pthread_mutex_unlock(&fd->mu);
}

int cnet__fd_wait(cnet__fd *fd, short events, _Atomic int64_t *deadline)
{
    struct pollfd p[2];
    unsigned gen = 0;
    int rc;

    for (;;) {
        rc = cnet__fd_check_deadline(deadline);
        if (rc == 0)
            rc = enter_wait(fd, &p[1].fd, &gen);
        if (rc < 0)
            return rc;
        p[0].fd = fd->sysfd;
        p[0].events = events;
        p[1].events = POLLIN;
        p[0].revents = p[1].revents = 0;
        rc = cnet__os_poll(p, 2, cnet__poll_timeout(atomic_load(deadline)));
        rc = rc < 0 && errno != EINTR ? CNET__ERRNO() : 0;
        leave_wait(fd, gen);
        if (closing(fd))
            return CNET_ECLOSED;
        if (rc < 0 || p[0].revents != 0)
            return rc; /* ready, or an error the next system call will report */
        /* timed out, interrupted or kicked: look at the deadline again */
    }
}

/* Wakes every blocked operation so it re-reads its deadline; returns once each has. */
static void kick(cnet__fd *fd)
{
    unsigned need;

    pthread_mutex_lock(&fd->mu);
    while (fd->kicking && !closing(fd))
        pthread_cond_wait(&fd->cv, &fd->mu);
    if (fd->waiters > 0 && !closing(fd)) {
        fd->kicking = true;
        fd->kick_gen++;
        fd->kick_acks = 0;
        need = fd->waiters;
        cnet__wake_signal(fd->wake_wfd);
        while (fd->kick_acks < need && !closing(fd))
            pthread_cond_wait(&fd->cv, &fd->mu);
        if (!closing(fd))
            cnet__wake_drain(fd->wake_rfd);
        fd->kicking = false;
        pthread_cond_broadcast(&fd->cv);
    }
    pthread_mutex_unlock(&fd->mu);
}

int cnet__fd_set_deadline(cnet__fd *fd, bool read, bool write, int64_t deadline_ns)
{
    if (cnet__fd_acquire(fd) < 0)
        return CNET_ECLOSED;
    if (read)
        atomic_store(&fd->rdeadline, deadline_ns);
    if (write)
        atomic_store(&fd->wdeadline, deadline_ns);
    kick(fd);
    cnet__fd_release(fd);
    return 0;
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
    pthread_cond_broadcast(&fd->cv);
    while (atomic_load(&fd->state) != CLOSING)
        pthread_cond_wait(&fd->cv, &fd->mu);
    pthread_mutex_unlock(&fd->mu);
    if (fd->wake_rfd >= 0)
        cnet__wake_close(fd->wake_rfd, fd->wake_wfd);
    /* Never retried on EINTR: the descriptor is gone either way on Linux and the BSDs. */
    close(fd->sysfd);
    pthread_cond_destroy(&fd->cv);
    pthread_mutex_destroy(&fd->mu);
    return 0;
}
