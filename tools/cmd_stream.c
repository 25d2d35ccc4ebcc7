/* cnet listen and cnet dial: netcat-style copying between stdin/stdout and one connection. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define COPY_BUFSIZE 65536
#define BACKOFF_MIN_MS 10
#define BACKOFF_MAX_MS 100
/* How long one write may wait for the peer to make room before the loop goes back to
 * poll: a slow reader never holds up the other direction for longer. */
#define WRITE_SLICE_NS 1000000

/* What the connections of one command share: whether stdin can still give data (for
 * all the connections of `listen -k`), and the idle limit: with idle_ns > 0, the
 * connection is idle once idle_ns pass without progress in either direction (a byte
 * read, or a byte of stdin taken by the kernel, however slowly the peer reads). */
typedef struct relay_state {
    int stdin_open;
    int64_t idle_ns;        /* 0: no idle limit */
    int64_t idle_deadline;  /* of the current connection */
    cnet_error idle_error;  /* Go's text of the expiry, for RELAY_IDLE */
    uint64_t sent, received; /* bytes of the current connection, for -v's summary */
    int64_t started;         /* when the current connection began, for -v */
} relay_state;

/* Stdin's data that the kernel has not taken yet: buf[off, len). While there is some,
 * stdin waits and poll watches for room, so that reading from the peer goes on. */
typedef struct outbox {
    char buf[COPY_BUFSIZE];
    size_t off, len;
} outbox;

/* relay()'s third outcome besides CLI_OK and CLI_FAIL: the idle limit passed. Nothing
 * has been printed; st->idle_error says which operation timed out. */
enum { RELAY_IDLE = 100 };

static int is_datagram_network(const char *network)
{
    return strncmp(network, "udp", 3) == 0 || strcmp(network, "unixgram") == 0;
}

static int has_pending(const outbox *out)
{
    return out->off < out->len;
}

/* Progress: the idle limit starts again. The read deadline carries it, so that a read
 * reports the expiry in Go's words; each write gets a deadline of its own. */
static void note_progress(cnet_conn *c, relay_state *st)
{
    if (st->idle_ns <= 0)
        return;
    st->idle_deadline = cli_deadline_after(st->idle_ns);
    cnet_conn_set_read_deadline(c, st->idle_deadline);
}

/* An I/O error: an expired idle deadline is RELAY_IDLE, kept for the caller to
 * report; anything else fails the command. */
static int io_failure(relay_state *st, const cnet_error *err)
{
    if (st->idle_ns > 0 && cnet_error_is_deadline_exceeded(err)) {
        st->idle_error = *err;
        return RELAY_IDLE;
    }
    return cli_fail(err);
}

/* Stdin is done: let the peer read end of stream. */
static int finish_sending(cnet_conn *c, relay_state *st)
{
    cnet_error err;

    st->stdin_open = 0;
    if (cnet_conn_close_write(c, &err) < 0)
        return cli_fail(&err);
    return CLI_OK;
}

/* Gives the kernel what it takes of the outbox within WRITE_SLICE_NS (cnet_conn_write_n
 * says how much, even when the slice ends first). Whatever it took is progress; data
 * left over waits for poll to report room. */
static int send_outbox(cnet_conn *c, relay_state *st, outbox *out)
{
    size_t written = 0;
    cnet_error err;
    int rc;

    cnet_conn_set_write_deadline(c, cli_deadline_after(WRITE_SLICE_NS));
    rc = cnet_conn_write_n(c, out->buf + out->off, out->len - out->off, &written, &err);
    out->off += written;
    st->sent += written;
    if (written > 0)
        note_progress(c, st);
    if (rc < 0 && !cnet_error_is_deadline_exceeded(&err))
        return cli_fail(&err);
    return CLI_OK;
}

/* One read from stdin (poll said it is ready) into the empty outbox, then as much of
 * it to the connection as goes at once. Sets *done when nothing more can happen (stdin
 * over on a datagram connection). */
