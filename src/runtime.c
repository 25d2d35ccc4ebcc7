/* The runtime: scheduler threads that run tasks (stackful coroutines) and wait on one
 * poller each.
 *
 * Each scheduler owns a local run queue (touched only by its thread), a remote queue
 * (other threads make its tasks runnable there, under a mutex), a timer heap and a
 * poller. A task never leaves the scheduler it was placed on, so errno and thread-local
 * storage behave; cnet_go places new tasks round-robin. When the run queue is empty the
 * scheduler sleeps in its poller until an event, a timer or a wake-up from another
 * thread. cnet_run returns when the last task has returned. */
#include "internal.h"
#include "sys.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sanitizer_fiber.h"

#define POLL_EVENTS 128
#define POLL_EVERY 61     /* run-queue turns between non-blocking polls: I/O is not starved */
#define STACK_CACHE 64    /* finished tasks' stacks kept per scheduler for the next ones */

struct cnet__task {
    void *sp;
    cnet__stack stack;
    void (*fn)(void *);
    void *arg;
    cnet__sched *sched;
    cnet__task *next;
    bool done;
    cnet__fiber_san san;
};

struct cnet__sched {
    pthread_t thread;
    cnet__poller *poller;
    void *sp;                        /* the scheduler's own context while a task runs */
    cnet__task *runq_head, *runq_tail;
    pthread_mutex_t mu;              /* guards the remote queue and the sleep state */
    cnet__task *remote_head, *remote_tail;
    bool sleeping, wake_sent;
    cnet__timer **heap;
    size_t nheap, capheap;
    cnet__stack cache[STACK_CACHE];
    size_t ncache;
    unsigned tick;
    cnet__fiber_san san;
};

static struct {
    cnet__sched *scheds;
    int n;
    size_t stack_size;
    atomic_uint next;   /* round-robin placement */
    atomic_long live;   /* tasks started and not yet returned */
    atomic_bool running;
} rt;

static _Thread_local cnet__sched *self_sched;
static _Thread_local cnet__task *self_task;

cnet__task *cnet__task_self(void)
{
    return self_task;
}

cnet__poller *cnet__task_poller(void)
{
    return self_sched->poller;
}

int cnet_in_task(void)
{
    return self_task != NULL;
}

/* ---- timers: a binary min-heap per scheduler -------------------------------------- */

static void heap_set(cnet__sched *s, size_t i, cnet__timer *t)
{
    s->heap[i] = t;
    t->index = i;
}

static void heap_up(cnet__sched *s, size_t i)
{
    cnet__timer *t = s->heap[i];

    while (i > 0 && s->heap[(i - 1) / 2]->when > t->when) {
        heap_set(s, i, s->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(s, i, t);
}

static void heap_down(cnet__sched *s, size_t i)
{
    cnet__timer *t = s->heap[i];

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= s->nheap)
            break;
        if (c + 1 < s->nheap && s->heap[c + 1]->when < s->heap[c]->when)
            c++;
        if (s->heap[c]->when >= t->when)
            break;
        heap_set(s, i, s->heap[c]);
        i = c;
    }
    heap_set(s, i, t);
}

void cnet__timer_start(cnet__timer *t, int64_t when)
{
    cnet__sched *s = self_sched;

    if (s->nheap == s->capheap) {
        size_t cap = s->capheap ? 2 * s->capheap : 64;
        cnet__timer **h = realloc(s->heap, cap * sizeof *h);

        if (h == NULL)
            abort(); /* a timer cannot be refused: the wait it bounds has begun */
        s->heap = h;
        s->capheap = cap;
    }
    t->when = when;
    heap_set(s, s->nheap++, t);
    heap_up(s, t->index);
}

void cnet__timer_stop(cnet__timer *t)
{
    cnet__sched *s = self_sched;
    size_t i = t->index;

    if (i == SIZE_MAX)
        return;
    t->index = SIZE_MAX;
    if (i == --s->nheap)
        return;
    heap_set(s, i, s->heap[s->nheap]);
    heap_down(s, i);
    heap_up(s, s->heap[i]->index);
}

