/* No kernel copy path (the BSDs and darwin, whose sendfile(2) has another shape, and the
 * portable-fallbacks test build): zerocopy.c then copies through a buffer. */
#include "internal.h"

ssize_t cnet__zc_sendfile(int sock, int file, int64_t *offset, size_t count)
{
    (void)sock;
    (void)file;
    (void)offset;
    (void)count;
    return -ENOSYS;
}

int cnet__zc_pipe(int p[2], const char **syscall)
{
    (void)p;
    *syscall = "splice";
    return -ENOSYS;
}

ssize_t cnet__zc_splice(int in, int out, size_t len)
{
    (void)in;
    (void)out;
    (void)len;
    return -ENOSYS;
}
