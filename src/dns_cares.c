/* DNS questions the system resolver cannot ask (SRV, MX, TXT, NS, PTR, and the CNAME
 * chain), through c-ares. c-ares reads /etc/resolv.conf (nameservers, search, ndots,
 * timeout, attempts, rotate) for each lookup, as Go re-reads it, and retries a truncated
 * answer over TCP. Its sockets are never waited on with its own select: each turn waits
 * through cnet__poll_any on the socket c-ares is using now and on the resolver's wake-up
 * descriptor (a stop), so a task parks and a thread polls; then every c-ares socket that
 * is ready (a zero-timeout poll) and every expired retry timer is handed to
 * ares_process_fd. A channel serves one lookup at a time (it is not safe to share
 * between threads); idle channels wait in a small pool, because making one costs more
 * than a whole lookup on a local server (c-ares parses resolv.conf and more). The pool
 * is emptied when /etc/resolv.conf changes (its identity, stat'ed at each lookup: Go
 * re-reads it after a change too), and only a channel whose query ended normally goes
 * back to it: it then holds no socket (no ARES_FLAG_STAYOPEN). */
#include "internal.h"
#include "sys.h"

#include <ares.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct dns_query {
    bool done;
    int status;
    unsigned char *abuf; /* a copy: c-ares frees its own after the callback */
    int alen;
    ares_socket_t current; /* the socket c-ares opened or wanted last */
} dns_query;

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static int library_status;

static void library_init(void)
{
    library_status = ares_library_init(ARES_LIB_INIT_ALL);
}

static void answered(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    dns_query *q = arg;

    (void)timeouts;
    if (q->done)
        return; /* ARES_EDESTRUCTION after the lookup has given up */
    q->done = true;
    q->status = status;
    if (status == ARES_SUCCESS && abuf != NULL && alen > 0) {
        q->abuf = cnet__os_malloc((size_t)alen);
        if (q->abuf == NULL)
            q->status = ARES_ENOMEM;
        else
            memcpy(q->abuf, abuf, (size_t)alen);
        q->alen = alen;
    }
}

/* c-ares made a socket: the newest is the one its query waits on now. */
static int socket_made(ares_socket_t s, int type, void *arg)
{
    dns_query *q = arg;

    (void)type;
    q->current = s;
    return 0;
}

static void format_server(const struct ares_addr_port_node *sv, char *buf, size_t len)
{
    cnet__endpoint ep;

    memset(&ep, 0, sizeof ep);
    ep.port = sv->udp_port != 0 ? sv->udp_port : 53;
    ep.ip.family = sv->family;
    if (sv->family == AF_INET)
        memcpy(ep.ip.b, &sv->addr.addr4, 4);
    else if (sv->family == AF_INET6)
        memcpy(ep.ip.b, &sv->addr.addr6, 16);
    else
        ep.ip.family = AF_UNSPEC;
    if (ep.ip.family == AF_UNSPEC || cnet__endpoint_format(&ep, buf, len) < 0)
        buf[0] = '\0';
}

static void channel_server(ares_channel ch, char *buf, size_t len)
{
    struct ares_addr_port_node *servers = NULL;

    buf[0] = '\0';
    if (ares_get_servers_ports(ch, &servers) == ARES_SUCCESS && servers != NULL)
        format_server(servers, buf, len);
    ares_free_data(servers);
}

/* resolv.conf's "options timeout:N attempts:N", which c-ares 1.18 does not read (it
 * knows only "retrans:" and "retry:"), with Go's defaults (5 s, 2) and floors (1). */
