/* Go's net.Resolver: LookupHost, LookupIP, LookupAddr, LookupCNAME, LookupSRV, LookupMX,
 * LookupTXT, LookupNS and LookupPort, with Go's pure resolver's order and error texts.
 *
 * Names are found as Go finds them on Linux with "hosts: files dns": host and IP lookups
 * go to the system resolver (getaddrinfo on a resolver thread, lookup.c), which reads
 * /etc/hosts and then DNS; addr reads /etc/hosts and then asks DNS for a PTR record;
 * CNAME reads /etc/hosts and then follows the A (else AAAA) answer's chain; SRV, MX,
 * TXT and NS ask DNS (dns_cares.c). A resolver handle carries a deadline and a stop: a
 * stop wakes a host lookup through a hook on its wait (lookup.c) and a DNS query through
 * the handle's wake-up descriptor, which stays signalled once stopped. */
#include "internal.h"
#include "sys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifdef EAI_NODATA
#define EAI_NODATA_COMPAT EAI_NODATA
#else
#define EAI_NODATA_COMPAT EAI_NONAME
#endif

struct cnet_resolver {
    cnet__stopper stop;
    _Atomic int64_t deadline;
    int rfd, wfd; /* signalled by the stop, never drained */
};

/* ---- the handle ------------------------------------------------------------------- */

int cnet_resolver_new(cnet_resolver **r)
{
    int rc;

    if (r == NULL)
        return -EINVAL;
    *r = cnet__os_calloc(1, sizeof **r);
    if (*r == NULL)
        return -ENOMEM;
    rc = cnet__wake_open(&(*r)->rfd, &(*r)->wfd);
    if (rc < 0) {
        free(*r);
        *r = NULL;
        return rc;
    }
    pthread_mutex_init(&(*r)->stop.mu, NULL);
    atomic_init(&(*r)->deadline, 0);
    return 0;
}

int cnet_resolver_set_deadline(cnet_resolver *r, int64_t deadline_ns)
{
    if (r == NULL)
        return -EINVAL;
    atomic_store(&r->deadline, deadline_ns);
    return 0;
}

int cnet_resolver_stop(cnet_resolver *r)
{
    if (r == NULL)
        return -EINVAL;
    cnet__stopper_stop(&r->stop);
    cnet__wake_signal(r->wfd);
    return 0;
}

void cnet_resolver_free(cnet_resolver *r)
{
    if (r == NULL)
        return;
    cnet__wake_close(r->rfd, r->wfd);
    pthread_mutex_destroy(&r->stop.mu);
    free(r);
}

void cnet_lookup_free(void *result)
{
    free(result);
}

/* ---- errors ----------------------------------------------------------------------- */

int cnet__dns_error(cnet_error *err, int code, const char *name, const char *server,
                    const char *reason)
{
    if (err == NULL)
        return code;
    err->code = code;
    if (server != NULL && server[0] != '\0')
        cnet__text(err->msg, sizeof err->msg, "lookup ", name, " on ", server, ": ", reason,
                   (char *)NULL);
    else
        cnet__text(err->msg, sizeof err->msg, "lookup ", name, ": ", reason, (char *)NULL);
    return code;
}

int cnet_error_is_not_found(const cnet_error *err)
{
    return err != NULL && err->code == CNET_ENOHOST;
}

/* Go: IsTimeout, SERVFAIL, and any socket error talking to a server. */
int cnet_error_is_temporary(const cnet_error *err)
{
    if (err == NULL)
        return 0;
    return cnet_error_is_timeout(err) || err->code == CNET_ESERVERTEMP ||
           err->code == -ECONNREFUSED || err->code == -ENETUNREACH || err->code == -EHOSTUNREACH;
}

/* What every lookup checks first: the handle's deadline (*deadline) and stop. */
static int lookup_begin(cnet_resolver *r, const char *what, int64_t *deadline, cnet_error *err)
{
    bool stopped;

    cnet__err_clear(err);
    *deadline = 0;
    if (r == NULL)
        return 0;
    *deadline = atomic_load(&r->deadline);
    pthread_mutex_lock(&r->stop.mu);
    stopped = r->stop.stopped;
    pthread_mutex_unlock(&r->stop.mu);
    if (stopped)
        return cnet__dns_error(err, CNET_ECANCELED, what, NULL, cnet_strerror(CNET_ECANCELED));
    if (*deadline != 0 && cnet_now_ns() >= *deadline)
        return cnet__dns_error(err, CNET_EDIALTIMEOUT, what, NULL,
                               cnet_strerror(CNET_EDIALTIMEOUT));
    return 0;
}

