/* cnet: Go's net package (Listen, ListenPacket, ListenMulticastUDP, Dial) in C.
 *
 * Conventions that hold for every function below:
 *   - A return value < 0 is an error code: -errno for a system error (for example
 *     -EADDRINUSE), or one of the CNET_E* codes for cnet's own errors. Codes are
 *     stable; cnet_strerror() names them.
 *   - Functions that take a `cnet_error *err` also write Go's error text there, for
 *     example "listen tcp 127.0.0.1:8080: bind: address already in use". err may be
 *     NULL. On success err->code is 0 and err->msg is "".
 *   - A NULL where a pointer is required is an error (-EINVAL), never a crash.
 *   - Handles are opaque. The caller owns a handle it receives and releases it with
 *     the matching *_close(), which always frees it, even when it reports an error.
 *   - Every socket cnet creates is non-blocking internally and close-on-exec from
 *     birth. Calls block until done; EINTR is retried. Writes never raise SIGPIPE.
 *   - Handles may be used from several threads and tasks at once. *_stop() (any
 *     number of times, from anywhere) wakes every blocked call, which then fails with
 *     CNET_ECLOSED ("use of closed network connection"), as does every later call; the
 *     socket stays open and the handle allocated. *_close() stops, waits until the
 *     blocked calls have left, closes the socket and frees the handle: the one owner
 *     calls it exactly once, after every other user has stopped touching the handle.
 *     A watchdog that must cut a connection its handler also closes calls *_stop()
 *     (Go's pattern of closing a conn twice); the handler's *_close() frees it.
 *   - Blocking calls park the calling task instead of its thread (see "Tasks" below).
 */
#ifndef CNET_H
#define CNET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define CNET_EXTERN __attribute__((visibility("default")))
#else
#define CNET_EXTERN
#endif

#define CNET_VERSION_MAJOR 0
#define CNET_VERSION_MINOR 1
#define CNET_VERSION_PATCH 0

/* ---- Errors -------------------------------------------------------------------- */

/* cnet's own error codes: negative and far from any errno value. */
#define CNET_ECLOSED -30001          /* use of closed network connection */
#define CNET_ETIMEOUT -30002         /* i/o timeout: an I/O deadline passed */
#define CNET_EUNKNOWNNET -30003      /* unknown network */
#define CNET_EMISSINGADDR -30004     /* missing address */
#define CNET_EMISSINGPORT -30005     /* missing port in address */
#define CNET_EMISSINGBRACKET -30006  /* missing ']' in address */
#define CNET_ETOOMANYCOLONS -30007   /* too many colons in address */
#define CNET_EUNEXPECTEDLBRACKET -30008 /* unexpected '[' in address */
#define CNET_EUNEXPECTEDRBRACKET -30009 /* unexpected ']' in address */
#define CNET_EINVALIDPORT -30010     /* invalid port */
#define CNET_EUNKNOWNPORT -30011     /* unknown port */
#define CNET_ENOSUITABLE -30012      /* no suitable address found */
#define CNET_ENOHOST -30013          /* no such host */
#define CNET_EADDRTYPE -30014        /* unexpected address type */
#define CNET_ENOTMULTICAST -30015    /* not a multicast address */
#define CNET_ENOINTERFACE -30016     /* no such network interface */
#define CNET_ENOSPACE -30017         /* buffer too small */
#define CNET_ENOTSUP -30018          /* not supported on this OS */
#define CNET_EWRITETOCONNECTED -30019 /* use of WriteTo with pre-connected connection */
#define CNET_EINVALIDADDR -30020     /* invalid address (an IPv6 zone over the 63 bytes cnet keeps) */
#define CNET_ELOOKUP -30021          /* name resolution failed (other than no such host) */
#define CNET_ENOIPV4IF -30022        /* no such multicast interface (no IPv4 address) */
#define CNET_EDIALTIMEOUT -30023     /* i/o timeout of a dial (a timeout, not a deadline-exceeded) */
#define CNET_EUNKNOWNPROTO -30024    /* unknown IP protocol specified (network "ip4:P") */

/* The size of an error text. 1024 holds every text cnet writes byte for byte as Go
 * does, with host names up to DNS's 253 bytes, two addresses of CNET_ADDRSTRLEN or a
 * full unix path. A longer text (a host name of a thousand bytes from /etc/hosts, a
 * port written with hundreds of digits) keeps its start and its end, where the cause
 * is, and loses its middle to "...": never overflowed, never cut at the end. */
#define CNET_ERROR_MAX 1024

typedef struct cnet_error {
    int code;                 /* 0, -errno or CNET_E* */
    char msg[CNET_ERROR_MAX]; /* Go's error text (its middle elided if longer, see above) */
} cnet_error;

/* Text for a code: Go's lower-case errno text for -errno ("address already in use";
 * "errno N" for an errno Go has no text for), cnet's own text for CNET_E*, "unknown
 * error N" otherwise. Never NULL; static or thread-local storage. */
CNET_EXTERN const char *cnet_strerror(int code);

/* Go's net.Error predicates. A timeout is an I/O or dial deadline ("i/o timeout") or
 * -EAGAIN / -ETIMEDOUT. Closed is exactly "use of closed network connection". A
 * deadline-exceeded error (Go's os.ErrDeadlineExceeded, CNET_ETIMEOUT) is an I/O
 * deadline expiry on a conn, packet conn or listener; a dial timeout
 * (CNET_EDIALTIMEOUT) is a timeout but not that. */
CNET_EXTERN int cnet_error_is_timeout(const cnet_error *err);
CNET_EXTERN int cnet_error_is_closed(const cnet_error *err);
CNET_EXTERN int cnet_error_is_deadline_exceeded(const cnet_error *err);

/* ---- Handles --------------------------------------------------------------------- */

typedef struct cnet_listener cnet_listener;       /* stream listener: tcp, tcp4, tcp6, unix, unixpacket */
typedef struct cnet_conn cnet_conn;               /* connection: tcp*, unix, unixpacket; also a dialed udp*, unixgram, ip*:P */
typedef struct cnet_packet_conn cnet_packet_conn; /* datagram: udp, udp4, udp6, unixgram, ip*:P (raw IP) */

/* Raw IP networks, as Go's: "ip:P", "ip4:P", "ip6:P" with P a protocol number or name
 * ("icmp", "ipv6-icmp", ...; /etc/protocols), for cnet_dial and cnet_listen_packet.
 * Their addresses are a host without a port ("127.0.0.1"). They need CAP_NET_RAW. */

/* Longest address string cnet produces ("[ffff:...%ifname]:65535", or a unix path). */
#define CNET_ADDRSTRLEN 112

/* ---- host:port ------------------------------------------------------------------- */

/* Go's net.SplitHostPort, byte for byte. On success copies the host and the port
 * (NUL-terminated) and returns 0. Errors: CNET_EMISSINGPORT, CNET_EMISSINGBRACKET,
 * CNET_ETOOMANYCOLONS, CNET_EUNEXPECTEDLBRACKET, CNET_EUNEXPECTEDRBRACKET with the text
 * "address <hostport>: <reason>"; CNET_ENOSPACE if a result does not fit (host and
 * port are then ""); -EINVAL for NULL pointers. On error host and port are "". */
CNET_EXTERN int cnet_split_host_port(const char *hostport, char *host, size_t hostlen,
                                     char *port, size_t portlen, cnet_error *err);

/* Go's net.JoinHostPort: "[host]:port" if host contains ':', else "host:port".
 * Returns the length written (excluding the NUL), CNET_ENOSPACE if out is too small
 * (out is then ""), or -EINVAL for NULL pointers. */
CNET_EXTERN int cnet_join_host_port(const char *host, const char *port, char *out, size_t outlen);

/* ---- Stream listeners ------------------------------------------------------------ */

/* Go's net.Listen. network: "tcp", "tcp4", "tcp6", "unix" or "unixpacket". address:
 * "host:port" for tcp (":0" = any address, kernel-chosen port), a path, "@name"
 * (Linux abstract) or "" (autobind) for unix. The listener owns its port: it sets
 * SO_REUSEADDR (a restart through TIME_WAIT works) and never SO_REUSEPORT, so a
 * second listen on the same address fails with -EADDRINUSE. Backlog: the OS maximum.
 * On success *ln is a new listener (close with cnet_listener_close) and 0 is returned;
 * on error *ln is NULL. Errors: unknown network, address and port errors, CNET_ENOHOST,
 * -errno from socket/setsockopt/bind/listen, each with Go's text. */
CNET_EXTERN int cnet_listen(const char *network, const char *address, cnet_listener **ln,
                            cnet_error *err);

/* Go's Listener.Accept. Blocks until a connection arrives. The new connection is
 * close-on-exec and, for TCP, has TCP_NODELAY and keep-alive (15 s idle, 15 s
 * interval, 9 probes), as Go's. ECONNABORTED is retried. Errors: CNET_ECLOSED once the
 * listener is closed, -errno from accept (e.g. -EMFILE; the listener stays usable). */
