#!/bin/sh
# resolver_cli_test.sh CNET: `cnet lookup` against test/dns/zone.conf (run inside
# dns-netns.sh + dns-server.sh): each kind's output, Go's error texts and exit status 1.
cnet=$1
fail=0
check() { # check WANT-STATUS WANT-OUTPUT ARGS...
    want_status=$1 want=$2
    shift 2
    got=$("$cnet" lookup "$@" 2>&1)
    status=$?
    if [ "$status" != "$want_status" ] || [ "$got" != "$want" ]; then
        printf 'FAIL: cnet lookup %s\n  want (%s): %s\n  got  (%s): %s\n' "$*" "$want_status" "$want" "$status" "$got"
        fail=1
    fi
}
if "$cnet" lookup txt txt.test 2>&1 | grep -q "built without c-ares"; then
    echo "SKIP: cnet built without c-ares" >&2
    exit 77
fi
nl='
'
check 0 "192.0.2.10" ip ip4 www.test
check 0 "2001:db8::10" ip ip6 alias.test
check 0 "www.test." cname alias.test
check 0 "_http._tcp.srv.test.${nl}c.srv.test. 8082 5 0${nl}a.srv.test. 8080 10 60${nl}b.srv.test. 8081 10 0" srv http tcp srv.test
check 0 "mail2.test. 10${nl}mail1.test. 20" mx mx.test
check 0 "ns1.test." ns ns.test
check 0 "www.test." addr 192.0.2.10
check 0 "80" port tcp http
check 1 "cnet: lookup nosuch.test on 127.0.0.1:53: no such host" host nosuch.test
check 1 "cnet: lookup nosuch.test on 127.0.0.1:53: no such host" txt nosuch.test
check 1 "cnet: lookup refused.test on 127.0.0.1:53: server misbehaving" mx refused.test
check 1 "cnet: lookup silent.test on 127.0.0.1:53: i/o timeout" -t 100ms txt silent.test
check 1 "cnet: lookup silent.test on 127.0.0.1:53: i/o timeout" -t 100ms host silent.test
check 1 "cnet: lookup silent.test on 127.0.0.1:53: i/o timeout" ns silent.test
check 2 "cnet lookup: unknown lookup \"soa\"
usage: cnet lookup [-t DURATION] host NAME | ip NETWORK NAME | addr IP | cname NAME |
       srv SERVICE PROTO NAME | mx NAME | txt NAME | ns NAME | port NETWORK SERVICE" soa x
help=$("$cnet" lookup --help 2>&1 | head -n 1)
case $help in
"usage: cnet lookup "*) ;;
*) echo "FAIL: cnet lookup --help: $help"; fail=1 ;;
esac
txt=$("$cnet" lookup txt txt.test | sort | tr '\n' ' ')
[ "$txt" = "helloworld second " ] || { echo "FAIL: txt txt.test: $txt"; fail=1; }
exit $fail
