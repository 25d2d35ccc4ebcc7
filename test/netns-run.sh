#!/bin/sh
# netns-run.sh PROGRAM [ARGS...]: runs PROGRAM in a throw-away network namespace with lo
# up and an ifb device "mc0" (198.18.0.1/24, fd42:1ab::1/64), after lab.md recipe A.
# The namespace has no link to the host, so nothing the program sends can leave, and it
# disappears with the program. Exits 77 (ctest SKIP) when no namespace can be made.
. "$(dirname "$0")/netns-lib.sh"
[ "${1:-}" = --inside ] || netns_enter "$0" "$@"
shift
set -e
netns_up
netns_add_ifb mc0
ip addr add 198.18.0.1/24 dev mc0
ip addr add fd42:1ab::1/64 dev mc0 nodad
set +e
exec "$@"