CNET_EXTERN int cnet_listener_accept(cnet_listener *ln, cnet_conn **c, cnet_error *err);

/* Go's Addr().String() ("127.0.0.1:8080", "[::]:8080", "/tmp/s", "@name") into buf.
 * Returns the length, CNET_ENOSPACE if buf is too small, -EINVAL for NULL. */
CNET_EXTERN int cnet_listener_addr(const cnet_listener *ln, char *buf, size_t len);

/* The socket; still owned by the listener (do not close it). -EINVAL for NULL. */
CNET_EXTERN int cnet_listener_fd(const cnet_listener *ln);

/* Closes the socket, removes a unix socket file this listener created (only if the
 * file is still the one it created), and frees the listener. Returns 0, or -EINVAL for
 * NULL. */
CNET_EXTERN int cnet_listener_close(cnet_listener *ln);

/* ---- Datagram sockets ------------------------------------------------------------ */

/* Go's net.ListenPacket. network: "udp", "udp4", "udp6" or "unixgram". A unicast or
 * wildcard UDP socket gets SO_BROADCAST and no reuse option, so a second bind of the
 * same address fails with -EADDRINUSE. A multicast address gets the multicast options
 * and is bound to the wildcard with the group's port, but joins no group (as Go). */
CNET_EXTERN int cnet_listen_packet(const char *network, const char *address,
                                   cnet_packet_conn **pc, cnet_error *err);

/* Go's net.ListenMulticastUDP. network: "udp", "udp4" or "udp6". ifname: the interface
 * to join on (and send from), or NULL for the system's choice. group_address: a
 * multicast "group:port". Binds the wildcard with the group's port, with SO_REUSEADDR
 * (plus SO_REUSEPORT on the BSDs) so that receivers on one group and port share it and
 * each gets every datagram; multicast loopback is off, as in Go. Errors as
 * cnet_listen_packet, plus CNET_ENOTMULTICAST, CNET_ENOINTERFACE, -errno from the join
 * (named as Go 1.19 names it: "listen udp 239.1.2.3:5000: setsockopt: no such device"). */
CNET_EXTERN int cnet_listen_multicast_udp(const char *network, const char *ifname,
                                          const char *group_address, cnet_packet_conn **pc,
                                          cnet_error *err);

/* Receives one datagram (truncated to len). Writes the sender's address string to
 * from (may be NULL; "" if it does not fit). Returns the byte count, or an error. */
CNET_EXTERN ssize_t cnet_packet_read_from(cnet_packet_conn *pc, void *buf, size_t len, char *from,
                                          size_t fromlen, cnet_error *err);

/* Sends one datagram to address ("host:port" literal or "localhost"; a path for
 * unixgram). Returns len, or an error. An address the socket's family cannot reach is
 * CNET_ENOSUITABLE with Go's text: "write udp 127.0.0.1:5->[::1]:9: address ::1:
 * non-IPv4 address". */
CNET_EXTERN ssize_t cnet_packet_write_to(cnet_packet_conn *pc, const void *buf, size_t len,
                                         const char *address, cnet_error *err);

CNET_EXTERN int cnet_packet_local_addr(const cnet_packet_conn *pc, char *buf, size_t len);
CNET_EXTERN int cnet_packet_fd(const cnet_packet_conn *pc);
CNET_EXTERN int cnet_packet_close(cnet_packet_conn *pc);

/* ---- Connections ----------------------------------------------------------------- */

/* Go's net.Dial. network: tcp*, udp*, unix, unixgram, unixpacket. Tries the resolved
 * addresses in order and returns the first connection; on failure returns the first
 * error ("dial tcp 127.0.0.1:9: connect: connection refused") and no handle. TCP
 * connections get TCP_NODELAY and Go's keep-alive. */
CNET_EXTERN int cnet_dial(const char *network, const char *address, cnet_conn **c,
                          cnet_error *err);

/* Reads up to len bytes. Returns the count, 0 at end of stream (or for len 0), or an
 * error. */
CNET_EXTERN ssize_t cnet_conn_read(cnet_conn *c, void *buf, size_t len, cnet_error *err);

/* Writes all len bytes (one datagram on a datagram socket) and returns len, or fails
 * (after a failure, part of the data may have been sent, as with Go's Write). A peer
 * that has gone gives -EPIPE ("broken pipe"), never SIGPIPE. */
CNET_EXTERN ssize_t cnet_conn_write(cnet_conn *c, const void *buf, size_t len, cnet_error *err);

/* Go's n, err := c.Write(buf): the same write, with *written (if non-NULL) set to the
 * bytes the kernel took, on success and on failure alike. After a write deadline the
 * caller knows where the stream stands: set a new deadline and write the rest
 * (buf + *written). Returns 0 or an error code. */
CNET_EXTERN int cnet_conn_write_n(cnet_conn *c, const void *buf, size_t len, size_t *written,
                                  cnet_error *err);

/* Shuts down the writing side (Go's CloseWrite): the peer reads end of stream. */
CNET_EXTERN int cnet_conn_close_write(cnet_conn *c, cnet_error *err);

CNET_EXTERN int cnet_conn_local_addr(const cnet_conn *c, char *buf, size_t len);
CNET_EXTERN int cnet_conn_remote_addr(const cnet_conn *c, char *buf, size_t len);
CNET_EXTERN int cnet_conn_fd(const cnet_conn *c);
CNET_EXTERN int cnet_conn_close(cnet_conn *c);
/* Stops c without freeing it: every blocked and later call fails with CNET_ECLOSED.
 * Idempotent and safe from any thread or task until the owner's cnet_conn_close.
 * 0, or -EINVAL for NULL. The same for listeners and packet conns. */
CNET_EXTERN int cnet_conn_stop(cnet_conn *c);
CNET_EXTERN int cnet_listener_stop(cnet_listener *ln);
CNET_EXTERN int cnet_packet_stop(cnet_packet_conn *pc);

/* ---- Deadlines, the dialer and connection options (Go's Dialer and SetDeadline) --- */

/* Nanoseconds on a monotonic clock: the clock every deadline below is measured on. */
CNET_EXTERN int64_t cnet_now_ns(void);

/* Go's KeepAliveConfig. All zero is Go's default: on, 15 s idle, 15 s interval,
 * 9 probes. enable < 0 turns keep-alive off (no keep-alive option is touched). A field
 * < 0 leaves that OS setting alone; times are rounded up to whole seconds, and any
 * int64 is safe: more seconds than the OS holds (Linux: 32767) fail
 * cnet_conn_set_keepalive with -EINVAL and are ignored by a dialer, as Go ignores them. */
typedef struct cnet_keepalive {
    int enable;          /* 0: on (default); < 0: off */
    int64_t idle_ns;     /* 0: 15 s */
    int64_t interval_ns; /* 0: 15 s */
    int count;           /* 0: 9 */
} cnet_keepalive;

/* Called on each socket after cnet's default options and before bind/connect, with the
 * family-qualified network ("tcp4", "tcp6", "udp4", "udp6"; unix names unchanged) and
 * the address. A non-zero return (use -errno or a CNET_E* code) fails the call with
 * that code and closes the socket; the hook must not close fd itself. */
typedef int (*cnet_control_fn)(void *arg, const char *network, const char *address, int fd);

/* Go's net.Dialer. All zero means Go's defaults: cnet_dial() is cnet_dial_with() on a
 * zeroed dialer (or a NULL one). */
typedef struct cnet_dialer {
    int64_t timeout_ns;        /* 0: none; any other value, negative included, bounds the
                                  whole dial (name resolution included) to now + timeout
                                  (the sum saturates: INT64_MAX is no bound) */
    int64_t deadline_ns;       /* absolute, on cnet_now_ns()'s clock; 0: none */
    const char *local_address; /* "host:port" (or a unix path) bound before connecting; NULL: any */
    int64_t fallback_delay_ns; /* Happy Eyeballs for "tcp": 0 = 300 ms; < 0 = off (serial);
                                  INT64_MAX: only once the first family has failed */
    cnet_keepalive keepalive;  /* TCP keep-alive of the new connection */
    cnet_control_fn control;   /* NULL: none */
    void *control_arg;
} cnet_dialer;

/* Go's Dialer.Dial. Resolves the address (literals at once; names on a resolver thread
 * the caller stops waiting for at the deadline), then dials the addresses: for "tcp"
 * with both families, Happy Eyeballs (RFC 6555) as Go does it: the first address's
 * family first, the other family after fallback_delay or as soon as the first fails;
 * otherwise in order, each address getting an equal share of the remaining time (at
 * least 2 s, never past the deadline). The first success wins and every other socket
 * is closed; on failure, the first error of the primary family is returned and no
 * handle. Deadline expiry gives CNET_EDIALTIMEOUT ("dial tcp 192.0.2.1:80: i/o timeout"). */
CNET_EXTERN int cnet_dial_with(const cnet_dialer *d, const char *network, const char *address,
                               cnet_conn **c, cnet_error *err);

