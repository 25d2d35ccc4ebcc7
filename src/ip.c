/* IP literals parsed and printed the way Go's net.ParseIP and IP.String() do, without
 * depending on the C library's inet_ntop (whose IPv6 output differs between libcs). */
#include "internal.h"

#include <net/if.h>
#include <stdio.h>
#include <string.h>

static const unsigned char v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Where Go's dtoi and xtoi give up on a number (Go's "big"). */
enum { BIG = 0xFFFFFF };

/* Go's dtoi: the decimal number at the start of s[0..n) and its digit count. false if
 * there is none, or if it reaches BIG (*value is then BIG). */
static bool dtoi(const char *s, size_t n, long *value, size_t *digits)
{
    long v = 0;
    size_t i;

    for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        v = v * 10 + (s[i] - '0');
        if (v >= BIG) {
            *value = BIG;
            *digits = i;
            return false;
        }
    }
    *value = v;
    *digits = i;
    return i > 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One parser for IPv4 and IPv6 text, Go's netip.parseIPv4 and parseIPv6 step for step,
 * which say why a text is no address (cnet__ip_why). net.ParseIP (cnet__ip_parse) and
 * netip.ParseAddr (cnet__addr_parse) accept the same address bodies in Go 1.19: four
 * decimal fields without leading zeros ("01" is refused since Go 1.17), no shorthand
 * ("127.1"), hex or octal; hex groups with any number of leading zeros, one "::" for
 * at least one zero group, an IPv4 tail in the last 32 bits. They differ only around
 * the body: the zone (see cnet__ip_parse and cnet__addr_parse). */

static bool why_fail(cnet__ip_why *why, const char *msg, size_t at)
{
    why->msg = msg;
    why->at = at;
    return false;
}

/* Go's netip.parseIPv4 on s[0..n). why->at is an offset into s. */
static bool parse_v4(const char *s, size_t n, unsigned char out[4], cnet__ip_why *why)
{
    unsigned val = 0, pos = 0, digits = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (digits == 1 && val == 0)
                return why_fail(why, "IPv4 field has octet with leading zero", CNET__NO_AT);
            val = val * 10 + (unsigned)(s[i] - '0');
            digits++;
            if (val > 255)
                return why_fail(why, "IPv4 field has value >255", CNET__NO_AT);
        } else if (s[i] == '.') {
            if (i == 0 || i == n - 1 || s[i - 1] == '.')
                return why_fail(why, "IPv4 field must have at least one digit", i);
            if (pos == 3)
                return why_fail(why, "IPv4 address too long", CNET__NO_AT);
            out[pos++] = (unsigned char)val;
            val = 0;
            digits = 0;
        } else {
            return why_fail(why, "unexpected character", i);
        }
    }
    if (pos < 3)
        return why_fail(why, "IPv4 address too short", CNET__NO_AT);
    out[3] = (unsigned char)val;
    return true;
}

/* The hex group at s[0..n): its digit count (0 for none), or -1 past 0xffff. */
static int hex_group(const char *s, size_t n, unsigned *value)
{
    unsigned acc = 0;
    size_t off;
    int d;

    for (off = 0; off < n && (d = hex_digit(s[off])) >= 0; off++) {
        acc = (acc << 4) + (unsigned)d;
        if (acc > 0xffff)
            return -1;
    }
    *value = acc;
    return (int)off;
}

/* Moves the groups parsed after a "::" (at ellipsis, i bytes in all) to the end. */
static void expand_ellipsis(unsigned char ip[16], int ellipsis, int i)
{
    memmove(ip + ellipsis + (16 - i), ip + ellipsis, (size_t)(i - ellipsis));
    memset(ip + ellipsis, 0, (size_t)(16 - i));
}

/* An IPv4 tail at s[p..n), Go's way: parseIPv4 on the rest, whose own reason Go nests. */
static bool parse_v6_tail(const char *s, size_t n, size_t p, int ellipsis, int i,
                          unsigned char ip[16], cnet__ip_why *why)
{
    cnet__ip_why inner = {NULL, CNET__NO_AT, NULL, CNET__NO_AT, 0, 0};

    if (ellipsis < 0 && i != 12)
        return why_fail(why, "embedded IPv4 address must replace the final 2 fields of the address", p);
    if (i + 4 > 16)
        return why_fail(why, "too many hex fields to fit an embedded IPv4 at the end of the address", p);
    if (!parse_v4(s + p, n - p, ip + i, &inner)) {
        why_fail(why, NULL, p);
        why->inner_msg = inner.msg;
        why->inner_at = inner.at;
        why->inner_start = p;
        return false;
    }
    return true;
}

/* Go's netip.parseIPv6 on s[0..n), the zone already split off. why->at is an offset
 * into s. */
