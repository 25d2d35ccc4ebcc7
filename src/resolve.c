/* Network names and address resolution: Go's parseNetwork, internetAddrList,
 * filterAddrList and first() (go-dial.md sections 1 and 3). */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* glibc spells "no address for this name" separately; elsewhere it is EAI_NONAME. */
#ifdef EAI_NODATA
#define EAI_NODATA_COMPAT EAI_NODATA
#else
#define EAI_NODATA_COMPAT EAI_NONAME
#endif

static const cnet__network networks[] = {
    {"tcp", CNET__TCP, SOCK_STREAM, AF_UNSPEC, 0},    {"tcp4", CNET__TCP, SOCK_STREAM, AF_INET, 0},
    {"tcp6", CNET__TCP, SOCK_STREAM, AF_INET6, 0},    {"udp", CNET__UDP, SOCK_DGRAM, AF_UNSPEC, 0},
    {"udp4", CNET__UDP, SOCK_DGRAM, AF_INET, 0},      {"udp6", CNET__UDP, SOCK_DGRAM, AF_INET6, 0},
    {"unix", CNET__UNIX, SOCK_STREAM, AF_UNIX, 0},    {"unixgram", CNET__UNIX, SOCK_DGRAM, AF_UNIX, 0},
    {"unixpacket", CNET__UNIX, SOCK_SEQPACKET, AF_UNIX, 0},
};

const cnet__network *cnet__network_lookup(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < sizeof networks / sizeof networks[0]; i++)
        if (strcmp(networks[i].name, name) == 0)
            return &networks[i];
    return NULL;
}

/* Go's protocol table fallback, used when /etc/protocols lacks the name. */
static const struct {
    const char *name;
    int proto;
} builtin_protocols[] = {{"icmp", 1}, {"igmp", 2}, {"tcp", 6}, {"udp", 17}, {"ipv6-icmp", 58}};

/* Go's dtoi: decimal digits only, below 2^24. */
static bool decimal_proto(const char *s, int *proto)
{
    long n = 0;

    if (*s == '\0')
        return false;
    for (; *s >= '0' && *s <= '9' && n < 0xFFFFFF; s++)
        n = n * 10 + (*s - '0');
    *proto = (int)n;
    return *s == '\0' && n < 0xFFFFFF;
}

/* A case-insensitive protocol name or alias from /etc/protocols, then Go's table. */
static bool lookup_protocol(const char *name, int *proto)
{
    char line[256], *save, *tok, *num;
    FILE *f = cnet__os_fopen("/etc/protocols", "re");
    bool found = false;
    size_t i;

    while (f != NULL && !found && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "#\n")] = '\0';
        tok = strtok_r(line, " \t", &save);
        num = strtok_r(NULL, " \t", &save);
        for (; tok != NULL && num != NULL && !found; tok = strtok_r(NULL, " \t", &save))
            found = strcasecmp(tok, name) == 0 && decimal_proto(num, proto);
    }
    if (f != NULL)
        fclose(f);
    for (i = 0; !found && i < sizeof builtin_protocols / sizeof builtin_protocols[0]; i++)
        if (strcasecmp(builtin_protocols[i].name, name) == 0) {
            *proto = builtin_protocols[i].proto;
            found = true;
        }
    return found;
}

int cnet__network_parse(const char *name, cnet__network *net, char *errtext, size_t errlen)
{
    const cnet__network *fixed = cnet__network_lookup(name);
    const char *colon = name != NULL ? strrchr(name, ':') : NULL;
    size_t afn = colon != NULL ? (size_t)(colon - name) : 0;

    if (fixed != NULL) {
        *net = *fixed;
        return 0;
    }
    if (colon == NULL || strlen(name) >= sizeof net->name ||
        !((afn == 2 && strncmp(name, "ip", 2) == 0) || (afn == 3 && strncmp(name, "ip4", 3) == 0) ||
          (afn == 3 && strncmp(name, "ip6", 3) == 0)))
        return CNET_EUNKNOWNNET;
    memset(net, 0, sizeof *net);
    snprintf(net->name, sizeof net->name, "%s", name);
    net->kind = CNET__IP;
    net->sotype = SOCK_RAW;
    net->family_hint = afn == 2 ? AF_UNSPEC : name[2] == '4' ? AF_INET : AF_INET6;
    if (!decimal_proto(colon + 1, &net->proto) && !lookup_protocol(colon + 1, &net->proto)) {
        cnet__addr_error_text(errtext, errlen, CNET_EUNKNOWNPROTO, colon + 1);
        return CNET_EUNKNOWNPROTO;
    }
    return 0;
}

