/* Bad input (issue 6 §3): one table of bad inputs across every public function, each
 * with its exact code and message, checked without a leaked descriptor. Messages Go
 * defines were confirmed with the Go 1.19 oracle (newer Go for "unknown port"); the
 * rest are cnet's own, Go-shaped texts. test_errors.c holds the first such table for
 * Dial/Listen; this one is the wide sweep. Nothing here resolves a name (except
 * "localhost") or sends a packet off loopback.
 *
 * BADINPUT_PRINT=1 prints what each row gets, in the table's own syntax, for review. */
#include "testutil.h"

#include <sys/un.h>

typedef enum kind {
    SPLIT,         /* a: hostport; n: host buffer size (port buffer 16) */
    JOIN,          /* a: host, b: port; n: out size; code only */
    LISTEN,        /* a: network, b: address */
    LISTEN_PACKET, /* a: network, b: address */
    LISTEN_REUSE,  /* cnet_listen_with reuse_port: a: network, b: address */
    MCAST,         /* a: network, b: ifname, c: group */
    DIAL,          /* a: network, b: address */
    DIAL_LOCAL,    /* dial_with local_address: a: network, b: address, c: local */
    DIAL_DEADLINE, /* dial_with a deadline in the past: a: network, b: address */
    WRITE_TO,      /* write_to from a udp4 socket on 127.0.0.1: a: address */
    WRITE_TO6,     /* the same from udp6 [::1] */
    FILE_LN,       /* cnet_file_listener on a descriptor of type a ("bad", "pipe", "udp", "tcp") */
    FILE_CONN,
    FILE_PC,
    ADDR_BUF,      /* a listener's address into a buffer of n bytes (tcp 127.0.0.1) */
    ACTIVATION,    /* LISTEN_PID a ("self" = ours), LISTEN_FDS b, LISTEN_FDNAMES c */
    POLICY,        /* cnet_sockopt_policy(a) */
    STRERROR,      /* cnet_strerror(n): msg only */
    NULLS,         /* a NULL pointer: a names the call and argument */
    /* ---- addresses and interfaces ---- */
    PARSE_ADDR,    /* cnet_addr_parse(a); NULL a: the NULL cases, b names them */
    PARSE_PREFIX,  /* cnet_prefix_parse(a) */
    ADDR_PREFIX,   /* cnet_addr_prefix(parse(a), n) */
    IF_NAME,       /* cnet_interface_by_name(a) */
    IF_INDEX,      /* cnet_interface_by_index(n) */
    LOOKUP,        /* ---- lookups ----: a: host, ip, addr, cname, srv, mx, txt, ns, port;
                      b, c: its arguments (srv: service b, proto "tcp", name c). No row
                      reaches DNS: each is refused before any query. */
    MSG,           /* message I/O on a udp4 socket on 127.0.0.1: a: "write" (b: address,
                      c: source IP or NULL), "batch" (the same through write_batch),
                      "control" (n: flags), "unixgram" (read_msg on one) */
} kind;

typedef struct row {
    kind k;
    const char *a, *b, *c;
    long n;
    int code;
    const char *msg; /* NULL: the call has no message */
} row;

#define LONG_HOST                                                                                  \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LONG_PATH                                                                                  \
    "/tmp/pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp" \
    "pppppppppppppppppppppppppppppppppppppppp"

#define Z20 "zzzzzzzzzzzzzzzzzzzz"
#define Z63 Z20 Z20 Z20 "zzz" /* the longest zone cnet keeps */
#define Z64 Z63 "z"
#define ZEROS70 "0000000000000000000000000000000000000000000000000000000000000000000000"
/* 230 digits: a name no bound of 224 bytes holds, and no domain name (Go: no letter) */
#define DIGITS230 ZEROS70 ZEROS70 ZEROS70 "00000000000000000001"