static bool parse_v6(const char *s, size_t n, unsigned char ip[16], cnet__ip_why *why)
{
    int ellipsis = -1, i = 0, digits;
    size_t p = 0;
    unsigned v;

    memset(ip, 0, 16);
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        ellipsis = 0;
        p = 2;
        if (p == n)
            return true;
    }
    while (i < 16) {
        digits = hex_group(s + p, n - p, &v);
        if (digits < 0)
            return why_fail(why, "IPv6 field has value >=2^16", p);
        if (digits == 0)
            return why_fail(why, "each colon-separated field must have at least one digit", p);
        if (p + (size_t)digits < n && s[p + (size_t)digits] == '.') {
            if (!parse_v6_tail(s, n, p, ellipsis, i, ip, why))
                return false;
            p = n;
            i += 4;
            break;
        }
        ip[i++] = (unsigned char)(v >> 8);
        ip[i++] = (unsigned char)v;
        p += (size_t)digits;
        if (p == n)
            break;
        if (s[p] != ':')
            return why_fail(why, "unexpected character, want colon", p);
        if (p + 1 == n)
            return why_fail(why, "colon must be followed by more characters", p);
        if (s[++p] == ':') {
            if (ellipsis >= 0)
                return why_fail(why, "multiple :: in address", p);
            ellipsis = i;
            if (++p == n)
                break;
        }
    }
    if (p != n)
        return why_fail(why, "trailing garbage after address", p);
    if (i < 16) {
        if (ellipsis < 0)
            return why_fail(why, "address string too short", CNET__NO_AT);
        expand_ellipsis(ip, ellipsis, i);
    } else if (ellipsis >= 0) {
        return why_fail(why, "the :: must expand to at least one field of zeros", CNET__NO_AT);
    }
    return true;
}

/* Go's zoneCache.index: an interface's name, else the number Go's dtoi reads at the
 * zone's start, right or wrong ("1abc" is 1, a huge number BIG, "eth9" 0). */
static uint32_t zone_index(const char *zone)
{
    long v;
    size_t digits;
    unsigned index;

    if (zone[0] == '\0')
        return 0;
    index = if_nametoindex(zone);
    if (index != 0)
        return index;
    dtoi(zone, strlen(zone), &v, &digits);
    return (uint32_t)v;
}

/* Go's splitHostZone: the zone starts after the last '%', unless that is the first byte.
 * Returns the length of the address before it (n if there is no zone). */
static size_t zone_split(const char *s, size_t n)
{
    size_t i = n;

    while (i > 0 && s[i - 1] != '%')
        i--;
    return i > 1 ? i - 1 : n;
}

/* net.ParseIP's zone rule: split at the last '%' (Go's splitHostZone), an empty zone
 * allowed; IPv4 takes none. */
int cnet__ip_parse(const char *s, size_t n, cnet__ip *ip)
{
    cnet__ip_why why;
    size_t i, addr_len, zone_len;

    memset(ip, 0, sizeof *ip);
    for (i = 0; i < n && s[i] != '.' && s[i] != ':'; i++)
        ;
    if (i == n)
        return 0;
    if (s[i] == '.') { /* IPv4 has no zone in Go: "127.0.0.1%lo" is a name */
        if (!parse_v4(s, n, ip->b, &why))
            return 0;
        ip->family = AF_INET;
        return 1;
    }
    addr_len = zone_split(s, n);
    if (!parse_v6(s, addr_len, ip->b, &why))
        return 0;
    zone_len = addr_len < n ? n - addr_len - 1 : 0;
    if (zone_len >= sizeof ip->zone)
        return CNET_EINVALIDADDR;
    memcpy(ip->zone, s + n - zone_len, zone_len);
    ip->zone[zone_len] = '\0';
    ip->scope_id = zone_index(ip->zone);
    ip->family = AF_INET6;
    return 1;
}

bool cnet__ip_is_v4(const cnet__ip *ip)
{
    return ip->family == AF_INET ||
           (ip->family == AF_INET6 && memcmp(ip->b, v4_prefix, sizeof v4_prefix) == 0);
}

cnet__ip cnet__ip_to_v4(const cnet__ip *ip)
{
    cnet__ip v4 = {.family = AF_INET};

    if (ip->family == AF_INET6)
        memcpy(v4.b, ip->b + 12, 4);
    else
        memcpy(v4.b, ip->b, 4);
    return v4;
}

static bool all_zero(const unsigned char *b, size_t n)
{
    while (n-- > 0)
        if (*b++ != 0)
            return false;
    return true;
}

