/* Address parsing, cnet_addr_parse against Go's netip.ParseAddr (bench/netip_go): the
 * same addresses, the same rounds, the best of several runs in nanoseconds per parse.
 *   netip ROUNDS    prints "<kind> <ns per parse>" for each kind of address */
#include "cnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The kinds bench/netip_go/main.go parses too, in the same order. */
static const struct {
    const char *kind, *text;
} inputs[] = {
    {"v4", "192.168.100.200"},
    {"v6", "2001:db8:85a3::8a2e:370:7334"},
    {"v6-full", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"},
    {"v6-zone", "fe80::1ff:fe23:4567:890a%eth0"},
    {"v4in6", "::ffff:192.0.2.128"},
    {"invalid", "1.2.3.256"},
};

enum { RUNS = 5 };

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1000000;
    volatile unsigned sink = 0;

    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
        double best = 0;
        for (int run = 0; run < RUNS; run++) {
            double t0 = now_ns();
            for (long i = 0; i < rounds; i++) {
                cnet_addr a;
                cnet_error err;
                sink += (unsigned)cnet_addr_parse(inputs[k].text, &a, &err) + a.bytes[15];
            }
            double ns = (now_ns() - t0) / (double)rounds;
            if (run == 0 || ns < best)
                best = ns;
        }
        printf("%s %.1f\n", inputs[k].kind, best);
    }
    return sink == 42 ? 1 : 0;
}
