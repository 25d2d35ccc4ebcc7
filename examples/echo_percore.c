/* echo_percore: a per-core echo server: one accept loop per scheduler thread, each on
 * its own listener, all listeners sharing one port.
 *
 *   echo_percore ADDRESS [THREADS [MAX_CONNS]]     e.g.  echo_percore 127.0.0.1:7000
 *
 * What it shows: cnet's runtime with a load-balanced group (cnet_listen_config
 * .reuse_port, where the OS has one: Linux, DragonFly, FreeBSD). The kernel spreads
 * incoming connections over the group's listeners itself, so the accept loops share no
 * queue and no lock: each scheduler thread takes its own connections off its own
 * listener, which is how servers scale accept over cores. Every connection is served
 * in its own task, in the plain blocking style.
 *
 * THREADS scheduler threads (0 or absent: one per online CPU), and as many listeners
 * and accept loop tasks; cnet_go places new tasks on the threads in turn, so the
 * accept loops, started one after another before anything else, get one thread each.
 * The connections' tasks are placed in turn as well, so a connection may be served on
 * another thread than the one that accepted it: what the group spreads is the accept
 * work (no shared queue, no lock), and cnet_go spreads the rest.
 * With port 0 the first listener gets a port from the kernel and the rest join it.
 *
 * Stops as echo_tasks does: on SIGINT or SIGTERM, or after MAX_CONNS connections in
 * all, it stops accepting, lets the open connections finish (GRACE_S seconds at most
 * after a signal), and exits 0. Prints "listening on ADDRESS (N listeners)" when
 * ready, logs "listener K: connection from PEER" on stderr for each connection, and
 * prints "served N connections" at the end. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cnet.h>

#define GRACE_S 5
#define MAX_LISTENERS 256

typedef struct client {
    cnet_conn *conn;
    struct client *prev, *next;
} client;

/* What the signal thread and the tasks share, under mu (held only for a few calls
 * that do not block: deadline changes and list updates). */
static struct {
    pthread_mutex_t mu;
    int stopping;
    int n;                            /* listeners */
    cnet_listener *ln[MAX_LISTENERS]; /* NULL once closed */
    client *clients;
    long served, max_conns;
    cnet_waitgroup *wg; /* every task but the first */
    int failed;
} srv = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t grace_deadline(void)
{
    return cnet_now_ns() + (int64_t)GRACE_S * 1000000000;
}

/* Stops every accept loop (a past deadline wakes a blocked accept) and bounds the open
 * connections when grace is set. Called with mu held. */
static void stop_locked(int grace)
{
    srv.stopping = 1;
    for (int i = 0; i < srv.n; i++)
        if (srv.ln[i] != NULL)
            cnet_listener_set_deadline(srv.ln[i], cnet_now_ns());
    for (client *cl = srv.clients; grace && cl != NULL; cl = cl->next)
        cnet_conn_set_deadline(cl->conn, grace_deadline());
}

/* Lists a new connection; 0 when the server has stopped accepting (MAX_CONNS reached
 * by another loop, or a signal): the caller then closes it. */
static int add_client(client *cl)
{
    int ok;

    pthread_mutex_lock(&srv.mu);
    ok = !srv.stopping;
    if (ok) {
        cl->prev = NULL;
        cl->next = srv.clients;
        if (srv.clients != NULL)
            srv.clients->prev = cl;
        srv.clients = cl;
        if (++srv.served == srv.max_conns)
            stop_locked(0); /* the clients end their connections themselves */
    }
    pthread_mutex_unlock(&srv.mu);
    return ok;
}

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
        fprintf(stderr, "echo_percore: %s\n", err.msg);
    remove_client(cl);
    cnet_conn_close(cl->conn);
    free(cl);
    cnet_waitgroup_done(srv.wg);
}

/* Lists c and starts its task; closes it if either fails. */
static void start_conn(cnet_conn *c)
{
    client *cl = malloc(sizeof *cl);
    int rc = -ENOMEM;

    if (cl != NULL) {
        cl->conn = c;
        rc = add_client(cl) ? 0 : CNET_ECLOSED;
        if (rc == 0) {
            cnet_waitgroup_add(srv.wg, 1);
            rc = cnet_go(serve_conn, cl);
            if (rc < 0) {
                remove_client(cl);
                cnet_waitgroup_done(srv.wg);
            }
        }
        if (rc < 0)
            free(cl);
    }
    if (rc < 0) {
        if (rc != CNET_ECLOSED)
            fprintf(stderr, "echo_percore: no task for a connection: %s\n", cnet_strerror(rc));
        cnet_conn_close(c);
    }
}

static int stopping(void)
{
    pthread_mutex_lock(&srv.mu);
    int s = srv.stopping;
    pthread_mutex_unlock(&srv.mu);
    return s;
}

