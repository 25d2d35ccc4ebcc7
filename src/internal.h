/* Internal interface shared by cnet's source files. Nothing here is public. */
#ifndef CNET_INTERNAL_H
#define CNET_INTERNAL_H

#include "cnet.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netdb.h>
#include <poll.h>

/* ---- Errors (error.c, errno_text_<os>.c) -------------------------------------- */

/* Go's lower-case errno texts for the build's OS, keyed by symbolic constant; where two
 * names share a number, the first entry is the one looked up. */
typedef struct cnet__errno_text {
    int errnum;
    const char *text;
} cnet__errno_text;
extern const cnet__errno_text cnet__errno_texts[];
extern const size_t cnet__errno_texts_len;

/* Clears err (code 0, empty message). */
void cnet__err_clear(cnet_error *err);

/* Go's OpError: "op[ net][ source][->| addr]: inner". Any of net, source, addr may be
 * NULL or "". Stores code and text in err (if non-NULL) and returns code. A text longer
 * than err->msg loses its middle, never its end (see cnet__text). */
int cnet__op_error(cnet_error *err, int code, const char *op, const char *net,
                   const char *source, const char *addr, const char *inner);

/* The same with inner = "<syscall>: <errno text>" for a system error code. */
int cnet__sys_error(cnet_error *err, int code, const char *op, const char *net,
                    const char *source, const char *addr, const char *syscall);

/* Writes the concatenation of the strings that follow len (at most 12, ended by a NULL)
 * into buf. If it does not fit, its middle gives way to "...": the start and the end,
 * where Go's texts put the cause, survive. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((sentinel))
#endif
void cnet__text(char *buf, size_t len, ...);
/* The same for n parts that need not be NUL-terminated: parts[k] is lens[k] bytes. */
void cnet__text_spans(char *buf, size_t len, const char *const *parts, const size_t *lens,
                      size_t n);

/* Go's AddrError as inner text: "address <addr>: <reason>" (just the reason when addr
 * is empty), written into buf. */
void cnet__addr_error_text(char *buf, size_t len, int code, const char *addr);

/* -EINVAL for a NULL argument: "<op>: invalid argument: <what> is NULL". */
int cnet__null_arg(cnet_error *err, const char *op, const char *what);

/* "unknown network <name>" for op. */
int cnet__unknown_network(cnet_error *err, const char *op, const char *network);

/* Writes s into buf if it fits; returns its length, or CNET_ENOSPACE (buf = ""). */
int cnet__copy_out(char *buf, size_t len, const char *s);

/* Saves errno as a negative code (for use right after a failing syscall). */
#define CNET__ERRNO() (-errno)

/* ---- Nanoseconds (nanos.c) ---------------------------------------------------------- */

/* a + b, saturated at INT64_MIN and INT64_MAX: every sum of times and durations (now +
 * timeout, now + delay, a rounding up) goes through it, so that no caller-chosen value
 * can overflow. */
int64_t cnet__add_sat_ns(int64_t a, int64_t b);
/* sec seconds and nsec nanoseconds (a timespec's, or a timeval's microseconds * 1000)
 * as nanoseconds, saturated like cnet__add_sat_ns. */
int64_t cnet__sec_to_ns_sat(int64_t sec, int64_t nsec);

/* ---- Networks (resolve.c) --------------------------------------------------------- */

enum cnet__kind { CNET__TCP, CNET__UDP, CNET__UNIX, CNET__IP };

typedef struct cnet__network {
    char name[32];   /* as the caller spelled it, e.g. "tcp6", "ip4:icmp" */
    enum cnet__kind kind;
    int sotype;      /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW */
    int family_hint; /* AF_INET for *4, AF_INET6 for *6, AF_UNSPEC otherwise (or AF_UNIX) */
    int proto;       /* the IP protocol of an ip network, else 0 */
} cnet__network;

/* Go's parseNetwork: fills net for a name, "ip*:P" included. 0, CNET_EUNKNOWNNET, or
 * CNET_EUNKNOWNPROTO for an unknown protocol (errtext then holds Go's inner text). */
int cnet__network_parse(const char *name, cnet__network *net, char *errtext, size_t errlen);
/* The fixed networks only (tcp*, udp*, unix*); NULL for any other name. */
const cnet__network *cnet__network_lookup(const char *name);
/* The network an open socket names in its I/O errors (Go's fd.net): net itself, but an
 * ip network without its protocol ("ip4:icmp" reads as "ip4"). */
void cnet__network_of_socket(const cnet__network *net, cnet__network *out);
/* Reports a cnet__network_parse failure as Go does for op. */
int cnet__network_error(cnet_error *err, int code, const char *op, const char *network,
                        const char *errtext);

/* Go's "unexpected address type": a known network of the wrong kind for op. */
int cnet__wrong_kind(const char *op, const cnet__network *net, const char *address,
                     cnet_error *err);


/* ---- IP addresses (ip.c) ---------------------------------------------------------- */

typedef struct cnet__ip {
    int family;             /* AF_UNSPEC (no IP: the wildcard), AF_INET or AF_INET6 */
    unsigned char b[16];    /* AF_INET: b[0..3]; AF_INET6: all 16 */
    uint32_t scope_id;      /* IPv6 zone as an interface index */
    char zone[64];          /* the zone as the caller wrote it ("" if none): Go prints it so */
} cnet__ip;

/* Go's parseIPZone on s[0..n): 1 with *ip set for an IP literal (IPv6 with "%zone", split
 * at the last '%'), 0 for anything else, which Go then looks up as a name (shorthand
 * such as "127.1" included), or CNET_EINVALIDADDR for a literal whose zone is longer
 * than zone[] keeps. Go keeps any zone; 63 bytes is cnet's bound, so that every
 * endpoint prints whole within CNET_ADDRSTRLEN ("[<39>%<63>]:65535"). No interface name
 * is longer than 15 bytes, so only a zone that names nothing is refused. */
