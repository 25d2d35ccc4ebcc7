/* Go's Interfaces, InterfaceByName/ByIndex, Addrs and InterfaceAddrs. Plainly: the host's
 * list agrees with the kernel's own name/index calls and lo looks as it must. With
 * --netns (run by test/ifaces-netns.sh in a private namespace): the devices the script
 * made, with their MAC, MTU, flags and addresses, exactly. The script then compares the
 * same list with Go's (test/oracle, verbs ifaces/ifname/ifindex). */
#include "testutil.h"

#include <net/if.h>
#include <string.h>

static const cnet_interface *must_find(const cnet_interfaces *list, const char *name)
{
    const cnet_interface *ifi = cnet_interfaces_by_name(list, name);

    if (ifi == NULL)
        fail_msg("no interface %s", name);
    return ifi;
}

/* Whether ifi has exactly the addresses want[0..n), in any order. */
static void expect_addrs(const cnet_interface *ifi, const char *const *want, size_t n)
{
    char text[CNET_PREFIX_STRLEN];
    size_t i, k;

    assert_int_equal(ifi->naddrs, n);
    for (i = 0; i < ifi->naddrs; i++) {
        cnet_prefix_string(&ifi->addrs[i], text, sizeof text);
        for (k = 0; k < n && strcmp(text, want[k]) != 0; k++)
            ;
        if (k == n)
            fail_msg("%s: unexpected address %s", ifi->name, text);
    }
}

static void expect_text(const cnet_interface *ifi, const char *flags, const char *hw)
{
    char text[3 * CNET_HWADDR_MAX];

    cnet_interface_flags_string(ifi->flags, text, sizeof text);
    assert_string_equal(text, flags);
    cnet_hwaddr_string(ifi->hwaddr, ifi->hwaddr_len, text, sizeof text);
    assert_string_equal(text, hw);
}

static void interfaces_agree_with_kernel_names(void **state)
{
    cnet_interfaces *list;
    const cnet_prefix *all;
    cnet_error err;
    char name[IF_NAMESIZE];
    size_t i, total = 0;

    (void)state;
    assert_int_equal(cnet_interfaces_read(&list, &err), 0);
    assert_int_equal(err.code, 0);
    assert_true(cnet_interfaces_len(list) >= 1);
    for (i = 0; i < cnet_interfaces_len(list); i++) {
        const cnet_interface *ifi = cnet_interfaces_at(list, i);
        assert_true(ifi->index >= 1);
        assert_true(ifi->mtu > 0);
        assert_int_equal((int)if_nametoindex(ifi->name), ifi->index);
        assert_non_null(if_indextoname((unsigned)ifi->index, name));
        assert_string_equal(name, ifi->name);
        assert_ptr_equal(cnet_interfaces_by_index(list, ifi->index), ifi);
        assert_ptr_equal(cnet_interfaces_by_name(list, ifi->name), ifi);
        for (size_t k = 0; k < ifi->naddrs; k++)
            assert_int_equal(cnet_prefix_is_valid(&ifi->addrs[k]), 1);
        total += ifi->naddrs;
    }
    assert_null(cnet_interfaces_at(list, i));
    assert_int_equal(cnet_interfaces_addrs(list, &all), total); /* InterfaceAddrs */
    cnet_interfaces_free(list);
}

static void loopback_is_up_with_its_address(void **state)
{
    cnet_interfaces *list;
    const cnet_interface *lo;
    char text[CNET_PREFIX_STRLEN];
    int has_v4 = 0;

    (void)state;
    assert_int_equal(cnet_interface_by_name("lo", &list, &lo, NULL), 0);
    assert_true(lo->flags & CNET_IF_LOOPBACK);
    assert_true(lo->flags & CNET_IF_UP);
    assert_int_equal(lo->hwaddr_len, 0); /* all-zero: Go reports none */
    for (size_t k = 0; k < lo->naddrs; k++) {
        cnet_prefix_string(&lo->addrs[k], text, sizeof text);
        has_v4 |= strcmp(text, "127.0.0.1/8") == 0;
    }
    assert_true(has_v4);
    cnet_interfaces_free(list);
}

static void lookups_fail_in_gos_words(void **state)
{
    cnet_interfaces *list = (cnet_interfaces *)&list;
    const cnet_interface *ifi;
    cnet_error err;

    (void)state;
    assert_int_equal(cnet_interface_by_name("nosuch0", &list, &ifi, &err), CNET_ENOINTERFACE);
    assert_string_equal(err.msg, "route ip+net: no such network interface");
    assert_null(list);
    assert_int_equal(cnet_interface_by_name("", &list, &ifi, &err), -EINVAL);
    assert_string_equal(err.msg, "route ip+net: invalid network interface name");
    assert_int_equal(cnet_interface_by_index(0, &list, &ifi, &err), -EINVAL);
    assert_string_equal(err.msg, "route ip+net: invalid network interface index");
    assert_int_equal(cnet_interface_by_index(-1, &list, &ifi, &err), -EINVAL);
    assert_int_equal(cnet_interface_by_index(1 << 30, &list, &ifi, &err), CNET_ENOINTERFACE);
    assert_string_equal(err.msg, "route ip+net: no such network interface");
    assert_null(list);
}

