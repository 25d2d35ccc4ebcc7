#!/usr/bin/env bash
# The ABI of libcnet.so against the last release's baseline in abi/ (made by
# .ci/abi-baseline.sh): additions are compatible, anything else fails.
#   - symbols:   every function the release exported is still exported;
#   - types:     abi-compliance-checker compares the abi-dumper dumps (DWARF) of the two
#                libraries: function signatures, and the size, alignment and field
#                offsets/types of every struct the API reaches (cnet_error, cnet_dialer,
#                cnet_keepalive, cnet_listen_config, cnet_runtime_config, ...);
#   - constants: every numeric #define CNET_* of the release keeps its value (error codes
#                and sizes are compiled into programs; DWARF does not carry macros).
# The dumps come from gcc on x86_64 with debug info (the RelWithDebInfo build); other
# builds run the test with CNET_ABI_NO_DUMP=1 (symbols and constants only).
# Usage: test/abi_check.sh SRC_DIR LIBCNET_SO [RELEASE]   (RELEASE: newest abi/cnet-*.dump)
set -euo pipefail

src=$1 lib=$2
release=${3:-$(ls "$src"/abi/cnet-*.dump | sed 's|.*/cnet-\(.*\)\.dump$|\1|' | sort -V | tail -1)}
base=$src/abi/cnet-$release
work=$(mktemp -d /tmp/cnet-abi.XXXXXX)
keep=0 # the report of a failed comparison stays for reading
trap '[ "$keep" = 1 ] || rm -rf "$work"' EXIT
status=0
fail() { echo "abi_check: FAIL: $*" >&2; status=1; }

for f in "$base.dump" "$base.symbols" "$base.constants"; do
    [ -f "$f" ] || { echo "abi_check: FAIL: no baseline $f" >&2; exit 1; }
done
# CNET_ABI_NO_DUMP=1 (builds other than gcc on x86_64): symbols and constants only.
no_dump=${CNET_ABI_NO_DUMP:-0}
# readelf's output is read whole first: under pipefail, grep -q's early exit could fail it.
[ "$no_dump" = 1 ] || grep -q '\.debug_info' <<<"$(readelf -S "$lib")" ||
    { echo "abi_check: FAIL: $lib has no debug info (build RelWithDebInfo)" >&2; exit 1; }

# Symbols: removed ones break every program that calls them.
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort -u)
removed=$(comm -23 <(sort -u "$base.symbols") <(echo "$exported"))
[ -z "$removed" ] || fail "functions of release $release no longer exported:"$'\n'"$removed"
added=$(comm -13 <(sort -u "$base.symbols") <(echo "$exported"))
[ -z "$added" ] || echo "abi_check: added since $release (compatible):" $added

# Constants.
current=$("$src/.ci/abi-baseline.sh" --constants "$src/include/cnet.h")
changed=$(comm -23 <(sort -u "$base.constants") <(sort -u <<<"$current"))
[ -z "$changed" ] || fail "constants of release $release changed or removed (baseline lines):"$'\n'"$changed"

# Types and signatures.
if [ "$no_dump" = 1 ]; then
    echo "abi_check: types and signatures not compared (CNET_ABI_NO_DUMP: not the gcc x86_64 build)"
elif ! abi-dumper "$lib" -o "$work/new.dump" -lver new -public-headers "$src/include" \
        >"$work/dumper.log" 2>&1; then
    cat "$work/dumper.log" >&2
    fail "abi-dumper $lib"
elif ! abi-compliance-checker -l cnet -old "$base.dump" -new "$work/new.dump" \
        -report-path "$work/report.html" >"$work/acc.log" 2>&1; then
    grep -E 'compatibility' "$work/acc.log" >&2 || cat "$work/acc.log" >&2
    # The problems, as lines of the XML report: type, problem, change, affected symbol.
    abi-compliance-checker -l cnet -old "$base.dump" -new "$work/new.dump" -report-format xml \
        -stdout 2>/dev/null | grep -E '<(type|problem|change|symbol) |<name>' |
        sed -n '/<problem\|<change\|<type\|<symbol/p' | head -60 >&2 || true
    keep=1
    fail "abi-compliance-checker: incompatible with $release (full report: $work/report.html)"
fi

if [ "$status" -eq 0 ]; then
    echo "abi_check: ok, compatible with release $release"
fi
exit $status
