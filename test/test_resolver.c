/* Go's Resolver lookups against a real DNS server: dnsmasq with test/dns/zone.conf on
 * 127.0.0.1:53, inside a private network and mount namespace (dns-netns.sh +
 * dns-server.sh), so nothing leaves the machine and the resolv.conf is the test's. The
 * SERVFAIL case adds this program's own responder on 127.0.0.1:5456, to which dnsmasq
 * forwards servfail.test. Run plainly and, with CNET_TEST_IN_TASK=1, inside cnet_run. */
#include "testutil.h"

#include "fault.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>

static const char server[] = "127.0.0.1:53";

static int contains(char **list, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* ---- answers ---------------------------------------------------------------------- */

static void lookup_host_finds_both_families(void **state)
{
    cnet_error err;
    char **addrs;
    int n = cnet_lookup_host(NULL, "www.test", &addrs, &err);

    (void)state;
    assert_int_equal(n, 2);
    assert_true(contains(addrs, n, "192.0.2.10"));
    assert_true(contains(addrs, n, "2001:db8::10"));
    assert_null(addrs[n]);
    cnet_lookup_free(addrs);
}

static void lookup_host_literal_is_its_own_answer(void **state)
{
    cnet_error err;
    char **addrs;

    (void)state;
    assert_int_equal(cnet_lookup_host(NULL, "::ffff:192.0.2.1", &addrs, &err), 1);
    assert_string_equal(addrs[0], "::ffff:192.0.2.1");
    cnet_lookup_free(addrs);
}

static void lookup_ip_filters_by_network(void **state)
{
    cnet_error err;
    char **addrs;

    (void)state;
    assert_int_equal(cnet_lookup_ip(NULL, "ip4", "alias.test", &addrs, &err), 1);
    assert_string_equal(addrs[0], "192.0.2.10");
    cnet_lookup_free(addrs);
    assert_int_equal(cnet_lookup_ip(NULL, "ip6", "www.test", &addrs, &err), 1);
    assert_string_equal(addrs[0], "2001:db8::10");
    cnet_lookup_free(addrs);
    /* Go asks DNS for AAAA alone: none is "no such host", naming the server. */
    assert_int_equal(cnet_lookup_ip(NULL, "ip6", "v4only.test", &addrs, &err), CNET_ENOHOST);
    assert_null(addrs);
    assert_string_equal(err.msg, "lookup v4only.test on 127.0.0.1:53: no such host");
    /* From /etc/hosts (127.0.0.1 localhost and ::1 localhost): filtered, not asked. */
    assert_int_equal(cnet_lookup_ip(NULL, "ip4", "localhost", &addrs, &err), 1);
    assert_string_equal(addrs[0], "127.0.0.1");
    cnet_lookup_free(addrs);
    assert_int_equal(cnet_lookup_ip(NULL, "tcp", "www.test", &addrs, &err), CNET_EUNKNOWNNET);
    assert_string_equal(err.msg, "unknown network tcp");
}

static void lookup_cname_follows_the_chain(void **state)
{
    cnet_error err;
    char *cname;

    (void)state;
    assert_int_equal(cnet_lookup_cname(NULL, "alias.test", &cname, &err), 0);
    assert_string_equal(cname, "www.test.");
    cnet_lookup_free(cname);
    assert_int_equal(cnet_lookup_cname(NULL, "www.test", &cname, &err), 0);
    assert_string_equal(cname, "www.test.");
    cnet_lookup_free(cname);
    assert_int_equal(cnet_lookup_cname(NULL, "localhost", &cname, &err), 0);
    assert_string_equal(cname, "localhost"); /* Go's absDomainName: no dot inside, none added */
    cnet_lookup_free(cname);
}

/* The order is deterministic by construction: priority 5 before 10, and within 10 the
 * record of weight 60 is always picked before the one of weight 0 (RFC 2782: a record
 * of weight 0 is chosen only once the weighted ones are used up). */
static void lookup_srv_orders_by_priority_then_weight(void **state)
{
    cnet_error err;
    cnet_srv *srvs;
    char *cname;
    int n;

    (void)state;
    for (int round = 0; round < 20; round++) {
        n = cnet_lookup_srv(NULL, "http", "tcp", "srv.test", &cname, &srvs, &err);
        assert_int_equal(n, 3);
        assert_string_equal(cname, "_http._tcp.srv.test.");
        assert_string_equal(srvs[0].target, "c.srv.test.");
        assert_int_equal(srvs[0].port, 8082);
        assert_int_equal(srvs[0].priority, 5);
        assert_string_equal(srvs[1].target, "a.srv.test.");
        assert_int_equal(srvs[1].weight, 60);
        assert_string_equal(srvs[2].target, "b.srv.test.");
        assert_int_equal(srvs[2].port, 8081);
        cnet_lookup_free(cname);
        cnet_lookup_free(srvs);
    }
    /* Go's form with both service and proto empty: the name itself. */
    n = cnet_lookup_srv(NULL, "", "", "_http._tcp.srv.test", NULL, &srvs, &err);
    assert_int_equal(n, 3);
    cnet_lookup_free(srvs);
}

static void lookup_mx_orders_by_preference(void **state)
{
    cnet_error err;
    cnet_mx *mxs;

    (void)state;
    assert_int_equal(cnet_lookup_mx(NULL, "mx.test", &mxs, &err), 2);
    assert_string_equal(mxs[0].host, "mail2.test.");
    assert_int_equal(mxs[0].pref, 10);
    assert_string_equal(mxs[1].host, "mail1.test.");
    assert_int_equal(mxs[1].pref, 20);
    cnet_lookup_free(mxs);
}

static void lookup_txt_joins_a_records_strings(void **state)
{
    cnet_error err;
    char **txts;
    int n = cnet_lookup_txt(NULL, "txt.test", &txts, &err);

    (void)state;
    assert_int_equal(n, 2);
    assert_true(contains(txts, n, "helloworld"));
    assert_true(contains(txts, n, "second"));
    cnet_lookup_free(txts);
}

static void lookup_txt_long_answer_over_tcp(void **state)
{
    cnet_error err;
    char **txts;
    int n = cnet_lookup_txt(NULL, "long.test", &txts, &err);

    (void)state;
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++)
        assert_int_equal(strlen(txts[i]), 800);
    cnet_lookup_free(txts);
}