static const row rows[] = {
    {SPLIT, "", NULL, NULL, 1024, CNET_EMISSINGPORT, "missing port in address"},
    {SPLIT, "a", NULL, NULL, 1024, CNET_EMISSINGPORT, "address a: missing port in address"},
    {SPLIT, "1.2.3.4", NULL, NULL, 1024, CNET_EMISSINGPORT, "address 1.2.3.4: missing port in address"},
    {SPLIT, "[::1]", NULL, NULL, 1024, CNET_EMISSINGPORT, "address [::1]: missing port in address"},
    {SPLIT, "[::1", NULL, NULL, 1024, CNET_EMISSINGBRACKET, "address [::1: missing ']' in address"},
    {SPLIT, "::1:80", NULL, NULL, 1024, CNET_ETOOMANYCOLONS, "address ::1:80: too many colons in address"},
    {SPLIT, "a:b:c", NULL, NULL, 1024, CNET_ETOOMANYCOLONS, "address a:b:c: too many colons in address"},
    {SPLIT, "[a]b:80", NULL, NULL, 1024, CNET_EMISSINGPORT, "address [a]b:80: missing port in address"},
    {SPLIT, "[a]:b:80", NULL, NULL, 1024, CNET_ETOOMANYCOLONS, "address [a]:b:80: too many colons in address"},
    {SPLIT, "]:80", NULL, NULL, 1024, CNET_EUNEXPECTEDRBRACKET, "address ]:80: unexpected ']' in address"},
    {SPLIT, "a]:80", NULL, NULL, 1024, CNET_EUNEXPECTEDRBRACKET, "address a]:80: unexpected ']' in address"},
    {SPLIT, "a[b]:80", NULL, NULL, 1024, CNET_EUNEXPECTEDLBRACKET, "address a[b]:80: unexpected '[' in address"},
    {SPLIT, "[a]:[80", NULL, NULL, 1024, CNET_EUNEXPECTEDLBRACKET, "address [a]:[80: unexpected '[' in address"},
    {SPLIT, "[a]]:80", NULL, NULL, 1024, CNET_EMISSINGPORT, "address [a]]:80: missing port in address"},
    {SPLIT, "[[a]]:80", NULL, NULL, 1024, CNET_EMISSINGPORT, "address [[a]]:80: missing port in address"},
    {SPLIT, "[]", NULL, NULL, 1024, CNET_EMISSINGPORT, "address []: missing port in address"},
    {SPLIT, "[a:80", NULL, NULL, 1024, CNET_EMISSINGBRACKET, "address [a:80: missing ']' in address"},
    {SPLIT, "[::1]x:80", NULL, NULL, 1024, CNET_EMISSINGPORT, "address [::1]x:80: missing port in address"},
    {SPLIT, "[::1]::80", NULL, NULL, 1024, CNET_ETOOMANYCOLONS, "address [::1]::80: too many colons in address"},
    {SPLIT, "a:b]", NULL, NULL, 1024, CNET_EUNEXPECTEDRBRACKET, "address a:b]: unexpected ']' in address"},
    {SPLIT, "a:[b", NULL, NULL, 1024, CNET_EUNEXPECTEDLBRACKET, "address a:[b: unexpected '[' in address"},
    {SPLIT, "::", NULL, NULL, 1024, CNET_ETOOMANYCOLONS, "address ::: too many colons in address"},
    {SPLIT, ":::80", NULL, NULL, 1024, CNET_ETOOMANYCOLONS, "address :::80: too many colons in address"},
    {SPLIT, "[", NULL, NULL, 1024, CNET_EMISSINGPORT, "address [: missing port in address"},
    {SPLIT, "]", NULL, NULL, 1024, CNET_EMISSINGPORT, "address ]: missing port in address"},
    {SPLIT, "[:80]", NULL, NULL, 1024, CNET_EMISSINGPORT, "address [:80]: missing port in address"},
    {SPLIT, "host:80:", NULL, NULL, 1024, CNET_ETOOMANYCOLONS, "address host:80:: too many colons in address"},
    {SPLIT, "host:80", NULL, NULL, 4, CNET_ENOSPACE, "split host port: buffer too small"},
    {SPLIT, "host:80", NULL, NULL, 0, -EINVAL, "split host port: invalid argument: NULL pointer or empty buffer"},
    {SPLIT, LONG_HOST ":80", NULL, NULL, 256, CNET_ENOSPACE, "split host port: buffer too small"},
    {SPLIT, "[::1]:80", NULL, NULL, 3, CNET_ENOSPACE, "split host port: buffer too small"},
    {JOIN, "host", "80", NULL, 0, CNET_ENOSPACE, NULL},
    {JOIN, "host", "80", NULL, 1, CNET_ENOSPACE, NULL},
    {JOIN, "host", "80", NULL, 7, CNET_ENOSPACE, NULL},
    {JOIN, "::1", "80", NULL, 8, CNET_ENOSPACE, NULL},
    {JOIN, "::1", "80", NULL, 1, CNET_ENOSPACE, NULL},
    {JOIN, "", "", NULL, 0, CNET_ENOSPACE, NULL},
    {JOIN, LONG_HOST, "1", NULL, 100, CNET_ENOSPACE, NULL},
    {LISTEN, "tcp", "127.0.0.1:65536", NULL, 0, CNET_EINVALIDPORT, "listen tcp: address 65536: invalid port"},
    {LISTEN, "tcp", "127.0.0.1:-1", NULL, 0, CNET_EINVALIDPORT, "listen tcp: address -1: invalid port"},
    {LISTEN, "tcp", "127.0.0.1:1x", NULL, 0, CNET_EUNKNOWNPORT, "listen tcp: lookup tcp/1x: unknown port"},
    {LISTEN, "tcp", "127.0.0.1:0x10", NULL, 0, CNET_EUNKNOWNPORT, "listen tcp: lookup tcp/0x10: unknown port"},
    {LISTEN, "tcp", "127.0.0.1:nosuchservice", NULL, 0, CNET_EUNKNOWNPORT, "listen tcp: lookup tcp/nosuchservice: unknown port"},
    {LISTEN, "tcp", "[::1", NULL, 0, CNET_EMISSINGBRACKET, "listen tcp: address [::1: missing ']' in address"},
    {LISTEN, "tcp", "::1:0", NULL, 0, CNET_ETOOMANYCOLONS, "listen tcp: address ::1:0: too many colons in address"},
    {LISTEN, "tcp", "[127.0.0.1]:0x", NULL, 0, CNET_EUNKNOWNPORT, "listen tcp: lookup tcp/0x: unknown port"},
    {LISTEN, "tcp", "1.2.3.4.5:99999", NULL, 0, CNET_EINVALIDPORT, "listen tcp: address 99999: invalid port"},
    {LISTEN, "tcp4", "[::1]:0", NULL, 0, CNET_ENOSUITABLE, "listen tcp4: address ::1: no suitable address found"},
    {LISTEN, "tcp6", "127.0.0.1:0", NULL, 0, CNET_ENOSUITABLE, "listen tcp6: address 127.0.0.1: no suitable address found"},
    {LISTEN, "tcp6", "[::ffff:127.0.0.1]:0", NULL, 0, CNET_ENOSUITABLE, "listen tcp6: address ::ffff:127.0.0.1: no suitable address found"},
    {LISTEN, "tcp7", ":0", NULL, 0, CNET_EUNKNOWNNET, "listen tcp7: unknown network tcp7"},
    {LISTEN, "Tcp", ":0", NULL, 0, CNET_EUNKNOWNNET, "listen Tcp: unknown network Tcp"},
    {LISTEN, " tcp", ":0", NULL, 0, CNET_EUNKNOWNNET, "listen  tcp: unknown network  tcp"},
    {LISTEN, "tcp ", ":0", NULL, 0, CNET_EUNKNOWNNET, "listen tcp : unknown network tcp "},
    {LISTEN, "unixgram", "/tmp/x", NULL, 0, CNET_EADDRTYPE, "listen unixgram /tmp/x: address /tmp/x: unexpected address type"},
    {LISTEN, "udp", ":0", NULL, 0, CNET_EADDRTYPE, "listen udp :0: address :0: unexpected address type"},
    {LISTEN, "ip4:tcp", "127.0.0.1", NULL, 0, CNET_EADDRTYPE, "listen ip4:tcp 127.0.0.1: address 127.0.0.1: unexpected address type"},
    {LISTEN, "", "127.0.0.1:0", NULL, 0, CNET_EUNKNOWNNET, "listen: unknown network "},
    {LISTEN, "unix", LONG_PATH, NULL, 0, -EINVAL, "listen unix " LONG_PATH ": bind: invalid argument"},
    {LISTEN, "unix", "/nonexistent-dir/s.sock", NULL, 0, -ENOENT, "listen unix /nonexistent-dir/s.sock: bind: no such file or directory"},
    {LISTEN, "unixpacket", LONG_PATH, NULL, 0, -EINVAL, "listen unixpacket " LONG_PATH ": bind: invalid argument"},
    {LISTEN, "tcp", "127.0.0.1:99999999999999999999", NULL, 0, CNET_EINVALIDPORT, "listen tcp: address 99999999999999999999: invalid port"},
    {LISTEN, "tcp", "127.0.0.1", NULL, 0, CNET_EMISSINGPORT, "listen tcp: address 127.0.0.1: missing port in address"},
    {LISTEN, "tcp6", "[fe80::1%nosuchif0]:0", NULL, 0, -EINVAL, "listen tcp6 [fe80::1%nosuchif0]:0: bind: invalid argument"},
    {LISTEN_PACKET, "udp", "127.0.0.1:70000", NULL, 0, CNET_EINVALIDPORT, "listen udp: address 70000: invalid port"},
    {LISTEN_PACKET, "udp", "127.0.0.1", NULL, 0, CNET_EMISSINGPORT, "listen udp: address 127.0.0.1: missing port in address"},
    {LISTEN_PACKET, "udp4", "[::1]:0", NULL, 0, CNET_ENOSUITABLE, "listen udp4: address ::1: no suitable address found"},
    {LISTEN_PACKET, "udp6", "127.0.0.1:0", NULL, 0, CNET_ENOSUITABLE, "listen udp6: address 127.0.0.1: no suitable address found"},
    {LISTEN_PACKET, "udp", "[::1:0", NULL, 0, CNET_EMISSINGBRACKET, "listen udp: address [::1:0: missing ']' in address"},
    {LISTEN_PACKET, "unixgram", LONG_PATH, NULL, 0, -EINVAL, "listen unixgram " LONG_PATH ": bind: invalid argument"},
    {LISTEN_PACKET, "unixgram", "/nonexistent-dir/g.sock", NULL, 0, -ENOENT, "listen unixgram /nonexistent-dir/g.sock: bind: no such file or directory"},
    {LISTEN_PACKET, "unix", "/tmp/x", NULL, 0, CNET_EADDRTYPE, "listen unix /tmp/x: address /tmp/x: unexpected address type"},
    {LISTEN_PACKET, "unixpacket", "/tmp/x", NULL, 0, CNET_EADDRTYPE, "listen unixpacket /tmp/x: address /tmp/x: unexpected address type"},
    {LISTEN_PACKET, "tcp4", "127.0.0.1:0", NULL, 0, CNET_EADDRTYPE, "listen tcp4 127.0.0.1:0: address 127.0.0.1:0: unexpected address type"},
    {LISTEN_PACKET, "udp5", ":0", NULL, 0, CNET_EUNKNOWNNET, "listen udp5: unknown network udp5"},
    {LISTEN_PACKET, "UDP", ":0", NULL, 0, CNET_EUNKNOWNNET, "listen UDP: unknown network UDP"},
    {LISTEN_PACKET, "udp", "127.0.0.1:bogus-service", NULL, 0, CNET_EUNKNOWNPORT, "listen udp: lookup udp/bogus-service: unknown port"},
    {LISTEN_REUSE, "unix", "/tmp/cnet-badinput-reuse.sock", NULL, 0, CNET_ENOTSUP, "listen unix /tmp/cnet-badinput-reuse.sock: reuse_port: not supported for unix sockets"},
    {LISTEN_REUSE, "unixpacket", "@cnet-badinput", NULL, 0, CNET_ENOTSUP, "listen unixpacket @cnet-badinput: reuse_port: not supported for unix sockets"},
    {LISTEN_REUSE, "tcp", "127.0.0.1:70000", NULL, 0, CNET_EINVALIDPORT, "listen tcp: address 70000: invalid port"},
    {LISTEN_REUSE, "foo", ":0", NULL, 0, CNET_EUNKNOWNNET, "listen foo: unknown network foo"},
    {MCAST, "udp4", "lo", "127.0.0.1:5000", 0, CNET_ENOTMULTICAST, "listen udp4 127.0.0.1:5000: not a multicast address"},
    {MCAST, "udp4", "lo", "10.0.0.1:0", 0, CNET_ENOTMULTICAST, "listen udp4 10.0.0.1:0: not a multicast address"},
    {MCAST, "udp4", "lo", "255.255.255.255:0", 0, CNET_ENOTMULTICAST, "listen udp4 255.255.255.255:0: not a multicast address"},
    {MCAST, "udp4", "lo", "0.0.0.0:0", 0, CNET_ENOTMULTICAST, "listen udp4 0.0.0.0:0: not a multicast address"},
    {MCAST, "udp6", "lo", "[::1]:0", 0, CNET_ENOTMULTICAST, "listen udp6 [::1]:0: not a multicast address"},
    {MCAST, "udp4", "nosuchif0", "239.1.1.1:0", 0, CNET_ENOINTERFACE, "listen udp4 239.1.1.1:0: interface nosuchif0: no such network interface"},
    {MCAST, "udp4", "abcdefghijklmnopqrstuvwxyz", "239.1.1.1:0", 0, CNET_ENOINTERFACE, "listen udp4 239.1.1.1:0: interface abcdefghijklmnopqrstuvwxyz: no such network interface"},
    {MCAST, "udp6", "lo", "239.1.1.1:0", 0, CNET_ENOSUITABLE, "listen udp6: address 239.1.1.1: no suitable address found"},
    {MCAST, "udp4", "lo", "[ff02::1]:0", 0, CNET_ENOSUITABLE, "listen udp4: address ff02::1: no suitable address found"},
    {MCAST, "tcp", "lo", "239.1.1.1:0", 0, CNET_EUNKNOWNNET, "listen tcp 239.1.1.1:0: unknown network tcp"},
    {MCAST, "unixgram", "lo", "239.1.1.1:0", 0, CNET_EUNKNOWNNET, "listen unixgram 239.1.1.1:0: unknown network unixgram"},
    {MCAST, "udp4", "lo", "239.1.1.1", 0, CNET_EMISSINGPORT, "listen udp4: address 239.1.1.1: missing port in address"},
    {MCAST, "udp4", "lo", "239.1.1.1:70000", 0, CNET_EINVALIDPORT, "listen udp4: address 70000: invalid port"},
    {MCAST, "udp4", "lo", "", 0, CNET_EMISSINGADDR, "listen udp4 :0: missing address"},
    {MCAST, "udp4", "lo", ":0", 0, CNET_EMISSINGADDR, "listen udp4 :0: missing address"},
    {MCAST, "udp4", "lo", "239.1.1.1:x-bogus", 0, CNET_EUNKNOWNPORT, "listen udp4: lookup udp/x-bogus: unknown port"},
    {DIAL, "tcp", "127.0.0.1:65536", NULL, 0, CNET_EINVALIDPORT, "dial tcp: address 65536: invalid port"},
    {DIAL, "tcp", "127.0.0.1:", NULL, 0, -ECONNREFUSED, "dial tcp 127.0.0.1:0: connect: connection refused"},
    {DIAL, "tcp", ":", NULL, 0, -ECONNREFUSED, "dial tcp :0: connect: connection refused"},
    {DIAL, "udp", "[::1]", NULL, 0, CNET_EMISSINGPORT, "dial udp: address [::1]: missing port in address"},
    {DIAL, "tcp", "[::1]:80:", NULL, 0, CNET_ETOOMANYCOLONS, "dial tcp: address [::1]:80:: too many colons in address"},
    {DIAL, "tcp4", "[::1]:1", NULL, 0, CNET_ENOSUITABLE, "dial tcp4: address ::1: no suitable address found"},
    {DIAL, "udp4", "[::1]:1", NULL, 0, CNET_ENOSUITABLE, "dial udp4: address ::1: no suitable address found"},
    {DIAL, "tcp6", "127.0.0.1:1", NULL, 0, CNET_ENOSUITABLE, "dial tcp6: address 127.0.0.1: no suitable address found"},
    {DIAL, "unix", LONG_PATH, NULL, 0, -EINVAL, "dial unix " LONG_PATH ": connect: invalid argument"},
    {DIAL, "unix", "/nonexistent-dir/s.sock", NULL, 0, -ENOENT, "dial unix /nonexistent-dir/s.sock: connect: no such file or directory"},
    {DIAL, "unixgram", "/nonexistent-dir/g.sock", NULL, 0, -ENOENT, "dial unixgram /nonexistent-dir/g.sock: connect: no such file or directory"},
    {DIAL, "unixpacket", "/nonexistent-dir/p.sock", NULL, 0, -ENOENT, "dial unixpacket /nonexistent-dir/p.sock: connect: no such file or directory"},
    {DIAL, "ip", "127.0.0.1", NULL, 0, CNET_EUNKNOWNNET, "dial ip: unknown network ip"},
    {DIAL, "tcp", "[fe80::1%nosuchif0]:80x", NULL, 0, CNET_EUNKNOWNPORT, "dial tcp: lookup tcp/80x: unknown port"},
    {DIAL, "sctp", "127.0.0.1:1", NULL, 0, CNET_EUNKNOWNNET, "dial sctp: unknown network sctp"},
    {DIAL, "udp", "127.0.0.1:-80", NULL, 0, CNET_EINVALIDPORT, "dial udp: address -80: invalid port"},
    {DIAL, "tcp", "1.2.3.4:http-bogus", NULL, 0, CNET_EUNKNOWNPORT, "dial tcp: lookup tcp/http-bogus: unknown port"},
    /* issue 11, item 6: no length limits Go does not have */
    {DIAL, "tcp", "127.0.0.1:" ZEROS70 "1", NULL, 0, -ECONNREFUSED, "dial tcp 127.0.0.1:1: connect: connection refused"},
    {DIAL, "tcp", DIGITS230 ":1", NULL, 0, CNET_ENOHOST, "dial tcp: lookup " DIGITS230 ": no such host"},
    /* issue 11, item 7: zones split at the last '%', kept as written, indexed as Go's dtoi */
    {LISTEN, "tcp", "[::1%%]:0", NULL, 0, CNET_ENOHOST, "listen tcp: lookup ::1%%: no such host"},
    {LISTEN, "tcp", "[fe80::1%lo%lo]:0", NULL, 0, CNET_ENOHOST, "listen tcp: lookup fe80::1%lo%lo: no such host"},
    {LISTEN, "tcp6", "[fe80::1%1abc]:0", NULL, 0, -EADDRNOTAVAIL, "listen tcp6 [fe80::1%1abc]:0: bind: cannot assign requested address"},
    {LISTEN, "tcp6", "[::1%" Z64 "]:0", NULL, 0, CNET_EINVALIDADDR, "listen tcp6: address ::1%" Z64 ": invalid address"},
    {DIAL, "tcp6", "[::1%" Z63 "]:1", NULL, 0, -ECONNREFUSED, "dial tcp6 [::1%" Z63 "]:1: connect: connection refused"},
    {DIAL, "tcp", "[::ffff:127.0.0.1%lo]:1", NULL, 0, -ECONNREFUSED, "dial tcp 127.0.0.1%lo:1: connect: connection refused"},
    /* issue 11, item 8: numbers that are no Go IP literal are names that do not exist */
    {DIAL, "tcp", "0177.0.0.1:1", NULL, 0, CNET_ENOHOST, "dial tcp: lookup 0177.0.0.1: no such host"},
    {DIAL, "udp", "0177.0.0.1:9", NULL, 0, CNET_ENOHOST, "dial udp: lookup 0177.0.0.1: no such host"},
    {LISTEN, "tcp", "0127.0.0.1:0", NULL, 0, CNET_ENOHOST, "listen tcp: lookup 0127.0.0.1: no such host"},
    {LISTEN, "tcp", "127.1:0", NULL, 0, CNET_ENOHOST, "listen tcp: lookup 127.1: no such host"},
    {LISTEN, "tcp", "2130706433:0", NULL, 0, CNET_ENOHOST, "listen tcp: lookup 2130706433: no such host"},
    {LISTEN, "tcp", "0x7f.0.0.1:0", NULL, 0, CNET_ENOHOST, "listen tcp: lookup 0x7f.0.0.1: no such host"},
    {LISTEN, "tcp", "0:0", NULL, 0, CNET_ENOHOST, "listen tcp: lookup 0: no such host"},
    {LISTEN_PACKET, "udp", "127.1:0", NULL, 0, CNET_ENOHOST, "listen udp: lookup 127.1: no such host"},
    {WRITE_TO, "127.1:9", NULL, NULL, 0, CNET_ENOHOST, "write udp4: lookup 127.1: no such host"},
    {DIAL_LOCAL, "tcp", "127.0.0.1:1", "0177.0.0.1:0", 0, CNET_ENOHOST, "dial tcp: lookup 0177.0.0.1: no such host"},
    {DIAL_LOCAL, "tcp", "127.0.0.1:1", "127.0.0.1:99999", 0, CNET_EINVALIDPORT, "dial tcp: address 99999: invalid port"},
    {DIAL_LOCAL, "tcp", "127.0.0.1:1", "127.0.0.1", 0, CNET_EMISSINGPORT, "dial tcp: address 127.0.0.1: missing port in address"},
    {DIAL_LOCAL, "tcp4", "127.0.0.1:1", "[::1]:0", 0, CNET_ENOSUITABLE, "dial tcp4: address [::1]:0: no suitable address found"},
    {DIAL_LOCAL, "tcp6", "[::1]:1", "127.0.0.1:0", 0, CNET_ENOSUITABLE, "dial tcp6: address 127.0.0.1:0: no suitable address found"},
    {DIAL_LOCAL, "udp", "127.0.0.1:1", "[::1:0", 0, CNET_EMISSINGBRACKET, "dial udp: address [::1:0: missing ']' in address"},
    {DIAL_LOCAL, "unix", "/nonexistent-dir/s.sock", LONG_PATH, 0, -EINVAL, "dial unix " LONG_PATH ": bind: invalid argument"},
    {DIAL_DEADLINE, "tcp", "127.0.0.1:1", NULL, 0, CNET_EDIALTIMEOUT, "dial tcp 127.0.0.1:1: i/o timeout"},
    {DIAL_DEADLINE, "udp", "[::1]:1", NULL, 0, CNET_EDIALTIMEOUT, "dial udp [::1]:1: i/o timeout"},
    {DIAL_DEADLINE, "tcp", "localhost:1", NULL, 0, CNET_EDIALTIMEOUT, "dial tcp: lookup localhost: i/o timeout"},
    {WRITE_TO, "", NULL, NULL, 0, -EINVAL, "write udp4 LOCAL->:0: sendto: invalid argument"},
    {WRITE_TO, "127.0.0.1", NULL, NULL, 0, CNET_EMISSINGPORT, "write udp4: address 127.0.0.1: missing port in address"},
    {WRITE_TO, "127.0.0.1:70000", NULL, NULL, 0, CNET_EINVALIDPORT, "write udp4: address 70000: invalid port"},
    {WRITE_TO, "[::1]:9", NULL, NULL, 0, CNET_ENOSUITABLE, "write udp4: address ::1: no suitable address found"},
    {WRITE_TO, "[::1:9", NULL, NULL, 0, CNET_EMISSINGBRACKET, "write udp4: address [::1:9: missing ']' in address"},
    {WRITE_TO, ":::9", NULL, NULL, 0, CNET_ETOOMANYCOLONS, "write udp4: address :::9: too many colons in address"},
    {WRITE_TO, "127.0.0.1:x-bogus", NULL, NULL, 0, CNET_EUNKNOWNPORT, "write udp4: lookup udp/x-bogus: unknown port"},
    {WRITE_TO, "/tmp/x", NULL, NULL, 0, CNET_EMISSINGPORT, "write udp4: address /tmp/x: missing port in address"},
    {WRITE_TO6, "127.0.0.1:9", NULL, NULL, 0, CNET_ENOSUITABLE, "write udp6: address 127.0.0.1: no suitable address found"},
    {WRITE_TO6, "[::1]:70000", NULL, NULL, 0, CNET_EINVALIDPORT, "write udp6: address 70000: invalid port"},
    {WRITE_TO6, "[::1]", NULL, NULL, 0, CNET_EMISSINGPORT, "write udp6: address [::1]: missing port in address"},
    {FILE_LN, "bad", NULL, NULL, 0, -EBADF, "file file+net bad: dup: bad file descriptor"},
    {FILE_LN, "pipe", NULL, NULL, 0, -ENOTSOCK, "file file+net bad: getsockopt: socket operation on non-socket"},
    {FILE_LN, "closed", NULL, NULL, 0, -EBADF, "file file+net bad: dup: bad file descriptor"},
    {FILE_LN, "tcp", NULL, NULL, 0, -EINVAL, "file file+net bad: invalid argument"},
    {FILE_LN, "udp", NULL, NULL, 0, -EINVAL, "file file+net bad: invalid argument"},
    {FILE_CONN, "bad", NULL, NULL, 0, -EBADF, "file file+net bad: dup: bad file descriptor"},
    {FILE_CONN, "pipe", NULL, NULL, 0, -ENOTSOCK, "file file+net bad: getsockopt: socket operation on non-socket"},
    {FILE_CONN, "closed", NULL, NULL, 0, -EBADF, "file file+net bad: dup: bad file descriptor"},
    {FILE_CONN, "udp", NULL, NULL, 0, -EINVAL, "file file+net bad: invalid argument"},
    {FILE_PC, "bad", NULL, NULL, 0, -EBADF, "file file+net bad: dup: bad file descriptor"},
    {FILE_PC, "pipe", NULL, NULL, 0, -ENOTSOCK, "file file+net bad: getsockopt: socket operation on non-socket"},
    {FILE_PC, "closed", NULL, NULL, 0, -EBADF, "file file+net bad: dup: bad file descriptor"},
    {FILE_PC, "tcp", NULL, NULL, 0, -EINVAL, "file file+net bad: invalid argument"},
    {ADDR_BUF, NULL, NULL, NULL, 0, CNET_ENOSPACE, NULL},
    {ADDR_BUF, NULL, NULL, NULL, 1, CNET_ENOSPACE, NULL},
    {ADDR_BUF, NULL, NULL, NULL, 5, CNET_ENOSPACE, NULL},
    {ADDR_BUF, NULL, NULL, NULL, 15, CNET_ENOSPACE, NULL},
    {ACTIVATION, "self", "abc", NULL, 0, -EINVAL, "activation: LISTEN_FDS=abc: invalid argument"},
    {ACTIVATION, "self", "-1", NULL, 0, -EINVAL, "activation: LISTEN_FDS=-1: invalid argument"},
    {ACTIVATION, "self", "99999", NULL, 0, -EINVAL, "activation: LISTEN_FDS=99999: invalid argument"},
    {ACTIVATION, "self", "", NULL, 0, -EINVAL, "activation: LISTEN_FDS=: invalid argument"},
    {ACTIVATION, "self", "1 ", NULL, 0, -EINVAL, "activation: LISTEN_FDS=1 : invalid argument"},
    {ACTIVATION, "self", "+1", NULL, 0, -EINVAL, "activation: LISTEN_FDS=+1: invalid argument"},
    {ACTIVATION, "self", "1", "a:b", 0, -EINVAL, "activation: LISTEN_FDNAMES=a:b: invalid argument"},
    {ACTIVATION, "self", "2", "a", 0, -EINVAL, "activation: LISTEN_FDNAMES=a: invalid argument"},
    {ACTIVATION, "self", "0", "x", 0, -EINVAL, "activation: LISTEN_FDNAMES=x: invalid argument"},
    {ACTIVATION, "0", "1", NULL, 0, 0, NULL},
    {ACTIVATION, "abc", "1", NULL, 0, -EINVAL, "activation: LISTEN_PID=abc: invalid argument"},
    {ACTIVATION, "1", "1", NULL, 0, 0, NULL},
    {POLICY, "plan9", NULL, NULL, 0, CNET_ENOTSUP, NULL},
    {POLICY, "", NULL, NULL, 0, CNET_ENOTSUP, NULL},
    {POLICY, "Linux", NULL, NULL, 0, 0, NULL},
    {POLICY, "windows", NULL, NULL, 0, CNET_ENOTSUP, NULL},
    {POLICY, "linux ", NULL, NULL, 0, CNET_ENOTSUP, NULL},
    {STRERROR, NULL, NULL, NULL, 0, 0, "success"},
    {STRERROR, NULL, NULL, NULL, -1, 0, "operation not permitted"},
    {STRERROR, NULL, NULL, NULL, -98, 0, "address already in use"},
    {STRERROR, NULL, NULL, NULL, 1, 0, "unknown error 1"},
    {STRERROR, NULL, NULL, NULL, -30000, 0, "unknown error -30000"},
    {STRERROR, NULL, NULL, NULL, -30024, 0, "unknown IP protocol specified"},
    {STRERROR, NULL, NULL, NULL, -30999, 0, "unknown error -30999"},
    {STRERROR, NULL, NULL, NULL, -30001, 0, "use of closed network connection"},
    {STRERROR, NULL, NULL, NULL, -30023, 0, "i/o timeout"},
    {STRERROR, NULL, NULL, NULL, -2147483648, 0, "unknown error -2147483648"},
    {STRERROR, NULL, NULL, NULL, 2147483647, 0, "unknown error 2147483647"},
    {STRERROR, NULL, NULL, NULL, -4095, 0, "errno 4095"},
    {STRERROR, NULL, NULL, NULL, -200, 0, "errno 200"},
    {STRERROR, NULL, NULL, NULL, -133, 0, "errno 133"},
    {STRERROR, NULL, NULL, NULL, -134, 0, "errno 134"},
    {NULLS, "dial_with d", NULL, NULL, 0, -ECONNREFUSED, "dial tcp 127.0.0.1:1: connect: connection refused"},
    {NULLS, "dial_with network", NULL, NULL, 0, -EINVAL, "dial: invalid argument: network is NULL"},
    {NULLS, "dial_with address", NULL, NULL, 0, -EINVAL, "dial: invalid argument: address is NULL"},
    {NULLS, "dial_with c", NULL, NULL, 0, -EINVAL, "dial: invalid argument: c is NULL"},
    {NULLS, "listen_with network", NULL, NULL, 0, -EINVAL, "listen: invalid argument: network is NULL"},
    {NULLS, "listen_with ln", NULL, NULL, 0, -EINVAL, "listen: invalid argument: ln is NULL"},
    {NULLS, "listen_packet_with pc", NULL, NULL, 0, -EINVAL, "listen: invalid argument: pc is NULL"},
    {NULLS, "file_listener ln", NULL, NULL, 0, -EINVAL, "file: invalid argument: ln is NULL"},
    {NULLS, "file_conn c", NULL, NULL, 0, -EINVAL, "file: invalid argument: c is NULL"},
    {NULLS, "file_packet_conn pc", NULL, NULL, 0, -EINVAL, "file: invalid argument: pc is NULL"},
    {NULLS, "listeners_from_env act", NULL, NULL, 0, -EINVAL, "activation: invalid argument: act is NULL"},
    {NULLS, "activation_listener act", NULL, NULL, 0, -EINVAL, "activation: invalid argument: act is NULL"},
    {NULLS, "activation_packet_conn act", NULL, NULL, 0, -EINVAL, "activation: invalid argument: act is NULL"},
    {NULLS, "restart_exec path", NULL, NULL, 0, -EINVAL, "exec: invalid argument: path is NULL"},
    {NULLS, "restart_exec argv", NULL, NULL, 0, -EINVAL, "exec: invalid argument: argv is NULL"},
    {NULLS, "restart_exec lns", NULL, NULL, 0, -EINVAL, "exec: invalid argument: lns (or n > 64) is NULL"},
    {NULLS, "restart_exec pid", NULL, NULL, 0, -EINVAL, "exec: invalid argument: pid is NULL"},
    {NULLS, "conn_set_deadline", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "conn_set_read_deadline", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "conn_set_write_deadline", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "packet_set_deadline", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "listener_set_deadline", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "conn_close_read", NULL, NULL, 0, -EINVAL, "close: invalid argument: c is NULL"},
    {NULLS, "conn_close_write", NULL, NULL, 0, -EINVAL, "close: invalid argument: c is NULL"},
    {NULLS, "conn_set_nodelay", NULL, NULL, 0, -EINVAL, "set: invalid argument: c is NULL"},
    {NULLS, "conn_set_keepalive", NULL, NULL, 0, -EINVAL, "set: invalid argument: c is NULL"},
    {NULLS, "conn_set_linger", NULL, NULL, 0, -EINVAL, "set: invalid argument: c is NULL"},
    {NULLS, "conn_set_read_buffer", NULL, NULL, 0, -EINVAL, "set: invalid argument: c is NULL"},
    {NULLS, "conn_local_addr", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "conn_remote_addr", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "conn_fd", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "conn_close", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "sockopt_policy rules", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "split host", NULL, NULL, 0, -EINVAL, "split host port: invalid argument: NULL pointer or empty buffer"},
    {NULLS, "split port", NULL, NULL, 0, -EINVAL, "split host port: invalid argument: NULL pointer or empty buffer"},
    {NULLS, "split hostport", NULL, NULL, 0, -EINVAL, "split host port: invalid argument: NULL pointer or empty buffer"},
    {NULLS, "join host", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "join port", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "join out", NULL, NULL, 0, -EINVAL, NULL},
    /* ---- addresses and interfaces (Go 1.19's netip texts; newer Go for prefix lengths) ---- */
    {PARSE_ADDR, "", NULL, NULL, 0, CNET_EINVALIDADDR, "ParseAddr(\"\"): unable to parse IP"},
    {PARSE_ADDR, "1.2.3", NULL, NULL, 0, CNET_EINVALIDADDR, "ParseAddr(\"1.2.3\"): IPv4 address too short"},
    {PARSE_ADDR, "1.2.3.04", NULL, NULL, 0, CNET_EINVALIDADDR, "ParseAddr(\"1.2.3.04\"): IPv4 field has octet with leading zero"},
    {PARSE_ADDR, "::1%", NULL, NULL, 0, CNET_EINVALIDADDR, "ParseAddr(\"::1%\"): zone must be a non-empty string"},
    {PARSE_ADDR, "%lo", NULL, NULL, 0, CNET_EINVALIDADDR, "ParseAddr(\"%lo\"): missing IPv6 address"},
    {PARSE_ADDR, "::1%" Z63, NULL, NULL, 0, 0, ""},
    {PARSE_ADDR, "::1%" Z64, NULL, NULL, 0, CNET_EINVALIDADDR, "ParseAddr(\"::1%" Z64 "\"): zone longer than cnet keeps (63 bytes)"},
    {PARSE_ADDR, DIGITS230, NULL, NULL, 0, CNET_EINVALIDADDR, "ParseAddr(\"" DIGITS230 "\"): unable to parse IP"},
    {PARSE_ADDR, LONG_HOST LONG_HOST LONG_HOST LONG_HOST ":", NULL, NULL, 0, CNET_EINVALIDADDR, NULL},
    {PARSE_ADDR, "\x01\x7f\xff:", NULL, NULL, 0, CNET_EINVALIDADDR, "ParseAddr(\"\\x01\\x7f\\xff:\"): each colon-separated field must have at least one digit (at \"\\x01\\x7f\\xff:\")"},
    {PARSE_ADDR, NULL, "s", NULL, 0, -EINVAL, "ParseAddr: invalid argument: s is NULL"},
    {PARSE_ADDR, NULL, "out", NULL, 0, -EINVAL, "ParseAddr: invalid argument: out is NULL"},
    {PARSE_PREFIX, "", NULL, NULL, 0, CNET_EINVALIDADDR, "netip.ParsePrefix(\"\"): no '/'"},
    {PARSE_PREFIX, "/", NULL, NULL, 0, CNET_EINVALIDADDR, "netip.ParsePrefix(\"/\"): ParseAddr(\"\"): unable to parse IP"},
    {PARSE_PREFIX, "::/129", NULL, NULL, 0, CNET_EINVALIDADDR, "netip.ParsePrefix(\"::/129\"): prefix length out of range"},
    {PARSE_PREFIX, "::/00", NULL, NULL, 0, CNET_EINVALIDADDR, "netip.ParsePrefix(\"::/00\"): bad bits after slash: \"00\""},
    {PARSE_PREFIX, "::/" DIGITS230, NULL, NULL, 0, CNET_EINVALIDADDR, "netip.ParsePrefix(\"::/" DIGITS230 "\"): bad bits after slash: \"" DIGITS230 "\""},
    {PARSE_PREFIX, "::/1 ", NULL, NULL, 0, CNET_EINVALIDADDR, "netip.ParsePrefix(\"::/1 \"): bad bits after slash: \"1 \""},
    {PARSE_PREFIX, NULL, "s", NULL, 0, -EINVAL, "ParsePrefix: invalid argument: s is NULL"},
    {ADDR_PREFIX, "1.2.3.4", NULL, NULL, 33, -EINVAL, "prefix length 33 too large for IPv4"},
    {ADDR_PREFIX, "::", NULL, NULL, 129, -EINVAL, "prefix length 129 too large for IPv6"},
    {ADDR_PREFIX, "::", NULL, NULL, -1, -EINVAL, "negative Prefix bits"},
    {IF_NAME, "", NULL, NULL, 0, -EINVAL, "route ip+net: invalid network interface name"},
    {IF_NAME, "nosuch0", NULL, NULL, 0, CNET_ENOINTERFACE, "route ip+net: no such network interface"},
    {IF_NAME, LONG_HOST, NULL, NULL, 0, CNET_ENOINTERFACE, "route ip+net: no such network interface"},
    {IF_NAME, NULL, NULL, NULL, 0, -EINVAL, "route: invalid argument: name is NULL"},
    {IF_INDEX, NULL, NULL, NULL, 0, -EINVAL, "route ip+net: invalid network interface index"},
    {IF_INDEX, NULL, NULL, NULL, -2147483647 - 1, -EINVAL, "route ip+net: invalid network interface index"},
    {IF_INDEX, NULL, NULL, NULL, 2147483647, CNET_ENOINTERFACE, "route ip+net: no such network interface"},
    /* ---- lookups: names no query is made for, as Go's isDomainName; bad arguments ---- */
    {LOOKUP, "host", "", NULL, 0, CNET_ENOHOST, "lookup : no such host"},
    {LOOKUP, "host", "bad..name", NULL, 0, CNET_ENOHOST, "lookup bad..name: no such host"},
    {LOOKUP, "host", "-x.test", NULL, 0, CNET_ENOHOST, "lookup -x.test: no such host"},
    {LOOKUP, "host", "a b", NULL, 0, CNET_ENOHOST, "lookup a b: no such host"},
    {LOOKUP, "host", LONG_HOST, NULL, 0, CNET_ENOHOST, "lookup " LONG_HOST ": no such host"},
    {LOOKUP, "ip", "tcp", "localhost", 0, CNET_EUNKNOWNNET, "unknown network tcp"},
    {LOOKUP, "ip", "", "localhost", 0, CNET_EUNKNOWNNET, "unknown network "},
    {LOOKUP, "ip", "ip4", "bad..name", 0, CNET_ENOHOST, "lookup bad..name: no such host"},
    {LOOKUP, "ip", "ip6", "127.0.0.1", 0, CNET_ENOSUITABLE, "address 127.0.0.1: no suitable address found"},
    {LOOKUP, "addr", "bad", NULL, 0, -EINVAL, "lookup bad: unrecognized address"},
    {LOOKUP, "addr", "", NULL, 0, -EINVAL, "lookup : unrecognized address"},
    {LOOKUP, "addr", "1.2.3.4.5", NULL, 0, -EINVAL, "lookup 1.2.3.4.5: unrecognized address"},
    {LOOKUP, "cname", "a..b", NULL, 0, CNET_ENOHOST, "lookup a..b: no such host"},
    {LOOKUP, "srv", "http", "bad..name", 0, CNET_ENOHOST, "lookup _http._tcp.bad..name: no such host"},
    {LOOKUP, "mx", "x-.test", NULL, 0, CNET_ENOHOST, "lookup x-.test: no such host"},
    {LOOKUP, "txt", "", NULL, 0, CNET_ENOHOST, "lookup : no such host"},
    {LOOKUP, "txt", "1.2.3.4", NULL, 0, CNET_ENOHOST, "lookup 1.2.3.4: no such host"},
    {LOOKUP, "ns", "a\x01b", NULL, 0, CNET_ENOHOST, "lookup a\x01b: no such host"},
    {LOOKUP, "port", "tcp", "nosuch", 0, CNET_EUNKNOWNPORT, "lookup tcp/nosuch: unknown port"},
    {LOOKUP, "port", "udp", "65536", 0, CNET_EINVALIDPORT, "address 65536: invalid port"},
    {LOOKUP, "port", "ip", "http", 0, CNET_EUNKNOWNNET, "address ip: unknown network"},
    {LOOKUP, "port", "unix", "http", 0, CNET_EUNKNOWNNET, "address unix: unknown network"},
    {NULLS, "lookup_host host", NULL, NULL, 0, -EINVAL, "lookup: invalid argument: host is NULL"},
    {NULLS, "lookup_txt txts", NULL, NULL, 0, -EINVAL, "lookup: invalid argument: txts is NULL"},
    {NULLS, "lookup_srv proto", NULL, NULL, 0, -EINVAL, "lookup: invalid argument: proto is NULL"},
    {NULLS, "lookup_port service", NULL, NULL, 0, -EINVAL, "lookup: invalid argument: service is NULL"},
    {STRERROR, NULL, NULL, NULL, CNET_ESERVERTEMP, 0, "server misbehaving"},
    {STRERROR, NULL, NULL, NULL, CNET_ECANCELED, 0, "operation was canceled"},
    {STRERROR, NULL, NULL, NULL, CNET_EBADRECORDS, 0, "DNS response contained records which contain invalid names"},
    /* ---- message I/O: datagrams ---- */
    {NULLS, "read_msg pc", NULL, NULL, 0, -EINVAL, "read: invalid argument: pc is NULL"},
    {NULLS, "read_msg m", NULL, NULL, 0, -EINVAL, "read: invalid argument: msg is NULL"},
    {NULLS, "read_msg buf", NULL, NULL, 0, -EINVAL, "read: invalid argument: msg.buf is NULL"},
    {NULLS, "write_msg pc", NULL, NULL, 0, -EINVAL, "write: invalid argument: pc is NULL"},
    {NULLS, "write_msg m", NULL, NULL, 0, -EINVAL, "write: invalid argument: msg is NULL"},
    {NULLS, "read_batch ms", NULL, NULL, 0, -EINVAL, "read: invalid argument: msg is NULL"},
    {NULLS, "write_batch ms", NULL, NULL, 0, -EINVAL, "write: invalid argument: msg is NULL"},
    {NULLS, "write_batch buf", NULL, NULL, 0, -EINVAL, "write: invalid argument: msg.buf is NULL"},
    {NULLS, "set_control pc", NULL, NULL, 0, -EINVAL, "set: invalid argument: pc is NULL"},
    {NULLS, "gso_supported pc", NULL, NULL, 0, -EINVAL, NULL},
    {MSG, "write", "", NULL, 0, CNET_EMISSINGADDR, "write udp4 LOCAL: missing address"},
    {MSG, "batch", "", NULL, 0, CNET_EMISSINGADDR, "write udp4 LOCAL: missing address"},
    {MSG, "write", "127.0.0.1:70000", NULL, 0, CNET_EINVALIDPORT, "write udp4: address 70000: invalid port"},
    {MSG, "write", "127.0.0.1", NULL, 0, CNET_EMISSINGPORT, "write udp4: address 127.0.0.1: missing port in address"},
    {MSG, "write", "[::1]:9", NULL, 0, CNET_ENOSUITABLE, "write udp4: address ::1: no suitable address found"},
    {MSG, "write", "127.0.0.1:9", "not-an-ip", 0, -EINVAL, "write udp4 LOCAL->127.0.0.1:9: sendmsg: invalid argument"},
    {MSG, "write", "127.0.0.1:9", "::1", 0, -EINVAL, "write udp4 LOCAL->127.0.0.1:9: sendmsg: invalid argument"},
    {MSG, "batch", "127.0.0.1:9", "::1", 0, -EINVAL, "write udp4 LOCAL->127.0.0.1:9: sendmsg: invalid argument"},
    {MSG, "control", NULL, NULL, 0x40, -EINVAL, "set udp4: invalid argument: unknown control flags"},
    {MSG, "control", NULL, NULL, -1, -EINVAL, "set udp4: invalid argument: unknown control flags"},
    {MSG, "unixgram", NULL, NULL, 0, CNET_EADDRTYPE, "read unixgram LOCAL: unexpected address type"},
    /* ---- message I/O: streams and unix ---- */
    {NULLS, "msgio writev c", NULL, NULL, 0, -EINVAL, "writev: invalid argument: c is NULL"},
    {NULLS, "msgio writev iovcnt", NULL, NULL, 0, -EINVAL, "writev tcp: invalid argument: iovcnt < 0, or a NULL iov or base with a length"},
    {NULLS, "msgio writev iov", NULL, NULL, 0, -EINVAL, "writev tcp: invalid argument: iovcnt < 0, or a NULL iov or base with a length"},
    {NULLS, "msgio writev base", NULL, NULL, 0, -EINVAL, "writev tcp: invalid argument: iovcnt < 0, or a NULL iov or base with a length"},
    {NULLS, "msgio sendfile c", NULL, NULL, 0, -EINVAL, "readfrom: invalid argument: c is NULL"},
    {NULLS, "msgio sendfile fd", NULL, NULL, 0, -EINVAL, "readfrom tcp: invalid argument: fd < 0"},
    {NULLS, "msgio sendfile offset", NULL, NULL, 0, -EINVAL, "readfrom tcp: invalid argument: offset < -1"},
    {NULLS, "msgio sendfile closed fd", NULL, NULL, 0, -EBADF, NULL},
    {NULLS, "msgio copy dst", NULL, NULL, 0, -EINVAL, "readfrom: invalid argument: dst is NULL"},
    {NULLS, "msgio copy src", NULL, NULL, 0, -EINVAL, "readfrom: invalid argument: src is NULL"},
    {NULLS, "msgio copy self", NULL, NULL, 0, -EINVAL, "readfrom tcp: invalid argument: src is dst"},
    {NULLS, "msgio send_fds c", NULL, NULL, 0, -EINVAL, "write: invalid argument: c is NULL"},
    {NULLS, "msgio send_fds buf", NULL, NULL, 0, -EINVAL, "write: invalid argument: buf is NULL"},
    {NULLS, "msgio send_fds fds", NULL, NULL, 0, -EINVAL, "write: invalid argument: fds is NULL"},
    {NULLS, "msgio send_fds 254", NULL, NULL, 0, -EINVAL, "write unix: invalid argument: more than 253 descriptors"},
    {NULLS, "msgio send_fds bad fd", NULL, NULL, 0, -EBADF, NULL},
    {NULLS, "msgio recv_fds c", NULL, NULL, 0, -EINVAL, "read: invalid argument: c is NULL"},
    {NULLS, "msgio recv_fds buf", NULL, NULL, 0, -EINVAL, "read: invalid argument: buf is NULL"},
    {NULLS, "msgio recv_fds n", NULL, NULL, 0, -EINVAL, "read: invalid argument: n is NULL"},
    {NULLS, "msgio recv_fds nfds", NULL, NULL, 0, -EINVAL, "read: invalid argument: nfds is NULL"},
    {NULLS, "msgio recv_fds fds", NULL, NULL, 0, -EINVAL, "read: invalid argument: fds is NULL"},
    {NULLS, "msgio recv_fds len", NULL, NULL, 0, -EINVAL, "read unix: invalid argument: len is 0"},
    {NULLS, "msgio peer_cred c", NULL, NULL, 0, -EINVAL, "peercred: invalid argument: c is NULL"},
    {NULLS, "msgio peer_cred cred", NULL, NULL, 0, -EINVAL, "peercred: invalid argument: cred is NULL"},
    {NULLS, "msgio listener_send c", NULL, NULL, 0, -EINVAL, "write: invalid argument: c is NULL"},
    {NULLS, "msgio listener_send ln", NULL, NULL, 0, -EINVAL, "write: invalid argument: ln is NULL"},
    {NULLS, "msgio listener_send name", NULL, NULL, 0, -EINVAL, "write: invalid argument: name is NULL"},
    {NULLS, "msgio listener_send empty", NULL, NULL, 0, -EINVAL, "write unix: invalid argument: a listener's name is 1 to 255 bytes without ':'"},
    {NULLS, "msgio listener_send colon", NULL, NULL, 0, -EINVAL, "write unix: invalid argument: a listener's name is 1 to 255 bytes without ':'"},
    {NULLS, "msgio listener_send 256", NULL, NULL, 0, -EINVAL, "write unix: invalid argument: a listener's name is 1 to 255 bytes without ':'"},
    {NULLS, "msgio listener_recv c", NULL, NULL, 0, -EINVAL, "read: invalid argument: c is NULL"},
    {NULLS, "msgio listener_recv ln", NULL, NULL, 0, -EINVAL, "read: invalid argument: ln is NULL"},
    {NULLS, "msgio listener_recv name", NULL, NULL, 0, -EINVAL, "read: invalid argument: name is NULL"},
    {NULLS, "msgio notify fds", NULL, NULL, 0, -EINVAL, "notify: invalid argument: fds is NULL"},
    {NULLS, "msgio notify 0", NULL, NULL, 0, -EINVAL, "notify unixgram: invalid argument: 1 to 253 descriptors"},
    {NULLS, "msgio notify 254", NULL, NULL, 0, -EINVAL, "notify unixgram: invalid argument: 1 to 253 descriptors"},
    {NULLS, "msgio notify colon", NULL, NULL, 0, -EINVAL, "notify unixgram: invalid argument: a name is 1 to 255 bytes without ':'"},
    {NULLS, "msgio notify vsock", NULL, NULL, 0, -EAFNOSUPPORT, "notify unixgram vsock:2:1: address family not supported by protocol"},
    {NULLS, "msgio notify relative", NULL, NULL, 0, -EAFNOSUPPORT, "notify unixgram run/notify: address family not supported by protocol"},
    {NULLS, "msgio notify long", NULL, NULL, 0, -EINVAL, NULL},
    {NULLS, "msgio notify unset", NULL, NULL, 0, 0, NULL},
    /* ---- end of message I/O: streams and unix ---- */
};