/* Go's SetDeadline / SetReadDeadline / SetWriteDeadline: absolute cnet_now_ns() times,
 * 0 = none. They apply to calls in progress and to later ones: an expired deadline
 * fails a call at once (even with data waiting) with CNET_ETIMEOUT "i/o timeout", and
 * changing a deadline re-arms calls that are blocked. After a timeout the handle stays
 * usable; set a new deadline and go on. A zero-length read returns 0 at once. Return 0,
 * or CNET_ECLOSED, -EINVAL. */
CNET_EXTERN int cnet_conn_set_deadline(cnet_conn *c, int64_t deadline_ns);
CNET_EXTERN int cnet_conn_set_read_deadline(cnet_conn *c, int64_t deadline_ns);
CNET_EXTERN int cnet_conn_set_write_deadline(cnet_conn *c, int64_t deadline_ns);
CNET_EXTERN int cnet_packet_set_deadline(cnet_packet_conn *pc, int64_t deadline_ns);
CNET_EXTERN int cnet_packet_set_read_deadline(cnet_packet_conn *pc, int64_t deadline_ns);
CNET_EXTERN int cnet_packet_set_write_deadline(cnet_packet_conn *pc, int64_t deadline_ns);
CNET_EXTERN int cnet_listener_set_deadline(cnet_listener *ln, int64_t deadline_ns); /* accept */

/* Go's CloseRead (shutdown of the reading side). */
CNET_EXTERN int cnet_conn_close_read(cnet_conn *c, cnet_error *err);

/* TCP connection options, as Go's TCPConn setters. 0, or an error with Go's setter text
 * "set <net> <local>-><remote>: setsockopt: <errno text>"; nodelay and keep-alive on a
 * unix conn give -ENOPROTOOPT ("protocol not available"). */
CNET_EXTERN int cnet_conn_set_nodelay(cnet_conn *c, int on, cnet_error *err);
CNET_EXTERN int cnet_conn_set_keepalive(cnet_conn *c, const cnet_keepalive *ka, cnet_error *err);
/* Go's SetLinger: sec < 0 = the OS default (close returns at once, data sent in the
 * background); 0 = discard unsent data and reset; > 0 = linger up to sec seconds. */
CNET_EXTERN int cnet_conn_set_linger(cnet_conn *c, int sec, cnet_error *err);
CNET_EXTERN int cnet_conn_set_read_buffer(cnet_conn *c, int bytes, cnet_error *err);
CNET_EXTERN int cnet_conn_set_write_buffer(cnet_conn *c, int bytes, cnet_error *err);

/* ---- Listeners for real servers (Go's ListenConfig, FileListener; socket activation) */

/* Go's net.ListenConfig plus what servers need. All zero is cnet_listen(). */
typedef struct cnet_listen_config {
    int backlog;              /* 0: the OS maximum (somaxconn) */
    int reuse_port;           /* 1: join a load-balanced group on this port: SO_REUSEPORT on
                                 Linux and DragonFly, SO_REUSEPORT_LB on FreeBSD; elsewhere,
                                 and for unix sockets, CNET_ENOTSUP. Every member must ask
                                 for it (Linux also requires the same user), so a listener
                                 without it can never be joined. */
    cnet_keepalive keepalive; /* for accepted TCP connections */
    cnet_control_fn control;  /* after cnet's defaults, before bind; NULL: none */
    void *control_arg;
} cnet_listen_config;

/* cnet_listen / cnet_listen_packet with a configuration (cfg NULL = all zero). */
CNET_EXTERN int cnet_listen_with(const cnet_listen_config *cfg, const char *network,
                                 const char *address, cnet_listener **ln, cnet_error *err);
CNET_EXTERN int cnet_listen_packet_with(const cnet_listen_config *cfg, const char *network,
                                        const char *address, cnet_packet_conn **pc,
                                        cnet_error *err);

/* Go's FileListener / FileConn / FilePacketConn: a handle for a socket you already have.
 * The caller keeps fd (close it when you like); cnet works on a close-on-exec duplicate
 * (which shares the open socket, so O_NONBLOCK is set on fd too). name is used in error
 * text ("file file+net <name>: ..."); NULL means "fd N". The socket must be AF_INET,
 * AF_INET6 or AF_UNIX (else -EPROTONOSUPPORT); a listener must be a listening stream or
 * seqpacket socket, a conn a stream/seqpacket or connected datagram socket, a packet
 * conn a datagram socket (else -EINVAL). A unix listener from a file never unlinks its
 * path. */
CNET_EXTERN int cnet_file_listener(int fd, const char *name, cnet_listener **ln, cnet_error *err);
CNET_EXTERN int cnet_file_conn(int fd, const char *name, cnet_conn **c, cnet_error *err);
CNET_EXTERN int cnet_file_packet_conn(int fd, const char *name, cnet_packet_conn **pc,
                                      cnet_error *err);

/* Sockets handed to this process by systemd socket activation or by cnet_restart_exec:
 * LISTEN_PID (must be this process), LISTEN_FDS (fds from 3 on) and LISTEN_FDNAMES. */
typedef struct cnet_activation cnet_activation;

/* Reads and validates the handed sockets, unsets the three variables, and returns their
 * count (0 when the variables are absent or meant for another process; *act is then an
 * empty set). Each fd is validated as cnet_file_listener does and becomes close-on-exec;
 * the original descriptors 3.. are owned by *act and closed by cnet_activation_free.
 * Errors: -EINVAL for malformed variables (with the variable named in err). Call it
 * before starting threads: unsetenv is not safe against a concurrent getenv. */
CNET_EXTERN int cnet_listeners_from_env(cnet_activation **act, cnet_error *err);
/* Number of sockets and the name of socket i ("" past the end; systemd's default name
 * is "unknown"). */
CNET_EXTERN size_t cnet_activation_count(const cnet_activation *act);
CNET_EXTERN const char *cnet_activation_name(const cnet_activation *act, size_t i);
/* Takes the first not-yet-taken stream listener named name (NULL: any name) out of the
 * set: the caller owns it. 0; -ENOENT when no untaken socket has that name; -EINVAL
 * when some have but none is a listening stream socket, with err saying what the first
 * one is ("file file+net web: fd 3 is not a listening stream socket (udp)", or "(tcp,
 * not listening)"). */
CNET_EXTERN int cnet_activation_listener(cnet_activation *act, const char *name,
                                         cnet_listener **ln, cnet_error *err);
/* The same for a datagram socket ("... is not a datagram socket (tcp)"). */
CNET_EXTERN int cnet_activation_packet_conn(cnet_activation *act, const char *name,
                                            cnet_packet_conn **pc, cnet_error *err);
/* Closes every socket not taken and frees the set. NULL is allowed. */
CNET_EXTERN void cnet_activation_free(cnet_activation *act);

/* Zero-downtime restart: starts path (argv, envp; envp NULL = this environment) in a new
 * process that inherits the n listeners as fds 3..3+n-1 with LISTEN_FDS=n,
 * LISTEN_PID=<its pid> and LISTEN_FDNAMES=names (names NULL or a NULL entry: "unknown";
 * no LISTEN_FDNAMES when n is 0), so that cnet_listeners_from_env picks them up. The
 * listeners stay open and usable here: stop accepting and close them when the new
 * process is ready; connections arriving meanwhile queue on the shared socket and none
 * is refused. The new program starts with no signal blocked; descriptors 3..3+n-1 are
 * replaced in it (any other inheritable descriptor you want it to have must be numbered
 * above). Sets *pid. 0 means the new program was exec'd holding every listener; any
 * failure before that is an error, so that the caller can go on serving:
 *   -EINVAL for a name cnet_listeners_from_env would refuse (empty, longer than 255
 *   bytes, or containing ':'), before anything is started;
 *   -errno from pipe or fork;
 *   -errno from the child before or at its exec, reported through a pipe ("fcntl",
 *   "dup2" or "execve" in err: -EMFILE when RLIMIT_NOFILE leaves no room to move the
 *   descriptors into place); that child has exited and been reaped. */
CNET_EXTERN int cnet_restart_exec(const char *path, char *const argv[], char *const envp[],
                                  cnet_listener *const lns[], const char *const names[],
                                  size_t n, pid_t *pid, cnet_error *err);

