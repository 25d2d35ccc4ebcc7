/* cnet serve: an echo server that restarts without refusing a connection.
 *
 * One thread per connection, at most MAX_CONNECTIONS at a time. The main thread polls
 * the listener together with a self-pipe: the signal handlers only set a flag and write
 * one byte to it (both async-signal-safe), and connection threads write to it when they
 * end, so that the loop wakes for a signal or a free slot without any race. On SIGHUP
 * (with --exec-on-hup) the program re-executes itself through cnet_restart_exec, which
 * hands the listening socket over; the old process then stops accepting, finishes its
 * open connections and exits. The socket is never closed in between: connections that
 * arrive during the hand-over wait in its queue for the new process. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_CONNECTIONS 128
#define ECHO_BUFSIZE 16384
#define MAX_ARGS 64
/* How long an accept waits after poll said ready: another process sharing the socket
 * (the next generation during a restart) may have taken the connection. */
#define ACCEPT_WAIT_NS 50000000

enum { OPT_EXEC_ON_HUP = 256, OPT_REUSE_PORT, OPT_BACKLOG, OPT_IDLE_TIMEOUT };

typedef struct serve_options {
    int exec_on_hup;
    int64_t idle_ns;
    const char *idle_text;
    cnet_listen_config config;
} serve_options;

/* What the connection threads share with the main thread. */
typedef struct server {
    pthread_mutex_t lock;
    pthread_cond_t drained; /* active dropped to 0 */
    int active;
    int64_t idle_ns;
    const char *idle_text;
} server;

typedef struct echo_job {
    server *srv;
    cnet_conn *c;
} echo_job;

/* The self-pipe: [0] polled by the main thread, [1] written by handlers and threads. */
static int wake_pipe[2] = {-1, -1};
static volatile sig_atomic_t got_hup;
static volatile sig_atomic_t got_stop;

/* Non-blocking: when the pipe is full, a wake-up is already pending. */
static void wake_main_thread(void)
{
    if (write(wake_pipe[1], "", 1) < 0) {
        /* EAGAIN: the loop will wake anyway */
    }
}

static void on_signal(int sig)
{
    int saved_errno = errno;

    if (sig == SIGHUP)
        got_hup = 1;
    else
        got_stop = 1;
    wake_main_thread();
    errno = saved_errno;
}

static int set_handler(int sig, void (*handler)(int))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(sig, &sa, NULL);
}

static int set_fd_flag(int fd, int get, int set, int flag)
{
    int flags = fcntl(fd, get);

    return flags < 0 ? -1 : fcntl(fd, set, flags | flag);
}

/* Close-on-exec (the next generation must not inherit it) and non-blocking (a handler
 * must never block). */
static int open_wake_pipe(void)
{
    int i;

    if (pipe(wake_pipe) < 0)
        return -errno;
    for (i = 0; i < 2; i++)
        if (set_fd_flag(wake_pipe[i], F_GETFD, F_SETFD, FD_CLOEXEC) < 0 ||
            set_fd_flag(wake_pipe[i], F_GETFL, F_SETFL, O_NONBLOCK) < 0)
            return -errno;
    return 0;
}

static void drain_wake_pipe(void)
{
    char buf[64];

    while (read(wake_pipe[0], buf, sizeof buf) > 0)
        ;
}

/* Signals that reach the handlers: stop always, SIGHUP only when it means restart (else
 * it keeps its default action). */
static int install_handlers(int exec_on_hup)
{
    if (set_handler(SIGTERM, on_signal) < 0 || set_handler(SIGINT, on_signal) < 0)
        return -errno;
    if (exec_on_hup && set_handler(SIGHUP, on_signal) < 0)
        return -errno;
    return 0;
}

static void report_conn_error(const server *srv, const cnet_error *err)
{
    if (srv->idle_ns > 0 && cnet_error_is_deadline_exceeded(err))
        fprintf(stderr, "cnet: %s: closed the connection after %s without traffic\n", err->msg,
                srv->idle_text);
    else
        fprintf(stderr, "cnet: %s\n", err->msg);
}

