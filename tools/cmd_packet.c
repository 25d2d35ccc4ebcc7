/* cnet recv, cnet send and cnet mcast: datagrams through ListenPacket and
 * ListenMulticastUDP. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"

#define DATAGRAM_MAX 65536
#define BATCH 64

/* Which kind of network a command was given. */
enum net_kind { NET_UDP, NET_UNIXGRAM, NET_STREAM, NET_UNKNOWN };

static enum net_kind classify_network(const char *network)
{
    static const char *const streams[] = {"tcp", "tcp4", "tcp6", "unix", "unixpacket"};

    if (strcmp(network, "udp") == 0 || strcmp(network, "udp4") == 0 || strcmp(network, "udp6") == 0)
        return NET_UDP;
    if (strcmp(network, "unixgram") == 0)
        return NET_UNIXGRAM;
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++)
        if (strcmp(network, streams[i]) == 0)
            return NET_STREAM;
    return NET_UNKNOWN;
}

/* send and recv work on datagrams: a stream network gets the command it wants, named
 * with the operation the user asked for (not the ListenPacket cnet would make). */
static int check_datagram_network(const char *op, const char *network, const char *address,
                                  const char *instead)
{
    switch (classify_network(network)) {
    case NET_UDP:
    case NET_UNIXGRAM:
        return CLI_OK;
    case NET_STREAM:
        fprintf(stderr, "cnet: %s %s %s: %s is a stream network; %s works on datagrams "
                "(udp, udp4, udp6, unixgram)\nhint: cnet %s %s %s\n", op, network, address,
                network, op, instead, network, address);
        return CLI_FAIL;
    default:
        fprintf(stderr, "cnet: %s %s %s: unknown network %s\n", op, network, address, network);
        return CLI_FAIL;
    }
}

/* ---- printing a datagram safely -------------------------------------------------- */

/* The payload as one line: printable ASCII as it is, backslash doubled, the rest as
 * C escapes (\n, \t, \r, \xHH), so that no datagram can break the line format. */
static void print_escaped(const unsigned char *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = b[i];
        if (c == '\\')
            fputs("\\\\", stdout);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c == '\r')
            fputs("\\r", stdout);
        else if (c >= 0x20 && c < 0x7f)
            putchar(c);
        else
            printf("\\x%02x", c);
    }
    putchar('\n');
}

/* "from ADDR, N bytes" and the escaped payload, or (raw) the bytes alone, flushed so
 * that a pipe sees each datagram as it arrives. */
static int print_datagram(const char *from, const void *buf, size_t len, int raw)
{
    if (raw) {
        fwrite(buf, 1, len, stdout);
    } else {
        printf("from %s, %zu bytes\n", from, len);
        print_escaped(buf, len);
    }
    if (fflush(stdout) != 0)
        return cli_fail_path("write", "/dev/stdout", -errno);
    return CLI_OK;
}

/* -v: "from SRC to DST on IFNAME, N bytes" on stderr; DST and IFNAME from the control
 * data (the socket's own address, and no interface, where there is none). */
static void print_arrival(const cnet_packet_conn *pc, const cnet_msg *m, size_t len)
{
    char local[CNET_ADDRSTRLEN], ifname[IF_NAMESIZE];
    const char *dst = m->ctl.local_ip;

    if (!(m->ctl.flags & CNET_MSG_LOCAL_IP)) {
        if (cnet_packet_local_addr(pc, local, sizeof local) < 0)
            local[0] = '\0';
        dst = local;
    }
    if ((m->ctl.flags & CNET_MSG_IFINDEX) && if_indextoname(m->ctl.ifindex, ifname) != NULL)
        fprintf(stderr, "from %s to %s on %s, %zu bytes\n", m->addr, dst, ifname, len);
    else
        fprintf(stderr, "from %s to %s, %zu bytes\n", m->addr, dst, len);
}

static int announce_packet_conn(const char *network, const cnet_packet_conn *pc,
                                const char *group, const char *ifname)
{
    char addr[CNET_ADDRSTRLEN];

    if (cnet_packet_local_addr(pc, addr, sizeof addr) < 0)
        addr[0] = '\0';
    if (group != NULL)
        fprintf(stderr, "listening on %s %s (group %s on %s)\n", network, addr, group,
                ifname != NULL ? ifname : "the default interface");
    else
        fprintf(stderr, "listening on %s %s\n", network, addr);
    return fflush(stderr);
}

