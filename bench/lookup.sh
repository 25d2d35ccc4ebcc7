#!/usr/bin/env bash
# Lookups per second, cnet against Go, one lookup after another on one thread:
#   host localhost   from /etc/hosts (no DNS)
#   host www.test    from the tests' dnsmasq (A and AAAA questions)
#   mx mx.test       from the tests' dnsmasq (one MX question)
# Both sides run inside test/dns-netns.sh + test/dns-server.sh: a private network and
# mount namespace whose only DNS server is dnsmasq on 127.0.0.1:53. ROUNDS (3) rounds,
# the two sides alternating; the median of each is reported, with cnet/Go.
#
#   bench/lookup.sh             (make bench-lookup; part of make bench)
#   bench/lookup.sh --inside    (what the namespace runs; not for direct use)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/bench/build
ROUNDS=${ROUNDS:-3}

if [[ ${1:-} == --inside ]]; then
    median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
    printf '| lookup | N | cnet lookups/s | Go lookups/s | cnet/Go |\n|---|---|---|---|---|\n'
    for spec in "host localhost 3000" "host www.test 600" "mx mx.test 600"; do
        read -r kind name n <<<"$spec"
        c=() g=()
        for ((r = 0; r < ROUNDS; r++)); do
            c+=("$("$BUILD/lookup" "$kind" "$name" "$n")")
            g+=("$("$BUILD/lookup_go" "$kind" "$name" "$n")")
        done
        cm=$(printf '%s\n' "${c[@]}" | median)
        gm=$(printf '%s\n' "${g[@]}" | median)
        printf '| %s %s | %s | %s | %s | %s |\n' "$kind" "$name" "$n" "$cm" "$gm" \
            "$(awk -v a="$cm" -v b="$gm" 'BEGIN {printf "%.2f", a / b}')"
    done
    exit 0
fi

mkdir -p "$BUILD" "$ROOT/bench/results"
cmake -S "$ROOT" -B "$BUILD/cnet" -DCMAKE_BUILD_TYPE=Release -DCNET_BUILD_TESTS=OFF \
    -DCNET_BUILD_TOOLS=OFF >/dev/null
cmake --build "$BUILD/cnet" --target cnet_static -j2 >/dev/null
cares=$(grep -q 'CNET_WITH_CARES:BOOL=ON' "$BUILD/cnet/CMakeCache.txt" && pkg-config --libs libcares || true)
gcc -std=c11 -O2 -g -Wall -Wextra -Werror -I"$ROOT/include" -o "$BUILD/lookup" \
    "$ROOT/bench/lookup.c" "$BUILD/cnet/libcnet.a" $cares -pthread
(cd "$ROOT/bench/lookup_go" &&
    GOPROXY=off GO111MODULE=off GOPATH="$BUILD/gopath" GOCACHE="$BUILD/gocache" \
        go build -o "$BUILD/lookup_go" main.go)
out=$ROOT/bench/results/lookup.md
{
    echo "# Lookups per second, cnet vs Go ($(go version | awk '{print $3}'), $(date -u +%F))"
    echo
    test/dns-netns.sh test/dns-server.sh "$ROOT/bench/lookup.sh" --inside
} | tee "$out"