/* ---- running a row ------------------------------------------------------------------ */

/* A descriptor of the kind a row names; -1 for "bad". */
static int make_fd(const char *what, int extra[2])
{
    cnet_error err;
    extra[0] = extra[1] = -1;
    if (!strcmp(what, "pipe")) {
        assert_int_equal(pipe(extra), 0);
        return extra[0];
    }
    if (!strcmp(what, "udp"))
        return socket(AF_INET, SOCK_DGRAM, 0);
    if (!strcmp(what, "tcp")) /* a stream socket that neither listens nor is connected */
        return socket(AF_INET, SOCK_STREAM, 0);
    if (!strcmp(what, "closed")) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        close(fd);
        return fd;
    }
    (void)err;
    return -1;
}

static void close_fds(int fd, int extra[2])
{
    if (extra[0] >= 0) {
        close(extra[0]);
        close(extra[1]);
    } else if (fd >= 0 && fcntl(fd, F_GETFD) >= 0) {
        close(fd);
    }
}

static int run_file(const row *r, cnet_error *err)
{
    int extra[2];
    int fd = make_fd(r->a, extra);
    cnet_listener *ln = NULL;
    cnet_conn *c = NULL;
    cnet_packet_conn *pc = NULL;
    int rc = r->k == FILE_LN     ? cnet_file_listener(fd, "bad", &ln, err)
             : r->k == FILE_CONN ? cnet_file_conn(fd, "bad", &c, err)
                                 : cnet_file_packet_conn(fd, "bad", &pc, err);
    assert_null(ln);
    assert_null(c);
    assert_null(pc);
    close_fds(fd, extra);
    return rc;
}

