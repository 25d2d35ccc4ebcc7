/* Zero-downtime restart: start the next program with our listeners as fds 3.. and the
 * LISTEN_FDS protocol, so that it picks them up with cnet_listeners_from_env while this
 * process drains. The listening sockets are shared, never shut down: a connection that
 * arrives during the hand-over waits in the kernel's queue for whichever process
 * accepts next, and none is refused. */
#include "internal.h"
#include "sys.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_HANDED 64
#define PID_DIGITS 20

/* Everything the child needs, built before fork: after fork only async-signal-safe
 * calls are allowed in a threaded program. */
typedef struct handover {
    char **envp;
    char *fds_var, *names_var;
    char pid_var[sizeof "LISTEN_PID=" + PID_DIGITS];
    int src[MAX_HANDED];
    size_t n;
} handover;

static bool is_listen_var(const char *e)
{
    return strncmp(e, "LISTEN_PID=", 11) == 0 || strncmp(e, "LISTEN_FDS=", 11) == 0 ||
           strncmp(e, "LISTEN_FDNAMES=", 15) == 0;
}

static char *names_variable(const char *const names[], size_t n)
{
    size_t i, len = sizeof "LISTEN_FDNAMES=";
    char *v;

    for (i = 0; i < n; i++)
        len += strlen(names != NULL && names[i] != NULL ? names[i] : "unknown") + 1;
    v = cnet__os_malloc(len);
    if (v == NULL)
        return NULL;
    strcpy(v, "LISTEN_FDNAMES=");
    for (i = 0; i < n; i++) {
        if (i > 0)
            strcat(v, ":");
        strcat(v, names != NULL && names[i] != NULL ? names[i] : "unknown");
    }
    return v;
}

/* Refuses any name the new process's cnet_listeners_from_env would refuse (the same
 * rule, cnet__fdname_valid), while this process can still say so and go on serving. */
static int check_names(const char *const names[], size_t n, const char *path, cnet_error *err)
{
    char inner[CNET_ERROR_MAX];
    size_t i;

    for (i = 0; names != NULL && i < n; i++) {
        if (names[i] == NULL || cnet__fdname_valid(names[i], strlen(names[i])))
            continue;
        snprintf(inner, sizeof inner, "listener name \"%.64s\": %s", names[i],
                 cnet_strerror(-EINVAL));
        return cnet__op_error(err, -EINVAL, "exec", NULL, NULL, path, inner);
    }
    return 0;
}

/* The environment minus any LISTEN_* variables, plus ours. With no listener there is no
 * LISTEN_FDNAMES: an empty one would name one socket, and the reader would refuse it. */
static bool build_env(handover *h, char *const envp[], const char *const names[])
{
    size_t i, k = 0, count = 0;

    for (i = 0; envp[i] != NULL; i++)
        count++;
    h->envp = cnet__os_calloc(count + 4, sizeof *h->envp);
    h->fds_var = cnet__os_malloc(sizeof "LISTEN_FDS=" + PID_DIGITS);
    h->names_var = h->n > 0 ? names_variable(names, h->n) : NULL;
    if (h->envp == NULL || h->fds_var == NULL || (h->n > 0 && h->names_var == NULL))
        return false;
    for (i = 0; i < count; i++)
        if (!is_listen_var(envp[i]))
            h->envp[k++] = envp[i];
    snprintf(h->fds_var, sizeof "LISTEN_FDS=" + PID_DIGITS, "LISTEN_FDS=%zu", h->n);
    h->envp[k++] = h->fds_var;
    if (h->names_var != NULL)
        h->envp[k++] = h->names_var;
    h->envp[k++] = h->pid_var; /* filled in by the child */
    return true;
}

static void free_handover(handover *h)
{
    free(h->envp);
    free(h->fds_var);
    free(h->names_var);
}

