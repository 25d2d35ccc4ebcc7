/* darwin: no SOCK_CLOEXEC and no accept4, so a new descriptor is inheritable until
 * fcntl marks it. Go closes that window with its fork lock (sys_cloexec.go); so does
 * cnet: creation holds the read side of a lock whose write side every fork() takes
 * through pthread_atfork, so a concurrent fork+exec waits until the descriptor is
 * close-on-exec. posix_spawn and vfork run no atfork handlers: programs that spawn that
 * way should pass POSIX_SPAWN_CLOEXEC_DEFAULT (docs/PLATFORMS.md). */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

static pthread_rwlock_t fork_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_once_t fork_lock_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void)
{
    pthread_rwlock_wrlock(&fork_lock);
}

static void fork_done(void)
{
    pthread_rwlock_unlock(&fork_lock);
}

/* glibc unlocks a write lock only for the thread id that took it, and the child's
 * thread has a new id: start the child with a fresh lock instead. */
static void fork_child(void)
{
    pthread_rwlock_init(&fork_lock, NULL);
}

static void install_fork_lock(void)
{
    pthread_atfork(fork_prepare, fork_done, fork_child);
}

static void hold_fork_lock(void)
{
    pthread_once(&fork_lock_once, install_fork_lock);
    pthread_rwlock_rdlock(&fork_lock);
}

static void release_fork_lock(void)
{
    pthread_rwlock_unlock(&fork_lock);
}

/* fcntl, retried if interrupted: a failure after accept would lose the connection, and
 * an EAGAIN or EINTR reported from here would read as "no connection yet". */
static int fcntl_retry(int fd, int cmd, int arg)
{
    int rc;

    do
        rc = cnet__os_fcntl(fd, cmd, arg);
    while (rc < 0 && (errno == EINTR || errno == EAGAIN));
    return rc;
}

/* Close-on-exec first (under the lock), then non-blocking; closes fd on failure. */
static int finish(int fd, bool locked)
{
    int flags, rc = 0;

    if (fd < 0) {
        rc = CNET__ERRNO();
    } else if (fcntl_retry(fd, F_SETFD, FD_CLOEXEC) < 0) {
        rc = CNET__ERRNO();
    }
    if (locked)
        release_fork_lock();
    if (rc == 0) {
        flags = fcntl_retry(fd, F_GETFL, 0);
        if (flags < 0 || fcntl_retry(fd, F_SETFL, flags | O_NONBLOCK) < 0)
            rc = CNET__ERRNO();
    }
    if (rc < 0 && fd >= 0)
        close(fd);
    return rc < 0 ? rc : fd;
}

int cnet__sys_socket(int family, int sotype, int proto)
{
    hold_fork_lock();
    return finish(cnet__os_socket(family, sotype, proto), true);
}

const char cnet__accept_syscall[] = "accept";

static inline int cnet__os_accept(int fd, struct sockaddr *sa, socklen_t *len)
{
    CNET__FAULT("accept", -1);
    return accept(fd, sa, len);
}

/* cnet's listening sockets are non-blocking, so accept returns at once and a fork waits
 * only a moment. A descriptor someone made blocking could hold the lock (and every fork
 * in the process) indefinitely: there accept runs unlocked, as in Go. */
static bool accept_may_block(int fd)
{
    int flags = cnet__os_fcntl(fd, F_GETFL, 0);

    return flags < 0 || (flags & O_NONBLOCK) == 0;
}

int cnet__sys_accept(int fd, cnet__sockaddr *sa, bool *dequeued)
{
    bool locked = !accept_may_block(fd);
    int nfd;

    if (locked)
        hold_fork_lock();
    sa->len = sizeof sa->u;
    do
        nfd = cnet__os_accept(fd, &sa->u.sa, &sa->len);
    while (nfd < 0 && errno == EINTR);
    *dequeued = nfd >= 0;
    return finish(nfd, locked);
}

/* Both ends close-on-exec before any fork can copy them, then non-blocking. */
int cnet__sys_pipe(int p[2])
{
    int rc;

    hold_fork_lock();
    if (cnet__os_pipe(p) < 0) {
        rc = CNET__ERRNO();
        release_fork_lock();
        return rc;
    }
    rc = cnet__os_fcntl(p[0], F_SETFD, FD_CLOEXEC) < 0 ||
                 cnet__os_fcntl(p[1], F_SETFD, FD_CLOEXEC) < 0
             ? CNET__ERRNO()
             : 0;
    release_fork_lock();
    if (rc == 0)
        rc = cnet__set_nonblock(p[0]);
    if (rc == 0)
        rc = cnet__set_nonblock(p[1]);
    if (rc < 0) {
        close(p[0]);
        close(p[1]);
    }
    return rc;
}