typedef struct recv_options {
    unsigned long print;   /* -c: print this many, then exit; 0: forever */
    unsigned long count;   /* --count: count this many without printing them */
    int verbose, raw;
} recv_options;

/* Receives up to BATCH datagrams (at least one) into ms: batched on udp, one at a time
 * on unixgram (whose reads carry no control data). */
static int receive_some(cnet_packet_conn *pc, int udp, cnet_msg *ms, size_t n, cnet_error *err)
{
    ssize_t got;

    if (udp)
        return cnet_packet_read_batch(pc, ms, n, err);
    got = cnet_packet_read_from(pc, ms[0].buf, ms[0].len, ms[0].addr, sizeof ms[0].addr, err);
    if (got < 0)
        return (int)got;
    ms[0].n = (size_t)got;
    memset(&ms[0].ctl, 0, sizeof ms[0].ctl);
    return 1;
}

static double seconds_since(int64_t start)
{
    return (double)(cnet_now_ns() - start) / 1e9;
}

static void print_rate(unsigned long n, unsigned long long bytes, double secs)
{
    fprintf(stderr, "%lu datagrams, %llu bytes in %.3f s (%.0f datagrams/s)\n", n, bytes, secs,
            secs > 0 ? (double)n / secs : 0.0);
}

/* Handles datagrams as they arrive: prints them, or (--count) counts them. The clock
 * starts at the first datagram, so waiting for the sender is not counted. */
static int handle_datagrams(cnet_packet_conn *pc, int udp, const recv_options *o)
{
    static unsigned char bufs[BATCH][DATAGRAM_MAX];
    static cnet_msg ms[BATCH];
    unsigned long limit = o->count != 0 ? o->count : o->print, seen = 0;
    unsigned long long bytes = 0;
    int64_t start = 0;
    cnet_error err;
    int rc = CLI_OK;

    while (rc == CLI_OK && (limit == 0 || seen < limit)) {
        size_t want = limit == 0 || limit - seen > BATCH ? BATCH : (size_t)(limit - seen);
        for (size_t i = 0; i < want; i++) {
            ms[i].buf = bufs[i];
            ms[i].len = sizeof bufs[i];
        }
        int n = receive_some(pc, udp, ms, want, &err);
        if (n < 0)
            return cli_fail(&err);
        if (seen == 0)
            start = cnet_now_ns();
        for (int i = 0; i < n && rc == CLI_OK; i++) {
            seen++;
            bytes += ms[i].n;
            if (o->verbose)
                print_arrival(pc, &ms[i], ms[i].n);
            if (o->count == 0)
                rc = print_datagram(ms[i].addr, ms[i].buf, ms[i].n, o->raw);
        }
    }
    if (rc == CLI_OK && o->count != 0)
        print_rate(seen, bytes, seconds_since(start));
    return rc;
}

static int print_datagrams(cnet_packet_conn *pc, unsigned long count)
{
    recv_options o = {count, 0, 0, 0};

    return handle_datagrams(pc, 1, &o);
}

/* The -c option of recv and mcast. */
static int parse_count_option(const cli_command *cmd, unsigned long *count)
{
    if (cli_parse_count(optarg, count) < 0)
        return cli_usage(cmd, "-c wants a count >= 1, not \"%s\"", optarg);
    return CLI_OK;
}

enum { OPT_COUNT = 256, OPT_SIZE, OPT_RAW };

static int parse_recv_options(const cli_command *cmd, int argc, char **argv, recv_options *o)
{
    static const struct option longopts[] = {
        {"count", required_argument, NULL, OPT_COUNT},
        {"raw", no_argument, NULL, OPT_RAW},
        {NULL, 0, NULL, 0},
    };
    int opt;

    while ((opt = cli_next_long_option(cmd, argc, argv, ":c:v", longopts)) != -1) {
        if (opt == 'v')
            o->verbose = 1;
        else if (opt == OPT_RAW)
            o->raw = 1;
        else if (opt == OPT_COUNT && cli_parse_count(optarg, &o->count) < 0)
            return cli_usage(cmd, "--count wants a count >= 1, not \"%s\"", optarg);
        else if (opt != OPT_COUNT && (opt != 'c' || parse_count_option(cmd, &o->print) != CLI_OK))
            return CLI_USAGE;
    }
    if (argc - optind != 2)
        return cli_usage(cmd, "need NETWORK and ADDRESS");
    return CLI_OK;
}