static int run_activation(const row *r, cnet_error *err)
{
    char pid[32];
    cnet_activation *act = (cnet_activation *)&act;
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    setenv("LISTEN_PID", !strcmp(r->a, "self") ? pid : r->a, 1);
    setenv("LISTEN_FDS", r->b, 1);
    if (r->c != NULL)
        setenv("LISTEN_FDNAMES", r->c, 1);
    int rc = cnet_listeners_from_env(&act, err);
    if (rc >= 0) {
        err->code = rc; /* a count, not an error: the row's code is the count */
        err->msg[0] = '\0';
    }
    cnet_activation_free(rc >= 0 ? act : NULL);
    assert_null(getenv("LISTEN_FDS")); /* unset whatever happened */
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDNAMES");
    return rc;
}

static int run_write_to(const row *r, cnet_error *err)
{
    cnet_packet_conn *pc = tu_listen_packet(r->k == WRITE_TO ? "udp4" : "udp6",
                                            r->k == WRITE_TO ? "127.0.0.1:0" : "[::1]:0");
    char local[CNET_ADDRSTRLEN];
    tu_packet_addr(pc, local, sizeof local);
    ssize_t n = cnet_packet_write_to(pc, "x", 1, r->a, err);
    cnet_packet_close(pc);
    /* the message names our port: make it stable for the table */
    char *port = strstr(err->msg, local);
    if (port != NULL) {
        char rest[CNET_ERROR_MAX];
        snprintf(rest, sizeof rest, "%s", port + strlen(local));
        snprintf(port, sizeof err->msg - (size_t)(port - err->msg), "LOCAL%s", rest);
    }
    return (int)n;
}

