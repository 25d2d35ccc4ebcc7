#!/bin/bash
# cli_nc_test.sh PATH/TO/cnet [PATH/TO/cnet.bash-completion]: netcat's spellings of the
# cnet tool (HOST PORT, -p, -u, -4, -6, -v, -w SECONDS), help and version, the hints,
# and the bash completion, driven against ncat and socat on loopback only.
# Every command runs under `timeout 10`; servers announce their port on stderr (cnet,
# socat -d -d) or are found by their socket (ncat, through ss), so nothing sleeps to
# synchronise.
set -u

CNET=${1:?usage: cli_nc_test.sh PATH/TO/cnet [PATH/TO/cnet.bash-completion]}
COMPLETION=${2:-$(dirname "$0")/../tools/cnet.bash-completion}
MANPAGE=$(dirname "$0")/../man/cnet.1.scd
T=$(mktemp -d "${TMPDIR:-/tmp}/cnet-clinc.XXXXXX")
BG_PIDS=()
FAILURES=0
TESTS=0

cleanup() {
    local pid
    for pid in "${BG_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

pass() { TESTS=$((TESTS + 1)); echo "ok $TESTS - $1"; }
fail() { TESTS=$((TESTS + 1)); FAILURES=$((FAILURES + 1)); echo "not ok $TESTS - $1"; }
skip() { TESTS=$((TESTS + 1)); echo "ok $TESTS - $1 # SKIP $2"; }

expect_eq() { # NAME WANT GOT
    if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: want [$2], got [$3]"; fi
}

expect_match() { # NAME EXTENDED-REGEX GOT
    if [[ $3 =~ $2 ]]; then pass "$1"; else fail "$1: [$3] does not match /$2/"; fi
}

run() { timeout 10 "$CNET" "$@"; }

for tool in ncat socat ss; do
    command -v "$tool" >/dev/null || { echo "cli_nc_test.sh: $tool is not installed" >&2; exit 1; }
done

# start_bg NAME REGEX CMD...: runs CMD in the background (stdin and stdout as the caller
# redirects them) and waits (at most 10 s a line, 50 lines) for a stderr line matching
# REGEX, which goes to BG_LINE (empty if none came). The rest of its stderr is drained
# into $T/NAME.err, after the lines read before it.
declare -A BG_PID BG_DRAIN
start_bg() {
    local name=$1 regex=$2 fd line i
    shift 2
    mkfifo "$T/$name.fifo"
    # 0<&0: an explicit stdin, or bash gives a background command /dev/null.
    "$@" 0<&0 2>"$T/$name.fifo" &
    BG_PID[$name]=$!
    BG_PIDS+=("$!")
    exec {fd}<"$T/$name.fifo"
    BG_LINE=""
    : >"$T/$name.head"
    for ((i = 0; i < 50; i++)); do
        IFS= read -r -t 10 line <&"$fd" || break
        printf '%s\n' "$line" >>"$T/$name.head"
        if [[ $line =~ $regex ]]; then BG_LINE=$line; break; fi
    done
    cat <&"$fd" >"$T/$name.err" &
    BG_DRAIN[$name]=$!
    exec {fd}<&-
}

# wait_for NAME: waits for a background command and its stderr drain; status in STATUS.
wait_for() {
    wait "${BG_PID[$1]}"
    STATUS=$?
    wait "${BG_DRAIN[$1]}"
}

stop_bg() {
    kill "${BG_PID[$1]}" 2>/dev/null
    wait_for "$1"
}

port_of() { echo "${1##*:}"; }

# ss_port PROTO PID: the local port of the socket process PID (or its child: timeout's)
# has bound, polled for at most 5 s.
ss_port() {
    local proto=$1 pid=$2 i pids line
    for ((i = 0; i < 100; i++)); do
        pids="$pid $(pgrep -P "$pid" | tr '\n' ' ')"
        for p in $pids; do
            line=$(ss -Hanp -"$proto" 2>/dev/null | grep -F "pid=$p," | head -n 1)
            if [ -n "$line" ]; then
                line=$(echo "$line" | awk '{print $4}')
                echo "${line##*:}"
                return
            fi
        done
        sleep 0.05
    done
    echo 0
}

test_help_and_version() {
    local cmd
    run help >"$T/help.out" 2>&1
    expect_eq "cnet help exits 0" 0 $?
    expect_eq "cnet help prints the overview" "usage: cnet COMMAND [ARGS]" "$(head -n 1 "$T/help.out")"
    expect_match "cnet help lists the commands" $'\n  dial ' "$(cat "$T/help.out")"
    for cmd in listen dial recv send sockopts; do
        run help "$cmd" >"$T/help.out" 2>&1
        expect_eq "cnet help $cmd exits 0" 0 $?
        expect_match "cnet help $cmd prints its usage" "^usage: cnet $cmd " "$(head -n 1 "$T/help.out")"
        expect_eq "cnet help $cmd is cnet $cmd --help" "$(run "$cmd" --help)" "$(cat "$T/help.out")"
    done
    run help nosuchcommand >/dev/null 2>"$T/help.err"
    expect_eq "cnet help nosuchcommand exits 2" 2 $?
    expect_eq "cnet help nosuchcommand says so" 'cnet: unknown command "nosuchcommand"' \
        "$(head -n 1 "$T/help.err")"
    for cmd in -V --version; do
        run "$cmd" >"$T/version.out" 2>&1
        expect_eq "cnet $cmd exits 0" 0 $?
        expect_match "cnet $cmd prints \"cnet X.Y.Z\" and nothing else" '^cnet [0-9]+\.[0-9]+\.[0-9]+$' \
            "$(cat "$T/version.out")"
    done
}

# cnet listen HOST PORT, and -p PORT HOST: tcp; ncat and socat dial it; both ways.
test_listen_host_port() {
    local port
    printf 'from cnet\n' >"$T/lhp.in"
    start_bg lhp '^listening' timeout 10 "$CNET" listen 127.0.0.1 0 <"$T/lhp.in" >"$T/lhp.out"
    expect_match "listen HOST PORT listens on tcp" '^listening on tcp 127\.0\.0\.1:[0-9]+$' "$BG_LINE"
    port=$(port_of "$BG_LINE")
    printf 'from ncat\n' | timeout 10 ncat 127.0.0.1 "$port" >"$T/lhp.ncat" 2>&1
    expect_eq "ncat dialing listen HOST PORT exits 0" 0 $?
    wait_for lhp
    expect_eq "listen HOST PORT exits 0 after ncat closes" 0 "$STATUS"
    expect_eq "listen HOST PORT: ncat reads cnet's stdin" "from cnet" "$(cat "$T/lhp.ncat")"
    expect_eq "listen HOST PORT: cnet prints ncat's data" "from ncat" "$(cat "$T/lhp.out")"

    start_bg lp '^listening' timeout 10 "$CNET" listen -p 0 127.0.0.1 <"$T/lhp.in" >"$T/lp.out"
    expect_match "listen -p PORT HOST listens on tcp" '^listening on tcp 127\.0\.0\.1:[0-9]+$' "$BG_LINE"
    port=$(port_of "$BG_LINE")
    printf 'from socat\n' | timeout 10 socat - "TCP:127.0.0.1:$port" >"$T/lp.socat" 2>&1
    expect_eq "socat dialing listen -p exits 0" 0 $?
    wait_for lp
    expect_eq "listen -p exits 0 after socat closes" 0 "$STATUS"
    expect_eq "listen -p: socat reads cnet's stdin" "from cnet" "$(cat "$T/lp.socat")"
    expect_eq "listen -p: cnet prints socat's data" "from socat" "$(cat "$T/lp.out")"
}

# -4 and -6 pick tcp4 and tcp6.
test_listen_family() {
    local port
    start_bg l4 '^listening' timeout 10 "$CNET" listen -4 127.0.0.1 0 </dev/null >"$T/l4.out"
    expect_match "listen -4 listens on tcp4" '^listening on tcp4 127\.0\.0\.1:[0-9]+$' "$BG_LINE"
    port=$(port_of "$BG_LINE")
    printf 'four\n' | timeout 10 ncat -4 127.0.0.1 "$port" >/dev/null 2>&1
    expect_eq "ncat -4 dialing listen -4 exits 0" 0 $?
    wait_for l4
    expect_eq "listen -4 gets ncat's data and exits 0" "0 four" "$STATUS $(cat "$T/l4.out")"

    start_bg l6 '^listening' timeout 10 "$CNET" listen -6 ::1 0 </dev/null >"$T/l6.out"
    expect_match "listen -6 listens on tcp6" '^listening on tcp6 \[::1\]:[0-9]+$' "$BG_LINE"
    port=$(port_of "$BG_LINE")
    printf 'six\n' | timeout 10 ncat -6 ::1 "$port" >/dev/null 2>&1
    expect_eq "ncat -6 dialing listen -6 exits 0" 0 $?
    wait_for l6
    expect_eq "listen -6 gets ncat's data and exits 0" "0 six" "$STATUS $(cat "$T/l6.out")"

    # An IPv6 host on tcp4 is Go's error, which shows the network -4 chose.
    run listen -4 ::1 0 </dev/null >/dev/null 2>"$T/l46.err"
    expect_eq "listen -4 ::1 exits 1 with Go's error" \
        "1 cnet: listen tcp4: address ::1: no suitable address found" "$? $(cat "$T/l46.err")"
}

# Without HOST, listen PORT and -p PORT take every address, as ncat -l does: in a
# private network namespace, so that nothing listens on the host's own networks.
test_listen_every_address() {
    local out
    if ! unshare -n true 2>/dev/null; then
        skip "listen PORT on every address" "unshare -n is not permitted"
        return
    fi
    # In the namespace: listen, read its banner, dial it on loopback with ncat; one
    # line per case: ARGS|BANNER WITHOUT THE PORT|LISTEN'S STATUS|WHAT NCAT READ.
    # shellcheck disable=SC2016 # expanded by the inner bash
    out=$(timeout 30 unshare -n bash -c '
        ip link set lo up || exit 1
        for args in "0" "-p 0" "-4 0" "-4 -p 0" "-6 0"; do
            mkfifo "$2/ns.fifo"
            echo hi | timeout 10 "$1" listen $args >/dev/null 2>"$2/ns.fifo" &
            pid=$!
            exec 3<"$2/ns.fifo"
            IFS= read -r -t 10 line <&3
            case $line in *"[::]:"*) host=::1 ;; *) host=127.0.0.1 ;; esac
            got=$(timeout 10 ncat "$host" "${line##*:}" </dev/null 2>&1)
            wait "$pid"
            echo "$args|${line%:*}|$?|$got"
            exec 3<&-
            rm "$2/ns.fifo"
        done' bash "$CNET" "$T" 2>&1)
    expect_eq "listen [-4|-6] [-p] PORT listens on every address of the family" \
        "0|listening on tcp [::]|0|hi
-p 0|listening on tcp [::]|0|hi
-4 0|listening on tcp4 0.0.0.0|0|hi
-4 -p 0|listening on tcp4 0.0.0.0|0|hi
-6 0|listening on tcp6 [::]|0|hi" "$out"
}

