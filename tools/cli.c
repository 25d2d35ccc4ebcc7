/* Helpers shared by the cnet commands: error and usage reporting, option parsing, I/O. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

const char *cli_program = "cnet";

int cli_fail(const cnet_error *err)
{
    fprintf(stderr, "cnet: %s\n", err->msg);
    return CLI_FAIL;
}

int cli_fail_path(const char *op, const char *path, int code)
{
    fprintf(stderr, "cnet: %s %s: %s\n", op, path, cnet_strerror(code));
    return CLI_FAIL;
}

int cli_usage(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "cnet %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: cnet %s %s\n", cmd->name, cmd->usage);
    return CLI_USAGE;
}

int cli_parse_count(const char *text, unsigned long *count)
{
    char *end;
    unsigned long value;

    if (text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    value = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || value == 0)
        return -1;
    *count = value;
    return 0;
}

/* The name of option value opt as the user wrote it: "-w" or "--local". */
static void option_name(int opt, const struct option *longopts, char *out, size_t len)
{
    for (; longopts != NULL && longopts->name != NULL; longopts++) {
        if (longopts->flag == NULL && longopts->val == opt) {
            snprintf(out, len, "--%s", longopts->name);
            return;
        }
    }
    snprintf(out, len, "-%c", opt);
}

int cli_next_long_option(const cli_command *cmd, int argc, char **argv, const char *optstring,
                         const struct option *longopts)
{
    char name[64];
    int opt;

    /* Report problems ourselves, in the tool's words; ':' first makes a missing value
     * come back as ':'. */
    opterr = 0;
    opt = longopts != NULL ? getopt_long(argc, argv, optstring, longopts, NULL)
                           : getopt(argc, argv, optstring);
    if (opt == '?') {
        /* optopt is 0 for an unknown long option, which is then the word just read. */
        if (optopt == 0)
            cli_usage(cmd, "unknown option %s", argv[optind - 1]);
        else
            cli_usage(cmd, "unknown option -%c", optopt);
        return '?';
    }
    if (opt == ':') {
        option_name(optopt, longopts, name, sizeof name);
        cli_usage(cmd, "option %s needs a value", name);
        return '?';
    }
    return opt;
}

int cli_next_option(const cli_command *cmd, int argc, char **argv, const char *optstring)
{
    return cli_next_long_option(cmd, argc, argv, optstring, NULL);
}

int cli_duration_option(const cli_command *cmd, const char *option, int positive_only,
                        int64_t *ns)
{
    char why[CNET_ERROR_MAX];

    if (cli_parse_duration(optarg, ns, why, sizeof why) < 0)
        return cli_usage(cmd, "%s: %s", option, why);
    if (positive_only && *ns <= 0)
        return cli_usage(cmd, "%s wants a duration > 0, not \"%s\"", option, optarg);
    return CLI_OK;
}

/* Digits with at most one '.', and at least one digit: netcat's plain seconds. */
static int is_plain_seconds(const char *text)
{
    int digits = 0, dots = 0;

    for (; *text != '\0'; text++) {
        if (*text >= '0' && *text <= '9')
            digits++;
        else if (*text == '.' && dots++ == 0)
            continue;
        else
            return 0;
    }
    return digits > 0;
}

int cli_timeout_option(const cli_command *cmd, const char *option, int64_t *ns)
{
    char seconds[64];
    char why[CNET_ERROR_MAX];

    if (!is_plain_seconds(optarg)) {
        if (cli_parse_duration(optarg, ns, why, sizeof why) < 0)
            return cli_usage(cmd, "%s: %s", option, why);
    } else if (strlen(optarg) + 2 > sizeof seconds ||
               cli_parse_duration(strcat(strcpy(seconds, optarg), "s"), ns, why,
                                  sizeof why) < 0) {
        /* Go's parser does the arithmetic, so "0.5" means exactly what "0.5s" does; it
         * fails only past the longest duration. */
        return cli_usage(cmd, "%s: %s seconds is longer than a duration can be "
                              "(2562047h47m16.854775807s)", option, optarg);
    }
    if (*ns <= 0)
        return cli_usage(cmd, "%s wants a duration > 0, not \"%s\"", option, optarg);
    return CLI_OK;
}

void cli_restart_options(void)
{
    /* Resetting optind to 1 after a parse that has ended is what glibc's, musl's and the
     * BSDs' getopt all honour (optind 0 would not restart the BSDs' plain getopt). */
    optind = 1;
}

void cli_hint_network(const cli_command *cmd, const char *network)
{
    if (strcmp(cmd->name, "listen") != 0)
        return;
    if (strncmp(network, "udp", 3) == 0)
        fprintf(stderr, "cnet listen: %s is a datagram network: use `cnet recv` or "
                        "`cnet listen -u`\n", network);
    else if (strcmp(network, "unixgram") == 0)
        fprintf(stderr, "cnet listen: unixgram is a datagram network: use `cnet recv`\n");
}

int cli_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int64_t cli_write_probe_ns(int64_t idle_ns)
{
    const int64_t min_ns = 1000000, max_ns = 100000000;
    int64_t quarter = idle_ns / 4;

    return quarter < min_ns ? min_ns : quarter > max_ns ? max_ns : quarter;
}

int cli_wait_readable(int fd, int timeout_ms)
{
    struct pollfd pfd;
    int n;

    pfd.fd = fd;
    pfd.events = POLLIN;
    do {
        n = poll(&pfd, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

int cli_backlog_option(const cli_command *cmd, int *backlog)
{
    unsigned long n;

    if (cli_parse_count(optarg, &n) < 0 || n > INT_MAX)
        return cli_usage(cmd, "--backlog wants a count >= 1, not \"%s\"", optarg);
    *backlog = (int)n;
    return CLI_OK;
}

int cli_is_temporary_accept_error(int code)
{
    return code == -EMFILE || code == -ENFILE || code == -ENOBUFS || code == -ENOMEM ||
           code == -ECONNABORTED || code == -ECONNRESET || code == -EAGAIN ||
           code == -ETIMEDOUT || code == -EPROTO || code == -EPERM;
}

void cli_sleep_ms(int ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

int cli_print_datagram(const char *from, const char *buf, size_t len)
{
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    printf("from %s: ", from);
    fwrite(buf, 1, len, stdout);
    putchar('\n');
    if (fflush(stdout) != 0)
        return cli_fail_path("write", "/dev/stdout", -errno);
    return CLI_OK;
}