static int dns_query(cnet_resolver *r, const char *name, const char *what, int type,
                     int64_t deadline, cnet__dns_answer *ans, cnet_error *err)
{
    return cnet__dns_query(name, what, type, deadline, r != NULL ? &r->stop : NULL,
                           r != NULL ? r->rfd : -1, ans, err);
}

/* ---- names ------------------------------------------------------------------------ */

/* Go's isDomainName: labels of letters, digits, '-' and '_' (not starting or ending
 * with '-'), 1..63 bytes each, 254 bytes at most with the final dot, and not all
 * digits. "." is valid. */
static bool is_domain_name(const char *s)
{
    size_t l = strlen(s), part = 0;
    bool non_numeric = false;
    char last = '.';

    if (strcmp(s, ".") == 0)
        return true;
    if (l == 0 || l > 254 || (l == 254 && s[l - 1] != '.'))
        return false;
    for (; *s != '\0'; last = *s++) {
        char c = *s;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
            non_numeric = true;
            part++;
        } else if (c >= '0' && c <= '9') {
            part++;
        } else if (c == '-') {
            if (last == '.')
                return false;
            part++;
            non_numeric = true;
        } else if (c == '.') {
            if (last == '.' || last == '-' || part > 63 || part == 0)
                return false;
            part = 0;
        } else {
            return false;
        }
    }
    return last != '-' && part <= 63 && non_numeric;
}

/* A name DNS gave (no trailing dot; "" for the root), as Go prints it: with one. */
static size_t rooted_len(const char *name)
{
    return strlen(name) + 1;
}

static char *rooted_copy(char *dst, const char *name)
{
    size_t n = strlen(name);

    memcpy(dst, name, n);
    if (n == 0 || name[n - 1] != '.')
        dst[n++] = '.';
    dst[n] = '\0';
    return dst + n + 1;
}

/* ---- results: one allocation each ------------------------------------------------- */

/* A NULL-terminated array of n strings; rooted adds Go's trailing dot. */
static char **pack_strings(char *const *v, size_t n, bool rooted)
{
    size_t size = (n + 1) * sizeof(char *);
    char **out, *p;

    for (size_t i = 0; i < n; i++)
        size += rooted ? rooted_len(v[i]) + 1 : strlen(v[i]) + 1;
    out = cnet__os_malloc(size);
    if (out == NULL)
        return NULL;
    p = (char *)(out + n + 1);
    for (size_t i = 0; i < n; i++) {
        out[i] = p;
        if (rooted) {
            p = rooted_copy(p, v[i]);
        } else {
            size_t l = strlen(v[i]) + 1;
            memcpy(p, v[i], l);
            p += l;
        }
    }
    out[n] = NULL;
    return out;
}

static int nomem(cnet_error *err, const char *what)
{
    return cnet__dns_error(err, -ENOMEM, what, NULL, cnet_strerror(-ENOMEM));
}

/* ---- /etc/hosts, read as Go reads it ---------------------------------------------- */

enum { HOSTS_LINE_MAX = 4096, HOSTS_NAMES_MAX = 64 };

/* Calls fn for each (address, name) pair of /etc/hosts until it returns true. */
static bool hosts_each(bool (*fn)(void *arg, const cnet__ip *ip, const char *name), void *arg)
{
    char line[HOSTS_LINE_MAX], *save, *tok;
    FILE *f = cnet__os_fopen("/etc/hosts", "re");
    bool found = false;

    if (f == NULL)
        return false;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        cnet__ip ip;

        line[strcspn(line, "#\n")] = '\0';
        tok = strtok_r(line, " \t\r", &save);
        if (tok == NULL || cnet__ip_parse(tok, strlen(tok), &ip) <= 0)
            continue;
        while (!found && (tok = strtok_r(NULL, " \t\r", &save)) != NULL)
            found = fn(arg, &ip, tok);
    }
    fclose(f);
    return found;
}

/* An IPv4 address equals its IPv4-mapped form, as Go's IP.Equal says. */
static cnet__ip unmapped(const cnet__ip *ip)
{
    return cnet__ip_is_v4(ip) ? cnet__ip_to_v4(ip) : *ip;
}

