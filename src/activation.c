/* Socket activation: the LISTEN_PID / LISTEN_FDS / LISTEN_FDNAMES protocol of systemd
 * (sd_listen_fds), also what cnet_restart_exec hands to the next process. */
#include "internal.h"
#include "sys.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIRST_FD 3       /* SD_LISTEN_FDS_START */
#define MAX_FDS 1024

typedef struct activation_item {
    int fd;
    bool taken;
    char name[CNET__FDNAME_MAX + 1];
} activation_item;

struct cnet_activation {
    size_t n;
    activation_item items[];
};

static int env_error(cnet_error *err, const char *var, const char *value)
{
    char inner[CNET_ERROR_MAX];

    snprintf(inner, sizeof inner, "%s=%.64s: %s", var, value, cnet_strerror(-EINVAL));
    return cnet__op_error(err, -EINVAL, "activation", NULL, NULL, NULL, inner);
}

/* A non-negative decimal with nothing after it, or -1. */
static long parse_decimal(const char *s)
{
    char *end;
    long v;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    v = strtol(s, &end, 10);
    return *end == '\0' ? v : -1;
}

bool cnet__fdname_valid(const char *name, size_t len)
{
    return len > 0 && len <= CNET__FDNAME_MAX && memchr(name, ':', len) == NULL;
}