/* Fires the timers that are due; returns the poll timeout until the next one. */
static int run_timers(cnet__sched *s)
{
    while (s->nheap > 0) {
        cnet__timer *t = s->heap[0];

        if (t->when > cnet_now_ns())
            return cnet__poll_timeout(t->when);
        cnet__timer_stop(t);
        t->fire(t);
    }
    return -1;
}

/* ---- run queues ------------------------------------------------------------------- */

static void push(cnet__task **head, cnet__task **tail, cnet__task *t)
{
    t->next = NULL;
    if (*tail != NULL)
        (*tail)->next = t;
    else
        *head = t;
    *tail = t;
}

void cnet__task_ready(cnet__task *t)
{
    cnet__sched *s = t->sched;
    bool wake;

    if (self_sched == s) {
        push(&s->runq_head, &s->runq_tail, t);
        return;
    }
    pthread_mutex_lock(&s->mu);
    push(&s->remote_head, &s->remote_tail, t);
    wake = s->sleeping && !s->wake_sent;
    s->wake_sent |= wake;
    pthread_mutex_unlock(&s->mu);
    if (wake)
        cnet__poller_wakeup(s->poller);
}

static void take_remote(cnet__sched *s)
{
    pthread_mutex_lock(&s->mu);
    if (s->remote_head != NULL) {
        if (s->runq_tail != NULL)
            s->runq_tail->next = s->remote_head;
        else
            s->runq_head = s->remote_head;
        s->runq_tail = s->remote_tail;
        s->remote_head = s->remote_tail = NULL;
    }
    pthread_mutex_unlock(&s->mu);
}

static void wake_all(void)
{
    for (int i = 0; i < rt.n; i++)
        cnet__poller_wakeup(rt.scheds[i].poller);
}

/* ---- switching -------------------------------------------------------------------- */

static void switch_to_task(cnet__sched *s, cnet__task *t)
{
    self_task = t;
    cnet__fiber_san_leave(&s->san, &t->san, false);
    cnet__ctx_switch(&s->sp, t->sp);
    cnet__fiber_san_back(&s->san, NULL);
    self_task = NULL;
}

static void switch_to_sched(cnet__task *t, bool dying)
{
    cnet__sched *s = t->sched;

    cnet__fiber_san_leave(&t->san, &s->san, dying);
    cnet__ctx_switch(&t->sp, s->sp);
    cnet__fiber_san_back(&t->san, &s->san);
}

void cnet__task_park(void)
{
    switch_to_sched(self_task, false);
}

void cnet_yield(void)
{
    cnet__task *t = self_task;

    if (t == NULL) {
        sched_yield();
        return;
    }
    push(&t->sched->runq_head, &t->sched->runq_tail, t);
    cnet__task_park();
}

static void task_entry(void *arg)
{
    cnet__task *t = arg;

    cnet__fiber_san_back(&t->san, &t->sched->san);
    t->fn(t->arg);
    t->done = true;
    switch_to_sched(t, true);
}

/* ---- tasks ------------------------------------------------------------------------ */

static void task_free(cnet__sched *s, cnet__task *t)
{
    cnet__fiber_san_destroy(&t->san);
    if (s != NULL && s->ncache < STACK_CACHE)
        s->cache[s->ncache++] = t->stack;
    else
        cnet__stack_free(&t->stack);
    free(t);
}

/* A task for fn(arg) placed on s, not yet runnable. */
static int task_new(cnet__sched *s, void (*fn)(void *), void *arg, cnet__task **out)
{
    cnet__sched *mine = self_sched;
    cnet__task *t = cnet__os_calloc(1, sizeof *t);
    int rc = 0;

    if (t == NULL)
        return -ENOMEM;
    if (mine != NULL && mine->ncache > 0)
        t->stack = mine->cache[--mine->ncache];
    else
        rc = cnet__stack_alloc(&t->stack, rt.stack_size);
    if (rc < 0) {
        free(t);
        return rc == -EAGAIN ? -ENOMEM : rc;
    }
    t->fn = fn;
    t->arg = arg;
    t->sched = s;
    t->sp = cnet__ctx_make((char *)t->stack.base + t->stack.size, task_entry, t);
    cnet__fiber_san_init(&t->san, t->stack.base, t->stack.size);
    *out = t;
    return 0;
}