static bool same_ip(const cnet__ip *a, const cnet__ip *b)
{
    cnet__ip x = unmapped(a), y = unmapped(b);

    if (x.family != y.family)
        return false;
    return memcmp(x.b, y.b, x.family == AF_INET ? 4 : 16) == 0;
}

/* Go's absDomainName: a trailing dot for a name with a dot inside ("localhost" stays). */
static char *abs_domain_name(const char *name)
{
    size_t n = strlen(name);
    bool dot = strchr(name, '.') != NULL && name[n - 1] != '.';
    char *s = malloc(n + 2);

    if (s != NULL) {
        memcpy(s, name, n);
        s[n] = '.';
        s[n + (dot ? 1 : 0)] = '\0';
    }
    return s;
}

typedef struct hosts_names {
    cnet__ip ip;
    char *names[HOSTS_NAMES_MAX];
    size_t n;
    bool nomem;
} hosts_names;

static bool collect_name(void *arg, const cnet__ip *ip, const char *name)
{
    hosts_names *h = arg;

    if (!same_ip(ip, &h->ip) || h->n == HOSTS_NAMES_MAX)
        return false;
    h->names[h->n] = abs_domain_name(name);
    if (h->names[h->n] == NULL)
        h->nomem = true;
    else
        h->n++;
    return false;
}

static bool name_matches(void *arg, const cnet__ip *ip, const char *name)
{
    const char *want = arg;
    size_t a = strlen(want), b = strlen(name);

    (void)ip;
    if (a > 0 && want[a - 1] == '.')
        a--;
    if (b > 0 && name[b - 1] == '.')
        b--;
    return a == b && strncasecmp(want, name, a) == 0;
}

static bool hosts_has_name(const char *name)
{
    return hosts_each(name_matches, (void *)name);
}

/* ---- host and IP ------------------------------------------------------------------ */

static bool keep_family(int family, const cnet__ip *ip)
{
    if (family == AF_INET)
        return cnet__ip_is_v4(ip);
    if (family == AF_INET6)
        return !cnet__ip_is_v4(ip);
    return true;
}

static void ip_of_ai(const struct addrinfo *ai, cnet__ip *ip)
{
    memset(ip, 0, sizeof *ip);
    if (ai->ai_family == AF_INET) {
        ip->family = AF_INET;
        memcpy(ip->b, &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr, 4);
    } else if (ai->ai_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)ai->ai_addr;

        ip->family = AF_INET6;
        memcpy(ip->b, &in6->sin6_addr, 16);
        ip->scope_id = in6->sin6_scope_id;
    }
}

/* Go's filterAddrList finding nothing of the family. */
static int unsuitable(cnet_error *err, const char *host)
{
    if (err != NULL) {
        err->code = CNET_ENOSUITABLE;
        cnet__text(err->msg, sizeof err->msg, "address ", host, ": ",
                   cnet_strerror(CNET_ENOSUITABLE), (char *)NULL);
    }
    return CNET_ENOSUITABLE;
}

/* getaddrinfo reads inet_aton's shorthand ("127.1", "0x7f.1") as addresses without any
 * lookup; Go asks DNS for such names and finds nothing. */
static bool c_library_number(const char *host)
{
    struct addrinfo hints, *res = NULL;
    int rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_flags = AI_NUMERICHOST;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, NULL, &hints, &res);
    if (res != NULL)
        freeaddrinfo(res);
    return rc == 0;
}

/* "lookup HOST on SERVER: <code's text>", SERVER being resolv.conf's first. */
static int with_server(cnet_error *err, int code, const char *host)
{
    char server[CNET_ADDRSTRLEN];

    cnet__dns_first_server(server, sizeof server);
    return cnet__dns_error(err, code, host, server, cnet_strerror(code));
}

static int not_found(cnet_error *err, const char *host)
{
    return with_server(err, CNET_ENOHOST, host);
}

/* The system resolver's failure in Go's words. EAI_AGAIN covers both a timeout and
 * SERVFAIL: the same question asked of DNS tells which, as Go would have seen it. */
