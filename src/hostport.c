/* Go's net.SplitHostPort and net.JoinHostPort, step for step (go-dial.md section 2). */
#include "internal.h"

#include <errno.h>
#include <string.h>

int cnet__split_spans(const char *hp, size_t *hbeg, size_t *hend, size_t *pbeg)
{
    const char *last = strrchr(hp, ':');
    size_t i, end, lscan = 0, rscan = 0;
    const char *rb;

    if (last == NULL)
        return CNET_EMISSINGPORT;
    i = (size_t)(last - hp);
    if (hp[0] == '[') {
        rb = strchr(hp, ']');
        if (rb == NULL)
            return CNET_EMISSINGBRACKET;
        end = (size_t)(rb - hp);
        if (hp[end + 1] == '\0')
            return CNET_EMISSINGPORT; /* there can't be a ':' behind the ']' now */
        if (end + 1 != i)
            return hp[end + 1] == ':' ? CNET_ETOOMANYCOLONS : CNET_EMISSINGPORT;
        *hbeg = 1;
        *hend = end;
        lscan = 1;
        rscan = end + 1;
    } else {
        *hbeg = 0;
        *hend = i;
        if (memchr(hp, ':', i) != NULL)
            return CNET_ETOOMANYCOLONS;
    }
    if (strchr(hp + lscan, '[') != NULL)
        return CNET_EUNEXPECTEDLBRACKET;
    if (strchr(hp + rscan, ']') != NULL)
        return CNET_EUNEXPECTEDRBRACKET;
    *pbeg = i + 1;
    return 0;
}

static int copy_span(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        return CNET_ENOSPACE;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

int cnet_split_host_port(const char *hostport, char *host, size_t hostlen, char *port,
                         size_t portlen, cnet_error *err)
{
    size_t hbeg = 0, hend = 0, pbeg = 0;
    char inner[CNET_ERROR_MAX];
    int rc;

    cnet__err_clear(err);
    if (host != NULL && hostlen > 0)
        host[0] = '\0';
    if (port != NULL && portlen > 0)
        port[0] = '\0';
    if (hostport == NULL || host == NULL || port == NULL || hostlen == 0 || portlen == 0)
        return cnet__op_error(err, -EINVAL, "split host port", NULL, NULL, NULL,
                              "invalid argument: NULL pointer or empty buffer");
    rc = cnet__split_spans(hostport, &hbeg, &hend, &pbeg);
    if (rc < 0) {
        cnet__addr_error_text(inner, sizeof inner, rc, hostport);
        if (err != NULL) {
            err->code = rc;
            memcpy(err->msg, inner, sizeof err->msg);
        }
        return rc;
    }
    rc = copy_span(host, hostlen, hostport + hbeg, hend - hbeg);
    if (rc == 0)
        rc = copy_span(port, portlen, hostport + pbeg, strlen(hostport + pbeg));
    if (rc < 0) {
        host[0] = port[0] = '\0';
        return cnet__op_error(err, rc, "split host port", NULL, NULL, NULL, NULL);
    }
    return 0;
}

int cnet_join_host_port(const char *host, const char *port, char *out, size_t outlen)
{
    bool bracket;
    size_t need;

    if (host == NULL || port == NULL || out == NULL)
        return -EINVAL;
    bracket = strchr(host, ':') != NULL;
    need = strlen(host) + strlen(port) + 1 + (bracket ? 2 : 0);
    if (need >= outlen) {
        if (outlen > 0)
            out[0] = '\0';
        return CNET_ENOSPACE;
    }
    strcpy(out, bracket ? "[" : "");
    strcat(out, host);
    strcat(out, bracket ? "]:" : ":");
    strcat(out, port);
    return (int)need;
}