int cnet_go(void (*fn)(void *), void *arg)
{
    long live = atomic_load(&rt.live);
    cnet__task *t;
    cnet__sched *s;
    int rc;

    if (fn == NULL)
        return -EINVAL;
    /* A thread outside the runtime may add a task only while another one keeps it up. */
    do {
        if (self_task == NULL && live <= 0)
            return -EPERM;
    } while (!atomic_compare_exchange_weak(&rt.live, &live, live + 1));
    s = &rt.scheds[atomic_fetch_add(&rt.next, 1) % (unsigned)rt.n];
    rc = task_new(s, fn, arg, &t);
    if (rc < 0) {
        if (atomic_fetch_sub(&rt.live, 1) == 1)
            wake_all();
        return rc;
    }
    cnet__task_ready(t);
    return 0;
}

/* ---- the scheduler loop ----------------------------------------------------------- */

static void poll_events(cnet__sched *s, int timeout_ms)
{
    cnet__pollev ev[POLL_EVENTS];
    int n = cnet__poller_wait(s->poller, timeout_ms, ev, POLL_EVENTS);

    for (int i = 0; i < n; i++)
        cnet__pd_event(&ev[i]);
}

/* Sleeps in the poller unless a remote task arrived; the mutex orders it against
 * cnet__task_ready, so no wake-up is lost. */
static void sleep_in_poller(cnet__sched *s, int timeout_ms)
{
    pthread_mutex_lock(&s->mu);
    if (s->remote_head != NULL) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    s->sleeping = true;
    pthread_mutex_unlock(&s->mu);
    poll_events(s, timeout_ms);
    pthread_mutex_lock(&s->mu);
    s->sleeping = s->wake_sent = false;
    pthread_mutex_unlock(&s->mu);
}

static void run_one(cnet__sched *s)
{
    cnet__task *t = s->runq_head;

    s->runq_head = t->next;
    if (s->runq_head == NULL)
        s->runq_tail = NULL;
    switch_to_task(s, t);
    if (t->done) {
        task_free(s, t);
        if (atomic_fetch_sub(&rt.live, 1) == 1)
            wake_all(); /* the last task returned: every scheduler stops */
    }
}

static void *sched_main(void *arg)
{
    cnet__sched *s = arg;
    int timeout;

    self_sched = s;
    cnet__fiber_san_self(&s->san);
    for (;;) {
        take_remote(s);
        timeout = run_timers(s);
        if (s->runq_head != NULL) {
            if (++s->tick % POLL_EVERY == 0)
                poll_events(s, 0);
            run_one(s);
        } else if (atomic_load(&rt.live) == 0) {
            break;
        } else {
            sleep_in_poller(s, timeout);
        }
    }
    self_sched = NULL;
    return NULL;
}

/* ---- cnet_run --------------------------------------------------------------------- */

static int online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

static void scheds_free(int n)
{
    for (int i = 0; i < n; i++) {
        cnet__sched *s = &rt.scheds[i];

        cnet__pd_forget_poller(s->poller);
        cnet__poller_close(s->poller);
        while (s->ncache > 0)
            cnet__stack_free(&s->cache[--s->ncache]);
        free(s->heap);
        pthread_mutex_destroy(&s->mu);
    }
    free(rt.scheds);
    rt.scheds = NULL;
    rt.n = 0;
}