/* Async-signal-safe: writes "LISTEN_PID=<pid>". */
static void set_pid_var(char *out, pid_t pid)
{
    char digits[PID_DIGITS];
    int n = 0;

    memcpy(out, "LISTEN_PID=", 11);
    do
        digits[n++] = (char)('0' + pid % 10);
    while ((pid /= 10) > 0 && n < PID_DIGITS);
    out += 11;
    while (n > 0)
        *out++ = digits[--n];
    *out = '\0';
}

/* In the child: listeners to 3..3+n-1 (inheritable), then exec. Reports errno on
 * errfd (close-on-exec, so a successful exec closes it with nothing written). */
static void child(const handover *h, const char *path, char *const argv[], int errfd)
{
    int tmp[MAX_HANDED], e;
    sigset_t none;
    size_t i;

    /* First lift every fd (the error pipe included) above the target range. */
    errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3 + (int)h->n);
    for (i = 0; errfd >= 0 && i < h->n; i++)
        if ((tmp[i] = fcntl(h->src[i], F_DUPFD_CLOEXEC, 3 + (int)h->n)) < 0)
            goto fail;
    for (i = 0; errfd >= 0 && i < h->n; i++)
        if (dup2(tmp[i], 3 + (int)i) < 0) /* dup2 leaves the new fd inheritable */
            goto fail;
    set_pid_var((char *)h->pid_var, getpid());
    /* The new program starts with no signal blocked, whatever this thread blocked (a
     * server waiting in sigwait blocks SIGHUP, and the new one must be able to get it). */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(path, argv, h->envp);
fail:
    e = errno;
    if (errfd >= 0 && write(errfd, &e, sizeof e) < 0) {
        /* nothing more can be done in a failed child */
    }
    _exit(127);
}

/* The child's exec result: 0, or the errno it reported. */
static int exec_result(int rfd, pid_t pid)
{
    int e = 0;
    ssize_t n;

    do
        n = read(rfd, &e, sizeof e);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof e) {
        waitpid(pid, NULL, 0);
        return -e;
    }
    return 0;
}

static int open_pipe(int p[2])
{
    if (cnet__os_pipe(p) < 0)
        return CNET__ERRNO();
    if (fcntl(p[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(p[1], F_SETFD, FD_CLOEXEC) < 0) {
        close(p[0]);
        close(p[1]);
        return CNET__ERRNO();
    }
    return 0;
}

int cnet_restart_exec(const char *path, char *const argv[], char *const envp[],
                      cnet_listener *const lns[], const char *const names[], size_t n,
                      pid_t *pid, cnet_error *err)
{
    handover h;
    const char *syscall = "pipe";
    int p[2], rc;
    size_t i;

    cnet__err_clear(err);
    if (path == NULL || argv == NULL || pid == NULL || (lns == NULL && n > 0) || n > MAX_HANDED)
        return cnet__null_arg(err, "exec", path == NULL ? "path" : argv == NULL ? "argv"
                                           : pid == NULL ? "pid" : "lns (or n > 64)");
    memset(&h, 0, sizeof h);
    h.n = n;
    for (i = 0; i < n; i++) {
        if (lns[i] == NULL)
            return cnet__null_arg(err, "exec", "lns[i]");
        h.src[i] = lns[i]->fd.sysfd;
    }
    rc = check_names(names, n, path, err);
    if (rc < 0)
        return rc;
    if (!build_env(&h, envp != NULL ? envp : environ, names)) {
        free_handover(&h);
        return cnet__sys_error(err, -ENOMEM, "exec", NULL, NULL, path, "malloc");
    }
    rc = open_pipe(p);
    if (rc == 0) {
        syscall = "fork";
        *pid = cnet__os_fork();
        if (*pid == 0)
            child(&h, path, argv, p[1]);
        rc = *pid < 0 ? CNET__ERRNO() : 0;
        close(p[1]);
        if (rc == 0) {
            syscall = "execve";
            rc = exec_result(p[0], *pid);
        }
        close(p[0]);
    }
    free_handover(&h);
    return rc < 0 ? cnet__sys_error(err, rc, "exec", NULL, NULL, path, syscall) : 0;
}