int cnet__ip_parse(const char *s, size_t n, cnet__ip *ip);
bool cnet__ip_is_v4(const cnet__ip *ip);          /* IPv4 or IPv4-mapped */
bool cnet__ip_is_unspecified(const cnet__ip *ip); /* no IP, 0.0.0.0, ::, ::ffff:0.0.0.0 */
bool cnet__ip_is_multicast(const cnet__ip *ip);
cnet__ip cnet__ip_to_v4(const cnet__ip *ip);       /* unmaps ::ffff:a.b.c.d */
/* Go's IP.String() (with %zone); "" for no IP. Returns the length. */
int cnet__ip_format(const cnet__ip *ip, char *buf, size_t len);

/* ---- addresses and interfaces (ip.c, netip.c, iface*.c) ---------------------------- */

enum { CNET__NO_AT = (size_t)-1 };

/* Why a text is no IP address: Go netip's parseAddrError without its input. msg is the
 * reason (NULL when an IPv4 tail's own reason, inner_msg, is the cause), at the offset
 * of the unparsed rest (CNET__NO_AT for none). Go nests an IPv4 tail's error whole:
 * inner_start is where that tail starts, inner_at an offset into it. */
typedef struct cnet__ip_why {
    const char *msg;
    size_t at;
    const char *inner_msg;
    size_t inner_at;
    size_t inner_start;
    size_t end; /* where the address ends: its zone's '%', or the text's end */
} cnet__ip_why;

/* Go's netip.ParseAddr on s[0..n) with the parser cnet__ip_parse uses: 0 and *out, or
 * CNET_EINVALIDADDR with *why set. The zone is split at the first '%', must not be
 * empty, and is kept whole up to CNET_ZONE_MAX - 1 bytes (Go keeps any length). */
int cnet__addr_parse(const char *s, size_t n, cnet_addr *out, cnet__ip_why *why);
/* Go's IPv6 text (RFC 5952) of 16 bytes, without a zone; returns the length that an
 * unbounded buffer would need, as snprintf does. */
int cnet__ip_format_v6(const unsigned char b[16], char *buf, size_t len);

/* The interface list as the per-OS reader (iface_<os>.c) fills it: links first or
 * interleaved, in the kernel's order; iface.c groups the addresses per interface. */
typedef struct cnet__iface_acc cnet__iface_acc;
/* Each returns 0 or -ENOMEM. */
int cnet__iface_add_link(cnet__iface_acc *acc, const cnet_interface *link);
int cnet__iface_add_addr(cnet__iface_acc *acc, int index, const cnet_prefix *addr);
/* The index of the link named name seen so far, or 0. */
int cnet__iface_index_of(const cnet__iface_acc *acc, const char *name);
/* The per-OS reader: one pass over the kernel's tables. 0, or -errno with *syscall
 * naming the call as Go's error does ("netlinkrib" on Linux). */
int cnet__iface_read(cnet__iface_acc *acc, const char **syscall);
/* Go's flag set for the OS's IFF_* bits. */
unsigned cnet__iface_flags(unsigned iff);

/* ---- host:port (hostport.c) ---------------------------------------------------- */

/* Go's SplitHostPort without copying (and so without a length limit): the host is
 * hp[*hbeg, *hend), the port hp's tail from *pbeg. 0 or the CNET_E* reason. */
int cnet__split_spans(const char *hp, size_t *hbeg, size_t *hend, size_t *pbeg);

/* ---- Ports (port.c) ------------------------------------------------------------- */

/* Go's LookupPort for network kind (tcp or udp). On error returns a code and writes
 * Go's inner error text ("address 70000: invalid port", "address tcp/foo: unknown
 * port") into errtext. */
int cnet__port_lookup(enum cnet__kind kind, const char *service, int *port, char *errtext,
                      size_t errlen);

/* ---- Socket addresses (sockaddr.c) ---------------------------------------------- */

typedef struct cnet__sockaddr {
    union {
        struct sockaddr sa;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
        struct sockaddr_un un;
        struct sockaddr_storage ss;
    } u;
    socklen_t len;
} cnet__sockaddr;

/* An internet endpoint before it becomes a sockaddr: IP (maybe none) and port. */
typedef struct cnet__endpoint {
    cnet__ip ip;
    int port;
} cnet__endpoint;

/* Go's ipToSockaddr: the endpoint for a socket of this family. false if the IP cannot
 * be expressed in that family. */
bool cnet__endpoint_to_sockaddr(const cnet__endpoint *ep, int family, cnet__sockaddr *sa);

/* Go's Addr.String() for a kernel sockaddr ("127.0.0.1:80", "[::1]:80", "/path",
 * "@abstract", "@" for unnamed unix). Returns the length or CNET_ENOSPACE. */
int cnet__sockaddr_format(const cnet__sockaddr *sa, char *buf, size_t len);

/* Go's endpoint String(): JoinHostPort(ip, port), "" host for no IP. */
int cnet__endpoint_format(const cnet__endpoint *ep, char *buf, size_t len);

/* The address string of an end of a socket of network net: an ip network's addresses
 * have no port (Go's IPAddr). */
int cnet__net_sockaddr_format(const cnet__network *net, const cnet__sockaddr *sa, char *buf,
                              size_t len);
int cnet__net_endpoint_format(const cnet__network *net, const cnet__endpoint *ep, char *buf,
                              size_t len);

/* A unix address from a name: "@x" is abstract (Linux), "" autobind. false if too long. */
bool cnet__unix_sockaddr(const char *name, cnet__sockaddr *sa);

/* ---- Resolution (resolve.c) ----------------------------------------------------- */

#define CNET__MAX_ADDRS 16

typedef struct cnet__addr_list {
    cnet__endpoint ep[CNET__MAX_ADDRS];
    int n;
} cnet__addr_list;

/* Go's internetAddrList for op ("listen" / "dial"): split, look up the port, parse or
 * resolve the host, filter by network family. On error fills err with Go's text
 * ("<op> <net>: address ...: ...") and returns the code. */
int cnet__resolve(const char *op, const cnet__network *net, const char *address,
                  int64_t deadline, cnet__addr_list *out, cnet_error *err);