void cnet__network_of_socket(const cnet__network *net, cnet__network *out)
{
    *out = *net;
    if (net->kind == CNET__IP)
        out->name[strcspn(out->name, ":")] = '\0';
}

static bool keep_for_network(const cnet__network *net, const cnet__ip *ip)
{
    if (net->family_hint == AF_INET)
        return ip->family == AF_UNSPEC || cnet__ip_is_v4(ip);
    if (net->family_hint == AF_INET6)
        return ip->family == AF_UNSPEC || !cnet__ip_is_v4(ip);
    return true;
}

static void add_ip(cnet__addr_list *out, const cnet__network *net, const cnet__ip *ip, int port)
{
    if (out->n < CNET__MAX_ADDRS && keep_for_network(net, ip)) {
        out->ep[out->n].ip = *ip;
        out->ep[out->n].port = port;
        out->n++;
    }
}

static void add_ai(cnet__addr_list *out, const cnet__network *net, const struct addrinfo *ai, int port)
{
    cnet__ip ip = {0};

    if (ai->ai_family == AF_INET) {
        ip.family = AF_INET;
        memcpy(ip.b, &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr, 4);
    } else if (ai->ai_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)ai->ai_addr;
        ip.family = AF_INET6;
        memcpy(ip.b, &in6->sin6_addr, 16);
        ip.scope_id = in6->sin6_scope_id;
    } else {
        return;
    }
    add_ip(out, net, &ip, port);
}

/* Go's texts that name a host: "<prefix><host>: <reason>", host being len bytes of the
 * caller's address (not NUL-terminated, and of any length). */
static int host_error(cnet_error *err, int code, const char *op, const cnet__network *net,
                      const char *prefix, const char *host, size_t len, const char *reason)
{
    char inner[CNET_ERROR_MAX];
    const char *parts[] = {prefix, host, ": ", reason};
    size_t lens[] = {strlen(prefix), len, 2, strlen(reason)};

    cnet__text_spans(inner, sizeof inner, parts, lens, 4);
    return cnet__op_error(err, code, op, net->name, NULL, NULL, inner);
}

/* Go's isDomainName wants a letter, '-' or '_': a name of digits and dots alone never
 * reaches DNS in Go, only /etc/hosts. */
static bool all_numeric(const char *name)
{
    return name[strspn(name, "0123456789.")] == '\0';
}

/* getaddrinfo reads names that are no Go IP literal as numbers: inet_aton's shorthand
 * ("127.1", "2130706433", "0x7f.0.0.1") and octal ("0177.0.0.1" is 127.0.0.1, "0127.0.0.1"
 * 87.0.0.1), without asking /etc/hosts or DNS. Go's resolver treats them as names, which
 * do not exist (CVE-2021-29923). So such a name is "no such host" here, before any
 * lookup: a name of digits and dots (which Go would look for in /etc/hosts alone; an
 * entry there for one is the one case where Go answers otherwise), and any name the C
 * library reads as a number, asked of its own parser with AI_NUMERICHOST, which never
 * starts a lookup (POSIX). */
static int getaddrinfo_name(const char *host, int64_t deadline, struct addrinfo **res,
                            bool *timed_out)
{
    struct addrinfo hints, *numeric = NULL;
    int rc;

    *res = NULL;
    *timed_out = false;
    if (all_numeric(host))
        return EAI_NONAME;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST;
    rc = getaddrinfo(host, NULL, &hints, &numeric);
    if (numeric != NULL)
        freeaddrinfo(numeric);
    if (rc == 0)
        return EAI_NONAME;
    if (rc != EAI_NONAME)
        return rc;
    return cnet__getaddrinfo(host, deadline, res, timed_out);
}

/* Name lookup through the system resolver (hosts file, then DNS), in its order. */
static int lookup_host(const char *op, const cnet__network *net, const char *host, int port,
                       int64_t deadline, cnet__addr_list *out, cnet_error *err)
{
    struct addrinfo *res, *ai;
    size_t len = strlen(host);
    bool timed_out = false;
    int rc;

    rc = getaddrinfo_name(host, deadline, &res, &timed_out);
    if (timed_out)
        return host_error(err, CNET_EDIALTIMEOUT, op, net, "lookup ", host, len,
                          cnet_strerror(CNET_EDIALTIMEOUT));
    if (rc == EAI_NONAME || rc == EAI_NODATA_COMPAT)
        return host_error(err, CNET_ENOHOST, op, net, "lookup ", host, len,
                          cnet_strerror(CNET_ENOHOST));
    if (rc == EAI_SYSTEM) /* Go's cgo resolver: the errno, EMFILE when there is none */
        return host_error(err, -(errno != 0 ? errno : EMFILE), op, net, "lookup ", host, len,
                          cnet_strerror(-(errno != 0 ? errno : EMFILE)));
    if (rc != 0)
        return host_error(err, CNET_ELOOKUP, op, net, "lookup ", host, len, gai_strerror(rc));
    for (ai = res; ai != NULL; ai = ai->ai_next)
        add_ai(out, net, ai, port);
    freeaddrinfo(res);
    return 0;
}

