/* cnet lookup: Go's Resolver lookups, one per kind, printed one answer per line. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct lookup_kind {
    const char *name;
    int nargs;
    int (*run)(cnet_resolver *r, char **args, cnet_error *err);
} lookup_kind;

static int print_list(int n, char **list)
{
    for (int i = 0; i < n; i++)
        printf("%s\n", list[i]);
    cnet_lookup_free(list);
    return 0;
}

static int lookup_host(cnet_resolver *r, char **args, cnet_error *err)
{
    char **addrs;
    int n = cnet_lookup_host(r, args[0], &addrs, err);

    return n < 0 ? n : print_list(n, addrs);
}

static int lookup_ip(cnet_resolver *r, char **args, cnet_error *err)
{
    char **addrs;
    int n = cnet_lookup_ip(r, args[0], args[1], &addrs, err);

    return n < 0 ? n : print_list(n, addrs);
}

static int lookup_addr(cnet_resolver *r, char **args, cnet_error *err)
{
    char **names;
    int n = cnet_lookup_addr(r, args[0], &names, err);

    if (n < 0)
        cnet_lookup_free(names); /* the valid names Go returns beside the error */
    return n < 0 ? n : print_list(n, names);
}

static int lookup_cname(cnet_resolver *r, char **args, cnet_error *err)
{
    char *cname;
    int rc = cnet_lookup_cname(r, args[0], &cname, err);

    if (rc < 0)
        return rc;
    printf("%s\n", cname);
    cnet_lookup_free(cname);
    return 0;
}

static int lookup_srv(cnet_resolver *r, char **args, cnet_error *err)
{
    char *cname;
    cnet_srv *srvs;
    int n = cnet_lookup_srv(r, args[0], args[1], args[2], &cname, &srvs, err);

    if (n < 0) {
        cnet_lookup_free(cname);
        cnet_lookup_free(srvs);
        return n;
    }
    printf("%s\n", cname != NULL ? cname : "");
    for (int i = 0; i < n; i++)
        printf("%s %u %u %u\n", srvs[i].target, srvs[i].port, srvs[i].priority, srvs[i].weight);
    cnet_lookup_free(cname);
    cnet_lookup_free(srvs);
    return 0;
}

static int lookup_mx(cnet_resolver *r, char **args, cnet_error *err)
{
    cnet_mx *mxs;
    int n = cnet_lookup_mx(r, args[0], &mxs, err);

    if (n < 0) {
        cnet_lookup_free(mxs); /* the valid records Go returns beside the error */
        return n;
    }
    for (int i = 0; i < n; i++)
        printf("%s %u\n", mxs[i].host, mxs[i].pref);
    cnet_lookup_free(mxs);
    return 0;
}

static int lookup_txt(cnet_resolver *r, char **args, cnet_error *err)
{
    char **txts;
    int n = cnet_lookup_txt(r, args[0], &txts, err);

    return n < 0 ? n : print_list(n, txts);
}

static int lookup_ns(cnet_resolver *r, char **args, cnet_error *err)
{
    char **hosts;
    int n = cnet_lookup_ns(r, args[0], &hosts, err);

    if (n < 0)
        cnet_lookup_free(hosts);
    return n < 0 ? n : print_list(n, hosts);
}

static int lookup_port(cnet_resolver *r, char **args, cnet_error *err)
{
    int port = cnet_lookup_port(args[0], args[1], err);

    (void)r;
    if (port < 0)
        return port;
    printf("%d\n", port);
    return 0;
}

static const lookup_kind kinds[] = {
    {"host", 1, lookup_host}, {"ip", 2, lookup_ip},   {"addr", 1, lookup_addr},
    {"cname", 1, lookup_cname}, {"srv", 3, lookup_srv}, {"mx", 1, lookup_mx},
    {"txt", 1, lookup_txt},   {"ns", 1, lookup_ns},   {"port", 2, lookup_port},
};

static int run_lookup(const cli_command *cmd, int argc, char **argv)
{
    const lookup_kind *kind = NULL;
    int64_t timeout = 0;
    cnet_resolver *r;
    cnet_error err;
    int c, rc;

    while ((c = cli_next_option(cmd, argc, argv, "+t:")) != -1) {
        if (c != 't')
            return CLI_USAGE;
        rc = cli_duration_option(cmd, "-t", 1, &timeout);
        if (rc != CLI_OK)
            return rc;
    }
    if (optind == argc)
        return cli_usage(cmd, "which lookup? (host, ip, addr, cname, srv, mx, txt, ns, port)");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].name, argv[optind]) == 0)
            kind = &kinds[i];
    if (kind == NULL)
        return cli_usage(cmd, "unknown lookup \"%s\"", argv[optind]);
    if (argc - optind - 1 != kind->nargs)
        return cli_usage(cmd, "lookup %s takes %d argument%s", kind->name, kind->nargs,
                         kind->nargs == 1 ? "" : "s");
    rc = cnet_resolver_new(&r);
    if (rc < 0) {
        fprintf(stderr, "cnet: lookup: %s\n", cnet_strerror(rc));
        return CLI_FAIL;
    }
    if (timeout > 0)
        cnet_resolver_set_deadline(r, cli_deadline_after(timeout));
    rc = kind->run(r, argv + optind + 1, &err);
    cnet_resolver_free(r);
    return rc < 0 ? cli_fail(&err) : CLI_OK;
}

const cli_command cli_lookup_command = {
    "lookup",
    "[-t DURATION] host NAME | ip NETWORK NAME | addr IP | cname NAME |\n"
    "       srv SERVICE PROTO NAME | mx NAME | txt NAME | ns NAME | port NETWORK SERVICE",
    "look up names, addresses and DNS records (Go's Resolver)",
    "Prints the answer, one per line: addresses (host, ip), names (addr, ns), the canonical\n"
    "name (cname, with a trailing dot), \"TARGET PORT PRIORITY WEIGHT\" after the cname\n"
    "line (srv), \"HOST PREF\" (mx), one record per line (txt), the number (port).\n"
    "Host and ip ask the system resolver (/etc/hosts, nsswitch, resolv.conf); the DNS\n"
    "records come from the resolv.conf nameservers. Errors are Go's texts; exit status 1.\n\n"
    "  -t DURATION   give up after DURATION (\"lookup NAME: i/o timeout\")\n",
    run_lookup,
};
