/* Go's net/netip: Addr and Prefix as C values. Parsing is ip.c's (the parser net.ParseIP
 * uses too); this file holds the value semantics, Go's texts and its predicates. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* ---- Go's strconv.Quote, for the texts of parse errors ---------------------------- */

/* The rune UTF-8 encodes at s[0..n) and its length; -1 (length 1) for a byte that
 * starts no valid encoding, as Go's utf8.DecodeRuneInString reads it. */
static long utf8_rune(const unsigned char *s, size_t n, size_t *len)
{
    static const struct {
        unsigned char lead_min, lead_max;
        size_t len;
        long min;
    } forms[] = {{0xc2, 0xdf, 2, 0x80}, {0xe0, 0xef, 3, 0x800}, {0xf0, 0xf4, 4, 0x10000}};
    size_t f, k;
    long r;

    *len = 1;
    if (s[0] < 0x80)
        return s[0];
    for (f = 0; f < 3; f++) {
        if (s[0] < forms[f].lead_min || s[0] > forms[f].lead_max || n < forms[f].len)
            continue;
        r = s[0] & (0x3f >> f);
        for (k = 1; k < forms[f].len; k++) {
            if ((s[k] & 0xc0) != 0x80)
                return -1;
            r = (r << 6) | (s[k] & 0x3f);
        }
        if (r < forms[f].min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
            return -1;
        *len = forms[f].len;
        return r;
    }
    return -1;
}

/* Go's unicode.IsPrint, exact for ASCII; beyond it, the controls, spaces and format
 * characters Go escapes (unassigned code points print as they are: a known gap). */
static bool rune_printable(long r)
{
    if (r < 0x80)
        return r >= 0x20 && r < 0x7f;
    return !((r >= 0x80 && r <= 0xa0) || r == 0xad || (r >= 0x2000 && r <= 0x200f) ||
             (r >= 0x2028 && r <= 0x202f) || (r >= 0x205f && r <= 0x206f) || r == 0x3000 ||
             r == 0xfeff || (r >= 0xfff9 && r <= 0xfffb) || (r >= 0xe000 && r <= 0xf8ff) ||
             r >= 0xf0000);
}

/* Appends s[0..n) quoted as Go's strconv.Quote does to buf (room for cap bytes, NUL
 * included); returns the new length. A text too long keeps its start and its end. */
static size_t quote_span(char *buf, size_t used, size_t cap, const char *s, size_t n,
                         size_t *consumed)
{
    const unsigned char *p = (const unsigned char *)s;
    static const char esc[] = "\a\b\f\n\r\t\v", name[] = "abfnrtv";
    size_t i = 0, len;
    long r;
    char tmp[16];
    const char *e;

    while (i < n && used + sizeof tmp < cap) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') {
            buf[used++] = s[i++]; /* the common case: printable ASCII as it is */
            continue;
        }
        r = utf8_rune(p + i, n - i, &len);
        if (r == '"' || r == '\\')
            snprintf(tmp, sizeof tmp, "\\%c", (char)r);
        else if (r >= 0 && rune_printable(r))
            snprintf(tmp, sizeof tmp, "%.*s", (int)len, s + i);
        else if (r > 0 && r < 0x20 && (e = strchr(esc, (int)r)) != NULL)
            snprintf(tmp, sizeof tmp, "\\%c", name[e - esc]);
        else if (r < 0x20 || r == 0x7f) /* r < 0: a byte that is no UTF-8 */
            snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
        else if (r < 0x10000)
            snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)r);
        else
            snprintf(tmp, sizeof tmp, "\\U%08x", (unsigned)r);
        memcpy(buf + used, tmp, strlen(tmp));
        used += strlen(tmp);
        i += len;
    }
    buf[used] = '\0';
    *consumed = i;
    return used;
}

enum { QUOTE_MAX = CNET_ERROR_MAX };

/* Go's strconv.Quote(s[0..n)) into buf[QUOTE_MAX]; the middle of a text too long for
 * it is left out ("..." between its start and end), as the error text would elide it. */