# cnet dial HOST PORT: tcp, against socat's listener; -6 dials tcp6.
test_dial_host_port() {
    local port
    start_bg sdial 'listening on' timeout 10 socat -d -d TCP-LISTEN:0,bind=127.0.0.1 STDIO \
        < <(printf 'from socat\n') >"$T/sdial.out"
    port=$(port_of "$BG_LINE")
    printf 'from cnet\n' | run dial 127.0.0.1 "$port" >"$T/dial.out" 2>"$T/dial.err"
    expect_eq "dial HOST PORT to socat exits 0 and is quiet" "0 " "$? $(cat "$T/dial.err")"
    wait_for sdial
    expect_eq "dial HOST PORT: cnet prints socat's data" "from socat" "$(cat "$T/dial.out")"
    expect_eq "dial HOST PORT: socat reads cnet's stdin" "from cnet" "$(cat "$T/sdial.out")"

    start_bg sdial6 'listening on' timeout 10 socat -d -d 'TCP6-LISTEN:0,bind=[::1]' STDIO \
        </dev/null >"$T/sdial6.out"
    port=$(port_of "$BG_LINE")
    printf 'over six\n' | run dial -6 -v ::1 "$port" >/dev/null 2>"$T/dial6.err"
    expect_eq "dial -6 HOST PORT to socat exits 0" 0 $?
    expect_eq "dial -6 -v says it connected over tcp6" "connected to tcp6 [::1]:$port" \
        "$(head -n 1 "$T/dial6.err")"
    wait_for sdial6
    expect_eq "dial -6: socat reads cnet's stdin" "over six" "$(cat "$T/sdial6.out")"

    run dial -6 127.0.0.1 "$port" </dev/null >/dev/null 2>"$T/dial64.err"
    expect_eq "dial -6 to an IPv4 host exits 1 with Go's error" \
        "1 cnet: dial tcp6: address 127.0.0.1: no suitable address found" \
        "$? $(cat "$T/dial64.err")"
}

