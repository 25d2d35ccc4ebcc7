/* Dialing: Go's Dialer (go-dial.md section 3.6). Every attempt is a non-blocking
 * connect watched with poll, so the serial dial and Happy Eyeballs (two racers, the
 * second started after the fallback delay or as soon as the first runs out of
 * addresses) are one loop on the caller's thread: no helper thread, and every losing
 * socket is closed before the call returns. */
#include "internal.h"
#include "sys.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_FALLBACK_DELAY_NS 300000000   /* Go's 300 ms */
#define MIN_ATTEMPT_NS 2000000000LL          /* Go's partialDeadline floor: 2 s */
#define MAX_RETRIES 2                        /* self-connect / EADDRNOTAVAIL */

/* One address to dial, ready for the socket skeleton. */
typedef struct target {
    cnet__sockaddr remote;
    int family;
    bool ipv6only, v4;
    char addr[CNET_ADDRSTRLEN];
} target;

typedef struct dial_ctx {
    const cnet_dialer *d;
    const cnet__network *net;
    int64_t deadline;
    cnet__sockaddr local_sa[2];  /* the local address in AF_INET, AF_INET6 (or unix) */
    const cnet__endpoint *local; /* resolved local endpoint, NULL if none */
    bool has_local;
    bool kernel_port; /* the kernel picks the local port: Go's retry condition */
    char source[CNET_ADDRSTRLEN]; /* the local address in error texts ("" if none) */
} dial_ctx;

/* One serial dialer over a list of targets (a Happy Eyeballs racer). */
typedef struct racer {
    const target *t[CNET__MAX_ADDRS];
    int n, next, retries;
    int fd; /* the attempt in flight, -1 if none */
    int64_t attempt_deadline;
    bool started;
    cnet_error first; /* code 0 until the first failure */
} racer;

/* Go's earliest of now+timeout (any non-zero timeout) and the deadline, saturating. */
static int64_t effective_deadline(const cnet_dialer *d)
{
    int64_t now = cnet_now_ns(), dl = d->deadline_ns, t = 0;

    if (d->timeout_ns != 0) {
        t = cnet__add_sat_ns(now, d->timeout_ns);
        if (t == 0)
            t = 1; /* 0 means "none": keep an expired deadline expired */
    }
    if (t != 0 && (dl == 0 || t < dl))
        dl = t;
    return dl;
}

/* Go's partialDeadline: an equal share of the time left, at least 2 s, never past the
 * deadline. CNET_EDIALTIMEOUT if no time is left. */
static int partial_deadline(int64_t deadline, int remaining, int64_t *out)
{
    int64_t now = cnet_now_ns(), left, share;

    *out = 0;
    if (deadline == 0)
        return 0;
    if (deadline <= now)
        return CNET_EDIALTIMEOUT; /* compared first: the subtraction cannot overflow */
    left = deadline - now;
    share = left / remaining;
    if (share < MIN_ATTEMPT_NS)
        share = left < MIN_ATTEMPT_NS ? left : MIN_ATTEMPT_NS;
    *out = now + share;
    return 0;
}

static void record(const dial_ctx *ctx, racer *r, int code, const target *t, const char *syscall)
{
    if (r->first.code != 0)
        return;
    if (code == CNET_EDIALTIMEOUT || code == CNET_ENOSUITABLE)
        syscall = NULL;
    cnet__sys_error(&r->first, code, "dial", ctx->net->name, ctx->source, t->addr, syscall);
}

/* A kernel-chosen local port equal to the remote end: connected to itself. */
static bool is_self_connect(int fd, const target *t)
{
    const cnet__sockaddr *r = &t->remote;
    cnet__sockaddr local;

    local.len = sizeof local.u;
    if (cnet__os_getsockname(fd, &local.u.sa, &local.len) < 0 ||
        local.u.sa.sa_family != r->u.sa.sa_family)
        return false;
    /* Go's selfConnect: same port and IP. Compared as bytes, not as formatted text. */
    if (r->u.sa.sa_family == AF_INET)
        return local.u.in4.sin_port == r->u.in4.sin_port &&
               local.u.in4.sin_addr.s_addr == r->u.in4.sin_addr.s_addr;
    return r->u.sa.sa_family == AF_INET6 && local.u.in6.sin6_port == r->u.in6.sin6_port &&
           memcmp(&local.u.in6.sin6_addr, &r->u.in6.sin6_addr, sizeof r->u.in6.sin6_addr) == 0;
}

static bool retryable(const dial_ctx *ctx, const racer *r, int code)
{
    return ctx->net->kind == CNET__TCP && ctx->kernel_port && r->retries < MAX_RETRIES &&
           code == -EADDRNOTAVAIL;
}

