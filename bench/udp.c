/* UDP send rate on loopback (issue 13 "Speed"): datagrams per second of 1,200 bytes,
 * sent one per call, in batches, and in batches with UDP GSO, by cnet and by the floor
 * (a plain blocking sendto loop). The receiving socket exists but is never read, so the
 * kernel takes every datagram through the whole stack and drops it at the socket: the
 * same work for every sender, and no reader to be the bottleneck.
 *
 *   udp MODE N      MODE: floor | cnet-write-to | cnet-write-msg | cnet-batch | cnet-gso
 * prints "MODE datagrams/s". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cnet.h"

#define SIZE 1200
#define BATCH 64

static unsigned char payload[SIZE];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const cnet_error *err)
{
    fprintf(stderr, "udp: %s: %s\n", what, err != NULL ? err->msg : "failed");
    exit(1);
}

static double floor_rate(const struct sockaddr_in *to, long n)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    double t0 = now_s();
    for (long i = 0; i < n; i++)
        if (sendto(fd, payload, SIZE, 0, (const struct sockaddr *)to, sizeof *to) != SIZE)
            die("sendto", NULL);
    double dt = now_s() - t0;
    close(fd);
    return (double)n / dt;
}

static double cnet_rate(const char *mode, const char *dest, long n)
{
    static cnet_msg ms[BATCH];
    cnet_packet_conn *pc;
    cnet_error err;
    cnet_batch_opts plain = {.gso = -1}, gso = {0};
    if (cnet_listen_packet("udp4", "127.0.0.1:0", &pc, &err) < 0)
        die("listen", &err);
    for (int i = 0; i < BATCH; i++) {
        ms[i].buf = payload;
        ms[i].len = SIZE;
        snprintf(ms[i].addr, sizeof ms[i].addr, "%s", dest);
    }
    double t0 = now_s();
    long i = 0;
    if (!strcmp(mode, "cnet-write-to")) {
        for (; i < n; i++)
            if (cnet_packet_write_to(pc, payload, SIZE, dest, &err) != SIZE)
                die("write_to", &err);
    } else if (!strcmp(mode, "cnet-write-msg")) {
        for (; i < n; i++)
            if (cnet_packet_write_msg(pc, &ms[0], &err) != SIZE)
                die("write_msg", &err);
    } else {
        const cnet_batch_opts *o = !strcmp(mode, "cnet-gso") ? &gso : &plain;
        if (o == &gso && cnet_packet_gso_supported(pc) != 1)
            fprintf(stderr, "udp: this kernel has no UDP GSO: cnet-gso sends without it\n");
        for (; i < n; i += BATCH)
            if (cnet_packet_write_batch(pc, ms, BATCH, o, NULL, &err) != BATCH)
                die("write_batch", &err);
    }
    double dt = now_s() - t0;
    cnet_packet_close(pc);
    return (double)i / dt;
}

int main(int argc, char **argv)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    char dest[64];
    if (argc != 3) {
        fprintf(stderr, "usage: udp MODE N\n");
        return 2;
    }
    long n = atol(argv[2]);
    /* the sink: bound, never read */
    int sink = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(sink, (struct sockaddr *)&sin, sizeof sin) < 0 ||
        getsockname(sink, (struct sockaddr *)&sin, &len) < 0)
        die("sink", NULL);
    snprintf(dest, sizeof dest, "127.0.0.1:%d", ntohs(sin.sin_port));
    memset(payload, 'x', sizeof payload);
    double rate = !strcmp(argv[1], "floor") ? floor_rate(&sin, n) : cnet_rate(argv[1], dest, n);
    printf("%s %.0f\n", argv[1], rate);
    close(sink);
    return 0;
}
