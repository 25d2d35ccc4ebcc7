# netns-lib.sh: sourced (not run) by the test runners that put a program in a
# throw-away network namespace with no link to the host (netns-run.sh, msg-netns.sh;
# lab.md recipe A). Each runner reads:
#   . "$(dirname "$0")/netns-lib.sh"
#   [ "${1:-}" = --inside ] || netns_enter "$0" "$@"
#   shift; set -e; netns_up; netns_add_ifb NAME ...; set +e; exec "$@"

# netns_enter SCRIPT ARGS...: runs "SCRIPT --inside ARGS..." in a new network namespace
# in place of this shell; exits 77 (ctest SKIP) when no namespace can be made.
netns_enter() {
    script=$1
    shift
    if ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
        echo "SKIP: unshare or ip not installed" >&2
        exit 77
    fi
    if unshare -n true 2>/dev/null; then
        exec unshare -n "$script" --inside "$@"
    fi
    # Without root, a user namespace grants the network capabilities (lab.md §3).
    if unshare -rn true 2>/dev/null; then
        exec unshare -rn "$script" --inside "$@"
    fi
    echo "SKIP: cannot create a network namespace (unshare -n: not permitted)" >&2
    exit 77
}

# netns_up: inside the namespace, lo up and no duplicate address detection, so that
# the IPv6 addresses the runner adds are usable at once.
netns_up() {
    echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad
    echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad
    ip link set lo up
}

# netns_add_ifb NAME: adds the ifb device NAME, up; exits 77 (ctest SKIP) when this
# kernel has no ifb devices.
netns_add_ifb() {
    if ! ip link add "$1" type ifb 2>/dev/null; then
        echo "SKIP: this kernel has no ifb devices" >&2
        exit 77
    fi
    ip link set "$1" up
}