static void lookup_ns_and_addr(void **state)
{
    cnet_error err;
    char **names;

    (void)state;
    assert_int_equal(cnet_lookup_ns(NULL, "ns.test", &names, &err), 1);
    assert_string_equal(names[0], "ns1.test.");
    cnet_lookup_free(names);
    assert_int_equal(cnet_lookup_addr(NULL, "192.0.2.10", &names, &err), 1);
    assert_string_equal(names[0], "www.test.");
    cnet_lookup_free(names);
    assert_int_equal(cnet_lookup_addr(NULL, "2001:db8::10", &names, &err), 1);
    assert_string_equal(names[0], "www.test.");
    cnet_lookup_free(names);
    /* /etc/hosts first (dns-netns.sh's: 127.0.0.1 localhost), without asking DNS. */
    assert_int_equal(cnet_lookup_addr(NULL, "127.0.0.1", &names, &err), 1);
    assert_string_equal(names[0], "localhost");
    cnet_lookup_free(names);
    assert_int_equal(cnet_lookup_addr(NULL, "bad", &names, &err), -EINVAL);
    assert_string_equal(err.msg, "lookup bad: unrecognized address");
}

static void lookup_port_numbers_and_names(void **state)
{
    cnet_error err;

    (void)state;
    assert_int_equal(cnet_lookup_port("tcp", "http", &err), 80);
    assert_int_equal(cnet_lookup_port("udp", "domain", &err), 53);
    assert_int_equal(cnet_lookup_port("tcp", "8080", &err), 8080);
    assert_int_equal(cnet_lookup_port("tcp", "nosuch", &err), CNET_EUNKNOWNPORT);
    assert_string_equal(err.msg, "lookup tcp/nosuch: unknown port");
    assert_int_equal(cnet_lookup_port("tcp", "65536", &err), CNET_EINVALIDPORT);
    assert_int_equal(cnet_lookup_port("ip", "http", &err), CNET_EUNKNOWNNET);
    assert_string_equal(err.msg, "address ip: unknown network");
}

