/* libFuzzer: Go's SplitHostPort and JoinHostPort. The input is split into a host:port
 * string and two buffer sizes; checks: no overflow (ASan), results NUL-terminated and
 * "" on error, and Join(Split(x)) splits back into the same host and port. */
#include "cnet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t hostlen = data[0] % 64 + 1, portlen = data[1] % 16 + 1;
    char *hostport = malloc(size - 1);
    memcpy(hostport, data + 2, size - 2);
    hostport[size - 2] = '\0';
    /* exact-size heap buffers, so that ASan sees a one-byte overflow */
    char *host = malloc(hostlen), *port = malloc(portlen);
    cnet_error err;

    int rc = cnet_split_host_port(hostport, host, hostlen, port, portlen, &err);
    check(err.code == rc);
    if (rc != 0) {
        check(host[0] == '\0' && port[0] == '\0' && err.msg[0] != '\0');
    } else {
        char joined[256], host2[256], port2[256];
        int n = cnet_join_host_port(host, port, joined, sizeof joined);
        check(n > 0 && (size_t)n == strlen(joined));
        /* a host that holds ':' comes back bracketed and splits back to itself */
        if (strchr(host, '[') == NULL && strchr(host, ']') == NULL) {
            check(cnet_split_host_port(joined, host2, sizeof host2, port2, sizeof port2, NULL) == 0);
            check(strcmp(host, host2) == 0 && strcmp(port, port2) == 0);
        }
        /* too small by one: CNET_ENOSPACE and "" */
        char *small = malloc((size_t)n);
        check(cnet_join_host_port(host, port, small, (size_t)n) == CNET_ENOSPACE && small[0] == '\0');
        free(small);
    }
    free(host);
    free(port);
    free(hostport);
    return 0;
}
