/* cnet listen and cnet dial: netcat-style copying between stdin/stdout and one connection. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define COPY_BUFSIZE 65536
#define BACKOFF_MIN_MS 10
#define BACKOFF_MAX_MS 100

/* Whether stdin can still give data; shared by the connections of `listen -k`. */
typedef struct relay_state {
    int stdin_open;
} relay_state;

static int is_datagram_network(const char *network)
{
    return strncmp(network, "udp", 3) == 0 || strcmp(network, "unixgram") == 0;
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

/* One read from stdin (poll said it is ready), written whole to the connection. Sets
 * *done when nothing more can happen (stdin over on a datagram connection). */
static int copy_stdin_to_conn(cnet_conn *c, relay_state *st, int datagram, int *done)
{
    static char buf[COPY_BUFSIZE];
    cnet_error err;
    ssize_t n;

    n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0)
        return errno == EINTR ? CLI_OK : cli_fail_path("read", "/dev/stdin", -errno);
    if (n == 0) {
        /* A datagram peer never says it is finished, so stdin's end is ours too. */
        *done = datagram;
        return datagram ? CLI_OK : finish_sending(c, st);
    }
    if (cnet_conn_write(c, buf, (size_t)n, &err) < 0)
        return cli_fail(&err);
    return CLI_OK;
}

/* One read from the connection (one syscall: poll said it is ready), written to stdout.
 * Clears *peer_open at the peer's end of stream. */
static int copy_conn_to_stdout(cnet_conn *c, int *peer_open)
{
    static char buf[COPY_BUFSIZE];
    cnet_error err;
    ssize_t n;
    int rc;

    n = cnet_conn_read(c, buf, sizeof buf, &err);
    if (n < 0)
        return cli_fail(&err);
    if (n == 0) {
        *peer_open = 0;
        return CLI_OK;
    }
    rc = cli_write_all(STDOUT_FILENO, buf, (size_t)n);
    return rc < 0 ? cli_fail_path("write", "/dev/stdout", rc) : CLI_OK;
}

/* Copies both ways until both are over: stdin has ended (and the peer has been told)
 * and the peer has closed its side. A peer that closes first still gets the rest of
 * stdin, as with a half-closing netcat. For datagrams, the end of stdin ends it all. */
static int relay(cnet_conn *c, relay_state *st, int datagram)
{
    struct pollfd fds[2];
    int peer_open = 1;
    int done = 0;
    int rc = CLI_OK;

    if (!st->stdin_open && !datagram && (rc = finish_sending(c, st)) != CLI_OK)
        return rc;
    while (!done && rc == CLI_OK && (peer_open || st->stdin_open)) {
        fds[0].fd = st->stdin_open ? STDIN_FILENO : -1;
        fds[0].events = POLLIN;
        fds[1].fd = peer_open ? cnet_conn_fd(c) : -1;
        fds[1].events = POLLIN;
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "cnet: poll: %s\n", cnet_strerror(-errno));
            return CLI_FAIL;
        }
        if (fds[1].revents != 0)
            rc = copy_conn_to_stdout(c, &peer_open);
        else if (fds[0].revents != 0)
            rc = copy_stdin_to_conn(c, st, datagram, &done);
    }
    return rc;
}

/* Errors after which the listener still works: out of descriptors or memory, or a
 * connection that died in the queue. Go's http.Server backs off on the same ones. */
static int is_temporary_accept_error(int code)
{
    return code == -EMFILE || code == -ENFILE || code == -ENOBUFS || code == -ENOMEM ||
           code == -ECONNABORTED || code == -ECONNRESET || code == -EAGAIN ||
           code == -ETIMEDOUT || code == -EPROTO || code == -EPERM;
}

static void sleep_ms(int ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* Accepts one connection, backing off (10 ms doubling to 100 ms) on temporary errors
 * rather than spinning while, say, the process is out of descriptors. */
static int accept_with_backoff(cnet_listener *ln, cnet_conn **c)
{
    cnet_error err;
    int delay = BACKOFF_MIN_MS;

    while (cnet_listener_accept(ln, c, &err) < 0) {
        if (!is_temporary_accept_error(err.code))
            return cli_fail(&err);
        fprintf(stderr, "cnet: %s; retrying in %d ms\n", err.msg, delay);
        sleep_ms(delay);
        delay = delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay * 2;
    }
    return CLI_OK;
}

static int serve(cnet_listener *ln, int keep_accepting)
{
    relay_state st = {1};
    cnet_conn *c;
    int rc;

    do {
        rc = accept_with_backoff(ln, &c);
        if (rc != CLI_OK)
            return rc;
        rc = relay(c, &st, 0);
        cnet_conn_close(c);
    } while (keep_accepting);
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

static int run_listen(const cli_command *cmd, int argc, char **argv)
{
    cnet_listener *ln;
    cnet_error err;
    int keep_accepting = 0;
    int opt;
    int rc;

    while ((opt = cli_next_option(cmd, argc, argv, ":k")) != -1) {
        if (opt != 'k')
            return CLI_USAGE;
        keep_accepting = 1;
    }
    if (argc - optind != 2)
        return cli_usage(cmd, "need NETWORK and ADDRESS");
    if (cnet_listen(argv[optind], argv[optind + 1], &ln, &err) < 0)
        return cli_fail(&err);
    announce_listener(argv[optind], ln);
    rc = serve(ln, keep_accepting);
    cnet_listener_close(ln);
    return rc;
}

static int run_dial(const cli_command *cmd, int argc, char **argv)
{
    relay_state st = {1};
    cnet_conn *c;
    cnet_error err;
    int rc;

    if (cli_next_option(cmd, argc, argv, ":") != -1)
        return CLI_USAGE;
    if (argc - optind != 2)
        return cli_usage(cmd, "need NETWORK and ADDRESS");
    if (cnet_dial(argv[optind], argv[optind + 1], &c, &err) < 0)
        return cli_fail(&err);
    rc = relay(c, &st, is_datagram_network(argv[optind]));
    cnet_conn_close(c);
    return rc;
}

const cli_command cli_listen_command = {
    "listen",
    "[-k] NETWORK ADDRESS",
    "accept a connection and copy stdin to it and it to stdout",
    "Listens like Go's net.Listen (NETWORK: tcp, tcp4, tcp6, unix, unixpacket), prints\n"
    "\"listening on NETWORK ADDR\" to stderr (ADDR has the real port when ADDRESS asks\n"
    "for port 0), accepts one connection, and copies stdin to it and it to stdout.\n"
    "When stdin ends, the sending side is shut down (the peer reads end of stream);\n"
    "the command ends when that is done and the peer has closed its side too.\n\n"
    "  -k   keep accepting: serve connections one at a time until interrupted\n",
    run_listen,
};

const cli_command cli_dial_command = {
    "dial",
    "NETWORK ADDRESS",
    "connect and copy stdin to the connection and it to stdout",
    "Connects like Go's net.Dial (NETWORK: tcp, tcp4, tcp6, udp, udp4, udp6, unix,\n"
    "unixgram, unixpacket) and copies stdin to the connection and the connection to\n"
    "stdout. When stdin ends, the sending side is shut down; the command ends when that\n"
    "is done and the peer has closed its side too. On udp and unixgram, the end of\n"
    "stdin ends the command.\n",
    run_dial,
};