static void quote(char buf[QUOTE_MAX], const char *s, size_t n)
{
    size_t used, consumed, half = QUOTE_MAX / 10;

    buf[0] = '"';
    used = quote_span(buf, 1, QUOTE_MAX - 2, s, n, &consumed);
    if (consumed < n) {
        used = quote_span(buf, 1, QUOTE_MAX / 2, s, half, &consumed);
        memcpy(buf + used, "...", 3);
        used = quote_span(buf, used + 3, QUOTE_MAX - 2, s + n - half, half, &consumed);
    }
    buf[used++] = '"';
    buf[used] = '\0';
}

/* Go's parseAddrError.Error(): 'ParseAddr("in"): msg (at "rest")'. */
static void addr_error_text(char *buf, size_t len, const char *in, size_t n, const cnet__ip_why *why)
{
    char qin[QUOTE_MAX], qat[QUOTE_MAX], qinner[QUOTE_MAX], qinner_at[QUOTE_MAX];
    const char *tail;
    size_t tail_len;

    quote(qin, in, n);
    if (why->msg == NULL) { /* an IPv4 tail's error, nested whole */
        tail = in + why->inner_start;
        tail_len = why->end - why->inner_start;
        quote(qinner, tail, tail_len);
        quote(qat, tail, tail_len);
        if (why->inner_at != CNET__NO_AT && why->inner_at < tail_len) {
            quote(qinner_at, tail + why->inner_at, tail_len - why->inner_at);
            cnet__text(buf, len, "ParseAddr(", qin, "): ParseAddr(", qinner, "): ", why->inner_msg,
                       " (at ", qinner_at, ") (at ", qat, ")", (char *)NULL);
        } else {
            cnet__text(buf, len, "ParseAddr(", qin, "): ParseAddr(", qinner, "): ", why->inner_msg,
                       " (at ", qat, ")", (char *)NULL);
        }
        return;
    }
    if (why->at != CNET__NO_AT && why->at < why->end) { /* Go omits an empty rest */
        quote(qat, in + why->at, why->end - why->at);
        cnet__text(buf, len, "ParseAddr(", qin, "): ", why->msg, " (at ", qat, ")", (char *)NULL);
    } else {
        cnet__text(buf, len, "ParseAddr(", qin, "): ", why->msg, (char *)NULL);
    }
}

static int set_error(cnet_error *err, int code, const char *msg)
{
    if (err != NULL) {
        err->code = code;
        cnet__text(err->msg, sizeof err->msg, msg, (char *)NULL);
    }
    return code;
}

/* ---- Addr --------------------------------------------------------------------------- */

int cnet_addr_parse(const char *s, cnet_addr *out, cnet_error *err)
{
    char text[CNET_ERROR_MAX];
    cnet__ip_why why;
    size_t n;
    int rc;

    if (s == NULL || out == NULL) {
        if (out != NULL)
            memset(out, 0, sizeof *out);
        return cnet__null_arg(err, "ParseAddr", s == NULL ? "s" : "out");
    }
    n = strlen(s);
    rc = cnet__addr_parse(s, n, out, &why);
    if (rc < 0) {
        addr_error_text(text, sizeof text, s, n, &why);
        return set_error(err, rc, text);
    }
    cnet__err_clear(err);
    return 0;
}

cnet_addr cnet_addr_from4(const uint8_t b[4])
{
    cnet_addr a;

    memset(&a, 0, sizeof a);
    if (b == NULL)
        return a;
    memcpy(a.bytes, v4_mapped, sizeof v4_mapped);
    memcpy(a.bytes + 12, b, 4);
    a.family = 4;
    return a;
}

cnet_addr cnet_addr_from16(const uint8_t b[16])
{
    cnet_addr a;

    memset(&a, 0, sizeof a);
    if (b == NULL)
        return a;
    memcpy(a.bytes, b, 16);
    a.family = 6;
    return a;
}

int cnet_addr_is_valid(const cnet_addr *a)
{
    return a != NULL && (a->family == 4 || a->family == 6);
}

int cnet_addr_bitlen(const cnet_addr *a)
{
    if (a == NULL)
        return 0;
    return a->family == 4 ? 32 : a->family == 6 ? 128 : 0;
}

