/* The peer's credentials on darwin and the BSDs: getpeereid(3) everywhere (uid and
 * gid, recorded at connect time); the pid where the OS tells it, darwin's
 * LOCAL_PEERPID. */
#include "internal.h"
#include "sys.h"

#include <sys/un.h>

static pid_t peer_pid(int fd)
{
#ifdef LOCAL_PEERPID
    pid_t pid;
    socklen_t len = sizeof pid;

    /* SOL_LOCAL is 0 on darwin; its headers name the level only with _DARWIN_C_SOURCE */
    if (cnet__os_getsockopt(fd, 0, LOCAL_PEERPID, &pid, &len) == 0)
        return pid;
#else
    (void)fd;
#endif
    return -1;
}

int cnet__peer_cred(int fd, cnet_peer_cred *cred, const char **syscall)
{
    uid_t uid;
    gid_t gid;

    *syscall = "getpeereid";
    if (cnet__os_getpeereid(fd, &uid, &gid) < 0)
        return CNET__ERRNO();
    cred->pid = peer_pid(fd);
    cred->uid = uid;
    cred->gid = gid;
    return 0;
}
