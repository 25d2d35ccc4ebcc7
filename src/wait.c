/* Blocking, for tasks and plain threads alike.
 *
 * Every blocked call is a waiter on its own stack, linked into a queue under the
 * queue's lock. A waker holds that lock while it marks the waiter woken and readies it;
 * the waiter takes the lock again before returning. So a waker never touches a waiter
 * that has returned, and a wake-up can never be lost between the check and the sleep.
 *
 * A task parks (its scheduler runs other tasks); a deadline is a timer on its own
 * scheduler. A plain thread polls its own wake-up descriptor, made on the thread's
 * first wait and closed when the thread exits: descriptors grow with threads, never
 * with handles. When the descriptor table is full and none can be made, the thread
 * still waits correctly, re-checking every SLICE_MS instead of being woken. */
#include "internal.h"
#include "sys.h"

#include <poll.h>
#include <stddef.h>
#include <stdlib.h>

#define SLICE_MS 20 /* the re-check period of a thread that has no wake-up descriptor */

typedef struct cnet__thread_wake {
    int rfd, wfd; /* -1 until made */
} cnet__thread_wake;

static pthread_key_t wake_key;
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

static void thread_wake_free(void *arg)
{
    cnet__thread_wake *tw = arg;

    if (tw->rfd >= 0)
        cnet__wake_close(tw->rfd, tw->wfd);
    free(tw);
}

static bool wake_key_made;

static void make_key(void)
{
    if (pthread_key_create(&wake_key, thread_wake_free) != 0)
        abort(); /* only EAGAIN (no keys left) or ENOMEM, at the first wait of the process */
    wake_key_made = true;
    /* A child of fork shares this thread's wake-up descriptor: it must make its own. */
    pthread_atfork(NULL, NULL, cnet__thread_wake_after_fork);
}

/* The calling thread's wake-up record, NULL only when memory is short. Its descriptor
 * is retried at each wait until it can be made. */
static cnet__thread_wake *thread_wake(void)
{
    cnet__thread_wake *tw;

    pthread_once(&wake_once, make_key);
    tw = pthread_getspecific(wake_key);
    if (tw == NULL) {
        tw = malloc(sizeof *tw);
        if (tw == NULL)
            return NULL;
        tw->rfd = tw->wfd = -1;
        if (pthread_setspecific(wake_key, tw) != 0) {
            free(tw);
            return NULL;
        }
    }
    if (tw->rfd < 0 && cnet__wake_open(&tw->rfd, &tw->wfd) < 0)
        tw->rfd = tw->wfd = -1;
    return tw;
}

void cnet__thread_wake_after_fork(void)
{
    cnet__thread_wake *tw = wake_key_made ? pthread_getspecific(wake_key) : NULL;

    /* The descriptor is shared with the parent's thread: the child makes its own. */
    if (tw != NULL && tw->rfd >= 0) {
        cnet__wake_close(tw->rfd, tw->wfd);
        tw->rfd = tw->wfd = -1;
    }
}

void cnet__waiter_init(cnet__waiter *w, pthread_mutex_t *lock, short events)
{
    w->next = w->prev = NULL;
    w->task = cnet__task_self();
    w->tw = NULL;
    w->lock = lock;
    w->q = NULL;
    w->claim = NULL;
    w->events = events;
    atomic_init(&w->woken, CNET__WAKE_NONE);
    w->timer.index = SIZE_MAX;
}

void cnet__waitq_push(cnet__waitq *q, cnet__waiter *w)
{
    w->prev = NULL;
    w->next = q->head;
    if (q->head != NULL)
        q->head->prev = w;
    q->head = w;
}

static void unlink_waiter(cnet__waitq *q, cnet__waiter *w)
{
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        q->head = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    w->next = w->prev = NULL;
}

/* Under the lock: w has not been woken yet. */
static void wake(cnet__waiter *w, int why)
{
    atomic_store(&w->woken, why);
    if (w->claim != NULL && atomic_exchange(w->claim, 1) != 0)
        return; /* the task was readied by another of its waiters */
    if (w->task != NULL)
        cnet__task_ready(w->task);
    else if (w->tw != NULL && w->tw->wfd >= 0)
        cnet__wake_signal(w->tw->wfd);
}

int cnet__waitq_wake(cnet__waitq *q, short events, int why)
{
    cnet__waiter *w = q->head, *next;
    int n = 0;

    for (; w != NULL; w = next) {
        next = w->next;
        if (events == 0 || (w->events & events) != 0) {
            unlink_waiter(q, w);
            wake(w, why);
            n++;
        }
    }
    return n;
}

bool cnet__waitq_wake_one(cnet__waitq *q, int why)
{
    cnet__waiter *w = q->head;

    if (w == NULL)
        return false;
    while (w->next != NULL)
        w = w->next; /* the oldest: first come, first served */
    unlink_waiter(q, w);
    wake(w, why);
    return true;
}

/* ---- tasks ----------------------------------------------------------------------- */

/* Runs on the task's own scheduler, while the task is parked. */
static void deadline_fired(cnet__timer *t)
{
    cnet__waiter *w = (cnet__waiter *)((char *)t - offsetof(cnet__waiter, timer));

    pthread_mutex_lock(w->lock);
    if (atomic_load(&w->woken) == CNET__WAKE_NONE) {
        unlink_waiter(w->q, w);
        wake(w, CNET__WAKE_TIMEOUT);
    }
    pthread_mutex_unlock(w->lock);
}

