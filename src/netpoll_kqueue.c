/* The poller on darwin and the BSDs: kqueue. A socket is registered once, for reading
 * and writing with EV_CLEAR (edge-triggered), the first time a task waits on it, and
 * stays registered until it is closed: no system call per wait. Other threads wake the
 * scheduler through a pipe in the same queue. */
#include "internal.h"
#include "sys.h"

#include <stdlib.h>
#include <sys/event.h>
#include <sys/time.h>

#define WAKE_TOKEN UINTPTR_MAX

struct cnet__poller {
    int kq;
    int wake_rfd, wake_wfd;
};

static int os_kevent(int kq, const struct kevent *ch, int nch, struct kevent *ev, int nev,
                     const struct timespec *ts)
{
    CNET__FAULT("kevent", -1);
    return kevent(kq, ch, nch, ev, nev, ts);
}

int cnet__poller_open(cnet__poller **out, const char **syscall)
{
    cnet__poller *p = cnet__os_calloc(1, sizeof *p);
    struct kevent ch;
    int rc;

    *syscall = "calloc";
    if (p == NULL)
        return -ENOMEM;
    *syscall = "kqueue";
    p->kq = kqueue();
    if (p->kq < 0) {
        rc = CNET__ERRNO();
        goto fail_kq;
    }
    *syscall = "fcntl";
    if (cnet__os_fcntl(p->kq, F_SETFD, FD_CLOEXEC) < 0) {
        rc = CNET__ERRNO();
        goto fail_wake;
    }
    *syscall = cnet__wake_syscall;
    rc = cnet__wake_open(&p->wake_rfd, &p->wake_wfd);
    if (rc < 0)
        goto fail_wake;
    *syscall = "kevent";
    EV_SET(&ch, p->wake_rfd, EVFILT_READ, EV_ADD, 0, 0, (void *)WAKE_TOKEN);
    if (os_kevent(p->kq, &ch, 1, NULL, 0, NULL) < 0) {
        rc = CNET__ERRNO();
        goto fail_ctl;
    }
    *out = p;
    return 0;
fail_ctl:
    cnet__wake_close(p->wake_rfd, p->wake_wfd);
fail_wake:
    close(p->kq);
fail_kq:
    free(p);
    return rc;
}

void cnet__poller_close(cnet__poller *p)
{
    cnet__wake_close(p->wake_rfd, p->wake_wfd);
    close(p->kq);
    free(p);
}

int cnet__poller_arm(cnet__poller *p, int sysfd, uint64_t token, short events,
                     cnet__poller **registered, cnet__poll_arm *arm)
{
    struct kevent ch[2];

    (void)events;
    arm->poller = NULL;
    if (*registered != NULL)
        return 0;
    EV_SET(&ch[0], sysfd, EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, (void *)(uintptr_t)token);
    EV_SET(&ch[1], sysfd, EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, 0, (void *)(uintptr_t)token);
    if (os_kevent(p->kq, ch, 2, NULL, 0, NULL) < 0)
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
    struct kevent ch[2];

    EV_SET(&ch[0], sysfd, EVFILT_READ, EV_DELETE, 0, 0, NULL);
    EV_SET(&ch[1], sysfd, EVFILT_WRITE, EV_DELETE, 0, 0, NULL);
    if (kevent(registered->kq, ch, 2, NULL, 0, NULL) < 0) {
        /* ENOENT: already gone with the socket */
    }
}

int cnet__poller_wait(cnet__poller *p, int timeout_ms, cnet__pollev *out, int max)
{
    struct kevent ev[128];
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000};
    int n, k = 0;

    if (max > 128)
        max = 128;
    n = kevent(p->kq, NULL, 0, ev, max, timeout_ms < 0 ? NULL : &ts);
    if (n < 0)
        return errno == EINTR ? 0 : CNET__ERRNO();
    for (int i = 0; i < n; i++) {
        uintptr_t token = (uintptr_t)ev[i].udata;

        if (token == WAKE_TOKEN) {
            cnet__wake_drain(p->wake_rfd);
            continue;
        }
        out[k].token = token;
        out[k].readable = ev[i].filter == EVFILT_READ || (ev[i].flags & EV_ERROR) != 0;
        out[k].writable = ev[i].filter == EVFILT_WRITE || (ev[i].flags & EV_ERROR) != 0;
        out[k].hangup = (ev[i].flags & (EV_EOF | EV_ERROR)) != 0;
        k++;
    }
    return k;
}

void cnet__poller_wakeup(cnet__poller *p)
{
    cnet__wake_signal(p->wake_wfd);
}