int cnet_addr_is4(const cnet_addr *a)
{
    return a != NULL && a->family == 4;
}

int cnet_addr_is6(const cnet_addr *a)
{
    return a != NULL && a->family == 6;
}

int cnet_addr_is4in6(const cnet_addr *a)
{
    return cnet_addr_is6(a) && memcmp(a->bytes, v4_mapped, sizeof v4_mapped) == 0;
}

cnet_addr cnet_addr_unmap(const cnet_addr *a)
{
    cnet_addr u;

    memset(&u, 0, sizeof u);
    if (a == NULL)
        return u;
    if (!cnet_addr_is4in6(a))
        return *a;
    memcpy(u.bytes, a->bytes, 16);
    u.family = 4;
    return u;
}

int cnet_addr_compare(const cnet_addr *a, const cnet_addr *b)
{
    int la = cnet_addr_bitlen(a), lb = cnet_addr_bitlen(b), c;

    if (la != lb)
        return la < lb ? -1 : 1;
    if (la == 0)
        return 0;
    c = memcmp(a->bytes, b->bytes, 16); /* big-endian: byte order is numeric order */
    if (c != 0)
        return c < 0 ? -1 : 1;
    if (la == 128) {
        c = strncmp(a->zone, b->zone, CNET_ZONE_MAX);
        if (c != 0)
            return c < 0 ? -1 : 1;
    }
    return 0;
}

int cnet_addr_less(const cnet_addr *a, const cnet_addr *b)
{
    return cnet_addr_compare(a, b) < 0;
}

/* The 16-bit group i of the IPv6 form. */
static unsigned group(const cnet_addr *a, int i)
{
    return (unsigned)(a->bytes[2 * i] << 8 | a->bytes[2 * i + 1]);
}

static const uint8_t *v4(const cnet_addr *a)
{
    return a->bytes + 12;
}

int cnet_addr_is_loopback(const cnet_addr *a)
{
    static const uint8_t one[16] = {[15] = 1};

    if (cnet_addr_is4(a))
        return v4(a)[0] == 127;
    return cnet_addr_is6(a) && memcmp(a->bytes, one, 16) == 0;
}

int cnet_addr_is_private(const cnet_addr *a)
{
    if (cnet_addr_is4(a))
        return v4(a)[0] == 10 || (v4(a)[0] == 172 && (v4(a)[1] & 0xf0) == 16) ||
               (v4(a)[0] == 192 && v4(a)[1] == 168);
    return cnet_addr_is6(a) && (a->bytes[0] & 0xfe) == 0xfc;
}

int cnet_addr_is_multicast(const cnet_addr *a)
{
    if (cnet_addr_is4(a))
        return (v4(a)[0] & 0xf0) == 0xe0;
    return cnet_addr_is6(a) && a->bytes[0] == 0xff;
}

int cnet_addr_is_interface_local_multicast(const cnet_addr *a)
{
    return cnet_addr_is6(a) && (group(a, 0) & 0xff0f) == 0xff01;
}

int cnet_addr_is_link_local_multicast(const cnet_addr *a)
{
    if (cnet_addr_is4(a))
        return v4(a)[0] == 224 && v4(a)[1] == 0 && v4(a)[2] == 0;
    return cnet_addr_is6(a) && (group(a, 0) & 0xff0f) == 0xff02;
}

int cnet_addr_is_link_local_unicast(const cnet_addr *a)
{
    if (cnet_addr_is4(a))
        return v4(a)[0] == 169 && v4(a)[1] == 254;
    return cnet_addr_is6(a) && (group(a, 0) & 0xffc0) == 0xfe80;
}

static bool all_bytes(const uint8_t *b, size_t n, uint8_t v)
{
    while (n-- > 0)
        if (*b++ != v)
            return false;
    return true;
}

/* Go compares with ==, so an address with a zone is never IPv6Unspecified(). */
int cnet_addr_is_unspecified(const cnet_addr *a)
{
    if (cnet_addr_is4(a))
        return all_bytes(v4(a), 4, 0);
    return cnet_addr_is6(a) && a->zone[0] == '\0' && all_bytes(a->bytes, 16, 0);
}