bool cnet__ip_is_unspecified(const cnet__ip *ip)
{
    if (ip->family == AF_UNSPEC)
        return true;
    if (cnet__ip_is_v4(ip)) {
        cnet__ip v4 = cnet__ip_to_v4(ip);
        return all_zero(v4.b, 4);
    }
    return all_zero(ip->b, 16);
}

bool cnet__ip_is_multicast(const cnet__ip *ip)
{
    if (cnet__ip_is_v4(ip))
        return (cnet__ip_to_v4(ip).b[0] & 0xf0) == 0xe0;
    return ip->family == AF_INET6 && ip->b[0] == 0xff;
}

/* RFC 5952 text, as Go prints it: lower-case hex, the longest run (>= 2) of zero
 * groups as "::", the first such run on a tie. */
int cnet__ip_format_v6(const unsigned char b[16], char *buf, size_t len)
{
    int best = -1, bestlen = 1, i, j, n = 0;

    for (i = 0; i < 8; i = j + 1) {
        for (j = i; j < 8 && b[2 * j] == 0 && b[2 * j + 1] == 0; j++)
            ;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
    }
    for (i = 0; i < 8; i++) {
        if (i == best) {
            n += snprintf(buf + n, len > (size_t)n ? len - (size_t)n : 0, "::");
            i += bestlen - 1;
            continue;
        }
        n += snprintf(buf + n, len > (size_t)n ? len - (size_t)n : 0, "%s%x",
                      (i > 0 && i != best + bestlen) ? ":" : "", (b[2 * i] << 8) | b[2 * i + 1]);
    }
    return n;
}

/* Go's IP.String() and, as its TCPAddr.String() does, "%zone" after any address that
 * has one: "127.0.0.1%lo" for an IPv4-mapped address with a zone. */
int cnet__ip_format(const cnet__ip *ip, char *buf, size_t len)
{
    char ifname[IF_NAMESIZE];
    int n;

    if (ip->family == AF_UNSPEC)
        return snprintf(buf, len, "%s", "");
    if (cnet__ip_is_v4(ip)) {
        cnet__ip v4 = cnet__ip_to_v4(ip);
        n = snprintf(buf, len, "%u.%u.%u.%u", v4.b[0], v4.b[1], v4.b[2], v4.b[3]);
    } else {
        n = cnet__ip_format_v6(ip->b, buf, len);
    }
    if (ip->zone[0] != '\0' && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, "%%%s", ip->zone);
    else if (ip->scope_id != 0 && (size_t)n < len) {
        if (if_indextoname(ip->scope_id, ifname) != NULL)
            n += snprintf(buf + n, len - (size_t)n, "%%%s", ifname);
        else
            n += snprintf(buf + n, len - (size_t)n, "%%%u", (unsigned)ip->scope_id);
    }
    return n;
}

/* netip's zone rule: split at the first '%' (Go's parseIPv6), an empty zone refused. */
static int parse_addr_v6(const char *s, size_t n, cnet_addr *out, cnet__ip_why *why)
{
    const char *pct = memchr(s, '%', n);
    size_t body = pct != NULL ? (size_t)(pct - s) : n, zone_len = n - body - (pct != NULL);

    why->end = body;
    if (pct != NULL && zone_len == 0) {
        why->msg = "zone must be a non-empty string";
        return CNET_EINVALIDADDR;
    }
    if (!parse_v6(s, body, out->bytes, why))
        return CNET_EINVALIDADDR;
    if (zone_len >= sizeof out->zone) {
        why->msg = "zone longer than cnet keeps (63 bytes)";
        return CNET_EINVALIDADDR;
    }
    memcpy(out->zone, s + body + 1, zone_len);
    out->family = 6;
    return 0;
}

int cnet__addr_parse(const char *s, size_t n, cnet_addr *out, cnet__ip_why *why)
{
    size_t i;

    memset(out, 0, sizeof *out);
    *why = (cnet__ip_why){NULL, CNET__NO_AT, NULL, CNET__NO_AT, 0, n};
    for (i = 0; i < n; i++) {
        switch (s[i]) {
        case '.':
            if (!parse_v4(s, n, out->bytes + 12, why)) {
                memset(out, 0, sizeof *out);
                return CNET_EINVALIDADDR;
            }
            memcpy(out->bytes, v4_prefix, sizeof v4_prefix);
            out->family = 4;
            return 0;
        case ':': {
            int rc = parse_addr_v6(s, n, out, why);
            if (rc < 0)
                memset(out, 0, sizeof *out);
            return rc;
        }
        case '%': /* taken for an IPv6 address with a zone, its address missing */
            why->msg = "missing IPv6 address";
            return CNET_EINVALIDADDR;
        }
    }
    why->msg = "unable to parse IP";
    return CNET_EINVALIDADDR;
}
