/* Sockets you already have: Go's FileListener, FileConn and FilePacketConn
 * (go-dial.md section 7), plus socket activation (systemd's LISTEN_FDS protocol). */
#include "internal.h"
#include "sys.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a descriptor turned out to be. */
typedef struct file_socket {
    int fd;         /* cnet's close-on-exec duplicate */
    const cnet__network *net;
    bool listening; /* SO_ACCEPTCONN */
    bool connected; /* has a peer */
    cnet__sockaddr peer;
} file_socket;

/* The network of a socket of this family and type (Go's sockaddrToXxx choice). */
static const cnet__network *network_of(int family, int sotype)
{
    static const struct {
        bool unix_family;
        int sotype;
        const char *name;
    } names[] = {
        {true, SOCK_STREAM, "unix"}, {true, SOCK_DGRAM, "unixgram"},
        {true, SOCK_SEQPACKET, "unixpacket"}, {false, SOCK_STREAM, "tcp"},
        {false, SOCK_DGRAM, "udp"},
    };
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].unix_family == (family == AF_UNIX) && names[i].sotype == sotype)
            return cnet__network_lookup(names[i].name);
    return NULL;
}

static int getsockopt_int(int fd, int name, int *value)
{
    socklen_t len = sizeof *value;

    return cnet__os_getsockopt(fd, SOL_SOCKET, name, value, &len) < 0 ? CNET__ERRNO() : 0;
}

static bool supported_family(int family)
{
    return family == AF_INET || family == AF_INET6 || family == AF_UNIX;
}

/* What fs->fd is: SO_TYPE, the family from getsockname, listening, connected. */
static int classify(file_socket *fs, const char **syscall)
{
    cnet__sockaddr local;
    int sotype, acceptconn = 0, rc;

    *syscall = "getsockopt";
    rc = getsockopt_int(fs->fd, SO_TYPE, &sotype);
    if (rc == 0) {
        *syscall = "getsockname";
        local.len = sizeof local.u;
        rc = cnet__os_getsockname(fs->fd, &local.u.sa, &local.len) < 0 ? CNET__ERRNO() : 0;
    }
    if (rc < 0)
        return rc;
    *syscall = NULL;
    fs->net = network_of(local.u.sa.sa_family, sotype);
    if (fs->net == NULL || !supported_family(local.u.sa.sa_family))
        return -EPROTONOSUPPORT;
    *syscall = "getsockopt";
    rc = getsockopt_int(fs->fd, SO_ACCEPTCONN, &acceptconn);
    if (rc < 0)
        return rc;
    *syscall = NULL;
    fs->listening = acceptconn != 0;
    fs->peer.len = sizeof fs->peer.u;
    fs->connected = cnet__os_getpeername(fs->fd, &fs->peer.u.sa, &fs->peer.len) == 0;
    if (!fs->connected)
        fs->peer.len = 0;
    return 0;
}

int cnet__set_nonblock(int fd)
{
    int flags = cnet__os_fcntl(fd, F_GETFL, 0);

    return flags < 0 || cnet__os_fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ? CNET__ERRNO() : 0;
}

/* Go's newFileFD: a close-on-exec duplicate, non-blocking, then classified. */
static int inspect(int fd, file_socket *fs, const char **syscall)
{
    int rc;

    *syscall = "dup";
    fs->fd = cnet__os_fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (fs->fd < 0)
        return CNET__ERRNO();
    *syscall = "setnonblock";
    rc = cnet__set_nonblock(fs->fd);
    if (rc == 0)
        rc = classify(fs, syscall);
    if (rc == 0)
        cnet__adopt_sockopts(fs->fd);
    if (rc < 0)
        close(fs->fd);
    return rc;
}

static int file_error(cnet_error *err, int code, int fd, const char *name, const char *syscall)
{
    char fdname[32];

    if (name == NULL) {
        snprintf(fdname, sizeof fdname, "fd %d", fd);
        name = fdname;
    }
    return cnet__sys_error(err, code, "file", "file+net", NULL, name, syscall);
}

