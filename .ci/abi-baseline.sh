#!/usr/bin/env bash
# Writes the ABI baseline of a release into abi/: the exported functions, the numeric
# CNET_* constants and an abi-dumper dump of libcnet.so built as the release build is
# (gcc, RelWithDebInfo) from the tree's HEAD (committed changes only).
# Run it when a release is tagged, and commit abi/:   .ci/abi-baseline.sh 0.1.0
# test/abi_check.sh then compares every build with the newest baseline.
# (--constants HEADER: print the constants of HEADER, for abi_check.sh.)
set -euo pipefail

constants() {
    # Each object-like "#define CNET_NAME value" but the version numbers and CNET_EXTERN,
    # evaluated by the compiler (values may be expressions), as "CNET_NAME value".
    local names prog
    names=$(sed -n 's/^#define \(CNET_[A-Z0-9_]*\) .*/\1/p' "$1" | grep -vx 'CNET_EXTERN\|CNET_VERSION_.*')
    prog=$(mktemp /tmp/cnet-constants.XXXXXX)
    {
        printf '#include <stdio.h>\n#include "%s"\nint main(void) {\n' "$(realpath "$1")"
        for n in $names; do printf '    printf("%%s %%lld\\n", "%s", (long long)(%s));\n' "$n" "$n"; done
        printf '    return 0;\n}\n'
    } >"$prog.c"
    "${CC:-cc}" -std=c11 -o "$prog" "$prog.c" && "$prog" | sort
    rm -f "$prog" "$prog.c"
}
if [ "${1:-}" = "--constants" ]; then
    constants "$2"
    exit 0
fi

release=${1:?usage: .ci/abi-baseline.sh RELEASE (e.g. 0.1.0)}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/cnet-abi-baseline.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir "$work/src-tree"
git -C "$src" archive --format=tar HEAD | tar -x -C "$work/src-tree"
cmake -S "$work/src-tree" -B "$work/build" -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCNET_BUILD_TESTS=OFF -DCNET_BUILD_TOOLS=OFF >/dev/null
cmake --build "$work/build" -j2 --target cnet_shared >/dev/null
lib=$work/build/libcnet.so

mkdir -p "$src/abi"
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort -u >"$src/abi/cnet-$release.symbols"
constants "$work/src-tree/include/cnet.h" >"$src/abi/cnet-$release.constants"
abi-dumper "$lib" -o "$src/abi/cnet-$release.dump" -lver "$release" \
    -public-headers "$work/src-tree/include" >/dev/null 2>&1
echo "abi-baseline: wrote abi/cnet-$release.{symbols,constants,dump}" \
     "($(wc -l <"$src/abi/cnet-$release.symbols") functions, $(wc -l <"$src/abi/cnet-$release.constants") constants)"
