/* Go's errno texts (syscall.Errno.Error() on Linux): lower-case, and in places worded
 * differently from the C library's strerror(), which cnet must not use. Keyed by the
 * symbolic constant so the table is right on every OS's numbering. */
#include "internal.h"

#include <errno.h>
#include <stddef.h>

static const struct {
    int errnum;
    const char *text;
} errno_texts[] = {
    {EPERM, "operation not permitted"},
    {ENOENT, "no such file or directory"},
    {ESRCH, "no such process"},
    {EINTR, "interrupted system call"},
    {EIO, "input/output error"},
    {ENXIO, "no such device or address"},
    {E2BIG, "argument list too long"},
    {ENOEXEC, "exec format error"},
    {EBADF, "bad file descriptor"},
    {ECHILD, "no child processes"},
    {EAGAIN, "resource temporarily unavailable"},
    {ENOMEM, "cannot allocate memory"},
    {EACCES, "permission denied"},
    {EFAULT, "bad address"},
    {EBUSY, "device or resource busy"},
    {EEXIST, "file exists"},
    {EXDEV, "invalid cross-device link"},
    {ENODEV, "no such device"},
    {ENOTDIR, "not a directory"},
    {EISDIR, "is a directory"},
    {EINVAL, "invalid argument"},
    {ENFILE, "too many open files in system"},
    {EMFILE, "too many open files"},
    {ENOTTY, "inappropriate ioctl for device"},
    {ETXTBSY, "text file busy"},
    {EFBIG, "file too large"},
    {ENOSPC, "no space left on device"},
    {ESPIPE, "illegal seek"},
    {EROFS, "read-only file system"},
    {EMLINK, "too many links"},
    {EPIPE, "broken pipe"},
    {EDOM, "numerical argument out of domain"},
    {ERANGE, "numerical result out of range"},
    {EDEADLK, "resource deadlock avoided"},
    {ENAMETOOLONG, "file name too long"},
    {ENOLCK, "no locks available"},
    {ENOSYS, "function not implemented"},
    {ENOTEMPTY, "directory not empty"},
    {ELOOP, "too many levels of symbolic links"},
    {ENOMSG, "no message of desired type"},
    {EIDRM, "identifier removed"},
    {EPROTO, "protocol error"},
    {EBADMSG, "bad message"},
    {EOVERFLOW, "value too large for defined data type"},
    {EILSEQ, "invalid or incomplete multibyte or wide character"},
    {ENOTSOCK, "socket operation on non-socket"},
    {EDESTADDRREQ, "destination address required"},
    {EMSGSIZE, "message too long"},
    {EPROTOTYPE, "protocol wrong type for socket"},
    {ENOPROTOOPT, "protocol not available"},
    {EPROTONOSUPPORT, "protocol not supported"},
    {EOPNOTSUPP, "operation not supported"},
    {EAFNOSUPPORT, "address family not supported by protocol"},
    {EADDRINUSE, "address already in use"},
    {EADDRNOTAVAIL, "cannot assign requested address"},
    {ENETDOWN, "network is down"},
    {ENETUNREACH, "network is unreachable"},
    {ENETRESET, "network dropped connection on reset"},
    {ECONNABORTED, "software caused connection abort"},
    {ECONNRESET, "connection reset by peer"},
    {ENOBUFS, "no buffer space available"},
    {EISCONN, "transport endpoint is already connected"},
    {ENOTCONN, "transport endpoint is not connected"},
    {ETIMEDOUT, "connection timed out"},
    {ECONNREFUSED, "connection refused"},
    {EHOSTUNREACH, "no route to host"},
    {EALREADY, "operation already in progress"},
    {EINPROGRESS, "operation now in progress"},
    {ESTALE, "stale NFS file handle"},
    {EDQUOT, "disk quota exceeded"},
    {ECANCELED, "operation canceled"},
};

const char *cnet__errno_text(int errnum)
{
    size_t i;

    for (i = 0; i < sizeof errno_texts / sizeof errno_texts[0]; i++)
        if (errno_texts[i].errnum == errnum)
            return errno_texts[i].text;
    return NULL;
}
