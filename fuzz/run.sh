#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined) and runs each
# for SECONDS (default 20) from its committed seed corpus. New inputs go to a scratch
# directory, never into the repository; a crash leaves its input in fuzz/crashes/ and
# fails the run (turn it into a regression test, then delete it).
# As root the fuzzers run in a network namespace of their own: no packet can leave even
# if a bug made cnet send one.
# Usage: fuzz/run.sh [SECONDS]     Prints "<target>: <runs> runs" per target.
set -euo pipefail

seconds=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${FUZZ_BUILD:-$root/build-reliability-fuzz}
mkdir -p "$out" "$here/crashes"

# The Linux x86_64 sources of the library, as CMakeLists.txt lists them.
sources=()
for f in "$root"/src/*.c; do
    case $(basename "$f") in
        sockopt_bsd.c|errno_text_bsd.c|sys_cloexec.c|mcast_bsd.c|wake_pipe.c|fault.c) ;;
        netpoll_kqueue.c|netpoll_poll.c|switch_arm64.c) ;;
        iface_bsd.c) ;; # ---- addresses and interfaces ----
        zerocopy_other.c|recvfd_fcntl.c|peercred_bsd.c) ;; # message I/O: streams and unix
        cmsg_bsd.c|batch_other.c|mcastctl_none.c) ;; # message I/O: datagrams
        dns_cares.c) ;; # lookups: the fuzzers need no c-ares (dns_none.c stands in)
        *) sources+=("$f") ;;
    esac
done
cflags=(-std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
        -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_GNU_SOURCE -I"$root/include" -I"$root/src"
        -pthread) # the library's warnings are the CMake builds' business

isolate=()
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
    isolate=(unshare -n)
fi

status=0
for target in hostport dial strerror netip; do # netip: addresses and interfaces
    bin=$out/fuzz_$target
    clang "${cflags[@]}" -o "$bin" "$here/fuzz_$target.c" "${sources[@]}"
    scratch=$(mktemp -d /tmp/cnet-fuzz-$target.XXXXXX)
    log=$scratch/log
    if "${isolate[@]}" "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
            -artifact_prefix="$here/crashes/$target-" "$scratch" "$here/corpus/$target" \
            >"$log" 2>&1; then
        echo "$target: $(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#') runs"
    else
        echo "$target: FAILED"; tail -40 "$log"; status=1
    fi
    rm -rf "$scratch"
done
rmdir "$here/crashes" 2>/dev/null || true
exit $status