static int copy_stdin_to_conn(cnet_conn *c, relay_state *st, outbox *out, int datagram,
                              int *done)
{
    ssize_t n;

    n = read(STDIN_FILENO, out->buf, sizeof out->buf);
    if (n < 0)
        return errno == EINTR ? CLI_OK : cli_fail_path("read", "/dev/stdin", -errno);
    if (n == 0) {
        /* A datagram peer never says it is finished, so stdin's end is ours too. */
        *done = datagram;
        return datagram ? CLI_OK : finish_sending(c, st);
    }
    out->off = 0;
    out->len = (size_t)n;
    return send_outbox(c, st, out);
}

/* One read from the connection (one syscall: poll said it is ready, or the idle
 * deadline has passed and the read reports it), written to stdout. Clears *peer_open at
 * the peer's end of stream. A slow stdout is our own pace, not the peer's silence: the
 * limit starts again once the data is out. */
static int copy_conn_to_stdout(cnet_conn *c, relay_state *st, int *peer_open)
{
    static char buf[COPY_BUFSIZE];
    cnet_error err;
    ssize_t n;
    int rc;

    n = cnet_conn_read(c, buf, sizeof buf, &err);
    if (n < 0)
        return io_failure(st, &err);
    if (n == 0) {
        *peer_open = 0;
        return CLI_OK;
    }
    st->received += (uint64_t)n;
    rc = cli_write_all(STDOUT_FILENO, buf, (size_t)n);
    if (rc < 0)
        return cli_fail_path("write", "/dev/stdout", rc);
    note_progress(c, st);
    return CLI_OK;
}

/* The idle limit has passed. The operation that was waiting reports it in Go's words:
 * the write when stdin's data is waiting for room, else the read. */
static int idle_expired(cnet_conn *c, relay_state *st, outbox *out, int *peer_open)
{
    cnet_error err;

    if (!has_pending(out))
        return copy_conn_to_stdout(c, st, peer_open);
    cnet_conn_set_write_deadline(c, st->idle_deadline);
    if (cnet_conn_write_n(c, out->buf + out->off, out->len - out->off, NULL, &err) < 0)
        return io_failure(st, &err);
    out->off = out->len; /* not reached: an expired deadline fails the write at once */
    return CLI_OK;
}

/* How long poll may sleep: until the idle deadline, rounded up so that the deadline
 * has passed when poll times out, or until the next write probe while the outbox holds
 * data; -1 (forever) without an idle limit. */
static int poll_timeout_ms(const relay_state *st, const outbox *out)
{
    int64_t now, wake, left;

    if (st->idle_ns <= 0)
        return -1;
    now = cnet_now_ns();
    wake = st->idle_deadline;
    if (has_pending(out) && wake - now > cli_write_probe_ns(st->idle_ns))
        wake = now + cli_write_probe_ns(st->idle_ns);
    left = wake - now;
    if (left <= 0)
        return 0;
    return left / 1000000 >= INT_MAX ? INT_MAX : (int)((left + 999999) / 1000000);
}

/* What poll watches: stdin while the outbox is empty; the connection for the peer's
 * data while it is open, and for room while the outbox holds data. */
static void watch(struct pollfd fds[2], cnet_conn *c, const relay_state *st,
                  const outbox *out, int peer_open)
{
    fds[0].fd = st->stdin_open && !has_pending(out) ? STDIN_FILENO : -1;
    fds[0].events = POLLIN;
    fds[1].events = (short)((peer_open ? POLLIN : 0) | (has_pending(out) ? POLLOUT : 0));
    fds[1].fd = fds[1].events != 0 ? cnet_conn_fd(c) : -1;
}

/* Acts on what poll reported: the peer's data (or end, or error), room for the outbox,
 * stdin's data. */
