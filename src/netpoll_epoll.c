/* The poller on Linux: epoll. A socket is registered once, edge-triggered for both
 * directions, the first time a task waits on it, and stays registered until it is
 * closed, as Go's netpoll does: no system call per wait. Other threads wake the
 * scheduler through an eventfd in the same set. */
#include "internal.h"
#include "sys.h"

#include <stdlib.h>
#include <sys/epoll.h>

#define WAKE_TOKEN UINT64_MAX

struct cnet__poller {
    int epfd;
    int wake_rfd, wake_wfd;
};

static int os_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    CNET__FAULT("epoll_ctl", -1);
    return epoll_ctl(epfd, op, fd, ev);
}

static int os_epoll_create1(int flags)
{
    CNET__FAULT("epoll_create1", -1);
    return epoll_create1(flags);
}

int cnet__poller_open(cnet__poller **out, const char **syscall)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = WAKE_TOKEN};
    cnet__poller *p = cnet__os_calloc(1, sizeof *p);
    int rc;

    *syscall = "calloc";
    if (p == NULL)
        return -ENOMEM;
    *syscall = "epoll_create1";
    p->epfd = os_epoll_create1(EPOLL_CLOEXEC);
    if (p->epfd < 0) {
        rc = CNET__ERRNO();
        goto fail_epoll;
    }
    *syscall = cnet__wake_syscall;
    rc = cnet__wake_open(&p->wake_rfd, &p->wake_wfd);
    if (rc < 0)
        goto fail_wake;
    *syscall = "epoll_ctl";
    if (os_epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->wake_rfd, &ev) < 0) {
        rc = CNET__ERRNO();
        goto fail_ctl;
    }
    *out = p;
    return 0;
fail_ctl:
    cnet__wake_close(p->wake_rfd, p->wake_wfd);
fail_wake:
    close(p->epfd);
fail_epoll:
    free(p);
    return rc;
}

void cnet__poller_close(cnet__poller *p)
{
    cnet__wake_close(p->wake_rfd, p->wake_wfd);
    close(p->epfd);
    free(p);
}

int cnet__poller_arm(cnet__poller *p, int sysfd, uint64_t token, short events,
                     cnet__poller **registered, cnet__poll_arm *arm)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                             .data.u64 = token};

    (void)events;
    arm->poller = NULL;
    if (*registered != NULL)
        return 0;
    if (os_epoll_ctl(p->epfd, EPOLL_CTL_ADD, sysfd, &ev) < 0)
        return CNET__ERRNO();
    *registered = p;
    return 0;
}

void cnet__poller_disarm(cnet__poll_arm *arm)
{
    (void)arm; /* registered for good: nothing to undo per wait */
}

void cnet__poller_forget(cnet__poller *registered, int sysfd)
{
    struct epoll_event ev = {0}; /* kernels before 2.6.9 insist on an event */

    if (epoll_ctl(registered->epfd, EPOLL_CTL_DEL, sysfd, &ev) < 0) {
        /* ENOENT/EBADF: already gone with the socket; nothing else is possible */
    }
}

int cnet__poller_wait(cnet__poller *p, int timeout_ms, cnet__pollev *out, int max)
{
    struct epoll_event ev[128];
    int n, k = 0;

    if (max > 128)
        max = 128;
    n = epoll_wait(p->epfd, ev, max, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : CNET__ERRNO();
    for (int i = 0; i < n; i++) {
        uint32_t e = ev[i].events;

        if (ev[i].data.u64 == WAKE_TOKEN) {
            cnet__wake_drain(p->wake_rfd);
            continue;
        }
        out[k].token = ev[i].data.u64;
        out[k].readable = (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
        out[k].writable = (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0;
        out[k].hangup = (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
        k++;
    }
    return k;
}

void cnet__poller_wakeup(cnet__poller *p)
{
    cnet__wake_signal(p->wake_wfd);
}