static int64_t earliest(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Writes buf whole. Under an idle limit, the bytes the kernel takes are progress, and
 * a write that waits for room sees them only by trying again: it writes in slices of
 * cli_write_probe_ns, moving *idle_deadline on after each slice that made progress,
 * and fails (Go's "i/o timeout") once the deadline has passed without any. */
static int echo_write(const server *srv, cnet_conn *c, const char *buf, size_t len,
                      int64_t *idle_deadline, cnet_error *err)
{
    size_t written;
    int rc;

    if (srv->idle_ns <= 0)
        return cnet_conn_write_n(c, buf, len, NULL, err);
    for (;;) {
        cnet_conn_set_write_deadline(
            c, earliest(cli_deadline_after(cli_write_probe_ns(srv->idle_ns)), *idle_deadline));
        rc = cnet_conn_write_n(c, buf, len, &written, err);
        buf += written;
        len -= written;
        if (written > 0)
            *idle_deadline = cli_deadline_after(srv->idle_ns);
        if (rc == 0 || !cnet_error_is_deadline_exceeded(err) ||
            (written == 0 && cnet_now_ns() >= *idle_deadline))
            return rc;
    }
}

/* Echoes until the peer's end of stream, an error or the idle limit: idle_ns without
 * progress, read or written. */
static void echo(server *srv, cnet_conn *c)
{
    char buf[ECHO_BUFSIZE];
    cnet_error err;
    int64_t idle_deadline = 0;
    ssize_t n;

    for (;;) {
        if (srv->idle_ns > 0) {
            idle_deadline = cli_deadline_after(srv->idle_ns);
            cnet_conn_set_read_deadline(c, idle_deadline);
        }
        n = cnet_conn_read(c, buf, sizeof buf, &err);
        if (n == 0)
            return;
        if (n < 0 || echo_write(srv, c, buf, (size_t)n, &idle_deadline, &err) < 0) {
            report_conn_error(srv, &err);
            return;
        }
    }
}

/* The slot is given back under the lock, together with the wake-up: once the main
 * thread sees active == 0, no thread touches the pipe any more. */
static void release_slot(server *srv)
{
    pthread_mutex_lock(&srv->lock);
    srv->active--;
    wake_main_thread();
    if (srv->active == 0)
        pthread_cond_signal(&srv->drained);
    pthread_mutex_unlock(&srv->lock);
}

static void *connection_thread(void *arg)
{
    echo_job *job = arg;
    server *srv = job->srv;

    echo(srv, job->c);
    cnet_conn_close(job->c);
    free(job);
    release_slot(srv);
    return NULL;
}

static int has_free_slot(server *srv)
{
    int free_slot;

    pthread_mutex_lock(&srv->lock);
    free_slot = srv->active < MAX_CONNECTIONS;
    pthread_mutex_unlock(&srv->lock);
    return free_slot;
}

static void start_connection(server *srv, cnet_conn *c)
{
    pthread_attr_t attr;
    pthread_t thread;
    echo_job *job = malloc(sizeof *job);
    int rc = ENOMEM;

    pthread_mutex_lock(&srv->lock);
    srv->active++;
    pthread_mutex_unlock(&srv->lock);
    if (job != NULL && (rc = pthread_attr_init(&attr)) == 0) {
        job->srv = srv;
        job->c = c;
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        rc = pthread_create(&thread, &attr, connection_thread, job);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        fprintf(stderr, "cnet: pthread_create: %s\n", cnet_strerror(-rc));
        free(job);
        cnet_conn_close(c);
        release_slot(srv);
    }
}

/* Poll said the listener is ready: accept, unless another process got there first. */
static void accept_one(cnet_listener *ln, server *srv)
{
    cnet_conn *c;
    cnet_error err;

    cnet_listener_set_deadline(ln, cli_deadline_after(ACCEPT_WAIT_NS));
    if (cnet_listener_accept(ln, &c, &err) == 0) {
        start_connection(srv, c);
        return;
    }
    if (cnet_error_is_deadline_exceeded(&err))
        return;
    fprintf(stderr, "cnet: %s\n", err.msg);
    if (cli_is_temporary_accept_error(err.code))
        cli_sleep_ms(10); /* poll would report the same queued connection at once */
}

/* The program to re-execute: argv[0] if it names a file, else found in PATH as the
 * shell found it. */
static int find_program(const char *name, char *out, size_t len)
{
    const char *dir, *end;
    const char *path = getenv("PATH");

    if (strchr(name, '/') != NULL)
        return snprintf(out, len, "%s", name) < (int)len ? 0 : -ENAMETOOLONG;
    for (dir = path != NULL ? path : ""; *dir != '\0'; dir = *end != '\0' ? end + 1 : end) {
        end = strchr(dir, ':');
        if (end == NULL)
            end = dir + strlen(dir);
        if (end == dir) /* an empty entry is the current directory */
            snprintf(out, len, "./%s", name);
        else
            snprintf(out, len, "%.*s/%s", (int)(end - dir), dir, name);
        if (access(out, X_OK) == 0)
            return 0;
    }
    return -ENOENT;
}

/* Starts the next generation with the same command line, handing it the listener. */
static int restart(cnet_listener *ln, char **argv)
{
    char path[PATH_MAX];
    cnet_error err;
    pid_t pid;
    int rc;

    rc = find_program(cli_program, path, sizeof path);
    if (rc < 0) {
        cli_fail_path("exec", cli_program, rc);
        return rc;
    }
    rc = cnet_restart_exec(path, argv, NULL, &ln, NULL, 1, &pid, &err);
    if (rc < 0) {
        fprintf(stderr, "cnet: %s; still serving\n", err.msg);
        return rc;
    }
    fprintf(stderr, "restarted: new pid %ld\n", (long)pid);
    return 0;
}

/* Accepts until a stop signal, or a SIGHUP that restarted the program. */
static int accept_loop(cnet_listener *ln, server *srv, char **argv)
{
    struct pollfd fds[2];

    for (;;) {
        fds[0].fd = wake_pipe[0];
        fds[0].events = POLLIN;
        fds[1].fd = has_free_slot(srv) ? cnet_listener_fd(ln) : -1;
        fds[1].events = POLLIN;
        fds[1].revents = 0;
        if (poll(fds, 2, -1) < 0 && errno != EINTR) {
            fprintf(stderr, "cnet: poll: %s\n", cnet_strerror(-errno));
            return CLI_FAIL;
        }
        drain_wake_pipe();
        if (got_stop)
            return CLI_OK;
        if (got_hup) {
            got_hup = 0;
            if (restart(ln, argv) == 0)
                return CLI_OK;
        }
        if (fds[1].revents != 0)
            accept_one(ln, srv);
    }
}

/* Waits for the open connections to end. A second stop signal ends the process at
 * once; a SIGHUP has nothing left to restart. */
static void drain(server *srv)
{
    set_handler(SIGTERM, SIG_DFL);
    set_handler(SIGINT, SIG_DFL);
    set_handler(SIGHUP, SIG_IGN);
    pthread_mutex_lock(&srv->lock);
    while (srv->active > 0)
        pthread_cond_wait(&srv->drained, &srv->lock);
    pthread_mutex_unlock(&srv->lock);
}

/* The listener handed over by a previous generation or by systemd, else a new one. */
static int open_listener(const serve_options *o, const char *network, const char *address,
                         cnet_listener **ln)
{
    cnet_activation *act;
    cnet_error err;
    int n;

    n = cnet_listeners_from_env(&act, &err);
    if (n < 0)
        return cli_fail(&err);
    if (n > 0) {
        n = cnet_activation_listener(act, NULL, ln, &err);
        cnet_activation_free(act);
        return n < 0 ? cli_fail(&err) : CLI_OK;
    }
    cnet_activation_free(act);
    if (cnet_listen_with(&o->config, network, address, ln, &err) < 0)
        return cli_fail(&err);
    return CLI_OK;
}

static int announce(const cnet_listener *ln)
{
    char addr[CNET_ADDRSTRLEN];

    if (cnet_listener_addr(ln, addr, sizeof addr) < 0)
        addr[0] = '\0';
    fprintf(stderr, "serving on %s (pid %ld)\n", addr, (long)getpid());
    return fflush(stderr);
}

static int parse_serve_options(const cli_command *cmd, int argc, char **argv, serve_options *o)
{
    static const struct option longopts[] = {
        {"exec-on-hup", no_argument, NULL, OPT_EXEC_ON_HUP},
        {"reuse-port", no_argument, NULL, OPT_REUSE_PORT},
        {"backlog", required_argument, NULL, OPT_BACKLOG},
        {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
        {NULL, 0, NULL, 0},
    };
    int opt;
    int rc = CLI_OK;

    while (rc == CLI_OK && (opt = cli_next_long_option(cmd, argc, argv, ":", longopts)) != -1) {
        if (opt == OPT_EXEC_ON_HUP) {
            o->exec_on_hup = 1;
        } else if (opt == OPT_REUSE_PORT) {
            o->config.reuse_port = 1;
        } else if (opt == OPT_BACKLOG) {
            rc = cli_backlog_option(cmd, &o->config.backlog);
        } else if (opt == OPT_IDLE_TIMEOUT) {
            o->idle_text = optarg;
            rc = cli_duration_option(cmd, "--idle-timeout", 1, &o->idle_ns);
        } else {
            return CLI_USAGE;
        }
    }
    if (rc != CLI_OK)
        return rc;
    if (argc - optind != 3)
        return cli_usage(cmd, "need SERVICE, NETWORK and ADDRESS");
    if (strcmp(argv[optind], "echo") != 0)
        return cli_usage(cmd, "unknown service \"%s\" (there is: echo)", argv[optind]);
    return CLI_OK;
}

/* The command line of the next generation: this one, with the program's own name. */
static int restart_argv(int argc, char **argv, char **out)
{
    int i;

    if (argc + 2 > MAX_ARGS)
        return -E2BIG;
    out[0] = (char *)cli_program;
    for (i = 0; i < argc; i++)
        out[i + 1] = argv[i];
    out[argc + 1] = NULL;
    return 0;
}

static int run_serve(const cli_command *cmd, int argc, char **argv)
{
    static server srv = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    char *next_argv[MAX_ARGS];
    serve_options o;
    cnet_listener *ln;
    int rc;

    memset(&o, 0, sizeof o);
    rc = parse_serve_options(cmd, argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    if (restart_argv(argc, argv, next_argv) < 0)
        return cli_usage(cmd, "too many arguments");
    srv.idle_ns = o.idle_ns;
    srv.idle_text = o.idle_text;
    rc = open_wake_pipe();
    if (rc == 0)
        rc = install_handlers(o.exec_on_hup);
    if (rc < 0)
        return cli_fail_path("pipe", "self-pipe", rc);
    rc = open_listener(&o, argv[optind + 1], argv[optind + 2], &ln);
    if (rc != CLI_OK)
        return rc;
    /* Announced only now, with the handlers in place: a SIGHUP sent after this line
     * can no longer kill the process by its default action. */
    announce(ln);
    rc = accept_loop(ln, &srv, next_argv);
    cnet_listener_close(ln);
    drain(&srv);
    fprintf(stderr, "exiting (pid %ld)\n", (long)getpid());
    return rc;
}

const cli_command cli_serve_command = {
    "serve",
    "[--exec-on-hup] [--reuse-port] [--backlog N] [--idle-timeout DURATION] echo NETWORK "
    "ADDRESS",
    "run an echo server that can restart without refusing a connection",
    "Runs an echo server (each connection gets back what it sends; \"echo\" is the\n"
    "only service) on a stream listener, one thread per connection, at most 128 at a\n"
    "time. Prints \"serving on ADDR (pid N)\" to stderr once it is ready for signals.\n\n"
    "When started with LISTEN_FDS and LISTEN_PID naming this process (systemd socket\n"
    "activation, or a restart below), it serves on the first listener it is handed and\n"
    "NETWORK and ADDRESS are not used; otherwise it listens like Go's net.Listen.\n\n"
    "SIGTERM or SIGINT: stop accepting, finish the open connections, print \"exiting\n"
    "(pid N)\" and exit 0 (a second signal ends it at once).\n\n"
    "  --exec-on-hup\n"
    "        on SIGHUP, start this program again with the same arguments, handing it\n"
    "        the listening socket (cnet_restart_exec); print \"restarted: new pid N\",\n"
    "        stop accepting, finish the open connections, print \"exiting (pid N)\" and\n"
    "        exit 0. The socket stays open throughout, so no connection is refused.\n"
    "        Send the next SIGHUP to the new pid once it has printed its \"serving on\"\n"
    "        line (until then SIGHUP still has its default action there: it kills).\n"
    "  --reuse-port, --backlog N\n"
    "        as for `cnet listen` (only for a listener it opens itself)\n"
    "  --idle-timeout DURATION\n"
    "        close a connection with no traffic either way for DURATION (Go's syntax);\n"
    "        this also bounds how long a restart or a stop waits for idle clients\n",
    run_serve,
};