static int step(cnet_conn *c, relay_state *st, outbox *out, const struct pollfd fds[2],
                int *peer_open, int datagram, int *done)
{
    short conn = fds[1].revents;
    int rc = CLI_OK;

    if (*peer_open && (conn & (POLLIN | POLLHUP | POLLERR)) != 0)
        rc = copy_conn_to_stdout(c, st, peer_open);
    if (rc == CLI_OK && has_pending(out) && (conn & (POLLOUT | POLLHUP | POLLERR)) != 0)
        rc = send_outbox(c, st, out);
    if (rc == CLI_OK && fds[0].revents != 0)
        rc = copy_stdin_to_conn(c, st, out, datagram, done);
    return rc;
}

/* Copies both ways until both are over: stdin has ended (and the peer has been told)
 * and the peer has closed its side. A peer that closes first still gets the rest of
 * stdin, as with a half-closing netcat. For datagrams, the end of stdin ends it all.
 * Neither direction waits for the other: a write waits at most WRITE_SLICE_NS, then
 * poll watches for room and for the peer's data at once. With an idle limit, a write
 * waiting for room is also tried again every cli_write_probe_ns, and RELAY_IDLE is
 * returned once the limit has passed without progress. */
static int relay(cnet_conn *c, relay_state *st, int datagram)
{
    static outbox out;
    struct pollfd fds[2];
    int peer_open = 1;
    int done = 0;
    int rc = CLI_OK;
    int n;

    out.off = out.len = 0;
    st->sent = st->received = 0;
    st->started = cnet_now_ns();
    note_progress(c, st);
    if (!st->stdin_open && !datagram && (rc = finish_sending(c, st)) != CLI_OK)
        return rc;
    while (!done && rc == CLI_OK && (peer_open || st->stdin_open)) {
        watch(fds, c, st, &out, peer_open);
        n = poll(fds, 2, poll_timeout_ms(st, &out));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "cnet: poll: %s\n", cnet_strerror(-errno));
            return CLI_FAIL;
        }
        /* Idle: the waiting operation is armed with the expired deadline and fails in
         * Go's words, whether or not the peer is still sending. */
        if (n == 0 && cnet_now_ns() >= st->idle_deadline)
            rc = idle_expired(c, st, &out, &peer_open);
        else if (n == 0)
            rc = has_pending(&out) ? send_outbox(c, st, &out) : CLI_OK; /* a probe */
        else
            rc = step(c, st, &out, fds, &peer_open, datagram, &done);
    }
    return rc;
}

/* Accepts one connection, backing off (10 ms doubling to 100 ms) on temporary errors
 * rather than spinning while, say, the process is out of descriptors. */
static int accept_with_backoff(cnet_listener *ln, cnet_conn **c)
{
    cnet_error err;
    int delay = BACKOFF_MIN_MS;

    while (cnet_listener_accept(ln, c, &err) < 0) {
        if (!cli_is_temporary_accept_error(err.code))
            return cli_fail(&err);
        fprintf(stderr, "cnet: %s; retrying in %d ms\n", err.msg, delay);
        cli_sleep_ms(delay);
        delay = delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay * 2;
    }
    return CLI_OK;
}

/* ---- netcat's spellings: HOST PORT, -p, -u, -4, -6 ---- */

/* What the netcat options chose. */
typedef struct nc_choice {
    int udp;          /* -u */
    char family;      /* -4 or -6: '4', '6'; else 0 */
    const char *port; /* -p PORT (listen) */
} nc_choice;

/* What a command connects or listens to, in Go's terms: NETWORK and ADDRESS as given,
 * or made from netcat's HOST PORT. */
typedef struct endpoint {
    const char *network;
    const char *address;
    char network_buf[8];
    char address_buf[320]; /* a DNS name (253 bytes), brackets, ':' and a port */
} endpoint;

static int is_network_name(const char *word)
{
    static const char *const names[] = {
        "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "unix", "unixgram", "unixpacket",
        "ip", "ip4", "ip6",
    };
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(word, names[i]) == 0)
            return 1;
    /* Go's "ip4:icmp" and the like. */
    return strncmp(word, "ip:", 3) == 0 || strncmp(word, "ip4:", 4) == 0 ||
           strncmp(word, "ip6:", 4) == 0;
}

