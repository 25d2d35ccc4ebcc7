/* libFuzzer: Go's netip.ParseAddr and ParsePrefix. The first byte picks the parser, the
 * rest is the text. Checks: a parsed value prints back to text that parses to the same
 * value (memcmp: values are canonical), errors carry Go's prefix and leave the zero
 * value, texts fit their CNET_*_STRLEN, the predicates agree with each other, and, for a
 * text without a zone, net.ParseIP's reading (cnet__ip_parse, the same parser) accepts
 * exactly what netip accepts, with the same bytes. */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static const uint8_t zero[sizeof(cnet_prefix)];

static void check_addr(const char *s)
{
    cnet_addr a, b, u;
    cnet_error err;
    cnet__ip ip;
    char text[CNET_ADDR_STRLEN];
    int rc = cnet_addr_parse(s, &a, &err), n, net;

    check(err.code == rc);
    if (strchr(s, '%') == NULL) { /* one parser: net.ParseIP's body is netip's */
        net = cnet__ip_parse(s, strlen(s), &ip);
        check((net == 1) == (rc == 0));
        if (rc == 0 && a.family == 4)
            check(ip.family == AF_INET && memcmp(ip.b, a.bytes + 12, 4) == 0);
        if (rc == 0 && a.family == 6)
            check(ip.family == AF_INET6 && memcmp(ip.b, a.bytes, 16) == 0);
    }
    if (rc < 0) {
        check(rc == CNET_EINVALIDADDR && memcmp(&a, zero, sizeof a) == 0);
        check(strncmp(err.msg, "ParseAddr(\"", 11) == 0 && strlen(err.msg) < CNET_ERROR_MAX);
        return;
    }
    n = cnet_addr_string(&a, text, sizeof text);
    check(n > 0 && (size_t)n == strlen(text));
    check(cnet_addr_parse(text, &b, NULL) == 0 && memcmp(&a, &b, sizeof a) == 0);
    check(cnet_addr_compare(&a, &b) == 0 && !cnet_addr_less(&a, &b));
    check(cnet_addr_is4(&a) != cnet_addr_is6(&a));
    check(cnet_addr_bitlen(&a) == (cnet_addr_is4(&a) ? 32 : 128));
    u = cnet_addr_unmap(&a);
    check(cnet_addr_is4in6(&a) ? cnet_addr_is4(&u) : memcmp(&u, &a, sizeof a) == 0);
    if (cnet_addr_is_interface_local_multicast(&a) || cnet_addr_is_link_local_multicast(&a))
        check(cnet_addr_is_multicast(&a));
    if (cnet_addr_is_global_unicast(&a))
        check(!cnet_addr_is_loopback(&a) && !cnet_addr_is_multicast(&a) &&
              !cnet_addr_is_unspecified(&a) && !cnet_addr_is_link_local_unicast(&a));
    check(cnet_addr_string(&a, text, (size_t)n) == CNET_ENOSPACE && text[0] == '\0');
}

static void check_prefix(const char *s)
{
    cnet_prefix p, q, m, mm;
    cnet_error err;
    char text[CNET_PREFIX_STRLEN];
    int rc = cnet_prefix_parse(s, &p, &err), n;

    check(err.code == rc);
    if (rc < 0) {
        check(rc == CNET_EINVALIDADDR && memcmp(&p, zero, sizeof p) == 0);
        check(strncmp(err.msg, "netip.ParsePrefix(\"", 19) == 0 && strlen(err.msg) < CNET_ERROR_MAX);
        return;
    }
    check(cnet_prefix_is_valid(&p) && p.addr.zone[0] == '\0');
    n = cnet_prefix_string(&p, text, sizeof text);
    check(n > 0 && (size_t)n == strlen(text));
    check(cnet_prefix_parse(text, &q, NULL) == 0 && memcmp(&p, &q, sizeof p) == 0);
    m = cnet_prefix_masked(&p);
    mm = cnet_prefix_masked(&m);
    check(cnet_prefix_is_valid(&m) && memcmp(&m, &mm, sizeof m) == 0);
    check(cnet_prefix_contains(&p, &p.addr) && cnet_prefix_contains(&m, &p.addr));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;

    if (size < 1)
        return 0;
    s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    if (data[0] & 1)
        check_prefix(s);
    else
        check_addr(s);
    free(s);
    return 0;
}