# -u: dial sends datagrams to ncat -u -l; listen -u receives ncat -u's, as recv does.
test_udp() {
    local port fd line
    # --recv-only: an ncat -u -l that sees the end of its stdin before a datagram exits.
    start_bg ncu 'Listening' timeout 10 ncat -v -u -l --recv-only 127.0.0.1 0 </dev/null >"$T/ncu.out"
    port=$(ss_port u "${BG_PID[ncu]}")
    printf 'datagram from cnet\n' | run dial -u 127.0.0.1 "$port" >/dev/null 2>"$T/dialu.err"
    expect_eq "dial -u HOST PORT exits 0 at the end of stdin" "0 " "$? $(cat "$T/dialu.err")"
    for ((i = 0; i < 100; i++)); do [ -s "$T/ncu.out" ] && break; sleep 0.05; done
    expect_eq "dial -u: ncat -u -l gets the datagram" "datagram from cnet" "$(cat "$T/ncu.out")"
    stop_bg ncu

    mkfifo "$T/lu.out"
    exec {fd}<>"$T/lu.out"
    start_bg lu '^listening' timeout 10 "$CNET" listen -u 127.0.0.1 0 </dev/null >"$T/lu.out"
    expect_match "listen -u announces a udp socket, as recv does" \
        '^listening on udp 127\.0\.0\.1:[0-9]+$' "$BG_LINE"
    port=$(port_of "$BG_LINE")
    printf 'datagram from ncat\n' | timeout 10 ncat -u 127.0.0.1 "$port" >/dev/null 2>&1
    expect_eq "ncat -u to listen -u exits 0" 0 $?
    IFS= read -r -t 10 line <&"$fd"
    # recv's format (ADDR first) is recv's business; what listen -u adds is that it is
    # recv's, with the sender's address.
    expect_match "listen -u prints the datagram with its sender, as recv does" \
        '^from 127\.0\.0\.1:[0-9]+' "$line"
    kill "${BG_PID[lu]}"
    wait_for lu
    expect_eq "listen -u keeps receiving until stopped (SIGTERM)" 143 "$STATUS"
    expect_eq "listen -u is quiet on stderr after its banner" "" "$(cat "$T/lu.err")"
    exec {fd}<&-

    run listen -u -k 127.0.0.1 0 </dev/null >/dev/null 2>"$T/luk.err"
    expect_eq "listen -u -k is a usage error" 2 $?
    expect_match "listen -u -k says why" '^cnet listen: -k, .* are for connections; -u receives datagrams' \
        "$(head -n 1 "$T/luk.err")"
}

