/* cnet recv, cnet send and cnet mcast: datagrams through ListenPacket and
 * ListenMulticastUDP. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"

#define DATAGRAM_MAX 65536

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

/* Prints datagrams as they arrive; count 0 means forever. */
static int print_datagrams(cnet_packet_conn *pc, unsigned long count)
{
    static char buf[DATAGRAM_MAX];
    char from[CNET_ADDRSTRLEN];
    cnet_error err;
    unsigned long seen;
    ssize_t n;
    int rc = CLI_OK;

    for (seen = 0; rc == CLI_OK && (count == 0 || seen < count); seen++) {
        n = cnet_packet_read_from(pc, buf, sizeof buf, from, sizeof from, &err);
        if (n < 0)
            return cli_fail(&err);
        rc = cli_print_datagram(from, buf, (size_t)n);
    }
    return rc;
}

/* The -c option of recv and mcast. */
static int parse_count_option(const cli_command *cmd, unsigned long *count)
{
    if (cli_parse_count(optarg, count) < 0)
        return cli_usage(cmd, "-c wants a count >= 1, not \"%s\"", optarg);
    return CLI_OK;
}

static int run_recv(const cli_command *cmd, int argc, char **argv)
{
    cnet_packet_conn *pc;
    cnet_error err;
    unsigned long count = 0;
    int opt;
    int rc;

    while ((opt = cli_next_option(cmd, argc, argv, ":c:")) != -1) {
        if (opt != 'c' || parse_count_option(cmd, &count) != CLI_OK)
            return CLI_USAGE;
    }
    if (argc - optind != 2)
        return cli_usage(cmd, "need NETWORK and ADDRESS");
    if (cnet_listen_packet(argv[optind], argv[optind + 1], &pc, &err) < 0)
        return cli_fail(&err);
    announce_packet_conn(argv[optind], pc, NULL, NULL);
    rc = print_datagrams(pc, count);
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

static int run_send(const cli_command *cmd, int argc, char **argv)
{
    cnet_packet_conn *pc;
    cnet_error err;
    const char *local;
    const char *dest;
    int nargs;
    int rc;

    if (cli_next_option(cmd, argc, argv, ":") != -1)
        return CLI_USAGE;
    nargs = argc - optind;
    if (nargs != 2 && nargs != 3)
        return cli_usage(cmd, "need NETWORK, ADDRESS and an optional MESSAGE");
    dest = argv[optind + 1];
    rc = pick_local_address(cmd, argv[optind], dest, &local);
    if (rc != CLI_OK)
        return rc;
    if (cnet_listen_packet(argv[optind], local, &pc, &err) < 0)
        return cli_fail(&err);
    if (nargs == 3)
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
    "[-c N] NETWORK ADDRESS",
    "receive datagrams and print each one",
    "Binds like Go's net.ListenPacket (NETWORK: udp, udp4, udp6, unixgram), prints\n"
    "\"listening on NETWORK ADDR\" to stderr, then prints each datagram to stdout as\n"
    "\"from ADDR: BYTES\".\n\n"
    "  -c N   stop after N datagrams\n",
    run_recv,
};

const cli_command cli_send_command = {
    "send",
    "NETWORK ADDRESS [MESSAGE]",
    "send MESSAGE, or each line of stdin, as a datagram",
    "Sends MESSAGE, or else one datagram per line of stdin (without its newline), to\n"
    "ADDRESS from an ephemeral socket made by Go's net.ListenPacket: on loopback for a\n"
    "loopback ADDRESS, on the wildcard address otherwise, autobound for unixgram.\n"
    "Multicast groups are refused: use cnet mcast -i IFNAME -s MESSAGE, which names the\n"
    "interface the datagram leaves through.\n",
    run_send,
};

const cli_command cli_mcast_command = {
    "mcast",
    "[-i IFNAME] [-c N] [-s MESSAGE] NETWORK GROUP:PORT",
    "join a multicast group and print its datagrams (or send one)",
    "Joins GROUP like Go's net.ListenMulticastUDP (NETWORK: udp, udp4, udp6), bound to\n"
    "the wildcard address with the group's port (port 0: the kernel picks one), prints\n"
    "\"listening on NETWORK ADDR (group GROUP on IFNAME)\" to stderr, then prints each\n"
    "datagram as \"from ADDR: BYTES\".\n\n"
    "  -i IFNAME    join on (and send from) this interface, e.g. lo; default: the\n"
    "               system's choice, which may be a real network\n"
    "  -c N         stop after N datagrams\n"
    "  -s MESSAGE   send MESSAGE to the group from IFNAME instead of receiving\n"
    "               (needs -i)\n",
    run_mcast,
};