/* ---- Tasks: many connections on a few threads (Go's goroutines and netpoller) ----
 *
 * cnet_run starts scheduler threads, each with its own poller (epoll on Linux, kqueue on
 * darwin and the BSDs), and runs tasks on them: stackful coroutines that call the same
 * blocking functions as any thread. A cnet call that would block inside a task parks the
 * task instead (one entry in its scheduler's poller, a timer for its deadline) and the
 * thread runs other tasks: accept, read, write, read_from, write_to, dial (connects and
 * Happy Eyeballs), name lookups (the answer comes from a resolver thread), close (which
 * waits for the calls it wakes), cnet_sleep and cnet_waitgroup_wait. Deadlines, deadline
 * changes and a close from any thread or task behave exactly as on plain threads.
 *
 * A blocking call outside cnet (sleep(3), a disk read, a mutex held for long,
 * getaddrinfo called directly) blocks the whole scheduler thread and every task on it.
 *
 * A task stays on the thread it was placed on for its whole life, so errno and
 * thread-local storage behave as in any thread. cnet_go places each new task on the next
 * scheduler thread in turn (round-robin), so one accept loop spreads its connections
 * over every thread.
 *
 * Stacks are fixed (they do not grow): mmap'd with a PROT_NONE guard page below, so an
 * overflow faults (SIGSEGV) at the guard instead of corrupting memory. The default,
 * CNET_DEFAULT_STACK_SIZE (256 KiB), is virtual: pages cost memory only once touched,
 * so a task parked in a read costs one or two pages; 256 KiB leaves room for ordinary
 * C (printf and friends need a few KiB) and for sanitizer builds. Give a smaller size
 * to hold more tasks within vm.max_map_count (each task is two mappings). */

#define CNET_DEFAULT_STACK_SIZE (256 * 1024)

typedef struct cnet_runtime_config {
    int threads;       /* scheduler threads; 0: one per online CPU */
    size_t stack_size; /* bytes per task stack; 0: CNET_DEFAULT_STACK_SIZE (rounded up
                          to whole pages, at least 16 KiB) */
} cnet_runtime_config;

/* Starts the runtime, runs main_fn(arg) as its first task, and returns 0 once every
 * task has returned; < 0 (err says why) if it could not start: -EINVAL for a NULL
 * main_fn or threads < 0, -EBUSY when called from a task or while another cnet_run is
 * running, -errno from mmap, epoll/kqueue or pthread_create. cfg NULL is all zero. */
CNET_EXTERN int cnet_run(const cnet_runtime_config *cfg, void (*main_fn)(void *arg), void *arg,
                         cnet_error *err);

/* Starts fn(arg) as a new task. Callable from a task, or from any thread while
 * cnet_run is running. 0, or < 0: -ENOMEM (no stack could be mapped), -EINVAL for a
 * NULL fn, -EPERM when no runtime is running. */
CNET_EXTERN int cnet_go(void (*fn)(void *arg), void *arg);

/* Lets the other runnable tasks of this thread run first (a task), or sched_yield (a
 * thread). */
CNET_EXTERN void cnet_yield(void);

/* Sleeps ns nanoseconds (<= 0: not at all); a task parks, a thread sleeps. */
CNET_EXTERN void cnet_sleep(int64_t ns);

/* 1 if the caller is a task, else 0. */
CNET_EXTERN int cnet_in_task(void);

/* Go's sync.WaitGroup, for tasks and threads alike: add before starting the work,
 * done when it ends, wait (a task parks) until the count is back to zero. new: 0 or
 * -ENOMEM. add, done, wait: 0, or -EINVAL for NULL or for a count that would go
 * negative (left unchanged; Go panics there). Free (NULL is allowed) only once nobody
 * waits. */
typedef struct cnet_waitgroup cnet_waitgroup;
CNET_EXTERN int cnet_waitgroup_new(cnet_waitgroup **wg);
CNET_EXTERN int cnet_waitgroup_add(cnet_waitgroup *wg, int delta);
CNET_EXTERN int cnet_waitgroup_done(cnet_waitgroup *wg);
CNET_EXTERN int cnet_waitgroup_wait(cnet_waitgroup *wg);
CNET_EXTERN void cnet_waitgroup_free(cnet_waitgroup *wg);

/* ---- The option policy ----------------------------------------------------------- */

/* One socket option cnet sets by default: the same rows the library applies. */
typedef struct cnet_sockopt_rule {
    const char *role;   /* "socket", "listener", "multicast", "conn" */
    const char *level;  /* "SOL_SOCKET", "IPPROTO_IPV6", "IPPROTO_TCP", ... */
    const char *option; /* "SO_REUSEADDR", ... */
    const char *value;  /* "1", "0 or 1 (1 for *6 networks)", "15", ... */
    const char *when;   /* the sockets it applies to, e.g. "AF_INET6", "UDP" */
    const char *reason; /* one line: why */
} cnet_sockopt_rule;

/* The policy of os ("linux", "darwin", "freebsd", "netbsd", "openbsd", "dragonfly"; NULL
 * for the OS cnet was built for). Sets *rules to a static array of *n rows and returns
 * 0, or CNET_ENOTSUP for an unknown os, -EINVAL for NULL outputs. */
CNET_EXTERN int cnet_sockopt_policy(const char *os, const cnet_sockopt_rule **rules, size_t *n);

/* The name of the OS cnet was built for, as cnet_sockopt_policy() spells it. */
CNET_EXTERN const char *cnet_os_name(void);

/* The backlog cnet passes to listen(2): the OS maximum, read once per process. */
CNET_EXTERN int cnet_listen_backlog(void);

/* ---- addresses and interfaces --------------------------------------------------
 * Go's net/netip (Addr, Prefix) and net.Interfaces. The address types are values: no
 * allocation, copied by assignment, compared with cnet_addr_compare(). Every function
 * that makes one writes all its bytes (the zone's unused tail is zero), so two equal
 * values are also equal under memcmp(). They touch no system state: any thread or task
 * may use them. */

#define CNET_ZONE_MAX 64 /* a zone's bytes with its NUL: Go keeps any length, cnet 63 */

/* Go's netip.Addr. All-zero is Go's zero Addr, which is invalid (not 0.0.0.0, not ::).
 * An IPv4 address is kept in its IPv4-mapped form (bytes = ::ffff:a.b.c.d) with family
 * 4; ::ffff:a.b.c.d parsed as IPv6 has the same bytes and family 6 (Go's Is4In6). */
typedef struct cnet_addr {
    uint8_t bytes[16];        /* network order, IPv6 form */
    uint8_t family;           /* 0: invalid (the zero Addr), 4: IPv4, 6: IPv6 */
    char zone[CNET_ZONE_MAX]; /* IPv6 only: the scoped zone ("eth0", "3"), "" for none */
} cnet_addr;

/* Go's netip.Prefix: an address and a prefix length. All-zero is Go's zero Prefix
 * (invalid). bits is -1 when invalid for the address (cnet_prefix_from). The address
 * never has a zone and keeps its host bits ("10.1.2.3/8"; cnet_prefix_masked clears
 * them). */
typedef struct cnet_prefix {
    cnet_addr addr;
    int16_t bits;
} cnet_prefix;

/* The longest text cnet_addr_string writes, with its NUL ("ffff:...:ffff%" and a zone
 * of 63 bytes); CNET_PREFIX_STRLEN adds "/128". */
#define CNET_ADDR_STRLEN 104
#define CNET_PREFIX_STRLEN 108

/* Go's netip.ParseAddr: "192.0.2.1", "2001:db8::68", "fe80::1%eth0", "::ffff:1.2.3.4".
 * 0 and *out, or CNET_EINVALIDADDR with Go's text in err ('ParseAddr("1.2.3"): IPv4
 * address too short') and *out all-zero. No shorthand ("127.1"), no leading zeros in
 * IPv4 fields; the zone is not looked up. A zone longer than 63 bytes is refused (Go
 * keeps it). -EINVAL for a NULL s or out. */
CNET_EXTERN int cnet_addr_parse(const char *s, cnet_addr *out, cnet_error *err);
/* Go's Addr.String: "invalid IP" for the zero Addr, "::ffff:1.2.3.4" for an IPv4-mapped
 * IPv6 address, "%zone" after an IPv6 address that has one. Returns the length, or
 * CNET_ENOSPACE (buf = "") when len is too small; -EINVAL for NULL. */
CNET_EXTERN int cnet_addr_string(const cnet_addr *a, char *buf, size_t len);
/* Constructors (Go's AddrFrom4, AddrFrom16: the latter stays IPv6 even when mapped);
 * NULL gives the zero Addr. */
CNET_EXTERN cnet_addr cnet_addr_from4(const uint8_t b[4]);
CNET_EXTERN cnet_addr cnet_addr_from16(const uint8_t b[16]);
/* Go's Compare: -1, 0 or +1, ordering by BitLen (invalid, IPv4, IPv6), then the bytes,
 * then (IPv6) the zone; cnet_addr_less is Less. NULL sorts as the zero Addr. */
CNET_EXTERN int cnet_addr_compare(const cnet_addr *a, const cnet_addr *b);
CNET_EXTERN int cnet_addr_less(const cnet_addr *a, const cnet_addr *b);
/* Go's Unmap: the IPv4 address inside an IPv4-mapped one (its zone dropped), else *a.
 * NULL gives the zero Addr. */
CNET_EXTERN cnet_addr cnet_addr_unmap(const cnet_addr *a);
/* Go's predicates, 1 or 0 (0 for NULL and for the zero Addr). As in Go 1.19, an
 * IPv4-mapped address is IPv6: ::ffff:127.0.0.1 is not a loopback address. */
