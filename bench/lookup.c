/* cnet's side of the lookup benchmark (bench/lookup.sh): N lookups one after another on
 * one thread, and the rate.
 *
 *   lookup host NAME N     cnet_lookup_host: /etc/hosts or DNS, through getaddrinfo
 *   lookup mx NAME N       cnet_lookup_mx: DNS, through c-ares
 *
 * Prints "lookups/s". Exits 1 on the first failed lookup (its error on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnet.h"

static int one(const char *kind, const char *name, cnet_error *err)
{
    char **addrs;
    cnet_mx *mxs;
    int n;

    if (strcmp(kind, "mx") == 0) {
        n = cnet_lookup_mx(NULL, name, &mxs, err);
        if (n >= 0)
            cnet_lookup_free(mxs);
        return n;
    }
    n = cnet_lookup_host(NULL, name, &addrs, err);
    if (n >= 0)
        cnet_lookup_free(addrs);
    return n;
}

int main(int argc, char **argv)
{
    cnet_error err;
    long n;
    int64_t t0;

    if (argc != 4 || (strcmp(argv[1], "host") != 0 && strcmp(argv[1], "mx") != 0) ||
        (n = strtol(argv[3], NULL, 10)) <= 0) {
        fprintf(stderr, "usage: lookup host|mx NAME N\n");
        return 2;
    }
    t0 = cnet_now_ns();
    for (long i = 0; i < n; i++) {
        if (one(argv[1], argv[2], &err) < 0) {
            fprintf(stderr, "lookup: %s\n", err.msg);
            return 1;
        }
    }
    printf("%.0f\n", (double)n * 1e9 / (double)(cnet_now_ns() - t0));
    return 0;
}