/* getaddrinfo that gives up at deadline (0 = none): the lookup runs on a thread the
 * caller stops waiting for, since getaddrinfo cannot be cancelled. Returns getaddrinfo's
 * code (errno as getaddrinfo left it, for EAI_SYSTEM), or EAI_AGAIN with *timed_out
 * set. */
int cnet__getaddrinfo(const char *host, int64_t deadline, struct addrinfo **res, bool *timed_out);

/* Go's first(isIPv4): the first IPv4 address, else the first address. */
const cnet__endpoint *cnet__addr_list_first_v4(const cnet__addr_list *l);

/* ---- Platform hooks (sockopt_<os>.c, sock_cloexec.c / sys_cloexec.c) -------------- */

/* A new non-blocking close-on-exec socket, or -errno. */
int cnet__sys_socket(int family, int sotype, int proto);
/* A non-blocking close-on-exec pipe: 0 or -errno. */
int cnet__sys_pipe(int p[2]);

/* accept with non-blocking close-on-exec result; fills sa. Returns fd or -errno;
 * *dequeued tells whether a connection left the queue (on an error too, where a step
 * after the accept failed). cnet__accept_syscall names the call in error text
 * ("accept4" or "accept"). */
extern const char cnet__accept_syscall[];
int cnet__sys_accept(int fd, cnet__sockaddr *sa, bool *dequeued);

/* The three default-option entry points (Go's setDefault*Sockopts), plus the
 * defaults of accepted and dialed TCP connections. Each returns 0 or -errno and, on
 * error, names the failing option's syscall ("setsockopt") via *syscall. */
int cnet__set_default_sockopts(int fd, int family, int sotype, bool ipv6only);
int cnet__set_default_listener_sockopts(int fd, int family, int sotype);
int cnet__set_default_multicast_sockopts(int fd);
/* TCP_NODELAY and keep-alive on a connection (or on a Linux listener, inherited by
 * accepted sockets). Failures are ignored, as Go ignores them. */
void cnet__set_default_conn_sockopts(int fd, int family);
/* true if accepted sockets inherit the listener's conn options (Linux). */
bool cnet__accept_inherits_conn_sockopts(void);

/* A read on a TCP socket: read(2)'s result, and in *left the bytes the kernel still
 * holds after it (Linux's TCP_INQ), or -1 where the OS does not say. */
ssize_t cnet__tcp_read(int fd, void *buf, size_t len, int *left);

/* Writes without SIGPIPE: MSG_NOSIGNAL where it exists, SO_NOSIGPIPE elsewhere. */
int cnet__send_flags(void);

/* false where the kernel never maps IPv4 into IPv6 (OpenBSD, DragonFly: hard-wired in
 * Go), so the probe need not run. */
bool cnet__kernel_may_map_ipv4(void);

/* The listen(2) backlog: the OS maximum; 0 if it could not be read this time. */
int cnet__max_listener_backlog(void);

/* IPv4 multicast (mcast_<os>.c): names the outgoing interface (if ifindex != 0) and
 * joins group on it. Linux addresses the interface by index (ip_mreqn); the BSDs by
 * its first IPv4 address (CNET_ENOIPV4IF if it has none). 0 or an error code. */
int cnet__mcast_set_if_v4(int fd, unsigned ifindex);
int cnet__mcast_join_v4(int fd, const cnet__ip *group, unsigned ifindex);

/* ---- The option policy as data (policy.c) ----------------------------------------
 * Each OS's defaults are rows of a table. The platform file applies its own OS's rows
 * through cnet__apply_policy(), and `cnet sockopts` prints any OS's rows through
 * cnet_sockopt_policy(): one source, so the printed policy cannot drift from the code. */

typedef enum cnet__role {
    CNET__ROLE_SOCKET,    /* every socket, right after creation */
    CNET__ROLE_LISTENER,  /* stream listeners, before bind */
    CNET__ROLE_MULTICAST, /* UDP sockets bound to a multicast group, before bind */
    CNET__ROLE_JOIN,      /* multicast sockets, after bind, before the join */
    CNET__ROLE_CONN,      /* accepted and dialed TCP connections */
    CNET__ROLE_REUSEPORT, /* listeners that asked for a load-balanced group, before bind */
    CNET__ROLE_COUNT
} cnet__role;

typedef enum cnet__opt {
    CNET__OPT_IPV6_V6ONLY,
    CNET__OPT_SO_BROADCAST,
    CNET__OPT_SO_REUSEADDR,
    CNET__OPT_SO_REUSEPORT,
    CNET__OPT_SO_REUSEPORT_LB,
    CNET__OPT_IP_PORTRANGE,
    CNET__OPT_IPV6_PORTRANGE,
    CNET__OPT_IP_MULTICAST_LOOP,
    CNET__OPT_IPV6_MULTICAST_LOOP,
    CNET__OPT_TCP_NODELAY,
    CNET__OPT_SO_KEEPALIVE,
    CNET__OPT_TCP_KEEPIDLE,
    CNET__OPT_TCP_KEEPALIVE, /* darwin's name for the idle time */
    CNET__OPT_TCP_KEEPINTVL,
    CNET__OPT_TCP_KEEPCNT,
    CNET__OPT_TCP_INQ,
    CNET__OPT_SO_NOSIGPIPE,
    CNET__OPT_NONE, /* no option does it on this OS: the request is refused */
    CNET__OPT_COUNT
} cnet__opt;

/* Which sockets a row applies to. */
enum {
    CNET__WHEN_ANY = 0,
    CNET__WHEN_INET4 = 1 << 0, /* AF_INET */
    CNET__WHEN_INET6 = 1 << 1, /* AF_INET6 */
    CNET__WHEN_INET = CNET__WHEN_INET4 | CNET__WHEN_INET6,
    CNET__WHEN_DGRAM = 1 << 2, /* SOCK_DGRAM (with INET: UDP) */
    CNET__WHEN_STREAM = 1 << 3,
};

/* A row's value: a number, or the socket's ipv6only setting. */
#define CNET__VALUE_IPV6ONLY (-1)

typedef struct cnet__policy_row {
    cnet__role role;
    cnet__opt opt;
    int value;
    unsigned when;
    bool best_effort; /* a failure is ignored (and why is in the reason) */
    const char *reason;
} cnet__policy_row;

