/* echo_tasks: an echo server with a task per connection, in the plain blocking style.
 *
 *   echo_tasks ADDRESS [MAX_CONNS]      e.g.  echo_tasks 127.0.0.1:7000
 *
 * What it shows: cnet_run and cnet_go (cnet's goroutines). The first task accepts in a
 * loop and starts a task per connection; that task reads and writes with the ordinary
 * blocking calls, which park the task, not its thread, so a few scheduler threads (one
 * per CPU) hold thousands of connections. Nothing else in the program knows about tasks.
 *
 * A clean shutdown, as Go's Server.Shutdown does it: on SIGINT or SIGTERM the server
 * stops accepting (a past deadline wakes the blocked accept), gives every open
 * connection GRACE_S seconds to finish (a deadline on each), waits for every task and
 * exits 0. With MAX_CONNS it stops accepting after that many connections and exits once
 * they have all been closed by their clients (as the examples check drives it).
 *
 * Prints "listening on ADDRESS" when ready and "served N connections" at the end. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <cnet.h>

#define GRACE_S 5

/* One open connection, on the server's list so that a shutdown can reach it. */
typedef struct client {
    cnet_conn *conn;
    struct client *prev, *next;
} client;

/* What the signal thread and the tasks share. The lock is held only for a few
 * non-blocking calls (a deadline change), never across a read or write, so a task
 * waiting for it holds up its scheduler thread for no longer than that. */
static struct {
    pthread_mutex_t mu;
    int stopping;
    cnet_listener *ln; /* NULL once closed */
    client *clients;
    cnet_waitgroup *wg; /* one count per connection task */
    long served;
    int failed; /* the server could not start */
} srv = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t grace_deadline(void)
{
    return cnet_now_ns() + (int64_t)GRACE_S * 1000000000;
}

/* Stops accepting and bounds every open connection. From any thread. */
static void stop(void)
{
    pthread_mutex_lock(&srv.mu);
    srv.stopping = 1;
    if (srv.ln != NULL)
        cnet_listener_set_deadline(srv.ln, cnet_now_ns()); /* wakes the accept */
    for (client *cl = srv.clients; cl != NULL; cl = cl->next)
        cnet_conn_set_deadline(cl->conn, grace_deadline());
    pthread_mutex_unlock(&srv.mu);
}

static void add_client(client *cl)
{
    pthread_mutex_lock(&srv.mu);
    cl->prev = NULL;
    cl->next = srv.clients;
    if (srv.clients != NULL)
        srv.clients->prev = cl;
    srv.clients = cl;
    if (srv.stopping) /* it came in as the shutdown began */
        cnet_conn_set_deadline(cl->conn, grace_deadline());
    pthread_mutex_unlock(&srv.mu);
}

/* Off the list before it is closed: stop() never touches a closed connection. */
static void remove_client(client *cl)
{
    pthread_mutex_lock(&srv.mu);
    if (cl->prev != NULL)
        cl->prev->next = cl->next;
    else
        srv.clients = cl->next;
    if (cl->next != NULL)
        cl->next->prev = cl->prev;
    pthread_mutex_unlock(&srv.mu);
}

/* A connection's task: copies its bytes back until the client closes (or the
 * shutdown's deadline passes). */
static void serve_conn(void *arg)
{
    client *cl = arg;
    char buf[4096];
    cnet_error err;
    ssize_t n;

    while ((n = cnet_conn_read(cl->conn, buf, sizeof buf, &err)) > 0)
        if (cnet_conn_write(cl->conn, buf, (size_t)n, &err) < 0)
            break;
    if (n < 0 && !cnet_error_is_deadline_exceeded(&err))
        fprintf(stderr, "echo_tasks: %s\n", err.msg);
    remove_client(cl);
    cnet_conn_close(cl->conn);
    free(cl);
    cnet_waitgroup_done(srv.wg);
}

