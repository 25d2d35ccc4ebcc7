/* Linux's copy paths for zerocopy.c: sendfile(2) from a file, splice(2) through a pipe. */
#include "internal.h"
#include "sys.h"

#include <fcntl.h>

ssize_t cnet__zc_sendfile(int sock, int file, int64_t *offset, size_t count)
{
    off_t off;
    ssize_t n;

    if (offset == NULL)
        return (n = cnet__os_sendfile(sock, file, NULL, count)) < 0 ? CNET__ERRNO() : n;
    off = (off_t)*offset;
    n = cnet__os_sendfile(sock, file, &off, count);
    if (n < 0)
        return CNET__ERRNO();
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
    ssize_t n = cnet__os_splice(in, out, len, SPLICE_F_NONBLOCK);

    return n < 0 ? CNET__ERRNO() : n;
}
