/* Poll descriptors: what the blocked calls on one socket wait on (Go's pollDesc).
 *
 * A task that finds its socket not ready arms its own scheduler's poller (epoll and
 * kqueue register the socket once, edge-triggered, for both directions) and parks; the
 * poller's event wakes the tasks waiting for that direction. An edge that arrives while
 * nobody waits is remembered (rready / wready), so the next waiter retries at once
 * instead of sleeping through it. A plain thread polls the socket itself together with
 * its wake-up descriptor (wait.c).
 *
 * Descriptors live in a pool of chunks that are never freed: a released descriptor
 * gets a new generation, and an event carrying an old generation (fetched from the
 * poller just before the socket was closed) is dropped. */
#include "internal.h"
#include "sys.h"

#include <poll.h>
#include <stdlib.h>

#define CHUNK 256
#define MAX_CHUNKS 16384 /* 4 M descriptors: far past any descriptor table */

struct cnet__pd {
    pthread_mutex_t mu;      /* guards everything below */
    uint32_t index, gen;
    cnet__pd *next_free;
    int sysfd;
    cnet__poller *registered; /* epoll/kqueue it is registered with, or NULL */
    bool rready, wready;      /* an edge no waiter has consumed yet */
    bool closing;             /* evicted: every wait fails with CNET_ECLOSED */
    atomic_bool hung_up;      /* the poller reported a hang-up or an error */
    atomic_uint kicks;        /* wake-ups of every waiter (written under mu) */
    cnet__waitq waiters;
};

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static cnet__pd *_Atomic chunks[MAX_CHUNKS];
static size_t nchunks;
static cnet__pd *free_list;

static uint64_t token_of(const cnet__pd *pd)
{
    return (uint64_t)pd->gen << 32 | pd->index;
}

/* Under pool_mu. */
static bool grow_pool(void)
{
    cnet__pd *c;

    if (nchunks == MAX_CHUNKS)
        return false;
    c = cnet__os_calloc(CHUNK, sizeof *c);
    if (c == NULL)
        return false;
    for (size_t i = 0; i < CHUNK; i++) {
        pthread_mutex_init(&c[i].mu, NULL);
        c[i].index = (uint32_t)(nchunks * CHUNK + i);
        c[i].next_free = i + 1 < CHUNK ? &c[i + 1] : free_list;
    }
    free_list = c;
    atomic_store(&chunks[nchunks++], c);
    return true;
}

cnet__pd *cnet__pd_get(int sysfd)
{
    cnet__pd *pd = NULL;

    pthread_mutex_lock(&pool_mu);
    if (free_list != NULL || grow_pool()) {
        pd = free_list;
        free_list = pd->next_free;
    }
    pthread_mutex_unlock(&pool_mu);
    if (pd == NULL)
        return NULL;
    pthread_mutex_lock(&pd->mu);
    pd->sysfd = sysfd;
    pd->registered = NULL;
    pd->rready = pd->wready = pd->closing = false;
    atomic_store(&pd->hung_up, false);
    pd->waiters.head = NULL;
    pthread_mutex_unlock(&pd->mu);
    return pd;
}

void cnet__pd_put(cnet__pd *pd)
{
    pthread_mutex_lock(&pd->mu);
    if (pd->registered != NULL)
        cnet__poller_forget(pd->registered, pd->sysfd);
    pd->registered = NULL;
    pd->gen++; /* events still in flight for the old socket are dropped */
    pthread_mutex_unlock(&pd->mu);
    pthread_mutex_lock(&pool_mu);
    pd->next_free = free_list;
    free_list = pd;
    pthread_mutex_unlock(&pool_mu);
}

/* Under pd->mu: consumes a remembered edge for events. */
static bool take_ready(cnet__pd *pd, short events)
{
    bool *ready = events & POLLIN ? &pd->rready : &pd->wready;
    bool was = *ready;

    *ready = false;
    return was;
}