/* Inspects fd and checks it fits: 0 with fs filled (fs->fd owned by the caller), or an
 * error with nothing left open. */
static int open_file(int fd, const char *name, bool (*fits)(const file_socket *),
                     file_socket *fs, cnet_error *err)
{
    const char *syscall;
    int rc;

    if (fd < 0)
        return file_error(err, -EBADF, fd, name, "dup");
    rc = inspect(fd, fs, &syscall);
    if (rc < 0)
        return file_error(err, rc, fd, name, syscall);
    if (!fits(fs)) {
        close(fs->fd);
        return file_error(err, -EINVAL, fd, name, NULL);
    }
    return 0;
}

int cnet__file_check(int fd, const char **syscall)
{
    file_socket fs = {.fd = fd};

    return classify(&fs, syscall);
}

int cnet__file_fits(int fd, bool listener, const cnet__network **net, const char **syscall)
{
    file_socket fs = {.fd = fd};
    int rc = classify(&fs, syscall);

    if (rc < 0)
        return rc == -EPROTONOSUPPORT ? 0 : rc;
    *net = fs.net;
    return listener ? fs.net->sotype != SOCK_DGRAM && fs.listening : fs.net->sotype == SOCK_DGRAM;
}

static bool fits_listener(const file_socket *fs)
{
    return fs->net->sotype != SOCK_DGRAM && fs->listening;
}

static bool fits_conn(const file_socket *fs)
{
    return !fs->listening && (fs->net->sotype != SOCK_DGRAM || fs->connected);
}

static bool fits_packet(const file_socket *fs)
{
    return fs->net->sotype == SOCK_DGRAM;
}

int cnet_file_listener(int fd, const char *name, cnet_listener **ln, cnet_error *err)
{
    file_socket fs;
    const char *syscall;
    int rc;

    cnet__err_clear(err);
    if (ln == NULL)
        return cnet__null_arg(err, "file", "ln");
    *ln = NULL;
    rc = open_file(fd, name, fits_listener, &fs, err);
    if (rc < 0)
        return rc;
    rc = cnet__listener_new(fs.fd, fs.net, ln, &syscall); /* never unlinks: not our path */
    if (rc < 0) {
        close(fs.fd);
        return file_error(err, rc, fd, name, syscall);
    }
    return 0;
}

int cnet_file_conn(int fd, const char *name, cnet_conn **c, cnet_error *err)
{
    file_socket fs;
    int rc;

    cnet__err_clear(err);
    if (c == NULL)
        return cnet__null_arg(err, "file", "c");
    *c = NULL;
    rc = open_file(fd, name, fits_conn, &fs, err);
    if (rc < 0)
        return rc;
    *c = cnet__conn_new(fs.fd, fs.net, fs.connected ? &fs.peer : NULL);
    if (*c == NULL) {
        close(fs.fd);
        return file_error(err, -ENOMEM, fd, name, "malloc");
    }
    if (fs.net->kind == CNET__TCP) /* Go: a TCP FileConn gets NODELAY and keep-alive */
        cnet__apply_conn_options(fs.fd, fs.peer.u.sa.sa_family, NULL);
    return 0;
}

int cnet_file_packet_conn(int fd, const char *name, cnet_packet_conn **pc, cnet_error *err)
{
    file_socket fs;
    const char *syscall;
    int rc;

    cnet__err_clear(err);
    if (pc == NULL)
        return cnet__null_arg(err, "file", "pc");
    *pc = NULL;
    rc = open_file(fd, name, fits_packet, &fs, err);
    if (rc < 0)
        return rc;
    rc = cnet__packet_new(fs.fd, fs.net, pc, &syscall);
    if (rc < 0) {
        close(fs.fd);
        return file_error(err, rc, fd, name, syscall);
    }
    return 0;
}
