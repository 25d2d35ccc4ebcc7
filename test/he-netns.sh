#!/bin/sh
# he-netns.sh PROGRAM [ARGS...]: runs PROGRAM in a throw-away network and mount namespace
# made for Happy Eyeballs and hanging-connect tests:
#   - lo up, and an ifb device "he0" with 198.18.0.1/24 and 2001:db8::1/64. 198.18.0.2 and
#     2001:db8::2 have permanent neighbour entries, so a SYN to them is handed to the ifb
#     device, which drops it: a connect to them hangs (a black hole) instead of failing.
#   - private /etc/hosts, /etc/host.conf and /etc/nsswitch.conf (bind mounts visible only
#     in this mount namespace), "hosts: files" and "multi on", so that
#       cnet-he.test  -> 2001:db8::2 (black hole, sorted first by RFC 6724), 127.0.0.1
#       cnet-rst.test -> ::1 (refused at once), 127.0.0.1
#       cnet-hole.test -> 2001:db8::2, 198.18.0.2 (both families black holes)
#     resolve from that file alone; no name ever reaches DNS (nor could it: the namespace
#     has no route out).
# Both namespaces disappear with the program. Exits 77 (ctest SKIP) when they cannot be made.
if [ "${1:-}" != --inside ]; then
    for tool in unshare ip mount; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "SKIP: $tool not installed" >&2
            exit 77
        fi
    done
    if unshare -n -m true 2>/dev/null; then
        exec unshare -n -m "$0" --inside "$@"
    fi
    if unshare -r -n -m true 2>/dev/null; then
        exec unshare -r -n -m "$0" --inside "$@"
    fi
    echo "SKIP: cannot create a network and mount namespace" >&2
    exit 77
fi
shift
set -e
# The bind mounts below must not propagate back to the host's mount namespace.
mount --make-rprivate /
echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad
echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad
ip link set lo up
if ! ip link add he0 type ifb 2>/dev/null; then
    echo "SKIP: this kernel has no ifb devices" >&2
    exit 77
fi
ip link set he0 up
ip addr add 198.18.0.1/24 dev he0
ip addr add 2001:db8::1/64 dev he0 nodad
ip neigh add 198.18.0.2 lladdr 02:00:00:00:00:02 dev he0 nud permanent
ip -6 neigh add 2001:db8::2 lladdr 02:00:00:00:00:02 dev he0 nud permanent

etc=$(mktemp -d /tmp/cnet-he-XXXXXX)
cat >"$etc/hosts" <<'HOSTS'
127.0.0.1 localhost
2001:db8::2 cnet-he.test
127.0.0.1 cnet-he.test
::1 cnet-rst.test
127.0.0.1 cnet-rst.test
2001:db8::2 cnet-hole.test
198.18.0.2 cnet-hole.test
HOSTS
echo "multi on" >"$etc/host.conf"
echo "hosts: files" >"$etc/nsswitch.conf"
for f in hosts host.conf nsswitch.conf; do
    mount --bind "$etc/$f" "/etc/$f"
done
# The mounts keep the files alive; nothing is left in /tmp.
rm -rf "$etc"
set +e
exec "$@"