static int system_lookup_error(cnet_resolver *r, int rc, const char *host, int64_t deadline,
                               cnet_error *err)
{
    cnet__dns_answer ans;
    int q;

    if (rc == EAI_NONAME || rc == EAI_NODATA_COMPAT)
        return not_found(err, host);
    if (rc == EAI_SYSTEM)
        return cnet__dns_error(err, -(errno != 0 ? errno : EMFILE), host, NULL,
                               cnet_strerror(-(errno != 0 ? errno : EMFILE)));
    if (rc == EAI_MEMORY)
        return nomem(err, host);
    if (rc == EAI_AGAIN) {
        q = dns_query(r, host, host, CNET__DNS_A, deadline, &ans, err);
        if (q < 0 && q != CNET_ENOTSUP)
            return q;
        if (q == 0)
            cnet__dns_answer_free(&ans);
        return cnet__dns_error(err, CNET_ESERVERTEMP, host, ans.server,
                               cnet_strerror(CNET_ESERVERTEMP));
    }
    return cnet__dns_error(err, CNET_ELOOKUP, host, NULL, gai_strerror(rc));
}

/* The addresses of host of family (AF_UNSPEC: any) as strings into *out. */
static int system_lookup(cnet_resolver *r, const char *host, int family, bool literal_as_given,
                         char ***out, cnet_error *err)
{
    char buf[CNET__MAX_ADDRS][CNET_ADDRSTRLEN], *v[CNET__MAX_ADDRS];
    struct addrinfo *res = NULL, *ai;
    bool timed_out, stopped;
    int64_t deadline;
    size_t n = 0;
    cnet__ip ip;
    int rc;

    rc = lookup_begin(r, host, &deadline, err);
    if (rc < 0)
        return rc;
    if (host[0] == '\0')
        return cnet__dns_error(err, CNET_ENOHOST, host, NULL, cnet_strerror(CNET_ENOHOST));
    if (cnet__ip_parse(host, strlen(host), &ip) > 0) { /* a literal is its own answer */
        if (!keep_family(family, &ip))
            goto unsuitable;
        if (literal_as_given)
            v[n++] = (char *)host;
        else if (cnet__ip_format(&ip, buf[0], sizeof buf[0]) >= 0)
            v[n++] = buf[0];
        goto done;
    }
    if (!is_domain_name(host) && !hosts_has_name(host))
        return cnet__dns_error(err, CNET_ENOHOST, host, NULL, cnet_strerror(CNET_ENOHOST));
    if (c_library_number(host))
        return not_found(err, host);
    rc = cnet__getaddrinfo_stoppable(host, deadline, r != NULL ? &r->stop : NULL, &res,
                                     &timed_out, &stopped);
    if (stopped)
        return cnet__dns_error(err, CNET_ECANCELED, host, NULL, cnet_strerror(CNET_ECANCELED));
    if (timed_out) /* Go's exchange times out under the same deadline, naming the server */
        return with_server(err, CNET_EDIALTIMEOUT, host);
    if (rc != 0)
        return system_lookup_error(r, rc, host, deadline, err);
    for (ai = res; ai != NULL && n < CNET__MAX_ADDRS; ai = ai->ai_next) {
        ip_of_ai(ai, &ip);
        if (ip.family != AF_UNSPEC && keep_family(family, &ip) &&
            cnet__ip_format(&ip, buf[n], sizeof buf[n]) >= 0)
            v[n] = buf[n], n++;
    }
    freeaddrinfo(res);
    /* Go asks DNS for the family's records alone (none: no such host); only addresses
     * from /etc/hosts are filtered, and found unsuitable. */
    if (n == 0 && !hosts_has_name(host))
        return not_found(err, host);
    if (n == 0)
        goto unsuitable;
done:
    *out = pack_strings(v, n, false);
    return *out != NULL ? (int)n : nomem(err, host);
unsuitable:
    return unsuitable(err, host);
}

int cnet_lookup_host(cnet_resolver *r, const char *host, char ***addrs, cnet_error *err)
{
    if (addrs != NULL)
        *addrs = NULL;
    if (host == NULL)
        return cnet__null_arg(err, "lookup", "host");
    if (addrs == NULL)
        return cnet__null_arg(err, "lookup", "addrs");
    return system_lookup(r, host, AF_UNSPEC, true, addrs, err);
}

