/* The cnet side of the parity test: runs every case of cases.txt with cnet and prints
 * one normalised line per case, exactly as oracle.go does with Go's net package;
 * run.sh diffs the two. The case language is described at the top of cases.txt. */
#define _GNU_SOURCE /* unshare and CLONE_NEWNET, for mcast-nodev */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cnet.h"

#define LINE_MAX_LEN 1024
#define MAX_ARGS 5
#define MAX_PORTS 8
#define RESULT_MAX 1024
#define PAIR_ATTEMPTS 3

/* A run of one case: the ports the kernel chose (printed as <port>) and the temporary
 * directory (printed as <dir>). */
typedef struct run {
    char dir[256];
    int ports[MAX_PORTS];
    size_t nports;
    char result[RESULT_MAX];
} run;

/* An endpoint of any kind, reduced to what the cases print. */
typedef struct endpoint {
    cnet_listener *ln;
    cnet_packet_conn *pc;
} endpoint;

static void endpoint_close(endpoint *e)
{
    if (e->ln != NULL)
        cnet_listener_close(e->ln);
    if (e->pc != NULL)
        cnet_packet_close(e->pc);
}

/* A result longer than the buffer is cut; the diff then shows it. */
static void set_result(run *r, const char *prefix, const char *text)
{
    size_t n = 0;
    for (const char *p = prefix; *p != '\0' && n + 1 < sizeof r->result; p++)
        r->result[n++] = *p;
    for (const char *p = text; *p != '\0' && n + 1 < sizeof r->result; p++)
        r->result[n++] = *p;
    r->result[n] = '\0';
}

/* ---- case parsing ----------------------------------------------------------------- */

/* Tokens: '' is the empty string, \xHH a byte (for spaces and the like). */
static void unescape(const char *word, char *out, size_t outlen)
{
    size_t n = 0;
    if (strcmp(word, "''") == 0)
        word = "";
    for (size_t i = 0; word[i] != '\0' && n + 1 < outlen; i++) {
        unsigned int v;
        if (word[i] == '\\' && word[i + 1] == 'x' && isxdigit((unsigned char)word[i + 2]) &&
            isxdigit((unsigned char)word[i + 3]) && sscanf(word + i + 2, "%2x", &v) == 1) {
            out[n++] = (char)v;
            i += 3;
            continue;
        }
        out[n++] = word[i];
    }
    out[n] = '\0';
}

