/* A socket shared by the threads and tasks that use one handle.
 *
 * Every operation holds a reference while it runs. A stop (or the stop that begins a
 * close) sets the closing bit and wakes every blocked operation through the socket's
 * poll descriptor (netpoll.c); close then waits until the last operation has left, and
 * only then closes the socket, so nobody can ever touch a descriptor number that has
 * been reused. The socket itself is never shut down to wake anyone, because it may be
 * shared with another process (an inherited or handed-over listener) that must keep
 * working.
 *
 * Waiting costs no descriptor of its own: a task parks in its scheduler's poller, a
 * thread polls the socket with its thread's wake-up descriptor (wait.c). A deadline
 * change wakes the blocked operations so that they re-read their deadline. */
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
    return cnet__sec_to_ns_sat((int64_t)ts.tv_sec, ts.tv_nsec);
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

int cnet__fd_init(cnet__fd *fd, int sysfd)
{
    fd->pd = cnet__pd_get(sysfd);
    if (fd->pd == NULL)
        return -ENOMEM;
    fd->sysfd = sysfd;
    atomic_init(&fd->state, 0u);
    atomic_init(&fd->rdeadline, 0);
    atomic_init(&fd->wdeadline, 0);
    pthread_mutex_init(&fd->mu, NULL);
    fd->closers.head = NULL;
    return 0;
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
     * destroy the lock and free the handle while this caller still holds it. */
    pthread_mutex_lock(&fd->mu);
    if (atomic_fetch_sub(&fd->state, ONE_REF) == (CLOSING | ONE_REF))
        cnet__waitq_wake(&fd->closers, 0, CNET__WAKE_EVENT);
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

int cnet__fd_wait(cnet__fd *fd, short events, _Atomic int64_t *deadline)
{
    for (;;) {
        unsigned kicks = cnet__pd_kicks(fd->pd); /* before the deadline is read */
        int rc = cnet__fd_check_deadline(deadline);

        if (rc < 0)
            return rc;
        if (closing(fd))
            return CNET_ECLOSED;
        rc = cnet__pd_wait(fd->pd, events, atomic_load(deadline), kicks);
        if (rc == CNET__EXPIRED)
            return CNET_ETIMEOUT;
        if (rc != CNET_ETIMEOUT)
            return rc; /* 0: retry the call (ready, or the deadline changed) */
        /* the wait timed out: look at the deadline again, it may have moved */
    }
}

int cnet__fd_set_deadline(cnet__fd *fd, bool read, bool write, int64_t deadline_ns)
{
    bool past = deadline_ns != 0 && deadline_ns <= cnet_now_ns();

    if (cnet__fd_acquire(fd) < 0)
        return CNET_ECLOSED;
    if (read)
        atomic_store(&fd->rdeadline, deadline_ns);
    if (write)
        atomic_store(&fd->wdeadline, deadline_ns);
    /* A deadline already past fails the calls blocked under it, even if it changes
     * again before they run. */
    cnet__pd_kick(fd->pd, past ? (short)((read ? POLLIN : 0) | (write ? POLLOUT : 0)) : 0, false);
    cnet__fd_release(fd);
    return 0;
}

void cnet__fd_stop(cnet__fd *fd)
{
    /* A reference even when closing: a close in progress waits for this one. */
    unsigned s = atomic_fetch_add(&fd->state, ONE_REF);

    if (!(s & CLOSING) && !(atomic_fetch_or(&fd->state, CLOSING) & CLOSING))
        cnet__pd_kick(fd->pd, 0, true);
    cnet__fd_release(fd);
}

void cnet__fd_close(cnet__fd *fd)
{
    cnet__waiter w;

    cnet__fd_stop(fd);
    pthread_mutex_lock(&fd->mu);
    while (atomic_load(&fd->state) != CLOSING) {
        cnet__waiter_init(&w, &fd->mu, 0);
        cnet__waiter_block(&fd->closers, &w, 0, -1);
    }
    pthread_mutex_unlock(&fd->mu);
    cnet__pd_put(fd->pd);
    /* Never retried on EINTR: the descriptor is gone either way on Linux and the BSDs. */
    close(fd->sysfd);
    pthread_mutex_destroy(&fd->mu);
}