/* ---- message I/O: datagrams ---- */
static void stable_local(cnet_error *err, const char *local)
{
    char *at = local[0] != '\0' ? strstr(err->msg, local) : NULL;
    if (at != NULL) {
        char rest[CNET_ERROR_MAX];
        snprintf(rest, sizeof rest, "%s", at + strlen(local));
        snprintf(at, sizeof err->msg - (size_t)(at - err->msg), "LOCAL%s", rest);
    }
}

static int run_msg(const row *r, cnet_error *err)
{
    int unixgram = !strcmp(r->a, "unixgram");
    cnet_packet_conn *pc = unixgram ? tu_listen_packet("unixgram", "")
                                    : tu_listen_packet("udp4", "127.0.0.1:0");
    char local[CNET_ADDRSTRLEN], buf[4];
    cnet_msg m = {.buf = buf, .len = sizeof buf};
    int rc;
    assert_true(cnet_packet_local_addr(pc, local, sizeof local) >= 0);
    if (r->b != NULL)
        snprintf(m.addr, sizeof m.addr, "%s", r->b);
    if (r->c != NULL) {
        m.ctl.flags = CNET_MSG_LOCAL_IP;
        snprintf(m.ctl.local_ip, sizeof m.ctl.local_ip, "%s", r->c);
    }
    if (unixgram)
        rc = (int)cnet_packet_read_msg(pc, &m, err);
    else if (!strcmp(r->a, "control"))
        rc = cnet_packet_set_control(pc, (unsigned)r->n, 1, err);
    else if (!strcmp(r->a, "batch"))
        rc = cnet_packet_write_batch(pc, &m, 1, NULL, NULL, err);
    else
        rc = (int)cnet_packet_write_msg(pc, &m, err);
    cnet_packet_close(pc);
    stable_local(err, local);
    return rc;
}