/* resolv.conf is read again once it changes: a search list added between two lookups
 * of a short name is used by the second (dns-netns.sh's private copy is rewritten, then
 * restored). */
static void resolv_conf_change_is_seen(void **state)
{
    static const char plain[] = "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n";
    static const char search[] =
        "nameserver 127.0.0.1\nsearch test\noptions timeout:1 attempts:1\n";
    cnet_error err;
    cnet_mx *mxs;
    FILE *f;

    (void)state;
    /* "mx." is outside dnsmasq's local zone, and it has no upstream: REFUSED. */
    assert_int_equal(cnet_lookup_mx(NULL, "mx", &mxs, &err), CNET_ESERVER);
    f = fopen("/etc/resolv.conf", "w");
    assert_non_null(f);
    fputs(search, f);
    fclose(f);
    assert_int_equal(cnet_lookup_mx(NULL, "mx", &mxs, &err), 2);
    assert_string_equal(mxs[0].host, "mail2.test.");
    cnet_lookup_free(mxs);
    f = fopen("/etc/resolv.conf", "w");
    assert_non_null(f);
    fputs(plain, f);
    fclose(f);
    assert_int_equal(cnet_lookup_mx(NULL, "mx", &mxs, &err), CNET_ESERVER);
}

/* ---- errors in Go's words --------------------------------------------------------- */

static void nxdomain_is_no_such_host_on_server(void **state)
{
    char want[128], *cname;
    cnet_error err;
    char **list;
    cnet_mx *mxs;

    (void)state;
    snprintf(want, sizeof want, "lookup nosuch.test on %s: no such host", server);
    assert_int_equal(cnet_lookup_host(NULL, "nosuch.test", &list, &err), CNET_ENOHOST);
    assert_string_equal(err.msg, want);
    assert_true(cnet_error_is_not_found(&err));
    assert_false(cnet_error_is_temporary(&err));
    assert_false(cnet_error_is_timeout(&err));
    assert_int_equal(cnet_lookup_mx(NULL, "nosuch.test", &mxs, &err), CNET_ENOHOST);
    assert_string_equal(err.msg, want);
    assert_int_equal(cnet_lookup_cname(NULL, "nosuch.test", &cname, &err), CNET_ENOHOST);
    assert_string_equal(err.msg, want);
    /* A name that exists without records of the type: no such host as well (Go's). */
    assert_int_equal(cnet_lookup_txt(NULL, "www.test", &list, &err), CNET_ENOHOST);
    /* Not a domain name: no query at all, and no server in the text. */
    assert_int_equal(cnet_lookup_txt(NULL, "bad..name", &list, &err), CNET_ENOHOST);
    assert_string_equal(err.msg, "lookup bad..name: no such host");
}

static void refused_is_server_misbehaving(void **state)
{
    cnet_error err;
    char **txts;

    (void)state;
    assert_int_equal(cnet_lookup_txt(NULL, "refused.test", &txts, &err), CNET_ESERVER);
    assert_string_equal(err.msg, "lookup refused.test on 127.0.0.1:53: server misbehaving");
    assert_false(cnet_error_is_temporary(&err));
    assert_false(cnet_error_is_not_found(&err));
}

/* A responder that answers every question with SERVFAIL, until told to stop. */
typedef struct responder {
    int fd;
    volatile int stop;
} responder;

