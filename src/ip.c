/* IP literals parsed and printed the way Go's net.ParseIP and IP.String() do, without
 * depending on the C library's inet_ntop (whose IPv6 output differs between libcs). */
#include "internal.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Dotted decimal, exactly four fields, no leading zeros (Go rejects them since 1.17). */
static bool parse_v4(const char *s, unsigned char out[4])
{
    int field, digits, value;

    for (field = 0; field < 4; field++) {
        if (field > 0 && *s++ != '.')
            return false;
        value = 0;
        for (digits = 0; s[digits] >= '0' && s[digits] <= '9'; digits++) {
            if (digits > 0 && value == 0)
                return false; /* leading zero */
            value = value * 10 + (s[digits] - '0');
            if (value > 255)
                return false;
        }
        if (digits == 0)
            return false;
        out[field] = (unsigned char)value;
        s += digits;
    }
    return *s == '\0';
}

static bool parse_zone(const char *zone, uint32_t *scope_id)
{
    char *end;
    unsigned long n;

    if (zone[0] == '\0')
        return false;
    *scope_id = if_nametoindex(zone);
    if (*scope_id != 0)
        return true;
    /* Go falls back to a decimal index, and to 0 for a name it cannot map. */
    n = strtoul(zone, &end, 10);
    *scope_id = (*end == '\0' && n <= UINT32_MAX) ? (uint32_t)n : 0;
    return true;
}

bool cnet__ip_parse(const char *s, cnet__ip *ip)
{
    char buf[INET6_ADDRSTRLEN + 1];
    const char *pct;
    size_t n;

    memset(ip, 0, sizeof *ip);
    if (parse_v4(s, ip->b)) {
        ip->family = AF_INET;
        return true;
    }
    if (strchr(s, ':') == NULL)
        return false;
    pct = strchr(s, '%');
    n = pct != NULL ? (size_t)(pct - s) : strlen(s);
    if (n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET6, buf, ip->b) != 1)
        return false;
    if (pct != NULL && (!parse_zone(pct + 1, &ip->scope_id) || strlen(pct + 1) >= sizeof ip->zone))
        return false;
    if (pct != NULL)
        strcpy(ip->zone, pct + 1);
    ip->family = AF_INET6;
    return true;
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

int cnet__ip_format(const cnet__ip *ip, char *buf, size_t len)
{
    char ifname[IF_NAMESIZE];
    int n;

    if (ip->family == AF_UNSPEC)
        return snprintf(buf, len, "%s", "");
    if (cnet__ip_is_v4(ip)) {
        cnet__ip v4 = cnet__ip_to_v4(ip);
        return snprintf(buf, len, "%u.%u.%u.%u", v4.b[0], v4.b[1], v4.b[2], v4.b[3]);
    }
    n = format_v6(ip->b, buf, len);
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
