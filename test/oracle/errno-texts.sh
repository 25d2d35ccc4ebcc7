#!/usr/bin/env bash
# cnet's errno texts against Go's own tables (the syscall package's zerrors_<os>_amd64.go
# in the installed Go's source tree): src/errno_text_linux.c against Linux's,
# src/errno_text_bsd.c against darwin's, FreeBSD's, DragonFly's, NetBSD's and OpenBSD's. A C table is
# keyed by symbolic name and the first entry for a number wins, as in error.c's lookup;
# each winner must read exactly as Go's text for that number on that OS. A name the OS
# lacks is skipped there (it does not compile there either). An accepted difference is
# listed below with its reason, and must still occur.
#
# usage: errno-texts.sh SRC_DIR
set -euo pipefail

src=${1:?usage: $0 SRC_DIR}
if ! command -v go >/dev/null 2>&1; then
    echo "errno-texts: FAIL: Go (the oracle) is not installed; 'make deps' installs golang-go" >&2
    exit 1
fi
goroot=$(go env GOROOT)

# One BSD table holds one wording per name: darwin's, which is also FreeBSD's and
# DragonFly's but for EBUSY ("device busy"). NetBSD and OpenBSD (never built: no
# toolchain here, see docs/PLATFORMS.md) word these otherwise, OpenBSD's ETIMEDOUT
# "connection timed out" among them.
accepted=(
    "freebsd EBUSY" "dragonfly EBUSY" "netbsd EBUSY" "openbsd EBUSY"
    "netbsd ERANGE" "netbsd EBADMSG" "netbsd ENOPROTOOPT" "netbsd ECANCELED"
    "netbsd ENOTSUP" "netbsd EOPNOTSUPP" "netbsd ETIMEDOUT"
    "openbsd ENOTSUP" "openbsd EOPNOTSUPP" "openbsd ETIMEDOUT"
)

# Prints "NAME<TAB>cnet text<TAB>Go text" for each winning entry of C_TABLE on OS.
compare() {
    awk '
        function hex(s,    i, v) {
            v = 0
            for (i = 3; i <= length(s); i++)
                v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return v
        }
        FNR == 1 { file++ }
        file == 1 && match($0, /^\t(E[A-Z0-9]+) += Errno\(0x[0-9a-f]+\)/) {
            split($0, f, /[()]/); num[$1] = hex(f[2]); next
        }
        file == 1 && /^var errors = / { intable = 1; next }
        file == 1 && intable && /^}/ { intable = 0; next }
        file == 1 && intable && match($0, /^\t[0-9]+: +"/) {
            n = $1; sub(/:$/, "", n); t = $0; sub(/^[^"]*"/, "", t); sub(/",$/, "", t)
            text[n + 0] = t; next
        }
        file == 2 && match($0, /^ +\{(E[A-Z0-9]+), "/) {
            name = $1; sub(/^\{/, "", name); sub(/,$/, "", name)
            t = $0; sub(/^[^"]*"/, "", t); sub(/"\}.*$/, "", t)
            if (!(name in num) || (num[name] in seen)) next
            seen[num[name]] = 1
            printf "%s\t%s\t%s\n", name, t, text[num[name]]
        }' "$1" "$2"
}

# Whether "OS NAME" is an accepted difference (no pipe into grep -q: under pipefail its
# early exit would fail the writer now and then).
accepted() {
    local a
    for a in "${accepted[@]}"; do
        [ "$a" = "$1" ] && return 0
    done
    return 1
}

fail=0
check() { # check OS C_TABLE
    local os=$1 table=$2 name mine go n=0 key
    while IFS=$'\t' read -r name mine go; do
        n=$((n + 1))
        key="$os $name"
        if [ "$mine" = "$go" ]; then
            if accepted "$key"; then
                echo "errno-texts: FAIL: $key is listed as a difference but matches; drop it"
                fail=1
            fi
        elif ! accepted "$key"; then
            echo "errno-texts: FAIL: $os $name: cnet \"$mine\", Go \"$go\""
            fail=1
        fi
    done < <(compare "$goroot/src/syscall/zerrors_${os}_amd64.go" "$table")
    echo "errno-texts: $os: $n texts compared with $(go version | cut -d' ' -f3)"
    [ "$n" -gt 60 ] || { echo "errno-texts: FAIL: $os: too few entries parsed"; fail=1; }
}

check linux "$src/src/errno_text_linux.c"
for os in darwin freebsd dragonfly netbsd openbsd; do
    check "$os" "$src/src/errno_text_bsd.c"
done
exit $fail
