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
#define FIRST_FD 3 /* SD_LISTEN_FDS_START: where the new process finds the listeners */

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

/* Whatever the child cannot do must stop the restart: a program started without its
 * listeners would take over from a process that then stops accepting (an outage). So
 * the child checks every step, and on any failure before the exec it writes the step
 * and errno on a close-on-exec pipe and _exits; the parent reads either that report or
 * EOF, which the exec produces by closing the pipe (so does a child killed before its
 * exec, which the caller cannot tell from a new program that died at once: either way
 * waitpid shows it). Arranging the descriptors so that nothing can fail in the child is
 * not possible: with RLIMIT_NOFILE near the number of open descriptors any move may
 * find no free number. What can be done is to need as few moves as possible (see
 * place_listeners), so that the hand-over works wherever it can, and to report it
 * wherever it cannot. */
enum child_step { STEP_FCNTL, STEP_DUP2, STEP_EXECVE, STEP_COUNT };

static const char *const step_syscall[STEP_COUNT] = {"fcntl", "dup2", "execve"};

typedef struct child_report {
    int step;   /* enum child_step */
    int errnum;
} child_report;

/* Async-signal-safe: reports errno for step on errfd and ends the child. The report is
 * smaller than PIPE_BUF, so it arrives whole; the parent holds the read end open, so
 * the write cannot fail but for EINTR. */
static _Noreturn void child_fail(int errfd, enum child_step step)
{
    child_report r = {step, errno};

    while (write(errfd, &r, sizeof r) < 0 && errno == EINTR) {
    }
    _exit(127);
}

/* fcntl(fd, F_DUPFD_CLOEXEC, min) for the child: a duplicate at min or above, or the
 * child fails. EINVAL means min is at RLIMIT_NOFILE already: no room above, which is
 * what EMFILE says. */
static int dup_above(int fd, int min, int errfd)
{
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, min);

    if (moved < 0) {
        if (errno == EINVAL)
            errno = EMFILE;
        child_fail(errfd, STEP_FCNTL);
    }
    return moved;
}

/* The error pipe must stay open until the exec, so it moves above 3..3+n-1 if it is in
 * that range; a failure is reported on it where it is, before anything was replaced. */
static int move_errfd(int errfd, size_t n)
{
    int end = FIRST_FD + (int)n;

    return errfd >= FIRST_FD && errfd < end ? dup_above(errfd, end, errfd) : errfd;
}

/* Listener i goes to 3+i. As Go's forkAndExecInChild does, only a source below its
 * target is first lifted above the range (an earlier dup2 could replace it); every
 * other one is still there when its turn comes. A listener already at its place only
 * loses close-on-exec (dup2 of a descriptor onto itself would leave the flag set).
 * So the usual hand-over of one listener at fd 3 needs no free descriptor at all. */
static void place_listeners(const handover *h, int errfd)
{
    int src[MAX_HANDED], end = FIRST_FD + (int)h->n, target, rc;
    size_t i;

    for (i = 0; i < h->n; i++) {
        src[i] = h->src[i];
        if (src[i] >= FIRST_FD && src[i] < FIRST_FD + (int)i)
            src[i] = dup_above(src[i], end, errfd);
    }
    for (i = 0; i < h->n; i++) {
        target = FIRST_FD + (int)i;
        if (src[i] == target) {
            if (fcntl(target, F_SETFD, 0) < 0)
                child_fail(errfd, STEP_FCNTL);
            continue;
        }
        do
            rc = dup2(src[i], target); /* dup2 leaves the new fd inheritable */
        while (rc < 0 && errno == EINTR);
        if (rc < 0)
            child_fail(errfd, STEP_DUP2);
    }
}

/* In the child (async-signal-safe calls only): listeners to 3..3+n-1, then exec. */
static _Noreturn void child(const handover *h, const char *path, char *const argv[], int rfd,
                            int errfd)
{
    sigset_t none;

    close(rfd); /* the parent's end: one more free number for the moves */
    errfd = move_errfd(errfd, h->n);
    place_listeners(h, errfd);
    set_pid_var((char *)h->pid_var, getpid());
    /* The new program starts with no signal blocked, whatever this thread blocked (a
     * server waiting in sigwait blocks SIGHUP, and the new one must be able to get it). */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(path, argv, h->envp);
    child_fail(errfd, STEP_EXECVE);
}

static void reap(pid_t pid)
{
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

/* The child's result: 0 on EOF (it exec'd), or the failure it reported (with *syscall
 * naming the step), the child then reaped. Should the pipe itself fail, the child's fate
 * is unknown: that is a failure too, since the caller then goes on serving, which is
 * safe whatever the child did, whereas stopping might leave nobody accepting. */
static int exec_result(int rfd, pid_t pid, const char **syscall)
{
    child_report r;
    ssize_t n;

    do
        n = read(rfd, &r, sizeof r);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return 0;
    *syscall = "read";
    if (n < 0)
        return CNET__ERRNO();
    reap(pid);
    if (n != (ssize_t)sizeof r || r.step < 0 || r.step >= STEP_COUNT || r.errnum <= 0)
        return -EIO; /* not a report the child writes */
    *syscall = step_syscall[r.step];
    return -r.errnum;
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
            child(&h, path, argv, p[0], p[1]);
        rc = *pid < 0 ? CNET__ERRNO() : 0;
        close(p[1]);
        if (rc == 0)
            rc = exec_result(p[0], *pid, &syscall);
        close(p[0]);
    }
    free_handover(&h);
    return rc < 0 ? cnet__sys_error(err, rc, "exec", NULL, NULL, path, syscall) : 0;
}