CNET_EXTERN int cnet_addr_is_valid(const cnet_addr *a);
CNET_EXTERN int cnet_addr_bitlen(const cnet_addr *a); /* 0, 32 or 128 */
CNET_EXTERN int cnet_addr_is4(const cnet_addr *a);
CNET_EXTERN int cnet_addr_is6(const cnet_addr *a);
CNET_EXTERN int cnet_addr_is4in6(const cnet_addr *a);
CNET_EXTERN int cnet_addr_is_loopback(const cnet_addr *a);
CNET_EXTERN int cnet_addr_is_private(const cnet_addr *a);
CNET_EXTERN int cnet_addr_is_multicast(const cnet_addr *a);
CNET_EXTERN int cnet_addr_is_interface_local_multicast(const cnet_addr *a);
CNET_EXTERN int cnet_addr_is_link_local_multicast(const cnet_addr *a);
CNET_EXTERN int cnet_addr_is_link_local_unicast(const cnet_addr *a);
CNET_EXTERN int cnet_addr_is_global_unicast(const cnet_addr *a);
CNET_EXTERN int cnet_addr_is_unspecified(const cnet_addr *a);

/* Go's netip.ParsePrefix: "192.168.1.0/24", "2001:db8::/32"; the host bits are kept.
 * 0, or CNET_EINVALIDADDR with Go's text ('netip.ParsePrefix("1.2.3.4"): no '/'') and
 * *out all-zero; -EINVAL for NULL. The length is plain decimal: as in Go >= 1.22, a
 * sign or a leading zero is "bad bits after slash" (Go 1.19 read "+24", "024" as 24). */
CNET_EXTERN int cnet_prefix_parse(const char *s, cnet_prefix *out, cnet_error *err);
/* Go's Prefix.String: "10.0.0.0/8", "invalid Prefix" for an invalid one. Returns the
 * length, CNET_ENOSPACE (buf = "") or -EINVAL. */
CNET_EXTERN int cnet_prefix_string(const cnet_prefix *p, char *buf, size_t len);
/* Go's PrefixFrom: no masking, the zone dropped, bits -1 if out of range for a. */
CNET_EXTERN cnet_prefix cnet_prefix_from(const cnet_addr *a, int bits);
/* Go's Addr.Prefix: a's top bits as a masked prefix. 0; the zero Prefix for the zero
 * Addr; -EINVAL with Go's text ("negative Prefix bits", "prefix length 33 too large
 * for IPv4") for bits out of range. */
CNET_EXTERN int cnet_addr_prefix(const cnet_addr *a, int bits, cnet_prefix *out, cnet_error *err);
/* Go's Prefix.IsValid, Masked (the zero Prefix for an invalid one) and Contains (an
 * IPv4 address never matches an IPv6 prefix nor the reverse; a zoned address matches
 * nothing). NULL is the zero value. */
CNET_EXTERN int cnet_prefix_is_valid(const cnet_prefix *p);
CNET_EXTERN cnet_prefix cnet_prefix_masked(const cnet_prefix *p);
CNET_EXTERN int cnet_prefix_contains(const cnet_prefix *p, const cnet_addr *a);

/* Go's net.Flags, with Go's names for Flags.String ("up|broadcast|multicast").
 * CNET_IF_RUNNING is Go >= 1.20's FlagRunning (Go 1.19 has the first five). */
#define CNET_IF_UP 0x1
#define CNET_IF_BROADCAST 0x2
#define CNET_IF_LOOPBACK 0x4
#define CNET_IF_POINTTOPOINT 0x8
#define CNET_IF_MULTICAST 0x10
#define CNET_IF_RUNNING 0x20

#define CNET_HWADDR_MAX 32 /* the longest link-layer address kept (InfiniBand's is 20) */

/* Go's net.Interface with its addresses (Interface.Addrs: IPNet as a prefix that keeps
 * its host bits, "127.0.0.1/8"; no zone). Read-only; lives as long as its list. */
typedef struct cnet_interface {
    int index;                         /* >= 1 */
    int mtu;
    char name[64];
    uint8_t hwaddr[CNET_HWADDR_MAX];   /* Go's HardwareAddr; none (hwaddr_len 0) when all-zero */
    size_t hwaddr_len;
    unsigned flags;                    /* CNET_IF_* */
    const cnet_prefix *addrs;
    size_t naddrs;
} cnet_interface;

/* A snapshot of the system's interfaces, read in one pass (netlink on Linux, getifaddrs
 * on the BSDs and darwin), unlike Go, which reads the whole table again per call. */
typedef struct cnet_interfaces cnet_interfaces;

/* Go's Interfaces (with every interface's Addrs): 0 and *out, which the caller frees
 * with cnet_interfaces_free; or an error in Go's form ("route ip+net: netlinkrib:
 * permission denied"). -EINVAL for a NULL out. Nothing waits: the kernel answers from
 * its tables during the calls that ask, so inside a task the read runs on the task's
 * thread without parking, as a short system call would. */
CNET_EXTERN int cnet_interfaces_read(cnet_interfaces **out, cnet_error *err);
CNET_EXTERN size_t cnet_interfaces_len(const cnet_interfaces *list);
/* The i-th interface (in the kernel's order) or NULL past the end. */
CNET_EXTERN const cnet_interface *cnet_interfaces_at(const cnet_interfaces *list, size_t i);
/* Go's InterfaceByName / InterfaceByIndex on a snapshot: NULL if none. */
CNET_EXTERN const cnet_interface *cnet_interfaces_by_name(const cnet_interfaces *list, const char *name);
CNET_EXTERN const cnet_interface *cnet_interfaces_by_index(const cnet_interfaces *list, int index);
CNET_EXTERN void cnet_interfaces_free(cnet_interfaces *list);

/* Go's InterfaceAddrs: every interface's addresses in the kernel's order (on Linux
 * all IPv4, then all IPv6); sets *addrs (NULL if none) and returns how many. */
CNET_EXTERN size_t cnet_interfaces_addrs(const cnet_interfaces *list, const cnet_prefix **addrs);

/* Go's InterfaceByName and InterfaceByIndex: a fresh snapshot in *list (the caller
 * frees it) and the interface in *ifi, pointing into it. Errors in Go's words, *list
 * NULL: "route ip+net: no such network interface", "route ip+net: invalid network
 * interface name" (""), "route ip+net: invalid network interface index" (<= 0);
 * -EINVAL for NULL. */
CNET_EXTERN int cnet_interface_by_name(const char *name, cnet_interfaces **list,
                                       const cnet_interface **ifi, cnet_error *err);
CNET_EXTERN int cnet_interface_by_index(int index, cnet_interfaces **list,
                                        const cnet_interface **ifi, cnet_error *err);

/* Go's Flags.String ("up|loopback|running", "0" for none) and HardwareAddr.String
 * ("02:00:5e:10:00:01", "" for none). Return the length, CNET_ENOSPACE or -EINVAL. */
CNET_EXTERN int cnet_interface_flags_string(unsigned flags, char *buf, size_t len);
CNET_EXTERN int cnet_hwaddr_string(const uint8_t *hw, size_t n, char *buf, size_t len);
/* ---- lookups ---------------------------------------------------------------------
 *
 * Go's net.Resolver, as Go answers on Linux with "hosts: files dns". Host and IP
 * lookups ask the system resolver, as dial does: /etc/hosts, nsswitch and resolv.conf
 * exactly as every other program on the machine sees them. Addr and CNAME read
 * /etc/hosts first, as Go does. CNAME, SRV, MX, TXT, NS and PTR records come from a DNS
 * client (c-ares) that reads /etc/resolv.conf (nameservers, search, ndots, timeout,
 * attempts, rotate) at each lookup and retries over TCP when an answer is truncated.
 * Inside a task every lookup parks the task: the system resolver runs on a resolver
 * thread, and the DNS client's sockets are waited on like any other. A build without
 * c-ares (CNET_WITH_CARES=OFF) answers the DNS record lookups with CNET_ENOTSUP.
 *
 * Errors are Go's DNSError texts: "lookup nosuch.test on 127.0.0.1:53: no such host"
 * (the server is the first nameserver of resolv.conf), "lookup NAME on SERVER: server
 * misbehaving" (SERVFAIL and other failure codes), "lookup NAME on SERVER: i/o timeout"
 * (resolv.conf's timeout and attempts used up, or the resolver's deadline during a
 * query), "lookup NAME: i/o timeout" (the deadline had passed before the lookup began),
 * "lookup NAME: operation was canceled" (a stop). A name that is not a valid domain
 * name is "no such host" without any query, as in Go. Addr's errors name the reverse
 * name ("lookup 99.2.0.192.in-addr.arpa. on ..."), as Go's do.
 *
 * Results are one allocation each, released with cnet_lookup_free(). On error every
 * result pointer is NULL, except with CNET_EBADRECORDS (Go's "records which contain
 * invalid names" from addr, MX, NS and SRV), where the valid records come with the
 * error, as in Go, and are the caller's to free. err may be NULL. */

