/* Every system call (and allocation) the library makes goes through these wrappers,
 * so that a test build (CNET_FAULT_INJECTION) can make the Nth one fail with a chosen
 * errno and check that each error path reports the right error and leaks nothing. In a
 * normal build they are plain calls. close() is never failed: its failure could not be
 * handled anyway. */
#ifndef CNET_SYS_H
#define CNET_SYS_H

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef CNET_FAULT_INJECTION
/* 0, or the errno the current call must fail with (fault.c). */
int cnet__fault(const char *call);
#define CNET__FAULT(call, fail) \
    do { \
        int e_ = cnet__fault(call); \
        if (e_ != 0) { \
            errno = e_; \
            return fail; \
        } \
    } while (0)
#else
#define CNET__FAULT(call, fail) ((void)0)
#endif

static inline int cnet__os_socket(int domain, int type, int proto)
{
    CNET__FAULT("socket", -1);
    return socket(domain, type, proto);
}

static inline int cnet__os_setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
    CNET__FAULT("setsockopt", -1);
    return setsockopt(fd, level, name, v, len);
}

static inline int cnet__os_getsockopt(int fd, int level, int name, void *v, socklen_t *len)
{
    CNET__FAULT("getsockopt", -1);
    return getsockopt(fd, level, name, v, len);
}

static inline int cnet__os_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
    CNET__FAULT("bind", -1);
    return bind(fd, sa, len);
}

static inline int cnet__os_listen(int fd, int backlog)
{
    CNET__FAULT("listen", -1);
    return listen(fd, backlog);
}

static inline int cnet__os_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    CNET__FAULT("connect", -1);
    return connect(fd, sa, len);
}

static inline int cnet__os_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
    CNET__FAULT("getsockname", -1);
    return getsockname(fd, sa, len);
}

static inline int cnet__os_getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
    CNET__FAULT("getpeername", -1);
    return getpeername(fd, sa, len);
}

static inline ssize_t cnet__os_read(int fd, void *buf, size_t len)
{
    CNET__FAULT("read", -1);
    return read(fd, buf, len);
}

static inline ssize_t cnet__os_recvmsg(int fd, struct msghdr *msg, int flags)
{
    CNET__FAULT("recvmsg", -1);
    return recvmsg(fd, msg, flags);
}

static inline ssize_t cnet__os_send(int fd, const void *buf, size_t len, int flags)
{
    CNET__FAULT("send", -1);
    return send(fd, buf, len, flags);
}

static inline ssize_t cnet__os_sendto(int fd, const void *buf, size_t len, int flags,
                                      const struct sockaddr *sa, socklen_t salen)
{
    CNET__FAULT("sendto", -1);
    return sendto(fd, buf, len, flags, sa, salen);
}

static inline ssize_t cnet__os_recvfrom(int fd, void *buf, size_t len, int flags,
                                        struct sockaddr *sa, socklen_t *salen)
{
    CNET__FAULT("recvfrom", -1);
    return recvfrom(fd, buf, len, flags, sa, salen);
}

static inline int cnet__os_poll(struct pollfd *p, nfds_t n, int timeout)
{
    CNET__FAULT("poll", -1);
    return poll(p, n, timeout);
}

static inline int cnet__os_shutdown(int fd, int how)
{
    CNET__FAULT("shutdown", -1);
    return shutdown(fd, how);
}

static inline int cnet__os_fcntl(int fd, int cmd, int arg)
{
    CNET__FAULT("fcntl", -1);
    return fcntl(fd, cmd, arg);
}

static inline int cnet__os_pipe(int p[2])
{
    CNET__FAULT("pipe", -1);
    return pipe(p);
}

static inline void *cnet__os_calloc(size_t n, size_t size)
{
    CNET__FAULT("calloc", NULL);
    return calloc(n, size);
}

static inline void *cnet__os_malloc(size_t size)
{
    CNET__FAULT("malloc", NULL);
    return malloc(size);
}

static inline unsigned cnet__os_if_nametoindex(const char *name)
{
    CNET__FAULT("if_nametoindex", 0);
    return if_nametoindex(name);
}

static inline int cnet__os_getifaddrs(struct ifaddrs **list)
{
    CNET__FAULT("getifaddrs", -1);
    return getifaddrs(list);
}

static inline FILE *cnet__os_fopen(const char *path, const char *mode)
{
    CNET__FAULT("fopen", NULL);
    return fopen(path, mode);
}

static inline int cnet__os_pthread_create(pthread_t *t, const pthread_attr_t *a,
                                          void *(*fn)(void *), void *arg)
{
    int e_ = 0;
#ifdef CNET_FAULT_INJECTION
    e_ = cnet__fault("pthread_create");
#endif
    return e_ != 0 ? e_ : pthread_create(t, a, fn, arg);
}

static inline void *cnet__os_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    CNET__FAULT("mmap", MAP_FAILED);
    return mmap(addr, len, prot, flags, fd, off);
}

static inline int cnet__os_mprotect(void *addr, size_t len, int prot)
{
    CNET__FAULT("mprotect", -1);
    return mprotect(addr, len, prot);
}

static inline pid_t cnet__os_fork(void)
{
    CNET__FAULT("fork", -1);
    return fork();
}

/* ---- lookups ---- */
#include <sys/stat.h>

static inline int cnet__os_stat(const char *path, struct stat *st)
{
    CNET__FAULT("stat", -1);
    return stat(path, st);
}

/* ---- message I/O: datagrams (cnet__os_recvmsg is above) ---- */
static inline ssize_t cnet__os_sendmsg(int fd, const struct msghdr *m, int flags)
{
    CNET__FAULT("sendmsg", -1);
    return sendmsg(fd, m, flags);
}

#ifdef __linux__
/* Linux's batch calls (batch_linux.c only). */
static inline int cnet__os_recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags)
{
    CNET__FAULT("recvmmsg", -1);
    return recvmmsg(fd, v, n, flags, NULL);
}

static inline int cnet__os_sendmmsg(int fd, struct mmsghdr *v, unsigned n, int flags)
{
    CNET__FAULT("sendmmsg", -1);
    return sendmmsg(fd, v, n, flags);
}
#endif
/* ---- message I/O: streams and unix ---- */
#include <sys/uio.h>

/* (cnet__os_sendmsg and cnet__os_recvmsg are above) */
static inline ssize_t cnet__os_pread(int fd, void *buf, size_t len, off_t off)
{
    CNET__FAULT("pread", -1);
    return pread(fd, buf, len, off);
}

/* The zero-copy calls exist on Linux only (zerocopy_linux.c is their one user). */
#ifdef __linux__
#include <sys/sendfile.h>

static inline ssize_t cnet__os_sendfile(int out, int in, off_t *off, size_t count)
{
    CNET__FAULT("sendfile", -1);
    return sendfile(out, in, off, count);
}

static inline ssize_t cnet__os_splice(int in, int out, size_t len, unsigned flags)
{
    CNET__FAULT("splice", -1);
    return splice(in, NULL, out, NULL, len, flags);
}

static inline int cnet__os_pipe2(int p[2], int flags)
{
    CNET__FAULT("pipe2", -1);
    return pipe2(p, flags);
}
#else
/* The BSDs' peer credentials (peercred_bsd.c); not in glibc or musl. */
static inline int cnet__os_getpeereid(int fd, uid_t *uid, gid_t *gid)
{
    CNET__FAULT("getpeereid", -1);
    return getpeereid(fd, uid, gid);
}
#endif
/* ---- end of message I/O: streams and unix ---- */

#endif /* CNET_SYS_H */
