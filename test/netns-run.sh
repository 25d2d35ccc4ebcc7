#!/bin/sh
# netns-run.sh PROGRAM [ARGS...]: runs PROGRAM in a throw-away network namespace with lo
# up and an ifb device "mc0" (198.18.0.1/24, fd42:1ab::1/64), after lab.md recipe A.
# The namespace has no link to the host, so nothing the program sends can leave, and it
# disappears with the program. Exits 77 (ctest SKIP) when no namespace can be made.
if [ "${1:-}" != --inside ]; then
    if ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
        echo "SKIP: unshare or ip not installed" >&2
        exit 77
    fi
    if unshare -n true 2>/dev/null; then
        exec unshare -n "$0" --inside "$@"
    fi
    # Without root, a user namespace grants the network capabilities (lab.md §3).
    if unshare -rn true 2>/dev/null; then
        exec unshare -rn "$0" --inside "$@"
    fi
    echo "SKIP: cannot create a network namespace (unshare -n: not permitted)" >&2
    exit 77
fi
shift
set -e
# No duplicate address detection: the addresses are usable at once.
echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad
echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad
ip link set lo up
if ! ip link add mc0 type ifb 2>/dev/null; then
    echo "SKIP: this kernel has no ifb devices" >&2
    exit 77
fi
ip link set mc0 up
ip addr add 198.18.0.1/24 dev mc0
ip addr add fd42:1ab::1/64 dev mc0 nodad
set +e
exec "$@"