int cnet_lookup_ip(cnet_resolver *r, const char *network, const char *host, char ***addrs,
                   cnet_error *err)
{
    int family;

    if (addrs != NULL)
        *addrs = NULL;
    if (network == NULL)
        return cnet__null_arg(err, "lookup", "network");
    if (host == NULL)
        return cnet__null_arg(err, "lookup", "host");
    if (addrs == NULL)
        return cnet__null_arg(err, "lookup", "addrs");
    if (strcmp(network, "ip") == 0)
        family = AF_UNSPEC;
    else if (strcmp(network, "ip4") == 0)
        family = AF_INET;
    else if (strcmp(network, "ip6") == 0)
        family = AF_INET6;
    else {
        cnet__err_clear(err);
        if (err != NULL) {
            err->code = CNET_EUNKNOWNNET;
            cnet__text(err->msg, sizeof err->msg, "unknown network ", network, (char *)NULL);
        }
        return CNET_EUNKNOWNNET;
    }
    return system_lookup(r, host, family, false, addrs, err);
}

/* ---- addr (PTR) ------------------------------------------------------------------- */

/* Go's reverseaddr: "4.3.2.1.in-addr.arpa." or the 32 nibbles of ".ip6.arpa.". */
static void reverse_name(const cnet__ip *ip, char *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    cnet__ip v4 = unmapped(ip);
    size_t n = 0;

    if (v4.family == AF_INET) {
        snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa.", v4.b[3], v4.b[2], v4.b[1], v4.b[0]);
        return;
    }
    for (int i = 15; i >= 0 && n + 4 < len; i--) {
        buf[n++] = hex[ip->b[i] & 0xf];
        buf[n++] = '.';
        buf[n++] = hex[ip->b[i] >> 4];
        buf[n++] = '.';
    }
    snprintf(buf + n, len - n, "ip6.arpa.");
}

/* Go's LookupAddr filter: names that are no domain name are dropped, and reported. */
static int filtered_names(char **v, size_t n, const char *what, bool rooted, char ***out,
                          cnet_error *err)
{
    size_t kept = 0;
    bool dropped = false;

    for (size_t i = 0; i < n; i++) {
        char name[1100];

        snprintf(name, sizeof name, "%s%s", v[i], rooted ? "." : "");
        if (is_domain_name(name))
            v[kept++] = v[i];
        else
            dropped = true;
    }
    *out = pack_strings(v, kept, rooted);
    if (*out == NULL)
        return nomem(err, what);
    if (dropped)
        return cnet__dns_error(err, CNET_EBADRECORDS, what, NULL, cnet_strerror(CNET_EBADRECORDS));
    return (int)kept;
}

static int addr_from_hosts(const cnet__ip *ip, const char *addr, char ***names, cnet_error *err)
{
    hosts_names h;
    int rc;

    memset(&h, 0, sizeof h);
    h.ip = *ip;
    hosts_each(collect_name, &h);
    if (h.nomem) {
        rc = nomem(err, addr);
    } else if (h.n == 0) {
        rc = 0;
    } else {
        *names = pack_strings(h.names, h.n, false);
        rc = *names != NULL ? (int)h.n : nomem(err, addr);
    }
    for (size_t i = 0; i < h.n; i++)
        free(h.names[i]);
    return rc;
}

int cnet_lookup_addr(cnet_resolver *r, const char *addr, char ***names, cnet_error *err)
{
    char arpa[80], *v[256];
    cnet__dns_answer ans;
    int64_t deadline;
    size_t n = 0;
    cnet__ip ip;
    int rc;

    if (names != NULL)
        *names = NULL;
    if (addr == NULL)
        return cnet__null_arg(err, "lookup", "addr");
    if (names == NULL)
        return cnet__null_arg(err, "lookup", "names");
    rc = lookup_begin(r, addr, &deadline, err);
    if (rc < 0)
        return rc;
    if (cnet__ip_parse(addr, strlen(addr), &ip) <= 0)
        return cnet__dns_error(err, -EINVAL, addr, NULL, "unrecognized address");
    rc = addr_from_hosts(&ip, addr, names, err);
    if (rc != 0)
        return rc;
    reverse_name(&ip, arpa, sizeof arpa);
    rc = dns_query(r, arpa, arpa, CNET__DNS_PTR, deadline, &ans, err); /* Go names arpa */
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < ans.n && n < sizeof v / sizeof v[0]; i++)
        if (ans.rr[i].type == CNET__DNS_PTR)
            v[n++] = ans.rr[i].text;
    rc = n == 0 ? cnet__dns_error(err, CNET_ENOHOST, arpa, ans.server, cnet_strerror(CNET_ENOHOST))
                : filtered_names(v, n, addr, true, names, err);
    cnet__dns_answer_free(&ans);
    return rc;
}

/* ---- CNAME ------------------------------------------------------------------------ */

