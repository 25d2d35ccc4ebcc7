/* echo_group: an echo server made of N worker processes that share one port.
 *
 *   echo_group ADDRESS [WORKERS]      e.g.  echo_group 127.0.0.1:7000 4
 *
 * What it shows: a load-balanced group (cnet_listen_config.reuse_port). Each worker
 * opens its own listener on the same address; the kernel spreads incoming connections
 * over them, so no worker waits on another and no accept lock is needed. Every member
 * must ask for reuse_port, and all must belong to the same user: a plain cnet_listen on
 * the port fails with "address already in use", and so does another user's program.
 * (On an OS without a balancing option cnet refuses with CNET_ENOTSUP.)
 *
 * With port 0 the first worker gets a port from the kernel and the others join it.
 * The parent prints "listening on ADDRESS (N workers)" once all have joined, and stops
 * them on SIGINT or SIGTERM. Each worker echoes the lines of one connection at a time
 * and logs which worker served it. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cnet.h>

#define MAX_WORKERS 64

/* The parent waits for these with sigwait; workers keep their default action. */
static sigset_t stop_signals;

/* Copies one connection's bytes back to it until the client closes. */
static void echo(cnet_conn *c)
{
    char buf[4096];
    cnet_error err;
    ssize_t n;
    while ((n = cnet_conn_read(c, buf, sizeof buf, &err)) > 0)
        if (cnet_conn_write(c, buf, (size_t)n, &err) < 0)
            break;
}

static void worker(cnet_listener *ln)
{
    cnet_conn *c;
    cnet_error err;
    char peer[CNET_ADDRSTRLEN];
    while (cnet_listener_accept(ln, &c, &err) == 0) {
        cnet_conn_remote_addr(c, peer, sizeof peer);
        fprintf(stderr, "worker %ld: connection from %s\n", (long)getpid(), peer);
        echo(c);
        cnet_conn_close(c);
    }
    fprintf(stderr, "worker %ld: %s\n", (long)getpid(), err.msg);
}

/* Forks a worker with its own member of the group on address; the worker reports its
 * listener's address (or "" on failure) through the pipe, then serves until killed. */
static pid_t start_worker(const char *address, const int report[2])
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);
    close(report[0]);
    const cnet_listen_config cfg = {.reuse_port = 1};
    cnet_listener *ln;
    cnet_error err;
    char addr[CNET_ADDRSTRLEN] = "";
    if (cnet_listen_with(&cfg, "tcp", address, &ln, &err) < 0)
        fprintf(stderr, "worker %ld: %s\n", (long)getpid(), err.msg);
    else
        cnet_listener_addr(ln, addr, sizeof addr);
    if (write(report[1], addr, sizeof addr) != (ssize_t)sizeof addr || addr[0] == '\0')
        _exit(1);
    close(report[1]);
    worker(ln);
    _exit(0);
}

int main(int argc, char **argv)
{
    int n = argc > 2 ? atoi(argv[2]) : 4;
    if (argc < 2 || argc > 3 || n < 1 || n > MAX_WORKERS) {
        fprintf(stderr, "usage: echo_group ADDRESS [WORKERS (1-%d, default 4)]\n", MAX_WORKERS);
        return 2;
    }
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop_signals, NULL); /* before any worker exists */

    int report[2];
    if (pipe(report) < 0)
        return 1;
    pid_t pids[MAX_WORKERS];
    char addr[CNET_ADDRSTRLEN] = "";
    int started = 0, ok = 1;
    for (; started < n && ok; started++) {
        /* The first worker resolves the address (port 0 included); the rest join it. */
        pids[started] = start_worker(started == 0 ? argv[1] : addr, report);
        ok = pids[started] > 0 && read(report[0], addr, sizeof addr) == (ssize_t)sizeof addr &&
             addr[0] != '\0';
    }
    if (ok) {
        printf("listening on %s (%d workers)\n", addr, n);
        fflush(stdout);
        int sig;
        sigwait(&stop_signals, &sig);
    }
    for (int i = 0; i < started; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGTERM);
    while (wait(NULL) > 0) {
    }
    return ok ? 0 : 1;
}