static int wait_result(int why)
{
    return why == CNET__WAKE_TIMEOUT ? CNET_ETIMEOUT : why == CNET__WAKE_EXPIRED ? CNET__EXPIRED : 0;
}

int cnet__pd_wait(cnet__pd *pd, short events, int64_t deadline, unsigned kicks)
{
    cnet__poll_arm arm = {NULL, -1};
    cnet__waiter w;
    int rc = 0, why;

    pthread_mutex_lock(&pd->mu);
    cnet__waiter_init(&w, &pd->mu, events);
    if (pd->closing) {
        rc = CNET_ECLOSED;
    } else if (atomic_load(&pd->kicks) != kicks) {
        rc = 0; /* the deadline changed since the caller read it */
    } else if (w.task == NULL) {
        why = cnet__waiter_block(&pd->waiters, &w, deadline, pd->sysfd);
        rc = wait_result(why);
    } else if (!take_ready(pd, events)) {
        rc = cnet__poller_arm(cnet__task_poller(), pd->sysfd, token_of(pd), events,
                              &pd->registered, &arm);
        if (rc == 0) {
            why = cnet__waiter_block(&pd->waiters, &w, deadline, -1);
            rc = wait_result(why);
            cnet__poller_disarm(&arm);
            if (why == CNET__WAKE_EVENT)
                take_ready(pd, events); /* this waiter retries the call now */
        }
    }
    if (rc == 0 && pd->closing)
        rc = CNET_ECLOSED;
    pthread_mutex_unlock(&pd->mu);
    return rc;
}

unsigned cnet__pd_kicks(cnet__pd *pd)
{
    return atomic_load(&pd->kicks);
}

bool cnet__pd_hung_up(cnet__pd *pd)
{
    return atomic_load(&pd->hung_up);
}

void cnet__pd_kick(cnet__pd *pd, short expired, bool closing)
{
    pthread_mutex_lock(&pd->mu);
    atomic_fetch_add(&pd->kicks, 1);
    if (closing)
        pd->closing = true;
    if (expired != 0)
        cnet__waitq_wake(&pd->waiters, expired, CNET__WAKE_EXPIRED);
    cnet__waitq_wake(&pd->waiters, 0, CNET__WAKE_KICK);
    pthread_mutex_unlock(&pd->mu);
}

static cnet__pd *pd_of_token(uint64_t token)
{
    uint32_t index = (uint32_t)token;
    cnet__pd *c = index / CHUNK < MAX_CHUNKS ? atomic_load(&chunks[index / CHUNK]) : NULL;

    return c == NULL ? NULL : &c[index % CHUNK];
}

void cnet__pd_event(const cnet__pollev *ev)
{
    cnet__pd *pd = pd_of_token(ev->token);

    if (pd == NULL)
        return;
    pthread_mutex_lock(&pd->mu);
    if (pd->gen == (uint32_t)(ev->token >> 32)) {
        if (ev->hangup)
            atomic_store(&pd->hung_up, true);
        if (ev->readable) {
            pd->rready = true;
            cnet__waitq_wake(&pd->waiters, POLLIN, CNET__WAKE_EVENT);
        }
        if (ev->writable) {
            pd->wready = true;
            cnet__waitq_wake(&pd->waiters, POLLOUT, CNET__WAKE_EVENT);
        }
    }
    pthread_mutex_unlock(&pd->mu);
}

void cnet__pd_forget_poller(cnet__poller *p)
{
    size_t n;

    pthread_mutex_lock(&pool_mu);
    n = nchunks;
    pthread_mutex_unlock(&pool_mu);
    for (size_t i = 0; i < n * CHUNK; i++) {
        cnet__pd *pd = &atomic_load(&chunks[i / CHUNK])[i % CHUNK];

        pthread_mutex_lock(&pd->mu);
        if (pd->registered == p) {
            pd->registered = NULL; /* the poller's close drops the kernel's side */
            pd->rready = pd->wready = true; /* edges may be lost: the next wait retries */
        }
        pthread_mutex_unlock(&pd->mu);
    }
}