/* The owner of the first address record: the end of the CNAME chain (Go's). */
static const char *chain_end(const cnet__dns_answer *ans, int type)
{
    for (size_t i = 0; i < ans->n; i++)
        if (ans->rr[i].type == type)
            return ans->rr[i].owner;
    return NULL;
}

int cnet_lookup_cname(cnet_resolver *r, const char *host, char **cname, cnet_error *err)
{
    static const int types[] = {CNET__DNS_A, CNET__DNS_AAAA};
    cnet__dns_answer ans;
    const char *end = NULL;
    int64_t deadline;
    int rc = 0;

    if (cname != NULL)
        *cname = NULL;
    if (host == NULL)
        return cnet__null_arg(err, "lookup", "host");
    if (cname == NULL)
        return cnet__null_arg(err, "lookup", "cname");
    rc = lookup_begin(r, host, &deadline, err);
    if (rc < 0)
        return rc;
    /* A name in /etc/hosts is its own canonical name, spelled as Go's absDomainName
     * (newer Go's canonical name from the hosts file; Go 1.19 returns ""). */
    if (hosts_has_name(host)) {
        *cname = abs_domain_name(host);
        return *cname != NULL ? 0 : nomem(err, host);
    }
    if (!is_domain_name(host))
        return cnet__dns_error(err, CNET_ENOHOST, host, NULL, cnet_strerror(CNET_ENOHOST));
    for (size_t t = 0; t < 2 && end == NULL; t++) {
        rc = dns_query(r, host, host, types[t], deadline, &ans, err);
        if (rc < 0 && rc != CNET_ENOHOST)
            return rc;
        if (rc == 0) {
            end = chain_end(&ans, types[t]);
            if (end != NULL) {
                *cname = cnet__os_malloc(rooted_len(end) + 1);
                if (*cname != NULL)
                    rooted_copy(*cname, end);
            }
            cnet__dns_answer_free(&ans);
        }
    }
    if (end == NULL)
        return rc < 0 ? rc
                      : cnet__dns_error(err, CNET_ENOHOST, host, NULL, cnet_strerror(CNET_ENOHOST));
    return *cname != NULL ? 0 : nomem(err, host);
}

/* ---- SRV and MX: Go's orders ------------------------------------------------------ */

static uint32_t random_below(uint32_t n)
{
    static _Thread_local uint64_t state;

    if (state == 0)
        state = (uint64_t)cnet_now_ns() ^ (uint64_t)(uintptr_t)&state ^ 0x9e3779b97f4a7c15u;
    state ^= state << 13; /* xorshift64: the order of equal records, not secrets */
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)(state % n);
}

static bool srv_less(const cnet_srv *a, const cnet_srv *b)
{
    return a->priority < b->priority || (a->priority == b->priority && a->weight < b->weight);
}

/* RFC 2782 within one priority: pick by weight, move to the front, repeat (Go's
 * shuffleByWeight). */
static void srv_shuffle_by_weight(cnet_srv *s, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < n; i++)
        sum += s[i].weight;
    while (sum > 0 && n > 1) {
        uint32_t pick = random_below(sum), acc = 0;

        for (size_t i = 0; i < n; i++) {
            acc += s[i].weight;
            if (acc > pick) {
                cnet_srv t = s[0];
                s[0] = s[i];
                s[i] = t;
                break;
            }
        }
        sum -= s[0].weight;
        s++;
        n--;
    }
}

static void srv_sort(cnet_srv *s, size_t n)
{
    size_t i = 0;

    for (size_t a = 1; a < n; a++) /* insertion sort: a few records */
        for (size_t b = a; b > 0 && srv_less(&s[b], &s[b - 1]); b--) {
            cnet_srv t = s[b];
            s[b] = s[b - 1];
            s[b - 1] = t;
        }
    for (size_t j = 1; j <= n; j++)
        if (j == n || s[j].priority != s[i].priority) {
            srv_shuffle_by_weight(s + i, j - i);
            i = j;
        }
}

/* Go's byPref.sort: a shuffle, then by preference. */
static void mx_sort(cnet_mx *m, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        size_t j = random_below((uint32_t)i + 1);
        cnet_mx t = m[i];
        m[i] = m[j];
        m[j] = t;
    }
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && m[b].pref < m[b - 1].pref; b--) {
            cnet_mx t = m[b];
            m[b] = m[b - 1];
            m[b - 1] = t;
        }
}