/* Go's form comes first: a network name, or an ADDRESS that is "host:port" or a path
 * (so that a misspelt network meets Go's "unknown network", not a name lookup). */
static int is_go_form(int nargs, char **args)
{
    return nargs == 2 && (is_network_name(args[0]) || strchr(args[1], ':') != NULL ||
                          strchr(args[1], '/') != NULL);
}

/* netcat's HOST and PORT from the arguments: listen takes [-p PORT] [HOST] or [HOST]
 * PORT (no HOST: every address), dial takes HOST PORT. */
static int nc_host_port(const cli_command *cmd, const nc_choice *nc, int listening, int nargs,
                        char **args, const char **host, const char **port)
{
    *host = "";
    *port = nc->port;
    if (nargs == 1 && is_network_name(args[0]))
        return cli_usage(cmd, "need NETWORK and ADDRESS");
    if (!listening && nargs == 2) {
        *host = args[0];
        *port = args[1];
    } else if (listening && nc->port != NULL && nargs <= 1) {
        *host = nargs == 1 ? args[0] : "";
    } else if (listening && nc->port == NULL && (nargs == 1 || nargs == 2)) {
        *host = nargs == 2 ? args[0] : "";
        *port = args[nargs - 1];
    } else {
        *port = NULL;
    }
    /* A lone "host:port" is Go's ADDRESS without its NETWORK. */
    if (*port == NULL || strchr(*port, ':') != NULL)
        return cli_usage(cmd, listening ? "need NETWORK and ADDRESS, or [HOST] PORT"
                                        : "need NETWORK and ADDRESS, or HOST and PORT");
    return CLI_OK;
}

static int pick_endpoint(const cli_command *cmd, const nc_choice *nc, int listening,
                         int nargs, char **args, endpoint *ep)
{
    const char *host, *port;
    int rc;

    if (is_go_form(nargs, args)) {
        if (nc->udp || nc->family != 0 || nc->port != NULL)
            return cli_usage(cmd, "%s go with HOST PORT; NETWORK %s already says what to use",
                             listening ? "-u, -4, -6 and -p" : "-u, -4 and -6", args[0]);
        ep->network = args[0];
        ep->address = args[1];
        return CLI_OK;
    }
    rc = nc_host_port(cmd, nc, listening, nargs, args, &host, &port);
    if (rc != CLI_OK)
        return rc;
    snprintf(ep->network_buf, sizeof ep->network_buf, "%s%s", nc->udp ? "udp" : "tcp",
             nc->family == '4' ? "4" : nc->family == '6' ? "6" : "");
    if (cnet_join_host_port(host, port, ep->address_buf, sizeof ep->address_buf) < 0)
        return cli_usage(cmd, "host name too long: \"%s\"", host);
    ep->network = ep->network_buf;
    ep->address = ep->address_buf;
    return CLI_OK;
}

/* The netcat options both commands share; returns 0 for an option that is not one. */
static int nc_option(int opt, nc_choice *nc)
{
    switch (opt) {
    case 'u':
        nc->udp = 1;
        return 1;
    case '4':
    case '6':
        nc->family = (char)opt;
        return 1;
    default:
        return 0;
    }
}

/* -v: "N bytes sent, M bytes received in T seconds" after a connection, as ncat -v. */
static void report_traffic(const relay_state *st)
{
    double seconds = (double)(cnet_now_ns() - st->started) / 1e9;

    fprintf(stderr, "%llu bytes sent, %llu bytes received in %.2f seconds\n",
            (unsigned long long)st->sent, (unsigned long long)st->received, seconds);
    fflush(stderr);
}

/* Options of cnet listen. */
typedef struct listen_options {
    int keep_accepting;
    int verbose;
    int64_t idle_ns;
    const char *idle_text; /* as given, for the note */
    cnet_listen_config config;
    nc_choice nc;
} listen_options;

enum { OPT_IDLE_TIMEOUT = 256, OPT_REUSE_PORT, OPT_BACKLOG, OPT_LOCAL, OPT_FALLBACK_DELAY };