static void null_arguments_einval(void **state)
{
    cnet_interfaces *list;
    const cnet_interface *ifi;
    cnet_error err;
    char buf[4];

    (void)state;
    assert_int_equal(cnet_interfaces_read(NULL, &err), -EINVAL);
    assert_int_equal(cnet_interface_by_name(NULL, &list, &ifi, &err), -EINVAL);
    assert_int_equal(cnet_interface_by_name("lo", NULL, &ifi, &err), -EINVAL);
    assert_int_equal(cnet_interface_by_name("lo", &list, NULL, &err), -EINVAL);
    assert_null(list);
    assert_int_equal(cnet_interface_by_index(1, NULL, &ifi, &err), -EINVAL);
    assert_int_equal(cnet_interfaces_len(NULL), 0);
    assert_null(cnet_interfaces_at(NULL, 0));
    assert_null(cnet_interfaces_by_name(NULL, "lo"));
    assert_null(cnet_interfaces_by_index(NULL, 1));
    assert_int_equal(cnet_interfaces_addrs(NULL, NULL), 0);
    cnet_interfaces_free(NULL);
    assert_int_equal(cnet_hwaddr_string(NULL, 6, buf, sizeof buf), -EINVAL);
    assert_int_equal(cnet_interface_flags_string(CNET_IF_UP | CNET_IF_MULTICAST, buf, sizeof buf),
                     CNET_ENOSPACE);
    assert_string_equal(buf, "");
}

static void flags_and_hwaddr_print_as_go(void **state)
{
    static const uint8_t hw[] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
    char buf[64];

    (void)state;
    assert_int_equal(cnet_interface_flags_string(0, buf, sizeof buf), 1);
    assert_string_equal(buf, "0");
    cnet_interface_flags_string(0x3f, buf, sizeof buf);
    assert_string_equal(buf, "up|broadcast|loopback|pointtopoint|multicast|running");
    assert_int_equal(cnet_hwaddr_string(hw, sizeof hw, buf, sizeof buf), 17);
    assert_string_equal(buf, "02:00:5e:10:00:01");
    assert_int_equal(cnet_hwaddr_string(hw, 0, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

/* ---- the devices test/ifaces-netns.sh made ---------------------------------------- */

static void netns_devices_as_configured(void **state)
{
    static const char *const lo_addrs[] = {"127.0.0.1/8", "::1/128"};
    static const char *const v0_addrs[] = {"198.18.1.1/24", "10.1.2.3/8", "fd42:1fa::1/64",
                                           "fe80::1/64"};
    static const char *const v1_addrs[] = {"198.18.2.1/32"}; /* the local end, not the peer */
    cnet_interfaces *list;
    const cnet_interface *ifi;

    (void)state;
    assert_int_equal(cnet_interfaces_read(&list, NULL), 0);
    assert_int_equal(cnet_interfaces_len(list), 5);
    ifi = must_find(list, "lo");
    assert_int_equal(ifi->index, 1);
    assert_int_equal(ifi->mtu, 65536);
    expect_text(ifi, "up|loopback|running", "");
    expect_addrs(ifi, lo_addrs, 2);
    ifi = must_find(list, "v0");
    assert_int_equal(ifi->mtu, 1400);
    expect_text(ifi, "up|broadcast|multicast|running", "02:00:5e:10:00:01");
    expect_addrs(ifi, v0_addrs, 4);
    ifi = must_find(list, "v1");
    assert_int_equal(ifi->mtu, 9000);
    expect_text(ifi, "up|broadcast|multicast|running", "02:00:5e:10:00:02");
    expect_addrs(ifi, v1_addrs, 1);
    ifi = must_find(list, "w0");
    assert_int_equal(ifi->mtu, 1500);
    expect_text(ifi, "broadcast|multicast", "02:00:5e:10:00:03");
    expect_addrs(ifi, NULL, 0);
    assert_int_equal(cnet_interfaces_addrs(list, NULL), 7);
    cnet_interfaces_free(list);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(interfaces_agree_with_kernel_names),
        TU_TEST(loopback_is_up_with_its_address),
        TU_TEST(lookups_fail_in_gos_words),
        TU_TEST(null_arguments_einval),
        TU_TEST(flags_and_hwaddr_print_as_go),
    };
    const struct CMUnitTest netns_tests[] = {
        TU_TEST(netns_devices_as_configured),
        TU_TEST(interfaces_agree_with_kernel_names),
        TU_TEST(lookups_fail_in_gos_words),
    };

    if (argc > 1 && strcmp(argv[1], "--netns") == 0)
        return cmocka_run_group_tests(netns_tests, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
