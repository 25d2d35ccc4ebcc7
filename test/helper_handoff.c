/* helper_handoff: the unrelated process of the listener handover test (test_unixmsg.c).
 *
 *   helper_handoff UNIX_PATH
 *
 * Dials UNIX_PATH, receives one listener over that connection (cnet_listener_recv),
 * prints "ready <name> <address>" on stdout, answers one connection on it with the line
 * "child <pid>", closes everything and exits 0 (1 with a message on stderr on any
 * failure). It inherits nothing from the test but stdout and stderr. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cnet.h"

static int fail(const char *what, const cnet_error *err)
{
    fprintf(stderr, "helper_handoff: %s: %s\n", what, err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    cnet_conn *ctl, *c;
    cnet_listener *ln;
    cnet_error err;
    char name[256], addr[CNET_ADDRSTRLEN], line[64];
    int n;

    if (argc != 2) {
        fprintf(stderr, "usage: helper_handoff UNIX_PATH\n");
        return 2;
    }
    if (cnet_dial("unix", argv[1], &ctl, &err) < 0)
        return fail("dial", &err);
    if (cnet_listener_recv(ctl, &ln, name, sizeof name, &err) < 0)
        return fail("listener_recv", &err);
    cnet_conn_close(ctl);
    if (cnet_listener_addr(ln, addr, sizeof addr) < 0)
        return fail("addr", &err);
    printf("ready %s %s\n", name, addr);
    fflush(stdout);
    if (cnet_listener_accept(ln, &c, &err) < 0)
        return fail("accept", &err);
    n = snprintf(line, sizeof line, "child %ld\n", (long)getpid());
    if (cnet_conn_write(c, line, (size_t)n, &err) < 0)
        return fail("write", &err);
    cnet_conn_close(c);
    cnet_listener_close(ln);
    return 0;
}
