#!/usr/bin/env bash
# The Go parity test for lookups: builds the Go oracle in BUILD_DIR (as run.sh does),
# runs it and the cnet side (ORACLE_C) on cases-dns.txt inside the tests' DNS namespace
# (dns-netns.sh + dns-server.sh: dnsmasq on 127.0.0.1:53 and nothing else), and compares
# their result lines. A difference fails unless known-differences-dns.txt accepts it with
# a reason; an accepted difference that no longer occurs fails too.
#
# usage: run-dns.sh BUILD_DIR ORACLE_C        (exits 77 where the namespace or dnsmasq
#                                              is missing)
set -uo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR ORACLE_C" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
tests=$(dirname "$here")
work=$1/oracle-dns
oracle_c=$2
known=$here/known-differences-dns.txt

if ! command -v go >/dev/null 2>&1; then
    echo "oracle-dns: FAIL: the Go toolchain (go) is not installed ('make deps')" >&2
    exit 1
fi
mkdir -p "$work"
(cd "$work" && GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$1/gocache" GOPATH="$1/gopath" \
    go build -o "$work/oracle-go" "$here/oracle.go") || exit 1

# Both sides in one namespace and one dnsmasq run, one after the other.
"$tests/dns-netns.sh" "$tests/dns-server.sh" sh -c \
    '"$1" "$3" >"$4/go.raw" && "$2" "$3" >"$4/cnet.out"' sh \
    "$work/oracle-go" "$oracle_c" "$here/cases-dns.txt" "$work"
status=$?
if [ "$status" -eq 77 ]; then
    exit 77
elif [ "$status" -ne 0 ]; then
    echo "oracle-dns: FAIL: a side did not run (status $status)" >&2
    exit 1
fi

# A cnet built without c-ares (the musl and cross builds) has no DNS records to compare.
if grep -q "built without c-ares" "$work/cnet.out"; then
    echo "SKIP: cnet built without c-ares (CNET_WITH_CARES=OFF)" >&2
    exit 77
fi

# Go 1.19's text for a server's timeout embeds the exchange's socket, whose local port
# is ephemeral: "on 127.0.0.1:53: read udp 127.0.0.1:PORT->127.0.0.1:53: i/o timeout".
# cnet says "on 127.0.0.1:53: i/o timeout" (c-ares does not expose the socket's name).
sed -E 's/: read (udp|tcp) [^ ]+->[^ ]+: i\/o timeout$/: i\/o timeout/' \
    "$work/go.raw" >"$work/go.out"

awk -v known="$known" -v goout="$work/go.out" '
function fail(msg) { print "oracle-dns: FAIL: " msg; failures++ }
function case_of(line) { return substr(line, 1, index(line, " => ") - 1) }
function result_of(line) { return substr(line, index(line, " => ") + 4) }
BEGIN {
    while ((getline line < known) > 0) {
        if (line ~ /^case /) { c = substr(line, 6); accepted[c] = ""; reason[c] = "" }
        else if (line ~ /^cnet /) accepted[c] = substr(line, 6)
        else if (line ~ /^reason /) reason[c] = substr(line, 8)
    }
    for (c in accepted)
        if (reason[c] == "") fail("known-differences-dns.txt: case without a reason: " c)
}
{
    cnet = $0
    if ((getline go < goout) <= 0) { fail("the Go oracle printed fewer lines than cnet"); exit }
    n++
    c = case_of(cnet)
    if (c != case_of(go)) { fail("out of step: Go [" go "] cnet [" cnet "]"); exit }
    if (index(go, "oracle: ") || index(cnet, "oracle: "))
        fail("the harness refused or failed a case:\n  Go:   " go "\n  cnet: " cnet)
    seen[c] = 1
    if (result_of(go) == result_of(cnet)) {
        same++
        if (c in accepted) fail("listed in known-differences-dns.txt but Go and cnet now agree: " c)
    } else if ((c in accepted) && accepted[c] == result_of(cnet)) {
        listed++
    } else {
        fail("difference\n  case: " c "\n  Go:   " result_of(go) "\n  cnet: " result_of(cnet))
    }
}
END {
    if ((getline extra < goout) > 0) fail("the Go oracle printed more lines than cnet")
    for (c in accepted)
        if (!(c in seen)) fail("known-differences-dns.txt names a case that did not run: " c)
    printf "oracle-dns: %d cases: %d identical, %d listed differences, %d failures\n",
           n, same, listed, failures
    exit (failures > 0)
}' "$work/cnet.out"