typedef struct cnet__policy {
    const char *os;
    const cnet__policy_row *rows;
    size_t n;
    const char *backlog_source; /* where the listen(2) backlog comes from */
} cnet__policy;

const cnet__policy *cnet__policy_lookup(const char *os);

/* Applies the rows of role from this OS's table. 0 or -errno (best-effort rows never
 * fail it). */
int cnet__apply_policy(int fd, cnet__role role, int family, int sotype, bool ipv6only);

/* The same with caller-chosen values: override may change *value, or return false to
 * leave that option alone. strict: best-effort rows fail it too. */
typedef bool (*cnet__override_fn)(const void *ctx, cnet__opt opt, int *value);
int cnet__apply_policy_with(int fd, cnet__role role, int family, int sotype, bool ipv6only,
                            cnet__override_fn override, const void *ctx, bool strict);

/* Go's newTCPConn options (TCP_NODELAY, keep-alive) with a keep-alive config; NULL or
 * all zero is the policy table's default. Failures are ignored, as Go ignores them. */
void cnet__apply_conn_options(int fd, int family, const cnet_keepalive *ka);
bool cnet__keepalive_is_default(const cnet_keepalive *ka);
/* What cnet guarantees on a descriptor it adopts (cnet_file_*, activation): darwin's
 * SO_NOSIGPIPE; nothing on Linux. */
void cnet__adopt_sockopts(int fd);
/* The keep-alive options alone, failures reported (cnet_conn_set_keepalive). */
int cnet__set_keepalive(int fd, int family, const cnet_keepalive *ka);

/* From sockopt_<os>.c: this OS's name, and an option's native level, name and size
 * (false where the OS lacks it). */
const char *cnet__os_name(void);
bool cnet__opt_native(cnet__opt opt, int *level, int *name, socklen_t *size);

/* ---- The runtime: tasks on scheduler threads (runtime.c, stack.c, switch_<arch>.c) -- */

typedef struct cnet__task cnet__task;
typedef struct cnet__sched cnet__sched;
typedef struct cnet__poller cnet__poller;

/* switch_<arch>.c: a context is a saved stack pointer. ctx_make prepares a stack so
 * that the first switch to it calls entry(arg), which must never return. */
void *cnet__ctx_make(void *stack_top, void (*entry)(void *), void *arg);
void cnet__ctx_switch(void **from, void *to);

/* stack.c: an mmap'd stack of size usable bytes (whole pages) with a PROT_NONE guard
 * page below it. 0 or -errno. */
typedef struct cnet__stack {
    void *map;   /* the mapping, guard page first */
    void *base;  /* the lowest usable byte: just above the guard */
    size_t size; /* usable bytes */
} cnet__stack;
int cnet__stack_alloc(cnet__stack *st, size_t size);
void cnet__stack_free(cnet__stack *st);
size_t cnet__stack_round(size_t size); /* the size a request gets: whole pages, >= 16 KiB */

/* The running task, or NULL on a plain thread (and on a scheduler's own stack). */
cnet__task *cnet__task_self(void);
/* Switches the running task out until cnet__task_ready() is called for it. */
void cnet__task_park(void);
/* Makes a parked task runnable on its own scheduler; callable from any thread, once per
 * park. */
void cnet__task_ready(cnet__task *t);
/* The running task's scheduler's poller. */
cnet__poller *cnet__task_poller(void);

/* Timers of the running task's scheduler (a heap; only that thread touches it). */
typedef struct cnet__timer {
    int64_t when;
    size_t index; /* in the heap, or SIZE_MAX when not started */
    void (*fire)(struct cnet__timer *);
} cnet__timer;
void cnet__timer_start(cnet__timer *t, int64_t when);
void cnet__timer_stop(cnet__timer *t);

/* ---- Waiting, for tasks and threads alike (wait.c) --------------------------------
 * A waiter is one blocked call, on the waiter's own stack. It is linked into a queue
 * protected by a lock the waker holds while waking it, and the waiter takes that lock
 * again before it returns, so a waker never touches a waiter that has gone. A task
 * parks; a plain thread polls its own wake-up descriptor (one per thread, made on its
 * first wait, never one per handle) together with the socket it waits for. */

enum {
    CNET__WAKE_NONE,
    CNET__WAKE_EVENT,   /* the awaited event (or readiness) */
    CNET__WAKE_KICK,    /* a deadline changed, or a stop */
    CNET__WAKE_EXPIRED, /* a deadline was set that had already passed */
    CNET__WAKE_TIMEOUT  /* the waiter's own deadline passed */
};

typedef struct cnet__waiter {
    struct cnet__waiter *next, *prev;
    cnet__task *task;       /* NULL: a plain thread */
    struct cnet__thread_wake *tw;
    pthread_mutex_t *lock;  /* the queue's lock */
    struct cnet__waitq *q;  /* the queue it is on while it waits */
    short events;           /* POLLIN / POLLOUT waited for; 0 for other waits */
    _Atomic int woken;      /* CNET__WAKE_*: why it was woken; NONE while it waits */
    _Atomic int *claim;     /* shared by one task's waiters on several queues, or NULL */
    cnet__timer timer;      /* a task's deadline */
} cnet__waiter;

typedef struct cnet__waitq {
    cnet__waiter *head;
} cnet__waitq;

/* Prepares w for a wait on a queue guarded by lock (held by the caller). */
void cnet__waiter_init(cnet__waiter *w, pthread_mutex_t *lock, short events);
void cnet__waitq_push(cnet__waitq *q, cnet__waiter *w);
/* Wakes (and unlinks) every waiter whose events meet events (0: all) with why. Under
 * the queue's lock. Returns how many. */
int cnet__waitq_wake(cnet__waitq *q, short events, int why);
bool cnet__waitq_wake_one(cnet__waitq *q, int why);
/* Links w into q and blocks until it is woken or the deadline (0: none) passes; called
 * and returns with the lock held, w unlinked. sysfd >= 0 (threads): poll it for
 * w->events as well, and return CNET__WAKE_EVENT when it is ready. Returns the
 * CNET__WAKE_* reason. */
