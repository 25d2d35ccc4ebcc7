/* cnet sockopts: the socket-option policy, from the same table the library applies. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define NCOLUMNS 6

static const char *const headers[NCOLUMNS] = {"ROLE", "LEVEL", "OPTION", "VALUE", "WHEN", "REASON"};

static void rule_columns(const cnet_sockopt_rule *r, const char *col[NCOLUMNS])
{
    col[0] = r->role;
    col[1] = r->level;
    col[2] = r->option;
    col[3] = r->value;
    col[4] = r->when;
    col[5] = r->reason;
}

static int selected(const cnet_sockopt_rule *r, const char *role)
{
    return role == NULL || strcmp(r->role, role) == 0;
}

static void print_row(const char *const col[NCOLUMNS], const size_t width[NCOLUMNS])
{
    int i;

    for (i = 0; i < NCOLUMNS - 1; i++)
        printf("%-*s  ", (int)width[i], col[i]);
    printf("%s\n", col[NCOLUMNS - 1]);
}

static void print_table(const cnet_sockopt_rule *rules, size_t n, const char *role)
{
    size_t width[NCOLUMNS];
    const char *col[NCOLUMNS];
    size_t i;
    int c;

    for (c = 0; c < NCOLUMNS; c++)
        width[c] = strlen(headers[c]);
    for (i = 0; i < n; i++) {
        if (!selected(&rules[i], role))
            continue;
        rule_columns(&rules[i], col);
        for (c = 0; c < NCOLUMNS; c++)
            if (strlen(col[c]) > width[c])
                width[c] = strlen(col[c]);
    }
    print_row(headers, width);
    for (i = 0; i < n; i++) {
        if (!selected(&rules[i], role))
            continue;
        rule_columns(&rules[i], col);
        print_row(col, width);
    }
}

/* Accepts "--os OS", "--os=OS" and one ROLE, in any order. */
static int parse_args(const cli_command *cmd, int argc, char **argv, const char **os,
                      const char **role)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--os") == 0) {
            if (++i == argc)
                return cli_usage(cmd, "--os needs a value");
            *os = argv[i];
        } else if (strncmp(argv[i], "--os=", 5) == 0) {
            *os = argv[i] + 5;
        } else if (argv[i][0] == '-') {
            return cli_usage(cmd, "unknown option %s", argv[i]);
        } else if (*role != NULL) {
            return cli_usage(cmd, "only one ROLE, please");
        } else {
            *role = argv[i];
        }
    }
    return CLI_OK;
}

/* True if an earlier row than rules[i] has its role: the policy's rows are grouped by
 * what they apply to, not by role, so a role may come back (listener does). */
static int role_seen_before(const cnet_sockopt_rule *rules, size_t i)
{
    size_t j;

    for (j = 0; j < i; j++)
        if (strcmp(rules[j].role, rules[i].role) == 0)
            return 1;
    return 0;
}

/* A ROLE must name rows of the policy; the roles are the policy's, not a list here. */
static int check_role(const cli_command *cmd, const cnet_sockopt_rule *rules, size_t n,
                      const char *role)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (selected(&rules[i], role))
            return CLI_OK;
    if (role == NULL)
        return CLI_OK;
    fprintf(stderr, "cnet %s: unknown role \"%s\"; the roles are:", cmd->name, role);
    for (i = 0; i < n; i++)
        if (!role_seen_before(rules, i))
            fprintf(stderr, " %s", rules[i].role);
    fprintf(stderr, "\nusage: cnet %s %s\n", cmd->name, cmd->usage);
    return CLI_USAGE;
}

static int run_sockopts(const cli_command *cmd, int argc, char **argv)
{
    const cnet_sockopt_rule *rules;
    const char *os = NULL;
    const char *role = NULL;
    size_t n;
    int rc;

    rc = parse_args(cmd, argc, argv, &os, &role);
    if (rc != CLI_OK)
        return rc;
    rc = cnet_sockopt_policy(os, &rules, &n);
    if (rc == CNET_ENOTSUP)
        return cli_usage(cmd, "unknown os \"%s\" (linux, darwin, freebsd, netbsd, openbsd, "
                              "dragonfly)", os);
    if (rc < 0) {
        fprintf(stderr, "cnet: sockopts: %s\n", cnet_strerror(rc));
        return CLI_FAIL;
    }
    rc = check_role(cmd, rules, n, role);
    if (rc == CLI_OK)
        print_table(rules, n, role);
    return rc;
}

const cli_command cli_sockopts_command = {
    "sockopts",
    "[--os linux|darwin|freebsd|netbsd|openbsd|dragonfly] [ROLE]",
    "print the default socket options cnet sets, and why",
    "Prints the socket-option policy as a table (ROLE LEVEL OPTION VALUE WHEN REASON),\n"
    "from the same rows the library applies. ROLE keeps only that role's rows; the\n"
    "roles the policy names are:\n\n"
    "  socket          every socket cnet makes\n"
    "  listener        stream listeners (cnet listen, cnet serve)\n"
    "  multicast       sockets of ListenMulticastUDP (cnet mcast)\n"
    "  multicast-join  what joining a group sets\n"
    "  conn            connected TCP sockets, dialed or accepted\n"
    "  reuse_port      only on request (`cnet listen --reuse-port`, cnet_listen_config's\n"
    "                  reuse_port): the option that puts a listener in a group whose\n"
    "                  members share the port and the kernel's balancing of connections\n"
    "                  (SO_REUSEPORT on Linux and DragonFly, SO_REUSEPORT_LB on FreeBSD;\n"
    "                  refused where the OS has no balancing option); never a default\n\n"
    "  --os OS   the policy of OS instead of the one cnet was built for\n",
    run_sockopts,
};
