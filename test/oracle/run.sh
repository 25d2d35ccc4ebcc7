#!/usr/bin/env bash
# The Go parity test: builds the Go oracle in BUILD_DIR, runs it and the cnet side
# (ORACLE_C, built by CMake) on cases.txt and cases-names.txt, and compares their
# result lines. A
# difference fails unless known-differences.txt accepts it, with a reason; an accepted
# difference that no longer occurs fails too, so the list stays true.
#
# usage: run.sh BUILD_DIR ORACLE_C
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR ORACLE_C" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
work=$1/oracle
oracle_c=$2
known=$here/known-differences.txt

if ! command -v go >/dev/null 2>&1; then
    echo "oracle: FAIL: the Go toolchain (go) is not installed; it is the oracle this" >&2
    echo "oracle: test compares cnet with. Install it with 'make deps' (golang-go)." >&2
    exit 1
fi

mkdir -p "$work"
echo "oracle: $(go version)"
# Built in the build tree with the standard library only: no network, no module cache.
(cd "$work" && GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$1/gocache" GOPATH="$1/gopath" \
    go build -o "$work/oracle-go" "$here/oracle.go")

# Each side runs in a network namespace of its own with only lo up, where no other test
# (ctest runs several at once) can hold the port a case picks or takes: a "tcp6 :0" port
# is free on IPv6 only, and a tcp4 listener elsewhere on it would fail the pair. Root
# uses a plain namespace, anyone else a user namespace; where neither can be made, the
# cases run on the host's loopback as they are.
# cases-names.txt runs in a mount namespace as well, where both sides see a private
# /etc/hosts (the host's lines plus those of oracle/hosts) and /etc/nsswitch.conf
# ("hosts: files"): its names, long or numeric-looking, resolve from that file alone and
# none can reach DNS. Where no mount namespace can be made, those cases are left out.
etc=$work/etc
mkdir -p "$etc"
{ cat /etc/hosts; grep -v '^#' "$here/hosts"; } >"$etc/hosts"
echo "hosts: files" >"$etc/nsswitch.conf"
export ORACLE_ETC=$etc
up='ip link set lo up && exec "$@"'
private_etc='mount --make-rprivate / && mount --bind "$ORACLE_ETC/hosts" /etc/hosts &&
    mount --bind "$ORACLE_ETC/nsswitch.conf" /etc/nsswitch.conf && '$up
isolate=()
isolate_names=()
for how in -n -rn; do
    if unshare "$how" true 2>/dev/null; then
        isolate=(unshare "$how" sh -c "$up" isolated)
        if unshare "$how" -m true 2>/dev/null; then
            isolate_names=(unshare "$how" -m sh -c "$private_etc" isolated)
        fi
        break
    fi
done
if [ ${#isolate[@]} -eq 0 ]; then
    echo "oracle: note: no network namespace here; the cases share the host's loopback"
fi
if [ ${#isolate_names[@]} -eq 0 ]; then
    echo "oracle: note: no mount namespace here; cases-names.txt is left out"
fi

# A build whose code path differs from Linux's by design (the darwin path run on Linux)
# leaves out the verbs that reach it: ORACLE_SKIP_VERBS="verb|verb".
cases=$here/cases.txt
if [ -n "${ORACLE_SKIP_VERBS:-}" ]; then
    cases=$work/cases.txt
    grep -v -E "^(${ORACLE_SKIP_VERBS}) " "$here/cases.txt" >"$cases"
    echo "oracle: note: this build leaves out the cases of: $ORACLE_SKIP_VERBS"
fi
# Against musl (ORACLE_LIBC=musl) the cases that ask the C library's resolver about a
# name it cannot find are left out, listed with the reason in musl-skip.txt, and so is
# cases-names.txt: musl reads no nsswitch.conf and looks up no name over 255 bytes.
# Go's answers there are glibc's; the musl build checks everything else.
if [ "${ORACLE_LIBC:-}" = musl ]; then
    grep -v -x -F -f <(sed -n 's/^case //p' "$here/musl-skip.txt") "$cases" >"$work/cases-musl.txt"
    cases=$work/cases-musl.txt
    echo "oracle: note: musl: leaves out musl-skip.txt's cases and cases-names.txt"
fi

# The cases this run leaves out (musl, fallbacks, no mount namespace): a known
# difference among them is not expected to show.
{ cat "$here/cases.txt"; [ ${#isolate_names[@]} -eq 0 ] || [ "${ORACLE_LIBC:-}" = musl ] &&
    cat "$here/cases-names.txt"; } | grep -v -x -F -f "$cases" >"$work/left-out.txt" || true

# Runs one side (PROGRAM) on every case file it can, one result line per case.
run_side() {
    "${isolate[@]}" "$1" "$cases"
    if [ ${#isolate_names[@]} -gt 0 ] && [ "${ORACLE_LIBC:-}" != musl ]; then
        "${isolate_names[@]}" "$1" "$here/cases-names.txt"
    fi
}

run_side "$work/oracle-go" >"$work/go.raw"
# Go refuses (and names) any dial off loopback and any DNS query; cnet's resolver cannot
# be fenced in, so such a case stops the test before cnet runs it.
if grep -F "oracle: refused" "$work/go.raw"; then
    echo "oracle: FAIL: a case above would leave the host; fix its case file" >&2
    exit 1
fi
run_side "$oracle_c" >"$work/cnet.out"

# Later Go wording that cnet follows replaces Go 1.19's before comparing.
rewrites=()
while IFS= read -r expr; do
    rewrites+=(-e "$expr")
done < <(sed -n 's/^rewrite //p' "$known")
if [ ${#rewrites[@]} -gt 0 ]; then
    sed -E "${rewrites[@]}" "$work/go.raw" >"$work/go.out"
else
    cp "$work/go.raw" "$work/go.out"
fi

awk -v known="$known" -v goraw="$work/go.raw" -v goout="$work/go.out" -v leftout="$work/left-out.txt" '
function fail(msg) { print "oracle: FAIL: " msg; failures++ }
function case_of(line) { return substr(line, 1, index(line, " => ") - 1) }
function result_of(line) { return substr(line, index(line, " => ") + 4) }
BEGIN {
    while ((getline line < known) > 0) {
        if (line ~ /^case /) { c = substr(line, 6); accepted[c] = ""; reason[c] = "" }
        else if (line ~ /^cnet /) accepted[c] = substr(line, 6)
        else if (line ~ /^reason /) { if (c != "") reason[c] = substr(line, 8); rule_reason++ }
        else if (line ~ /^rewrite /) { rules++; c = "" }
    }
    for (c in accepted)
        if (reason[c] == "") fail("known-differences.txt: case without a reason: " c)
    if (rule_reason < rules) fail("known-differences.txt: a rewrite without a reason")
}
{
    cnet = $0
    if ((getline raw < goraw) <= 0 || (getline go < goout) <= 0) {
        fail("the Go oracle printed fewer lines than cnet"); exit
    }
    n++
    c = case_of(cnet)
    if (c != case_of(go)) { fail("out of step: Go [" go "] cnet [" cnet "]"); exit }
    if (index(go, "oracle: ") || index(cnet, "oracle: "))
        fail("the harness refused or failed a case:\n  Go:   " go "\n  cnet: " cnet)
    if (raw != go) rewritten++
    seen[c] = 1
    if (result_of(go) == result_of(cnet)) {
        same++
        if (c in accepted)
            fail("listed in known-differences.txt but Go and cnet now agree: " c)
    } else if ((c in accepted) && accepted[c] == result_of(cnet)) {
        listed++
    } else {
        fail("difference\n  case: " c "\n  Go:   " result_of(go) "\n  cnet: " result_of(cnet) \
             ((c in accepted) ? "\n  (known-differences.txt expects cnet: " accepted[c] ")" : ""))
    }
}
END {
    if ((getline extra < goraw) > 0) fail("the Go oracle printed more lines than cnet")
    while ((getline line < leftout) > 0)
        skipped[line] = 1
    for (c in accepted)
        if (!(c in seen) && !(c in skipped))
            fail("known-differences.txt names a case that did not run: " c)
    printf "oracle: %d cases: %d identical (%d after a rewrite rule), %d listed differences, %d failures\n",
           n, same, rewritten, listed, failures
    exit (failures > 0)
}' "$work/cnet.out"