static void *servfail_responder(void *arg)
{
    responder *r = arg;
    unsigned char buf[512];

    while (!r->stop) {
        struct pollfd p = {r->fd, POLLIN, 0};
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n;

        if (poll(&p, 1, 50) <= 0)
            continue;
        n = recvfrom(r->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (n < 12)
            continue;
        buf[2] |= 0x80;                        /* QR: a response */
        buf[3] = (unsigned char)(0x80 | 2);    /* RA, RCODE 2: SERVFAIL */
        sendto(r->fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
    }
    return NULL;
}

static void servfail_is_temporary_server_misbehaving(void **state)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(5456)};
    responder r = {socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), 0};
    cnet_error err;
    pthread_t t;
    char **txts;

    (void)state;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(r.fd >= 0);
    assert_int_equal(bind(r.fd, (struct sockaddr *)&sin, sizeof sin), 0);
    assert_int_equal(pthread_create(&t, NULL, servfail_responder, &r), 0);
    assert_int_equal(cnet_lookup_txt(NULL, "servfail.test", &txts, &err), CNET_ESERVERTEMP);
    assert_string_equal(err.msg, "lookup servfail.test on 127.0.0.1:53: server misbehaving");
    assert_true(cnet_error_is_temporary(&err));
    assert_false(cnet_error_is_timeout(&err));
    r.stop = 1;
    pthread_join(t, NULL);
    close(r.fd);
}

static void silent_server_times_out(void **state)
{
    cnet_error err;
    char **txts;

    (void)state;
    assert_int_equal(cnet_lookup_txt(NULL, "silent.test", &txts, &err), CNET_EDIALTIMEOUT);
    assert_string_equal(err.msg, "lookup silent.test on 127.0.0.1:53: i/o timeout");
    assert_true(cnet_error_is_timeout(&err));
    assert_true(cnet_error_is_temporary(&err));
}

/* ---- deadlines and stops ---------------------------------------------------------- */

/* getaddrinfo cannot be cancelled: a host lookup given up on leaves its thread running
 * to resolv.conf's one second, after which it frees its socket and answer (lookup.c).
 * Waiting for that, bounded at 3 s, keeps the teardown's descriptor count exact (and
 * still fails it if the thread never lets go). */
static void wait_abandoned_lookups(void **state)
{
    int before = (int)(intptr_t)*state;

    for (int i = 0; i < 300 && tu_count_fds() != before; i++) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
}

static void resolver_deadline_ends_the_wait(void **state)
{
    cnet_resolver *r;
    cnet_error err;
    char **list;
    int64_t start;

    (void)state;
    assert_int_equal(cnet_resolver_new(&r), 0);
    /* 200 ms, well under resolv.conf's 1 s: the deadline, not c-ares, ends it. */
    assert_int_equal(cnet_resolver_set_deadline(r, cnet_now_ns() + 200000000), 0);
    start = cnet_now_ns();
    assert_int_equal(cnet_lookup_txt(r, "silent.test", &list, &err), CNET_EDIALTIMEOUT);
    assert_string_equal(err.msg, "lookup silent.test on 127.0.0.1:53: i/o timeout");
    assert_true(cnet_now_ns() - start < 900000000);
    assert_int_equal(cnet_resolver_set_deadline(r, cnet_now_ns() + 200000000), 0);
    assert_int_equal(cnet_lookup_host(r, "silent.test", &list, &err), CNET_EDIALTIMEOUT);
    assert_string_equal(err.msg, "lookup silent.test on 127.0.0.1:53: i/o timeout");
    assert_true(cnet_error_is_timeout(&err));
    /* A deadline already past: no query, no server in the text. */
    assert_int_equal(cnet_lookup_txt(r, "silent.test", &list, &err), CNET_EDIALTIMEOUT);
    assert_string_equal(err.msg, "lookup silent.test: i/o timeout");
    cnet_resolver_free(r);
    wait_abandoned_lookups(state);
}

typedef struct stopper_arg {
    cnet_resolver *r;
    int64_t after_ns;
} stopper_arg;

static void *stop_later(void *arg)
{
    stopper_arg *a = arg;
    struct timespec ts = {0, (long)a->after_ns};

    nanosleep(&ts, NULL);
    cnet_resolver_stop(a->r);
    return NULL;
}

