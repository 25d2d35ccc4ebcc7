/* Stream listeners: Go's Listen (ListenConfig), Accept, Addr and Close. */
#include "internal.h"
#include "sys.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cnet__listener_new(int sysfd, const cnet__network *net, cnet_listener **out,
                       const char **syscall)
{
    cnet_listener *ln = cnet__os_calloc(1, sizeof *ln);
    int rc;

    *syscall = "malloc";
    if (ln == NULL)
        return -ENOMEM;
    *syscall = "getsockname";
    rc = cnet__local_sockaddr(sysfd, &ln->addr);
    if (rc < 0) {
        free(ln);
        return rc;
    }
    /* Once here, not on every accept: only a failing accept needs the text. */
    cnet__sockaddr_format(&ln->addr, ln->addr_text, sizeof ln->addr_text);
    *syscall = "malloc";
    rc = cnet__fd_init(&ln->fd, sysfd);
    if (rc < 0) {
        free(ln);
        return rc;
    }
    ln->net_copy = *net;
    ln->net = &ln->net_copy;
    ln->opts_on_accept = net->kind == CNET__TCP;
    *out = ln;
    return 0;
}

/* A socket file this listener created: remember which, to unlink only that one. */
static void remember_path(cnet_listener *ln, const char *path)
{
    struct stat st;

    if (path[0] == '\0' || path[0] == '@' || stat(path, &st) < 0)
        return;
    ln->unlink_on_close = true;
    ln->path_dev = st.st_dev;
    ln->path_ino = st.st_ino;
}

static int finish(int sysfd, const cnet__network *net, const cnet_listen_config *cfg,
                  const char *path, const char *address, cnet_listener **out, cnet_error *err)
{
    cnet_listener *ln = NULL;
    const char *syscall;
    int rc = cnet__listener_new(sysfd, net, &ln, &syscall);

    if (rc < 0) {
        close(sysfd);
        if (path != NULL && path[0] != '\0' && path[0] != '@')
            unlink(path);
        return cnet__sys_error(err, rc, "listen", net->name, NULL, address, syscall);
    }
    if (path != NULL)
        remember_path(ln, path);
    ln->keepalive = cfg->keepalive;
    /* Linux clones accepted sockets from the listener: TCP_NODELAY and keep-alive set
     * here reach every accepted connection without a system call each. */
    if (net->kind == CNET__TCP && cnet__accept_inherits_conn_sockopts()) {
        cnet__apply_conn_options(sysfd, ln->addr.u.sa.sa_family, &cfg->keepalive);
        ln->opts_on_accept = false;
    }
    *out = ln;
    return 0;
}

static void init_req(cnet__sock_req *req, const cnet_listen_config *cfg, const cnet__network *net,
                     const cnet__sockaddr *local, const char *addr)
{
    memset(req, 0, sizeof *req);
    req->sotype = net->sotype;
    req->local = local;
    req->backlog = cfg->backlog;
    req->reuse_port = cfg->reuse_port != 0;
    req->control = cfg->control;
    req->control_arg = cfg->control_arg;
    req->control_addr = addr;
}

static int listen_unix(const cnet_listen_config *cfg, const cnet__network *net,
                       const char *address, cnet_listener **ln, cnet_error *err)
{
    cnet__sockaddr sa;
    cnet__sock_req req;
    const char *syscall = "bind";
    int fd;

    if (cfg->reuse_port)
        return cnet__op_error(err, CNET_ENOTSUP, "listen", net->name, NULL, address,
                              "reuse_port: not supported for unix sockets");
    if (!cnet__unix_sockaddr(address, &sa))
        return cnet__sys_error(err, -EINVAL, "listen", net->name, NULL, address, syscall);
    init_req(&req, cfg, net, &sa, address);
    req.family = AF_UNIX;
    fd = cnet__socket(&req, net->name, &syscall);
    if (fd < 0)
        return cnet__sys_error(err, fd, "listen", net->name, NULL, address, syscall);
    return finish(fd, net, cfg, address, address, ln, err);
}

