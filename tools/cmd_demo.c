/* cnet demo: a tour of cnet's promises on loopback, checked live, printed as tables.
 * Touches nothing but 127.0.0.1, ::1 and multicast on the interface lo. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

#define WAIT_MS 2000
#define MAX_STEPS 5
#define MAX_SOCKETS 8
#define OBSERVED_MAX (CNET_ERROR_MAX + 64)
#define DEMO_GROUP "239.77.0.1"
#define DEMO_IFNAME "lo"
#define DEMO_PAYLOAD "cnet demo"
#define TCP_STATE_TIME_WAIT 0x06 /* the kernel's TCP_TIME_WAIT, as /proc/net/tcp shows it */

/* Options this OS may not have get -1 and show as "n/a". */
#ifdef SO_REUSEPORT
#define DEMO_SO_REUSEPORT SO_REUSEPORT
#else
#define DEMO_SO_REUSEPORT -1
#endif
#if defined(TCP_KEEPIDLE)
#define DEMO_TCP_KEEPIDLE TCP_KEEPIDLE
#elif defined(TCP_KEEPALIVE) /* darwin's name for it */
#define DEMO_TCP_KEEPIDLE TCP_KEEPALIVE
#else
#define DEMO_TCP_KEEPIDLE -1
#endif
#ifdef TCP_KEEPINTVL
#define DEMO_TCP_KEEPINTVL TCP_KEEPINTVL
#else
#define DEMO_TCP_KEEPINTVL -1
#endif
#ifdef TCP_KEEPCNT
#define DEMO_TCP_KEEPCNT TCP_KEEPCNT
#else
#define DEMO_TCP_KEEPCNT -1
#endif

enum option_id {
    OPT_REUSEADDR, OPT_REUSEPORT, OPT_BROADCAST, OPT_V6ONLY, OPT_NODELAY,
    OPT_KEEPALIVE, OPT_KEEPIDLE, OPT_KEEPINTVL, OPT_KEEPCNT, OPT_MCAST_LOOP, OPT_CLOEXEC,
    NOPTIONS
};

typedef struct option_probe {
    const char *name;
    int level;   /* -1: not a socket option but the descriptor flag FD_CLOEXEC */
    int option;  /* -1: this OS does not have it */
    int boolean; /* the BSDs return the flag's bit, not 1: compare as true/false */
} option_probe;

