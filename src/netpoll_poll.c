/* The portable poller: poll(2), for systems with neither epoll nor kqueue, and run by
 * the Linux suite in the fallback build. It watches only sockets a task is waiting on:
 * each wait adds its socket, and an event (or the waiter, on any other wake-up) takes
 * it out again, so the set stays as small as the number of parked calls. */
#include "internal.h"
#include "sys.h"

#include <poll.h>
#include <stdlib.h>

struct cnet__poller {
    struct pollfd *fds;      /* [0] is the wake-up descriptor */
    uint64_t *tokens;
    cnet__poll_arm **arms;
    int n, cap;
    int wake_rfd, wake_wfd;
};

static int grow(cnet__poller *p)
{
    int cap = p->cap ? 2 * p->cap : 64;
    struct pollfd *fds = realloc(p->fds, (size_t)cap * sizeof *fds);
    uint64_t *tokens;
    cnet__poll_arm **arms;

    if (fds == NULL)
        return -ENOMEM;
    p->fds = fds;
    tokens = realloc(p->tokens, (size_t)cap * sizeof *tokens);
    if (tokens == NULL)
        return -ENOMEM;
    p->tokens = tokens;
    arms = realloc(p->arms, (size_t)cap * sizeof *arms);
    if (arms == NULL)
        return -ENOMEM;
    p->arms = arms;
    p->cap = cap;
    return 0;
}

int cnet__poller_open(cnet__poller **out, const char **syscall)
{
    cnet__poller *p = cnet__os_calloc(1, sizeof *p);
    int rc;

    *syscall = "calloc";
    if (p == NULL)
        return -ENOMEM;
    rc = grow(p);
    if (rc == 0) {
        *syscall = cnet__wake_syscall;
        rc = cnet__wake_open(&p->wake_rfd, &p->wake_wfd);
    }
    if (rc < 0) {
        free(p->fds);
        free(p->tokens);
        free(p->arms);
        free(p);
        return rc;
    }
    p->fds[0] = (struct pollfd){.fd = p->wake_rfd, .events = POLLIN};
    p->arms[0] = NULL;
    p->n = 1;
    *out = p;
    return 0;
}

void cnet__poller_close(cnet__poller *p)
{
    cnet__wake_close(p->wake_rfd, p->wake_wfd);
    free(p->fds);
    free(p->tokens);
    free(p->arms);
    free(p);
}

int cnet__poller_arm(cnet__poller *p, int sysfd, uint64_t token, short events,
                     cnet__poller **registered, cnet__poll_arm *arm)
{
    (void)registered;
    if (p->n == p->cap && grow(p) < 0)
        return -ENOMEM;
    p->fds[p->n] = (struct pollfd){.fd = sysfd, .events = events};
    p->tokens[p->n] = token;
    p->arms[p->n] = arm;
    arm->poller = p;
    arm->slot = p->n++;
    return 0;
}

/* Takes slot out of the set: the last entry moves into its place. */
static void remove_slot(cnet__poller *p, int slot)
{
    int last = --p->n;

    p->arms[slot]->slot = -1;
    if (slot != last) {
        p->fds[slot] = p->fds[last];
        p->tokens[slot] = p->tokens[last];
        p->arms[slot] = p->arms[last];
        p->arms[slot]->slot = slot;
    }
}

void cnet__poller_disarm(cnet__poll_arm *arm)
{
    if (arm->poller != NULL && arm->slot > 0)
        remove_slot(arm->poller, arm->slot);
    arm->poller = NULL;
}

void cnet__poller_forget(cnet__poller *registered, int sysfd)
{
    (void)registered; /* nothing is registered beyond a wait */
    (void)sysfd;
}

int cnet__poller_wait(cnet__poller *p, int timeout_ms, cnet__pollev *out, int max)
{
    int n = cnet__os_poll(p->fds, (nfds_t)p->n, timeout_ms), k = 0;

    if (n < 0)
        return errno == EINTR ? 0 : CNET__ERRNO();
    if (p->fds[0].revents != 0)
        cnet__wake_drain(p->wake_rfd);
    /* From the end, so that a removal's move never skips an entry. */
    for (int i = p->n - 1; i > 0 && k < max; i--) {
        short r = p->fds[i].revents;

        if (r == 0)
            continue;
        out[k].token = p->tokens[i];
        out[k].readable = (r & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) != 0;
        out[k].writable = (r & (POLLOUT | POLLHUP | POLLERR | POLLNVAL)) != 0;
        out[k].hangup = (r & (POLLHUP | POLLERR | POLLNVAL)) != 0;
        k++;
        p->fds[i].revents = 0;
        remove_slot(p, i);
    }
    return k;
}

void cnet__poller_wakeup(cnet__poller *p)
{
    cnet__wake_signal(p->wake_wfd);
}