int cnet__waiter_block(cnet__waitq *q, cnet__waiter *w, int64_t deadline, int sysfd);
/* Parks the running task until one of its waiters is woken or the deadline (0: none)
 * passes (timed's timer). A task waiting on several queues at once links a waiter in
 * each, sharing a claim, and afterwards, under each queue's lock, leave() unlinks a
 * waiter nobody woke. */
void cnet__waiter_park_claimed(cnet__waiter *timed, int64_t deadline);
void cnet__waiter_leave(cnet__waiter *w);

/* ---- Poll descriptors (netpoll.c) and the pollers (netpoll_<kind>.c) --------------
 * A poll descriptor is what a socket's blocked calls wait on. Descriptors live in a
 * pool and are never freed, only reused with a new generation, so an event that
 * arrives for a descriptor already closed is recognised and dropped (Go's pollDesc). */

typedef struct cnet__pd cnet__pd;

typedef struct cnet__pollev {
    uint64_t token;
    bool readable, writable;
    bool hangup; /* the peer closed, or the socket has an error */
} cnet__pollev;

/* A poller's record of one waiter's interest (the poll(2) backend's slot). */
typedef struct cnet__poll_arm {
    cnet__poller *poller;
    int slot;
} cnet__poll_arm;

/* 0, or -errno with *syscall naming the call that failed. */
int cnet__poller_open(cnet__poller **out, const char **syscall);
void cnet__poller_close(cnet__poller *p);
/* Makes readiness of sysfd for events reach p as token: epoll and kqueue register the
 * descriptor once, edge-triggered, both directions (*registered records it); poll(2)
 * watches it for this waiter only (arm). 0 or -errno. */
int cnet__poller_arm(cnet__poller *p, int sysfd, uint64_t token, short events,
                     cnet__poller **registered, cnet__poll_arm *arm);
void cnet__poller_disarm(cnet__poll_arm *arm);
/* Drops a registration before the descriptor is closed (any thread). */
void cnet__poller_forget(cnet__poller *registered, int sysfd);
/* Waits up to timeout_ms (-1: no limit) and fills up to max events; a wakeup() is
 * consumed here. Count, or -errno. */
int cnet__poller_wait(cnet__poller *p, int timeout_ms, cnet__pollev *ev, int max);
/* Makes a concurrent or the next wait return (any thread). */
void cnet__poller_wakeup(cnet__poller *p);

/* netpoll.c: a descriptor for sysfd (NULL on ENOMEM); release it once no call can use
 * it any more, before sysfd is closed. */
cnet__pd *cnet__pd_get(int sysfd);
void cnet__pd_put(cnet__pd *pd);
/* Waits until sysfd may be ready for events (0), the deadline passes (CNET_ETIMEOUT), a
 * kick (0: the caller re-reads its deadline; CNET__EXPIRED: a deadline already past was
 * set meanwhile) or an eviction (CNET_ECLOSED). kicks is cnet__pd_kicks() read before
 * the deadline was: a kick in between returns 0 at once. Other errors: the poller's
 * -errno. */
#define CNET__EXPIRED 1
int cnet__pd_wait(cnet__pd *pd, short events, int64_t deadline, unsigned kicks);
unsigned cnet__pd_kicks(cnet__pd *pd);
/* true once the poller has reported a hang-up or an error on the socket: a read that
 * found nothing more queued may still have an error or end of stream to return. */
bool cnet__pd_hung_up(cnet__pd *pd);
/* Wakes every call waiting on pd: a deadline change (those waiting for expired events
 * learn that their new deadline has passed already, however soon it changes again),
 * or, closing, a stop for good. */
void cnet__pd_kick(cnet__pd *pd, short expired, bool closing);
/* An event from a poller (the scheduler loop). */
void cnet__pd_event(const cnet__pollev *ev);
/* Forgets every registration with a poller that is being closed. */
void cnet__pd_forget_poller(cnet__poller *p);
/* In a child after fork: the parent's pollers, waiters and locks are not the child's. */
void cnet__pd_after_fork(void);
void cnet__thread_wake_after_fork(void);

/* Waits for any of n (at most 2) raw descriptors like poll(2) until the deadline (0:
 * none): the count of ready ones with revents set, 0, or -errno; a task parks. */
int cnet__poll_any(struct pollfd *p, int n, int64_t deadline);

/* ---- Wake-up object (wake_eventfd.c / wake_pipe.c) ------------------------------ */

/* A descriptor that becomes readable once signalled, until drained: a scheduler's and
 * a plain thread's way to be woken. */
int cnet__wake_open(int *rfd, int *wfd); /* 0 or -errno */
extern const char cnet__wake_syscall[];  /* what wake_open calls: "eventfd", "pipe" */
void cnet__wake_signal(int wfd);
void cnet__wake_close(int rfd, int wfd);
void cnet__wake_drain(int rfd);

/* ---- Descriptors shared between threads and tasks (fd.c) ------------------------- */

/* One socket owned by one handle. Operations take a reference; stop marks the
 * descriptor closing and wakes every blocked operation; close stops, waits until they
 * have left, then closes the socket. Deadlines are absolute cnet_now_ns() times,
 * 0 = none. */
typedef struct cnet__fd {
    int sysfd;
    atomic_uint state;              /* bit 0: closing; the rest: 2 * active operations */
    _Atomic int64_t rdeadline, wdeadline;
    cnet__pd *pd;                   /* what blocked operations wait on */
    pthread_mutex_t mu;             /* guards closers */
    cnet__waitq closers;            /* a close waiting for the last operation */
} cnet__fd;

/* 0, or -ENOMEM (no poll descriptor: sysfd is still the caller's). */
int cnet__fd_init(cnet__fd *fd, int sysfd);
/* Takes a reference: 0, or CNET_ECLOSED if the descriptor is closing (no reference is
 * then held, and sysfd must not be touched). */