static const option_probe probes[NOPTIONS] = {
    {"SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, 1},
    {"SO_REUSEPORT", SOL_SOCKET, DEMO_SO_REUSEPORT, 1},
    {"SO_BROADCAST", SOL_SOCKET, SO_BROADCAST, 1},
    {"IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, 1},
    {"TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, 1},
    {"SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, 1},
    {"TCP_KEEPIDLE", IPPROTO_TCP, DEMO_TCP_KEEPIDLE, 0},
    {"TCP_KEEPINTVL", IPPROTO_TCP, DEMO_TCP_KEEPINTVL, 0},
    {"TCP_KEEPCNT", IPPROTO_TCP, DEMO_TCP_KEEPCNT, 0},
    {"IP_MULTICAST_LOOP", IPPROTO_IP, IP_MULTICAST_LOOP, 1},
    {"FD_CLOEXEC", -1, FD_CLOEXEC, 1},
};

enum sock_kind { KIND_LISTENER, KIND_ACCEPTED, KIND_DIALED, KIND_UDP, KIND_MULTICAST, NKINDS };

/* Special expectations; real ones are >= 0. */
#define WANT_NOTHING -1  /* Go does not set it here: the value is shown, not judged */
#define NOT_SET -2       /* Go does not set it on this kind of socket: not shown */
#define WANT_V6ONLY -3   /* on AF_INET6 only: 1 for a *6 network, 0 otherwise */
#define WANT_ON_BSD -4   /* 1 on the BSDs, 0 on Linux */
#define READ_FAILED -5   /* getsockopt or fcntl failed */
#define NOT_ON_THIS_OS -6

/* Go's defaults, per kind of socket (see go-listen.md and cnet sockopts). An accepted
 * socket inherits SO_REUSEADDR and IPV6_V6ONLY from its listener on Linux. */
#define NO_TCP NOT_SET, NOT_SET, NOT_SET, NOT_SET, NOT_SET /* NODELAY .. KEEPCNT */
static const int go_defaults[NKINDS][NOPTIONS] = {
    /*                 REUSEADDR     REUSEPORT    BROADCAST V6ONLY  NODELAY..KEEPCNT
     *                 MULTICAST_LOOP CLOEXEC */
    [KIND_LISTENER] = {1, 0, 0, WANT_V6ONLY, NO_TCP, NOT_SET, 1},
    [KIND_ACCEPTED] = {WANT_NOTHING, 0, 0, WANT_NOTHING, 1, 1, 15, 15, 9, NOT_SET, 1},
    [KIND_DIALED] = {0, 0, 0, WANT_V6ONLY, 1, 1, 15, 15, 9, NOT_SET, 1},
    [KIND_UDP] = {0, 0, 1, WANT_V6ONLY, NO_TCP, NOT_SET, 1},
    [KIND_MULTICAST] = {1, WANT_ON_BSD, 1, WANT_V6ONLY, NO_TCP, 0, 1},
};

/* One socket's options, read back while it was open. */
typedef struct captured {
    const char *name;
    int family;
    int value[NOPTIONS];
    int want[NOPTIONS];
} captured;

typedef struct step {
    const char *promise;
    int passed;
    char observed[OBSERVED_MAX];
} step;

typedef struct demo {
    step steps[MAX_STEPS];
    size_t nsteps;
    captured socks[MAX_SOCKETS];
    size_t nsocks;
    char listen_addr[CNET_ADDRSTRLEN]; /* step 1's listener, reused by steps 2 and 3 */
} demo;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
static int record_step(demo *d, const char *promise, int passed, const char *fmt, ...)
{
    step *s = &d->steps[d->nsteps++];
    va_list ap;

    s->promise = promise;
    s->passed = passed;
    va_start(ap, fmt);
    vsnprintf(s->observed, sizeof s->observed, fmt, ap);
    va_end(ap);
    return passed;
}

/* ---- Reading options back ----------------------------------------------------------- */

static int read_option(int fd, const option_probe *p)
{
    int value = 0;
    socklen_t len = sizeof value;

    if (p->option == -1)
        return NOT_ON_THIS_OS;
    if (p->level == -1) {
        value = fcntl(fd, F_GETFD);
        return value < 0 ? READ_FAILED : (value & FD_CLOEXEC) != 0;
    }
    if (getsockopt(fd, p->level, p->option, &value, &len) < 0)
        return READ_FAILED;
    return p->boolean ? value != 0 : value;
}

static int socket_family(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;

    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return AF_UNSPEC;
    return ss.ss_family;
}

static int resolve_want(enum option_id id, int want, int family, int v6_network)
{
    if ((id == OPT_V6ONLY && family != AF_INET6) || (id == OPT_MCAST_LOOP && family != AF_INET))
        return NOT_SET;
    if (want == WANT_V6ONLY)
        return v6_network;
    if (want == WANT_ON_BSD)
        return strcmp(cnet_os_name(), "linux") != 0;
    return want;
}

static void capture(demo *d, const char *name, enum sock_kind kind, int fd, int v6_network)
{
    captured *c = &d->socks[d->nsocks++];
    int i;

    c->name = name;
    c->family = socket_family(fd);
    for (i = 0; i < NOPTIONS; i++) {
        c->want[i] = resolve_want((enum option_id)i, go_defaults[kind][i], c->family, v6_network);
        c->value[i] = c->want[i] == NOT_SET ? NOT_SET : read_option(fd, &probes[i]);
    }
}

static int differs(const captured *c, int i)
{
    if (c->want[i] < 0 || c->value[i] == NOT_ON_THIS_OS)
        return 0;
    return c->value[i] != c->want[i];
}

/* ---- Step 1: listen on port 0 -------------------------------------------------------- */

static int listen_on_port_zero(demo *d, cnet_listener **ln)
{
    static const char promise[] = "listen tcp 127.0.0.1:0 gets a port from the kernel";
    cnet_error err;
    size_t len;

    if (cnet_listen("tcp", "127.0.0.1:0", ln, &err) < 0)
        return record_step(d, promise, 0, "%s", err.msg);
    cnet_listener_addr(*ln, d->listen_addr, sizeof d->listen_addr);
    capture(d, "listener", KIND_LISTENER, cnet_listener_fd(*ln), 0);
    len = strlen(d->listen_addr);
    return record_step(d, promise, len > 2 && strcmp(d->listen_addr + len - 2, ":0") != 0,
                       "listening on %s", d->listen_addr);
}

/* ---- Step 2: the port is owned -------------------------------------------------------- */

static int second_listen_refused(demo *d)
{
    static const char promise[] = "a second listen on that port is refused";
    char want[OBSERVED_MAX];
    cnet_listener *ln2;
    cnet_error err;

    snprintf(want, sizeof want, "listen tcp %s: bind: address already in use", d->listen_addr);
    if (cnet_listen("tcp", d->listen_addr, &ln2, &err) == 0) {
        cnet_listener_close(ln2);
        return record_step(d, promise, 0, "second listen on %s succeeded", d->listen_addr);
    }
    return record_step(d, promise, err.code == -EADDRINUSE && strcmp(err.msg, want) == 0,
                       "%s", err.msg);
}

/* ---- Step 3: restart through TIME_WAIT -------------------------------------------------- */

static unsigned addr_port(const char *addr)
{
    char host[CNET_ADDRSTRLEN];
    char port[32];

    if (cnet_split_host_port(addr, host, sizeof host, port, sizeof port, NULL) < 0)
        return 0;
    return (unsigned)strtoul(port, NULL, 10);
}

/* 1 if /proc/net/tcp shows a TIME_WAIT socket on this local port, 0 if not, -1 if the
 * system has no /proc/net/tcp (the re-listen is then the only evidence). */
static int time_wait_on_port(unsigned port)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    char line[256];
    unsigned local_port;
    unsigned state;
    int found = 0;

    if (f == NULL)
        return -1;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", &local_port,
                   &state) == 2)
            found = local_port == port && state == TCP_STATE_TIME_WAIT;
    }
    fclose(f);
    return found;
}