static int run_msg_nulls(const char *w, cnet_error *err)
{
    cnet_packet_conn *pc = tu_listen_packet("udp4", "127.0.0.1:0");
    cnet_msg m = {.buf = NULL, .len = 4};
    int rc = 1;
    snprintf(m.addr, sizeof m.addr, "127.0.0.1:9");
    if (!strcmp(w, "read_msg pc"))
        rc = (int)cnet_packet_read_msg(NULL, &m, err);
    else if (!strcmp(w, "read_msg m"))
        rc = (int)cnet_packet_read_msg(pc, NULL, err);
    else if (!strcmp(w, "read_msg buf"))
        rc = (int)cnet_packet_read_msg(pc, &m, err);
    else if (!strcmp(w, "write_msg pc"))
        rc = (int)cnet_packet_write_msg(NULL, &m, err);
    else if (!strcmp(w, "write_msg m"))
        rc = (int)cnet_packet_write_msg(pc, NULL, err);
    else if (!strcmp(w, "read_batch ms"))
        rc = cnet_packet_read_batch(pc, NULL, 1, err);
    else if (!strcmp(w, "write_batch ms"))
        rc = cnet_packet_write_batch(pc, NULL, 1, NULL, NULL, err);
    else if (!strcmp(w, "write_batch buf"))
        rc = cnet_packet_write_batch(pc, &m, 1, NULL, NULL, err);
    else if (!strcmp(w, "set_control pc"))
        rc = cnet_packet_set_control(NULL, CNET_MSG_TOS, 1, err);
    else if (!strcmp(w, "gso_supported pc"))
        rc = cnet_packet_gso_supported(NULL);
    cnet_packet_close(pc);
    return rc;
}

static int run_addr_buf(const row *r, cnet_error *err)
{
    char buf[64];
    memset(buf, 'x', sizeof buf);
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    int rc = cnet_listener_addr(ln, buf, (size_t)r->n);
    /* "" when it does not fit, and nothing written past len */
    if (rc < 0 && r->n > 0)
        assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[r->n], 'x');
    cnet_listener_close(ln);
    err->msg[0] = '\0';
    return rc;
}

/* ---- message I/O: streams and unix ---- */
#include <sys/uio.h>

