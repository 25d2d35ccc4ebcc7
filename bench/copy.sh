#!/usr/bin/env bash
# The copy paths of issue 13 §5 (bench/copy.c): splice vs read/write for a proxy, and
# sendfile vs read/write for a file, 1 GiB each over loopback, as ratios in one run.
#
#   bench/copy.sh          (what `make bench` runs after its other workloads; MIB=N and
#                           ROUNDS=N for other sizes; the defaults are 1024 and 3)
# Writes bench/results/copy.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/bench/build
mkdir -p "$BUILD" "$ROOT/bench/results"
cmake -S "$ROOT" -B "$BUILD/cnet" -DCMAKE_BUILD_TYPE=Release -DCNET_BUILD_TESTS=OFF \
    -DCNET_BUILD_TOOLS=OFF >/dev/null
cmake --build "$BUILD/cnet" --target cnet_static -j2 >/dev/null
gcc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Werror -Wshadow \
    -Wstrict-prototypes -Wmissing-prototypes -I"$ROOT/include" -o "$BUILD/copy" \
    "$ROOT/bench/copy.c" "$BUILD/cnet/libcnet.a" -pthread
{
    echo "## Copy paths: splice and sendfile against read/write"
    echo
    echo "Load average at the start (the machine may be shared): $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    "$BUILD/copy" "${MIB:-1024}" "${ROUNDS:-3}"
} | tee "$ROOT/bench/results/copy.md"
