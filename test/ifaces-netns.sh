#!/bin/sh
# ifaces-netns.sh BUILD_DIR TEST_IFACES ORACLE_C CNET_CLI: in a throw-away network
# namespace, makes known devices (lab.md recipe A: nothing is linked to the host):
#   lo  up, 127.0.0.1/8 and ::1/128
#   v0  veth, 02:00:5e:10:00:01, MTU 1400, up: 198.18.1.1/24, 10.1.2.3/8 (host bits
#       kept), fd42:1fa::1/64, fe80::1/64
#   v1  v0's peer, 02:00:5e:10:00:02, MTU 9000, up: 198.18.2.1 peer 198.18.2.2/32
#   w0  veth, 02:00:5e:10:00:03, down; w1 its peer, down
# then checks cnet's list against that setup (TEST_IFACES --netns), against Go's
# net.Interfaces on the same devices (the oracle's ifaces/ifname/ifindex verbs, Go built
# in BUILD_DIR), and the CLI's lines against the library's. Exits 77 (ctest SKIP) when
# no namespace or no veth device can be made.
set -eu
if [ "${1:-}" != --inside ]; then
    if ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
        echo "SKIP: unshare or ip not installed" >&2
        exit 77
    fi
    for how in -n -rn; do
        if unshare $how true 2>/dev/null; then
            exec unshare $how "$0" --inside "$@"
        fi
    done
    echo "SKIP: cannot create a network namespace (unshare -n: not permitted)" >&2
    exit 77
fi
shift
build=$1 test_ifaces=$2 oracle_c=$3 cli=$4
run=${CNET_EMULATOR:-} # a cross build's emulator (qemu-aarch64), empty natively
here=$(cd "$(dirname "$0")" && pwd)

ip link set lo up
if ! ip link add v0 type veth peer name v1 2>/dev/null; then
    echo "SKIP: this kernel has no veth devices" >&2
    exit 77
fi
ip link add w0 type veth peer name w1
# No address of the kernel's own making (no automatic fe80::): the list is exactly ours.
ip link set v0 address 02:00:5e:10:00:01 mtu 1400 addrgenmode none
ip link set v1 address 02:00:5e:10:00:02 mtu 9000 addrgenmode none
ip link set w0 address 02:00:5e:10:00:03 addrgenmode none
ip link set w1 addrgenmode none
ip addr add 198.18.1.1/24 dev v0
ip addr add 10.1.2.3/8 dev v0
ip addr add fd42:1fa::1/64 dev v0 nodad
ip addr add fe80::1/64 dev v0 nodad
ip addr add 198.18.2.1 peer 198.18.2.2/32 dev v1
ip link set v0 up
ip link set v1 up

echo "ifaces-netns: the known devices"
$run "$test_ifaces" --netns

if ! command -v go >/dev/null 2>&1; then
    echo "ifaces-netns: FAIL: the Go toolchain (go) is not installed; install it with 'make deps'" >&2
    exit 1
fi
work=$build/ifaces-netns${CNET_TEST_IN_TASK:+-task} # the twin may run at the same time
mkdir -p "$work"
(cd "$work" && GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$build/gocache" GOPATH="$build/gopath" \
    go build -o "$work/oracle-go" "$here/oracle/oracle.go")
v0=$(ip -o link show dev v0 | cut -d: -f1)
printf '%s\n' ifaces "ifname v0" "ifname v1" "ifname w0" "ifindex $v0" "ifname nosuch0" \
    >"$work/cases.txt"
"$work/oracle-go" "$work/cases.txt" >"$work/go.out"
$run "$oracle_c" "$work/cases.txt" >"$work/cnet.out"
if ! diff -u "$work/go.out" "$work/cnet.out"; then
    echo "ifaces-netns: FAIL: cnet's interfaces differ from Go's (above: - Go, + cnet)" >&2
    exit 1
fi
echo "ifaces-netns: Go and cnet agree on $(grep -c . "$work/cases.txt") cases:"
cat "$work/go.out"

# The CLI prints the library's list: each line is Go's bracketed form with "running".
$run "$cli" ifaces >"$work/cli.out"
sed -n 's/^ifaces => ok //p' "$work/go.out" | sed 's/ all:.*//; s/\] \[/]\n[/g' |
    tr -d '[]' >"$work/go-lines.out"
sed 's/|running//' "$work/cli.out" >"$work/cli-lines.out"
if ! diff -u "$work/go-lines.out" "$work/cli-lines.out"; then
    echo "ifaces-netns: FAIL: 'cnet ifaces' differs from Go's list (running aside)" >&2
    exit 1
fi
grep -q '^[0-9]* v0 1400 up|broadcast|multicast|running 02:00:5e:10:00:01 ' "$work/cli.out"
echo "ifaces-netns: 'cnet ifaces' prints the same list"