/* n schedulers with their pollers; on failure none. */
static int scheds_new(int n, const char **syscall)
{
    int rc = 0, made;

    rt.scheds = cnet__os_calloc((size_t)n, sizeof *rt.scheds);
    if (rt.scheds == NULL) {
        *syscall = "calloc";
        return -ENOMEM;
    }
    for (made = 0; made < n && rc == 0; made++) {
        rc = cnet__poller_open(&rt.scheds[made].poller, syscall);
        if (rc == 0)
            pthread_mutex_init(&rt.scheds[made].mu, NULL);
    }
    if (rc < 0) {
        rt.n = made - 1;
        scheds_free(made - 1);
        return rc;
    }
    rt.n = n;
    return 0;
}

/* Threads for schedulers 1..n-1 (0 runs on the caller's thread). On failure, the ones
 * started are stopped and joined. */
static int start_threads(void)
{
    int i, rc = 0;

    for (i = 1; i < rt.n && rc == 0; i++)
        rc = -cnet__os_pthread_create(&rt.scheds[i].thread, NULL, sched_main, &rt.scheds[i]);
    if (rc < 0) {
        atomic_store(&rt.live, 0);
        wake_all();
        for (int j = 1; j < i - 1; j++)
            pthread_join(rt.scheds[j].thread, NULL);
    }
    return rc;
}

static int run_error(cnet_error *err, int code, const char *syscall)
{
    atomic_store(&rt.running, false);
    if (syscall == NULL)
        return cnet__op_error(err, code, "run", NULL, NULL, NULL, cnet_strerror(code));
    return cnet__sys_error(err, code, "run", NULL, NULL, NULL, syscall);
}

int cnet_run(const cnet_runtime_config *cfg, void (*main_fn)(void *), void *arg, cnet_error *err)
{
    static const cnet_runtime_config defaults;
    const char *syscall = NULL;
    cnet__task *main_task;
    bool idle = false;
    int rc;

    cnet__err_clear(err);
    cfg = cfg != NULL ? cfg : &defaults;
    if (main_fn == NULL)
        return cnet__null_arg(err, "run", "main_fn");
    if (cfg->threads < 0)
        return cnet__op_error(err, -EINVAL, "run", NULL, NULL, NULL, "invalid argument: threads < 0");
    if (self_task != NULL || !atomic_compare_exchange_strong(&rt.running, &idle, true))
        return cnet__op_error(err, -EBUSY, "run", NULL, NULL, NULL, "the runtime is already running");
    rt.stack_size = cnet__stack_round(cfg->stack_size ? cfg->stack_size : CNET_DEFAULT_STACK_SIZE);
    rc = scheds_new(cfg->threads > 0 ? cfg->threads : online_cpus(), &syscall);
    if (rc < 0)
        return run_error(err, rc, syscall);
    rc = task_new(&rt.scheds[0], main_fn, arg, &main_task);
    if (rc < 0) {
        scheds_free(rt.n);
        return run_error(err, rc, "mmap");
    }
    atomic_store(&rt.live, 1);
    rc = start_threads();
    if (rc < 0) {
        task_free(NULL, main_task);
        scheds_free(rt.n);
        return run_error(err, rc, "pthread_create");
    }
    push(&rt.scheds[0].runq_head, &rt.scheds[0].runq_tail, main_task);
    sched_main(&rt.scheds[0]);
    for (int i = 1; i < rt.n; i++)
        pthread_join(rt.scheds[i].thread, NULL);
    scheds_free(rt.n);
    atomic_store(&rt.running, false);
    return 0;
}

/* ---- sleeping --------------------------------------------------------------------- */

typedef struct sleeper {
    cnet__timer timer;
    cnet__task *task;
} sleeper;

static void sleeper_fired(cnet__timer *t)
{
    cnet__task_ready(((sleeper *)(void *)t)->task);
}

void cnet_sleep(int64_t ns)
{
    sleeper sl = {.timer = {.index = SIZE_MAX, .fire = sleeper_fired}, .task = self_task};
    struct timespec ts;

    if (ns <= 0)
        return;
    if (sl.task != NULL) {
        cnet__timer_start(&sl.timer, cnet__add_sat_ns(cnet_now_ns(), ns));
        cnet__task_park();
        return;
    }
    ts.tv_sec = (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}