# -v: connects and accepts on stderr, then the byte counts, in ncat -v's shape.
test_verbose() {
    local port
    printf 'hello\n' >"$T/v.in"
    start_bg lv '^listening' timeout 10 "$CNET" listen -v 127.0.0.1 0 <"$T/v.in" >/dev/null
    port=$(port_of "$BG_LINE")
    printf 'hi there\n' | run dial -v 127.0.0.1 "$port" >/dev/null 2>"$T/dv.err"
    expect_eq "dial -v exits 0" 0 $?
    wait_for lv
    expect_eq "listen -v exits 0" 0 "$STATUS"
    expect_match "dial -v: the connect, then bytes sent and received" \
        "^connected to tcp 127\.0\.0\.1:$port"$'\n''9 bytes sent, 6 bytes received in [0-9]+\.[0-9]{2} seconds$' \
        "$(cat "$T/dv.err")"
    expect_match "listen -v: the accept, then bytes sent and received" \
        '^connection from 127\.0\.0\.1:[0-9]+'$'\n''6 bytes sent, 9 bytes received in [0-9]+\.[0-9]{2} seconds$' \
        "$(cat "$T/lv.err")"

    # ncat -v dialing cnet listen -v: ncat's connect line and cnet's accept line agree.
    start_bg lv2 '^listening' timeout 10 "$CNET" listen -v 127.0.0.1 0 </dev/null >/dev/null
    port=$(port_of "$BG_LINE")
    timeout 10 ncat -v 127.0.0.1 "$port" </dev/null >/dev/null 2>"$T/ncv.err"
    expect_eq "ncat -v dialing listen -v exits 0" 0 $?
    wait_for lv2
    expect_match "ncat -v says Connected to" "Ncat: Connected to 127\.0\.0\.1:$port\." "$(cat "$T/ncv.err")"
    expect_match "listen -v says connection from" '^connection from 127\.0\.0\.1:[0-9]+$' \
        "$(head -n 1 "$T/lv2.err")"

    run dial -v 127.0.0.1 1 </dev/null >/dev/null 2>"$T/dvr.err"
    expect_eq "dial -v to a closed port reports Go's error only" \
        "1 cnet: dial tcp 127.0.0.1:1: connect: connection refused" "$? $(cat "$T/dvr.err")"
}

