/* Name lookup with a deadline. getaddrinfo cannot be cancelled, so a lookup with a
 * deadline runs on a detached thread; the caller waits on a wake-up descriptor until
 * the answer or the deadline, whichever comes first, and a late answer is freed by the
 * thread. The system resolver is kept (not c-ares) so that /etc/hosts, nsswitch and
 * resolv.conf behave exactly as for every other program on the machine, as with Go's
 * cgo resolver. Without a deadline the lookup runs on the caller's thread. */
#include "internal.h"
#include "sys.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct lookup_job {
    pthread_mutex_t mu;
    int refs; /* the caller and the thread */
    bool done;
    int rc;
    struct addrinfo *res;
    int wake_rfd, wake_wfd;
    char host[];
} lookup_job;

static int plain_getaddrinfo(const char *host, struct addrinfo **res)
{
    struct addrinfo hints;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM; /* one entry per address */
    return getaddrinfo(host, NULL, &hints, res);
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
    cnet__wake_close(job->wake_rfd, job->wake_wfd);
    pthread_mutex_destroy(&job->mu);
    free(job);
}

static void *lookup_thread(void *arg)
{
    lookup_job *job = arg;
    struct addrinfo *res = NULL;
    int rc = plain_getaddrinfo(job->host, &res);

    pthread_mutex_lock(&job->mu);
    job->rc = rc;
    job->res = res;
    job->done = true;
    pthread_mutex_unlock(&job->mu);
    cnet__wake_signal(job->wake_wfd);
    job_unref(job);
    return NULL;
}

static lookup_job *job_new(const char *host)
{
    size_t n = strlen(host) + 1;
    lookup_job *job = cnet__os_calloc(1, sizeof *job + n);

    if (job == NULL)
        return NULL;
    if (cnet__wake_open(&job->wake_rfd, &job->wake_wfd) < 0) {
        free(job);
        return NULL;
    }
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
static int wait_answer(lookup_job *job, int64_t deadline, struct addrinfo **res, bool *timed_out)
{
    struct pollfd p = {.fd = job->wake_rfd, .events = POLLIN};
    int rc = EAI_AGAIN;

    while (!*timed_out) {
        pthread_mutex_lock(&job->mu);
        if (job->done) {
            rc = job->rc;
            *res = job->res;
            job->res = NULL; /* the caller owns it now */
            pthread_mutex_unlock(&job->mu);
            break;
        }
        pthread_mutex_unlock(&job->mu);
        if (cnet__os_poll(&p, 1, cnet__poll_timeout(deadline)) == 0)
            *timed_out = cnet__poll_timeout(deadline) == 0;
    }
    return rc;
}

int cnet__getaddrinfo(const char *host, int64_t deadline, struct addrinfo **res, bool *timed_out)
{
    lookup_job *job;
    int rc;

    *res = NULL;
    *timed_out = false;
    if (deadline == 0)
        return plain_getaddrinfo(host, res);
    if (cnet__poll_timeout(deadline) == 0) {
        *timed_out = true;
        return EAI_AGAIN;
    }
    job = job_new(host);
    if (job == NULL)
        return EAI_MEMORY;
    if (!start_thread(job)) {
        job->refs = 1;
        job_unref(job);
        return EAI_AGAIN;
    }
    rc = wait_answer(job, deadline, res, timed_out);
    job_unref(job);
    return rc;
}
