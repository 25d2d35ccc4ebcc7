/* Error codes and Go's error text (net.OpError, net.AddrError). */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int code;
    const char *text;
} cnet_texts[] = {
    {CNET_ECLOSED, "use of closed network connection"},
    {CNET_ETIMEOUT, "i/o timeout"},
    {CNET_EUNKNOWNNET, "unknown network"},
    {CNET_EMISSINGADDR, "missing address"},
    {CNET_EMISSINGPORT, "missing port in address"},
    {CNET_EMISSINGBRACKET, "missing ']' in address"},
    {CNET_ETOOMANYCOLONS, "too many colons in address"},
    {CNET_EUNEXPECTEDLBRACKET, "unexpected '[' in address"},
    {CNET_EUNEXPECTEDRBRACKET, "unexpected ']' in address"},
    {CNET_EINVALIDPORT, "invalid port"},
    {CNET_EUNKNOWNPORT, "unknown port"},
    {CNET_ENOSUITABLE, "no suitable address found"},
    {CNET_ENOHOST, "no such host"},
    {CNET_EADDRTYPE, "unexpected address type"},
    {CNET_ENOTMULTICAST, "not a multicast address"},
    {CNET_ENOINTERFACE, "no such network interface"},
    {CNET_ENOSPACE, "buffer too small"},
    {CNET_ENOTSUP, "not supported on this OS"},
    {CNET_EWRITETOCONNECTED, "use of WriteTo with pre-connected connection"},
    {CNET_EINVALIDADDR, "invalid address"},
    {CNET_ELOOKUP, "name resolution failed"},
    {CNET_ENOIPV4IF, "no such multicast interface"},
    {CNET_EDIALTIMEOUT, "i/o timeout"},
    {CNET_EUNKNOWNPROTO, "unknown IP protocol specified"},
    /* ---- lookups ---- */
    {CNET_ESERVER, "server misbehaving"},
    {CNET_ESERVERTEMP, "server misbehaving"},
    {CNET_ECANCELED, "operation was canceled"},
    {CNET_EBADRECORDS, "DNS response contained records which contain invalid names"},
    {CNET_EBADMESSAGE, "cannot unmarshal DNS message"},
};

/* Go's text for errnum, or NULL if the OS's table has none. */
static const char *errno_text(int errnum)
{
    for (size_t i = 0; i < cnet__errno_texts_len; i++)
        if (cnet__errno_texts[i].errnum == errnum)
            return cnet__errno_texts[i].text;
    return NULL;
}

const char *cnet_strerror(int code)
{
    static _Thread_local char unknown[32];
    const char *text;
    size_t i;

    if (code == 0)
        return "success";
    for (i = 0; i < sizeof cnet_texts / sizeof cnet_texts[0]; i++)
        if (cnet_texts[i].code == code)
            return cnet_texts[i].text;
    text = code < 0 && code > -4096 ? errno_text(-code) : NULL; /* never negate INT_MIN */
    if (text != NULL)
        return text;
    /* Go prints an errno it has no text for as "errno N". */
    if (code < 0 && code > -4096)
        snprintf(unknown, sizeof unknown, "errno %d", -code);
    else
        snprintf(unknown, sizeof unknown, "unknown error %d", code);
    return unknown;
}

int cnet_error_is_timeout(const cnet_error *err)
{
    if (err == NULL)
        return 0;
    return err->code == CNET_ETIMEOUT || err->code == CNET_EDIALTIMEOUT || err->code == -EAGAIN ||
           err->code == -ETIMEDOUT;
}

int cnet_error_is_deadline_exceeded(const cnet_error *err)
{
    return err != NULL && err->code == CNET_ETIMEOUT;
}

int cnet_error_is_closed(const cnet_error *err)
{
    return err != NULL && err->code == CNET_ECLOSED;
}

