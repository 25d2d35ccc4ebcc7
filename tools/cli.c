/* Helpers shared by the cnet commands: error and usage reporting, option parsing, I/O. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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

int cli_next_option(const cli_command *cmd, int argc, char **argv, const char *optstring)
{
    int opt;

    /* Report problems ourselves, in the tool's words; ':' first makes a missing value
     * come back as ':'. */
    opterr = 0;
    opt = getopt(argc, argv, optstring);
    if (opt == '?') {
        cli_usage(cmd, "unknown option -%c", optopt);
        return '?';
    }
    if (opt == ':') {
        cli_usage(cmd, "option -%c needs a value", optopt);
        return '?';
    }
    return opt;
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