static int open_attempt(const dial_ctx *ctx, const target *t, const char **syscall)
{
    cnet__sock_req req = {.family = t->family, .sotype = ctx->net->sotype,
                          .proto = ctx->net->proto, .ipv6only = t->ipv6only, .remote = &t->remote,
                          .connect_async = true, .control = ctx->d->control,
                          .control_arg = ctx->d->control_arg, .control_addr = t->addr};

    if (ctx->has_local)
        req.local = &ctx->local_sa[t->family == AF_INET6];
    return cnet__socket(&req, cnet__qualified_network(ctx->net, t->family), syscall);
}

/* Starts the racer's next attempt, skipping (and recording) addresses that fail at
 * once. Leaves r->fd = -1 when it has run out of addresses or time. */
static void start_next(const dial_ctx *ctx, racer *r)
{
    const char *syscall;
    int fd, rc;

    r->started = true;
    while (r->fd < 0 && r->next < r->n) {
        const target *t = r->t[r->next];

        rc = partial_deadline(ctx->deadline, r->n - r->next, &r->attempt_deadline);
        if (rc < 0) {
            record(ctx, r, rc, t, NULL);
            r->next = r->n; /* out of time: Go stops here */
            return;
        }
        fd = open_attempt(ctx, t, &syscall);
        if (fd >= 0) {
            r->fd = fd;
        } else if (retryable(ctx, r, fd)) {
            r->retries++;
        } else {
            record(ctx, r, fd, t, syscall);
            r->next++;
            r->retries = 0;
        }
    }
}

/* The attempt in flight failed with code in syscall (or timed out): on to the next
 * address. */
static void attempt_failed(const dial_ctx *ctx, racer *r, int code, const char *syscall)
{
    close(r->fd);
    r->fd = -1;
    if (retryable(ctx, r, code)) {
        r->retries++;
    } else {
        record(ctx, r, code, r->t[r->next], syscall);
        r->next++;
        r->retries = 0;
    }
    start_next(ctx, r);
}

/* The attempt in flight became writable: returns the connected fd, or -1. */
static int attempt_ready(const dial_ctx *ctx, racer *r)
{
    int rc = cnet__connect_result(r->fd), fd;

    if (rc == 0 && ctx->net->kind == CNET__TCP && ctx->kernel_port &&
        is_self_connect(r->fd, r->t[r->next]))
        rc = r->retries < MAX_RETRIES ? -EADDRNOTAVAIL : -ECONNREFUSED;
    if (rc == 0) {
        fd = r->fd;
        r->fd = -1;
        return fd;
    }
    attempt_failed(ctx, r, rc, "connect");
    return -1;
}

static bool racer_done(const racer *r)
{
    return r->started && r->fd < 0;
}