#define CNET_ESERVER -30025      /* server misbehaving (a DNS failure code other than SERVFAIL) */
#define CNET_ESERVERTEMP -30026  /* server misbehaving (SERVFAIL: temporary) */
#define CNET_ECANCELED -30027    /* operation was canceled (cnet_resolver_stop) */
#define CNET_EBADRECORDS -30028  /* DNS response contained records which contain invalid names */
#define CNET_EBADMESSAGE -30029  /* cannot unmarshal DNS message */

/* Go's DNSError predicates. Not found: the name (or the record) does not exist.
 * Temporary: a timeout, SERVFAIL, or a socket error talking to the server: trying again
 * later may work. Timeouts also answer cnet_error_is_timeout(). */
CNET_EXTERN int cnet_error_is_not_found(const cnet_error *err);
CNET_EXTERN int cnet_error_is_temporary(const cnet_error *err);

/* A resolver handle: a deadline for its lookups and a stop another thread can send.
 * Every lookup takes one; NULL means no deadline and no way to stop (resolv.conf's
 * timeout and attempts still bound DNS queries; the system resolver's own limits bound
 * host lookups). One handle may serve several lookups at once, from threads and tasks.
 * new: 0, -EINVAL for NULL, -ENOMEM, or -errno when its wake-up descriptor (one
 * eventfd, or a pipe) cannot be made. */
typedef struct cnet_resolver cnet_resolver;
CNET_EXTERN int cnet_resolver_new(cnet_resolver **r);
/* An absolute cnet_now_ns() time (0: none) for lookups that start afterwards; a lookup
 * still waiting when it passes fails with CNET_EDIALTIMEOUT, "i/o timeout" (a timeout,
 * and temporary). 0, or -EINVAL for NULL. */
CNET_EXTERN int cnet_resolver_set_deadline(cnet_resolver *r, int64_t deadline_ns);
/* Fails every lookup waiting on r, and every later one, with CNET_ECANCELED ("lookup
 * NAME: operation was canceled"), as Go's cancelled context. Any thread, any number of
 * times. A host lookup's system-resolver thread finishes on its own and frees its
 * answer. 0, or -EINVAL for NULL. */
CNET_EXTERN int cnet_resolver_stop(cnet_resolver *r);
/* Frees r once no lookup uses it. NULL is allowed. */
CNET_EXTERN void cnet_resolver_free(cnet_resolver *r);

/* Go's LookupHost: the addresses of host ("127.0.0.1", "::1"), as strings, in the
 * system resolver's order; an IP literal is its own answer. Returns the count (> 0) and
 * sets *addrs to a NULL-terminated array, or < 0 with *addrs NULL: CNET_ENOHOST,
 * CNET_EDIALTIMEOUT, CNET_ECANCELED, CNET_ELOOKUP, -ENOMEM, -EINVAL for NULL. */
CNET_EXTERN int cnet_lookup_host(cnet_resolver *r, const char *host, char ***addrs,
                                 cnet_error *err);
/* Go's LookupIP: network "ip", "ip4" or "ip6" keeps addresses of that family (an
 * IPv4-mapped address counts as IPv4), printed as Go's IP.String. Another network:
 * CNET_EUNKNOWNNET, "unknown network NETWORK". None of the family: CNET_ENOHOST ("lookup
 * HOST on SERVER: no such host", as Go asks DNS for that family alone), or, for an IP
 * literal or a name from /etc/hosts, CNET_ENOSUITABLE ("address HOST: no suitable
 * address found"). Otherwise as cnet_lookup_host. */
CNET_EXTERN int cnet_lookup_ip(cnet_resolver *r, const char *network, const char *host,
                               char ***addrs, cnet_error *err);
/* Go's LookupAddr: the names of an IP address: /etc/hosts first (names as written
 * there, with a trailing dot added to a name with a dot inside: Go's absDomainName),
 * else a PTR query (names with a trailing dot). A malformed address: -EINVAL,
 * "lookup ADDR: unrecognized address" as Go's. */
CNET_EXTERN int cnet_lookup_addr(cnet_resolver *r, const char *addr, char ***names,
                                 cnet_error *err);
/* Go's LookupCNAME: the canonical name of host (the end of its CNAME chain, or host
 * itself), with a trailing dot; a name from /etc/hosts is itself, as absDomainName
 * spells it. *cname is one allocation. Returns 0. */
CNET_EXTERN int cnet_lookup_cname(cnet_resolver *r, const char *host, char **cname,
                                  cnet_error *err);

typedef struct cnet_srv {
    const char *target; /* with a trailing dot */
    uint16_t port, priority, weight;
} cnet_srv;

/* Go's LookupSRV: the SRV records of _service._proto.name (name itself when service
 * and proto are both ""),
 * sorted by priority, and within one priority shuffled by weight as RFC 2782 says
 * (Go's byPriorityWeight; records of weight 0 come last in their priority). *cname is
 * the owner name of the records (trailing dot; pass NULL if unwanted) and *srvs the
 * array: two allocations, each released with cnet_lookup_free. Returns the count. */
CNET_EXTERN int cnet_lookup_srv(cnet_resolver *r, const char *service, const char *proto,
                                const char *name, char **cname, cnet_srv **srvs,
                                cnet_error *err);

typedef struct cnet_mx {
    const char *host; /* with a trailing dot */
    uint16_t pref;
} cnet_mx;

/* Go's LookupMX: sorted by preference (records of equal preference in random order, as
 * Go's). Returns the count. */
CNET_EXTERN int cnet_lookup_mx(cnet_resolver *r, const char *name, cnet_mx **mxs,
                               cnet_error *err);
/* Go's LookupTXT: one string per record, a record's strings joined with nothing between
 * (a record of no strings is ""; a NUL byte inside a record cuts it short). Returns the
 * count (> 0: a name without TXT records is CNET_ENOHOST). */
CNET_EXTERN int cnet_lookup_txt(cnet_resolver *r, const char *name, char ***txts,
                                cnet_error *err);
/* Go's LookupNS: the name servers of name, each with a trailing dot. Returns the count. */
CNET_EXTERN int cnet_lookup_ns(cnet_resolver *r, const char *name, char ***hosts,
                               cnet_error *err);
/* Go's LookupPort: the port of service for network ("tcp", "tcp4", "tcp6", "udp",
 * "udp4", "udp6", or "" for either), a number or a name from /etc/services. Returns the
 * port (0..65535), or CNET_EUNKNOWNPORT ("lookup tcp/nosuch: unknown port", newer Go's
 * text), CNET_EINVALIDPORT ("address 65536: invalid port"), CNET_EUNKNOWNNET ("address
 * NET: unknown network"), -EINVAL for NULL. */
CNET_EXTERN int cnet_lookup_port(const char *network, const char *service, cnet_error *err);

/* Frees a result of the lookups above (NULL is allowed). */
CNET_EXTERN void cnet_lookup_free(void *result);
/* ---- message I/O: datagrams ---- */

/* Go's UDPConn.ReadMsgUDP / WriteMsgUDP with x/net's ipv4/ipv6 ControlMessage, and
 * x/net's ReadBatch / WriteBatch, on packet conns of networks udp, udp4 and udp6.
 *
 * The control data of one datagram. On receive, cnet fills the fields whose receipt was
 * enabled with cnet_packet_set_control and that the kernel delivered, and sets their
 * bits in flags. On send, the fields whose bits are set in flags are applied to that
 * datagram only; the others are the socket's (all zero: the kernel's choice). So a
 * server on a wildcard address answers from the address a datagram arrived on by
 * sending the reply with the local_ip it received. (Keeping ifindex too pins the reply
 * to the arriving device: right for a peer on that link, wrong for one on this host,
 * whose datagrams Linux reports as arriving on the device holding the address.) */
#define CNET_MSG_LOCAL_IP 0x01   /* local_ip; receive: IP_PKTINFO / IPV6_RECVPKTINFO (BSD:
                                    IP_RECVDSTADDR); send: the source address */
#define CNET_MSG_IFINDEX 0x02    /* ifindex; receive: the arriving interface (the same
                                    options; BSD: IP_RECVIF); send: the outgoing one */
#define CNET_MSG_TOS 0x04        /* tos: IPv4 TOS / IPv6 traffic class; ECN is tos & 3 */
#define CNET_MSG_TTL 0x08        /* ttl: IPv4 TTL / IPv6 hop limit */
#define CNET_MSG_TIMESTAMP 0x10  /* timestamp_ns (receive only): kernel receive time */
#define CNET_MSG_SEGMENT 0x20    /* segment_size (receive only, Linux UDP_GRO; elsewhere
                                    CNET_ENOTSUP): the buffer holds several datagrams
                                    coalesced by the kernel, each segment_size bytes (the
                                    last may be shorter), from the same sender */
#define CNET_MSG_ALL 0x3f

/* The longest IP cnet writes in local_ip ("ffff:...%ifname"). */
#define CNET_IPSTRLEN 112