/* Connects to the listener, accepts, reads both options back, then closes the accepted
 * side first so that the server's port is the one left in TIME_WAIT. */
static int connect_and_close(demo *d, cnet_listener *ln, char *why, size_t whylen)
{
    cnet_conn *dialed;
    cnet_conn *accepted;
    cnet_error err;
    char byte;
    ssize_t n = -1;

    if (cnet_dial("tcp", d->listen_addr, &dialed, &err) < 0) {
        snprintf(why, whylen, "%s", err.msg);
        return 0;
    }
    if (cli_wait_readable(cnet_listener_fd(ln), WAIT_MS) != 1) {
        snprintf(why, whylen, "nothing to accept after %d ms", WAIT_MS);
        cnet_conn_close(dialed);
        return 0;
    }
    if (cnet_listener_accept(ln, &accepted, &err) < 0) {
        snprintf(why, whylen, "%s", err.msg);
        cnet_conn_close(dialed);
        return 0;
    }
    capture(d, "accepted", KIND_ACCEPTED, cnet_conn_fd(accepted), 0);
    capture(d, "dialed", KIND_DIALED, cnet_conn_fd(dialed), 0);
    cnet_conn_close(accepted);
    if (cli_wait_readable(cnet_conn_fd(dialed), WAIT_MS) == 1)
        n = cnet_conn_read(dialed, &byte, 1, &err);
    cnet_conn_close(dialed);
    if (n != 0)
        snprintf(why, whylen, "the dialer did not see the server's close");
    return n == 0;
}

static int restart_through_time_wait(demo *d, cnet_listener *ln)
{
    static const char promise[] = "after a connection, the port re-listens through TIME_WAIT";
    char why[OBSERVED_MAX];
    cnet_listener *again;
    cnet_error err;
    int time_wait;

    if (!connect_and_close(d, ln, why, sizeof why)) {
        cnet_listener_close(ln);
        return record_step(d, promise, 0, "%s", why);
    }
    time_wait = time_wait_on_port(addr_port(d->listen_addr));
    cnet_listener_close(ln);
    if (cnet_listen("tcp", d->listen_addr, &again, &err) < 0)
        return record_step(d, promise, 0, "%s", err.msg);
    cnet_listener_close(again);
    if (time_wait == 0)
        return record_step(d, promise, 0, "re-listened, but no TIME_WAIT on the port to prove it");
    return record_step(d, promise, 1, "%s; re-listened on %s",
                       time_wait > 0 ? "server side in TIME_WAIT" : "TIME_WAIT not visible",
                       d->listen_addr);
}

