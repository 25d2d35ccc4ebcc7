/* Go's time.ParseDuration, so that -w 1.5s means what it means to a Go programmer, with
 * Go's error texts. Arithmetic as Go's: unsigned, overflow past 1<<63 is an error (of a
 * sum of terms too, which Go 1.19 wraps), and a fraction goes through a double, which is
 * exact to the nanosecond up to hours. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MAX_MAGNITUDE ((uint64_t)1 << 63)
#define NS_PER_US UINT64_C(1000)
#define NS_PER_MS UINT64_C(1000000)
#define NS_PER_S UINT64_C(1000000000)

typedef struct duration_unit {
    const char *name;
    uint64_t ns;
} duration_unit;

static const duration_unit units[] = {
    {"ns", 1},
    {"us", NS_PER_US},
    {"\xc2\xb5s", NS_PER_US}, /* U+00B5 micro sign */
    {"\xce\xbcs", NS_PER_US}, /* U+03BC Greek mu */
    {"ms", NS_PER_MS},
    {"s", NS_PER_S},
    {"m", 60 * NS_PER_S},
    {"h", 3600 * NS_PER_S},
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Go's quote() in package time: ASCII as is ('"' and '\\' escaped), every other byte
 * (controls, non-ASCII) as \xHH. Truncates to fit out. */
static void go_quote(const char *s, size_t n, char *out, size_t len)
{
    size_t k = 0;
    size_t i;

    if (len < 3) {
        if (len > 0)
            out[0] = '\0';
        return;
    }
    out[k++] = '"';
    for (i = 0; i < n && k + 5 < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c < 0x20) {
            k += (size_t)snprintf(out + k, len - k, "\\x%02x", c);
            continue;
        }
        if (c == '"' || c == '\\')
            out[k++] = '\\';
        out[k++] = (char)c;
    }
    out[k++] = '"';
    out[k] = '\0';
}

/* "time: <what> <quoted orig>" into why; returns -1. */
static int duration_error(const char *what, const char *orig, char *why, size_t whylen)
{
    char quoted[CNET_ERROR_MAX];

    go_quote(orig, strlen(orig), quoted, sizeof quoted);
    snprintf(why, whylen, "time: %s %s", what, quoted);
    return -1;
}

static int invalid(const char *orig, char *why, size_t whylen)
{
    return duration_error("invalid duration", orig, why, whylen);
}

static int unknown_unit(const char *name, size_t len, const char *orig, char *why,
                        size_t whylen)
{
    char quoted_unit[CNET_ERROR_MAX];
    char quoted[CNET_ERROR_MAX];

    go_quote(name, len, quoted_unit, sizeof quoted_unit);
    go_quote(orig, strlen(orig), quoted, sizeof quoted);
    snprintf(why, whylen, "time: unknown unit %s in duration %s", quoted_unit, quoted);
    return -1;
}

/* Go's leadingInt: the leading [0-9]*, failing past 1<<63. */
static int leading_int(const char **s, uint64_t *x)
{
    *x = 0;
    for (; is_digit(**s); (*s)++) {
        if (*x > MAX_MAGNITUDE / 10)
            return -1;
        *x = *x * 10 + (uint64_t)(**s - '0');
        if (*x > MAX_MAGNITUDE)
            return -1;
    }
    return 0;
}

/* Go's leadingFraction: the leading [0-9]*, keeping only the digits that fit. */
static void leading_fraction(const char **s, uint64_t *x, double *scale)
{
    int overflow = 0;

    *x = 0;
    *scale = 1;
    for (; is_digit(**s); (*s)++) {
        uint64_t y;
        if (overflow)
            continue;
        if (*x > (MAX_MAGNITUDE - 1) / 10) {
            overflow = 1;
            continue;
        }
        y = *x * 10 + (uint64_t)(**s - '0');
        if (y > MAX_MAGNITUDE) {
            overflow = 1;
            continue;
        }
        *x = y;
        *scale *= 10;
    }
}

static const duration_unit *find_unit(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == len && memcmp(units[i].name, name, len) == 0)
            return &units[i];
    return NULL;
}

/* One "<number><unit>" term: adds its nanoseconds to *total. */
static int parse_term(const char **s, const char *orig, uint64_t *total, char *why,
                      size_t whylen)
{
    const duration_unit *unit;
    const char *start, *name;
    uint64_t v, f = 0;
    double scale = 1;
    int digits;

    if (**s != '.' && !is_digit(**s))
        return invalid(orig, why, whylen);
    start = *s;
    if (leading_int(s, &v) < 0)
        return invalid(orig, why, whylen);
    digits = *s != start;
    if (**s == '.') {
        (*s)++;
        start = *s;
        leading_fraction(s, &f, &scale);
        digits |= *s != start;
    }
    if (!digits) /* ".s" or "-.s" */
        return invalid(orig, why, whylen);
    for (name = *s; **s != '\0' && **s != '.' && !is_digit(**s); (*s)++)
        ;
    if (*s == name)
        return duration_error("missing unit in duration", orig, why, whylen);
    unit = find_unit(name, (size_t)(*s - name));
    if (unit == NULL)
        return unknown_unit(name, (size_t)(*s - name), orig, why, whylen);
    if (v > MAX_MAGNITUDE / unit->ns)
        return invalid(orig, why, whylen);
    v *= unit->ns;
    if (f > 0) {
        v += (uint64_t)((double)f * ((double)unit->ns / scale));
        if (v > MAX_MAGNITUDE)
            return invalid(orig, why, whylen);
    }
    /* Go 1.19 adds first and checks after, so that two terms of 1<<63 wrap to 0: a
     * duration of nothing. Checked before adding, the sum is refused. */
    if (v > MAX_MAGNITUDE - *total)
        return invalid(orig, why, whylen);
    *total += v;
    return 0;
}

int cli_parse_duration(const char *text, int64_t *ns, char *why, size_t whylen)
{
    const char *s = text;
    uint64_t total = 0;
    int negative = 0;

    if (*s == '-' || *s == '+') {
        negative = *s == '-';
        s++;
    }
    if (strcmp(s, "0") == 0) {
        *ns = 0;
        return 0;
    }
    if (*s == '\0')
        return invalid(text, why, whylen);
    while (*s != '\0')
        if (parse_term(&s, text, &total, why, whylen) < 0)
            return -1;
    if (negative) {
        /* -(1<<63) is the one magnitude that only fits negated. */
        *ns = total == MAX_MAGNITUDE ? INT64_MIN : -(int64_t)total;
        return 0;
    }
    if (total > MAX_MAGNITUDE - 1)
        return invalid(text, why, whylen);
    *ns = (int64_t)total;
    return 0;
}

int64_t cli_deadline_after(int64_t ns)
{
    int64_t now = cnet_now_ns();

    if (ns > 0 && now > INT64_MAX - ns)
        return INT64_MAX;
    if (ns < 0 && now < INT64_MIN - ns)
        return INT64_MIN;
    return now + ns;
}
