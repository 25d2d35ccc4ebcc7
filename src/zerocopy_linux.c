/* Linux's copy paths for zerocopy.c: sendfile(2) from a file, splice(2) through a pipe. */
#include "internal.h"
#include "sys.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

/* sendfile and splice have no MSG_NOSIGNAL: writing to a peer that has gone raises
 * SIGPIPE, which would kill the process. The thread blocks SIGPIPE around the call and
 * takes back the one the call raised, so the call fails with EPIPE like every other
 * write of cnet's. A SIGPIPE already pending before the call is left alone. */
typedef struct sigpipe_guard {
    sigset_t old;
    bool was_pending;
} sigpipe_guard;

static void sigpipe_block(sigpipe_guard *g)
{
    sigset_t pipe_only, pending;

    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    g->was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &g->old);
}

/* rc: the call's result (-errno on failure). */
static void sigpipe_restore(const sigpipe_guard *g, ssize_t rc)
{
    static const struct timespec now = {0, 0};
    sigset_t pipe_only;

    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    if (rc == -EPIPE && !g->was_pending)
        while (sigtimedwait(&pipe_only, NULL, &now) < 0 && errno == EINTR)
            ;
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

static ssize_t sendfile_once(int sock, int file, off_t *off, size_t count)
{
    sigpipe_guard g;
    ssize_t n;

    sigpipe_block(&g);
    n = cnet__os_sendfile(sock, file, off, count);
    n = n < 0 ? CNET__ERRNO() : n;
    sigpipe_restore(&g, n);
    return n;
}

ssize_t cnet__zc_sendfile(int sock, int file, int64_t *offset, size_t count)
{
    off_t off;
    ssize_t n;

    if (offset == NULL)
        return sendfile_once(sock, file, NULL, count);
    off = (off_t)*offset;
    n = sendfile_once(sock, file, &off, count);
    if (n >= 0)
        *offset = (int64_t)off;
    return n;
}

int cnet__zc_pipe(int p[2], const char **syscall)
{
    *syscall = "pipe2";
    /* Non-blocking both ends: the waits are on the sockets, never on the pipe, which
     * the copy empties before it fills it again. */
    if (cnet__os_pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
        return CNET__ERRNO();
    /* 1 MiB instead of 64 KiB: a sixteenth of the splice calls. Best effort: an
     * unprivileged process may be over its pipe-buffer quota, and 64 KiB still works. */
    (void)cnet__os_fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
    return 0;
}

ssize_t cnet__zc_splice(int in, int out, size_t len)
{
    sigpipe_guard g;
    ssize_t n;

    sigpipe_block(&g);
    n = cnet__os_splice(in, out, len, SPLICE_F_NONBLOCK);
    n = n < 0 ? CNET__ERRNO() : n;
    sigpipe_restore(&g, n);
    return n;
}
