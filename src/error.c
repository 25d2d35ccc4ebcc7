/* Error codes and Go's error text (net.OpError, net.AddrError). */
#include "internal.h"

#include <errno.h>
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

/* Appends s to the message, truncating (never overflowing) at the buffer's end. */
static void append(char *buf, size_t *len, const char *s)
{
    size_t n = strlen(s);

    if (n > CNET_ERROR_MAX - 1 - *len)
        n = CNET_ERROR_MAX - 1 - *len;
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
}

int cnet__op_error(cnet_error *err, int code, const char *op, const char *net,
                   const char *source, const char *addr, const char *inner)
{
    size_t len = 0;

    if (err == NULL)
        return code;
    err->code = code;
    err->msg[0] = '\0';
    append(err->msg, &len, op);
    if (has_text(net)) {
        append(err->msg, &len, " ");
        append(err->msg, &len, net);
    }
    if (has_text(source)) {
        append(err->msg, &len, " ");
        append(err->msg, &len, source);
    }
    if (has_text(addr)) {
        append(err->msg, &len, has_text(source) ? "->" : " ");
        append(err->msg, &len, addr);
    }
    append(err->msg, &len, ": ");
    append(err->msg, &len, inner != NULL ? inner : cnet_strerror(code));
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
        snprintf(buf, len, "address %s: %s", addr, cnet_strerror(code));
    else
        snprintf(buf, len, "%s", cnet_strerror(code));
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

    snprintf(inner, sizeof inner, "unknown network %s", network);
    return cnet__op_error(err, CNET_EUNKNOWNNET, op, network, NULL, NULL, inner);
}