int cnet__fd_acquire(cnet__fd *fd);
void cnet__fd_release(cnet__fd *fd);
/* CNET_ETIMEOUT if the deadline has passed, else 0. */
int cnet__fd_check_deadline(const _Atomic int64_t *deadline);
/* Waits until sysfd may be ready for events (POLLIN/POLLOUT) or the deadline passes:
 * 0 (retry the call), CNET_ECLOSED, CNET_ETIMEOUT, or -errno. */
int cnet__fd_wait(cnet__fd *fd, short events, _Atomic int64_t *deadline);
/* Sets the read and/or write deadline and re-arms blocked calls. 0 or CNET_ECLOSED. */
int cnet__fd_set_deadline(cnet__fd *fd, bool read, bool write, int64_t deadline_ns);
/* Marks closing and wakes every blocked call; idempotent; the socket stays open. */
void cnet__fd_stop(cnet__fd *fd);
/* Stops, waits for the blocked calls to leave, closes the socket. */
void cnet__fd_close(cnet__fd *fd);

/* Milliseconds for poll() until deadline (rounded up; -1 for none, 0 if passed). */
int cnet__poll_timeout(int64_t deadline_ns);

/* ---- The socket skeleton (sock.c) ------------------------------------------------ */

/* Go's socket() in sock_posix.go: creates a socket, applies the defaults, then listens
 * (stream + local), binds (datagram + local) or dials (remote). On success returns the
 * fd; on error closes everything and returns the code with *syscall naming the
 * failing call. net_name is what a Control hook sees (cnet__qualified_network). */
typedef struct cnet__sock_req {
    int family, sotype;
    bool ipv6only;
    const cnet__sockaddr *local;  /* may be NULL */
    const cnet__sockaddr *remote; /* may be NULL */
    bool multicast;               /* local address is a multicast group */
    bool connect_async;           /* dial: return once connect has started */
    bool reuse_port;              /* listen: join a load-balanced group */
    int proto;                    /* the protocol of a raw IP socket, else 0 */
    int backlog;                  /* listen: 0 = the OS maximum */
    cnet_control_fn control;      /* may be NULL */
    void *control_arg;
    const char *control_addr;     /* the address string the hook sees */
} cnet__sock_req;

/* Go's family-qualified network for Control hooks: "tcp" on AF_INET6 is "tcp6". */
const char *cnet__qualified_network(const cnet__network *net, int family);

int cnet__socket(const cnet__sock_req *req, const char *net_name, const char **syscall);

/* Go's favoriteAddrFamily: the family for listen/dial with these endpoints. */
int cnet__favorite_family(const cnet__network *net, const cnet__endpoint *local,
                          const cnet__endpoint *remote, bool listen, bool *ipv6only);

/* The result of a non-blocking connect once the socket is writable: 0 or -errno. */
int cnet__connect_result(int fd);

/* ---- Socket activation (activation.c, restart.c) --------------------------------- */

/* The one rule for a LISTEN_FDNAMES entry, applied by the reader and by the writer
 * (cnet_restart_exec) alike, so that the writer never hands over what the reader then
 * refuses: 1 to CNET__FDNAME_MAX bytes (systemd's FDNAME_MAX), no ':' (the separator).
 * name need not be NUL-terminated. */
#define CNET__FDNAME_MAX 255
bool cnet__fdname_valid(const char *name, size_t len);

/* ---- Handles (listener.c, conn.c, packet.c) --------------------------------------- */

struct cnet_listener {
    cnet__fd fd;
    const cnet__network *net;
    cnet__network net_copy; /* what net points to */
    cnet_keepalive keepalive; /* for accepted TCP connections */
    bool opts_on_accept;      /* set them per accepted socket (not inherited) */
    cnet__sockaddr addr;   /* bound address (getsockname) */
    char addr_text[CNET_ADDRSTRLEN]; /* addr as Go prints it, for error texts */
    bool unlink_on_close;  /* unix path created by this listener */
    dev_t path_dev;        /* identity of the socket file it created */
    ino_t path_ino;
};

struct cnet_conn {
    cnet__fd fd;
    atomic_bool drained; /* the last read left nothing queued: wait before reading */
    const cnet__network *net;
    cnet__network net_copy; /* what net points to */
    cnet__sockaddr remote;  /* the local end is asked of the kernel when needed */
};

struct cnet_packet_conn {
    cnet__fd fd;
    const cnet__network *net;
    cnet__network net_copy; /* what net points to */
    cnet__sockaddr local;
    atomic_uint msg_state;  /* message I/O: datagrams: CNET__GSO_* (msg.c) */
};

/* file.c: O_NONBLOCK on fd; whether fd is a listener (or a datagram socket) cnet can
 * wrap, and its network. */
int cnet__set_nonblock(int fd);
/* 1 if fd is a listener (listener) or a datagram socket (!listener), 0 if not, or a
 * code (with *syscall) when it cannot be inspected. */
int cnet__file_fits(int fd, bool listener, const cnet__network **net, const char **syscall);
/* Whether fd is a socket cnet can wrap at all: 0, or the code with *syscall naming the
 * failing call (NULL for an unsupported family: -EPROTONOSUPPORT). */
int cnet__file_check(int fd, const char **syscall);

/* A listener / packet conn handle owning sysfd, with its bound address read. 0, or a
 * code with *syscall naming what failed ("malloc", "getsockname"); sysfd is then still
 * the caller's. */
int cnet__listener_new(int sysfd, const cnet__network *net, cnet_listener **out,
                       const char **syscall);
int cnet__packet_new(int sysfd, const cnet__network *net, cnet_packet_conn **out,
                     const char **syscall);
/* getsockname into sa: 0 or -errno. */
int cnet__local_sockaddr(int fd, cnet__sockaddr *sa);

/* A new conn handle owning sysfd (remote may be NULL: looked up lazily). NULL on ENOMEM
 * (sysfd is then still the caller's). */
cnet_conn *cnet__conn_new(int sysfd, const cnet__network *net, const cnet__sockaddr *remote);

/* ---- lookups (resolver.c; dns_cares.c or dns_none.c) ------------------------------ */

/* A stop another thread can send to lookups in flight: each waiting lookup links a hook
 * that wakes it; stop marks the stopper and runs every hook under its lock. */
