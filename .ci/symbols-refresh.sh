#!/usr/bin/env bash
# Rewrites debian/libcnet0.symbols from the libcnet.so the working tree builds: symbols
# already listed keep the version they first appeared in; new ones get the project's
# version (CMakeLists.txt's project(VERSION)). A symbol that disappeared is an ABI break:
# the script stops (raise the soname instead, see CMakeLists.txt's packaging block).
# Run it after merging new public functions, then commit debian/libcnet0.symbols:
#   .ci/symbols-refresh.sh
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
file=$src/debian/libcnet0.symbols
work=$(mktemp -d /tmp/cnet-symbols.XXXXXX)
trap 'rm -rf "$work"' EXIT

version=$(sed -n 's/^project(cnet VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
major=${version%%.*}
[ -n "$version" ] || { echo "symbols-refresh: no project(cnet VERSION x.y.z) in CMakeLists.txt" >&2; exit 1; }

cmake -S "$src" -B "$work/build" -DCNET_BUILD_TESTS=OFF -DCNET_BUILD_TOOLS=OFF >/dev/null
cmake --build "$work/build" -j2 --target cnet_shared >/dev/null
nm -D --defined-only "$work/build/libcnet.so" | awk '$2 == "T" { print $3 }' | sort -u >"$work/now"

# "name version" of the current file (none yet: empty).
sed -n 's/^ \([a-z0-9_]*\)@Base \(.*\)$/\1 \2/p' "$file" 2>/dev/null | sort -u >"$work/old" || true
removed=$(comm -23 <(cut -d' ' -f1 "$work/old") "$work/now")
if [ -n "$removed" ]; then
    echo "symbols-refresh: these functions are no longer exported (an ABI break):" >&2
    echo "$removed" >&2
    exit 1
fi

{
    echo "libcnet.so.$major libcnet$major #MINVER#"
    echo "* Build-Depends-Package: libcnet-dev"
    while read -r name; do
        v=$(awk -v n="$name" '$1 == n { print $2 }' "$work/old")
        echo " $name@Base ${v:-$version}"
    done <"$work/now"
} >"$file"
added=$(comm -13 <(cut -d' ' -f1 "$work/old") "$work/now")
echo "symbols-refresh: $(wc -l <"$work/now") symbols in debian/libcnet0.symbols;" \
     "added: $(echo $added)"