/* Starts a task for c; on failure the connection is closed and the server goes on. */
static void start_conn(cnet_conn *c)
{
    client *cl = malloc(sizeof *cl);
    int rc = -ENOMEM;

    if (cl != NULL) {
        cl->conn = c;
        add_client(cl);
        cnet_waitgroup_add(srv.wg, 1);
        rc = cnet_go(serve_conn, cl);
        if (rc < 0) {
            remove_client(cl);
            cnet_waitgroup_done(srv.wg);
            free(cl);
        }
    }
    if (rc < 0) {
        fprintf(stderr, "echo_tasks: no task for a connection: %s\n", cnet_strerror(rc));
        cnet_conn_close(c);
        return;
    }
    srv.served++; /* only this task counts; main reads it after cnet_run */
}

static int stopping(void)
{
    pthread_mutex_lock(&srv.mu);
    int s = srv.stopping;
    pthread_mutex_unlock(&srv.mu);
    return s;
}

/* Accepts until the shutdown or MAX_CONNS connections. An error such as "too many
 * open files" leaves the listener usable: wait a little and go on, as Go's servers do. */
static void accept_loop(long max_conns)
{
    cnet_error err;
    cnet_conn *c;

    for (long n = 0; max_conns == 0 || n < max_conns; n++) {
        if (cnet_listener_accept(srv.ln, &c, &err) == 0) {
            start_conn(c);
            continue;
        }
        if (stopping() || cnet_error_is_closed(&err))
            break;
        fprintf(stderr, "echo_tasks: %s\n", err.msg);
        cnet_sleep(100 * 1000 * 1000);
    }
}

/* The first task: listens, runs the accept loop, closes the listener, then waits for
 * every connection's task. cnet_run returns once this and every other task have. */
static void main_task(void *arg)
{
    char **argv = arg;
    long max_conns = argv[2] != NULL ? atol(argv[2]) : 0;
    char addr[CNET_ADDRSTRLEN];
    cnet_listener *ln;
    cnet_error err;

    if (cnet_waitgroup_new(&srv.wg) < 0) {
        fprintf(stderr, "echo_tasks: out of memory\n");
        srv.failed = 1;
        return;
    }
    if (cnet_listen("tcp", argv[1], &ln, &err) < 0) {
        fprintf(stderr, "echo_tasks: %s\n", err.msg);
        cnet_waitgroup_free(srv.wg);
        srv.failed = 1;
        return;
    }
    cnet_listener_addr(ln, addr, sizeof addr);
    pthread_mutex_lock(&srv.mu);
    srv.ln = ln;
    if (srv.stopping) /* a signal came before the listener existed */
        cnet_listener_set_deadline(ln, cnet_now_ns());
    pthread_mutex_unlock(&srv.mu);
    printf("listening on %s\n", addr);
    fflush(stdout);
    accept_loop(max_conns);
    pthread_mutex_lock(&srv.mu);
    srv.ln = NULL;
    pthread_mutex_unlock(&srv.mu);
    cnet_listener_close(ln);
    cnet_waitgroup_wait(srv.wg);
    cnet_waitgroup_free(srv.wg);
}

/* SIGINT and SIGTERM are blocked in every thread and taken here, by a plain thread:
 * a signal handler may not call cnet. */
static void *signal_thread(void *arg)
{
    sigset_t *set = arg;
    int sig;

    if (sigwait(set, &sig) == 0) {
        fprintf(stderr, "echo_tasks: signal %d: shutting down\n", sig);
        stop();
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static sigset_t stop_signals;
    cnet_error err;
    pthread_t t;

    if (argc < 2 || argc > 3 || (argc == 3 && atol(argv[2]) < 1)) {
        fprintf(stderr, "usage: echo_tasks ADDRESS [MAX_CONNS]\n");
        return 2;
    }
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    /* Before any thread exists: the scheduler threads inherit the mask. */
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    if (pthread_create(&t, NULL, signal_thread, &stop_signals) != 0) {
        fprintf(stderr, "echo_tasks: cannot start the signal thread\n");
        return 1;
    }
    pthread_detach(t);
    if (cnet_run(NULL, main_task, argv, &err) < 0) { /* threads: one per CPU */
        fprintf(stderr, "echo_tasks: %s\n", err.msg);
        return 1;
    }
    if (srv.failed)
        return 1;
    printf("served %ld connections\n", srv.served);
    return 0;
}