typedef struct cnet_msg_control {
    unsigned flags;              /* CNET_MSG_* bits: which fields below are valid */
    char local_ip[CNET_IPSTRLEN]; /* this host's end: receive: the IP the datagram was sent
                                     to (a group's address for multicast); send: the
                                     source IP ("" = the kernel's choice) */
    unsigned ifindex;            /* receive: arriving interface; send: outgoing (0: route) */
    int tos;                     /* 0..255 */
    int ttl;                     /* 1..255 */
    int64_t timestamp_ns;        /* CLOCK_REALTIME nanoseconds since the Unix epoch */
    size_t segment_size;         /* see CNET_MSG_SEGMENT */
} cnet_msg_control;

/* Bits of cnet_msg.flags after a read (Go's ReadMsgUDP flags). */
#define CNET_MSG_TRUNC 0x1  /* the datagram was longer than len: the rest is lost */
#define CNET_MSG_CTRUNC 0x2 /* some control data did not fit and is lost */

/* One datagram. buf/len are the caller's (for a read: room for the datagram; for a
 * write: the payload). addr: read: the sender ("127.0.0.1:5000", "[::1]:5000"); write:
 * the destination ("host:port" literal or "localhost"; "" is CNET_EMISSINGADDR). n is
 * set to the bytes read or written. */
typedef struct cnet_msg {
    void *buf;
    size_t len;
    size_t n;
    char addr[CNET_ADDRSTRLEN];
    int flags;                   /* read: CNET_MSG_TRUNC / CNET_MSG_CTRUNC */
    cnet_msg_control ctl;
} cnet_msg;

/* Enables (on != 0) or disables receipt of the control data in flags (CNET_MSG_* bits;
 * x/net's SetControlMessage). On an IPv6 socket that also receives IPv4 (dual stack),
 * the IPv4 options are set too. CNET_MSG_SEGMENT turns UDP_GRO on or off. 0, or:
 * -EINVAL (NULL, or bits outside CNET_MSG_ALL), CNET_EADDRTYPE (not a udp conn),
 * CNET_ENOTSUP (an option this OS lacks), CNET_ECLOSED, -errno from setsockopt, with
 * Go's text: "set udp 127.0.0.1:5000: setsockopt: protocol not available". */
CNET_EXTERN int cnet_packet_set_control(cnet_packet_conn *pc, unsigned flags, int on,
                                        cnet_error *err);

/* Go's ReadMsgUDP: receives one datagram into m->buf (truncated to m->len), its sender
 * into m->addr and its control data into m->ctl. Blocks (a task parks) until one
 * arrives, the read deadline passes (CNET_ETIMEOUT) or the conn stops (CNET_ECLOSED).
 * Returns m->n, or an error: "read udp 127.0.0.1:5000: recvmsg: <errno text>". */
CNET_EXTERN ssize_t cnet_packet_read_msg(cnet_packet_conn *pc, cnet_msg *m, cnet_error *err);

/* Go's WriteMsgUDP: sends m->len bytes of m->buf to m->addr with the control data whose
 * bits are set in m->ctl.flags (CNET_MSG_LOCAL_IP, _IFINDEX, _TOS, _TTL; the others are
 * ignored). Returns m->n (= m->len), or an error: CNET_EMISSINGADDR for "", address
 * errors as cnet_packet_write_to, -EINVAL for a local_ip that is no IP literal or an
 * IPv6 one on an IPv4 socket (an IPv4 one on an IPv6 socket is sent IPv4-mapped), or
 * "write udp 127.0.0.1:5000->127.0.0.1:9: sendmsg: <errno text>" (sending from an
 * address this host does not have: -EINVAL, -EADDRNOTAVAIL or -ENETUNREACH, by kernel
 * and route). */
CNET_EXTERN ssize_t cnet_packet_write_msg(cnet_packet_conn *pc, cnet_msg *m, cnet_error *err);

/* x/net's ReadBatch: receives up to n datagrams (at most 16 per call), at least one:
 * blocks (a task parks) until the first arrives, then takes those already queued
 * without waiting, in one recvmmsg where the OS has it (Linux), else one recvmsg: one
 * datagram per call. Each message is filled as by cnet_packet_read_msg. Returns the count (1..n), or an error as
 * cnet_packet_read_msg's (syscall "recvmmsg" on Linux). n 0 returns 0 at once. */
CNET_EXTERN int cnet_packet_read_batch(cnet_packet_conn *pc, cnet_msg *ms, size_t n,
                                       cnet_error *err);

/* Options of cnet_packet_write_batch. All zero is the default. */
typedef struct cnet_batch_opts {
    int gso; /* 0: UDP segmentation offload where it helps and the kernel has it (Linux
                UDP_SEGMENT, probed once per conn): consecutive messages to one
                destination with equal control data and equal lengths (the last of a
                run may be shorter) go down as one buffer that the kernel (or the NIC)
                cuts into those datagrams; receivers see the same datagrams either way.
                If the kernel refuses it (no UDP_SEGMENT, or a device without checksum
                offload: EIO), that conn stops using it and the same datagrams are sent
                without it: a send never fails for lack of GSO. < 0: never. */
} cnet_batch_opts;

/* x/net's WriteBatch: sends the n messages in order, as cnet_packet_write_msg would one
 * by one, in as few system calls as it can (sendmmsg on Linux, with GSO as opts says;
 * else one sendmsg per datagram). Blocks (a task parks) while the socket buffer is full,
 * until all are sent; each sent message gets m->n. Returns n, or an error (as
 * cnet_packet_write_msg's; syscall "sendmmsg" on Linux) after which *sent (if non-NULL)
 * says how many messages went out before it: the caller may retry the rest. opts NULL
 * is all zero. A message longer than a datagram can be fails with -EMSGSIZE ("message
 * too long"), after the messages before it were sent. */
CNET_EXTERN int cnet_packet_write_batch(cnet_packet_conn *pc, cnet_msg *ms, size_t n,
                                        const cnet_batch_opts *opts, size_t *sent,
                                        cnet_error *err);

/* Whether this conn sends with UDP GSO: 1 yes, 0 no (the OS or the kernel lacks it, or
 * it was turned off after a refusal), -EINVAL for NULL. Probes once. */
CNET_EXTERN int cnet_packet_gso_supported(cnet_packet_conn *pc);

/* Multicast control on a udp packet conn (x/net's ipv4.PacketConn / ipv6.PacketConn).
 * group and source are IP literals ("239.1.2.3", "ff02::114"); ifname names the
 * interface (NULL or "": the system's choice, which may be a real network: name one).
 * Joins are per interface: join the same group on several interfaces with several
 * calls. The source-specific forms (IGMPv3 / MLDv2, RFC 3678's MCAST_JOIN_SOURCE_GROUP)
 * receive the group's datagrams from that source only. Each returns 0, or: -EINVAL
 * (NULL pc), CNET_EADDRTYPE (not a udp conn), CNET_ENOTMULTICAST (group is not a
 * multicast IP, or not of the socket's family), CNET_EINVALIDADDR (not an IP literal),
 * CNET_ENOINTERFACE, CNET_ENOTSUP (darwin and FreeBSD have the source forms; OpenBSD,
 * NetBSD and DragonFly have no RFC 3678 API), CNET_ECLOSED, or -errno from setsockopt
 * (-EADDRINUSE for a second join of one group on one interface, -EADDRNOTAVAIL for a
 * leave of a group not joined), with the text
 * "set udp4 0.0.0.0:5000: setsockopt: address already in use". */
CNET_EXTERN int cnet_packet_join_group(cnet_packet_conn *pc, const char *ifname,
                                       const char *group, cnet_error *err);
CNET_EXTERN int cnet_packet_leave_group(cnet_packet_conn *pc, const char *ifname,
                                        const char *group, cnet_error *err);
CNET_EXTERN int cnet_packet_join_source_group(cnet_packet_conn *pc, const char *ifname,
                                              const char *group, const char *source,
                                              cnet_error *err);
CNET_EXTERN int cnet_packet_leave_source_group(cnet_packet_conn *pc, const char *ifname,
                                               const char *group, const char *source,
                                               cnet_error *err);
/* The TTL (IPv4) or hop limit (IPv6) of multicast sends, 0..255 (default 1: this link). */
CNET_EXTERN int cnet_packet_set_multicast_ttl(cnet_packet_conn *pc, int ttl, cnet_error *err);
/* Whether this host's own members of a group get this socket's sends to it. */
CNET_EXTERN int cnet_packet_set_multicast_loopback(cnet_packet_conn *pc, int on, cnet_error *err);
/* The interface multicast sends leave through (NULL or "": the system's choice). */
CNET_EXTERN int cnet_packet_set_multicast_interface(cnet_packet_conn *pc, const char *ifname,
                                                    cnet_error *err);

/* Options of cnet_listen_multicast_udp_with. All zero is cnet_listen_multicast_udp. */
typedef struct cnet_multicast_opts {
    int bind_group; /* 1: bind the group's address itself, not the wildcard, so that the
                       socket gets only datagrams sent to its group and port, never those
                       to another group some other socket on this host joined with the
                       same port (golang/go#73484). Linux and the BSDs allow it; such a
                       socket cannot send from the group's address (use another socket,
                       or a local_ip in cnet_packet_write_msg). 0: Go's wildcard bind. */
} cnet_multicast_opts;