/* Go's: private IPv4 and unique-local IPv6 addresses count as global unicast. */
int cnet_addr_is_global_unicast(const cnet_addr *a)
{
    if (!cnet_addr_is_valid(a))
        return 0;
    if (cnet_addr_is4(a) && (all_bytes(v4(a), 4, 0) || all_bytes(v4(a), 4, 0xff)))
        return 0;
    return !cnet_addr_is_unspecified(a) && !cnet_addr_is_loopback(a) &&
           !cnet_addr_is_multicast(a) && !cnet_addr_is_link_local_unicast(a);
}

/* Go's Addr.String into buf (which must hold CNET_ADDR_STRLEN bytes). */
static int addr_text(const cnet_addr *a, char *buf, size_t len)
{
    const uint8_t *b = v4(a);
    int n;

    if (a->family == 4)
        return snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    if (a->family != 6)
        return snprintf(buf, len, "invalid IP");
    if (cnet_addr_is4in6(a))
        n = snprintf(buf, len, "::ffff:%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    else
        n = cnet__ip_format_v6(a->bytes, buf, len);
    if (a->zone[0] != '\0')
        n += snprintf(buf + n, len - (size_t)n, "%%%.*s", CNET_ZONE_MAX - 1, a->zone);
    return n;
}

/* -EINVAL for a NULL value, with buf (if any) left "". */
static int null_value(char *buf, size_t len)
{
    if (buf != NULL && len > 0)
        buf[0] = '\0';
    return -EINVAL;
}

int cnet_addr_string(const cnet_addr *a, char *buf, size_t len)
{
    char text[CNET_ADDR_STRLEN];

    if (a == NULL)
        return null_value(buf, len);
    addr_text(a, text, sizeof text);
    return cnet__copy_out(buf, len, text);
}

/* ---- Prefix ------------------------------------------------------------------------- */

cnet_prefix cnet_prefix_from(const cnet_addr *a, int bits)
{
    cnet_prefix p;

    memset(&p, 0, sizeof p);
    if (a == NULL)
        return p;
    p.addr = *a;
    memset(p.addr.zone, 0, sizeof p.addr.zone);
    p.bits = (int16_t)(bits < 0 || bits > cnet_addr_bitlen(a) ? -1 : bits);
    return p;
}

int cnet_prefix_is_valid(const cnet_prefix *p)
{
    return p != NULL && cnet_addr_is_valid(&p->addr) && p->bits >= 0 &&
           p->bits <= cnet_addr_bitlen(&p->addr);
}

/* Clears every bit of b after the first bits. */
static void mask_bytes(uint8_t b[16], int bits)
{
    int i;

    for (i = 0; i < 16; i++, bits -= 8) {
        if (bits <= 0)
            b[i] = 0;
        else if (bits < 8)
            b[i] &= (uint8_t)(0xff << (8 - bits));
    }
}

int cnet_addr_prefix(const cnet_addr *a, int bits, cnet_prefix *out, cnet_error *err)
{
    char text[64];
    int max;

    if (a == NULL || out == NULL) {
        if (out != NULL)
            memset(out, 0, sizeof *out);
        return cnet__null_arg(err, "Prefix", a == NULL ? "a" : "out");
    }
    memset(out, 0, sizeof *out);
    if (bits < 0)
        return set_error(err, -EINVAL, "negative Prefix bits");
    if (!cnet_addr_is_valid(a)) {
        cnet__err_clear(err);
        return 0;
    }
    max = cnet_addr_bitlen(a);
    if (bits > max) {
        snprintf(text, sizeof text, "prefix length %d too large for IPv%c", bits, max == 32 ? '4' : '6');
        return set_error(err, -EINVAL, text);
    }
    *out = cnet_prefix_from(a, bits);
    mask_bytes(out->addr.bytes, max == 32 ? bits + 96 : bits);
    cnet__err_clear(err);
    return 0;
}

cnet_prefix cnet_prefix_masked(const cnet_prefix *p)
{
    cnet_prefix m;

    memset(&m, 0, sizeof m);
    if (p != NULL)
        cnet_addr_prefix(&p->addr, p->bits, &m, NULL);
    return m;
}

int cnet_prefix_contains(const cnet_prefix *p, const cnet_addr *a)
{
    uint8_t x[16];
    int i;

    if (!cnet_prefix_is_valid(p) || !cnet_addr_is_valid(a) || a->zone[0] != '\0' ||
        cnet_addr_bitlen(&p->addr) != cnet_addr_bitlen(a))
        return 0;
    for (i = 0; i < 16; i++)
        x[i] = p->addr.bytes[i] ^ a->bytes[i];
    mask_bytes(x, a->family == 4 ? p->bits + 96 : p->bits);
    return all_bytes(x, 16, 0);
}

int cnet_prefix_string(const cnet_prefix *p, char *buf, size_t len)
{
    char text[CNET_PREFIX_STRLEN];
    int n;

    if (p == NULL)
        return null_value(buf, len);
    if (!cnet_prefix_is_valid(p))
        return cnet__copy_out(buf, len, "invalid Prefix");
    n = addr_text(&p->addr, text, sizeof text);
    snprintf(text + n, sizeof text - (size_t)n, "/%d", p->bits);
    return cnet__copy_out(buf, len, text);
}

/* Go's strconv.Atoi as ParsePrefix uses it: an optional sign, then decimal digits, any
 * number of leading zeros, within int64 ("bad bits" beyond it). false for anything else. */
static bool go_atoi(const char *s, size_t n, long long *value)
{
    const unsigned long long limit = (unsigned long long)INT64_MAX + 1;
    unsigned long long v = 0;
    size_t i = 0;
    bool neg = false;

    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return false;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (limit - (unsigned)(s[i] - '0')) / 10)
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == limit && !neg)
        return false;
    *value = neg ? (long long)(0 - v) : (long long)v;
    return true;
}