void cnet__err_clear(cnet_error *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

static bool has_text(const char *s)
{
    return s != NULL && s[0] != '\0';
}

enum { TEXT_PARTS_MAX = 12 }; /* cnet__op_error uses 9 */

/* The byte at offset i of the concatenation of parts. */
static unsigned char byte_at(const char *const *parts, const size_t *lens, size_t n, size_t i)
{
    size_t k;

    for (k = 0; k < n && i >= lens[k]; k++)
        i -= lens[k];
    return (unsigned char)parts[k][i];
}

/* Copies bytes [from, to) of the concatenation of parts to dst; returns the end. */
static char *copy_range(char *dst, const char *const *parts, const size_t *lens, size_t n,
                        size_t from, size_t to)
{
    size_t k, skip = from, take;

    for (k = 0; k < n && from < to; k++) {
        if (skip >= lens[k]) {
            skip -= lens[k];
            continue;
        }
        take = lens[k] - skip < to - from ? lens[k] - skip : to - from;
        memcpy(dst, parts[k] + skip, take);
        dst += take;
        from += take;
        skip = 0;
    }
    return dst;
}

static bool utf8_continuation(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/* Writes the concatenation of parts (parts[k] being lens[k] bytes) into buf. A text too
 * long for buf loses its middle, not its end: the start (the operation) and the end (the
 * cause) both survive, joined by "...", and no UTF-8 character is cut in two. */
void cnet__text_spans(char *buf, size_t len, const char *const *parts, const size_t *lens,
                      size_t n)
{
    size_t total = 0, room, head, tail, k;
    char *end;

    for (k = 0; k < n; k++)
        total += lens[k];
    if (len == 0)
        return;
    if (total < len || len <= sizeof "...") {
        room = total < len ? total : len - 1;
        *copy_range(buf, parts, lens, n, 0, room) = '\0';
        return;
    }
    room = len - sizeof "...";
    head = room / 3;
    tail = total - (room - head);
    while (head > 0 && utf8_continuation(byte_at(parts, lens, n, head)))
        head--;
    while (tail < total && utf8_continuation(byte_at(parts, lens, n, tail)))
        tail++;
    end = copy_range(buf, parts, lens, n, 0, head);
    memcpy(end, "...", 3);
    *copy_range(end + 3, parts, lens, n, tail, total) = '\0';
}

/* cnet__text_spans for NUL-terminated parts. */
static void join_parts(char *buf, size_t len, const char *const *parts, size_t n)
{
    size_t lens[TEXT_PARTS_MAX], k;

    for (k = 0; k < n; k++)
        lens[k] = strlen(parts[k]);
    cnet__text_spans(buf, len, parts, lens, n);
}

void cnet__text(char *buf, size_t len, ...)
{
    const char *parts[TEXT_PARTS_MAX], *s;
    size_t n = 0;
    va_list ap;

    va_start(ap, len);
    while (n < TEXT_PARTS_MAX && (s = va_arg(ap, const char *)) != NULL)
        parts[n++] = s;
    va_end(ap);
    join_parts(buf, len, parts, n);
}

int cnet__op_error(cnet_error *err, int code, const char *op, const char *net,
                   const char *source, const char *addr, const char *inner)
{
    const char *parts[TEXT_PARTS_MAX];
    size_t n = 0;

    if (err == NULL)
        return code;
    err->code = code;
    parts[n++] = op;
    if (has_text(net)) {
        parts[n++] = " ";
        parts[n++] = net;
    }
    if (has_text(source)) {
        parts[n++] = " ";
        parts[n++] = source;
    }
    if (has_text(addr)) {
        parts[n++] = has_text(source) ? "->" : " ";
        parts[n++] = addr;
    }
    parts[n++] = ": ";
    parts[n++] = inner != NULL ? inner : cnet_strerror(code);
    join_parts(err->msg, sizeof err->msg, parts, n);
    return code;
}

int cnet__sys_error(cnet_error *err, int code, const char *op, const char *net,
                    const char *source, const char *addr, const char *syscall)
{
    char inner[96];

    if (syscall == NULL)
        return cnet__op_error(err, code, op, net, source, addr, NULL);
    snprintf(inner, sizeof inner, "%s: %s", syscall, cnet_strerror(code));
    return cnet__op_error(err, code, op, net, source, addr, inner);
}

void cnet__addr_error_text(char *buf, size_t len, int code, const char *addr)
{
    if (has_text(addr))
        cnet__text(buf, len, "address ", addr, ": ", cnet_strerror(code), (char *)NULL);
    else
        cnet__text(buf, len, cnet_strerror(code), (char *)NULL);
}

int cnet__copy_out(char *buf, size_t len, const char *s)
{
    size_t n = strlen(s);

    if (buf == NULL)
        return -EINVAL;
    if (n >= len) {
        if (len > 0)
            buf[0] = '\0';
        return CNET_ENOSPACE;
    }
    memcpy(buf, s, n + 1);
    return (int)n;
}

int cnet__null_arg(cnet_error *err, const char *op, const char *what)
{
    char inner[64];

    snprintf(inner, sizeof inner, "invalid argument: %s is NULL", what);
    return cnet__op_error(err, -EINVAL, op, NULL, NULL, NULL, inner);
}

int cnet__network_error(cnet_error *err, int code, const char *op, const char *network,
                        const char *errtext)
{
    if (code == CNET_EUNKNOWNPROTO)
        return cnet__op_error(err, code, op, network, NULL, NULL, errtext);
    return cnet__unknown_network(err, op, network);
}

int cnet__unknown_network(cnet_error *err, const char *op, const char *network)
{
    char inner[CNET_ERROR_MAX];

    cnet__text(inner, sizeof inner, "unknown network ", network, (char *)NULL);
    return cnet__op_error(err, CNET_EUNKNOWNNET, op, network, NULL, NULL, inner);
}
