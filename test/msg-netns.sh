#!/bin/sh
# msg-netns.sh PROGRAM [ARGS...]: runs PROGRAM in a throw-away network namespace with lo
# up and two ifb devices, d1 with 198.18.1.1/24 and fd42:1::1/64, d2 with 198.18.2.1/24
# and fd42:2::1/64: a host with
# two addresses on two devices, for the tests of destination addresses and reply source
# addresses (pktinfo). Nothing can leave the namespace, and it disappears with the
# program. Exits 77 (ctest SKIP) when no namespace or device can be made.
. "$(dirname "$0")/netns-lib.sh"
[ "${1:-}" = --inside ] || netns_enter "$0" "$@"
shift
set -e
netns_up
for n in 1 2; do
    netns_add_ifb d$n
    ip addr add 198.18.$n.1/24 dev d$n
    ip addr add fd42:$n::1/64 dev d$n nodad
done
set +e
exec "$@"