# -w takes plain seconds (and fractions) as ncat does, beside Go's durations.
test_timeout_seconds() {
    local port args quiet
    for args in "-w 2" "-w 0.5" "-w 1." "-w 300ms"; do
        # shellcheck disable=SC2086 # word lists
        run dial $args 127.0.0.1 1 </dev/null >/dev/null 2>"$T/w.err"
        expect_eq "dial $args is accepted and reaches the dial" \
            "1 cnet: dial tcp 127.0.0.1:1: connect: connection refused" "$? $(cat "$T/w.err")"
    done
    for args in "0|-w wants a duration > 0, not \"0\"" "0.0|-w wants a duration > 0, not \"0.0\"" \
        "1.2.3|-w: time: missing unit in duration \"1.2.3\"" \
        "99999999999|-w: 99999999999 seconds is longer than a duration can be (2562047h47m16.854775807s)"; do
        run dial -w "${args%%|*}" 127.0.0.1 1 </dev/null >/dev/null 2>"$T/w.err"
        expect_eq "dial -w ${args%%|*} is a usage error" "2 cnet dial: ${args#*|}" \
            "$? $(head -n 1 "$T/w.err")"
    done
    # A silent socat peer: -w 0.5 gives up with Go's i/o timeout. Both stdins stay open.
    mkfifo "$T/quiet"
    exec {quiet}<>"$T/quiet"
    start_bg silent 'listening on' timeout 10 socat -d -d TCP-LISTEN:0,bind=127.0.0.1 STDIO \
        <&"$quiet" >/dev/null
    port=$(port_of "$BG_LINE")
    run dial -w 0.5 127.0.0.1 "$port" <&"$quiet" >/dev/null 2>"$T/idle.err"
    expect_eq "dial -w 0.5 to a silent socat exits 1" 1 $?
    expect_match "dial -w 0.5 reports Go's i/o timeout" \
        "^cnet: read tcp 127\.0\.0\.1:[0-9]+->127\.0\.0\.1:$port: i/o timeout$" "$(cat "$T/idle.err")"
    stop_bg silent
    exec {quiet}<&-
}