static int run_msgio_conn(const char *w, cnet_conn *c, cnet_error *err)
{
    struct iovec bad_base = {NULL, 5};
    static int fds[CNET_MAX_FDS + 1];
    int bad = -1;
    char buf[8];
    size_t n, nfds;
    cnet_listener *ln = (cnet_listener *)buf;
    char name[300];
    if (!strcmp(w, "writev iovcnt"))
        return cnet_conn_writev(c, NULL, -1, NULL, err);
    if (!strcmp(w, "writev iov"))
        return cnet_conn_writev(c, NULL, 1, NULL, err);
    if (!strcmp(w, "writev base"))
        return cnet_conn_writev(c, &bad_base, 1, NULL, err);
    if (!strcmp(w, "sendfile fd"))
        return cnet_conn_sendfile(c, -1, 0, 1, NULL, err);
    if (!strcmp(w, "sendfile offset"))
        return cnet_conn_sendfile(c, 0, -2, 1, NULL, err);
    if (!strcmp(w, "sendfile closed fd"))
        return cnet_conn_sendfile(c, 1000, 0, 1, NULL, err);
    if (!strcmp(w, "copy dst"))
        return cnet_copy(NULL, c, 1, NULL, err);
    if (!strcmp(w, "copy src"))
        return cnet_copy(c, NULL, 1, NULL, err);
    if (!strcmp(w, "copy self"))
        return cnet_copy(c, c, 1, NULL, err);
    if (!strcmp(w, "send_fds buf"))
        return cnet_conn_send_fds(c, NULL, 1, NULL, 0, NULL, err);
    if (!strcmp(w, "send_fds fds"))
        return cnet_conn_send_fds(c, "x", 1, NULL, 1, NULL, err);
    if (!strcmp(w, "send_fds 254"))
        return cnet_conn_send_fds(c, "x", 1, fds, CNET_MAX_FDS + 1, NULL, err);
    if (!strcmp(w, "send_fds bad fd"))
        return cnet_conn_send_fds(c, "x", 1, &bad, 1, NULL, err);
    if (!strcmp(w, "recv_fds buf"))
        return cnet_conn_recv_fds(c, NULL, 1, &n, fds, 1, &nfds, err);
    if (!strcmp(w, "recv_fds n"))
        return cnet_conn_recv_fds(c, buf, 1, NULL, fds, 1, &nfds, err);
    if (!strcmp(w, "recv_fds nfds"))
        return cnet_conn_recv_fds(c, buf, 1, &n, fds, 1, NULL, err);
    if (!strcmp(w, "recv_fds fds"))
        return cnet_conn_recv_fds(c, buf, 1, &n, NULL, 1, &nfds, err);
    if (!strcmp(w, "recv_fds len"))
        return cnet_conn_recv_fds(c, buf, 0, &n, fds, 1, &nfds, err);
    if (!strcmp(w, "peer_cred cred"))
        return cnet_conn_peer_cred(c, NULL, err);
    if (!strcmp(w, "listener_send ln"))
        return cnet_listener_send(c, NULL, "x", err);
    if (!strcmp(w, "listener_send name"))
        return cnet_listener_send(c, ln, NULL, err);
    if (!strcmp(w, "listener_send empty"))
        return cnet_listener_send(c, ln, "", err);
    if (!strcmp(w, "listener_send colon"))
        return cnet_listener_send(c, ln, "a:b", err);
    if (!strcmp(w, "listener_send 256")) {
        memset(name, 'n', 256);
        name[256] = '\0';
        return cnet_listener_send(c, ln, name, err);
    }
    if (!strcmp(w, "listener_recv ln"))
        return cnet_listener_recv(c, NULL, name, sizeof name, err);
    if (!strcmp(w, "listener_recv name"))
        return cnet_listener_recv(c, (cnet_listener **)&ln, NULL, 1, err);
    fail_msg("no msgio case named %s", w);
    return 0;
}

static int run_msgio_notify(const char *w, cnet_error *err)
{
    static int fds[CNET_MAX_FDS + 1];
    char path[300];
    int rc;
    if (!strcmp(w, "notify fds"))
        return cnet_notify_fdstore("x", NULL, 1, err);
    if (!strcmp(w, "notify 0"))
        return cnet_notify_fdstore("x", fds, 0, err);
    if (!strcmp(w, "notify 254"))
        return cnet_notify_fdstore("x", fds, CNET_MAX_FDS + 1, err);
    if (!strcmp(w, "notify colon"))
        return cnet_notify_fdstore("a:b", fds, 1, err);
    snprintf(path, sizeof path, "%s", !strcmp(w, "notify vsock") ? "vsock:2:1"
                                      : !strcmp(w, "notify relative") ? "run/notify" : "/");
    if (!strcmp(w, "notify long"))
        memset(path + 1, 'p', 200), path[201] = '\0';
    if (!strcmp(w, "notify unset"))
        unsetenv("NOTIFY_SOCKET");
    else
        setenv("NOTIFY_SOCKET", path, 1);
    rc = cnet_notify_fdstore("x", fds, 1, err);
    unsetenv("NOTIFY_SOCKET");
    return rc;
}

/* w without "msgio ": the message-I/O calls, on a real tcp or unix pair where the call
 * needs a conn. */
static int run_msgio(const char *w, cnet_error *err)
{
    tu_pair p;
    int rc;
    if (!strcmp(w, "writev c"))
        return cnet_conn_writev(NULL, NULL, 0, NULL, err);
    if (!strcmp(w, "sendfile c"))
        return cnet_conn_sendfile(NULL, 0, 0, 1, NULL, err);
    if (!strcmp(w, "send_fds c"))
        return cnet_conn_send_fds(NULL, "x", 1, NULL, 0, NULL, err);
    if (!strcmp(w, "recv_fds c"))
        return cnet_conn_recv_fds(NULL, (char[1]){0}, 1, (size_t[1]){0}, NULL, 0, (size_t[1]){0}, err);
    if (!strcmp(w, "peer_cred c"))
        return cnet_conn_peer_cred(NULL, &(cnet_peer_cred){0}, err);
    if (!strcmp(w, "listener_send c"))
        return cnet_listener_send(NULL, NULL, "x", err);
    if (!strcmp(w, "listener_recv c"))
        return cnet_listener_recv(NULL, NULL, NULL, 0, err);
    if (!strncmp(w, "notify", 6))
        return run_msgio_notify(w, err);
    int unix_call = strstr(w, "fds") != NULL || strstr(w, "cred") != NULL ||
                     strstr(w, "listener") != NULL;
    tu_pair_open(&p, unix_call ? "unix" : "tcp", unix_call ? "" : "127.0.0.1:0");
    rc = run_msgio_conn(w, p.client, err);
    tu_pair_close(&p);
    return rc;
}
/* ---- end of message I/O: streams and unix ---- */

static int run_nulls(const row *r, cnet_error *err)
{
    char buf[CNET_ADDRSTRLEN];
    cnet_listener *ln = NULL;
    cnet_conn *c = NULL;
    cnet_packet_conn *pc = NULL;
    cnet_dialer d = {0};
    pid_t pid;
    const char *w = r->a;
    if (!strncmp(w, "msgio ", 6)) /* message I/O: streams and unix */
        return run_msgio(w + 6, err);
    if (!strcmp(w, "dial_with d"))
        return cnet_dial_with(NULL, "tcp", "127.0.0.1:1", &c, err);
    if (!strcmp(w, "dial_with network"))
        return cnet_dial_with(&d, NULL, "127.0.0.1:1", &c, err);
    if (!strcmp(w, "dial_with address"))
        return cnet_dial_with(&d, "tcp", NULL, &c, err);
    if (!strcmp(w, "dial_with c"))
        return cnet_dial_with(&d, "tcp", "127.0.0.1:1", NULL, err);
    if (!strcmp(w, "listen_with network"))
        return cnet_listen_with(NULL, NULL, ":0", &ln, err);
    if (!strcmp(w, "listen_with ln"))
        return cnet_listen_with(NULL, "tcp", "127.0.0.1:0", NULL, err);
    if (!strcmp(w, "listen_packet_with pc"))
        return cnet_listen_packet_with(NULL, "udp", "127.0.0.1:0", NULL, err);
    if (!strcmp(w, "file_listener ln"))
        return cnet_file_listener(0, "x", NULL, err);
    if (!strcmp(w, "file_conn c"))
        return cnet_file_conn(0, "x", NULL, err);
    if (!strcmp(w, "file_packet_conn pc"))
        return cnet_file_packet_conn(0, "x", NULL, err);
    if (!strcmp(w, "listeners_from_env act"))
        return cnet_listeners_from_env(NULL, err);
    if (!strcmp(w, "activation_listener act"))
        return cnet_activation_listener(NULL, NULL, &ln, err);
    if (!strcmp(w, "activation_packet_conn act"))
        return cnet_activation_packet_conn(NULL, NULL, &pc, err);
    if (!strcmp(w, "restart_exec path"))
        return cnet_restart_exec(NULL, (char *const[]){"x", NULL}, NULL, NULL, NULL, 0, &pid, err);
    if (!strcmp(w, "restart_exec argv"))
        return cnet_restart_exec("/bin/true", NULL, NULL, NULL, NULL, 0, &pid, err);
    if (!strcmp(w, "restart_exec lns"))
        return cnet_restart_exec("/bin/true", (char *const[]){"x", NULL}, NULL, NULL, NULL, 1, &pid, err);
    if (!strcmp(w, "restart_exec pid"))
        return cnet_restart_exec("/bin/true", (char *const[]){"x", NULL}, NULL, NULL, NULL, 0, NULL, err);
    if (!strcmp(w, "conn_set_deadline"))
        return cnet_conn_set_deadline(NULL, 0);
    if (!strcmp(w, "conn_set_read_deadline"))
        return cnet_conn_set_read_deadline(NULL, 0);
    if (!strcmp(w, "conn_set_write_deadline"))
        return cnet_conn_set_write_deadline(NULL, 0);
    if (!strcmp(w, "packet_set_deadline"))
        return cnet_packet_set_deadline(NULL, 0);
    if (!strcmp(w, "listener_set_deadline"))
        return cnet_listener_set_deadline(NULL, 0);
    if (!strcmp(w, "conn_close_read"))
        return cnet_conn_close_read(NULL, err);
    if (!strcmp(w, "conn_close_write"))
        return cnet_conn_close_write(NULL, err);
    if (!strcmp(w, "conn_set_nodelay"))
        return cnet_conn_set_nodelay(NULL, 1, err);
    if (!strcmp(w, "conn_set_keepalive"))
        return cnet_conn_set_keepalive(NULL, NULL, err);
    if (!strcmp(w, "conn_set_linger"))
        return cnet_conn_set_linger(NULL, 0, err);
    if (!strcmp(w, "conn_set_read_buffer"))
        return cnet_conn_set_read_buffer(NULL, 1, err);
    if (!strcmp(w, "conn_local_addr"))
        return cnet_conn_local_addr(NULL, buf, sizeof buf);
    if (!strcmp(w, "conn_remote_addr"))
        return cnet_conn_remote_addr(NULL, buf, sizeof buf);
    if (!strcmp(w, "conn_fd"))
        return cnet_conn_fd(NULL);
    if (!strcmp(w, "conn_close"))
        return cnet_conn_close(NULL);
    if (!strcmp(w, "sockopt_policy rules"))
        return cnet_sockopt_policy(NULL, NULL, (size_t[]){0});
    if (!strcmp(w, "split host"))
        return cnet_split_host_port("a:1", NULL, 8, buf, sizeof buf, err);
    if (!strcmp(w, "split port"))
        return cnet_split_host_port("a:1", buf, sizeof buf, NULL, 8, err);
    if (!strcmp(w, "split hostport"))
        return cnet_split_host_port(NULL, buf, sizeof buf, buf, sizeof buf, err);
    if (!strcmp(w, "join host"))
        return cnet_join_host_port(NULL, "1", buf, sizeof buf);
    if (!strcmp(w, "join port"))
        return cnet_join_host_port("a", NULL, buf, sizeof buf);
    if (!strcmp(w, "join out"))
        return cnet_join_host_port("a", "1", NULL, 8);
    if (!strcmp(w, "lookup_host host")) { /* ---- lookups ---- */
        char **list;
        return cnet_lookup_host(NULL, NULL, &list, err);
    }
    if (!strcmp(w, "lookup_txt txts"))
        return cnet_lookup_txt(NULL, "x.test", NULL, err);
    if (!strcmp(w, "lookup_srv proto")) {
        cnet_srv *srvs;
        return cnet_lookup_srv(NULL, "http", NULL, "x.test", NULL, &srvs, err);
    }
    if (!strcmp(w, "lookup_port service"))
        return cnet_lookup_port("tcp", NULL, err);
    if (strstr(w, "_msg ") != NULL || strstr(w, "_batch ") != NULL || strstr(w, "_control ") != NULL ||
        strstr(w, "gso_") != NULL)
        return run_msg_nulls(w, err); /* message I/O: datagrams */
    fail_msg("no NULL case named %s", w);
    return 0;
}