static int addr_error(cnet_error *err, int code, const char *op, const cnet__network *net,
                      const char *addr)
{
    char inner[CNET_ERROR_MAX];

    cnet__addr_error_text(inner, sizeof inner, code, addr);
    return cnet__op_error(err, code, op, net->name, NULL, NULL, inner);
}

/* The longest name cnet looks up: four times the 253 bytes of a DNS name. Go has no
 * bound for names in /etc/hosts (nor has glibc), but Go never asks DNS about a name over
 * 254 bytes: for every longer name not in /etc/hosts Go's answer is "no such host", and
 * that is cnet's answer for a name over this bound. */
enum { HOST_NAME_LEN_MAX = 1024 };

/* A name: looked up if it is not longer than cnet looks names up. */
static int resolve_name(const char *op, const cnet__network *net, const char *host, size_t len,
                        int port, int64_t deadline, cnet__addr_list *out, cnet_error *err)
{
    char name[HOST_NAME_LEN_MAX + 1];

    if (len > HOST_NAME_LEN_MAX)
        return host_error(err, CNET_ENOHOST, op, net, "lookup ", host, len,
                          cnet_strerror(CNET_ENOHOST));
    memcpy(name, host, len);
    name[len] = '\0';
    return lookup_host(op, net, name, port, deadline, out, err);
}

/* Go's lookupIPAddr and filter: host is len bytes (a span of the caller's address). */
static int resolve_host(const char *op, const cnet__network *net, const char *host, size_t len,
                        int port, int64_t deadline, cnet__addr_list *out, cnet_error *err)
{
    cnet__ip ip;
    int rc;

    if (len == 0) {
        memset(&ip, 0, sizeof ip); /* no IP: the wildcard, "the local system" */
        add_ip(out, net, &ip, port);
        return 0;
    }
    rc = cnet__ip_parse(host, len, &ip);
    if (rc < 0)
        return host_error(err, rc, op, net, "address ", host, len, cnet_strerror(rc));
    if (rc == 0) {
        rc = resolve_name(op, net, host, len, port, deadline, out, err);
        if (rc < 0)
            return rc;
    } else {
        add_ip(out, net, &ip, port);
        /* golang/go#18806: a lone "::" may also be reached as 0.0.0.0. */
        if (ip.family == AF_INET6 && !cnet__ip_is_v4(&ip) && cnet__ip_is_unspecified(&ip)) {
            memset(&ip, 0, sizeof ip);
            ip.family = AF_INET;
            add_ip(out, net, &ip, port);
        }
    }
    if (out->n == 0)
        return host_error(err, CNET_ENOSUITABLE, op, net, "address ", host, len,
                          cnet_strerror(CNET_ENOSUITABLE));
    return 0;
}

/* Host and port are read in place, never copied into a fixed buffer: Go has no length
 * limit on either ("0...080" with any number of zeros is port 80). Only a name to look
 * up is copied, up to HOST_NAME_LEN_MAX. */
int cnet__resolve(const char *op, const cnet__network *net, const char *address,
                  int64_t deadline, cnet__addr_list *out, cnet_error *err)
{
    size_t hbeg = 0, hend = 0, pbeg = 0;
    const char *service = "";
    char inner[CNET_ERROR_MAX];
    int port, rc;

    out->n = 0;
    if (net->kind == CNET__IP)
        return resolve_host(op, net, address, strlen(address), 0, deadline, out, err);
    if (address[0] != '\0') {
        rc = cnet__split_spans(address, &hbeg, &hend, &pbeg);
        if (rc < 0)
            return addr_error(err, rc, op, net, address);
        service = address + pbeg;
    }
    rc = cnet__port_lookup(net->kind, service, &port, inner, sizeof inner);
    if (rc < 0)
        return cnet__op_error(err, rc, op, net->name, NULL, NULL, inner);
    return resolve_host(op, net, address + hbeg, hend - hbeg, port, deadline, out, err);
}

const cnet__endpoint *cnet__addr_list_first_v4(const cnet__addr_list *l)
{
    int i;

    for (i = 0; i < l->n; i++)
        if (l->ep[i].ip.family == AF_UNSPEC || cnet__ip_is_v4(&l->ep[i].ip))
            return &l->ep[i];
    return &l->ep[0];
}