/* ---- Step 4: two multicast receivers on lo ------------------------------------------- */

/* 1 if the receiver gets the demo's datagram within WAIT_MS; its sender goes to from. */
static int received_payload(cnet_packet_conn *pc, char *from, size_t fromlen)
{
    char buf[64];
    cnet_error err;
    ssize_t n;

    if (cli_wait_readable(cnet_packet_fd(pc), WAIT_MS) != 1)
        return 0;
    n = cnet_packet_read_from(pc, buf, sizeof buf, from, fromlen, &err);
    return n == (ssize_t)strlen(DEMO_PAYLOAD) && memcmp(buf, DEMO_PAYLOAD, (size_t)n) == 0;
}

/* Two receivers and a sender, all ListenMulticastUDP on lo with the same group and port:
 * the first one lets the kernel pick the port. The sender is one too, so that it names
 * lo as the interface the datagram leaves through. */
static int open_group(cnet_packet_conn *pc[3], char *group, size_t grouplen, cnet_error *err)
{
    char local[CNET_ADDRSTRLEN];
    int i;

    snprintf(group, grouplen, "%s:0", DEMO_GROUP);
    for (i = 0; i < 3; i++) {
        if (cnet_listen_multicast_udp("udp4", DEMO_IFNAME, group, &pc[i], err) < 0) {
            while (i-- > 0)
                cnet_packet_close(pc[i]);
            return 0;
        }
        if (i == 0) {
            cnet_packet_local_addr(pc[0], local, sizeof local);
            snprintf(group, grouplen, "%s:%u", DEMO_GROUP, addr_port(local));
        }
    }
    return 1;
}

static int multicast_on_lo(demo *d)
{
    static const char promise[] = "two receivers of one group and port on lo each get a datagram";
    cnet_packet_conn *pc[3];
    char group[CNET_ADDRSTRLEN];
    char from[CNET_ADDRSTRLEN] = "";
    cnet_error err;
    int got = 0;
    int i;

    if (!open_group(pc, group, sizeof group, &err))
        return record_step(d, promise, 0, "%s", err.msg);
    capture(d, "multicast", KIND_MULTICAST, cnet_packet_fd(pc[0]), 0);
    if (cnet_packet_write_to(pc[2], DEMO_PAYLOAD, strlen(DEMO_PAYLOAD), group, &err) < 0) {
        record_step(d, promise, 0, "%s", err.msg);
    } else {
        for (i = 0; i < 2; i++)
            got += received_payload(pc[i], from, sizeof from);
        record_step(d, promise, got == 2, "%d/2 receivers got \"%s\" sent to %s on %s (from %s)",
                    got, DEMO_PAYLOAD, group, DEMO_IFNAME, from);
    }
    for (i = 0; i < 3; i++)
        cnet_packet_close(pc[i]);
    return d->steps[d->nsteps - 1].passed;
}

/* ---- Step 5: the options of every kind of socket ------------------------------------ */

/* The sockets the steps above do not make: an IPv6 listener (skipped without ::1) and a
 * unicast UDP socket. */
static void capture_more_sockets(demo *d)
{
    cnet_listener *ln6;
    cnet_packet_conn *udp;

    if (cnet_listen("tcp6", "[::1]:0", &ln6, NULL) == 0) {
        capture(d, "listener6", KIND_LISTENER, cnet_listener_fd(ln6), 1);
        cnet_listener_close(ln6);
    }
    if (cnet_listen_packet("udp", "127.0.0.1:0", &udp, NULL) == 0) {
        capture(d, "udp", KIND_UDP, cnet_packet_fd(udp), 0);
        cnet_packet_close(udp);
    }
}

static int options_match(demo *d)
{
    static const char promise[] = "every socket reads back Go's default options";
    size_t s;
    int i;
    int differences = 0;

    capture_more_sockets(d);
    for (s = 0; s < d->nsocks; s++)
        for (i = 0; i < NOPTIONS; i++)
            differences += differs(&d->socks[s], i);
    return record_step(d, promise, differences == 0,
                       "%zu sockets, %d option(s) differ (table below)", d->nsocks, differences);
}

/* ---- Output ----------------------------------------------------------------------------- */