static void announce_peer(const cnet_conn *c)
{
    char addr[CNET_ADDRSTRLEN];

    if (cnet_conn_remote_addr(c, addr, sizeof addr) < 0)
        addr[0] = '\0';
    fprintf(stderr, "connection from %s\n", addr);
    fflush(stderr);
}

/* An idle connection was closed: a note, not a failure of the listener. */
static void report_idle_close(const relay_state *st, const char *idle_text)
{
    fprintf(stderr, "cnet: %s: closed the connection after %s without traffic\n",
            st->idle_error.msg, idle_text);
    fflush(stderr);
}

static int serve(cnet_listener *ln, const listen_options *o)
{
    relay_state st;
    cnet_conn *c;
    int rc;

    memset(&st, 0, sizeof st);
    st.stdin_open = 1;
    st.idle_ns = o->idle_ns;
    do {
        rc = accept_with_backoff(ln, &c);
        if (rc != CLI_OK)
            return rc;
        if (o->verbose)
            announce_peer(c);
        rc = relay(c, &st, 0);
        cnet_conn_close(c);
        if (o->verbose)
            report_traffic(&st);
        if (rc == RELAY_IDLE) {
            report_idle_close(&st, o->idle_text);
            rc = o->keep_accepting ? CLI_OK : CLI_FAIL;
        }
    } while (o->keep_accepting);
    return rc;
}

static int announce_listener(const char *network, const cnet_listener *ln)
{
    char addr[CNET_ADDRSTRLEN];

    if (cnet_listener_addr(ln, addr, sizeof addr) < 0)
        addr[0] = '\0';
    fprintf(stderr, "listening on %s %s\n", network, addr);
    return fflush(stderr);
}

