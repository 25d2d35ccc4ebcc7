/* One datagram per system call, for an OS without recvmmsg / sendmmsg (darwin), and for
 * the portable-fallback build that runs this path on Linux. The callers loop: a batch
 * reports one datagram at a time, as x/net's ReadBatch and WriteBatch do there. */
#include "internal.h"
#include "sys.h"

const char cnet__recv_batch_syscall[] = "recvmsg";
const char cnet__send_batch_syscall[] = "sendmsg";

int cnet__sys_recv_batch(int fd, struct msghdr *h, size_t *lens, size_t n)
{
    ssize_t got;

    (void)n;
    got = cnet__os_recvmsg(fd, &h[0], 0);
    if (got < 0)
        return -1;
    lens[0] = (size_t)got;
    return 1;
}

int cnet__sys_send_batch(int fd, struct msghdr *h, size_t *lens, size_t n, int flags)
{
    ssize_t sent;

    (void)n;
    sent = cnet__os_sendmsg(fd, &h[0], flags);
    if (sent < 0)
        return -1;
    lens[0] = (size_t)sent;
    return 1;
}
