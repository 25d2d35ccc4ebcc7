/* Many datagrams per system call: Linux's recvmmsg and sendmmsg (x/net's ReadBatch and
 * WriteBatch use the same calls). */
#include "internal.h"
#include "sys.h"

#include <string.h>

const char cnet__recv_batch_syscall[] = "recvmmsg";
const char cnet__send_batch_syscall[] = "sendmmsg";

static void load(struct mmsghdr *v, const struct msghdr *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        v[i].msg_hdr = h[i];
        v[i].msg_len = 0;
    }
}

/* The kernel updates each header's name, control length and flags. */
static void store(struct msghdr *h, size_t *lens, const struct mmsghdr *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h[i] = v[i].msg_hdr;
        lens[i] = v[i].msg_len;
    }
}

int cnet__sys_recv_batch(int fd, struct msghdr *h, size_t *lens, size_t n)
{
    struct mmsghdr v[CNET__BATCH_MAX];
    int got;

    load(v, h, n);
    got = cnet__os_recvmmsg(fd, v, (unsigned)n, 0);
    if (got > 0)
        store(h, lens, v, (size_t)got);
    return got;
}

int cnet__sys_send_batch(int fd, struct msghdr *h, size_t *lens, size_t n, int flags)
{
    struct mmsghdr v[CNET__BATCH_MAX];
    int sent;

    load(v, h, n);
    sent = cnet__os_sendmmsg(fd, v, (unsigned)n, flags);
    if (sent > 0)
        store(h, lens, v, (size_t)sent);
    return sent;
}
