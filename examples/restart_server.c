/* restart_server: a server you can upgrade without refusing a single connection.
 *
 *   restart_server ADDRESS        e.g.  restart_server 127.0.0.1:7000
 *
 * What it shows: zero-downtime restart with cnet_restart_exec and
 * cnet_listeners_from_env. On SIGHUP the server starts a new copy of its program (a new
 * binary, after an upgrade) and hands it the listening socket as fd 3 with systemd's
 * LISTEN_FDS protocol. The new process takes it with cnet_listeners_from_env (so it
 * also works when systemd starts it with socket activation) and tells its parent it is
 * ready (SIGUSR1). Only then does the old process stop accepting; it finishes the
 * connections it has and exits. The socket itself is never closed, so connections that
 * arrive during the hand-over wait in the kernel's queue for the new process.
 *
 * Each connection sends one line and gets back "<pid>: <line>", so you can watch the pid
 * change:  kill -HUP <pid>.  SIGTERM or SIGINT: stop accepting, finish, exit. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cnet.h>

static cnet_listener *listener;
static volatile sig_atomic_t stopping;

/* Connections still being answered: the process exits when none is left. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;
static int active;

static void *answer(void *arg)
{
    cnet_conn *c = arg;
    char line[512], reply[600];
    cnet_error err;
    size_t got = 0;
    ssize_t n = 0;
    cnet_conn_set_deadline(c, cnet_now_ns() + 30 * 1000000000LL);
    while (got < sizeof line && (got == 0 || line[got - 1] != '\n') &&
           (n = cnet_conn_read(c, line + got, sizeof line - got, &err)) > 0)
        got += (size_t)n;
    int len = snprintf(reply, sizeof reply, "%ld: %.*s", (long)getpid(), (int)got, line);
    if (got > 0)
        cnet_conn_write(c, reply, (size_t)len, &err);
    cnet_conn_close(c);
    pthread_mutex_lock(&mu);
    if (--active == 0)
        pthread_cond_signal(&idle);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void *accept_loop(void *arg)
{
    (void)arg;
    cnet_conn *c;
    cnet_error err;
    pthread_attr_t detached;
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    while (cnet_listener_accept(listener, &c, &err) == 0 || !stopping) {
        pthread_t t;
        if (err.code != 0) {
            fprintf(stderr, "restart_server: %s\n", err.msg);
            continue;
        }
        pthread_mutex_lock(&mu);
        active++;
        pthread_mutex_unlock(&mu);
        if (pthread_create(&t, &detached, answer, c) != 0)
            answer(c);
    }
    pthread_attr_destroy(&detached);
    return NULL;
}

/* The listener our predecessor (or systemd) handed us, or a new one. 1 if handed. */
static int open_listener(const char *address)
{
    cnet_activation *act;
    cnet_error err;
    int n = cnet_listeners_from_env(&act, &err);
    if (n > 0 && cnet_activation_listener(act, "http", &listener, &err) < 0)
        n = -1;
    cnet_activation_free(act);
    if (n == 0 && cnet_listen("tcp", address, &listener, &err) < 0)
        n = -1;
    if (n < 0)
        fprintf(stderr, "restart_server: %s\n", err.msg);
    return n;
}

/* Starts our successor with the listener. /proc/self/exe is this program's file on
 * Linux; after an upgrade you would name the new binary's path instead. */
static void restart(char **argv)
{
    cnet_listener *const handed[] = {listener};
    const char *const names[] = {"http"};
    cnet_error err;
    pid_t pid;
    if (cnet_restart_exec("/proc/self/exe", argv, NULL, handed, names, 1, &pid, &err) < 0)
        fprintf(stderr, "restart_server: %s (still serving)\n", err.msg);
    else
        fprintf(stderr, "restart_server %ld: started %ld\n", (long)getpid(), (long)pid);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: restart_server ADDRESS\n");
        return 2;
    }
    /* Every thread inherits the mask; only main takes these signals, with sigwait. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGUSR1);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    int handed_over = open_listener(argv[1]);
    if (handed_over < 0)
        return 1;
    char addr[CNET_ADDRSTRLEN];
    cnet_listener_addr(listener, addr, sizeof addr);
    pthread_t acceptor;
    if (pthread_create(&acceptor, NULL, accept_loop, NULL) != 0)
        return 1;
    printf("%ld: listening on %s\n", (long)getpid(), addr);
    fflush(stdout);
    if (handed_over)
        kill(getppid(), SIGUSR1); /* we accept now: our predecessor may stop */

    while (!stopping) {
        int sig;
        sigwait(&signals, &sig);
        if (sig == SIGHUP)
            restart(argv);
        else /* SIGUSR1 (our successor is ready), SIGTERM or SIGINT */
            stopping = 1;
    }
    /* An expired deadline makes the blocked accept return at once. */
    cnet_listener_set_deadline(listener, cnet_now_ns());
    pthread_join(acceptor, NULL);
    cnet_listener_close(listener);
    pthread_mutex_lock(&mu);
    while (active > 0)
        pthread_cond_wait(&idle, &mu);
    pthread_mutex_unlock(&mu);
    fprintf(stderr, "restart_server %ld: done\n", (long)getpid());
    return 0;
}
