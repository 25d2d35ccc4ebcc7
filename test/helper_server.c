/* helper_server: the server the restart test (test_restart.c) replaces under load.
 *
 *   helper_server ADDRESS           listen on ADDRESS, or take the listener "web" handed
 *                                   over by a previous helper_server
 *   helper_server --group ADDRESS   join the load-balanced group on ADDRESS (reuse_port)
 *
 * Each connection gets one line back, its own. Once listening it prints
 * "ready <pid> <address>" on stdout.
 *   SIGHUP:  start a new copy of this program with the listener (cnet_restart_exec); when
 *            it says it is ready (SIGUSR1 to its parent), stop accepting.
 *   SIGTERM: stop accepting.
 * After it stops accepting it finishes the connections it has, and exits 0. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cnet.h"

#define LINE_MAX_LEN 256
#define CONN_TIMEOUT_NS (10 * 1000000000LL)

static cnet_listener *listener;
static char **self_argv;

/* Connections being answered, so that the process can wait for them before it exits. */
static pthread_mutex_t active_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t active_cv = PTHREAD_COND_INITIALIZER;
static int active;
static volatile int stopping;

static void die(const char *what, const cnet_error *err)
{
    fprintf(stderr, "helper_server %ld: %s: %s\n", (long)getpid(), what, err->msg);
    exit(1);
}

/* Reads up to and including the first newline (or to end of stream). */
static ssize_t read_line(cnet_conn *c, char *buf, size_t len)
{
    size_t got = 0;
    cnet_error err;
    while (got < len && (got == 0 || buf[got - 1] != '\n')) {
        ssize_t n = cnet_conn_read(c, buf + got, len - got, &err);
        if (n <= 0)
            return n < 0 ? n : (ssize_t)got;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

static void *answer(void *arg)
{
    cnet_conn *c = arg;
    char line[LINE_MAX_LEN];
    cnet_error err;
    cnet_conn_set_deadline(c, cnet_now_ns() + CONN_TIMEOUT_NS);
    ssize_t n = read_line(c, line, sizeof line);
    if (n > 0)
        cnet_conn_write(c, line, (size_t)n, &err);
    cnet_conn_close(c);
    pthread_mutex_lock(&active_mu);
    if (--active == 0)
        pthread_cond_signal(&active_cv);
    pthread_mutex_unlock(&active_mu);
    return NULL;
}

static void serve(cnet_conn *c)
{
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&active_mu);
    active++;
    pthread_mutex_unlock(&active_mu);
    if (pthread_create(&t, &attr, answer, c) != 0)
        answer(c);
    pthread_attr_destroy(&attr);
}

/* An expired deadline fails the accept in progress at once: the accept loop sees
 * `stopping` and leaves. The listener is closed by the loop, never under its feet. */
static void stop_accepting(void)
{
    stopping = 1;
    cnet_listener_set_deadline(listener, cnet_now_ns());
}

/* Hands the listener to a new copy of this program and waits (10 s at most) for it to
 * say it is ready. Until then, and for good if it fails, this process goes on serving. */
static void restart(void)
{
    cnet_listener *const lns[] = {listener};
    const char *const names[] = {"web"};
    cnet_error err;
    pid_t pid;
    if (cnet_restart_exec("/proc/self/exe", self_argv, NULL, lns, names, 1, &pid, &err) < 0) {
        fprintf(stderr, "helper_server %ld: restart: %s\n", (long)getpid(), err.msg);
        return;
    }
    sigset_t ready;
    sigemptyset(&ready);
    sigaddset(&ready, SIGUSR1);
    const struct timespec limit = {10, 0};
    if (sigtimedwait(&ready, NULL, &limit) == SIGUSR1) {
        stop_accepting();
        return;
    }
    fprintf(stderr, "helper_server %ld: %ld never became ready\n", (long)getpid(), (long)pid);
    kill(pid, SIGTERM);
}

static void *signals(void *arg)
{
    const sigset_t *set = arg;
    while (!stopping) {
        int sig;
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP)
            restart();
        else if (sig == SIGTERM)
            stop_accepting();
    }
    return NULL;
}

/* The listener handed over by the previous process, or a new one. Returns whether it
 * was handed over. */
static int open_listener(int group, const char *address)
{
    cnet_activation *act;
    cnet_error err;
    int n = cnet_listeners_from_env(&act, &err);
    if (n < 0)
        die("activation", &err);
    if (n > 0 && cnet_activation_listener(act, "web", &listener, &err) < 0)
        die("activation", &err);
    cnet_activation_free(act);
    if (n > 0)
        return 1;
    cnet_listen_config cfg = {.reuse_port = group};
    if (cnet_listen_with(&cfg, "tcp", address, &listener, &err) < 0)
        die("listen", &err);
    return 0;
}

int main(int argc, char **argv)
{
    int group = argc == 3 && strcmp(argv[1], "--group") == 0;
    if (argc != 2 + group) {
        fprintf(stderr, "usage: helper_server [--group] ADDRESS\n");
        return 2;
    }
    self_argv = argv;
    /* Blocked in every thread: only the signal thread takes them, with sigwait. */
    static sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    sigdelset(&set, SIGUSR1); /* SIGUSR1 is only awaited during a restart */

    int handed_over = open_listener(group, argv[1 + group]);
    char addr[CNET_ADDRSTRLEN];
    cnet_listener_addr(listener, addr, sizeof addr);
    pthread_t sig_thread;
    if (pthread_create(&sig_thread, NULL, signals, &set) != 0)
        return 1;
    printf("ready %ld %s\n", (long)getpid(), addr);
    fflush(stdout);
    if (handed_over)
        kill(getppid(), SIGUSR1); /* the previous process may stop accepting now */

    cnet_conn *c;
    cnet_error err;
    for (;;) {
        if (cnet_listener_accept(listener, &c, &err) == 0)
            serve(c);
        else if (stopping)
            break;
        else
            fprintf(stderr, "helper_server %ld: %s\n", (long)getpid(), err.msg);
    }
    cnet_listener_close(listener);
    pthread_mutex_lock(&active_mu);
    while (active > 0)
        pthread_cond_wait(&active_cv, &active_mu);
    pthread_mutex_unlock(&active_mu);
    return 0;
}