static int listen_tcp(const cnet_listen_config *cfg, const cnet__network *net,
                      const char *address, cnet_listener **ln, cnet_error *err)
{
    cnet__addr_list list;
    const cnet__endpoint *ep;
    cnet__sockaddr sa;
    cnet__sock_req req;
    char addr[CNET_ADDRSTRLEN];
    const char *syscall;
    int rc, fd;

    rc = cnet__resolve("listen", net, address, 0, &list, err);
    if (rc < 0)
        return rc;
    ep = cnet__addr_list_first_v4(&list);
    cnet__endpoint_format(ep, addr, sizeof addr);
    init_req(&req, cfg, net, &sa, addr);
    req.family = cnet__favorite_family(net, ep, NULL, true, &req.ipv6only);
    if (!cnet__endpoint_to_sockaddr(ep, req.family, &sa))
        return cnet__op_error(err, CNET_ENOSUITABLE, "listen", net->name, NULL, addr, NULL);
    fd = cnet__socket(&req, cnet__qualified_network(net, req.family), &syscall);
    if (fd < 0)
        return cnet__sys_error(err, fd, "listen", net->name, NULL, addr, syscall);
    return finish(fd, net, cfg, NULL, addr, ln, err);
}

int cnet__wrong_kind(const char *op, const cnet__network *net, const char *address,
                     cnet_error *err)
{
    cnet__addr_list list;
    char addr[CNET_ADDRSTRLEN], inner[CNET_ERROR_MAX];
    int rc;

    if (net->kind == CNET__UNIX) {
        snprintf(addr, sizeof addr, "%s", address);
    } else {
        rc = cnet__resolve(op, net, address, 0, &list, err);
        if (rc < 0)
            return rc;
        cnet__net_endpoint_format(net, cnet__addr_list_first_v4(&list), addr, sizeof addr);
    }
    cnet__addr_error_text(inner, sizeof inner, CNET_EADDRTYPE, address);
    return cnet__op_error(err, CNET_EADDRTYPE, op, net->name, NULL, addr, inner);
}

int cnet_listen_with(const cnet_listen_config *cfg, const char *network, const char *address,
                     cnet_listener **ln, cnet_error *err)
{
    static const cnet_listen_config defaults;
    cnet__network parsed, *net = &parsed;
    char errtext[CNET_ERROR_MAX];
    int rc;

    cnet__err_clear(err);
    if (ln == NULL)
        return cnet__null_arg(err, "listen", "ln");
    *ln = NULL;
    if (network == NULL)
        return cnet__null_arg(err, "listen", "network");
    if (address == NULL)
        return cnet__null_arg(err, "listen", "address");
    if (cfg == NULL)
        cfg = &defaults;
    rc = cnet__network_parse(network, net, errtext, sizeof errtext);
    if (rc < 0)
        return cnet__network_error(err, rc, "listen", network, errtext);
    if (net->sotype != SOCK_STREAM && net->sotype != SOCK_SEQPACKET)
        return cnet__wrong_kind("listen", net, address, err);
    if (net->kind == CNET__UNIX)
        return listen_unix(cfg, net, address, ln, err);
    return listen_tcp(cfg, net, address, ln, err);
}

int cnet_listen(const char *network, const char *address, cnet_listener **ln, cnet_error *err)
{
    return cnet_listen_with(NULL, network, address, ln, err);
}

/* Linux's accept takes a descriptor before it looks at the queue, so a full table fails
 * it with EMFILE even when no connection is waiting. Only a queued connection makes that
 * an error; with an empty queue the accept waits, as it would with a slot free (issue
 * 11.1). A poll that fails reports the EMFILE. */
static bool out_of_fds_with_nothing_queued(int rc, int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};

    return (rc == -EMFILE || rc == -ENFILE) && cnet__os_poll(&p, 1, 0) == 0;
}

