/* Every OS's default socket options, as data (go-listen.md section 1; peers.md 11).
 * The build's own OS applies its table through cnet__apply_policy(); every table can
 * be printed through cnet_sockopt_policy(). */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#define NS_PER_SEC 1000000000

#define ROW(role, opt, value, when, best, reason) \
    {CNET__ROLE_##role, CNET__OPT_##opt, value, when, best, reason}

#define R_V6ONLY "state dual-stack or v6-only explicitly, whatever the OS default (best effort, as Go)"
#define R_BROADCAST "UDP may send to broadcast addresses (Go's default)"
#define R_LISTEN_REUSEADDR "a restart binds through TIME_WAIT; no SO_REUSEPORT, so a duplicate listen fails (golang/go#2830)"
#define R_MCAST_REUSEADDR "receivers on one group and port share it; each gets every datagram"
#define R_MCAST_REUSEPORT "4.4BSD needs SO_REUSEPORT too for receivers to share a multicast port"
#define R_MCAST_LOOP "a receiver does not hear its own sends (Go's ListenMulticastUDP)"
#define R_NODELAY "small writes leave at once, no Nagle delay (Go's default)"
#define R_KEEPALIVE "dead peers are detected (Go's default since 1.12; best effort)"
#define R_KEEPIDLE "first probe after 15 s idle (Go's default, golang/go#31510)"
#define R_KEEPINTVL "15 s between probes (Go's default)"
#define R_KEEPCNT "9 unanswered probes end the connection (Go's default)"
#define R_INQ "each read learns what is left queued, so a drained socket waits without an EAGAIN read (cnet's, not Go's)"
#define R_PORTRANGE "DragonFly's default ephemeral range is narrow; use the high one (as Go)"
#define R_NOSIGPIPE "a write to a closed peer returns EPIPE instead of raising SIGPIPE"
#define R_REUSEPORT "opt-in group: the kernel spreads connections over members of the same user"
#define R_REUSEPORT_LB "opt-in group: FreeBSD 12+ balances only with SO_REUSEPORT_LB"
#define R_NO_REUSEPORT "SO_REUSEPORT here lets sockets share a port without balancing: refused (CNET_ENOTSUP)"

#define V6ONLY_ROW ROW(SOCKET, IPV6_V6ONLY, CNET__VALUE_IPV6ONLY, CNET__WHEN_INET6, true, R_V6ONLY)
#define BROADCAST_ROW ROW(SOCKET, SO_BROADCAST, 1, CNET__WHEN_INET | CNET__WHEN_DGRAM, false, R_BROADCAST)

#define LISTENER_ROWS ROW(LISTENER, SO_REUSEADDR, 1, CNET__WHEN_ANY, false, R_LISTEN_REUSEADDR)

#define JOIN_ROWS \
    ROW(JOIN, IP_MULTICAST_LOOP, 0, CNET__WHEN_INET4, false, R_MCAST_LOOP), \
    ROW(JOIN, IPV6_MULTICAST_LOOP, 0, CNET__WHEN_INET6, false, R_MCAST_LOOP)

#define CONN_ROWS(idle_opt) \
    ROW(CONN, TCP_NODELAY, 1, CNET__WHEN_INET | CNET__WHEN_STREAM, true, R_NODELAY), \
    ROW(CONN, SO_KEEPALIVE, 1, CNET__WHEN_INET | CNET__WHEN_STREAM, true, R_KEEPALIVE), \
    ROW(CONN, idle_opt, 15, CNET__WHEN_INET | CNET__WHEN_STREAM, true, R_KEEPIDLE), \
    ROW(CONN, TCP_KEEPINTVL, 15, CNET__WHEN_INET | CNET__WHEN_STREAM, true, R_KEEPINTVL), \
    ROW(CONN, TCP_KEEPCNT, 9, CNET__WHEN_INET | CNET__WHEN_STREAM, true, R_KEEPCNT)

static const cnet__policy_row linux_rows[] = {
    V6ONLY_ROW,
    BROADCAST_ROW,
    LISTENER_ROWS,
    ROW(MULTICAST, SO_REUSEADDR, 1, CNET__WHEN_ANY, false, R_MCAST_REUSEADDR),
    JOIN_ROWS,
    CONN_ROWS(TCP_KEEPIDLE),
    ROW(CONN, TCP_INQ, 1, CNET__WHEN_INET | CNET__WHEN_STREAM, true, R_INQ),
    ROW(REUSEPORT, SO_REUSEPORT, 1, CNET__WHEN_INET, false, R_REUSEPORT),
};

#define NO_REUSEPORT_ROW ROW(REUSEPORT, NONE, 0, CNET__WHEN_ANY, false, R_NO_REUSEPORT)

#define BSD_MULTICAST_ROWS \
    ROW(MULTICAST, SO_REUSEADDR, 1, CNET__WHEN_ANY, false, R_MCAST_REUSEADDR), \
    ROW(MULTICAST, SO_REUSEPORT, 1, CNET__WHEN_ANY, false, R_MCAST_REUSEPORT)

#define NOSIGPIPE_ROW ROW(SOCKET, SO_NOSIGPIPE, 1, CNET__WHEN_ANY, false, R_NOSIGPIPE)

static const cnet__policy_row darwin_rows[] = {
    V6ONLY_ROW,
    BROADCAST_ROW,
    NOSIGPIPE_ROW,
    LISTENER_ROWS,
    BSD_MULTICAST_ROWS,
    JOIN_ROWS,
    CONN_ROWS(TCP_KEEPALIVE),
    NO_REUSEPORT_ROW,
};

static const cnet__policy_row freebsd_rows[] = {
    V6ONLY_ROW,
    BROADCAST_ROW,
    LISTENER_ROWS,
    BSD_MULTICAST_ROWS,
    JOIN_ROWS,
    CONN_ROWS(TCP_KEEPIDLE),
    ROW(REUSEPORT, SO_REUSEPORT_LB, 1, CNET__WHEN_INET, false, R_REUSEPORT_LB),
};

static const cnet__policy_row netbsd_rows[] = {
    V6ONLY_ROW,
    BROADCAST_ROW,
    NOSIGPIPE_ROW,
    LISTENER_ROWS,
    BSD_MULTICAST_ROWS,
    JOIN_ROWS,
    CONN_ROWS(TCP_KEEPIDLE),
    NO_REUSEPORT_ROW,
};

/* OpenBSD and DragonFly never set IPV6_V6ONLY: their kernels are v6-only, full stop.
 * OpenBSD has no per-socket keep-alive timers: only SO_KEEPALIVE takes effect. */
static const cnet__policy_row openbsd_rows[] = {
    BROADCAST_ROW,
    LISTENER_ROWS,
    BSD_MULTICAST_ROWS,
    JOIN_ROWS,
    ROW(CONN, TCP_NODELAY, 1, CNET__WHEN_INET | CNET__WHEN_STREAM, true, R_NODELAY),
    ROW(CONN, SO_KEEPALIVE, 1, CNET__WHEN_INET | CNET__WHEN_STREAM, true, R_KEEPALIVE),
    NO_REUSEPORT_ROW,
};

static const cnet__policy_row dragonfly_rows[] = {
    BROADCAST_ROW,
    ROW(SOCKET, IP_PORTRANGE, 2, CNET__WHEN_INET4, true, R_PORTRANGE),
    ROW(SOCKET, IPV6_PORTRANGE, 2, CNET__WHEN_INET6, true, R_PORTRANGE),
    LISTENER_ROWS,
    BSD_MULTICAST_ROWS,
    JOIN_ROWS,
    CONN_ROWS(TCP_KEEPIDLE),
    ROW(REUSEPORT, SO_REUSEPORT, 1, CNET__WHEN_INET, false, R_REUSEPORT),
};

#define POLICY(name, rows, backlog) {name, rows, sizeof rows / sizeof rows[0], backlog}

static const cnet__policy policies[] = {
    POLICY("linux", linux_rows, "/proc/sys/net/core/somaxconn"),
    POLICY("darwin", darwin_rows, "sysctl kern.ipc.somaxconn"),
    POLICY("freebsd", freebsd_rows, "sysctl kern.ipc.soacceptqueue"),
    POLICY("netbsd", netbsd_rows, "SOMAXCONN"),
    POLICY("openbsd", openbsd_rows, "sysctl kern.somaxconn"),
    POLICY("dragonfly", dragonfly_rows, "SOMAXCONN"),
};

#define NPOLICIES (sizeof policies / sizeof policies[0])

const cnet__policy *cnet__policy_lookup(const char *os)
{
    size_t i;

    for (i = 0; i < NPOLICIES; i++)
        if (strcasecmp(policies[i].os, os) == 0)
            return &policies[i];
    return NULL;
}

/* ---- Applying this OS's rows --------------------------------------------------- */

static bool row_applies(const cnet__policy_row *row, int family, int sotype)
{
    unsigned fam = row->when & CNET__WHEN_INET;

    if (fam != 0 && !((fam & CNET__WHEN_INET4) && family == AF_INET) &&
        !((fam & CNET__WHEN_INET6) && family == AF_INET6))
        return false;
    /* As in Go, datagram rows (SO_BROADCAST) cover raw IP sockets too, and IPV6_V6ONLY
     * is never set on them. */
    if ((row->when & CNET__WHEN_DGRAM) && sotype != SOCK_DGRAM && sotype != SOCK_RAW)
        return false;
    if (row->opt == CNET__OPT_IPV6_V6ONLY && sotype == SOCK_RAW)
        return false;
    if ((row->when & CNET__WHEN_STREAM) && sotype != SOCK_STREAM)
        return false;
    return true;
}

static int set_option(int fd, cnet__opt opt, int value)
{
    int level, name;
    socklen_t size;
    unsigned char byte = (unsigned char)value;

    if (opt == CNET__OPT_NONE)
        return CNET_ENOTSUP;
    if (!cnet__opt_native(opt, &level, &name, &size))
        return -ENOPROTOOPT;
    if (cnet__os_setsockopt(fd, level, name, size == 1 ? (void *)&byte : (void *)&value, size) < 0)
        return CNET__ERRNO();
    return 0;
}

int cnet__apply_policy_with(int fd, cnet__role role, int family, int sotype, bool ipv6only,
                            cnet__override_fn override, const void *ctx, bool strict)
{
    const cnet__policy *p = cnet__policy_lookup(cnet__os_name());
    size_t i;
    int rc, value;

    for (i = 0; i < p->n; i++) {
        const cnet__policy_row *row = &p->rows[i];

        if (row->role != role || !row_applies(row, family, sotype))
            continue;
        value = row->value == CNET__VALUE_IPV6ONLY ? ipv6only : row->value;
        if (override != NULL && !override(ctx, row->opt, &value))
            continue;
        rc = set_option(fd, row->opt, value);
        if (rc < 0 && (strict || !row->best_effort))
            return rc;
    }
    return 0;
}

int cnet__apply_policy(int fd, cnet__role role, int family, int sotype, bool ipv6only)
{
    return cnet__apply_policy_with(fd, role, family, sotype, ipv6only, NULL, NULL, false);
}

/* ---- Printing any OS's rows ---------------------------------------------------- */

static const char *const role_names[CNET__ROLE_COUNT] = {
    "socket", "listener", "multicast", "multicast-join", "conn", "reuse_port"};

static const struct {
    const char *level, *name;
} opt_names[CNET__OPT_COUNT] = {
    [CNET__OPT_IPV6_V6ONLY] = {"IPPROTO_IPV6", "IPV6_V6ONLY"},
    [CNET__OPT_SO_BROADCAST] = {"SOL_SOCKET", "SO_BROADCAST"},
    [CNET__OPT_SO_REUSEADDR] = {"SOL_SOCKET", "SO_REUSEADDR"},
    [CNET__OPT_SO_REUSEPORT] = {"SOL_SOCKET", "SO_REUSEPORT"},
    [CNET__OPT_IP_PORTRANGE] = {"IPPROTO_IP", "IP_PORTRANGE"},
    [CNET__OPT_IPV6_PORTRANGE] = {"IPPROTO_IPV6", "IPV6_PORTRANGE"},
    [CNET__OPT_IP_MULTICAST_LOOP] = {"IPPROTO_IP", "IP_MULTICAST_LOOP"},
    [CNET__OPT_IPV6_MULTICAST_LOOP] = {"IPPROTO_IPV6", "IPV6_MULTICAST_LOOP"},
    [CNET__OPT_TCP_NODELAY] = {"IPPROTO_TCP", "TCP_NODELAY"},
    [CNET__OPT_SO_KEEPALIVE] = {"SOL_SOCKET", "SO_KEEPALIVE"},
    [CNET__OPT_TCP_KEEPIDLE] = {"IPPROTO_TCP", "TCP_KEEPIDLE"},
    [CNET__OPT_TCP_KEEPALIVE] = {"IPPROTO_TCP", "TCP_KEEPALIVE"},
    [CNET__OPT_TCP_KEEPINTVL] = {"IPPROTO_TCP", "TCP_KEEPINTVL"},
    [CNET__OPT_TCP_KEEPCNT] = {"IPPROTO_TCP", "TCP_KEEPCNT"},
    [CNET__OPT_TCP_INQ] = {"IPPROTO_TCP", "TCP_INQ"},
    [CNET__OPT_SO_NOSIGPIPE] = {"SOL_SOCKET", "SO_NOSIGPIPE"},
    [CNET__OPT_SO_REUSEPORT_LB] = {"SOL_SOCKET", "SO_REUSEPORT_LB"},
    [CNET__OPT_NONE] = {"-", "(none)"},
};

static const char *when_text(unsigned when)
{
    switch (when) {
    case CNET__WHEN_ANY: return "all";
    case CNET__WHEN_INET4: return "AF_INET";
    case CNET__WHEN_INET6: return "AF_INET6";
    case CNET__WHEN_INET: return "AF_INET/AF_INET6";
    case CNET__WHEN_INET | CNET__WHEN_DGRAM: return "UDP, raw IP";
    case CNET__WHEN_INET | CNET__WHEN_STREAM: return "TCP";
    default: return "?";
    }
}

static const char *value_text(const cnet__policy_row *row)
{
    int value = row->value;

    static const char *const small[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
                                        "10", "11", "12", "13", "14", "15"};

    if (row->opt == CNET__OPT_NONE)
        return "CNET_ENOTSUP";
    if (value == CNET__VALUE_IPV6ONLY)
        return "1 for *6 networks, else 0";
    return value >= 0 && value <= 15 ? small[value] : "?";
}

/* Public views of the tables, built once; at most 32 rows per OS, the last one for the
 * listen(2) backlog. */
static cnet_sockopt_rule views[NPOLICIES][32];
static size_t view_len[NPOLICIES];
static pthread_once_t views_once = PTHREAD_ONCE_INIT;

static void build_views(void)
{
    size_t i, j, n;

    for (i = 0; i < NPOLICIES; i++) {
        for (j = 0, n = 0; j < policies[i].n && n < 31; j++) {
            const cnet__policy_row *row = &policies[i].rows[j];

            views[i][n++] = (cnet_sockopt_rule){role_names[row->role], opt_names[row->opt].level,
                                                opt_names[row->opt].name, value_text(row),
                                                when_text(row->when), row->reason};
        }
        views[i][n++] = (cnet_sockopt_rule){"listener", "listen(2)", "backlog", "OS maximum",
                                            "stream", policies[i].backlog_source};
        view_len[i] = n;
    }
}

int cnet_sockopt_policy(const char *os, const cnet_sockopt_rule **rules, size_t *n)
{
    const cnet__policy *p;

    if (rules == NULL || n == NULL)
        return -EINVAL;
    *rules = NULL;
    *n = 0;
    p = cnet__policy_lookup(os != NULL ? os : cnet__os_name());
    if (p == NULL)
        return CNET_ENOTSUP;
    pthread_once(&views_once, build_views);
    *rules = views[p - policies];
    *n = view_len[p - policies];
    return 0;
}

const char *cnet_os_name(void)
{
    return cnet__os_name();
}

/* ---- Connection options with a keep-alive config (Go's KeepAliveConfig) --------- */

bool cnet__keepalive_is_default(const cnet_keepalive *ka)
{
    return ka == NULL || (ka->enable == 0 && ka->idle_ns == 0 && ka->interval_ns == 0 && ka->count == 0);
}

/* A duration in whole seconds, rounded up as Go does; INT_MAX for more (near INT64_MAX
 * the rounding saturates): the kernel refuses what it cannot hold. */
static int seconds_up(int64_t ns)
{
    int64_t s = cnet__add_sat_ns(ns, NS_PER_SEC - 1) / NS_PER_SEC;

    return s > INT_MAX ? INT_MAX : (int)s;
}

/* One config field v (set as setting): 0 keeps the table's default, < 0 leaves the OS
 * value alone. */
static bool field(int64_t v, int setting, int *value)
{
    if (v < 0)
        return false;
    if (v > 0)
        *value = setting;
    return true;
}

static bool keepalive_override(const void *ctx, cnet__opt opt, int *value)
{
    const cnet_keepalive *ka = ctx;

    switch (opt) {
    case CNET__OPT_TCP_NODELAY:
        return true;
    case CNET__OPT_SO_KEEPALIVE:
        return ka->enable >= 0;
    case CNET__OPT_TCP_KEEPIDLE:
    case CNET__OPT_TCP_KEEPALIVE:
        return ka->enable >= 0 && field(ka->idle_ns, seconds_up(ka->idle_ns), value);
    case CNET__OPT_TCP_KEEPINTVL:
        return ka->enable >= 0 && field(ka->interval_ns, seconds_up(ka->interval_ns), value);
    case CNET__OPT_TCP_KEEPCNT:
        return ka->enable >= 0 && field(ka->count, ka->count, value);
    default:
        return true;
    }
}

void cnet__apply_conn_options(int fd, int family, const cnet_keepalive *ka)
{
    if (cnet__keepalive_is_default(ka))
        cnet__set_default_conn_sockopts(fd, family);
    else
        cnet__apply_policy_with(fd, CNET__ROLE_CONN, family, SOCK_STREAM, false,
                                keepalive_override, ka, false);
}

/* Only the keep-alive rows of the conn role (cnet_conn_set_keepalive). */
static bool keepalive_only(const void *ctx, cnet__opt opt, int *value)
{
    return opt != CNET__OPT_TCP_NODELAY && opt != CNET__OPT_TCP_INQ &&
           keepalive_override(ctx, opt, value);
}

int cnet__set_keepalive(int fd, int family, const cnet_keepalive *ka)
{
    static const cnet_keepalive defaults;

    return cnet__apply_policy_with(fd, CNET__ROLE_CONN, family, SOCK_STREAM, false,
                                   keepalive_only, ka != NULL ? ka : &defaults, true);
}

/* Only SO_NOSIGPIPE (where the OS has it as a socket option). */
static bool nosigpipe_only(const void *ctx, cnet__opt opt, int *value)
{
    (void)ctx;
    (void)value;
    return opt == CNET__OPT_SO_NOSIGPIPE;
}

void cnet__adopt_sockopts(int fd)
{
    /* A descriptor cnet did not create lacks the per-socket SIGPIPE guard that darwin
     * needs; nothing else of the creation policy is re-applied to someone's socket. */
    cnet__apply_policy_with(fd, CNET__ROLE_SOCKET, AF_UNSPEC, SOCK_STREAM, false, nosigpipe_only,
                            NULL, false);
}
