/* Micro-benchmarks of cnet's task runtime, against bench/micro_go (issue 10):
 *
 *   micro_tasks switch M    two tasks on one scheduler thread, each calling cnet_yield
 *                           M times: every yield switches to the other. Prints
 *                           nanoseconds per switch.
 *   micro_tasks spawn K B   K tasks, B at a time (1 <= B <= 1000): cnet_go of a task
 *                           that only calls cnet_waitgroup_done, then
 *                           cnet_waitgroup_wait for the batch. Prints nanoseconds per
 *                           task (spawn, run, end). B = 1 is the steady state of a
 *                           server that starts tasks one by one; B = 1000 a burst, with
 *                           1000 tasks alive at once.
 *
 * One scheduler thread (the benchmark pins the process to one CPU, and the Go side
 * runs with GOMAXPROCS=1). Batches keep the live tasks bounded: each holds a stack
 * mapping, and a process has at most vm.max_map_count mappings. */
#define _GNU_SOURCE
#include <cnet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 1000

static long count, batch;
static int64_t elapsed_ns;

static cnet_waitgroup *new_waitgroup(void)
{
    cnet_waitgroup *wg;

    if (cnet_waitgroup_new(&wg) < 0) {
        fprintf(stderr, "micro_tasks: cnet_waitgroup_new failed\n");
        exit(1);
    }
    return wg;
}

static void go_or_die(void (*fn)(void *), void *arg)
{
    int rc = cnet_go(fn, arg);

    if (rc < 0) {
        fprintf(stderr, "micro_tasks: cnet_go: %s\n", cnet_strerror(rc));
        exit(1);
    }
}

static void yielder(void *arg)
{
    long i;

    for (i = 0; i < count; i++)
        cnet_yield();
    cnet_waitgroup_done(arg);
}

static void run_switch(void *arg)
{
    cnet_waitgroup *wg = new_waitgroup();
    int64_t t0 = cnet_now_ns();

    (void)arg;
    cnet_waitgroup_add(wg, 2);
    go_or_die(yielder, wg);
    go_or_die(yielder, wg);
    cnet_waitgroup_wait(wg);
    elapsed_ns = cnet_now_ns() - t0;
    cnet_waitgroup_free(wg);
}

static void done(void *arg)
{
    cnet_waitgroup_done(arg);
}

static void run_spawn(void *arg)
{
    cnet_waitgroup *wg = new_waitgroup();
    int64_t t0 = cnet_now_ns();
    long b, i;

    (void)arg;
    for (b = 0; b < count / batch; b++) {
        cnet_waitgroup_add(wg, (int)batch);
        for (i = 0; i < batch; i++)
            go_or_die(done, wg);
        cnet_waitgroup_wait(wg);
    }
    elapsed_ns = cnet_now_ns() - t0;
    cnet_waitgroup_free(wg);
}

int main(int argc, char **argv)
{
    const cnet_runtime_config cfg = {.threads = 1};
    int is_switch = argc == 3 && strcmp(argv[1], "switch") == 0;
    int is_spawn = argc == 4 && strcmp(argv[1], "spawn") == 0;
    cnet_error err;

    count = argc >= 3 ? atol(argv[2]) : 0;
    batch = is_spawn ? atol(argv[3]) : 1;
    if ((!is_switch && !is_spawn) || batch < 1 || batch > MAX_BATCH || count < batch) {
        fprintf(stderr, "usage: micro_tasks switch N | spawn N BATCH   (1 <= BATCH <= %d <= N)\n",
                MAX_BATCH);
        return 2;
    }
    if (cnet_run(&cfg, is_switch ? run_switch : run_spawn, NULL, &err) < 0) {
        fprintf(stderr, "micro_tasks: cnet_run: %s\n", err.msg);
        return 1;
    }
    /* A switch per yield, two yielders; a spawn per task, whole batches only. */
    printf("%.1f\n", (double)elapsed_ns /
                         (double)(is_switch ? 2 * count : count / batch * batch));
    return 0;
}