# The Go form stays first; the netcat options do not mix with a NETWORK.
test_go_form_first() {
    local args
    local -a usage=(
        "listen -u udp 127.0.0.1:0|-u, -4, -6 and -p go with HOST PORT; NETWORK udp already says what to use"
        "listen -4 tcp 127.0.0.1:0|-u, -4, -6 and -p go with HOST PORT; NETWORK tcp already says what to use"
        "dial -6 tcp [::1]:1|-u, -4 and -6 go with HOST PORT; NETWORK tcp already says what to use"
        "listen|need NETWORK and ADDRESS, or [HOST] PORT"
        "listen tcp|need NETWORK and ADDRESS"
        "listen localhost:8080|need NETWORK and ADDRESS, or [HOST] PORT"
        "listen -p 1 127.0.0.1 2|need NETWORK and ADDRESS, or [HOST] PORT"
        "dial 127.0.0.1|need NETWORK and ADDRESS, or HOST and PORT"
        "dial -u 127.0.0.1 1 2|need NETWORK and ADDRESS, or HOST and PORT"
    )
    for args in "${usage[@]}"; do
        # shellcheck disable=SC2086 # word lists
        run ${args%%|*} </dev/null >/dev/null 2>"$T/go.err"
        expect_eq "usage error: cnet ${args%%|*}" "2 cnet ${args%%[ |]*}: ${args#*|}" "$? $(head -n 1 "$T/go.err")"
    done
    # A misspelt network with a host:port ADDRESS is Go's "unknown network", not a lookup.
    run dial tpc 127.0.0.1:1 </dev/null >/dev/null 2>"$T/go.err"
    expect_eq "dial tpc 127.0.0.1:1 is Go's unknown network" "1 cnet: dial tpc: unknown network tpc" \
        "$? $(cat "$T/go.err")"
}