/* Replaces every occurrence of from in s (in place, bounded by len). */
static void replace_all(char *s, size_t len, const char *from, const char *to)
{
    char out[RESULT_MAX];
    size_t n = 0, flen = strlen(from), tlen = strlen(to);
    if (flen == 0)
        return;
    for (const char *p = s; *p != '\0' && n + 1 < sizeof out;) {
        if (strncmp(p, from, flen) == 0 && n + tlen + 1 < sizeof out) {
            memcpy(out + n, to, tlen);
            n += tlen;
            p += flen;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    snprintf(s, len, "%s", out);
}

/* ---- ports and normalisation -------------------------------------------------------- */

static int is_unix_network(const char *network)
{
    return strncmp(network, "unix", 4) == 0;
}

/* Records a kernel-chosen port so that it prints as <port>. */
static void learn(run *r, const char *network, const char *addr)
{
    char host[CNET_ADDRSTRLEN], port[16];
    if (is_unix_network(network) || r->nports == MAX_PORTS ||
        cnet_split_host_port(addr, host, sizeof host, port, sizeof port, NULL) < 0)
        return; /* ip addresses have no port */
    if (atoi(port) != 0)
        r->ports[r->nports++] = atoi(port);
}

static int learned(const run *r, int port)
{
    for (size_t i = 0; i < r->nports; i++) {
        if (r->ports[i] == port)
            return 1;
    }
    return 0;
}

/* Every ":<digits>" naming a learned port becomes ":<port>". */
static void normalise_ports(run *r)
{
    char out[RESULT_MAX];
    size_t n = 0;
    const char *p = r->result;
    while (*p != '\0' && n + 8 < sizeof out) {
        size_t digits = strspn(p + 1, "0123456789");
        if (*p == ':' && digits > 0 && digits < 8 && learned(r, atoi(p + 1))) {
            n += (size_t)snprintf(out + n, sizeof out - n, ":<port>");
            p += 1 + digits;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    snprintf(r->result, sizeof r->result, "%s", out);
}

/* Linux autobinds an empty unix name to "@" and five hex digits. */
static void normalise_autobound(run *r)
{
    for (char *p = strchr(r->result, '@'); p != NULL; p = strchr(p + 1, '@')) {
        if (strspn(p + 1, "0123456789abcdef") == 5 && (p[6] == ' ' || p[6] == '\0')) {
            char rest[RESULT_MAX];
            snprintf(rest, sizeof rest, "%s", p + 6);
            snprintf(p, sizeof r->result - (size_t)(p - r->result), "@<auto>%s", rest);
        }
    }
}

static void normalise(run *r)
{
    replace_all(r->result, sizeof r->result, r->dir, "<dir>");
    normalise_ports(r);
    normalise_autobound(r);
}

/* ---- opening endpoints -------------------------------------------------------------- */

/* Returns 0 and fills e and addr, or an error with err->msg set. Multicast joins only
 * on lo (never the system's choice on the host). */
static int open_endpoint(run *r, const char *kind, const char *network, const char *address,
                         endpoint *e, char *addr, size_t addrlen, cnet_error *err)
{
    int rc;
    e->ln = NULL;
    e->pc = NULL;
    if (strcmp(kind, "listen") == 0) {
        rc = cnet_listen(network, address, &e->ln, err);
        if (rc == 0)
            rc = cnet_listener_addr(e->ln, addr, addrlen);
    } else if (strcmp(kind, "listenpacket") == 0) {
        rc = cnet_listen_packet(network, address, &e->pc, err);
        if (rc == 0)
            rc = cnet_packet_local_addr(e->pc, addr, addrlen);
    } else {
        rc = cnet_listen_multicast_udp(network, "lo", address, &e->pc, err);
        if (rc == 0)
            rc = cnet_packet_local_addr(e->pc, addr, addrlen);
    }
    if (rc < 0) {
        endpoint_close(e);
        e->ln = NULL;
        e->pc = NULL;
        return rc;
    }
    learn(r, network, addr);
    return 0;
}

static void listen_and_close(run *r, const char *kind, const char *network, const char *address)
{
    endpoint e;
    char addr[CNET_ADDRSTRLEN];
    cnet_error err;
    if (open_endpoint(r, kind, network, address, &e, addr, sizeof addr, &err) < 0) {
        set_result(r, "err ", err.msg);
        return;
    }
    endpoint_close(&e);
    set_result(r, "ok ", addr);
}

/* A *-twice case repeats its address on the port the first endpoint got: a trailing
 * ":0" becomes ":<port>". */
static void twice_address(const char *address, char *out, size_t outlen)
{
    size_t len = strlen(address);
    snprintf(out, outlen, "%s", address);
    if (len >= 2 && strcmp(address + len - 2, ":0") == 0)
        snprintf(out + len - 1, outlen - (len - 1), "<port>");
}

/* "<port>" in a later address is the port the first endpoint got. */
static void with_port(const run *r, const char *address, char *out, size_t outlen)
{
    char port[16];
    snprintf(out, outlen, "%s", address);
    if (r->nports == 0)
        return;
    snprintf(port, sizeof port, "%d", r->ports[0]);
    replace_all(out, outlen, "<port>", port);
}

/* Returns 1 if the second endpoint's address was in use. */
static int pair_once(run *r, const char *kind, const char *net1, const char *addr1,
                     const char *net2, const char *addr2)
{
    endpoint first, second;
    char addr[CNET_ADDRSTRLEN], address[LINE_MAX_LEN];
    cnet_error err;
    int in_use = 0;
    if (open_endpoint(r, kind, net1, addr1, &first, addr, sizeof addr, &err) < 0) {
        set_result(r, "err first: ", err.msg);
        return 0;
    }
    with_port(r, addr2, address, sizeof address);
    if (open_endpoint(r, kind, net2, address, &second, addr, sizeof addr, &err) < 0) {
        set_result(r, "err ", err.msg);
        in_use = err.code == -EADDRINUSE;
    } else {
        endpoint_close(&second);
        set_result(r, "ok ", addr);
    }
    endpoint_close(&first);
    return in_use;
}

/* Other programs on the host may hold the port the first endpoint got on the second
 * address: a conflict is retried on a new port, so only a real one (which recurs every
 * time) is reported. */
static void pair(run *r, const char *kind, const char *net1, const char *addr1,
                 const char *net2, const char *addr2)
{
    for (int attempt = 0; attempt < PAIR_ATTEMPTS; attempt++) {
        r->nports = 0;
        if (!pair_once(r, kind, net1, addr1, net2, addr2))
            break;
    }
}

static void twice(run *r, const char *kind, const char *network, const char *address)
{
    char again[LINE_MAX_LEN];
    twice_address(address, again, sizeof again);
    pair(r, kind, network, address, network, again);
}

/* ---- dialing -------------------------------------------------------------------- */

/* The address the hook refused, "" if none. */
static char refused_dial[CNET_ADDRSTRLEN + 64];

static int is_loopback_or_unspecified(const char *host)
{
    unsigned char a[16];
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char zero[16];
    static const unsigned char one[16] = {[15] = 1};
    if (inet_pton(AF_INET, host, a) == 1)
        return a[0] == 127 || memcmp(a, zero, 4) == 0;
    if (inet_pton(AF_INET6, host, a) != 1)
        return 0;
    if (memcmp(a, mapped, 12) == 0)
        return a[12] == 127 || memcmp(a + 12, zero, 4) == 0;
    return memcmp(a, zero, 16) == 0 || memcmp(a, one, 16) == 0;
}

/* Every dial connects only to the local host (a loopback or unspecified address, or no
 * address at all): the control hook refuses anything else. */
static int loopback_only(void *arg, const char *network, const char *address, int fd)
{
    char host[CNET_ADDRSTRLEN], port[16];
    (void)arg;
    (void)fd;
    if (is_unix_network(network))
        return 0;
    /* A zone is ignored: the address itself must be local. */
    if (cnet_split_host_port(address, host, sizeof host, port, sizeof port, NULL) < 0)
        snprintf(host, sizeof host, "%.*s", CNET_ADDRSTRLEN - 1, address); /* ip: no port */
    if (host[0] == '\0' || is_loopback_or_unspecified(strtok(host, "%")))
        return 0;
    snprintf(refused_dial, sizeof refused_dial, "oracle: refused non-loopback dial to %.*s",
             CNET_ADDRSTRLEN, address);
    return -EPERM;
}

/* from: the Dialer's local address, or NULL for none. */
static void dial_and_close(run *r, const char *network, const char *address, const char *from)
{
    cnet_dialer d = {.control = loopback_only, .local_address = from};
    cnet_conn *c = NULL;
    cnet_error err;
    char local[CNET_ADDRSTRLEN], remote[CNET_ADDRSTRLEN], text[2 * CNET_ADDRSTRLEN + 16];
    refused_dial[0] = '\0';
    if (cnet_dial_with(&d, network, address, &c, &err) < 0) {
        set_result(r, "err ", refused_dial[0] != '\0' ? refused_dial : err.msg);
        return;
    }
    if (cnet_conn_local_addr(c, local, sizeof local) < 0)
        snprintf(local, sizeof local, "(none)");
    if (cnet_conn_remote_addr(c, remote, sizeof remote) < 0)
        snprintf(remote, sizeof remote, "(none)");
    cnet_conn_close(c);
    learn(r, network, local);
    snprintf(text, sizeof text, "local=%s remote=%s", local, remote);
    set_result(r, "ok ", text);
}

/* A read past its deadline: the error an open socket gives, with the network it names. */
static void set_read_result(run *r, ssize_t n, const cnet_error *err)
{
    set_result(r, n < 0 ? "err " : "ok ", n < 0 ? err->msg : "read");
}

static void dial_read(run *r, const char *network, const char *address)
{
    cnet_dialer d = {.control = loopback_only};
    cnet_conn *c;
    cnet_error err;
    char local[CNET_ADDRSTRLEN], byte;
    if (cnet_dial_with(&d, network, address, &c, &err) < 0) {
        set_result(r, "err ", err.msg);
        return;
    }
    if (cnet_conn_local_addr(c, local, sizeof local) > 0)
        learn(r, network, local);
    cnet_conn_set_read_deadline(c, cnet_now_ns() - 1000000000);
    set_read_result(r, cnet_conn_read(c, &byte, 1, &err), &err);
    cnet_conn_close(c);
}

static void listenpacket_read(run *r, const char *network, const char *address)
{
    endpoint e;
    char addr[CNET_ADDRSTRLEN], byte;
    cnet_error err;
    if (open_endpoint(r, "listenpacket", network, address, &e, addr, sizeof addr, &err) < 0) {
        set_result(r, "err ", err.msg);
        return;
    }
    cnet_packet_set_read_deadline(e.pc, cnet_now_ns() - 1000000000);
    set_read_result(r, cnet_packet_read_from(e.pc, &byte, 1, NULL, 0, &err), &err);
    endpoint_close(&e);
}

static void dial_to(run *r, const char *lnet, const char *laddr, const char *dnet,
                    const char *daddr, const char *from)
{
    const char *kind = strncmp(lnet, "udp", 3) == 0 || strcmp(lnet, "unixgram") == 0
                           ? "listenpacket"
                           : "listen";
    endpoint l;
    char addr[CNET_ADDRSTRLEN], address[LINE_MAX_LEN], local[LINE_MAX_LEN];
    cnet_error err;
    if (open_endpoint(r, kind, lnet, laddr, &l, addr, sizeof addr, &err) < 0) {
        set_result(r, "err listener: ", err.msg);
        return;
    }
    with_port(r, daddr, address, sizeof address);
    if (from != NULL)
        with_port(r, from, local, sizeof local);
    dial_and_close(r, dnet, address, from != NULL ? local : NULL);
    endpoint_close(&l);
}

/* A port just freed by a closed listener: nothing listens there. */
static void dial_refused(run *r, const char *network, const char *host, const char *from)
{
    endpoint l;
    char addr[CNET_ADDRSTRLEN], wild[LINE_MAX_LEN], freed[LINE_MAX_LEN], address[LINE_MAX_LEN];
    cnet_error err;
    cnet_join_host_port(host, "0", wild, sizeof wild);
    cnet_join_host_port(host, "<port>", freed, sizeof freed);
    if (open_endpoint(r, "listen", network, wild, &l, addr, sizeof addr, &err) < 0) {
        set_result(r, "err listener: ", err.msg);
        return;
    }
    endpoint_close(&l);
    with_port(r, freed, address, sizeof address);
    dial_and_close(r, network, address, from);
}

/* Looks a port up the only way the public API allows: dialing it on loopback. */
static void port(run *r, const char *network, const char *service)
{
    char address[LINE_MAX_LEN];
    size_t len = strlen(network);
    const char *host = len > 0 && network[len - 1] == '6' ? "::1" : "127.0.0.1";
    cnet_join_host_port(host, service, address, sizeof address);
    dial_and_close(r, network, address, NULL);
}

/* ---- cases -------------------------------------------------------------------------- */

static void split(run *r, const char *hostport)
{
    char host[LINE_MAX_LEN], portbuf[LINE_MAX_LEN], text[2 * LINE_MAX_LEN + 32];
    cnet_error err;
    if (cnet_split_host_port(hostport, host, sizeof host, portbuf, sizeof portbuf, &err) < 0) {
        set_result(r, "err ", err.msg);
        return;
    }
    snprintf(text, sizeof text, "host=[%s] port=[%s]", host, portbuf);
    set_result(r, "ok ", text);
}

static void join(run *r, const char *host, const char *portstr)
{
    char out[LINE_MAX_LEN];
    if (cnet_join_host_port(host, portstr, out, sizeof out) < 0)
        set_result(r, "err ", "join failed");
    else
        set_result(r, "ok ", out);
}

/* ---- issue 11.9: a refused multicast join; WriteTo's errors (fix-misc) ---------------- */

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

/* In a child: a network namespace of its own where lo cannot carry IPv4 (an MTU below
 * IPv4's 68 drops its IPv4 state), so that a join on lo fails as on a device without
 * IPv4. Writes the result line to out. */
static int join_without_ipv4(const char *network, const char *address, int out)
{
    struct ifreq ifr;
    cnet_packet_conn *pc;
    cnet_error err;
    char line[RESULT_MAX], addr[CNET_ADDRSTRLEN];
    int s;

    if (unshare(CLONE_NEWNET) < 0) {
        snprintf(line, sizeof line, "skip: no private network namespace");
    } else if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
        snprintf(line, sizeof line, "oracle: socket: %s", cnet_strerror(-errno));
    } else {
        memset(&ifr, 0, sizeof ifr);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
        ifr.ifr_mtu = 60;
        if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
            snprintf(line, sizeof line, "oracle: SIOCSIFMTU: %s", cnet_strerror(-errno));
        else if (cnet_listen_multicast_udp(network, "lo", address, &pc, &err) < 0)
            snprintf(line, sizeof line, "err %.*s", (int)sizeof line - 5, err.msg);
        else if (cnet_packet_local_addr(pc, addr, sizeof addr) >= 0 && cnet_packet_close(pc) == 0)
            snprintf(line, sizeof line, "ok %s", addr);
        close(s);
    }
    return write(out, line, strlen(line)) < 0;
}

static void mcast_nodev(run *r, const char *network, const char *address)
{
    int p[2], status;
    ssize_t n;
    pid_t pid;

    fflush(NULL);
    if (pipe(p) < 0 || (pid = fork()) < 0) {
        set_result(r, "", "oracle: pipe or fork failed");
        return;
    }
    if (pid == 0) {
        close(p[0]);
        _exit(join_without_ipv4(network, address, p[1]));
    }
    close(p[1]);
    n = read(p[0], r->result, sizeof r->result - 1);
    r->result[n > 0 ? n : 0] = '\0';
    close(p[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
}

/* ListenPacket, then one byte written to an address (the write resolves it). */
static void write_to(run *r, const char *network, const char *laddr, const char *daddr)
{
    cnet_packet_conn *pc;
    cnet_error err;
    char addr[CNET_ADDRSTRLEN], to[CNET_ADDRSTRLEN];
    ssize_t n;

    if (cnet_listen_packet(network, laddr, &pc, &err) < 0) {
        set_result(r, "err listener: ", err.msg);
        return;
    }
    cnet_packet_local_addr(pc, addr, sizeof addr);
    learn(r, network, addr);
    with_port(r, daddr, to, sizeof to);
    n = cnet_packet_write_to(pc, "x", 1, to, &err);
    if (n < 0)
        set_result(r, "err ", err.msg);
    else
        snprintf(r->result, sizeof r->result, "ok %zd", n);
    cnet_packet_close(pc);
}

static int is(const char *cmd, size_t argc, const char *name, size_t want)
{
    return strcmp(cmd, name) == 0 && argc == want;
}

/* ---- addresses and interfaces: net/netip (netip); the verbs are oracle.go's ---------- */

static const char *flag(int v)
{
    return v ? "1" : "0";
}

static void describe_addr(run *r, const cnet_addr *a)
{
    char s[CNET_ADDR_STRLEN], u[CNET_ADDR_STRLEN];
    cnet_addr un = cnet_addr_unmap(a);

    cnet_addr_string(a, s, sizeof s);
    cnet_addr_string(&un, u, sizeof u);
    snprintf(r->result, sizeof r->result,
             "ok %s bits=%d 4=%s 6=%s 4in6=%s unmap=%s zone=[%s] lo=%s priv=%s mc=%s ilmc=%s "
             "llmc=%s llu=%s gu=%s unspec=%s",
             s, cnet_addr_bitlen(a), flag(cnet_addr_is4(a)), flag(cnet_addr_is6(a)),
             flag(cnet_addr_is4in6(a)), u, a->zone, flag(cnet_addr_is_loopback(a)),
             flag(cnet_addr_is_private(a)), flag(cnet_addr_is_multicast(a)),
             flag(cnet_addr_is_interface_local_multicast(a)),
             flag(cnet_addr_is_link_local_multicast(a)), flag(cnet_addr_is_link_local_unicast(a)),
             flag(cnet_addr_is_global_unicast(a)), flag(cnet_addr_is_unspecified(a)));
}

/* "[INDEX NAME MTU FLAGS HWADDR ADDR...]" as oracle.go prints a net.Interface. The
 * flags leave out "running": Go 1.19 has no FlagRunning (Go >= 1.20 does, as cnet). */
static size_t interface_line(const cnet_interface *ifi, char *out, size_t len)
{
    char flags[64], hw[3 * CNET_HWADDR_MAX], a[CNET_PREFIX_STRLEN];
    size_t n;

    cnet_interface_flags_string(ifi->flags & ~(unsigned)CNET_IF_RUNNING, flags, sizeof flags);
    if (cnet_hwaddr_string(ifi->hwaddr, ifi->hwaddr_len, hw, sizeof hw) <= 0)
        snprintf(hw, sizeof hw, "-");
    n = (size_t)snprintf(out, len, "[%d %s %d %s %s", ifi->index, ifi->name, ifi->mtu, flags, hw);
    for (size_t i = 0; i < ifi->naddrs && n < len; i++) {
        cnet_prefix_string(&ifi->addrs[i], a, sizeof a);
        n += (size_t)snprintf(out + n, len - n, " %s", a);
    }
    if (n < len)
        n += (size_t)snprintf(out + n, len - n, "]");
    return n;
}

static void interfaces_case(run *r, const char *verb, const char *arg)
{
    cnet_interfaces *list;
    const cnet_interface *ifi;
    const cnet_prefix *all;
    cnet_error err;
    char a[CNET_PREFIX_STRLEN];
    size_t n, k, len = sizeof r->result;
    int rc;

    if (strcmp(verb, "ifaces") == 0)
        rc = cnet_interfaces_read(&list, &err);
    else if (strcmp(verb, "ifname") == 0)
        rc = cnet_interface_by_name(arg, &list, &ifi, &err);
    else
        rc = cnet_interface_by_index(atoi(arg), &list, &ifi, &err);
    if (rc < 0) {
        set_result(r, "err ", err.msg);
        return;
    }
    n = (size_t)snprintf(r->result, len, "ok");
    if (strcmp(verb, "ifaces") != 0) {
        r->result[n++] = ' ';
        interface_line(ifi, r->result + n, len - n);
        cnet_interfaces_free(list);
        return;
    }
    for (k = 0; k < cnet_interfaces_len(list) && n + 1 < len; k++) {
        r->result[n++] = ' ';
        n += interface_line(cnet_interfaces_at(list, k), r->result + n, len - n);
    }
    if (n < len)
        n += (size_t)snprintf(r->result + n, len - n, " all:");
    for (k = 0; k < cnet_interfaces_addrs(list, &all) && n < len; k++) {
        cnet_prefix_string(&all[k], a, sizeof a);
        n += (size_t)snprintf(r->result + n, len - n, " %s", a);
    }
    cnet_interfaces_free(list);
}

/* Returns 1 if cmd is a netip verb (the result is then set). */
static int netip_case(run *r, const char *cmd, char a[][LINE_MAX_LEN], size_t argc)
{
    char s[CNET_PREFIX_STRLEN], m[CNET_PREFIX_STRLEN], ad[CNET_ADDR_STRLEN];
    cnet_addr x, y;
    cnet_prefix p, masked;
    cnet_error err;

    if (is(cmd, argc, "addr", 1)) {
        if (cnet_addr_parse(a[0], &x, &err) < 0)
            set_result(r, "err ", err.msg);
        else
            describe_addr(r, &x);
    } else if (is(cmd, argc, "prefix", 1)) {
        if (cnet_prefix_parse(a[0], &p, &err) < 0) {
            set_result(r, "err ", err.msg);
            return 1;
        }
        masked = cnet_prefix_masked(&p);
        cnet_prefix_string(&p, s, sizeof s);
        cnet_prefix_string(&masked, m, sizeof m);
        cnet_addr_string(&p.addr, ad, sizeof ad);
        snprintf(r->result, sizeof r->result, "ok %s valid=%s masked=%s bits=%d addr=%s", s,
                 flag(cnet_prefix_is_valid(&p)), m, p.bits, ad);
    } else if (is(cmd, argc, "contains", 2)) {
        if (cnet_prefix_parse(a[0], &p, &err) < 0 || cnet_addr_parse(a[1], &x, &err) < 0)
            set_result(r, "err ", err.msg);
        else
            set_result(r, "ok ", flag(cnet_prefix_contains(&p, &x)));
    } else if (is(cmd, argc, "compare", 2)) {
        if (cnet_addr_parse(a[0], &x, &err) < 0 || cnet_addr_parse(a[1], &y, &err) < 0)
            set_result(r, "err ", err.msg);
        else
            snprintf(r->result, sizeof r->result, "ok %d less=%s", cnet_addr_compare(&x, &y),
                     flag(cnet_addr_less(&x, &y)));
    } else if (is(cmd, argc, "ifaces", 0) || is(cmd, argc, "ifname", 1) || is(cmd, argc, "ifindex", 1)) {
        interfaces_case(r, cmd, argc > 0 ? a[0] : "");
    } else if (is(cmd, argc, "addrprefix", 2)) {
        if (cnet_addr_parse(a[0], &x, &err) < 0 || cnet_addr_prefix(&x, atoi(a[1]), &p, &err) < 0) {
            set_result(r, "err ", err.msg);
            return 1;
        }
        cnet_prefix_string(&p, s, sizeof s);
        set_result(r, "ok ", s);
    } else {
        return 0;
    }
    return 1;
}

/* ---- lookups: cnet's Resolver against the tests' dnsmasq (cases-dns.txt) ----------- */

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "ok A,B,..." (sorted if asked, as oracle.go's sortedJoin) into the result. */
static void list_result(run *r, char **v, int n, int sorted)
{
    size_t len = 0;

    if (sorted)
        qsort(v, (size_t)n, sizeof *v, compare_strings);
    len = (size_t)snprintf(r->result, sizeof r->result, "ok ");
    for (int i = 0; i < n && len < sizeof r->result; i++)
        len += (size_t)snprintf(r->result + len, sizeof r->result - len, "%s%s",
                                i > 0 ? "," : "", v[i]);
}

static void lookup_list(run *r, int n, char **v, int sorted, const cnet_error *err)
{
    if (n < 0)
        set_result(r, "err ", err->msg);
    else
        list_result(r, v, n, sorted);
    cnet_lookup_free(v);
}

static void lookup_records(run *r, cnet_resolver *res, const char *cmd, char a[][LINE_MAX_LEN],
                           size_t argc)
{
    char **v = NULL, *cname = NULL;
    cnet_srv *srvs = NULL;
    cnet_mx *mxs = NULL;
    cnet_error err;
    int n;

    if (is(cmd, argc, "lookup-host", 1)) {
        n = cnet_lookup_host(res, a[0], &v, &err);
        lookup_list(r, n, v, 1, &err);
    } else if (is(cmd, argc, "lookup-ip", 2)) {
        n = cnet_lookup_ip(res, a[0], a[1], &v, &err);
        lookup_list(r, n, v, 1, &err);
    } else if (is(cmd, argc, "lookup-addr", 1)) {
        n = cnet_lookup_addr(res, a[0], &v, &err);
        lookup_list(r, n, v, 0, &err);
    } else if (is(cmd, argc, "lookup-txt", 1)) {
        n = cnet_lookup_txt(res, a[0], &v, &err);
        lookup_list(r, n, v, 1, &err);
    } else if (is(cmd, argc, "lookup-txtsum", 1)) { /* too long to print: length:start */
        n = cnet_lookup_txt(res, a[0], &v, &err);
        for (int i = 0; i < n; i++) {
            char sum[32];
            size_t len = strlen(v[i]);
            if (len > sizeof sum) { /* the record outlives its summary, written over it */
                snprintf(sum, sizeof sum, "%zu:%.10s", len, v[i]);
                memcpy(v[i], sum, strlen(sum) + 1);
            }
        }
        lookup_list(r, n, v, 1, &err);
    } else if (is(cmd, argc, "lookup-ns", 1)) {
        n = cnet_lookup_ns(res, a[0], &v, &err);
        lookup_list(r, n, v, 0, &err);
    } else if (is(cmd, argc, "lookup-cname", 1)) {
        if (cnet_lookup_cname(res, a[0], &cname, &err) < 0)
            set_result(r, "err ", err.msg);
        else
            set_result(r, "ok ", cname);
        cnet_lookup_free(cname);
    } else if (is(cmd, argc, "lookup-srv", 3)) {
        n = cnet_lookup_srv(res, a[0], a[1], a[2], &cname, &srvs, &err);
        if (n < 0) {
            set_result(r, "err ", err.msg);
        } else {
            size_t len = (size_t)snprintf(r->result, sizeof r->result, "ok %s", cname ? cname : "");
            for (int i = 0; i < n && len < sizeof r->result; i++)
                len += (size_t)snprintf(r->result + len, sizeof r->result - len, ",%s:%u:%u:%u",
                                        srvs[i].target, srvs[i].port, srvs[i].priority,
                                        srvs[i].weight);
        }
        cnet_lookup_free(cname);
        cnet_lookup_free(srvs);
    } else if (is(cmd, argc, "lookup-mx", 1)) {
        n = cnet_lookup_mx(res, a[0], &mxs, &err);
        if (n < 0) {
            set_result(r, "err ", err.msg);
        } else {
            size_t len = (size_t)snprintf(r->result, sizeof r->result, "ok ");
            for (int i = 0; i < n && len < sizeof r->result; i++)
                len += (size_t)snprintf(r->result + len, sizeof r->result - len, "%s%s:%u",
                                        i > 0 ? "," : "", mxs[i].host, mxs[i].pref);
        }
        cnet_lookup_free(mxs);
    } else if (is(cmd, argc, "lookup-port", 2)) {
        n = cnet_lookup_port(a[0], a[1], &err);
        if (n < 0)
            set_result(r, "err ", err.msg);
        else
            snprintf(r->result, sizeof r->result, "ok %d", n);
    } else {
        set_result(r, "", "oracle: bad case");
    }
}

static void lookup_case(run *r, const char *cmd, char a[][LINE_MAX_LEN], size_t argc)
{
    char plain[64];
    cnet_resolver *res;

    if (cnet_resolver_new(&res) < 0) {
        set_result(r, "", "oracle: cnet_resolver_new failed");
        return;
    }
    if (strncmp(cmd, "lookup-deadline-", 16) == 0) { /* 200 ms, under resolv.conf's 1 s */
        cnet_resolver_set_deadline(res, cnet_now_ns() + 200000000);
        snprintf(plain, sizeof plain, "lookup-%s", cmd + 16);
        cmd = plain;
    }
    lookup_records(r, res, cmd, a, argc);
    cnet_resolver_free(res);
}
/* ---- message I/O: streams and unix ---- */
static const char *err_or_ok(int rc, const cnet_error *err)
{
    return rc < 0 ? err->msg : "ok";
}

/* oracle.go's streamExpired: writev past an expired write deadline, then a copy from
 * the accepted end past its expired read deadline (cnet_copy, Go's splice path). */
static void stream_expired(run *r, const char *network, const char *address)
{
    cnet_listener *ln;
    cnet_conn *c, *s;
    cnet_dialer d = {.control = loopback_only};
    struct iovec iov[2] = {{"ab", 2}, {"cd", 2}};
    char addr[CNET_ADDRSTRLEN], local[CNET_ADDRSTRLEN], text[2 * CNET_ERROR_MAX + 32];
    cnet_error err, werr, rerr;
    int wrc, rrc;
    if (cnet_listen(network, address, &ln, &err) < 0) {
        set_result(r, "err ", err.msg);
        return;
    }
    cnet_listener_addr(ln, addr, sizeof addr);
    learn(r, network, addr);
    if (cnet_dial_with(&d, network, addr, &c, &err) < 0) {
        set_result(r, "err ", err.msg);
        cnet_listener_close(ln);
        return;
    }
    if (cnet_conn_local_addr(c, local, sizeof local) > 0)
        learn(r, network, local);
    if (cnet_listener_accept(ln, &s, &err) < 0) {
        set_result(r, "err ", err.msg);
    } else {
        cnet_conn_set_write_deadline(c, cnet_now_ns() - 1000000000);
        wrc = cnet_conn_writev(c, iov, 2, NULL, &werr);
        cnet_conn_set_write_deadline(c, 0);
        cnet_conn_set_read_deadline(s, cnet_now_ns() - 1000000000);
        rrc = cnet_copy(c, s, SIZE_MAX, NULL, &rerr);
        snprintf(text, sizeof text, "writev=%s splice=%s", err_or_ok(wrc, &werr),
                 err_or_ok(rrc, &rerr));
        set_result(r, "", text);
        cnet_conn_close(s);
    }
    cnet_conn_close(c);
    cnet_listener_close(ln);
}
/* ---- end of message I/O: streams and unix ---- */

static void dispatch(run *r, const char *cmd, char a[][LINE_MAX_LEN], size_t argc)
{
    if (strncmp(cmd, "lookup-", 7) == 0) /* ---- lookups ---- */
        lookup_case(r, cmd, a, argc);
    else if (is(cmd, argc, "split", 1))
        split(r, a[0]);
    else if (is(cmd, argc, "join", 2))
        join(r, a[0], a[1]);
    else if (is(cmd, argc, "port", 2))
        port(r, a[0], a[1]);
    else if (is(cmd, argc, "listen", 2))
        listen_and_close(r, "listen", a[0], a[1]);
    else if (is(cmd, argc, "listenpacket", 2))
        listen_and_close(r, "listenpacket", a[0], a[1]);
    else if (is(cmd, argc, "mcast-local", 2))
        listen_and_close(r, "mcast", a[0], a[1]);
    else if (is(cmd, argc, "mcast-nodev", 2))
        mcast_nodev(r, a[0], a[1]);
    else if (is(cmd, argc, "writeto", 3))
        write_to(r, a[0], a[1], a[2]);
    else if (is(cmd, argc, "listen-twice", 2))
        twice(r, "listen", a[0], a[1]);
    else if (is(cmd, argc, "listenpacket-twice", 2))
        twice(r, "listenpacket", a[0], a[1]);
    else if (is(cmd, argc, "mcast-twice", 2))
        twice(r, "mcast", a[0], a[1]);
    else if (is(cmd, argc, "listen-pair", 4))
        pair(r, "listen", a[0], a[1], a[2], a[3]);
    else if (is(cmd, argc, "listenpacket-pair", 4))
        pair(r, "listenpacket", a[0], a[1], a[2], a[3]);
    else if (is(cmd, argc, "dial", 2))
        dial_and_close(r, a[0], a[1], NULL);
    else if (is(cmd, argc, "dial-to", 4))
        dial_to(r, a[0], a[1], a[2], a[3], NULL);
    else if (is(cmd, argc, "dial-to-from", 5))
        dial_to(r, a[0], a[1], a[2], a[3], a[4]);
    else if (is(cmd, argc, "dial-read", 2))
        dial_read(r, a[0], a[1]);
    else if (is(cmd, argc, "listenpacket-read", 2))
        listenpacket_read(r, a[0], a[1]);
    else if (is(cmd, argc, "dial-refused", 2))
        dial_refused(r, a[0], a[1], NULL);
    else if (is(cmd, argc, "dial-refused-from", 3))
        dial_refused(r, a[0], a[1], a[2]);
    else if (is(cmd, argc, "stream-expired", 2)) /* message I/O: streams and unix */
        stream_expired(r, a[0], a[1]);
    else if (!netip_case(r, cmd, a, argc)) /* ---- addresses and interfaces ---- */
        set_result(r, "", "oracle: bad case");
}

/* Splits the line at single spaces into the command and its unescaped arguments, with
 * <dir> replaced by the case's temporary directory. */
static void run_case(run *r, char *line)
{
    char args[MAX_ARGS + 1][LINE_MAX_LEN];
    size_t argc = 0;
    char *save = NULL;
    char copy[LINE_MAX_LEN];
    snprintf(copy, sizeof copy, "%s", line);
    char *cmd = strtok_r(copy, " ", &save);
    for (char *w = strtok_r(NULL, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
        if (argc == MAX_ARGS + 1)
            break;
        unescape(w, args[argc], sizeof args[argc]);
        replace_all(args[argc], sizeof args[argc], "<dir>", r->dir);
        argc++;
    }
    dispatch(r, cmd != NULL ? cmd : "", args, argc);
    normalise(r);
}

/* The cases leave only plain files (socket files) in their directory. */
static void remove_dir(const char *dir)
{
    char path[512];
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
    if (rmdir(dir) != 0)
        fprintf(stderr, "oracle-c: could not remove %s\n", dir);
}

/* Each case gets a fresh temporary directory so unix paths never collide. */
static void run_line(char *line)
{
    run r = {.nports = 0};
    const char *tmp = getenv("TMPDIR");
    snprintf(r.dir, sizeof r.dir, "%s/cnet-oracle.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    if (mkdtemp(r.dir) == NULL) {
        printf("%s => oracle: mkdtemp failed\n", line);
        return;
    }
    run_case(&r, line);
    printf("%s => %s\n", line, r.result);
    remove_dir(r.dir);
}

int main(int argc, char **argv)
{
    char line[LINE_MAX_LEN];
    if (argc != 2) {
        fprintf(stderr, "usage: oracle-c CASES\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        run_line(line);
    }
    fclose(f);
    return 0;
}
