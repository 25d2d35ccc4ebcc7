/* cnet: a netcat-like tool on top of libcnet, and a live tour of its promises. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

extern const cli_command cli_ifaces_command; /* ---- addresses and interfaces ---- */

static const cli_command *const commands[] = {
    &cli_listen_command, &cli_dial_command,     &cli_recv_command, &cli_send_command,
    &cli_mcast_command,  &cli_serve_command,    &cli_sockopts_command, &cli_demo_command,
    &cli_ifaces_command, /* ---- addresses and interfaces ---- */
    &cli_lookup_command, /* ---- lookups ---- */
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_overview(FILE *out)
{
    size_t i;

    fprintf(out, "usage: cnet COMMAND [ARGS]\n"
                 "       cnet help [COMMAND]\n"
                 "       cnet -V | --version\n\n"
                 "Go's net.Listen, net.Dial, net.ListenPacket and net.ListenMulticastUDP\n"
                 "from the command line, with Go's addresses, errors and socket options.\n"
                 "listen and dial also take netcat's spelling: cnet listen -p 8080,\n"
                 "cnet dial -u HOST PORT (see cnet help listen, cnet help dial).\n\n"
                 "commands:\n");
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\nexit status: 0 ok, 1 failure, 2 usage error\n");
}

static void print_command_help(const cli_command *cmd)
{
    printf("usage: cnet %s %s\n\n%s", cmd->name, cmd->usage, cmd->help);
}

/* True if the arguments ask for help; "--" ends the options, so a MESSAGE may be "-h". */
static int wants_help(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

static const cli_command *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static int unknown_command(const char *name)
{
    fprintf(stderr, "cnet: unknown command \"%s\"\n", name);
    fprintf(stderr, "Run 'cnet help' for the list of commands.\n");
    return CLI_USAGE;
}

/* `cnet help` and `cnet help COMMAND`, as go help does. */
static int run_help(int argc, char **argv)
{
    const cli_command *cmd;

    if (argc == 2) {
        print_overview(stdout);
        return CLI_OK;
    }
    if (argc > 3) {
        fprintf(stderr, "usage: cnet help [COMMAND]\n");
        return CLI_USAGE;
    }
    cmd = find_command(argv[2]);
    if (cmd == NULL)
        return unknown_command(argv[2]);
    print_command_help(cmd);
    return CLI_OK;
}

int main(int argc, char **argv)
{
    const cli_command *cmd;

    if (argc > 0)
        cli_program = argv[0];
    if (argc < 2) {
        print_overview(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_overview(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "help") == 0)
        return run_help(argc, argv);
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("cnet %d.%d.%d\n", CNET_VERSION_MAJOR, CNET_VERSION_MINOR, CNET_VERSION_PATCH);
        return CLI_OK;
    }
    cmd = find_command(argv[1]);
    if (cmd == NULL)
        return unknown_command(argv[1]);
    if (wants_help(argc - 1, argv + 1)) {
        print_command_help(cmd);
        return CLI_OK;
    }
    return cmd->run(cmd, argc - 1, argv + 1);
}