static void print_steps(const demo *d)
{
    size_t width = strlen("PROMISE");
    size_t i;

    for (i = 0; i < d->nsteps; i++)
        if (strlen(d->steps[i].promise) > width)
            width = strlen(d->steps[i].promise);
    printf("STEP  RESULT  %-*s  OBSERVED\n", (int)width, "PROMISE");
    for (i = 0; i < d->nsteps; i++)
        printf("%-4zu  %-6s  %-*s  %s\n", i + 1, d->steps[i].passed ? "PASS" : "FAIL",
               (int)width, d->steps[i].promise, d->steps[i].observed);
}

static const char *family_name(int family)
{
    return family == AF_INET ? "AF_INET" : family == AF_INET6 ? "AF_INET6" : "?";
}

static void format_cell(const captured *c, int i, char *cell, size_t len)
{
    if (c->value[i] == NOT_SET)
        snprintf(cell, len, "-");
    else if (c->value[i] == NOT_ON_THIS_OS)
        snprintf(cell, len, "n/a");
    else if (c->value[i] == READ_FAILED)
        snprintf(cell, len, "error%s", c->want[i] >= 0 ? "*" : "");
    else
        snprintf(cell, len, "%d%s", c->value[i], differs(c, i) ? "*" : "");
}

/* One line of the options table: a label, then one cell per socket. */
static void print_option_cell(const demo *d, size_t s, const char *cell)
{
    printf(s + 1 < d->nsocks ? "  %-9s" : "  %s\n", cell);
}

static void print_options(const demo *d)
{
    char cell[16];
    size_t s;
    int i;

    printf("\nOptions read back (getsockopt; FD_CLOEXEC via fcntl). "
           "* differs from Go's default, - not set by Go\n");
    printf("%-18s", "OPTION");
    for (s = 0; s < d->nsocks; s++)
        print_option_cell(d, s, d->socks[s].name);
    printf("%-18s", "family");
    for (s = 0; s < d->nsocks; s++)
        print_option_cell(d, s, family_name(d->socks[s].family));
    for (i = 0; i < NOPTIONS; i++) {
        printf("%-18s", probes[i].name);
        for (s = 0; s < d->nsocks; s++) {
            format_cell(&d->socks[s], i, cell, sizeof cell);
            print_option_cell(d, s, cell);
        }
    }
}

/* ---- The tour ------------------------------------------------------------------------- */

static void run_steps(demo *d)
{
    cnet_listener *ln;

    if (listen_on_port_zero(d, &ln)) {
        second_listen_refused(d);
        restart_through_time_wait(d, ln);
    } else if (ln != NULL) {
        cnet_listener_close(ln);
    }
    multicast_on_lo(d);
    options_match(d);
}

static int run_demo(const cli_command *cmd, int argc, char **argv)
{
    demo d;
    size_t failed = 0;
    size_t i;

    if (cli_next_option(cmd, argc, argv, ":") != -1)
        return CLI_USAGE;
    if (argc != optind)
        return cli_usage(cmd, "takes no arguments");
    memset(&d, 0, sizeof d);
    printf("cnet demo: Go's listen, dial and multicast promises, live on loopback (%s)\n\n",
           cnet_os_name());
    run_steps(&d);
    print_steps(&d);
    print_options(&d);
    for (i = 0; i < d.nsteps; i++)
        failed += !d.steps[i].passed;
    if (failed > 0)
        printf("\nFAIL: %zu of %zu promises did not hold\n", failed, d.nsteps);
    else
        printf("\nPASS: all %zu promises held\n", d.nsteps);
    return failed > 0 ? CLI_FAIL : CLI_OK;
}

const cli_command cli_demo_command = {
    "demo",
    "",
    "show, live on loopback, that cnet keeps Go's promises",
    "A tour on loopback, checked as it goes (PASS/FAIL per step):\n"
    "  1. listen tcp 127.0.0.1:0 gets a port from the kernel;\n"
    "  2. a second listen on that port fails with Go's \"address already in use\";\n"
    "  3. after a connection whose server side closes first (leaving TIME_WAIT), the\n"
    "     listener closes and listens again on the same port;\n"
    "  4. two ListenMulticastUDP receivers of " DEMO_GROUP " on lo, one port, each get a\n"
    "     datagram sent to the group from lo;\n"
    "  5. every socket made reads back Go's default options (table).\n"
    "Exits 0 only if every promise held. Touches nothing but loopback and lo.\n",
    run_demo,
};
