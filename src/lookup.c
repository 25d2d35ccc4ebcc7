/* Name lookup with a deadline. getaddrinfo cannot be cancelled, so a lookup with a
 * deadline (and every lookup made by a task, which must not block its scheduler) runs
 * on a detached thread; the caller waits for the answer until its deadline, and a late
 * answer is freed by the thread. At most MAX_LOOKUP_THREADS run at once, as Go bounds
 * its cgo lookups: abandoned lookups against a resolver that never answers cannot pile
 * up, and callers beyond the bound queue for a slot within their own deadline. Waiting
 * costs no descriptor (wait.c), so a full descriptor table does not break it. The
 * system resolver is kept (not c-ares) so that /etc/hosts, nsswitch and resolv.conf
 * behave exactly as for every other program on the machine, as with Go's cgo resolver.
 * A plain thread's lookup without a deadline runs on the caller's thread. */
#include "internal.h"
#include "sys.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOOKUP_THREADS 500 /* Go's cgo lookup limit */

typedef struct lookup_job {
    pthread_mutex_t mu; /* guards everything below */
    int refs;           /* the caller and the thread */
    bool done;
    bool stopped;         /* a resolver's stop (cnet_resolver_stop) ended the wait */
    cnet__stop_hook hook; /* how that stop reaches the caller */
    int rc, sys_errno; /* getaddrinfo's result, and errno after it (for EAI_SYSTEM) */
    struct addrinfo *res;
    cnet__waitq caller;
    char host[];
} lookup_job;

/* The resolver threads in flight, and the callers queued for one. */
static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;
static int slots_used;
static cnet__waitq slot_queue;

static int plain_getaddrinfo(const char *host, struct addrinfo **res)
{
    struct addrinfo hints;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM; /* one entry per address */
    return getaddrinfo(host, NULL, &hints, res);
}

/* Takes a thread slot, waiting for one until deadline: false if none came in time. */
static bool take_slot(int64_t deadline)
{
    cnet__waiter w;
    bool got = true;

    pthread_mutex_lock(&slots_mu);
    while (slots_used >= MAX_LOOKUP_THREADS && got) {
        cnet__waiter_init(&w, &slots_mu, 0);
        got = cnet__waiter_block(&slot_queue, &w, deadline, -1) != CNET__WAKE_TIMEOUT;
    }
    if (got)
        slots_used++;
    pthread_mutex_unlock(&slots_mu);
    return got;
}

static void give_slot(void)
{
    pthread_mutex_lock(&slots_mu);
    slots_used--;
    cnet__waitq_wake_one(&slot_queue, CNET__WAKE_EVENT);
    pthread_mutex_unlock(&slots_mu);
}

static void job_unref(lookup_job *job)
{
    int left;

    pthread_mutex_lock(&job->mu);
    left = --job->refs;
    pthread_mutex_unlock(&job->mu);
    if (left > 0)
        return;
    if (job->res != NULL)
        freeaddrinfo(job->res);
    pthread_mutex_destroy(&job->mu);
    free(job);
}

static void *lookup_thread(void *arg)
{
    lookup_job *job = arg;
    struct addrinfo *res = NULL;
    int rc = plain_getaddrinfo(job->host, &res), sys_errno = errno;

    pthread_mutex_lock(&job->mu);
    job->rc = rc;
    job->sys_errno = sys_errno;
    job->res = res;
    job->done = true;
    cnet__waitq_wake(&job->caller, 0, CNET__WAKE_EVENT);
    pthread_mutex_unlock(&job->mu);
    job_unref(job);
    give_slot();
    return NULL;
}

static lookup_job *job_new(const char *host)
{
    size_t n = strlen(host) + 1;
    lookup_job *job = cnet__os_calloc(1, sizeof *job + n);

    if (job == NULL)
        return NULL;
    pthread_mutex_init(&job->mu, NULL);
    job->refs = 2;
    memcpy(job->host, host, n);
    return job;
}

static bool start_thread(lookup_job *job)
{
    pthread_attr_t attr;
    pthread_t tid;
    int rc;

    if (pthread_attr_init(&attr) != 0)
        return false;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = cnet__os_pthread_create(&tid, &attr, lookup_thread, job);
    pthread_attr_destroy(&attr);
    return rc == 0;
}

/* Waits for the thread's answer until deadline. */
static int wait_answer(lookup_job *job, int64_t deadline, struct addrinfo **res, bool *timed_out,
                       bool *stopped)
{
    cnet__waiter w;
    int rc = EAI_AGAIN;

    pthread_mutex_lock(&job->mu);
    while (!job->done && !job->stopped && !*timed_out) {
        cnet__waiter_init(&w, &job->mu, 0);
        *timed_out = cnet__waiter_block(&job->caller, &w, deadline, -1) == CNET__WAKE_TIMEOUT;
    }
    /* Past the deadline the caller times out even if the answer is there (a loaded
     * scheduler may run it late): Go's select would pick either at random. */
    if (deadline != 0 && cnet__poll_timeout(deadline) == 0)
        *timed_out = true;
    if (job->done && !*timed_out) {
        rc = job->rc;
        errno = job->sys_errno; /* as if the caller had called getaddrinfo itself */
        *res = job->res;
        job->res = NULL; /* the caller owns it now */
    } else {
        *stopped = job->stopped;
    }
    pthread_mutex_unlock(&job->mu);
    return rc;
}

/* Runs under the stopper's lock; job->mu is never held while taking that lock. */
static void job_stop(cnet__stop_hook *h)
{
    lookup_job *job = (lookup_job *)(void *)((char *)h - offsetof(lookup_job, hook));

    pthread_mutex_lock(&job->mu);
    job->stopped = true;
    cnet__waitq_wake(&job->caller, 0, CNET__WAKE_EVENT);
    pthread_mutex_unlock(&job->mu);
}

int cnet__getaddrinfo(const char *host, int64_t deadline, struct addrinfo **res, bool *timed_out)
{
    bool stopped;

    return cnet__getaddrinfo_stoppable(host, deadline, NULL, res, timed_out, &stopped);
}

int cnet__getaddrinfo_stoppable(const char *host, int64_t deadline, cnet__stopper *stop,
                                struct addrinfo **res, bool *timed_out, bool *stopped)
{
    lookup_job *job;
    int rc, saved;

    *res = NULL;
    *timed_out = false;
    *stopped = false;
    if (deadline == 0 && stop == NULL && cnet__task_self() == NULL)
        return plain_getaddrinfo(host, res);
    if (deadline != 0 && cnet__poll_timeout(deadline) == 0) {
        *timed_out = true;
        return EAI_AGAIN;
    }
    job = job_new(host);
    if (job == NULL)
        return EAI_MEMORY;
    if (!take_slot(deadline)) {
        job->refs = 1;
        job_unref(job);
        *timed_out = true;
        return EAI_AGAIN;
    }
    if (!start_thread(job)) {
        give_slot();
        job->refs = 1;
        job_unref(job);
        return EAI_AGAIN;
    }
    job->hook.fn = job_stop;
    if (!cnet__stopper_add(stop, &job->hook))
        job->stopped = true; /* stopped before it began: the answer is not awaited */
    rc = wait_answer(job, deadline, res, timed_out, stopped);
    saved = errno;
    cnet__stopper_remove(stop, &job->hook);
    job_unref(job);
    errno = saved;
    return rc;
}
