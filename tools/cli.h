/* The cnet command-line tool: what the command files share. Built only on cnet.h. */
#ifndef CNET_CLI_H
#define CNET_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "cnet.h"

/* Exit statuses, as Go's tools use them. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct cli_command cli_command;

struct cli_command {
    const char *name;
    const char *usage;   /* arguments after the command name */
    const char *summary; /* one line for `cnet --help` */
    const char *help;    /* the rest of `cnet NAME --help` */
    int (*run)(const cli_command *cmd, int argc, char **argv);
};

extern const cli_command cli_listen_command;
extern const cli_command cli_dial_command;
extern const cli_command cli_recv_command;
extern const cli_command cli_send_command;
extern const cli_command cli_mcast_command;
extern const cli_command cli_sockopts_command;
extern const cli_command cli_demo_command;
extern const cli_command cli_serve_command;
extern const cli_command cli_lookup_command; /* ---- lookups ---- */

/* How the program was started (argv[0]), for commands that re-execute themselves. */
extern const char *cli_program;

/* Prints "cnet: <Go's error text>" and returns CLI_FAIL. */
int cli_fail(const cnet_error *err);

/* Prints "cnet: <op> <path>: <Go's errno text>" (as Go's *os.PathError) and returns
 * CLI_FAIL. code is -errno. */
int cli_fail_path(const char *op, const char *path, int code);

/* Prints "cnet <cmd>: <problem>" and the command's usage line; returns CLI_USAGE. */
int cli_usage(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parses a datagram count for -c: a decimal integer >= 1. Returns 0 or -1. */
int cli_parse_count(const char *text, unsigned long *count);

/* The getopt loop every command starts with: returns the option character, -1 when the
 * options end, or '?' after reporting an unknown option or missing value (the caller
 * then returns CLI_USAGE). */
int cli_next_option(const cli_command *cmd, int argc, char **argv, const char *optstring);

/* The same with long options (getopt_long). Long-only options use values >= 256. */
int cli_next_long_option(const cli_command *cmd, int argc, char **argv, const char *optstring,
                         const struct option *longopts);

/* Go's time.ParseDuration ("300ms", "1.5s", "1h2m", "-1s"; units ns, us (or with a micro
 * sign, U+00B5 or U+03BC), ms, s, m, h). Returns 0 and sets *ns, or -1 with Go's error text in why
 * ("time: invalid duration \"x\"", "time: missing unit in duration \"1\"", ...). */
int cli_parse_duration(const char *text, int64_t *ns, char *why, size_t whylen);

/* The cnet_now_ns() time ns from now, saturated at INT64_MIN and INT64_MAX: a limit may
 * be as long as a duration can be (2562047h47m16.854775807s), and a plain sum would
 * overflow into the past. (The library's own helper is internal; the tool uses only
 * cnet.h.) */
int64_t cli_deadline_after(int64_t ns);

/* How often a write that waits for room tries again under an idle limit of idle_ns (a
 * quarter of it, from 1 ms to 100 ms). The kernel wakes a waiting writer only once a
 * third of its send buffer is free, which a steadily slow reader takes seconds to
 * achieve; the room it frees a little at a time is seen only by trying to write. */
int64_t cli_write_probe_ns(int64_t idle_ns);

/* Parses the value of a duration option (optarg) for cmd; positive_only rejects values
 * <= 0. Returns CLI_OK or, after reporting it, CLI_USAGE. */
int cli_duration_option(const cli_command *cmd, const char *option, int positive_only,
                        int64_t *ns);

/* Parses the value of a timeout option such as -w (optarg) as netcat does, plain seconds
 * ("2", "0.5"), or as a Go duration ("300ms", "1m30s"); the value must be > 0. Returns
 * CLI_OK or, after reporting it, CLI_USAGE. */
int cli_timeout_option(const cli_command *cmd, const char *option, int64_t *ns);

/* Lets the next cli_next_option/cli_next_long_option parse a new argument vector from
 * its start, once the previous parse has come to its end (-1): how a command hands its
 * work to another command's run(). */
void cli_restart_options(void);

/* After a failure on NETWORK, if cmd does not serve that kind of network, prints which
 * command does ("cnet listen: udp is a datagram network: use `cnet recv` or `cnet
 * listen -u`"). Prints nothing otherwise. */
void cli_hint_network(const cli_command *cmd, const char *network);

/* Writes all of buf to fd, retrying EINTR and short writes. Returns 0 or -errno. */
int cli_write_all(int fd, const void *buf, size_t len);

/* Waits up to timeout_ms for fd to be readable: 1 ready, 0 timed out, -errno. */
int cli_wait_readable(int fd, int timeout_ms);

/* Parses the value of --backlog (optarg): a count from 1 to INT_MAX. Returns CLI_OK or,
 * after reporting it, CLI_USAGE. */
int cli_backlog_option(const cli_command *cmd, int *backlog);

/* Accept errors after which the listener still works: out of descriptors or memory, or
 * a connection that died in the queue. Go's http.Server backs off on the same ones. */
int cli_is_temporary_accept_error(int code);

void cli_sleep_ms(int ms);

/* Prints one datagram as "from <addr>: <bytes>\n" to stdout and flushes it, so that a
 * pipe sees each datagram as it arrives. One trailing newline in the payload is dropped. */
int cli_print_datagram(const char *from, const char *buf, size_t len);

#endif /* CNET_CLI_H */
