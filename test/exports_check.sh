#!/usr/bin/env bash
# libcnet.so exports exactly the functions include/cnet.h declares CNET_EXTERN: no other
# symbol of any kind (data, weak, a cnet__ internal, a compiler runtime's), none missing.
# Run by the build after each link of the shared library and by ctest (exports).
# Usage: test/exports_check.sh LIBCNET_SO CNET_H
set -euo pipefail

lib=$1 header=$2
declared=$(sed -n 's/^CNET_EXTERN .*[ *]\(cnet_[a-z0-9_]*\)(.*/\1/p' "$header" | sort -u)
# Every defined dynamic symbol, whatever its type, as "TYPE NAME".
defined=$(nm -D --defined-only "$lib" | awk '{ print $2, $3 }' | sort -k2)
[ -n "$declared" ] || { echo "exports_check: FAIL: no CNET_EXTERN function in $header" >&2; exit 1; }

bad=$(awk '$1 != "T" || $2 !~ /^cnet_[a-z0-9]/' <<<"$defined")
missing=$(comm -23 <(echo "$declared") <(awk '{ print $2 }' <<<"$defined" | sort -u))
extra=$(comm -13 <(echo "$declared") <(awk '$1 == "T" { print $2 }' <<<"$defined" | sort -u))
status=0
if [ -n "$bad" ]; then
    echo "exports_check: FAIL: $lib exports symbols that are not cnet_ functions:" >&2
    echo "$bad" >&2
    status=1
fi
if [ -n "$extra" ]; then
    echo "exports_check: FAIL: $lib exports functions cnet.h does not declare CNET_EXTERN:" >&2
    echo "$extra" >&2
    status=1
fi
if [ -n "$missing" ]; then
    echo "exports_check: FAIL: cnet.h declares functions $lib does not export:" >&2
    echo "$missing" >&2
    status=1
fi
exit $status
