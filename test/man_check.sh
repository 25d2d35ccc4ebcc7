#!/usr/bin/env bash
# The manual covers the library: every function include/cnet.h declares CNET_EXTERN and
# every function libcnet.so exports is on one page's NAME line, appears in that page's
# SYNOPSIS, and `man 3 NAME` finds it; every built page renders with groff -ww and
# man -l without a warning, and lexgrog reads its NAME line (the whatis entry).
# Usage: test/man_check.sh SRC_DIR MAN_BUILD_DIR LIBCNET_SO
set -euo pipefail

src=$1 built=$2 lib=$3
[ -d "$built/man3" ] || { echo "man_check: no pages in $built/man3 (scdoc missing?)"; exit 77; }
work=$(mktemp -d /tmp/cnet-man.XXXXXX)
trap 'rm -rf "$work"' EXIT
errors=0
fail() { echo "man_check: FAIL: $*" >&2; errors=$((errors + 1)); }

declared=$(sed -n 's/^CNET_EXTERN .*[ *]\(cnet_[a-z0-9_]*\)(.*/\1/p' "$src/include/cnet.h" | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort -u)
[ -n "$declared" ] || { echo "man_check: FAIL: no CNET_EXTERN function in cnet.h" >&2; exit 1; }
[ -n "$exported" ] || { echo "man_check: FAIL: $lib exports no function" >&2; exit 1; }

# NAME.SECTION -> page, from each source's NAME line.
declare -A page_of=()
for scd in "$src"/man/*.scd; do
    page=$(basename "$scd" .scd)
    sec=${page##*.}
    line=$(awk '/^# NAME$/ { f = 1; next } f && NF { print; exit }' "$scd")
    synopsis=$(awk '/^# SYNOPSIS$/ { f = 1; next } /^# / { f = 0 } f' "$scd")
    names=${line%% - *}
    if [ "$names" = "$line" ]; then
        # Section 3 NAME lines list the functions; other pages only need lexgrog (below).
        [ "$sec" != 3 ] || fail "$page: NAME line has no ' - description'"
        continue
    fi
    for name in ${names//,/ }; do
        if [ -n "${page_of[$name.$sec]:-}" ]; then
            fail "$name is on two pages: ${page_of[$name.$sec]} and $page"
        fi
        page_of[$name.$sec]=$page
        if grep -qx "$name" <<<"$declared" && ! grep -q "\b$name(" <<<"$synopsis"; then
            fail "$page: $name is on the NAME line but not in the SYNOPSIS"
        fi
    done
done

# The installed layout: rendered pages and link pages side by side, as man(1) sees them.
mkdir -p "$work/man/man3" "$work/man/man1"
for d in man1 man3 links/man1 links/man3; do
    [ -d "$built/$d" ] && cp "$built/$d"/* "$work/man/${d#links/}/"
done

for fn in $(sort -u <<<"$declared"$'\n'"$exported"); do
    if [ -z "${page_of[$fn.3]:-}" ]; then
        fail "$fn has no manual page (put it on a NAME line in man/, see man/README.md)"
        continue
    fi
    # man -w follows the link page (.so) to the page man(1) would show.
    path=$(man -w -M "$work/man" 3 "$fn" 2>&1) || { fail "man 3 $fn: $path"; continue; }
    grep -q "$fn" "$path" || fail "man 3 $fn shows $path, a page without $fn"
done

for page in "$work"/man/man*/*; do
    grep -q '^\.so ' "$page" && continue
    w=$(groff -ww -man -z "$page" 2>&1) || fail "groff $(basename "$page") exited with $?"
    [ -z "$w" ] || fail "groff -ww $(basename "$page"):"$'\n'"$w"
    w=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null) || fail "man -l $(basename "$page") exited with $?"
    [ -z "$w" ] || fail "man -l $(basename "$page"):"$'\n'"$w"
    lexgrog "$page" >/dev/null 2>&1 || fail "lexgrog cannot read the NAME line of $(basename "$page")"
done

if [ "$errors" -ne 0 ]; then
    echo "man_check: $errors failure(s)" >&2
    exit 1
fi
echo "man_check: ok ($(wc -w <<<"$declared") functions, $(ls "$work"/man/man*/ | grep -c '\.[13]$') pages and links)"