typedef struct cnet__stop_hook {
    struct cnet__stop_hook *next, *prev;
    void (*fn)(struct cnet__stop_hook *h); /* under the stopper's lock: must not block */
} cnet__stop_hook;

typedef struct cnet__stopper {
    pthread_mutex_t mu;
    bool stopped;
    cnet__stop_hook *hooks;
} cnet__stopper;

/* Links h, or returns false if s has been stopped already. s NULL: never stopped. */
bool cnet__stopper_add(cnet__stopper *s, cnet__stop_hook *h);
void cnet__stopper_remove(cnet__stopper *s, cnet__stop_hook *h);
/* Marks s stopped and runs (and unlinks) every hook. */
void cnet__stopper_stop(cnet__stopper *s);

/* cnet__getaddrinfo that a stopper can also end: *stopped is then true (and the result
 * EAI_AGAIN). stop NULL: cnet__getaddrinfo. */
int cnet__getaddrinfo_stoppable(const char *host, int64_t deadline, cnet__stopper *stop,
                                struct addrinfo **res, bool *timed_out, bool *stopped);

/* One DNS question's answer, as parsed records. */
enum { CNET__DNS_A = 1, CNET__DNS_NS = 2, CNET__DNS_CNAME = 5, CNET__DNS_PTR = 12,
       CNET__DNS_MX = 15, CNET__DNS_TXT = 16, CNET__DNS_AAAA = 28, CNET__DNS_SRV = 33 };

typedef struct cnet__dns_rr {
    char *owner;    /* without a trailing dot, as the message spells it */
    int type;
    uint16_t a, b, c; /* MX: pref; SRV: priority, weight, port */
    char *text;     /* NS, CNAME, PTR, MX, SRV: the name (no trailing dot); TXT: joined */
    cnet__ip ip;    /* A, AAAA */
} cnet__dns_rr;

typedef struct cnet__dns_answer {
    cnet__dns_rr *rr;
    size_t n;
    char server[CNET_ADDRSTRLEN]; /* "127.0.0.1:53": Go's "on SERVER" */
} cnet__dns_answer;

/* Asks the resolv.conf nameservers for name's records of type (search list and ndots
 * applied), waiting until deadline (0: none) or a stop. 0 with *ans filled (free with
 * cnet__dns_answer_free), or < 0 with Go's text in err naming what (the name as the
 * caller asked it): CNET_ENOHOST, CNET_ESERVER, CNET_ESERVERTEMP, CNET_EDIALTIMEOUT,
 * CNET_ECANCELED, CNET_EBADMESSAGE, -errno, CNET_ENOTSUP (built without c-ares). */
int cnet__dns_query(const char *name, const char *what, int type, int64_t deadline,
                    cnet__stopper *stop, int wake_fd, cnet__dns_answer *ans, cnet_error *err);
void cnet__dns_answer_free(cnet__dns_answer *ans);
/* The first nameserver of resolv.conf as "IP:53" (Go's "on SERVER"), or "" if none. */
void cnet__dns_first_server(char *buf, size_t len);
/* Go's DNSError text: "lookup NAME on SERVER: reason" ("lookup NAME: reason" when server
 * is NULL or ""). Returns code. */
int cnet__dns_error(cnet_error *err, int code, const char *name, const char *server,
                    const char *reason);

/* ---- message I/O: datagrams (msg.c, cmsg_<os>.c, batch_<os>.c) ---- */

/* Room for every control message one datagram can carry (pktinfo of both families,
 * TOS, TTL, a timestamp, a GRO segment size): about 200 bytes on any ABI. */
#define CNET__CMSG_SPACE 320

/* cnet_packet_conn.msg_state: the GSO probe's result (once per conn) and a refusal. */
enum { CNET__GSO_PROBED = 1u, CNET__GSO_YES = 2u, CNET__GSO_REFUSED = 4u };

/* cmsg.c (every OS's part: IPv6, the walking) and cmsg_<os>.c (the OS's spellings).
 * Which CNET_MSG_* bits this OS can receive (cmsg_<os>.c). */
extern const unsigned cnet__cmsg_receivable;
/* Turns receipt of flags on or off on fd (family: the socket's; an AF_INET6 socket gets
 * the IPv4 options too, best effort, for the IPv4 datagrams a dual-stack socket gets).
 * 0 or -errno. */
int cnet__cmsg_enable(int fd, int family, unsigned flags, bool on);
/* Reads the control messages of a received datagram into ctl (flags set per field). */
void cnet__cmsg_parse(struct msghdr *mh, cnet_msg_control *ctl);
/* Writes the control messages for a send into buf (cap bytes, aligned for cmsghdr):
 * the fields of ctl whose bits are set (src: local_ip parsed, family AF_UNSPEC if
 * none), and a GSO segment size if gso_size != 0. Returns the length, or -EINVAL for a
 * source of the wrong family, CNET_ENOTSUP for a field this OS cannot send. */
int cnet__cmsg_build(void *buf, size_t cap, int family, const cnet_msg_control *ctl,
                     const cnet__ip *src, size_t gso_size);
/* Whether the kernel segments UDP for fd (Linux UDP_SEGMENT): one getsockopt. */
bool cnet__gso_probe(int fd);
/* Whether a send's errno means "not with GSO" (Linux: EIO from a device without
 * checksum offload, EINVAL/ENOPROTOOPT/EOPNOTSUPP from a kernel without it). */
bool cnet__gso_refused(int errnum);
/* The most datagrams one GSO send may carry (Linux: UDP_MAX_SEGMENTS). */
extern const size_t cnet__gso_max_segments;

/* cmsg.c's helpers for cmsg_<os>.c. */
/* setsockopt of an int: 0 or -errno. */
int cnet__cmsg_set_int(int fd, int level, int name, int v);
/* CMSG_NXTHDR for every libc (musl's macro trips -Wsign-compare, darwin lacks
 * CMSG_ALIGN): the header after c, or NULL at the end of mh's control buffer or where
 * the next header's cmsg_len would run past it. */
struct cmsghdr *cnet__cmsg_next(struct msghdr *mh, struct cmsghdr *c);
/* Appends one control message at *used in mh's control buffer (advancing *used);
 * false when it does not fit. */