static int prefix_error(cnet_error *err, cnet_prefix *out, const char *s, size_t n,
                        const char *what, const char *detail)
{
    char qs[QUOTE_MAX], text[CNET_ERROR_MAX];

    memset(out, 0, sizeof *out);
    quote(qs, s, n);
    cnet__text(text, sizeof text, "netip.ParsePrefix(", qs, "): ", what, detail, (char *)NULL);
    return set_error(err, CNET_EINVALIDADDR, text);
}

int cnet_prefix_parse(const char *s, cnet_prefix *out, cnet_error *err)
{
    char inner[CNET_ERROR_MAX], qbits[QUOTE_MAX];
    const char *slash;
    cnet__ip_why why;
    cnet_addr a;
    size_t n;
    long long bits;

    if (s == NULL || out == NULL) {
        if (out != NULL)
            memset(out, 0, sizeof *out);
        return cnet__null_arg(err, "ParsePrefix", s == NULL ? "s" : "out");
    }
    n = strlen(s);
    slash = strrchr(s, '/');
    if (slash == NULL)
        return prefix_error(err, out, s, n, "no '/'", "");
    if (cnet__addr_parse(s, (size_t)(slash - s), &a, &why) < 0) {
        addr_error_text(inner, sizeof inner, s, (size_t)(slash - s), &why);
        return prefix_error(err, out, s, n, inner, "");
    }
    if (a.zone[0] != '\0')
        return prefix_error(err, out, s, n, "IPv6 zones cannot be present in a prefix", "");
    /* Go >= 1.22 (golang/go#63850) refuses a sign and leading zeros, which Atoi takes */
    if ((strlen(slash + 1) > 1 && (slash[1] < '1' || slash[1] > '9')) ||
        !go_atoi(slash + 1, strlen(slash + 1), &bits)) {
        quote(qbits, slash + 1, strlen(slash + 1));
        return prefix_error(err, out, s, n, "bad bits after slash: ", qbits);
    }
    if (bits < 0 || bits > cnet_addr_bitlen(&a))
        return prefix_error(err, out, s, n, "prefix length out of range", "");
    *out = cnet_prefix_from(&a, (int)bits);
    cnet__err_clear(err);
    return 0;
}
