/* Go's parsePort and LookupPort (go-dial.md section 3.3): numbers with an optional
 * sign, else a service name from /etc/services or Go's built-in table. cnet reads
 * /etc/services itself so that glibc and musl give the same answers. */
#include "internal.h"
#include "sys.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { PORT_CUTOFF = 1 << 30 };

/* Go's parsePort: returns true with *port set if service is numeric (or empty).
 * Magnitudes saturate at 2^30 so that huge numbers cannot wrap; like Go, scanning
 * stops at saturation. */
static bool parse_numeric_port(const char *s, int *port)
{
    bool neg = false;
    uint64_t n = 0;

    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
        if (n >= PORT_CUTOFF) {
            n = PORT_CUTOFF;
            break;
        }
        n = n * 10 + (uint64_t)(*s - '0');
        if (n > UINT32_MAX) {
            n = PORT_CUTOFF;
            break;
        }
    }
    if (!neg && n >= PORT_CUTOFF)
        n = PORT_CUTOFF - 1;
    else if (neg && n > PORT_CUTOFF)
        n = PORT_CUTOFF;
    *port = neg ? -(int)n : (int)n;
    return true;
}

/* Go's built-in services, used when /etc/services lacks the name. */
static const struct {
    enum cnet__kind kind;
    const char *name;
    int port;
} builtin_services[] = {
    {CNET__UDP, "domain", 53},   {CNET__TCP, "ftp", 21},    {CNET__TCP, "ftps", 990},
    {CNET__TCP, "gopher", 70},   {CNET__TCP, "http", 80},   {CNET__TCP, "https", 443},
    {CNET__TCP, "imap2", 143},   {CNET__TCP, "imap3", 220}, {CNET__TCP, "imaps", 993},
    {CNET__TCP, "pop3", 110},    {CNET__TCP, "pop3s", 995}, {CNET__TCP, "smtp", 25},
    {CNET__TCP, "submissions", 465}, {CNET__TCP, "ssh", 22}, {CNET__TCP, "telnet", 23},
};

/* Does one /etc/services line name service for proto? Sets *port. */
static bool services_line_matches(char *line, const char *proto, const char *service, int *port)
{
    char *save = NULL, *name, *portproto, *tok, *slash;
    int p;

    line[strcspn(line, "#\n")] = '\0';
    name = strtok_r(line, " \t", &save);
    portproto = strtok_r(NULL, " \t", &save);
    if (name == NULL || portproto == NULL || (slash = strchr(portproto, '/')) == NULL)
        return false;
    *slash = '\0';
    if (strcasecmp(slash + 1, proto) != 0 || !parse_numeric_port(portproto, &p))
        return false;
    for (tok = name; tok != NULL; tok = strtok_r(NULL, " \t", &save)) {
        if (strcasecmp(tok, service) == 0) {
            *port = p;
            return true;
        }
    }
    return false;
}

static bool services_file_lookup(const char *proto, const char *service, int *port)
{
    char line[512];
    bool found = false;
    FILE *f = cnet__os_fopen("/etc/services", "re");

    if (f == NULL)
        return false;
    while (!found && fgets(line, sizeof line, f) != NULL)
        found = services_line_matches(line, proto, service, port);
    fclose(f);
    return found;
}

static bool lookup_service(enum cnet__kind kind, const char *service, int *port)
{
    size_t i;

    if (services_file_lookup(kind == CNET__UDP ? "udp" : "tcp", service, port))
        return true;
    for (i = 0; i < sizeof builtin_services / sizeof builtin_services[0]; i++) {
        if (builtin_services[i].kind == kind && strcasecmp(builtin_services[i].name, service) == 0) {
            *port = builtin_services[i].port;
            return true;
        }
    }
    return false;
}

int cnet__port_lookup(enum cnet__kind kind, const char *service, int *port, char *errtext,
                      size_t errlen)
{
    if (!parse_numeric_port(service, port)) {
        if (!lookup_service(kind, service, port)) {
            /* Go >= 1.23 reports this as a DNSError: "lookup tcp/foo: unknown port". */
            cnet__text(errtext, errlen, "lookup ", kind == CNET__UDP ? "udp/" : "tcp/", service,
                       ": unknown port", (char *)NULL);
            return CNET_EUNKNOWNPORT;
        }
    }
    if (*port < 0 || *port > 65535) {
        cnet__addr_error_text(errtext, errlen, CNET_EINVALIDPORT, service);
        return CNET_EINVALIDPORT;
    }
    return 0;
}
