#!/usr/bin/env bash
# Address parsing, cnet against Go's netip.ParseAddr, side by side on this machine:
# builds cnet (Release) under bench/build-netip, bench/netip.c and bench/netip_go, runs
# each over the same addresses and prints ns per parse and the ratio (Go / cnet: above 1,
# cnet is faster). Short: ROUNDS parses per address and run (default 300000), best of 5.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-300000}
out=bench/build-netip
cmake -S . -B "$out" -DCMAKE_BUILD_TYPE=Release -DCNET_BUILD_TESTS=OFF -DCNET_BUILD_TOOLS=OFF >/dev/null
cmake --build "$out" -j2 --target cnet_static >/dev/null
cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Iinclude -o "$out/netip" bench/netip.c "$out/libcnet.a" -pthread
(cd bench/netip_go && GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$PWD/../../$out/gocache" \
    go build -o "../../$out/netip_go" main.go)
"$out/netip" "$rounds" >"$out/cnet.txt"
"$out/netip_go" "$rounds" >"$out/go.txt"
echo "address parsing, ns per parse (best of 5 x $rounds): cnet_addr_parse vs Go $(go env GOVERSION) netip.ParseAddr"
printf '%-8s %8s %8s %8s\n' kind cnet go go/cnet
join "$out/cnet.txt" "$out/go.txt" | awk '{ printf "%-8s %8.1f %8.1f %8.2f\n", $1, $2, $3, $3 / $2 }'
