/* Load (issue 6 §4): 100,000 connect/accept/close cycles on loopback, bounded in time.
 * The open descriptors are exactly the same at the end as after the first 10% of the
 * cycles, and the resident memory has not grown by more than a generous bound: a leak
 * of one descriptor or of a few hundred bytes per cycle shows.
 *
 * The client closes with SO_LINGER 0 (a reset), so that 100,000 cycles leave no
 * TIME_WAIT behind to exhaust the ephemeral ports. If the machine is too slow to finish
 * in about 50 s, the run is cut to what fits and says so. */
#include "testutil.h"

/* ASan's quarantine holds freed memory back (256 MB by default): RSS then grows by
 * design, and leaks are LeakSanitizer's to find. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_IS_MEANINGFUL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_IS_MEANINGFUL 0
#endif
#endif
#ifndef RSS_IS_MEANINGFUL
#define RSS_IS_MEANINGFUL 1
#endif

#define CYCLES 100000
#define BUDGET_NS (50LL * 1000000000LL)
#define RSS_GROWTH_LIMIT_KB 4096 /* 40 bytes a cycle over 100,000 cycles */

static long rss_kb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld %ld", &pages, &resident), 2);
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void one_cycle(cnet_listener *ln, const char *addr)
{
    cnet_error err;
    cnet_conn *c = tu_dial("tcp", addr);
    cnet_conn *s = tu_accept(ln);
    assert_int_equal(cnet_conn_set_linger(c, 0, &err), 0);
    assert_int_equal(cnet_conn_close(c), 0);
    assert_int_equal(cnet_conn_close(s), 0);
}

static void connect_accept_close_cycles(void **state)
{
    char addr[CNET_ADDRSTRLEN];
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    tu_listener_addr(ln, addr, sizeof addr);

    int64_t start = cnet_now_ns();
    long cycles = CYCLES, done = 0, warm_rss = 0;
    int warm_fds = 0;
    for (; done < cycles; done++) {
        if (done == cycles / 10) {
            warm_fds = tu_count_fds();
            warm_rss = rss_kb();
            /* how long the rest will take at this pace: cut it to the budget */
            int64_t per_cycle = (cnet_now_ns() - start) / (done > 0 ? done : 1);
            if (per_cycle > 0 && per_cycle * cycles > BUDGET_NS) {
                cycles = (long)(BUDGET_NS / per_cycle);
                print_message("slow machine: %ld cycles instead of %d\n", cycles, CYCLES);
            }
        }
        one_cycle(ln, addr);
    }
    int end_fds = tu_count_fds();
    long end_rss = rss_kb();
    double secs = (double)(cnet_now_ns() - start) / 1e9;
    print_message("soaked %ld connect/accept/close cycles in %.1f s: fds %d -> %d, RSS %ld -> %ld kB\n",
                  done, secs, warm_fds, end_fds, warm_rss, end_rss);
    cnet_listener_close(ln);
    assert_int_equal(end_fds, warm_fds);
    if (RSS_IS_MEANINGFUL)
        assert_true(end_rss - warm_rss < RSS_GROWTH_LIMIT_KB);
}

int main(void)
{
    const struct CMUnitTest tests[] = {TU_TEST(connect_accept_close_cycles)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