/* The timer and the parked task live on the same scheduler thread, so the timer can
 * only fire while the task is parked, whatever the queue's lock is doing. */
void cnet__waiter_park_claimed(cnet__waiter *timed, int64_t deadline)
{
    if (deadline != 0) {
        timed->timer.fire = deadline_fired;
        cnet__timer_start(&timed->timer, deadline);
    }
    cnet__task_park();
    if (deadline != 0)
        cnet__timer_stop(&timed->timer);
}

static int task_block(cnet__waiter *w, int64_t deadline)
{
    pthread_mutex_unlock(w->lock);
    cnet__waiter_park_claimed(w, deadline);
    pthread_mutex_lock(w->lock);
    return atomic_load(&w->woken);
}

void cnet__waiter_leave(cnet__waiter *w)
{
    if (w->q != NULL && atomic_load(&w->woken) == CNET__WAKE_NONE)
        unlink_waiter(w->q, w);
    w->q = NULL;
}

/* ---- plain threads --------------------------------------------------------------- */

static int thread_poll_timeout(const cnet__thread_wake *tw, int64_t deadline)
{
    int ms = cnet__poll_timeout(deadline);

    if (tw == NULL || tw->rfd < 0)
        return ms < 0 || ms > SLICE_MS ? SLICE_MS : ms;
    return ms;
}

/* Polls until woken, sysfd ready or the deadline; returns the reason it saw. */
static int thread_poll(cnet__waiter *w, int64_t deadline, int sysfd)
{
    cnet__thread_wake *tw = w->tw;
    struct pollfd p[2];
    int n = 0, wake_at = -1;

    if (tw != NULL && tw->rfd >= 0) {
        p[n] = (struct pollfd){.fd = tw->rfd, .events = POLLIN};
        wake_at = n++;
    }
    if (sysfd >= 0)
        p[n++] = (struct pollfd){.fd = sysfd, .events = w->events};
    for (;;) {
        int rc = cnet__os_poll(p, (nfds_t)n, thread_poll_timeout(tw, deadline));

        if (rc < 0 && errno != EINTR)
            return CNET__WAKE_EVENT; /* the next system call reports what is wrong */
        if (sysfd >= 0 && rc > 0 && p[n - 1].revents != 0)
            return CNET__WAKE_EVENT;
        if (wake_at >= 0 && rc > 0 && p[wake_at].revents != 0)
            cnet__wake_drain(tw->rfd);
        if (atomic_load(&w->woken) != CNET__WAKE_NONE)
            return CNET__WAKE_NONE;
        if (deadline != 0 && cnet__poll_timeout(deadline) == 0)
            return CNET__WAKE_TIMEOUT;
    }
}

static int thread_block(cnet__waitq *q, cnet__waiter *w, int64_t deadline, int sysfd)
{
    int seen;

    w->tw = thread_wake();
    pthread_mutex_unlock(w->lock);
    seen = thread_poll(w, deadline, sysfd);
    pthread_mutex_lock(w->lock);
    if (atomic_load(&w->woken) == CNET__WAKE_NONE) {
        unlink_waiter(q, w);
        atomic_store(&w->woken, seen);
    }
    return atomic_load(&w->woken);
}

int cnet__waiter_block(cnet__waitq *q, cnet__waiter *w, int64_t deadline, int sysfd)
{
    cnet__waitq_push(q, w);
    w->q = q;
    if (w->task != NULL)
        return task_block(w, deadline);
    return thread_block(q, w, deadline, sysfd);
}

/* ---- Go's WaitGroup ---------------------------------------------------------------- */

struct cnet_waitgroup {
    pthread_mutex_t mu;
    long count;
    cnet__waitq waiters;
};

int cnet_waitgroup_new(cnet_waitgroup **wg)
{
    if (wg == NULL)
        return -EINVAL;
    *wg = cnet__os_calloc(1, sizeof **wg);
    if (*wg == NULL)
        return -ENOMEM;
    pthread_mutex_init(&(*wg)->mu, NULL);
    return 0;
}

int cnet_waitgroup_add(cnet_waitgroup *wg, int delta)
{
    int rc = 0;

    if (wg == NULL)
        return -EINVAL;
    pthread_mutex_lock(&wg->mu);
    if (wg->count + delta < 0)
        rc = -EINVAL;
    else if ((wg->count += delta) == 0)
        cnet__waitq_wake(&wg->waiters, 0, CNET__WAKE_EVENT);
    pthread_mutex_unlock(&wg->mu);
    return rc;
}

int cnet_waitgroup_done(cnet_waitgroup *wg)
{
    return cnet_waitgroup_add(wg, -1);
}

int cnet_waitgroup_wait(cnet_waitgroup *wg)
{
    cnet__waiter w;

    if (wg == NULL)
        return -EINVAL;
    pthread_mutex_lock(&wg->mu);
    while (wg->count > 0) {
        cnet__waiter_init(&w, &wg->mu, 0);
        cnet__waiter_block(&wg->waiters, &w, 0, -1);
    }
    pthread_mutex_unlock(&wg->mu);
    return 0;
}

void cnet_waitgroup_free(cnet_waitgroup *wg)
{
    if (wg == NULL)
        return;
    pthread_mutex_destroy(&wg->mu);
    free(wg);
}
