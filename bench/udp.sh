#!/usr/bin/env bash
# UDP datagrams/s on loopback, 1,200-byte datagrams (issue 13 "Speed"): the floor's plain
# sendto loop, Go's WriteTo, cnet one per call (write_to, write_msg), batched
# (sendmmsg) and batched with UDP GSO, each run ROUNDS times in rotation on CPU 1; the
# median of each, and its ratio to the floor. x/net's WriteBatch is not run: x/net is not
# on this machine and nothing is fetched (Go's own vendored x/net has no ipv4 package).
#
#   bench/udp.sh        (part of `make bench`; N=datagrams per run, ROUNDS=runs)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/bench/build-udp
N=${N:-200000}
ROUNDS=${ROUNDS:-5}
mkdir -p "$BUILD"
cmake -S "$ROOT" -B "$BUILD/cnet" -DCMAKE_BUILD_TYPE=Release -DCNET_BUILD_TESTS=OFF \
    -DCNET_BUILD_TOOLS=OFF >/dev/null
cmake --build "$BUILD/cnet" -j2 --target cnet_static >/dev/null
cc -std=c11 -O2 -Wall -Wextra -Werror -I"$ROOT/include" bench/udp.c "$BUILD/cnet/libcnet.a" \
    -lpthread -o "$BUILD/udp"
GO=
if command -v go >/dev/null 2>&1; then
    (cd bench/udp_go && GOFLAGS=-mod=mod GO111MODULE=off go build -o "$BUILD/udp_go" main.go) && GO=1
fi
PIN=()
command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ] && PIN=(taskset -c 1)
MODES=(floor cnet-write-to cnet-write-msg cnet-batch cnet-gso)
[ -n "$GO" ] && MODES+=(go-write-to)
declare -A RATES
for ((r = 0; r < ROUNDS; r++)); do
    for m in "${MODES[@]}"; do
        if [ "$m" = go-write-to ]; then
            line=$("${PIN[@]}" "$BUILD/udp_go" "$N")
        else
            line=$("${PIN[@]}" "$BUILD/udp" "$m" "$N")
        fi
        RATES[$m]+="${line#* } "
    done
done
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
floor=$(median "${RATES[floor]}")
echo "## UDP send, 1,200-byte datagrams on loopback ($N per run, median of $ROUNDS)"
echo
echo "| sender | datagrams/s | x floor |"
echo "| --- | ---: | ---: |"
for m in "${MODES[@]}"; do
    v=$(median "${RATES[$m]}")
    awk -v m="$m" -v v="$v" -v f="$floor" 'BEGIN {printf "| %s | %.0f | %.2f |\n", m, v, v / f}'
done