static void resolv_timeouts(int *timeout_ms, int *attempts)
{
    char line[1024], *save, *tok;
    FILE *f = cnet__os_fopen("/etc/resolv.conf", "re");

    *timeout_ms = 5000;
    *attempts = 2;
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        tok = strtok_r(line, " \t\r\n", &save);
        if (tok == NULL || strcmp(tok, "options") != 0)
            continue;
        while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
            if (strncmp(tok, "timeout:", 8) == 0) {
                long n = strtol(tok + 8, NULL, 10);
                *timeout_ms = n < 1 ? 1000 : n > 3600 ? 3600000 : (int)n * 1000;
            } else if (strncmp(tok, "attempts:", 9) == 0) {
                long n = strtol(tok + 9, NULL, 10);
                *attempts = n < 1 ? 1 : n > 16 ? 16 : (int)n;
            }
        }
    }
    fclose(f);
}

static int channel_open(ares_channel *ch)
{
    struct ares_options opts;

    pthread_once(&library_once, library_init);
    if (library_status != ARES_SUCCESS)
        return -ENOMEM;
    memset(&opts, 0, sizeof opts);
    resolv_timeouts(&opts.timeout, &opts.tries);
    /* The server's failure code reaches the callback as itself (ESERVFAIL, EREFUSED):
     * c-ares 1.18 otherwise reports every one as ECONNREFUSED. The cost: a SERVFAIL is
     * final, where Go would try the next nameserver. */
    opts.flags = ARES_FLAG_NOCHECKRESP;
    switch (ares_init_options(ch, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS)) {
    case ARES_SUCCESS:
        return 0;
    case ARES_ENOMEM:
        return -ENOMEM;
    default:
        return CNET_ELOOKUP; /* resolv.conf unreadable: c-ares falls back otherwise */
    }
}

/* ---- the pool of idle channels ----------------------------------------------------- */

enum { POOL_MAX = 8 };

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static ares_channel pool[POOL_MAX];
static size_t pool_n;
static unsigned long pool_gen; /* bumped when resolv.conf changes */
static struct stat pool_conf;  /* resolv.conf as the pooled channels read it */

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtime == b->st_mtime && a->st_ctime == b->st_ctime;
}

/* A channel for one lookup (*gen: the pool's generation it belongs to): a pooled one if
 * resolv.conf is unchanged, else a new one. */
static int channel_take(ares_channel *ch, unsigned long *gen)
{
    ares_channel stale[POOL_MAX];
    size_t nstale = 0;
    struct stat st;

    memset(&st, 0, sizeof st);
    if (cnet__os_stat("/etc/resolv.conf", &st) != 0)
        memset(&st, 0, sizeof st); /* no file: c-ares's defaults, one identity */
    pthread_mutex_lock(&pool_mu);
    if (!same_file(&st, &pool_conf)) {
        while (pool_n > 0)
            stale[nstale++] = pool[--pool_n];
        pool_conf = st;
        pool_gen++;
    }
    *gen = pool_gen;
    *ch = pool_n > 0 ? pool[--pool_n] : NULL;
    pthread_mutex_unlock(&pool_mu);
    while (nstale > 0)
        ares_destroy(stale[--nstale]);
    return *ch != NULL ? 0 : channel_open(ch);
}

/* Back to the pool if its query ended normally and resolv.conf has not changed since. */
static void channel_give(ares_channel ch, unsigned long gen, bool clean)
{
    pthread_mutex_lock(&pool_mu);
    if (clean && gen == pool_gen && pool_n < POOL_MAX) {
        pool[pool_n++] = ch;
        ch = NULL;
    }
    pthread_mutex_unlock(&pool_mu);
    if (ch != NULL)
        ares_destroy(ch);
}

void cnet__dns_first_server(char *buf, size_t len)
{
    ares_channel ch;
    unsigned long gen;

    buf[0] = '\0';
    if (channel_take(&ch, &gen) < 0)
        return;
    channel_server(ch, buf, len);
    channel_give(ch, gen, true);
}

/* ---- waiting ---------------------------------------------------------------------- */

/* ares_getsock's bits, tested on an unsigned value: c-ares's own macros shift a signed 1
 * into the sign bit for the last socket's write bit. */
static bool wants_read(int bits, int i)
{
    return ((unsigned)bits >> i) & 1u;
}