/* ---- addresses and interfaces ---- */
static int run_netip(const row *r, cnet_error *err)
{
    cnet_interfaces *list = (cnet_interfaces *)&list;
    const cnet_interface *ifi;
    cnet_addr a, zero;
    cnet_prefix p;
    int rc;

    memset(&zero, 0, sizeof zero);
    switch (r->k) {
    case PARSE_ADDR:
        if (r->a == NULL)
            return cnet_addr_parse(strcmp(r->b, "s") == 0 ? NULL : "::1",
                                   strcmp(r->b, "s") == 0 ? &a : NULL, err);
        rc = cnet_addr_parse(r->a, &a, err);
        if (rc < 0)
            assert_memory_equal(&a, &zero, sizeof a); /* the zero Addr */
        return rc;
    case PARSE_PREFIX:
        rc = cnet_prefix_parse(r->a, r->a != NULL ? &p : NULL, err);
        if (rc < 0 && r->a != NULL)
            assert_int_equal(cnet_prefix_is_valid(&p), 0);
        return rc;
    case ADDR_PREFIX:
        assert_int_equal(cnet_addr_parse(r->a, &a, NULL), 0);
        return cnet_addr_prefix(&a, (int)r->n, &p, err);
    case IF_NAME:
    case IF_INDEX:
        rc = r->k == IF_NAME ? cnet_interface_by_name(r->a, &list, &ifi, err)
                             : cnet_interface_by_index((int)r->n, &list, &ifi, err);
        assert_null(list);
        return rc;
    default:
        return 0;
    }
}

/* ---- lookups ---- */
static int run_lookup(const row *r, cnet_error *err)
{
    char **list = (char **)&list, *cname = (char *)&cname;
    cnet_srv *srvs = (cnet_srv *)&srvs;
    cnet_mx *mxs = (cnet_mx *)&mxs;
    int rc;

    if (!strcmp(r->a, "port"))
        return cnet_lookup_port(r->b, r->c, err);
    if (!strcmp(r->a, "cname")) {
        rc = cnet_lookup_cname(NULL, r->b, &cname, err);
        assert_null(cname);
        return rc;
    }
    if (!strcmp(r->a, "srv")) {
        rc = cnet_lookup_srv(NULL, r->b, "tcp", r->c, &cname, &srvs, err);
        assert_null(cname);
        assert_null(srvs);
        return rc;
    }
    if (!strcmp(r->a, "mx")) {
        rc = cnet_lookup_mx(NULL, r->b, &mxs, err);
        assert_null(mxs);
        return rc;
    }
    rc = !strcmp(r->a, "host")   ? cnet_lookup_host(NULL, r->b, &list, err)
         : !strcmp(r->a, "ip")   ? cnet_lookup_ip(NULL, r->b, r->c, &list, err)
         : !strcmp(r->a, "addr") ? cnet_lookup_addr(NULL, r->b, &list, err)
         : !strcmp(r->a, "txt")  ? cnet_lookup_txt(NULL, r->b, &list, err)
                                 : cnet_lookup_ns(NULL, r->b, &list, err);
    assert_null(list);
    return rc;
}

static int run(const row *r, cnet_error *err)
{
    char host[1024], port[16];
    cnet_listener *ln = (cnet_listener *)&ln;
    cnet_packet_conn *pc = (cnet_packet_conn *)&pc;
    cnet_conn *c = (cnet_conn *)&c;
    cnet_listen_config reuse = {.reuse_port = 1};
    cnet_dialer local = {.local_address = r->c};
    cnet_dialer past = {.deadline_ns = 1};
    int rc;

    memset(err, 'x', sizeof *err); /* whatever a call leaves unwritten shows */
    err->msg[sizeof err->msg - 1] = '\0';
    switch (r->k) {
    case SPLIT:
        memset(host, 'x', sizeof host);
        memset(port, 'x', sizeof port);
        rc = cnet_split_host_port(r->a, host, (size_t)r->n, port, sizeof port, err);
        /* on error both are "" (a host buffer of 0 bytes cannot even hold that) */
        if (rc < 0)
            assert_true((r->n == 0 || host[0] == '\0') && port[0] == '\0');
        return rc;
    case JOIN:
        err->msg[0] = '\0';
        rc = cnet_join_host_port(r->a, r->b, host, (size_t)r->n);
        if (rc < 0 && r->n > 0)
            assert_int_equal(host[0], '\0');
        return rc;
    case LISTEN:
    case LISTEN_REUSE:
        rc = r->k == LISTEN ? cnet_listen(r->a, r->b, &ln, err)
                            : cnet_listen_with(&reuse, r->a, r->b, &ln, err);
        assert_null(ln);
        return rc;
    case LISTEN_PACKET:
        rc = cnet_listen_packet(r->a, r->b, &pc, err);
        assert_null(pc);
        return rc;
    case MCAST:
        rc = cnet_listen_multicast_udp(r->a, r->b, r->c, &pc, err);
        assert_null(pc);
        return rc;
    case DIAL:
    case DIAL_LOCAL:
    case DIAL_DEADLINE:
        rc = r->k == DIAL         ? cnet_dial(r->a, r->b, &c, err)
             : r->k == DIAL_LOCAL ? cnet_dial_with(&local, r->a, r->b, &c, err)
                                  : cnet_dial_with(&past, r->a, r->b, &c, err);
        assert_null(c);
        return rc;
    case WRITE_TO:
    case WRITE_TO6:
        return run_write_to(r, err);
    case FILE_LN:
    case FILE_CONN:
    case FILE_PC:
        return run_file(r, err);
    case ADDR_BUF:
        return run_addr_buf(r, err);
    case ACTIVATION:
        return run_activation(r, err);
    case POLICY: {
        const cnet_sockopt_rule *rules = (const cnet_sockopt_rule *)&rules;
        size_t n = 99;
        err->msg[0] = '\0';
        return cnet_sockopt_policy(r->a, &rules, &n);
    }
    case STRERROR:
        snprintf(err->msg, sizeof err->msg, "%s", cnet_strerror((int)r->n));
        return 0;
    case NULLS:
        return run_nulls(r, err);
    case PARSE_ADDR: /* ---- addresses and interfaces ---- */
    case PARSE_PREFIX:
    case ADDR_PREFIX:
    case IF_NAME:
    case IF_INDEX:
        return run_netip(r, err);
    case LOOKUP:
        return run_lookup(r, err);
    case MSG:
        return run_msg(r, err);
    }
    return 0;
}

static const char *const kind_names[] = { /* for failure messages */
    "SPLIT", "JOIN", "LISTEN", "LISTEN_PACKET", "LISTEN_REUSE", "MCAST", "DIAL", "DIAL_LOCAL",
    "DIAL_DEADLINE", "WRITE_TO", "WRITE_TO6", "FILE_LN", "FILE_CONN", "FILE_PC", "ADDR_BUF",
    "ACTIVATION", "POLICY", "STRERROR", "NULLS",
    "PARSE_ADDR", "PARSE_PREFIX", "ADDR_PREFIX", "IF_NAME", "IF_INDEX", /* addresses and interfaces */
    "LOOKUP", "MSG"};

/* "index<TAB>code<TAB>message": what a row gets, to review and paste into the table. */
static void print_row(size_t i, int rc, const cnet_error *err)
{
    printf("%zu\t%d\t%s\n", i, rc, err->msg);
}

static void every_bad_input_fails_exactly(void **state)
{
    size_t n = sizeof rows / sizeof rows[0];
    int printing = getenv("BADINPUT_PRINT") != NULL;
    (void)state;
    for (size_t i = 0; i < n; i++) {
        const row *r = &rows[i];
        cnet_error err;
        int fds = tu_count_fds();
        int rc = run(r, &err);
        if (printing) {
            print_row(i, rc, &err);
            continue;
        }
        if (rc != r->code ||
            (r->msg != NULL && strcmp(err.msg, r->msg) != 0))
            fail_msg("row %zu (%s %s %s): got %d \"%s\", want %d \"%s\"", i, kind_names[r->k],
                     r->a ? r->a : "NULL", r->b ? r->b : "NULL", rc, err.msg, r->code,
                     r->msg ? r->msg : "");
        /* every function that takes err writes the code there too */
        if (r->msg != NULL && r->k != STRERROR && r->k != ACTIVATION)
            assert_int_equal(err.code, rc);
        assert_int_equal(tu_count_fds(), fds);
    }
    print_message("%zu bad inputs, each with its exact code and message, no fd leaked\n", n);
    assert_true(n >= 150);
}

int main(void)
{
    const struct CMUnitTest tests[] = {TU_TEST(every_bad_input_fails_exactly)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