CNET_EXTERN int cnet_listen_multicast_udp_with(const cnet_multicast_opts *opts,
                                               const char *network, const char *ifname,
                                               const char *group_address,
                                               cnet_packet_conn **pc, cnet_error *err);

/* ---- message I/O: streams and unix ---- */
#include <sys/uio.h>
/* Go's net.Buffers WriteTo on a conn: writes every byte of iov[0..iovcnt) in order, as
 * few writev-style system calls as the kernel allows (up to 1024 buffers each; empty
 * buffers are skipped). A partial write is resumed where it stopped, waiting for the
 * socket (and its write deadline) in between, so on success *written (if non-NULL) is
 * the sum of the lengths. On failure *written is what the kernel took. Errors read as
 * Go's: "writev tcp 127.0.0.1:5->127.0.0.1:9: writev: broken pipe"; CNET_ETIMEOUT,
 * CNET_ECLOSED; -EINVAL for iovcnt < 0, a NULL iov with iovcnt > 0, or a NULL base with
 * a length. The caller's iovecs are never modified. On a datagram conn each system call
 * is one datagram (of up to 1024 buffers), as with Go's Buffers. */
CNET_EXTERN int cnet_conn_writev(cnet_conn *c, const struct iovec *iov, int iovcnt,
                                 size_t *written, cnet_error *err);
/* Go's TCPConn.ReadFrom(*os.File) (or of an io.LimitReader of one): sends up to count
 * bytes of the file fd (SIZE_MAX: to its end) over the stream conn c, stopping early at
 * end of file. offset >= 0: from there, leaving fd's file position alone (pread's
 * rule); offset -1: from fd's position, which advances (Go's). The kernel copies with
 * sendfile(2) on Linux; where it cannot (another OS, or an fd sendfile refuses, such as
 * a pipe) the call reads and writes through a 64 KiB buffer, with the same result. The
 * caller keeps fd. *sent (if non-NULL) is the bytes sent, on failure too. Returns 0 or
 * an error with Go's text, "readfrom tcp <local>-><remote>: sendfile: broken pipe"
 * (the fallback's calls are "read" / "pread" for the file, "write" for the socket);
 * CNET_ETIMEOUT after the write deadline; -EINVAL for offset < -1 or fd < 0. */
CNET_EXTERN int cnet_conn_sendfile(cnet_conn *c, int fd, int64_t offset, size_t count,
                                   size_t *sent, cnet_error *err);
/* Go's proxy path, io.Copy(dst, src) between two stream conns (TCPConn.ReadFrom of a
 * TCP or unix conn): moves up to count bytes (SIZE_MAX: until src reaches end of
 * stream) from src to dst. On Linux the data goes socket -> pipe -> socket with
 * splice(2), never through user memory; the pipe pair is the call's own (created and
 * closed by it). Where splice cannot serve the pair (another OS, a network splice
 * refuses, no pipe to be had) it reads and writes through a 64 KiB buffer. Waits honour
 * src's read deadline and dst's write deadline. A stop of src ends a wait for data, a
 * stop of dst a wait to write; a stop of dst while the copy waits for src is seen once
 * src has data or ends (as in Go, whose splice waits on src alone).
 * *copied (if non-NULL) is the bytes written to dst, on failure too; bytes read from
 * src but not written when dst fails are lost, as with io.Copy. Returns 0 at src's end
 * of stream (or after count bytes), or an error named after dst as Go names it:
 * "readfrom tcp <dst local>-><dst remote>: splice: connection reset by peer" (the
 * fallback: "read" / "write"). -EINVAL for src == dst. */
CNET_EXTERN int cnet_copy(cnet_conn *dst, cnet_conn *src, size_t count, size_t *copied,
                          cnet_error *err);
/* The most descriptors one message carries (Linux's SCM_MAX_FD). */
#define CNET_MAX_FDS 253
/* Sends len bytes of buf over the unix conn c (unix, unixpacket or unixgram), the
 * descriptors fds[0..nfds) riding with the first byte (SCM_RIGHTS). The caller keeps
 * its descriptors; the receiver gets duplicates. On a stream, the rest of buf follows
 * as a plain write if the kernel takes only part of it. len 0 with descriptors sends
 * one zero byte to carry them, as Go's WriteMsgUnix does (*written is then 0).
 * *written (if non-NULL): the data bytes sent, on failure too. Returns 0, or Go's
 * "write unix @->/tmp/s: sendmsg: bad file descriptor"; -EINVAL for nfds >
 * CNET_MAX_FDS, NULL arrays with counts, or a conn that is not unix
 * ("... sendmsg: invalid argument"). */
CNET_EXTERN int cnet_conn_send_fds(cnet_conn *c, const void *buf, size_t len, const int *fds,
                                   size_t nfds, size_t *written, cnet_error *err);
/* Reads up to len (>= 1) bytes from the unix conn c, with the descriptors that ride on
 * them. The descriptors are close-on-exec from birth (MSG_CMSG_CLOEXEC; darwin sets it
 * just after) and the caller owns them: fds[0..*nfds). *n: the bytes read, 0 at end of
 * stream. If more descriptors arrived than maxfds holds (the control message was
 * truncated, MSG_CTRUNC), every one that did arrive is closed and the call fails with
 * -EMSGSIZE ("read unix ...: recvmsg: message too long") with *n still set: the data was
 * consumed, the descriptors are gone. Returns 0 or an error. */
CNET_EXTERN int cnet_conn_recv_fds(cnet_conn *c, void *buf, size_t len, size_t *n, int *fds,
                                   size_t maxfds, size_t *nfds, cnet_error *err);
/* The credentials of the process at the other end of a unix conn, as the kernel
 * recorded them when it connected (or created the pair). */
typedef struct cnet_peer_cred {
    pid_t pid; /* -1 where the OS does not tell (the BSDs other than darwin) */
    uid_t uid;
    gid_t gid;
} cnet_peer_cred;
/* SO_PEERCRED on Linux; getpeereid(3) on darwin and the BSDs (LOCAL_PEERCRED
 * underneath on darwin and FreeBSD), with darwin's LOCAL_PEERPID for the pid. 0, or
 * "peercred unix ...: getsockopt: <errno text>" ("getpeereid" on the BSDs): -ENOTCONN,
 * or -EOPNOTSUPP for a conn that is not unix. */
CNET_EXTERN int cnet_conn_peer_cred(cnet_conn *c, cnet_peer_cred *cred, cnet_error *err);
/* Listener handover to a running process (HAProxy's "expose-fd listeners"): sends ln's
 * socket over the unix stream conn c with its name (1 to 255 bytes, no ':', as
 * LISTEN_FDNAMES). ln stays open and usable here; the receiver gets its own descriptor
 * for the same socket, so both accept from one queue until this side stops and closes
 * its listener; no connection is refused meanwhile. 0, or an error of the write
 * ("write unix ...: sendmsg: ..."), -EINVAL for a bad name. */
CNET_EXTERN int cnet_listener_send(cnet_conn *c, cnet_listener *ln, const char *name,
                                   cnet_error *err);
/* Receives one listener sent by cnet_listener_send: *ln is a new listener the caller
 * owns (it never unlinks a unix path: it is not its own), its name copied to name
 * (namelen >= 256 holds any). Errors: those of the read; -EPROTO ("protocol error")
 * when the stream does not hold a handover (no descriptor, a bad length, end of stream
 * inside it); CNET_ENOSPACE for a short name buffer; the checks of cnet_file_listener
 * (a descriptor that is not a listening socket: -EINVAL). Nothing received is left
 * open on any error. */
CNET_EXTERN int cnet_listener_recv(cnet_conn *c, cnet_listener **ln, char *name,
                                   size_t namelen, cnet_error *err);
/* systemd's descriptor store (sd_pid_notify_with_fds with "FDSTORE=1\nFDNAME=<name>"):
 * sends fds[0..nfds) (1 to CNET_MAX_FDS) to the service manager at $NOTIFY_SOCKET (a
 * path, or "@name" for an abstract socket), which keeps them across a restart of this
 * service and hands them back through LISTEN_FDS / LISTEN_FDNAMES
 * (cnet_listeners_from_env). name NULL: no FDNAME (systemd calls them "stored"); else
 * as cnet_restart_exec's names. The caller keeps its descriptors. Returns 1 when sent,
 * 0 when NOTIFY_SOCKET is unset (not under systemd, as sd_notify), or an error:
 * "notify unixgram <socket>: sendmsg: connection refused", -EAFNOSUPPORT for a
 * NOTIFY_SOCKET that is neither a path nor "@name", -EINVAL for a bad name or count. */
CNET_EXTERN int cnet_notify_fdstore(const char *name, const int *fds, size_t nfds,
                                    cnet_error *err);
/* ---- end of message I/O: streams and unix ---- */
#ifdef __cplusplus
}
#endif
#endif /* CNET_H */