/* Records of type in ans whose name is a domain name: a count, *dropped if some were
 * not (Go's "records which contain invalid names"). */
static size_t count_valid(const cnet__dns_answer *ans, int type, size_t *bytes, bool *dropped)
{
    size_t n = 0;

    *bytes = 0;
    *dropped = false;
    for (size_t i = 0; i < ans->n; i++) {
        char name[1100];

        if (ans->rr[i].type != type)
            continue;
        snprintf(name, sizeof name, "%s.", ans->rr[i].text);
        if (!is_domain_name(name)) {
            *dropped = true;
            ans->rr[i].type = 0; /* skipped below */
            continue;
        }
        *bytes += rooted_len(ans->rr[i].text) + 1;
        n++;
    }
    return n;
}

static int srv_records(cnet__dns_answer *ans, const char *what, char **cname, cnet_srv **srvs,
                       cnet_error *err)
{
    const char *owner = chain_end(ans, CNET__DNS_SRV);
    size_t bytes, n = 0;
    bool dropped;
    size_t count = count_valid(ans, CNET__DNS_SRV, &bytes, &dropped);
    char *p;

    *srvs = cnet__os_malloc((count > 0 ? count : 1) * sizeof **srvs + bytes);
    if (*srvs == NULL)
        return nomem(err, what);
    p = (char *)(*srvs + (count > 0 ? count : 1));
    for (size_t i = 0; i < ans->n; i++) {
        const cnet__dns_rr *rr = &ans->rr[i];

        if (rr->type != CNET__DNS_SRV)
            continue;
        (*srvs)[n] = (cnet_srv){.target = p, .priority = rr->a, .weight = rr->b, .port = rr->c};
        p = rooted_copy(p, rr->text);
        n++;
    }
    srv_sort(*srvs, n);
    if (cname != NULL && owner != NULL) {
        *cname = cnet__os_malloc(rooted_len(owner) + 1);
        if (*cname == NULL) {
            free(*srvs);
            *srvs = NULL;
            return nomem(err, what);
        }
        rooted_copy(*cname, owner);
    }
    if (dropped)
        return cnet__dns_error(err, CNET_EBADRECORDS, what, NULL, cnet_strerror(CNET_EBADRECORDS));
    return (int)n;
}

int cnet_lookup_srv(cnet_resolver *r, const char *service, const char *proto, const char *name,
                    char **cname, cnet_srv **srvs, cnet_error *err)
{
    char target[1100];
    cnet__dns_answer ans;
    int64_t deadline;
    int rc;

    if (cname != NULL)
        *cname = NULL;
    if (srvs != NULL)
        *srvs = NULL;
    if (service == NULL || proto == NULL || name == NULL)
        return cnet__null_arg(err, "lookup",
                              service == NULL ? "service" : proto == NULL ? "proto" : "name");
    if (srvs == NULL)
        return cnet__null_arg(err, "lookup", "srvs");
    if (service[0] == '\0' && proto[0] == '\0')
        snprintf(target, sizeof target, "%s", name);
    else
        snprintf(target, sizeof target, "_%s._%s.%s", service, proto, name);
    rc = lookup_begin(r, target, &deadline, err);
    if (rc < 0)
        return rc;
    if (!is_domain_name(target))
        return cnet__dns_error(err, CNET_ENOHOST, target, NULL, cnet_strerror(CNET_ENOHOST));
    rc = dns_query(r, target, target, CNET__DNS_SRV, deadline, &ans, err);
    if (rc < 0)
        return rc;
    rc = srv_records(&ans, name, cname, srvs, err);
    cnet__dns_answer_free(&ans);
    return rc;
}

/* The records of one name type (MX, NS, TXT) after the common checks. */
static int query_records(cnet_resolver *r, const char *name, int type, cnet__dns_answer *ans,
                         cnet_error *err)
{
    int64_t deadline;
    int rc = lookup_begin(r, name, &deadline, err);

    if (rc < 0)
        return rc;
    if (!is_domain_name(name))
        return cnet__dns_error(err, CNET_ENOHOST, name, NULL, cnet_strerror(CNET_ENOHOST));
    return dns_query(r, name, name, type, deadline, ans, err);
}