static void run_stopped(int (*lookup)(cnet_resolver *r, cnet_error *err))
{
    stopper_arg a = {NULL, 100000000};
    cnet_error err;
    pthread_t t;

    assert_int_equal(cnet_resolver_new(&a.r), 0);
    assert_int_equal(pthread_create(&t, NULL, stop_later, &a), 0);
    assert_int_equal(lookup(a.r, &err), CNET_ECANCELED);
    assert_string_equal(err.msg, "lookup silent.test: operation was canceled");
    assert_false(cnet_error_is_timeout(&err));
    pthread_join(t, NULL);
    /* Stopped for good: a later lookup fails at once. */
    assert_int_equal(lookup(a.r, &err), CNET_ECANCELED);
    cnet_resolver_free(a.r);
}

static int txt_silent(cnet_resolver *r, cnet_error *err)
{
    char **list;

    return cnet_lookup_txt(r, "silent.test", &list, err);
}

static int host_silent(cnet_resolver *r, cnet_error *err)
{
    char **list;

    return cnet_lookup_host(r, "silent.test", &list, err);
}

static void stop_from_another_thread_cancels_dns_query(void **state)
{
    (void)state;
    run_stopped(txt_silent);
}

static void stop_from_another_thread_cancels_host_lookup(void **state)
{
    run_stopped(host_silent);
    wait_abandoned_lookups(state);
}

/* ---- every failure the library's own calls can meet -------------------------------- */

/* Lookups whose calls are counted and failed one at a time. Each returns 0 on success. */
static int fault_mx(cnet_resolver *r, cnet_error *err)
{
    cnet_mx *mxs;
    int n = cnet_lookup_mx(r, "mx.test", &mxs, err);

    cnet_lookup_free(mxs);
    return n < 0 ? n : 0;
}

static int fault_srv(cnet_resolver *r, cnet_error *err)
{
    cnet_srv *srvs;
    char *cname;
    int n = cnet_lookup_srv(r, "http", "tcp", "srv.test", &cname, &srvs, err);

    cnet_lookup_free(cname);
    cnet_lookup_free(srvs);
    return n < 0 ? n : 0;
}

static int fault_host(cnet_resolver *r, cnet_error *err)
{
    char **addrs;
    int n = cnet_lookup_host(r, "www.test", &addrs, err);

    cnet_lookup_free(addrs);
    return n < 0 ? n : 0;
}

static int fault_addr(cnet_resolver *r, cnet_error *err)
{
    char **names;
    int n = cnet_lookup_addr(r, "192.0.2.10", &names, err);

    cnet_lookup_free(names);
    return n < 0 ? n : 0;
}

static int fault_cname(cnet_resolver *r, cnet_error *err)
{
    char *cname;
    int rc = cnet_lookup_cname(r, "alias.test", &cname, err);

    cnet_lookup_free(cname);
    return rc;
}

typedef struct fault_case {
    const char *name;
    int (*op)(cnet_resolver *r, cnet_error *err);
} fault_case;

/* One run, armed for the nth call of call with errnum (nth 0: count only); returns the
 * count when counting. The resolver handle is made inside, so its eventfd is counted. */
static unsigned long fault_run(const fault_case *fc, const char *call, unsigned long nth,
                               int errnum, int *rc, cnet_error *err)
{
    cnet_resolver *r = NULL;
    unsigned long n;

    cnet__fault_arm(nth, errnum, call);
    *rc = cnet_resolver_new(&r);
    if (*rc == 0)
        *rc = fc->op(r, err);
    else
        snprintf(err->msg, sizeof err->msg, "resolver: %s", cnet_strerror(*rc));
    n = cnet__fault_disarm();
    cnet_resolver_free(r);
    return n;
}