/* Copies the i-th ':'-separated name of names (systemd's default "unknown"). */
static bool nth_name(const char *names, size_t i, char *out, size_t outlen)
{
    const char *p = names, *end;
    size_t len;

    snprintf(out, outlen, "unknown");
    if (names == NULL)
        return true;
    for (; i > 0 && p != NULL; i--)
        p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
    if (p == NULL)
        return false;
    end = strchr(p, ':');
    len = end != NULL ? (size_t)(end - p) : strlen(p);
    if (!cnet__fdname_valid(p, len) || len >= outlen)
        return false;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

static size_t count_names(const char *names)
{
    size_t n = 1;

    for (; *names != '\0'; names++)
        n += *names == ':';
    return n;
}

static void unset_listen_env(void)
{
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
}

static cnet_activation *activation_new(size_t n)
{
    cnet_activation *act = cnet__os_calloc(1, sizeof *act + n * sizeof act->items[0]);

    if (act != NULL)
        act->n = n;
    return act;
}

/* Validates the handed descriptors: close-on-exec (as sd_listen_fds) and a socket cnet
 * can wrap. */
static int check_fds(cnet_activation *act, const char *names, cnet_error *err)
{
    const char *syscall;
    size_t i;
    int rc;

    for (i = 0; i < act->n; i++) {
        activation_item *it = &act->items[i];

        it->fd = FIRST_FD + (int)i;
        if (!nth_name(names, i, it->name, sizeof it->name))
            return env_error(err, "LISTEN_FDNAMES", names);
        if (cnet__os_fcntl(it->fd, F_SETFD, FD_CLOEXEC) < 0)
            return cnet__sys_error(err, CNET__ERRNO(), "file", "file+net", NULL, it->name, "fcntl");
        rc = cnet__file_check(it->fd, &syscall);
        if (rc < 0)
            return cnet__sys_error(err, rc, "file", "file+net", NULL, it->name, syscall);
    }
    return 0;
}

int cnet_listeners_from_env(cnet_activation **act, cnet_error *err)
{
    const char *pid_s = getenv("LISTEN_PID"), *fds_s = getenv("LISTEN_FDS");
    const char *names = getenv("LISTEN_FDNAMES");
    long pid, n;
    int rc = 0;

    cnet__err_clear(err);
    if (act == NULL)
        return cnet__null_arg(err, "activation", "act");
    pid = parse_decimal(pid_s);
    n = parse_decimal(fds_s);
    if (pid_s != NULL && pid < 0) {
        rc = env_error(err, "LISTEN_PID", pid_s); /* as sd_listen_fds: not "absent" */
    } else if (pid_s != NULL && fds_s != NULL && pid == (long)getpid()) {
        if (n < 0 || n > MAX_FDS)
            rc = env_error(err, "LISTEN_FDS", fds_s);
        else if (names != NULL && count_names(names) != (size_t)n)
            rc = env_error(err, "LISTEN_FDNAMES", names);
    } else {
        n = 0; /* absent, or meant for another process (our parent, say) */
    }
    *act = rc < 0 ? NULL : activation_new((size_t)(n > 0 ? n : 0));
    if (rc == 0 && *act == NULL)
        rc = cnet__sys_error(err, -ENOMEM, "activation", NULL, NULL, NULL, "malloc");
    if (rc == 0)
        rc = check_fds(*act, names, err);
    unset_listen_env(); /* never leak them into our own children */
    if (rc < 0) {
        free(*act); /* the descriptors stay open: they were not ours to close */
        *act = NULL;
        return rc;
    }
    return (int)n;
}

size_t cnet_activation_count(const cnet_activation *act)
{
    return act == NULL ? 0 : act->n;
}

const char *cnet_activation_name(const cnet_activation *act, size_t i)
{
    return act == NULL || i >= act->n ? "" : act->items[i].name;
}

/* What find saw. */
typedef struct search {
    const cnet__network *net;        /* the network of the socket found */
    const char *syscall;             /* the call that failed to inspect a socket */
    long misfit;                     /* none fits: the first of that name, else -1 */
    const cnet__network *misfit_net; /* its network (NULL: a family cnet cannot wrap) */
} search;

/* The first untaken socket named name of the wanted kind: its index; -ENOENT if there is
 * none (s->misfit then says whether there were sockets of that name of another kind); or
 * the error that kept a socket from being inspected (with s->syscall). */
static long find(cnet_activation *act, const char *name, bool listener, search *s)
{
    const cnet__network *net;
    long misfit = -1;
    size_t i;
    int fits;

    s->misfit = -1;
    for (i = 0; i < act->n; i++) {
        activation_item *it = &act->items[i];

        if (it->taken || (name != NULL && strcmp(it->name, name) != 0))
            continue;
        net = NULL;
        fits = cnet__file_fits(it->fd, listener, &net, &s->syscall);
        if (fits > 0)
            s->net = net;
        if (fits != 0)
            return fits > 0 ? (long)i : fits;
        if (misfit < 0) {
            misfit = (long)i;
            s->misfit_net = net;
        }
    }
    s->misfit = misfit;
    s->syscall = "activation";
    return -ENOENT;
}

/* Go's FileListener refuses a socket of the wrong kind with EINVAL; the text says what
 * the socket is instead, since the operator who handed it over must fix the unit file
 * or the command line, and "invalid argument" alone leaves them guessing. */
static int wrong_kind(cnet_error *err, const activation_item *it, bool listener,
                      const cnet__network *net)
{
    const char *want = listener ? "a listening stream socket" : "a datagram socket";
    char inner[CNET_ERROR_MAX];

    if (net == NULL)
        snprintf(inner, sizeof inner, "fd %d is not %s", it->fd, want);
    else
        snprintf(inner, sizeof inner, "fd %d is not %s (%s%s)", it->fd, want, net->name,
                 listener && net->sotype != SOCK_DGRAM ? ", not listening" : "");
    return cnet__op_error(err, -EINVAL, "file", "file+net", NULL, it->name, inner);
}

static int take(cnet_activation *act, const char *name, bool listener, void **out, cnet_error *err)
{
    const char *syscall;
    search s;
    long i;
    int rc;

    cnet__err_clear(err);
    if (out == NULL || act == NULL)
        return cnet__null_arg(err, "activation", out == NULL ? "out" : "act");
    *out = NULL;
    i = find(act, name, listener, &s);
    if (i < 0 && s.misfit >= 0)
        return wrong_kind(err, &act->items[s.misfit], listener, s.misfit_net);
    if (i < 0)
        return cnet__sys_error(err, (int)i, "file", "file+net", NULL, name != NULL ? name : "*",
                               s.syscall);
    syscall = "fcntl";
    rc = cnet__set_nonblock(act->items[i].fd);
    cnet__adopt_sockopts(act->items[i].fd);
    if (rc == 0)
        rc = listener ? cnet__listener_new(act->items[i].fd, s.net, (cnet_listener **)out, &syscall)
                      : cnet__packet_new(act->items[i].fd, s.net, (cnet_packet_conn **)out, &syscall);
    if (rc < 0)
        return cnet__sys_error(err, rc, "file", "file+net", NULL, act->items[i].name, syscall);
    act->items[i].taken = true; /* the handle owns the descriptor now */
    return 0;
}

int cnet_activation_listener(cnet_activation *act, const char *name, cnet_listener **ln,
                             cnet_error *err)
{
    return take(act, name, true, (void **)ln, err);
}

int cnet_activation_packet_conn(cnet_activation *act, const char *name, cnet_packet_conn **pc,
                                cnet_error *err)
{
    return take(act, name, false, (void **)pc, err);
}

void cnet_activation_free(cnet_activation *act)
{
    size_t i;

    if (act == NULL)
        return;
    for (i = 0; i < act->n; i++)
        if (!act->items[i].taken)
            close(act->items[i].fd);
    free(act);
}
