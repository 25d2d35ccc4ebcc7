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

/* Go's xtoi: the same in hexadecimal. Leading zeros are free: "00000001" is 1. */
static bool xtoi(const char *s, size_t n, long *value, size_t *digits)
{
    long v = 0;
    size_t i;

    for (i = 0; i < n && hex_digit(s[i]) >= 0; i++) {
        v = v * 16 + hex_digit(s[i]);
        if (v >= BIG)
            return false;
    }
    *value = v;
    *digits = i;
    return i > 0;
}

/* Go's parseIPv4 on s[0..n): dotted decimal, exactly four fields, no leading zeros (Go
 * rejects them since 1.17). No shorthand ("127.1"), hex or octal: those are names. */
static bool parse_v4(const char *s, size_t n, unsigned char out[4])
{
    size_t i = 0, digits;
    long v;
    int field;

    for (field = 0; field < 4; field++) {
        if (i == n)
            return false;
        if (field > 0 && s[i++] != '.')
            return false;
        if (!dtoi(s + i, n - i, &v, &digits) || v > 0xff)
            return false;
        if (digits > 1 && s[i] == '0')
            return false;
        out[field] = (unsigned char)v;
        i += digits;
    }
    return i == n;
}

/* Moves the groups parsed after a "::" (at ellipsis, i bytes in all) to the end. */
static bool expand_ellipsis(unsigned char ip[16], int ellipsis, int i)
{
    if (i == 16)
        return ellipsis < 0; /* a "::" must stand for at least one zero group */
    if (ellipsis < 0)
        return false;
    memmove(ip + ellipsis + (16 - i), ip + ellipsis, (size_t)(i - ellipsis));
    memset(ip + ellipsis, 0, (size_t)(16 - i));
    return true;
}

/* Go's parseIPv6 on s[0..n), step for step: hex groups, one "::", an IPv4 tail. Unlike
 * inet_pton, and like Go's xtoi, a group may have any number of leading zeros. */
static bool parse_v6(const char *s, size_t n, unsigned char ip[16])
{
    int ellipsis = -1, i = 0;
    size_t p = 0, digits;
    long v;

    memset(ip, 0, 16);
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        ellipsis = 0;
        p = 2;
        if (p == n)
            return true;
    }
    while (i < 16) {
        if (!xtoi(s + p, n - p, &v, &digits) || v > 0xffff)
            return false;
        if (p + digits < n && s[p + digits] == '.') {
            if ((ellipsis < 0 && i != 12) || i + 4 > 16 || !parse_v4(s + p, n - p, ip + i))
                return false;
            p = n;
            i += 4;
            break;
        }
        ip[i++] = (unsigned char)(v >> 8);
        ip[i++] = (unsigned char)v;
        p += digits;
        if (p == n)
            break;
        if (s[p] != ':' || p + 1 == n)
            return false;
        if (s[++p] == ':') {
            if (ellipsis >= 0)
                return false;
            ellipsis = i;
            if (++p == n)
                break;
        }
    }
    return p == n && expand_ellipsis(ip, ellipsis, i);
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

int cnet__ip_parse(const char *s, size_t n, cnet__ip *ip)
{
    size_t i, addr_len, zone_len;

    memset(ip, 0, sizeof *ip);
    for (i = 0; i < n && s[i] != '.' && s[i] != ':'; i++)
        ;
    if (i == n)
        return 0;
    if (s[i] == '.') { /* IPv4 has no zone in Go: "127.0.0.1%lo" is a name */
        if (!parse_v4(s, n, ip->b))
            return 0;
        ip->family = AF_INET;
        return 1;
    }
    addr_len = zone_split(s, n);
    if (!parse_v6(s, addr_len, ip->b))
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
static int format_v6(const unsigned char *b, char *buf, size_t len)
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
        n = format_v6(ip->b, buf, len);
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