static void every_failure_of_a_lookups_calls_is_clean(void **state)
{
    static const fault_case cases[] = {{"mx", fault_mx},       {"srv", fault_srv},
                                       {"host", fault_host},   {"addr", fault_addr},
                                       {"cname", fault_cname}};
    static const char *const calls[] = {"calloc", "malloc", "fopen", "poll", "eventfd",
                                        "pipe", "pthread_create"};
    static const int errnos[] = {ENOMEM, EMFILE, EINTR, EAGAIN};
    unsigned long injected = 0, failed = 0;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
            cnet_error err;
            int rc;
            unsigned long n = fault_run(&cases[i], calls[c], 0, 0, &rc, &err);

            assert_int_equal(rc, 0);
            for (unsigned long nth = 1; nth <= n; nth++) {
                for (size_t e = 0; e < sizeof errnos / sizeof errnos[0]; e++) {
                    int alloc = !strcmp(calls[c], "calloc") || !strcmp(calls[c], "malloc");

                    if (alloc && errnos[e] != ENOMEM)
                        continue;
                    fault_run(&cases[i], calls[c], nth, errnos[e], &rc, &err);
                    injected += cnet__fault_fired() != 0;
                    if (rc == 0)
                        continue; /* retried (EINTR, a wait), or a file read as Go reads a
                                     missing one: resolv.conf's defaults, no hosts entries */
                    failed++;
                    /* A clean error: a code, and Go's "lookup NAME..." text naming it. */
                    if (rc > 0 || (strncmp(err.msg, "lookup ", 7) != 0 &&
                                   strncmp(err.msg, "resolver: ", 10) != 0))
                        fail_msg("%s: %s #%lu %s: got %d \"%s\"", cases[i].name, calls[c], nth,
                                 strerror(errnos[e]), rc, err.msg);
                }
            }
        }
    }
    /* A host lookup given up on leaves its thread to finish: let it, for the fd count. */
    wait_abandoned_lookups(state);
    print_message("%lu faults injected, %lu failed the lookup cleanly\n", injected, failed);
    assert_true(injected > 20);
}

/* ---- a lookup parks its task ------------------------------------------------------- */

typedef struct parking {
    int (*lookup)(cnet_resolver *r, cnet_error *err);
    _Atomic int waiting, ticks;
    int rc;
} parking;

static void ticker(void *arg)
{
    parking *pk = arg;

    while (atomic_load(&pk->waiting)) {
        cnet_sleep(5000000);
        atomic_fetch_add(&pk->ticks, 1);
    }
}

static void lookup_beside_ticker(void *arg)
{
    parking *pk = arg;
    cnet_resolver *r;
    cnet_error err;

    atomic_store(&pk->waiting, 1);
    assert_int_equal(cnet_go(ticker, pk), 0);
    assert_int_equal(cnet_resolver_new(&r), 0);
    cnet_resolver_set_deadline(r, cnet_now_ns() + 300000000);
    pk->rc = pk->lookup(r, &err);
    atomic_store(&pk->waiting, 0);
    cnet_resolver_free(r);
}

/* One scheduler thread, two tasks: while a lookup waits for a server that never
 * answers, the other task keeps running. No timing is assumed, only the order of two
 * timers on the one scheduler: the ticker's 5 ms sleep ends before the lookup's 300 ms
 * deadline, so a parked lookup lets it tick at least once, while a lookup that blocked
 * the thread would leave it no tick at all (it stops once the lookup returns). The DNS
 * path parks on c-ares's socket, the host path on its resolver thread's answer.
 * Plain-thread run only: a task cannot start a runtime of its own. */
static void lookup_parks_its_task(void **state)
{
    int (*lookups[])(cnet_resolver *, cnet_error *) = {txt_silent, host_silent};
    cnet_runtime_config one = {.threads = 1};

    if (cnet_in_task()) {
        print_message("skipped inside a task (cnet_run cannot nest)\n");
        return;
    }
    for (size_t i = 0; i < 2; i++) {
        parking pk = {.lookup = lookups[i]};

        assert_int_equal(cnet_run(&one, lookup_beside_ticker, &pk, NULL), 0);
        assert_int_equal(pk.rc, CNET_EDIALTIMEOUT);
        print_message("%s: %d ticks while the lookup waited\n", i == 0 ? "txt" : "host",
                      atomic_load(&pk.ticks));
        assert_true(atomic_load(&pk.ticks) >= 1);
    }
    wait_abandoned_lookups(state);
}