# listen on a datagram network: Go's error, then which command to use.
test_wrong_command_hint() {
    run listen udp 127.0.0.1:0 </dev/null >/dev/null 2>"$T/hint.err"
    expect_eq "listen udp exits 1" 1 $?
    expect_eq "listen udp: Go's error, then the hint" \
        "cnet: listen udp 127.0.0.1:0: address 127.0.0.1:0: unexpected address type
cnet listen: udp is a datagram network: use \`cnet recv\` or \`cnet listen -u\`" "$(cat "$T/hint.err")"
    run listen unixgram "$T/ug.sock" </dev/null >/dev/null 2>"$T/hint.err"
    expect_eq "listen unixgram exits 1" 1 $?
    expect_eq "listen unixgram: the hint names recv" \
        "cnet listen: unixgram is a datagram network: use \`cnet recv\`" "$(tail -n 1 "$T/hint.err")"
}

test_sockopts_roles() {
    run sockopts --help >"$T/so.out" 2>&1
    expect_eq "sockopts --help exits 0" 0 $?
    # shellcheck disable=SC2016 # backquotes in the help text, not an expansion
    expect_match "sockopts --help explains the reuse_port role" \
        'reuse_port +only on request \(`cnet listen --reuse-port`' "$(cat "$T/so.out")"
    run sockopts nosuchrole >/dev/null 2>"$T/so.err"
    expect_eq "sockopts nosuchrole exits 2" 2 $?
    expect_eq "sockopts lists each role once" \
        'cnet sockopts: unknown role "nosuchrole"; the roles are: socket listener multicast multicast-join conn reuse_port' \
        "$(head -n 1 "$T/so.err")"
}

# complete_words LINE: what the completion offers for LINE (the cursor at its end).
complete_words() {
    bash -c '
        source "$1" || exit 1
        read -ra COMP_WORDS <<<"$2"
        [[ $2 == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE=$2
        COMP_POINT=${#COMP_LINE}
        _cnet cnet "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "' bash "$COMPLETION" "$1"
}

test_completion() {
    local cmd words
    if [ ! -r "$COMPLETION" ]; then
        fail "the completion file $COMPLETION is readable"
        return
    fi
    bash -c 'source "$1" && complete -p cnet' bash "$COMPLETION" >"$T/complete.out" 2>&1
    expect_eq "the completion registers _cnet for cnet" "complete -F _cnet cnet" "$(cat "$T/complete.out")"
    words=$(complete_words "cnet ")
    # Every command the tool lists is offered.
    for cmd in $(run help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
        expect_match "completion offers the command $cmd" "(^| )$cmd( |$)" "$words"
    done
    expect_match "completion offers help" '(^| )help( |$)' "$words"
    expect_eq "completion of cnet li" "listen" "$(complete_words "cnet li")"
    expect_eq "completion of cnet help d" "demo dial" "$(complete_words "cnet help d")"
    expect_eq "completion of listen's networks" "tcp tcp4 tcp6 unix unixpacket" \
        "$(complete_words "cnet listen ")"
    expect_eq "completion of recv's networks" "udp udp4 udp6 unixgram" "$(complete_words "cnet recv ")"
    expect_eq "completion of dial's udp networks" "udp udp4 udp6" "$(complete_words "cnet dial ud")"
    expect_eq "completion of listen's flags" "--backlog --help --idle-timeout --reuse-port -4 -6 -k -p -u -v" \
        "$(complete_words "cnet listen -")"
    expect_match "completion of dial's flags" '(^| )-w( |$)' "$(complete_words "cnet dial -")"
    expect_eq "completion of sockopts --os" "darwin dragonfly freebsd linux netbsd openbsd" \
        "$(complete_words "cnet sockopts --os ")"
    expect_eq "completion of sockopts roles" "multicast multicast-join" \
        "$(complete_words "cnet sockopts mu")"
    expect_eq "completion of a duration value offers nothing" "" "$(complete_words "cnet dial -w ")"
    expect_match "completion of ifaces offers lo" '(^| )lo( |$)' "$(complete_words "cnet ifaces ")"
}

# The manual page has a section for every command the tool lists, and a term in it for
# every option of the command's usage lines (*-x* or *--long* starting a line).
test_manual_page() {
    local cmd section opt usage
    if [ ! -r "$MANPAGE" ]; then
        fail "the manual page $MANPAGE is readable"
        return
    fi
    for cmd in $(run help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
        section=$(sed -n "/^## $cmd\$/,/^#/p" "$MANPAGE")
        if [ -z "$section" ]; then
            fail "cnet.1 has a section for $cmd"
            continue
        fi
        pass "cnet.1 has a section for $cmd"
        usage=$(run "$cmd" --help | sed -n '1,/^$/p')
        # Each option once: "[-kv]" and "[-kuv46]" are -k, -v, -u, -4 and -6.
        # shellcheck disable=SC2013 # the options are words
        for opt in $(grep -o '\[-[-a-z0-9]*' <<<"$usage" | sed -e 's/^\[//' \
            -e '/^--/!{s/^-//;s/./-&\n/g;s/\n$//}' | sort -u); do
            # A term of the option list: first on its line, or after another's ", ".
            expect_match "cnet.1 documents $cmd $opt" $'(^|\n|, )\\*'"$opt"$'\\*([ ,\n]|$)' "$section"
        done
    done
    for opt in -V --version --help; do
        expect_match "cnet.1 documents $opt" "\\*$opt\\*" "$(cat "$MANPAGE")"
    done
}

test_help_and_version
test_manual_page
test_listen_host_port
test_listen_family
test_listen_every_address
test_dial_host_port
test_udp
test_verbose
test_timeout_seconds
test_go_form_first
test_wrong_command_hint
test_sockopts_roles
test_completion

echo "1..$TESTS"
[ "$FAILURES" -eq 0 ]