/* One accept4 (or accept); the new handle, or a code: -EAGAIN when there is nothing to
 * accept, a full descriptor table with nothing queued included. */
static int accept_one(cnet_listener *ln, cnet_conn **c)
{
    cnet__sockaddr peer;
    bool dequeued;
    int nfd = cnet__sys_accept(ln->fd.sysfd, &peer, &dequeued);

    if (nfd < 0 && !dequeued && out_of_fds_with_nothing_queued(nfd, ln->fd.sysfd))
        return -EAGAIN;
    if (nfd < 0)
        return nfd;
    *c = cnet__conn_new(nfd, ln->net, &peer);
    if (*c == NULL) {
        close(nfd);
        return -ENOMEM;
    }
    if (ln->opts_on_accept)
        cnet__apply_conn_options(nfd, peer.u.sa.sa_family, &ln->keepalive);
    return 0;
}

int cnet_listener_accept(cnet_listener *ln, cnet_conn **c, cnet_error *err)
{
    int rc;

    cnet__err_clear(err);
    if (c == NULL)
        return cnet__null_arg(err, "accept", "c");
    *c = NULL;
    if (ln == NULL)
        return cnet__null_arg(err, "accept", "ln");
    if (cnet__fd_acquire(&ln->fd) < 0)
        return cnet__op_error(err, CNET_ECLOSED, "accept", ln->net->name, NULL, ln->addr_text, NULL);
    for (rc = cnet__fd_check_deadline(&ln->fd.rdeadline); rc == 0;) {
        rc = accept_one(ln, c);
        if (rc == 0)
            break;
        if (rc == -ECONNABORTED)
            rc = 0; /* the peer gave up before we got to it: not the listener's error */
        else if (rc == -EAGAIN || rc == -EWOULDBLOCK)
            rc = cnet__fd_wait(&ln->fd, POLLIN, &ln->fd.rdeadline);
    }
    /* Format while still holding the fd: a concurrent close frees ln after release. */
    if (rc == CNET_ECLOSED || rc == CNET_ETIMEOUT)
        rc = cnet__op_error(err, rc, "accept", ln->net->name, NULL, ln->addr_text, NULL);
    else if (rc < 0)
        rc = cnet__sys_error(err, rc, "accept", ln->net->name, NULL, ln->addr_text,
                             rc == -ENOMEM ? "malloc" : cnet__accept_syscall);
    cnet__fd_release(&ln->fd);
    return rc;
}

int cnet_listener_set_deadline(cnet_listener *ln, int64_t deadline_ns)
{
    return ln == NULL ? -EINVAL : cnet__fd_set_deadline(&ln->fd, true, false, deadline_ns);
}

int cnet_listener_addr(const cnet_listener *ln, char *buf, size_t len)
{
    if (ln == NULL || buf == NULL)
        return -EINVAL;
    return cnet__sockaddr_format(&ln->addr, buf, len);
}

int cnet_listener_fd(const cnet_listener *ln)
{
    return ln == NULL ? -EINVAL : ln->fd.sysfd;
}

/* Removes the socket file only if it is still the one this listener created: a file
 * that replaced it belongs to someone else. Go unlinks before closing the fd. */
static void unlink_own_path(cnet_listener *ln)
{
    struct stat st;
    const char *path = ln->addr.u.un.sun_path;

    if (ln->unlink_on_close && stat(path, &st) == 0 && st.st_dev == ln->path_dev &&
        st.st_ino == ln->path_ino && S_ISSOCK(st.st_mode))
        unlink(path);
}

int cnet_listener_stop(cnet_listener *ln)
{
    if (ln == NULL)
        return -EINVAL;
    cnet__fd_stop(&ln->fd);
    return 0;
}

int cnet_listener_close(cnet_listener *ln)
{
    if (ln == NULL)
        return -EINVAL;
    unlink_own_path(ln);
    cnet__fd_close(&ln->fd);
    free(ln);
    return 0;
}