static int run_recv(const cli_command *cmd, int argc, char **argv)
{
    recv_options o = {0, 0, 0, 0};
    cnet_packet_conn *pc;
    cnet_error err;
    int udp, rc;

    rc = parse_recv_options(cmd, argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    rc = check_datagram_network("recv", argv[optind], argv[optind + 1], "listen");
    if (rc != CLI_OK)
        return rc;
    udp = classify_network(argv[optind]) == NET_UDP;
    if (cnet_listen_packet(argv[optind], argv[optind + 1], &pc, &err) < 0)
        return cli_fail(&err);
    if (o.verbose && udp &&
        cnet_packet_set_control(pc, CNET_MSG_LOCAL_IP | CNET_MSG_IFINDEX, 1, &err) < 0) {
        cnet_packet_close(pc);
        return cli_fail(&err);
    }
    announce_packet_conn(argv[optind], pc, NULL, NULL);
    rc = handle_datagrams(pc, udp, &o);
    cnet_packet_close(pc);
    return rc;
}

/* Which kind of address a destination host is, for choosing the local socket. */
enum host_kind { HOST_OTHER, HOST_LOOPBACK4, HOST_LOOPBACK6, HOST_MULTICAST };

static enum host_kind classify_host(const char *host)
{
    unsigned char a[16];

    if (inet_pton(AF_INET, host, a) == 1) {
        if (a[0] == 127)
            return HOST_LOOPBACK4;
        return (a[0] & 0xf0) == 0xe0 ? HOST_MULTICAST : HOST_OTHER;
    }
    if (inet_pton(AF_INET6, host, a) == 1) {
        static const unsigned char loopback6[16] = {[15] = 1};
        if (memcmp(a, loopback6, sizeof a) == 0)
            return HOST_LOOPBACK6;
        return a[0] == 0xff ? HOST_MULTICAST : HOST_OTHER;
    }
    return HOST_OTHER;
}

/* The local address to send from: loopback for a loopback destination (nothing else
 * is exposed), the wildcard otherwise, autobind for unixgram. Fails for a multicast
 * group: ListenPacket cannot name the interface a group send leaves through. */
static int pick_local_address(const cli_command *cmd, const char *network, const char *dest,
                              const char **local)
{
    char host[CNET_ADDRSTRLEN];
    char port[32];
    cnet_error err;

    if (strcmp(network, "unixgram") == 0) {
        *local = "";
        return CLI_OK;
    }
    if (cnet_split_host_port(dest, host, sizeof host, port, sizeof port, &err) < 0) {
        fprintf(stderr, "cnet: send %s: %s\n", network, err.msg);
        return CLI_FAIL;
    }
    switch (classify_host(host)) {
    case HOST_LOOPBACK4:
        *local = "127.0.0.1:0";
        return CLI_OK;
    case HOST_LOOPBACK6:
        *local = "[::1]:0";
        return CLI_OK;
    case HOST_MULTICAST:
        return cli_usage(cmd, "%s is a multicast group: use cnet mcast -i IFNAME -s MESSAGE",
                         host);
    default:
        *local = ":0";
        return CLI_OK;
    }
}

static int send_one(cnet_packet_conn *pc, const char *msg, size_t len, const char *dest)
{
    cnet_error err;

    if (cnet_packet_write_to(pc, msg, len, dest, &err) < 0)
        return cli_fail(&err);
    return CLI_OK;
}

/* One datagram per line of stdin, without its newline. */
static int send_lines(cnet_packet_conn *pc, const char *dest)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = CLI_OK;

    while (rc == CLI_OK && (n = getline(&line, &cap, stdin)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            n--;
        rc = send_one(pc, line, (size_t)n, dest);
    }
    if (rc == CLI_OK && ferror(stdin))
        rc = cli_fail_path("read", "/dev/stdin", -errno);
    free(line);
    return rc;
}

typedef struct send_options {
    unsigned long count; /* --count: this many datagrams */
    unsigned long size;  /* --size: of this many bytes (default 1200) */
} send_options;

static int parse_send_options(const cli_command *cmd, int argc, char **argv, send_options *o)
{
    static const struct option longopts[] = {
        {"count", required_argument, NULL, OPT_COUNT},
        {"size", required_argument, NULL, OPT_SIZE},
        {NULL, 0, NULL, 0},
    };
    int opt;
    int nargs;

    while ((opt = cli_next_long_option(cmd, argc, argv, ":", longopts)) != -1) {
        if (opt == OPT_COUNT && cli_parse_count(optarg, &o->count) < 0)
            return cli_usage(cmd, "--count wants a count >= 1, not \"%s\"", optarg);
        if (opt == OPT_SIZE && (cli_parse_count(optarg, &o->size) < 0 || o->size > 65507))
            return cli_usage(cmd, "--size wants a datagram size from 1 to 65507, not \"%s\"", optarg);
        if (opt != OPT_COUNT && opt != OPT_SIZE)
            return CLI_USAGE;
    }
    nargs = argc - optind;
    if (o->count != 0 && nargs != 2)
        return cli_usage(cmd, "--count sends generated datagrams: need NETWORK and ADDRESS only");
    if (o->size != 0 && o->count == 0)
        return cli_usage(cmd, "--size needs --count");
    if (nargs != 2 && nargs != 3)
        return cli_usage(cmd, "need NETWORK, ADDRESS and an optional MESSAGE");
    if (o->size == 0)
        o->size = 1200;
    return CLI_OK;
}

/* --count N --size S: N datagrams of S bytes, batched (and segmented by GSO where the
 * kernel has it) on udp, one at a time on unixgram. */
static int send_generated(cnet_packet_conn *pc, int udp, const char *dest, const send_options *o)
{
    static cnet_msg ms[BATCH];
    unsigned char *payload = malloc(o->size);
    unsigned long done = 0;
    int64_t start = cnet_now_ns();
    cnet_error err;
    int rc = CLI_OK;

    if (payload == NULL)
        return cli_fail_path("malloc", "payload", -ENOMEM);
    for (size_t i = 0; i < o->size; i++)
        payload[i] = (unsigned char)('a' + i % 26);
    for (size_t i = 0; i < BATCH; i++) {
        ms[i].buf = payload;
        ms[i].len = o->size;
        snprintf(ms[i].addr, sizeof ms[i].addr, "%s", dest);
    }
    while (rc == CLI_OK && done < o->count) {
        size_t n = o->count - done > BATCH ? BATCH : (size_t)(o->count - done);
        if (udp) {
            if (cnet_packet_write_batch(pc, ms, n, NULL, NULL, &err) < 0)
                rc = cli_fail(&err);
        } else {
            n = 1;
            if (cnet_packet_write_to(pc, payload, o->size, dest, &err) < 0)
                rc = cli_fail(&err);
        }
        done += rc == CLI_OK ? n : 0;
    }
    if (rc == CLI_OK)
        print_rate(done, (unsigned long long)done * o->size, seconds_since(start));
    free(payload);
    return rc;
}

static int run_send(const cli_command *cmd, int argc, char **argv)
{
    send_options o = {0, 0};
    cnet_packet_conn *pc;
    cnet_error err;
    const char *local = NULL;
    const char *dest;
    int rc;

    rc = parse_send_options(cmd, argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    dest = argv[optind + 1];
    rc = check_datagram_network("send", argv[optind], dest, "dial");
    if (rc != CLI_OK)
        return rc;
    rc = pick_local_address(cmd, argv[optind], dest, &local);
    if (rc != CLI_OK)
        return rc;
    if (cnet_listen_packet(argv[optind], local, &pc, &err) < 0)
        return cli_fail(&err);
    if (o.count != 0)
        rc = send_generated(pc, classify_network(argv[optind]) == NET_UDP, dest, &o);
    else if (argc - optind == 3)
        rc = send_one(pc, argv[optind + 2], strlen(argv[optind + 2]), dest);
    else
        rc = send_lines(pc, dest);
    cnet_packet_close(pc);
    return rc;
}

/* The group part of "group:port", for the stderr banner. */
static void group_host(const char *group_address, char *host, size_t len)
{
    char port[32];

    if (cnet_split_host_port(group_address, host, len, port, sizeof port, NULL) < 0)
        snprintf(host, len, "%s", group_address);
}

typedef struct mcast_options {
    const char *ifname;
    const char *message; /* -s: send this instead of receiving */
    unsigned long count;
} mcast_options;

static int parse_mcast_options(const cli_command *cmd, int argc, char **argv, mcast_options *o)
{
    int opt;

    while ((opt = cli_next_option(cmd, argc, argv, ":c:i:s:")) != -1) {
        if (opt == 'i')
            o->ifname = optarg;
        else if (opt == 's')
            o->message = optarg;
        else if (opt != 'c' || parse_count_option(cmd, &o->count) != CLI_OK)
            return CLI_USAGE;
    }
    if (argc - optind != 2)
        return cli_usage(cmd, "need NETWORK and GROUP:PORT");
    /* Without a named interface a group send follows the default route, off this host. */
    if (o->message != NULL && o->ifname == NULL)
        return cli_usage(cmd, "-s needs -i IFNAME");
    return CLI_OK;
}

static int run_mcast(const cli_command *cmd, int argc, char **argv)
{
    mcast_options o = {NULL, NULL, 0};
    char group[CNET_ADDRSTRLEN];
    cnet_packet_conn *pc;
    cnet_error err;
    int rc;

    rc = parse_mcast_options(cmd, argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    if (cnet_listen_multicast_udp(argv[optind], o.ifname, argv[optind + 1], &pc, &err) < 0)
        return cli_fail(&err);
    if (o.message != NULL) {
        rc = send_one(pc, o.message, strlen(o.message), argv[optind + 1]);
    } else {
        group_host(argv[optind + 1], group, sizeof group);
        announce_packet_conn(argv[optind], pc, group, o.ifname);
        rc = print_datagrams(pc, o.count);
    }
    cnet_packet_close(pc);
    return rc;
}

const cli_command cli_recv_command = {
    "recv",
    "[-c N | --count N] [-v] [--raw] NETWORK ADDRESS",
    "receive datagrams and print each one",
    "Binds like Go's net.ListenPacket (NETWORK: udp, udp4, udp6, unixgram), prints\n"
    "\"listening on NETWORK ADDR\" to stderr, then prints each datagram to stdout as a\n"
    "line \"from ADDR, N bytes\" and a line with its bytes, printable ASCII as it is\n"
    "and the rest escaped (\\n, \\t, \\r, \\\\, \\xHH).\n\n"
    "  -c N        stop after N datagrams\n"
    "  --count N   receive N datagrams (batched) without printing them, then print\n"
    "              \"N datagrams, B bytes in T s (R datagrams/s)\" to stderr and exit\n"
    "              (the clock starts at the first datagram)\n"
    "  -v          before each datagram, print \"from SRC to DST on IFNAME, N bytes\"\n"
    "              to stderr (DST and IFNAME from the datagram's control data)\n"
    "  --raw       print the bytes alone, unescaped (for pipes)\n",
    run_recv,
};

const cli_command cli_send_command = {
    "send",
    "[--count N [--size S]] NETWORK ADDRESS [MESSAGE]",
    "send MESSAGE, or each line of stdin, as a datagram",
    "Sends MESSAGE, or else one datagram per line of stdin (without its newline), to\n"
    "ADDRESS from an ephemeral socket made by Go's net.ListenPacket: on loopback for a\n"
    "loopback ADDRESS, on the wildcard address otherwise, autobound for unixgram.\n"
    "Multicast groups are refused: use cnet mcast -i IFNAME -s MESSAGE, which names the\n"
    "interface the datagram leaves through. For tcp and unix use cnet dial.\n\n"
    "  --count N   send N generated datagrams instead (batched, with UDP GSO where the\n"
    "              kernel has it), then print \"N datagrams, B bytes in T s\n"
    "              (R datagrams/s)\" to stderr\n"
    "  --size S    bytes per generated datagram, 1 to 65507 (default 1200)\n",
    run_send,
};

const cli_command cli_mcast_command = {
    "mcast",
    "[-i IFNAME] [-c N] [-s MESSAGE] NETWORK GROUP:PORT",
    "join a multicast group and print its datagrams (or send one)",
    "Joins GROUP like Go's net.ListenMulticastUDP (NETWORK: udp, udp4, udp6), bound to\n"
    "the wildcard address with the group's port (port 0: the kernel picks one), prints\n"
    "\"listening on NETWORK ADDR (group GROUP on IFNAME)\" to stderr, then prints each\n"
    "datagram as recv does.\n\n"
    "  -i IFNAME    join on (and send from) this interface, e.g. lo; default: the\n"
    "               system's choice, which may be a real network\n"
    "  -c N         stop after N datagrams\n"
    "  -s MESSAGE   send MESSAGE to the group from IFNAME instead of receiving\n"
    "               (needs -i)\n",
    run_mcast,
};
