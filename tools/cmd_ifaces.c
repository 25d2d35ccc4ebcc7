/* cnet ifaces: Go's net.Interfaces, one interface per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* "INDEX NAME MTU FLAGS HWADDR ADDR/BITS...", the fields of Go's net.Interface in their
 * order, then Interface.Addrs() as Go's IPNet prints them; "-" for no hardware address. */
static void print_interface(const cnet_interface *ifi)
{
    char flags[64], hw[3 * CNET_HWADDR_MAX], addr[CNET_PREFIX_STRLEN];
    size_t i;

    cnet_interface_flags_string(ifi->flags, flags, sizeof flags);
    if (cnet_hwaddr_string(ifi->hwaddr, ifi->hwaddr_len, hw, sizeof hw) <= 0)
        snprintf(hw, sizeof hw, "-");
    printf("%d %s %d %s %s", ifi->index, ifi->name, ifi->mtu, flags, hw);
    for (i = 0; i < ifi->naddrs; i++) {
        cnet_prefix_string(&ifi->addrs[i], addr, sizeof addr);
        printf(" %s", addr);
    }
    printf("\n");
}

/* A decimal index (Go's InterfaceByIndex), else a name (InterfaceByName). */
static int is_index(const char *s)
{
    return s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
}

static int run_ifaces(const cli_command *cmd, int argc, char **argv)
{
    cnet_interfaces *list;
    const cnet_interface *ifi;
    cnet_error err;
    int opt, rc;

    while ((opt = cli_next_option(cmd, argc, argv, "")) != -1)
        return CLI_USAGE;
    if (argc - optind > 1)
        return cli_usage(cmd, "at most one interface, please");
    if (argc - optind == 1) {
        const char *which = argv[optind];
        rc = is_index(which) ? cnet_interface_by_index(atoi(which), &list, &ifi, &err)
                             : cnet_interface_by_name(which, &list, &ifi, &err);
        if (rc < 0)
            return cli_fail(&err);
        print_interface(ifi);
        cnet_interfaces_free(list);
        return CLI_OK;
    }
    if (cnet_interfaces_read(&list, &err) < 0)
        return cli_fail(&err);
    for (size_t i = 0; i < cnet_interfaces_len(list); i++)
        print_interface(cnet_interfaces_at(list, i));
    cnet_interfaces_free(list);
    return CLI_OK;
}

const cli_command cli_ifaces_command = {
    .name = "ifaces",
    .usage = "[NAME|INDEX]",
    .summary = "list the network interfaces and their addresses (Go's net.Interfaces)",
    .help = "Prints one interface per line, read in one pass from the kernel:\n"
            "  INDEX NAME MTU FLAGS HWADDR ADDR/BITS...\n"
            "FLAGS as Go prints net.Flags (up|broadcast|loopback|pointtopoint|multicast|running),\n"
            "HWADDR as Go's HardwareAddr (\"-\" for none), each address as Go's IPNet\n"
            "(\"127.0.0.1/8\": the interface's address and its prefix length).\n"
            "With NAME or INDEX, only that interface (Go's InterfaceByName/InterfaceByIndex).\n",
    .run = run_ifaces,
};
