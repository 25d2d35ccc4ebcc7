#!/bin/sh
# msg-netns.sh PROGRAM [ARGS...]: runs PROGRAM in a throw-away network namespace with lo
# up and two ifb devices, d1 with 198.18.1.1/24 and fd42:1::1/64, d2 with 198.18.2.1/24
# and fd42:2::1/64: a host with
# two addresses on two devices, for the tests of destination addresses and reply source
# addresses (pktinfo). Nothing can leave the namespace, and it disappears with the
# program. Exits 77 (ctest SKIP) when no namespace or device can be made.
if [ "${1:-}" != --inside ]; then
    if ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
        echo "SKIP: unshare or ip not installed" >&2
        exit 77
    fi
    if unshare -n true 2>/dev/null; then
        exec unshare -n "$0" --inside "$@"
    fi
    if unshare -rn true 2>/dev/null; then
        exec unshare -rn "$0" --inside "$@"
    fi
    echo "SKIP: cannot create a network namespace (unshare -n: not permitted)" >&2
    exit 77
fi
shift
set -e
# No duplicate address detection: the IPv6 addresses are usable at once.
echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad
echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad
ip link set lo up
for n in 1 2; do
    if ! ip link add d$n type ifb 2>/dev/null; then
        echo "SKIP: this kernel has no ifb devices" >&2
        exit 77
    fi
    ip link set d$n up
    ip addr add 198.18.$n.1/24 dev d$n
    ip addr add fd42:$n::1/64 dev d$n nodad
done
set +e
exec "$@"