static int64_t earliest(int64_t a, int64_t b)
{
    return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

/* One poll over the racers' attempts; returns a connected fd (and its target) or -1. */
static int poll_racers(const dial_ctx *ctx, racer *rs[2], int64_t wake_at, const target **won)
{
    struct pollfd p[2];
    int i, n = 0, fd, poll_err;

    for (i = 0; i < 2; i++) {
        p[i].fd = rs[i]->fd; /* a negative fd is ignored by poll */
        p[i].events = POLLOUT;
        p[i].revents = 0;
        if (rs[i]->fd >= 0)
            wake_at = earliest(wake_at, rs[i]->attempt_deadline);
    }
    n = cnet__poll_any(p, 2, wake_at);
    poll_err = n < 0 ? n : 0;
    if (poll_err == -EINTR)
        return -1;
    for (i = 0; i < 2; i++) {
        if (rs[i]->fd < 0)
            continue;
        if (poll_err < 0) { /* the wait itself failed: so does every attempt it watched */
            attempt_failed(ctx, rs[i], poll_err, "poll");
        } else if (p[i].revents != 0) {
            *won = rs[i]->t[rs[i]->next];
            fd = attempt_ready(ctx, rs[i]);
            if (fd >= 0)
                return fd;
        } else if (rs[i]->attempt_deadline != 0 && cnet_now_ns() >= rs[i]->attempt_deadline) {
            attempt_failed(ctx, rs[i], CNET_EDIALTIMEOUT, NULL);
        }
    }
    return -1;
}

/* Go's dialParallel (and dialSerial when fallback has no targets). */
static int race(const dial_ctx *ctx, racer *primary, racer *fallback, int64_t delay,
                const target **won)
{
    racer *rs[2] = {primary, fallback};
    int64_t fallback_at = cnet__add_sat_ns(cnet_now_ns(), delay); /* saturated: waits for the primary */
    int fd = -1, i;

    start_next(ctx, primary);
    for (;;) {
        if (fallback->n > 0 && !fallback->started &&
            (racer_done(primary) || cnet_now_ns() >= fallback_at))
            start_next(ctx, fallback);
        if (racer_done(primary) && (fallback->n == 0 || racer_done(fallback)))
            return -1;
        fd = poll_racers(ctx, rs, fallback->started || fallback->n == 0 ? 0 : fallback_at, won);
        if (fd >= 0)
            break;
    }
    for (i = 0; i < 2; i++) {
        if (rs[i]->fd >= 0 && rs[i]->fd != fd) {
            close(rs[i]->fd); /* the losing racer */
            rs[i]->fd = -1;
        }
    }
    return fd;
}

/* ---- Building the targets ------------------------------------------------------- */

static bool same_family_or_wildcard(const cnet__endpoint *local, const cnet__endpoint *ep)
{
    if (local == NULL || cnet__ip_is_unspecified(&local->ip) || cnet__ip_is_unspecified(&ep->ip))
        return true;
    return cnet__ip_is_v4(&local->ip) == cnet__ip_is_v4(&ep->ip);
}

static bool inet_target(const dial_ctx *ctx, const cnet__endpoint *ep, target *t)
{
    t->family = cnet__favorite_family(ctx->net, ctx->local, ep, false, &t->ipv6only);
    t->v4 = ep->ip.family == AF_UNSPEC || cnet__ip_is_v4(&ep->ip);
    cnet__net_endpoint_format(ctx->net, ep, t->addr, sizeof t->addr);
    return cnet__endpoint_to_sockaddr(ep, t->family, &t->remote);
}

/* Go's resolveAddrList for dial: resolve, then keep the remote addresses a local
 * address of that family can reach (rule 7). */
static int inet_targets(dial_ctx *ctx, const char *address, target *ts, int *n, cnet_error *err)
{
    cnet__addr_list list;
    char inner[CNET_ERROR_MAX];
    int rc, i;

    rc = cnet__resolve("dial", ctx->net, address, ctx->deadline, &list, err);
    for (i = 0, *n = 0; rc == 0 && i < list.n; i++)
        if (same_family_or_wildcard(ctx->local, &list.ep[i]) && inet_target(ctx, &list.ep[i], &ts[*n]))
            (*n)++;
    if (rc == 0 && *n == 0) {
        cnet__addr_error_text(inner, sizeof inner, CNET_ENOSUITABLE, ctx->source);
        rc = cnet__op_error(err, CNET_ENOSUITABLE, "dial", ctx->net->name, NULL, NULL, inner);
    }
    return rc;
}

static int unix_target(const dial_ctx *ctx, const char *address, target *t, cnet_error *err)
{
    t->family = AF_UNIX;
    t->ipv6only = t->v4 = false;
    snprintf(t->addr, sizeof t->addr, "%s", address);
    if (!cnet__unix_sockaddr(address, &t->remote))
        return cnet__sys_error(err, -EINVAL, "dial", ctx->net->name, ctx->source, address, "connect");
    return 0;
}

/* The dialer's local address, in both families (the target picks one). */
static int local_address(dial_ctx *ctx, cnet__endpoint *ep, cnet_error *err)
{
    const char *a = ctx->d->local_address;
    cnet__network any_family = *ctx->net;
    cnet__addr_list list;
    int rc;

    ctx->kernel_port = true;
    if (a == NULL || a[0] == '\0')
        return 0;
    ctx->has_local = true;
    snprintf(ctx->source, sizeof ctx->source, "%s", a);
    if (ctx->net->kind == CNET__UNIX)
        return cnet__unix_sockaddr(a, &ctx->local_sa[0]) ? 0
               : cnet__sys_error(err, -EINVAL, "dial", ctx->net->name, a, NULL, "bind");
    /* Resolved as Go's caller resolves Dialer.LocalAddr: whatever its family; a family
     * the network cannot use is reported when the remote addresses are filtered. */
    any_family.family_hint = AF_UNSPEC;
    rc = cnet__resolve("dial", &any_family, a, ctx->deadline, &list, err);
    if (rc < 0)
        return rc;
    *ep = *cnet__addr_list_first_v4(&list);
    ctx->local = ep;
    ctx->kernel_port = ep->port == 0;
    cnet__net_endpoint_format(ctx->net, ep, ctx->source, sizeof ctx->source);
    if (!cnet__endpoint_to_sockaddr(ep, AF_INET, &ctx->local_sa[0]))
        ctx->local_sa[0].len = 0;
    cnet__endpoint_to_sockaddr(ep, AF_INET6, &ctx->local_sa[1]);
    return 0;
}

/* Go's partition: the first address's family is primary, the rest fall back. Only
 * "tcp" with Happy Eyeballs on splits; otherwise everything is primary. */
static void partition(const dial_ctx *ctx, const target *ts, int n, racer *primary, racer *fallback)
{
    bool split = strcmp(ctx->net->name, "tcp") == 0 && ctx->d->fallback_delay_ns >= 0;
    int i;

    for (i = 0; i < n; i++) {
        racer *r = (!split || ts[i].v4 == ts[0].v4) ? primary : fallback;
        r->t[r->n++] = &ts[i];
    }
}

/* Go records the peer as getpeername reports it. It differs from the address dialed
 * only for a wildcard ("0.0.0.0", "::" reach the local host) or a zone (the kernel drops
 * it for an address that is not link-local); otherwise no system call is needed. */
static void connected_peer(int fd, const target *t, cnet__sockaddr *peer)
{
    static const unsigned char zero[16];
    bool v6 = t->remote.u.sa.sa_family == AF_INET6;
    const void *ip = v6 ? (const void *)&t->remote.u.in6.sin6_addr
                        : (const void *)&t->remote.u.in4.sin_addr;

    *peer = t->remote;
    if (t->family == AF_UNIX ||
        (memcmp(ip, zero, v6 ? 16 : 4) != 0 && !(v6 && t->remote.u.in6.sin6_scope_id != 0)))
        return;
    peer->len = sizeof peer->u;
    if (cnet__os_getpeername(fd, &peer->u.sa, &peer->len) < 0)
        *peer = t->remote;
}

static int finish(const dial_ctx *ctx, int fd, const target *t, cnet_conn **c, cnet_error *err)
{
    cnet__sockaddr peer;

    connected_peer(fd, t, &peer);
    *c = cnet__conn_new(fd, ctx->net, &peer);
    if (*c == NULL) {
        close(fd);
        return cnet__sys_error(err, -ENOMEM, "dial", ctx->net->name, ctx->source, t->addr, "malloc");
    }
    if (ctx->net->kind == CNET__TCP)
        cnet__apply_conn_options(fd, t->family, &ctx->d->keepalive);
    return 0;
}

static int dial_targets(const dial_ctx *ctx, const target *ts, int n, cnet_conn **c, cnet_error *err)
{
    racer primary = {.fd = -1}, fallback = {.fd = -1};
    const target *won = NULL;
    int64_t delay = ctx->d->fallback_delay_ns > 0 ? ctx->d->fallback_delay_ns : DEFAULT_FALLBACK_DELAY_NS;
    int fd;

    partition(ctx, ts, n, &primary, &fallback);
    fd = race(ctx, &primary, &fallback, delay, &won);
    if (fd >= 0)
        return finish(ctx, fd, won, c, err);
    /* Go returns the primary racer's first error. */
    if (err != NULL)
        *err = primary.first.code != 0 ? primary.first : fallback.first;
    return primary.first.code != 0 ? primary.first.code : fallback.first.code;
}

int cnet_dial_with(const cnet_dialer *d, const char *network, const char *address, cnet_conn **c,
                   cnet_error *err)
{
    static const cnet_dialer zero;
    dial_ctx ctx;
    cnet__network net;
    cnet__endpoint local;
    target ts[CNET__MAX_ADDRS];
    char errtext[CNET_ERROR_MAX];
    int n = 1, rc;

    cnet__err_clear(err);
    if (c == NULL)
        return cnet__null_arg(err, "dial", "c");
    *c = NULL;
    if (network == NULL)
        return cnet__null_arg(err, "dial", "network");
    if (address == NULL)
        return cnet__null_arg(err, "dial", "address");
    memset(&ctx, 0, sizeof ctx);
    ctx.d = d != NULL ? d : &zero;
    rc = cnet__network_parse(network, &net, errtext, sizeof errtext);
    if (rc < 0)
        return cnet__network_error(err, rc, "dial", network, errtext);
    ctx.net = &net;
    if (address[0] == '\0')
        return cnet__op_error(err, CNET_EMISSINGADDR, "dial", ctx.net->name, NULL, NULL, NULL);
    ctx.deadline = effective_deadline(ctx.d);
    rc = local_address(&ctx, &local, err);
    if (rc == 0)
        rc = ctx.net->kind == CNET__UNIX ? unix_target(&ctx, address, &ts[0], err)
                                         : inet_targets(&ctx, address, ts, &n, err);
    return rc < 0 ? rc : dial_targets(&ctx, ts, n, c, err);
}

int cnet_dial(const char *network, const char *address, cnet_conn **c, cnet_error *err)
{
    return cnet_dial_with(NULL, network, address, c, err);
}