void cnet__pd_after_fork(void)
{
    pthread_mutex_init(&pool_mu, NULL); /* a thread that held it is gone */
    for (size_t i = 0; i < nchunks * CHUNK; i++) {
        cnet__pd *pd = &atomic_load(&chunks[i / CHUNK])[i % CHUNK];

        pthread_mutex_init(&pd->mu, NULL);
        pd->registered = NULL; /* the parent's poller, shared: never touched from here */
        pd->rready = pd->wready = true;
        pd->waiters.head = NULL; /* they were the parent's threads and tasks */
    }
}

/* ---- several raw descriptors at once (the dialer's attempts) ---------------------- */

/* Parks the task on up to two sockets at once: a waiter on each, sharing one claim so
 * that only the first wake-up readies the task. */
static int park_on_both(cnet__pd *pds[2], cnet__waiter ws[2], const struct pollfd *p, int n,
                        int64_t deadline, _Atomic int *claim)
{
    cnet__poll_arm arms[2] = {{NULL, -1}, {NULL, -1}};
    int first = -1, rc = 0;

    for (int i = 0; i < n; i++) {
        if (pds[i] == NULL)
            continue;
        pthread_mutex_lock(&pds[i]->mu);
        cnet__waiter_init(&ws[i], &pds[i]->mu, p[i].events);
        ws[i].claim = claim;
        if (rc == 0)
            rc = cnet__poller_arm(cnet__task_poller(), p[i].fd, token_of(pds[i]), p[i].events,
                                  &pds[i]->registered, &arms[i]);
        if (rc == 0) {
            cnet__waitq_push(&pds[i]->waiters, &ws[i]);
            ws[i].q = &pds[i]->waiters;
            first = first < 0 ? i : first;
        }
        pthread_mutex_unlock(&pds[i]->mu);
    }
    if (rc == 0 && first >= 0)
        cnet__waiter_park_claimed(&ws[first], deadline);
    for (int i = 0; i < n; i++) {
        if (pds[i] == NULL)
            continue;
        pthread_mutex_lock(&pds[i]->mu);
        cnet__waiter_leave(&ws[i]);
        cnet__poller_disarm(&arms[i]);
        pthread_mutex_unlock(&pds[i]->mu);
    }
    return rc;
}

static int task_poll_any(struct pollfd *p, int n, int64_t deadline)
{
    cnet__pd *pds[2] = {NULL, NULL};
    cnet__waiter ws[2];
    _Atomic int claim = 0;
    int rc = cnet__os_poll(p, (nfds_t)n, 0);

    if (rc != 0 || n > 2 || (deadline != 0 && cnet__poll_timeout(deadline) == 0))
        return rc < 0 ? CNET__ERRNO() : rc;
    for (int i = 0; i < n; i++)
        if (p[i].fd >= 0 && (pds[i] = cnet__pd_get(p[i].fd)) == NULL)
            rc = -ENOMEM;
    if (rc == 0)
        rc = park_on_both(pds, ws, p, n, deadline, &claim);
    for (int i = 0; i < n; i++)
        if (pds[i] != NULL)
            cnet__pd_put(pds[i]);
    if (rc < 0)
        return rc;
    rc = cnet__os_poll(p, (nfds_t)n, 0); /* which are ready now: 0 after the deadline */
    return rc < 0 ? CNET__ERRNO() : rc;
}

int cnet__poll_any(struct pollfd *p, int n, int64_t deadline)
{
    int rc;

    if (cnet__task_self() != NULL)
        return task_poll_any(p, n, deadline);
    rc = cnet__os_poll(p, (nfds_t)n, cnet__poll_timeout(deadline));
    return rc < 0 ? CNET__ERRNO() : rc;
}
