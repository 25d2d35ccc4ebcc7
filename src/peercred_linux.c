/* The peer's credentials on Linux: SO_PEERCRED, recorded by the kernel at connect (or
 * socketpair) time. */
#include "internal.h"
#include "sys.h"

int cnet__peer_cred(int fd, cnet_peer_cred *cred, const char **syscall)
{
    struct ucred uc;
    socklen_t len = sizeof uc;

    *syscall = "getsockopt";
    if (cnet__os_getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
        return CNET__ERRNO();
    cred->pid = uc.pid;
    cred->uid = uc.uid;
    cred->gid = uc.gid;
    return 0;
}
