#!/bin/sh
# dns-server.sh PROGRAM [ARGS...]: run by dns-netns.sh, inside its private network and
# mount namespace (resolv.conf: nameserver 127.0.0.1, one attempt of one second):
# starts dnsmasq on 127.0.0.1:53 with test/dns/zone.conf (and its refusing upstream on
# 127.0.0.1:5455), waits until it answers, runs PROGRAM, then stops both.
# Usage from ctest: dns-netns.sh dns-server.sh PROGRAM ARGS. Exits 77 without dnsmasq.
dir=$(dirname "$0")/dns
if ! command -v dnsmasq >/dev/null 2>&1 && [ ! -x /usr/sbin/dnsmasq ]; then
    echo "SKIP: dnsmasq not installed (Debian: dnsmasq-base)" >&2
    exit 77
fi
PATH=$PATH:/usr/sbin
dnsmasq -C "$dir/zone.conf" --log-facility=- 2>/dev/null &
zone=$!
dnsmasq -C "$dir/upstream.conf" --log-facility=- 2>/dev/null &
upstream=$!
tries=0
until getent hosts www.test >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ] || ! kill -0 "$zone" 2>/dev/null; then
        echo "dns-server.sh: dnsmasq did not start" >&2
        kill "$zone" "$upstream" 2>/dev/null
        exit 1
    fi
    sleep 0.05
done
"$@"
status=$?
kill "$zone" "$upstream" 2>/dev/null
wait "$zone" "$upstream" 2>/dev/null
exit "$status"
