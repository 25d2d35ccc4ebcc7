#!/bin/sh
# dns-netns.sh PROGRAM [ARGS...]: runs PROGRAM in a throw-away network and mount namespace
# whose resolver asks a DNS server on 127.0.0.1:53 that the program itself provides (or
# does not): lo is the only interface, and private /etc/hosts (localhost only),
# /etc/nsswitch.conf ("hosts: files dns") and /etc/resolv.conf ("nameserver 127.0.0.1",
# one attempt of one second) are bind mounts visible only in this mount namespace. No
# query can leave the namespace: it has no route out.
# Exits 77 (ctest SKIP) when the namespaces cannot be made.
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
mount --make-rprivate /
ip link set lo up
etc=$(mktemp -d /tmp/cnet-dns-XXXXXX)
printf '127.0.0.1 localhost\n::1 localhost\n' >"$etc/hosts"
echo "hosts: files dns" >"$etc/nsswitch.conf"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$etc/resolv.conf"
for f in hosts nsswitch.conf resolv.conf; do
    mount --bind "$etc/$f" "/etc/$f"
done
rm -rf "$etc"
set +e
exec "$@"