int cnet_lookup_mx(cnet_resolver *r, const char *name, cnet_mx **mxs, cnet_error *err)
{
    cnet__dns_answer ans;
    size_t bytes, count, n = 0;
    bool dropped;
    char *p;
    int rc;

    if (mxs != NULL)
        *mxs = NULL;
    if (name == NULL || mxs == NULL)
        return cnet__null_arg(err, "lookup", name == NULL ? "name" : "mxs");
    rc = query_records(r, name, CNET__DNS_MX, &ans, err);
    if (rc < 0)
        return rc;
    count = count_valid(&ans, CNET__DNS_MX, &bytes, &dropped);
    *mxs = cnet__os_malloc((count > 0 ? count : 1) * sizeof **mxs + bytes);
    if (*mxs == NULL) {
        cnet__dns_answer_free(&ans);
        return nomem(err, name);
    }
    p = (char *)(*mxs + (count > 0 ? count : 1));
    for (size_t i = 0; i < ans.n; i++)
        if (ans.rr[i].type == CNET__DNS_MX) {
            (*mxs)[n++] = (cnet_mx){.host = p, .pref = ans.rr[i].a};
            p = rooted_copy(p, ans.rr[i].text);
        }
    cnet__dns_answer_free(&ans);
    mx_sort(*mxs, n);
    if (dropped)
        return cnet__dns_error(err, CNET_EBADRECORDS, name, NULL, cnet_strerror(CNET_EBADRECORDS));
    return (int)n;
}

/* NS and TXT: the texts of every record of type. */
static int text_records(cnet_resolver *r, const char *name, int type, bool rooted, char ***out,
                        cnet_error *err)
{
    cnet__dns_answer ans;
    char **v;
    size_t n = 0;
    int rc;

    *out = NULL;
    rc = query_records(r, name, type, &ans, err);
    if (rc < 0)
        return rc;
    v = cnet__os_calloc(ans.n > 0 ? ans.n : 1, sizeof *v);
    if (v == NULL) {
        cnet__dns_answer_free(&ans);
        return nomem(err, name);
    }
    for (size_t i = 0; i < ans.n; i++)
        if (ans.rr[i].type == type)
            v[n++] = ans.rr[i].text;
    if (rooted) {
        rc = filtered_names(v, n, name, true, out, err);
    } else {
        *out = pack_strings(v, n, false);
        rc = *out != NULL ? (int)n : nomem(err, name);
    }
    free(v);
    cnet__dns_answer_free(&ans);
    return rc;
}

int cnet_lookup_txt(cnet_resolver *r, const char *name, char ***txts, cnet_error *err)
{
    if (txts != NULL)
        *txts = NULL;
    if (name == NULL || txts == NULL)
        return cnet__null_arg(err, "lookup", name == NULL ? "name" : "txts");
    return text_records(r, name, CNET__DNS_TXT, false, txts, err);
}

int cnet_lookup_ns(cnet_resolver *r, const char *name, char ***hosts, cnet_error *err)
{
    if (hosts != NULL)
        *hosts = NULL;
    if (name == NULL || hosts == NULL)
        return cnet__null_arg(err, "lookup", name == NULL ? "name" : "hosts");
    return text_records(r, name, CNET__DNS_NS, true, hosts, err);
}

/* ---- port ------------------------------------------------------------------------- */

int cnet_lookup_port(const char *network, const char *service, cnet_error *err)
{
    char inner[CNET_ERROR_MAX];
    const cnet__network *net;
    int port, rc;

    if (network == NULL || service == NULL)
        return cnet__null_arg(err, "lookup", network == NULL ? "network" : "service");
    cnet__err_clear(err);
    net = network[0] != '\0' ? cnet__network_lookup(network) : NULL;
    if (network[0] != '\0' && (net == NULL || (net->kind != CNET__TCP && net->kind != CNET__UDP))) {
        if (err != NULL) {
            err->code = CNET_EUNKNOWNNET;
            cnet__text(err->msg, sizeof err->msg, "address ", network, ": unknown network",
                       (char *)NULL);
        }
        return CNET_EUNKNOWNNET;
    }
    rc = cnet__port_lookup(net != NULL ? net->kind : CNET__TCP, service, &port, inner,
                           sizeof inner);
    if (rc == CNET_EUNKNOWNPORT && net == NULL)
        rc = cnet__port_lookup(CNET__UDP, service, &port, inner, sizeof inner);
    if (rc < 0) {
        if (err != NULL) {
            err->code = rc;
            cnet__text(err->msg, sizeof err->msg, inner, (char *)NULL);
        }
        return rc;
    }
    return port;
}