static int parse_listen_options(const cli_command *cmd, int argc, char **argv,
                                listen_options *o)
{
    static const struct option longopts[] = {
        {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
        {"reuse-port", no_argument, NULL, OPT_REUSE_PORT},
        {"backlog", required_argument, NULL, OPT_BACKLOG},
        {NULL, 0, NULL, 0},
    };
    int opt;
    int rc = CLI_OK;

    while (rc == CLI_OK &&
           (opt = cli_next_long_option(cmd, argc, argv, ":kvu46p:", longopts)) != -1) {
        if (nc_option(opt, &o->nc))
            continue;
        switch (opt) {
        case 'k':
            o->keep_accepting = 1;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'p':
            o->nc.port = optarg;
            break;
        case OPT_IDLE_TIMEOUT:
            o->idle_text = optarg;
            rc = cli_duration_option(cmd, "--idle-timeout", 1, &o->idle_ns);
            break;
        case OPT_REUSE_PORT:
            o->config.reuse_port = 1;
            break;
        case OPT_BACKLOG:
            rc = cli_backlog_option(cmd, &o->config.backlog);
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (rc == CLI_OK && o->nc.udp &&
        (o->keep_accepting || o->idle_ns != 0 || o->config.reuse_port || o->config.backlog != 0))
        return cli_usage(cmd, "-k, --idle-timeout, --reuse-port and --backlog are for "
                              "connections; -u receives datagrams, as cnet recv does");
    return rc;
}

/* listen -u: datagrams are received exactly as `cnet recv NETWORK ADDRESS` does (its
 * banner and its output); recv names each datagram's sender, which is what -v adds for
 * connections. */
static int receive_datagrams(const endpoint *ep)
{
    char network[sizeof ep->network_buf];
    char address[sizeof ep->address_buf];
    char name[] = "recv";
    char *args[4];

    snprintf(network, sizeof network, "%s", ep->network);
    snprintf(address, sizeof address, "%s", ep->address);
    args[0] = name;
    args[1] = network;
    args[2] = address;
    args[3] = NULL;
    cli_restart_options();
    return cli_recv_command.run(&cli_recv_command, 3, args);
}

static int run_listen(const cli_command *cmd, int argc, char **argv)
{
    listen_options o;
    endpoint ep;
    cnet_listener *ln;
    cnet_error err;
    int rc;

    memset(&o, 0, sizeof o);
    rc = parse_listen_options(cmd, argc, argv, &o);
    if (rc == CLI_OK)
        rc = pick_endpoint(cmd, &o.nc, 1, argc - optind, argv + optind, &ep);
    if (rc != CLI_OK)
        return rc;
    if (o.nc.udp)
        return receive_datagrams(&ep);
    if (cnet_listen_with(&o.config, ep.network, ep.address, &ln, &err) < 0) {
        /* Go's error for a stream listen on a datagram network names no alternative. */
        rc = cli_fail(&err);
        cli_hint_network(cmd, ep.network);
        return rc;
    }
    announce_listener(ep.network, ln);
    rc = serve(ln, &o);
    cnet_listener_close(ln);
    return rc;
}

/* Options of cnet dial. */
typedef struct dial_options {
    cnet_dialer dialer;
    int verbose;
    nc_choice nc;
} dial_options;

static int parse_dial_options(const cli_command *cmd, int argc, char **argv, dial_options *o,
                              int64_t *idle_ns)
{
    static const struct option longopts[] = {
        {"local", required_argument, NULL, OPT_LOCAL},
        {"fallback-delay", required_argument, NULL, OPT_FALLBACK_DELAY},
        {NULL, 0, NULL, 0},
    };
    cnet_dialer *d = &o->dialer;
    int opt;
    int rc = CLI_OK;

    while (rc == CLI_OK &&
           (opt = cli_next_long_option(cmd, argc, argv, ":vu46w:", longopts)) != -1) {
        if (nc_option(opt, &o->nc))
            continue;
        switch (opt) {
        case 'v':
            o->verbose = 1;
            break;
        case 'w':
            rc = cli_timeout_option(cmd, "-w", &d->timeout_ns);
            *idle_ns = d->timeout_ns;
            break;
        case OPT_LOCAL:
            d->local_address = optarg;
            break;
        case OPT_FALLBACK_DELAY:
            rc = cli_duration_option(cmd, "--fallback-delay", 0, &d->fallback_delay_ns);
            break;
        default:
            return CLI_USAGE;
        }
    }
    return rc;
}

/* -v: "connected to NETWORK ADDR" once the dial is done, as ncat's "Connected to". */
static void announce_connected(const char *network, const cnet_conn *c)
{
    char addr[CNET_ADDRSTRLEN];

    if (cnet_conn_remote_addr(c, addr, sizeof addr) < 0)
        addr[0] = '\0';
    fprintf(stderr, "connected to %s %s\n", network, addr);
    fflush(stderr);
}

static int run_dial(const cli_command *cmd, int argc, char **argv)
{
    relay_state st;
    dial_options o;
    endpoint ep;
    cnet_conn *c;
    cnet_error err;
    int rc;

    memset(&st, 0, sizeof st);
    memset(&o, 0, sizeof o);
    st.stdin_open = 1;
    rc = parse_dial_options(cmd, argc, argv, &o, &st.idle_ns);
    if (rc == CLI_OK)
        rc = pick_endpoint(cmd, &o.nc, 0, argc - optind, argv + optind, &ep);
    if (rc != CLI_OK)
        return rc;
    if (cnet_dial_with(&o.dialer, ep.network, ep.address, &c, &err) < 0)
        return cli_fail(&err);
    if (o.verbose)
        announce_connected(ep.network, c);
    rc = relay(c, &st, is_datagram_network(ep.network));
    cnet_conn_close(c);
    if (o.verbose)
        report_traffic(&st);
    return rc == RELAY_IDLE ? cli_fail(&st.idle_error) : rc;
}

const cli_command cli_listen_command = {
    "listen",
    "[-kv] [--idle-timeout DURATION] [--reuse-port] [--backlog N] NETWORK ADDRESS\n"
    "       cnet listen [-kuv46] [-p PORT] [HOST] [PORT]",
    "accept a connection and copy stdin to it and it to stdout",
    "Listens like Go's net.Listen (NETWORK: tcp, tcp4, tcp6, unix, unixpacket), prints\n"
    "\"listening on NETWORK ADDR\" to stderr (ADDR has the real port when ADDRESS asks\n"
    "for port 0), accepts one connection, and copies stdin to it and it to stdout.\n"
    "When stdin ends, the sending side is shut down (the peer reads end of stream);\n"
    "the command ends when that is done and the peer has closed its side too.\n\n"
    "netcat's spelling is accepted too: `cnet listen 8080`, `cnet listen -p 8080` and\n"
    "`cnet listen 127.0.0.1 8080` listen on tcp (without HOST: every address).\n\n"
    "  -k    keep accepting: serve connections one at a time until interrupted\n"
    "  -v    print \"connection from ADDR\" to stderr for each connection, and after it\n"
    "        \"N bytes sent, M bytes received in T seconds\"\n"
    "  -p PORT\n"
    "        the port to listen on (netcat's -l -p)\n"
    "  -u    udp: receive datagrams and print them as `cnet recv` does (which names\n"
    "        each datagram's sender: -v adds nothing)\n"
    "  -4, -6\n"
    "        IPv4 only (tcp4, udp4) or IPv6 only (tcp6, udp6)\n"
    "  --idle-timeout DURATION\n"
    "        close a connection that has had no traffic either way for DURATION (Go's\n"
    "        syntax: 300ms, 2s, 1m30s), with a note on stderr; with -k, go on to the\n"
    "        next connection, else exit 1\n"
    "  --reuse-port\n"
    "        join a load-balanced group on this port; every member must ask for it.\n"
    "        `cnet sockopts reuse_port` shows the option (SO_REUSEPORT on Linux); on an\n"
    "        OS without a balancing one, and for unix sockets, it fails (exit 1)\n"
    "  --backlog N\n"
    "        the listen queue length (default: the OS maximum)\n",
    run_listen,
};

const cli_command cli_dial_command = {
    "dial",
    "[-v] [-w TIMEOUT] [--local ADDRESS] [--fallback-delay DURATION] NETWORK ADDRESS\n"
    "       cnet dial [-uv46] [-w TIMEOUT] [--local ADDRESS] HOST PORT",
    "connect and copy stdin to the connection and it to stdout",
    "Connects like Go's net.Dial (NETWORK: tcp, tcp4, tcp6, udp, udp4, udp6, unix,\n"
    "unixgram, unixpacket) and copies stdin to the connection and the connection to\n"
    "stdout. When stdin ends, the sending side is shut down; the command ends when that\n"
    "is done and the peer has closed its side too. On udp and unixgram, the end of\n"
    "stdin ends the command.\n\n"
    "netcat's spelling is accepted too: `cnet dial HOST PORT` dials tcp.\n\n"
    "Durations use Go's syntax: 300ms, 1.5s, 2m, 1h2m, 250us, 10ns.\n\n"
    "  -v    print \"connected to NETWORK ADDR\" to stderr once connected, and at the\n"
    "        end \"N bytes sent, M bytes received in T seconds\"\n"
    "  -u    udp (with HOST PORT)\n"
    "  -4, -6\n"
    "        IPv4 only (tcp4, udp4) or IPv6 only (tcp6, udp6)\n"
    "  -w TIMEOUT\n"
    "        as netcat's -w, in seconds (2, 0.5) or as a duration (300ms): the whole\n"
    "        dial (name resolution included) must finish within TIMEOUT, and the\n"
    "        connection is then given up once TIMEOUT passes with no data moving in\n"
    "        either direction (exit 1, \"i/o timeout\"); a peer that reads slowly is\n"
    "        still taking data\n"
    "  --local ADDRESS\n"
    "        the local address to dial from (\"host:port\", port 0 for any)\n"
    "  --fallback-delay DURATION\n"
    "        Happy Eyeballs for tcp with both IPv4 and IPv6 addresses: how long the\n"
    "        first family gets before the other one is tried too (default 300ms; a\n"
    "        negative DURATION dials the addresses one after another)\n",
    run_dial,
};
