/* libFuzzer: network names and address parsing down to resolution, through cnet_dial_with
 * with a deadline already past, so that no socket is ever made. The input is
 * "network\naddress[\nlocal_address]". Safety: an address whose host is not empty and
 * not an IP literal is skipped (a name would reach getaddrinfo), and so is a unix
 * network (a path is not parsed, it is connected to). fuzz/run.sh also runs the
 * fuzzers in a network namespace of their own. */
#include "cnet.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A literal by Go's rules, conservatively: a zone only after IPv6, from the last '%'. */
static int is_ip_literal_or_empty(const char *host)
{
    char buf[1100];
    unsigned char addr[16];
    if (host[0] == '\0')
        return 1;
    if (strlen(host) >= sizeof buf)
        return 0;
    strcpy(buf, host);
    char *zone = strrchr(buf, '%');
    if (zone == NULL)
        return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
    *zone = '\0';
    return inet_pton(AF_INET6, buf, addr) == 1;
}

/* 1 if address may go to the library: it either fails to split (the library then
 * fails the same way) or its host is a literal. A host too long for the buffer is no
 * failure: the library splits it and would look it up. */
static int safe_address(const char *address)
{
    char host[1100], port[64];
    int rc = cnet_split_host_port(address, host, sizeof host, port, sizeof port, NULL);
    if (rc == CNET_ENOSPACE)
        return 0;
    if (rc != 0)
        return 1;
    return is_ip_literal_or_empty(host);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    char *network = in, *address = strchr(in, '\n'), *local = NULL;
    if (address == NULL)
        goto out;
    *address++ = '\0';
    local = strchr(address, '\n');
    if (local != NULL)
        *local++ = '\0';
    if (strncmp(network, "unix", 4) == 0 || !safe_address(address) ||
        (local != NULL && !safe_address(local)))
        goto out;

    cnet_dialer d = {.deadline_ns = 1, .local_address = local};
    cnet_conn *c = (cnet_conn *)&c;
    cnet_error err;
    int rc = cnet_dial_with(&d, network, address, &c, &err);
    if (rc == 0 || c != NULL || err.code != rc || err.msg[0] == '\0' ||
        strlen(err.msg) >= sizeof err.msg)
        abort();
    /* listeners and packet sockets parse the same way; with an unknown network or a bad
     * address (not a bad local address: that one the listen never sees; nor a missing
     * one: "" is the wildcard to a listener) they fail before any socket exists */
    if (local == NULL &&
        (rc == CNET_EUNKNOWNNET || (rc <= CNET_EMISSINGPORT && rc >= CNET_EINVALIDPORT))) {
        cnet_listener *ln = (cnet_listener *)&ln;
        cnet_packet_conn *pc = (cnet_packet_conn *)&pc;
        if (cnet_listen(network, address, &ln, &err) == 0 || ln != NULL)
            abort();
        if (cnet_listen_packet(network, address, &pc, &err) == 0 || pc != NULL)
            abort();
    }
out:
    free(in);
    return 0;
}
