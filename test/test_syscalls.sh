#!/usr/bin/env bash
# The system calls behind every public constructor (issue 6 §1), seen by strace:
#   - no SO_REUSEPORT, ever, unless a ListenConfig asked for it (the probe never asks);
#   - every socket cnet creates or accepts is close-on-exec from birth: socket(),
#     socketpair() and accept4() carry SOCK_CLOEXEC, dup is F_DUPFD_CLOEXEC, and no
#     plain accept() or dup()/dup2() exists.
# The probe is `test_cloexec --every-constructor`. Usage: test_syscalls.sh PROBE [--fcntl]
# --fcntl: the build runs darwin's path (CNET_PORTABLE_FALLBACKS): no SOCK_CLOEXEC or
# accept4 there, so every new socket must instead be followed at once, in the same
# thread, by fcntl(fd, F_SETFD, FD_CLOEXEC).
# Exit 77 (skip) when strace is missing or cannot trace here.
set -euo pipefail

probe=${1:?usage: test_syscalls.sh PATH/TO/test_cloexec [--fcntl]}
mode=${2:-}
command -v strace >/dev/null || { echo "skipped: strace is not installed"; exit 77; }
# LeakSanitizer cannot run under ptrace; the other tests look for leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
trace=$(mktemp /tmp/cnet-strace.XXXXXX)
trap 'rm -f "$trace"' EXIT

if ! strace -f -qq -o "$trace" \
        -e trace=socket,socketpair,accept,accept4,setsockopt,dup,dup2,dup3,fcntl \
        "$probe" --every-constructor; then
    if grep -q "ptrace" "$trace" 2>/dev/null || [ ! -s "$trace" ]; then
        echo "skipped: strace cannot trace here"; exit 77
    fi
    echo "FAIL: the probe failed under strace"; cat "$trace"; exit 1
fi

fail=0
check_absent() { # pattern, reason
    if grep -E -- "$1" "$trace"; then echo "FAIL: $2"; fail=1; fi
}
check_present() { # pattern, minimum count, reason
    local n; n=$(grep -E -c -- "$1" "$trace" || true)
    if [ "$n" -lt "$2" ]; then echo "FAIL: $3 (seen $n, want >= $2)"; fail=1; fi
}

check_absent 'SO_REUSEPORT' "a constructor set SO_REUSEPORT without being asked"
without_cloexec() { # the calls named $1 that lack SOCK_CLOEXEC
    grep -E "^[0-9]+ +($1)\(" "$trace" | grep -v SOCK_CLOEXEC || true
}
# A socket or accept returning fd N whose next call in that thread is not
# fcntl(N, F_SETFD, FD_CLOEXEC).
not_followed_by_cloexec() {
    awk '$2 ~ /^(socket|accept)\(/ && $NF ~ /^[0-9]+$/ && $0 !~ /SOCK_CLOEXEC/ { want[$1] = $NF; line[$1] = $0; next }
         $1 in want { if ($0 !~ ("^[0-9]+ +fcntl\\(" want[$1] ", F_SETFD, FD_CLOEXEC\\)")) print line[$1]; delete want[$1] }
         END { for (p in want) print line[p] }' "$trace"
}
if [ "$mode" = --fcntl ]; then
    if [ -n "$(not_followed_by_cloexec)" ]; then
        not_followed_by_cloexec
        echo "FAIL: a socket was not made close-on-exec right after it was created"; fail=1
    fi
elif [ -n "$(without_cloexec 'socket|socketpair|accept4')" ]; then
    without_cloexec 'socket|socketpair|accept4'
    echo "FAIL: a socket was created or accepted without SOCK_CLOEXEC"; fail=1
fi
[ "$mode" = --fcntl ] ||
    check_absent '^[0-9]+ +accept\(' "a plain accept() (not accept4 with SOCK_CLOEXEC)"
check_absent '^[0-9]+ +dup[23]?\(' "a dup() that is not close-on-exec"
check_absent 'F_DUPFD,' "F_DUPFD without CLOEXEC"
# The trace saw the options it should: otherwise the absence above proves nothing.
check_present 'SO_REUSEADDR, \[1\]' 3 "stream listeners and the multicast socket set SO_REUSEADDR"
check_present 'TCP_NODELAY, \[1\]' 4 "accepted and dialed TCP conns set TCP_NODELAY"
if [ "$mode" = --fcntl ]; then
    check_present 'F_SETFD, FD_CLOEXEC' 15 "sockets were traced"
else
    check_present 'SOCK_CLOEXEC' 15 "sockets were traced"
fi
check_present 'IP_ADD_MEMBERSHIP' 1 "the multicast join was traced"

if [ "$fail" -ne 0 ]; then
    echo "--- trace"; cat "$trace"; exit 1
fi
echo "ok: $(grep -c 'SOCK_CLOEXEC' "$trace") close-on-exec sockets, $(grep -c setsockopt "$trace") setsockopt calls, no SO_REUSEPORT"