/* One per scheduler thread: accepts from listener k until the server stops. */
static void accept_loop(void *arg)
{
    int k = (int)(intptr_t)arg;
    char peer[CNET_ADDRSTRLEN];
    cnet_listener *ln = srv.ln[k]; /* only this task closes it */
    cnet_error err;
    cnet_conn *c;

    for (;;) {
        if (cnet_listener_accept(ln, &c, &err) == 0) {
            cnet_conn_remote_addr(c, peer, sizeof peer);
            fprintf(stderr, "listener %d: connection from %s\n", k, peer);
            start_conn(c);
            continue;
        }
        if (stopping() || cnet_error_is_closed(&err))
            break;
        fprintf(stderr, "echo_percore: listener %d: %s\n", k, err.msg); /* e.g. EMFILE */
        cnet_sleep(100 * 1000 * 1000);
    }
    pthread_mutex_lock(&srv.mu);
    srv.ln[k] = NULL;
    pthread_mutex_unlock(&srv.mu);
    cnet_listener_close(ln);
    cnet_waitgroup_done(srv.wg);
}

/* The group: n members on one address; the first resolves port 0, the rest join it.
 * Writes the address; 0, or -1 after closing what it opened. */
static int listen_group(const char *address, int n, char *addr, size_t len)
{
    const cnet_listen_config cfg = {.reuse_port = 1};
    cnet_listener *ln;
    cnet_error err;

    for (int i = 0; i < n; i++) {
        if (cnet_listen_with(&cfg, "tcp", i == 0 ? address : addr, &ln, &err) < 0) {
            fprintf(stderr, "echo_percore: %s\n", err.msg);
            while (i-- > 0)
                cnet_listener_close(srv.ln[i]);
            return -1;
        }
        if (i == 0)
            cnet_listener_addr(ln, addr, len);
        pthread_mutex_lock(&srv.mu);
        srv.ln[srv.n++] = ln;
        pthread_mutex_unlock(&srv.mu);
    }
    return 0;
}

typedef struct options {
    const char *address;
    int threads; /* scheduler threads, listeners, accept loops */
} options;

/* The first task: the group, one accept loop task per scheduler thread (started one
 * after another, so cnet_go's turn-by-turn placement gives each its own thread), then
 * waits for every task. */
static void main_task(void *arg)
{
    const options *o = arg;
    char addr[CNET_ADDRSTRLEN];
    int k;

    if (cnet_waitgroup_new(&srv.wg) < 0 || listen_group(o->address, o->threads, addr,
                                                        sizeof addr) < 0) {
        srv.failed = 1;
        if (srv.wg != NULL)
            cnet_waitgroup_free(srv.wg);
        return;
    }
    printf("listening on %s (%d listeners)\n", addr, o->threads);
    fflush(stdout);
    for (k = 0; k < o->threads; k++) {
        cnet_waitgroup_add(srv.wg, 1);
        if (cnet_go(accept_loop, (void *)(intptr_t)k) < 0) {
            fprintf(stderr, "echo_percore: no task for listener %d\n", k);
            cnet_waitgroup_done(srv.wg);
            break;
        }
    }
    pthread_mutex_lock(&srv.mu);
    if (k < o->threads || srv.stopping) /* a failure, or a signal before the loops ran */
        stop_locked(1);
    for (; k < o->threads; k++) { /* listeners without a loop */
        cnet_listener_close(srv.ln[k]);
        srv.ln[k] = NULL;
    }
    pthread_mutex_unlock(&srv.mu);
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
        fprintf(stderr, "echo_percore: signal %d: shutting down\n", sig);
        pthread_mutex_lock(&srv.mu);
        stop_locked(1);
        pthread_mutex_unlock(&srv.mu);
    }
    return NULL;
}

static int usage(void)
{
    fprintf(stderr, "usage: echo_percore ADDRESS [THREADS (0: one per CPU, at most %d) "
                    "[MAX_CONNS]]\n", MAX_LISTENERS);
    return 2;
}

int main(int argc, char **argv)
{
    static sigset_t stop_signals;
    options o = {.address = argv[1], .threads = argc > 2 ? atoi(argv[2]) : 0};
    cnet_runtime_config cfg = {0};
    cnet_error err;
    pthread_t t;

    srv.max_conns = argc > 3 ? atol(argv[3]) : 0;
    if (argc < 2 || argc > 4 || o.threads < 0 || (argc > 3 && srv.max_conns < 1))
        return usage();
    if (o.threads == 0) /* the runtime's own default: one thread per online CPU */
        o.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (o.threads < 1 || o.threads > MAX_LISTENERS)
        return usage();
    cfg.threads = o.threads;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL); /* inherited by every thread */
    if (pthread_create(&t, NULL, signal_thread, &stop_signals) != 0) {
        fprintf(stderr, "echo_percore: cannot start the signal thread\n");
        return 1;
    }
    pthread_detach(t);
    if (cnet_run(&cfg, main_task, &o, &err) < 0) {
        fprintf(stderr, "echo_percore: %s\n", err.msg);
        return 1;
    }
    if (srv.failed)
        return 1;
    printf("served %ld connections\n", srv.served);
    return 0;
}