bool cnet__cmsg_put(struct msghdr *mh, size_t *used, int level, int type, const void *data,
                    size_t len);
/* Sets ctl->local_ip from a raw address of family (4 or 16 bytes) and its flag. */
void cnet__cmsg_set_local_ip(cnet_msg_control *ctl, int family, const void *addr);

/* cmsg_<os>.c's part, called by cmsg.c. v is 1 (on) or 0 (off); each returns 0 or
 * -errno. IPv4's receive options: */
int cnet__cmsg_enable_v4(int fd, unsigned flags, int v);
/* The options of no address family: the timestamp, and Linux's GRO. */
int cnet__cmsg_enable_os(int fd, unsigned flags, int v);
/* One received IPPROTO_IP message into ctl. */
void cnet__cmsg_parse_v4(const struct cmsghdr *c, cnet_msg_control *ctl);
/* One received message of any level but IPPROTO_IP and IPPROTO_IPV6 (the timestamp,
 * Linux's GRO segment size); others are ignored. */
void cnet__cmsg_parse_os(const struct cmsghdr *c, cnet_msg_control *ctl);
/* IPv4's messages for a send (cnet__cmsg_build's contract): 0, -ENOBUFS, or
 * CNET_ENOTSUP for a field this OS cannot send on IPv4. */
int cnet__cmsg_build_v4(struct msghdr *mh, size_t *used, const cnet_msg_control *ctl,
                        const cnet__ip *src);
/* The GSO segment size message: 0, -ENOBUFS, or CNET_ENOTSUP (no GSO on this OS). */
int cnet__cmsg_build_gso(struct msghdr *mh, size_t *used, size_t gso_size);

/* batch_<os>.c: many datagrams per system call where the OS has one (Linux recvmmsg /
 * sendmmsg), else one per call. h[0..n) are the messages; lens gets each one's byte
 * count. Returns how many were transferred (>= 1), or -1 with errno set (nothing was,
 * or the first failed). n <= CNET__BATCH_MAX. */
#define CNET__BATCH_MAX 16 /* a batch's headers live on the caller's (task) stack */
int cnet__sys_recv_batch(int fd, struct msghdr *h, size_t *lens, size_t n);
int cnet__sys_send_batch(int fd, struct msghdr *h, size_t *lens, size_t n, int flags);
extern const char cnet__recv_batch_syscall[]; /* "recvmmsg" or "recvmsg" */
extern const char cnet__send_batch_syscall[]; /* "sendmmsg" or "sendmsg" */

/* mcastctl_<api>.c: multicast membership, by interface index, any source or one
 * (source NULL). RFC 3678's group_req / group_source_req where the OS has them. 0 or
 * -errno (CNET_ENOTSUP where the OS has no such API). */
int cnet__mcast_membership(int fd, int family, bool join, unsigned ifindex,
                           const cnet__ip *group, const cnet__ip *source);

/* ---- message I/O: streams and unix ---- */

/* Go's OpError for an I/O failure on c, as conn.c writes it: "<op> <net>
 * <local>-><remote>: <syscall>: <errno text>" (no syscall part for CNET_ECLOSED,
 * CNET_ETIMEOUT or a NULL syscall). The second form is for a handle that is closing: it
 * names only the remote end. Both return code. (conn.c) */
int cnet__conn_error(cnet_conn *c, cnet_error *err, int code, const char *op,
                     const char *syscall);
int cnet__conn_closed_error(cnet_conn *c, cnet_error *err, const char *op);
/* A control buffer for the most descriptors one message carries, aligned for cmsghdr,
 * and the one SCM_RIGHTS message (1 <= nfds <= CNET_MAX_FDS) that msg then carries in
 * it. (unixmsg.c) */
typedef union cnet__rights_buf {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(CNET_MAX_FDS * sizeof(int))];
} cnet__rights_buf;
void cnet__rights_attach(struct msghdr *msg, cnet__rights_buf *ctl, const int *fds,
                         size_t nfds);
/* Sends all len bytes of p on c (a reference held), waiting under its write deadline;
 * *done grows by what was sent. 0 or a code (no text). (writev.c) */
int cnet__conn_write_all(cnet_conn *c, const char *p, size_t len, size_t *done);

/* The kernel's copy paths (zerocopy_linux.c; zerocopy_other.c has none: -ENOSYS, and
 * the portable front, zerocopy.c, copies through a buffer). Non-blocking; each returns
 * the byte count or -errno. offset NULL: the file's own position, advanced. */
ssize_t cnet__zc_sendfile(int sock, int file, int64_t *offset, size_t count);
/* A non-blocking close-on-exec pipe for splice, or -errno with *syscall set. */
int cnet__zc_pipe(int p[2], const char **syscall);
ssize_t cnet__zc_splice(int in, int out, size_t len);
/* The most asked of the kernel per call. splice: the pipe's size (zerocopy_linux.c
 * asks for 1 MiB). sendfile: Go asks for 4 MiB; 256 KiB measured faster on loopback
 * (bench/copy.c), the socket's waiter getting to run between calls. */
#define CNET__ZC_SPLICE_CHUNK ((size_t)1 << 20)
#define CNET__ZC_SENDFILE_CHUNK ((size_t)256 << 10)

/* Descriptors received with SCM_RIGHTS are close-on-exec from birth where recvmsg can
 * do it (MSG_CMSG_CLOEXEC: recvfd_cloexec.c), else right after (recvfd_fcntl.c, darwin,
 * with the window sys_cloexec.c describes). cnet__recvmsg_flags is what recvmsg gets;
 * cnet__received_fd_cloexec is called on each descriptor received: 0 or -errno. */
int cnet__recvmsg_flags(void);
int cnet__received_fd_cloexec(int fd);

/* The peer's credentials of a connected unix socket (peercred_<os>.c): 0, or -errno
 * with *syscall naming the call. */
int cnet__peer_cred(int fd, cnet_peer_cred *cred, const char **syscall);

/* ---- end of message I/O: streams and unix ---- */

#endif /* CNET_INTERNAL_H */