static bool wants_write(int bits, int i)
{
    return ((unsigned)bits >> (i + ARES_GETSOCK_MAXNUM)) & 1u;
}

/* The socket to park on: the one c-ares used last if it still wants it, else the last
 * it lists. An answer arriving meanwhile on an older socket (a server given up on) is
 * read at the next turn, as Go only ever waits on its current exchange. */
static int pick_socket(const ares_socket_t *socks, int bits, ares_socket_t current, short *events)
{
    int pick = -1;

    for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
        if (!wants_read(bits, i) && !wants_write(bits, i))
            continue;
        if (pick < 0 || socks[pick] != current)
            pick = i;
    }
    if (pick < 0)
        return -1;
    *events = (short)((wants_read(bits, pick) ? POLLIN : 0) |
                      (wants_write(bits, pick) ? POLLOUT : 0));
    return (int)socks[pick];
}

/* Hands every ready socket, then the retry timers, to c-ares. */
static void process_ready(ares_channel ch)
{
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    struct pollfd p[ARES_GETSOCK_MAXNUM];
    int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM), n = 0;

    for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
        short ev = (short)((wants_read(bits, i) ? POLLIN : 0) |
                           (wants_write(bits, i) ? POLLOUT : 0));
        if (ev != 0)
            p[n++] = (struct pollfd){.fd = socks[i], .events = ev};
    }
    if (n > 0 && cnet__os_poll(p, (nfds_t)n, 0) > 0) {
        for (int i = 0; i < n; i++) {
            if (p[i].revents == 0)
                continue;
            short rd = POLLIN | POLLERR | POLLHUP, wr = POLLOUT | POLLERR | POLLHUP;

            ares_process_fd(ch, (p[i].revents & rd) ? p[i].fd : ARES_SOCKET_BAD,
                            (p[i].revents & wr) ? p[i].fd : ARES_SOCKET_BAD);
        }
    }
    ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
}

static bool stopped(cnet__stopper *stop)
{
    bool s;

    if (stop == NULL)
        return false;
    pthread_mutex_lock(&stop->mu);
    s = stop->stopped;
    pthread_mutex_unlock(&stop->mu);
    return s;
}

/* Runs c-ares until the query is answered (0), the deadline passes (CNET_EDIALTIMEOUT),
 * a stop (CNET_ECANCELED) or a wait fails (-errno). */
static int run_channel(ares_channel ch, dns_query *q, int64_t deadline, cnet__stopper *stop,
                       int wake_fd)
{
    while (!q->done) {
        ares_socket_t socks[ARES_GETSOCK_MAXNUM];
        struct timeval tv, *tvp;
        struct pollfd p[2];
        int64_t until = 0, now = cnet_now_ns();
        short events = 0;
        int n = 0, fd, rc;

        if (stopped(stop))
            return CNET_ECANCELED;
        if (deadline != 0 && now >= deadline)
            return CNET_EDIALTIMEOUT;
        tvp = ares_timeout(ch, NULL, &tv);
        if (tvp != NULL)
            until = cnet__add_sat_ns(now, cnet__sec_to_ns_sat((int64_t)tvp->tv_sec,
                                                              (int64_t)tvp->tv_usec * 1000 + 1));
        if (deadline != 0 && (until == 0 || deadline < until))
            until = deadline;
        if (wake_fd >= 0)
            p[n++] = (struct pollfd){.fd = wake_fd, .events = POLLIN};
        fd = pick_socket(socks, ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM), q->current, &events);
        if (fd >= 0)
            p[n++] = (struct pollfd){.fd = fd, .events = events};
        if (fd < 0 && until == 0)
            return CNET_ELOOKUP; /* nothing to wait for and no answer: cannot happen */
        if (n == 0) { /* only a retry timer: sleep to it (a task parks) */
            cnet_sleep(until - now);
            process_ready(ch);
            continue;
        }
        rc = cnet__poll_any(p, n, until);
        if (rc < 0 && rc != -EINTR && rc != -EAGAIN)
            return rc;
        process_ready(ch);
    }
    return 0;
}