/* ---- bad input -------------------------------------------------------------------- */

static void null_arguments_are_errors(void **state)
{
    cnet_error err;
    char **list, *cname;
    cnet_srv *srvs;
    cnet_mx *mxs;

    (void)state;
    assert_int_equal(cnet_lookup_host(NULL, NULL, &list, &err), -EINVAL);
    assert_int_equal(cnet_lookup_host(NULL, "www.test", NULL, &err), -EINVAL);
    assert_int_equal(cnet_lookup_ip(NULL, NULL, "x", &list, &err), -EINVAL);
    assert_int_equal(cnet_lookup_addr(NULL, NULL, &list, &err), -EINVAL);
    assert_int_equal(cnet_lookup_cname(NULL, "x", NULL, &err), -EINVAL);
    assert_int_equal(cnet_lookup_srv(NULL, NULL, "tcp", "x", &cname, &srvs, &err), -EINVAL);
    assert_int_equal(cnet_lookup_srv(NULL, "a", "tcp", "x", &cname, NULL, &err), -EINVAL);
    assert_int_equal(cnet_lookup_mx(NULL, NULL, &mxs, &err), -EINVAL);
    assert_int_equal(cnet_lookup_txt(NULL, "x", NULL, &err), -EINVAL);
    assert_int_equal(cnet_lookup_ns(NULL, NULL, &list, NULL), -EINVAL);
    assert_int_equal(cnet_lookup_port(NULL, "http", &err), -EINVAL);
    assert_int_equal(cnet_resolver_new(NULL), -EINVAL);
    assert_int_equal(cnet_resolver_stop(NULL), -EINVAL);
    assert_int_equal(cnet_resolver_set_deadline(NULL, 0), -EINVAL);
    cnet_resolver_free(NULL);
    cnet_lookup_free(NULL);
}

/* A build without c-ares (CNET_WITH_CARES=OFF: the cross and musl builds) answers DNS
 * record lookups with CNET_ENOTSUP, which is all there is to test there. */
static int built_without_cares(void)
{
    cnet_error err;
    char **txts;
    int rc = cnet_lookup_txt(NULL, "txt.test", &txts, &err);

    if (rc >= 0)
        cnet_lookup_free(txts);
    return rc == CNET_ENOTSUP;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(lookup_host_finds_both_families),
        TU_TEST(lookup_host_literal_is_its_own_answer),
        TU_TEST(lookup_ip_filters_by_network),
        TU_TEST(lookup_cname_follows_the_chain),
        TU_TEST(lookup_srv_orders_by_priority_then_weight),
        TU_TEST(lookup_mx_orders_by_preference),
        TU_TEST(lookup_txt_joins_a_records_strings),
        TU_TEST(lookup_txt_long_answer_over_tcp),
        TU_TEST(lookup_ns_and_addr),
        TU_TEST(lookup_port_numbers_and_names),
        TU_TEST(resolv_conf_change_is_seen),
        TU_TEST(nxdomain_is_no_such_host_on_server),
        TU_TEST(refused_is_server_misbehaving),
        TU_TEST(servfail_is_temporary_server_misbehaving),
        TU_TEST(silent_server_times_out),
        TU_TEST(resolver_deadline_ends_the_wait),
        TU_TEST(stop_from_another_thread_cancels_dns_query),
        TU_TEST(stop_from_another_thread_cancels_host_lookup),
        TU_TEST(lookup_parks_its_task),
        TU_TEST(null_arguments_are_errors),
        TU_TEST(every_failure_of_a_lookups_calls_is_clean),
    };

    if (built_without_cares()) {
        fprintf(stderr, "SKIP: cnet built without c-ares (CNET_WITH_CARES=OFF)\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
