/* mcast_recv: print the datagrams sent to a multicast group.
 *
 *   mcast_recv IFNAME GROUP:PORT [COUNT]     e.g.  mcast_recv lo 239.1.2.3:5000 1
 *
 * What it shows: cnet_listen_multicast_udp, Go's ListenMulticastUDP. The socket is bound
 * to the wildcard address with the group's port and SO_REUSEADDR, so any number of
 * receivers on this host can share the group and each gets every datagram. The
 * interface is required on purpose: with none the system picks one from the routing
 * table, and the join (and the IGMP/MLD report that goes with it) may leave through the
 * real network instead of the one you meant. Port 0 lets the kernel pick a port.
 *
 * Prints "listening on ADDRESS (group GROUP on IFNAME)", then "from SENDER: TEXT" for
 * each datagram; stops after COUNT datagrams if given. Try it with
 *   cnet mcast -i lo -s hello udp4 239.1.2.3:5000 */
#include <stdio.h>
#include <stdlib.h>

#include <cnet.h>

int main(int argc, char **argv)
{
    long count = argc > 3 ? atol(argv[3]) : -1;
    if (argc < 3 || argc > 4 || count == 0) {
        fprintf(stderr, "usage: mcast_recv IFNAME GROUP:PORT [COUNT]\n");
        return 2;
    }
    cnet_packet_conn *pc;
    cnet_error err;
    if (cnet_listen_multicast_udp("udp", argv[1], argv[2], &pc, &err) < 0) {
        fprintf(stderr, "mcast_recv: %s\n", err.msg);
        return 1;
    }
    char local[CNET_ADDRSTRLEN];
    cnet_packet_local_addr(pc, local, sizeof local);
    printf("listening on %s (group %s on %s)\n", local, argv[2], argv[1]);
    fflush(stdout);

    char buf[65536], from[CNET_ADDRSTRLEN];
    for (; count != 0; count -= count > 0) {
        ssize_t n = cnet_packet_read_from(pc, buf, sizeof buf, from, sizeof from, &err);
        if (n < 0) {
            fprintf(stderr, "mcast_recv: %s\n", err.msg);
            break;
        }
        printf("from %s: %.*s\n", from, (int)n, buf);
        fflush(stdout);
    }
    cnet_packet_close(pc);
    return count == 0 ? 0 : 1;
}