/* ---- the answer ----------------------------------------------------------------------- */

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* A name at p inside the message: *name (malloc'd, no trailing dot), *len its encoded
 * length. false if malformed. */
static bool expand_name(const unsigned char *p, const unsigned char *abuf, int alen, char **name,
                        long *len)
{
    return ares_expand_name(p, abuf, alen, name, len) == ARES_SUCCESS;
}

/* TXT: the record's strings, joined with nothing between (Go's). */
static bool parse_txt(const unsigned char *rd, size_t rdlen, char **text)
{
    size_t i = 0, n = 0;
    char *s = cnet__os_malloc(rdlen + 1);

    if (s == NULL)
        return false;
    while (i < rdlen) {
        size_t l = rd[i++];

        if (l > rdlen - i) {
            free(s);
            return false;
        }
        memcpy(s + n, rd + i, l);
        n += l;
        i += l;
    }
    s[n] = '\0';
    *text = s;
    return true;
}

static bool parse_rdata(cnet__dns_rr *rr, const unsigned char *rd, size_t rdlen,
                        const unsigned char *abuf, int alen)
{
    long len;

    switch (rr->type) {
    case CNET__DNS_A:
        if (rdlen != 4)
            return false;
        rr->ip.family = AF_INET;
        memcpy(rr->ip.b, rd, 4);
        return true;
    case CNET__DNS_AAAA:
        if (rdlen != 16)
            return false;
        rr->ip.family = AF_INET6;
        memcpy(rr->ip.b, rd, 16);
        return true;
    case CNET__DNS_NS:
    case CNET__DNS_CNAME:
    case CNET__DNS_PTR:
        return expand_name(rd, abuf, alen, &rr->text, &len);
    case CNET__DNS_MX:
        if (rdlen < 3)
            return false;
        rr->a = get16(rd);
        return expand_name(rd + 2, abuf, alen, &rr->text, &len);
    case CNET__DNS_SRV:
        if (rdlen < 7)
            return false;
        rr->a = get16(rd);
        rr->b = get16(rd + 2);
        rr->c = get16(rd + 4);
        return expand_name(rd + 6, abuf, alen, &rr->text, &len);
    case CNET__DNS_TXT:
        return parse_txt(rd, rdlen, &rr->text);
    default:
        return true; /* kept by type only: the caller skips it */
    }
}

/* Walks the answer section into ans->rr. false: malformed, or out of memory (*nomem). */
static bool parse_answer(const unsigned char *abuf, int alen, cnet__dns_answer *ans, bool *nomem)
{
    const unsigned char *p = abuf + 12, *end = abuf + alen;
    unsigned qd, an;
    char *name;
    long len;

    *nomem = false;
    if (alen < 12)
        return false;
    qd = get16(abuf + 4);
    an = get16(abuf + 6);
    for (unsigned i = 0; i < qd; i++) {
        if (!expand_name(p, abuf, alen, &name, &len))
            return false;
        ares_free_string(name);
        p += len + 4;
        if (p > end)
            return false;
    }
    ans->rr = cnet__os_calloc(an > 0 ? an : 1, sizeof *ans->rr);
    if (ans->rr == NULL) {
        *nomem = true;
        return false;
    }
    for (unsigned i = 0; i < an; i++) {
        cnet__dns_rr *rr = &ans->rr[ans->n];
        size_t rdlen;

        if (!expand_name(p, abuf, alen, &rr->owner, &len))
            return false;
        ans->n++;
        p += len;
        if (end - p < 10)
            return false;
        rr->type = get16(p);
        rdlen = get16(p + 8);
        p += 10;
        if ((size_t)(end - p) < rdlen || !parse_rdata(rr, p, rdlen, abuf, alen))
            return false;
        p += rdlen;
    }
    return true;
}

void cnet__dns_answer_free(cnet__dns_answer *ans)
{
    for (size_t i = 0; i < ans->n; i++) {
        ares_free_string(ans->rr[i].owner);
        if (ans->rr[i].type == CNET__DNS_TXT)
            free(ans->rr[i].text);
        else
            ares_free_string(ans->rr[i].text);
    }
    free(ans->rr);
    ans->rr = NULL;
    ans->n = 0;
}

/* c-ares's verdict in Go's words. */
static int status_error(int status, const char *what, const char *server, cnet_error *err)
{
    switch (status) {
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
    case ARES_EBADNAME:
        return cnet__dns_error(err, CNET_ENOHOST, what, server, cnet_strerror(CNET_ENOHOST));
    case ARES_ESERVFAIL:
        return cnet__dns_error(err, CNET_ESERVERTEMP, what, server,
                               cnet_strerror(CNET_ESERVERTEMP));
    case ARES_EREFUSED:
    case ARES_ENOTIMP:
    case ARES_EFORMERR:
        return cnet__dns_error(err, CNET_ESERVER, what, server, cnet_strerror(CNET_ESERVER));
    case ARES_ETIMEOUT:
        return cnet__dns_error(err, CNET_EDIALTIMEOUT, what, server,
                               cnet_strerror(CNET_EDIALTIMEOUT));
    case ARES_ECONNREFUSED:
        return cnet__dns_error(err, -ECONNREFUSED, what, server, cnet_strerror(-ECONNREFUSED));
    case ARES_EBADRESP:
        return cnet__dns_error(err, CNET_EBADMESSAGE, what, server,
                               cnet_strerror(CNET_EBADMESSAGE));
    case ARES_ENOMEM:
        return cnet__dns_error(err, -ENOMEM, what, NULL, cnet_strerror(-ENOMEM));
    default:
        return cnet__dns_error(err, CNET_ELOOKUP, what, server, ares_strerror(status));
    }
}

int cnet__dns_query(const char *name, const char *what, int type, int64_t deadline,
                    cnet__stopper *stop, int wake_fd, cnet__dns_answer *ans, cnet_error *err)
{
    dns_query q = {.current = ARES_SOCKET_BAD};
    unsigned long gen;
    ares_channel ch;
    bool nomem;
    int rc;

    memset(ans, 0, sizeof *ans);
    rc = channel_take(&ch, &gen);
    if (rc < 0)
        return cnet__dns_error(err, rc, what, NULL,
                               rc == -ENOMEM ? cnet_strerror(rc) : "cannot read /etc/resolv.conf");
    channel_server(ch, ans->server, sizeof ans->server);
    ares_set_socket_callback(ch, socket_made, &q);
    ares_search(ch, name, 1 /* IN */, type, answered, &q);
    rc = run_channel(ch, &q, deadline, stop, wake_fd);
    ares_set_socket_callback(ch, NULL, NULL);
    /* A query cut short is still in the channel, which is destroyed (answered() ignores
     * the ARES_EDESTRUCTION): only a channel whose query finished is pooled. */
    channel_give(ch, gen, rc == 0 && q.done);
    /* Go's exchange reports the caller's deadline as its own read timeout, naming the
     * server; a stop (a cancelled context) names none. */
    if (rc == CNET_EDIALTIMEOUT)
        return cnet__dns_error(err, rc, what, ans->server, cnet_strerror(rc));
    if (rc == CNET_ECANCELED)
        return cnet__dns_error(err, rc, what, NULL, cnet_strerror(rc));
    if (rc < 0) {
        free(q.abuf);
        return cnet__dns_error(err, rc, what, ans->server, cnet_strerror(rc));
    }
    if (q.status != ARES_SUCCESS)
        return status_error(q.status, what, ans->server, err);
    if (!parse_answer(q.abuf, q.alen, ans, &nomem)) {
        free(q.abuf);
        cnet__dns_answer_free(ans);
        return nomem ? cnet__dns_error(err, -ENOMEM, what, NULL, cnet_strerror(-ENOMEM))
                     : status_error(ARES_EBADRESP, what, ans->server, err);
    }
    free(q.abuf);
    return 0;
}
