#!/usr/bin/env bash
# Builds examples/ against the cnet installed in PREFIX (CMake's find_package, as a
# downstream project would) and runs each example briefly on loopback:
#   echo_group      two workers on one port: lines come back, both workers serve, and a
#                   plain listener cannot join the port
#   mcast_recv      refuses to run without an interface; receives a datagram sent to
#                   a group on lo (cnet mcast -i lo -s)
#   restart_server  answers, restarts on SIGHUP (new pid, same port), answers again,
#                   and every process exits 0
#   echo_tasks      20 connections open at once each echo their own line, 1 MiB of
#                   random bytes comes back unchanged (cnet dial, cmp), the server exits
#                   0 after its MAX_CONNS; on SIGTERM it refuses new connections, still
#                   serves the open one, and exits 0 once that one closes
#   echo_percore    two listeners in one process on one port: 40 lines come back, both
#                   listeners serve, a plain listener cannot join, exit 0 after 40
# Usage: test/examples_check.sh PREFIX      (PREFIX as given to cmake --install)
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
prefix=$(cd "${1:?usage: examples_check.sh PREFIX}" && pwd)
work=$(mktemp -d /tmp/cnet-examples.XXXXXX)
started=()
cleanup() {
    for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "examples_check: FAIL: $*" >&2; exit 1; }
step() { echo "examples_check: $*"; }

step "build examples against $prefix"
cmake -S "$src/examples" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" >"$work/build.log" 2>&1 &&
    cmake --build "$work/build" >>"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "build"; }
bin=$work/build
cnet=$prefix/bin/cnet

# start NAME CMD...: runs CMD in the background with stdout on fd 3 of this shell (a
# fifo, so that lines are read as they come, never polled), stderr in $work/NAME.err.
start() {
    local name=$1
    shift
    mkfifo "$work/$name.out"
    "$@" >"$work/$name.out" 2>"$work/$name.err" &
    started+=($!)
    exec 3<"$work/$name.out"
}
next_line() { read -r -t 10 -u 3 line || fail "no output (stderr: $(cat "$work"/*.err))"; }

# The servers below run under timeout(1), so waiting for them is bounded (-k: they
# take SIGTERM themselves, with sigwait, so a stuck one needs SIGKILL); a SIGTERM sent
# to timeout reaches the server. wait_exit PID: sets $rc to the server's status.
wait_exit() {
    rc=0
    wait "$1" || rc=$?
    [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || fail "pid $1 was still running after 30 s"
}

# exchange PORT TEXT: sends one line over TCP to 127.0.0.1:PORT; sets $reply.
exchange() {
    exec 4<>"/dev/tcp/127.0.0.1/$1"
    printf '%s\n' "$2" >&4
    read -r -t 10 -u 4 reply || fail "no reply from port $1"
    exec 4>&-
}

# ---- echo_group ------------------------------------------------------------------------
step "echo_group"
start echo_group "$bin/echo_group" 127.0.0.1:0 2
next_line
[[ $line =~ ^listening\ on\ 127\.0\.0\.1:([0-9]+)\ \(2\ workers\)$ ]] || fail "echo_group said: $line"
port=${BASH_REMATCH[1]}
for i in $(seq 40); do
    exchange "$port" "hello $i"
    [ "$reply" = "hello $i" ] || fail "echo_group answered '$reply' to 'hello $i'"
done
workers=$(sed -n 's/^worker \([0-9]*\): connection from .*/\1/p' "$work/echo_group.err" | sort -u | wc -l)
[ "$workers" -eq 2 ] || fail "40 connections reached $workers worker(s), not 2"
out=$(timeout 10 "$cnet" listen tcp "127.0.0.1:$port" </dev/null 2>&1) &&
    fail "a plain listener joined the group"
[[ $out == *"listen tcp 127.0.0.1:$port: bind: address already in use"* ]] ||
    fail "plain listener: $out"
kill -TERM "${started[-1]}"
wait "${started[-1]}" || fail "echo_group exited with $?"
exec 3<&-

# ---- mcast_recv ------------------------------------------------------------------------
step "mcast_recv"
rc=0
"$bin/mcast_recv" 239.255.74.1:0 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "mcast_recv without an interface exited $rc, not 2 (usage)"
start mcast_recv "$bin/mcast_recv" lo 239.255.74.1:0 1
next_line
[[ $line =~ ^listening\ on\ 0\.0\.0\.0:([0-9]+)\ \(group\ 239\.255\.74\.1:0\ on\ lo\)$ ]] ||
    fail "mcast_recv said: $line"
timeout 10 "$cnet" mcast -i lo -s "hello group" udp4 "239.255.74.1:${BASH_REMATCH[1]}" 2>/dev/null ||
    fail "cnet mcast -s failed"
next_line
[[ $line =~ ^from\ [0-9.]+:[0-9]+:\ hello\ group$ ]] || fail "mcast_recv printed: $line"
wait "${started[-1]}" || fail "mcast_recv exited with $?"
exec 3<&-

# ---- restart_server --------------------------------------------------------------------
step "restart_server"
start restart_server "$bin/restart_server" 127.0.0.1:0
next_line
[[ $line =~ ^([0-9]+):\ listening\ on\ 127\.0\.0\.1:([0-9]+)$ ]] || fail "restart_server said: $line"
old=${BASH_REMATCH[1]} port=${BASH_REMATCH[2]}
exchange "$port" before
[ "$reply" = "$old: before" ] || fail "restart_server answered '$reply'"
kill -HUP "$old"
next_line
[[ $line =~ ^([0-9]+):\ listening\ on\ 127\.0\.0\.1:$port$ ]] || fail "after SIGHUP: $line"
new=${BASH_REMATCH[1]}
started+=("$new")
[ "$new" != "$old" ] || fail "SIGHUP did not start a new process"
wait "$old" || fail "the old restart_server exited with $?"
exchange "$port" after
[ "$reply" = "$new: after" ] || fail "restart_server answered '$reply' after the restart"
kill -TERM "$new"
# Not our child (its parent was the old server): wait for it to go, bounded.
timeout 10 tail --pid="$new" -f /dev/null || fail "the new restart_server did not exit"
grep -q "restart_server $new: done" "$work/restart_server.err" ||
    fail "the new restart_server did not finish cleanly: $(cat "$work/restart_server.err")"
exec 3<&-

# ---- echo_tasks -------------------------------------------------------------------------
step "echo_tasks"
start echo_tasks timeout -k 5 30 "$bin/echo_tasks" 127.0.0.1:0 22
next_line
[[ $line =~ ^listening\ on\ 127\.0\.0\.1:([0-9]+)$ ]] || fail "echo_tasks said: $line"
port=${BASH_REMATCH[1]}
# 20 at once: every connection has its own task, all blocked in read at the same time.
fds=()
for i in $(seq 20); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$port"
    fds+=("$fd")
done
for i in "${!fds[@]}"; do printf 'line %d\n' "$i" >&"${fds[i]}"; done
for ((i = ${#fds[@]} - 1; i >= 0; i--)); do
    read -r -t 10 -u "${fds[i]}" reply || fail "echo_tasks: no reply on connection $i"
    [ "$reply" = "line $i" ] || fail "echo_tasks answered '$reply' to 'line $i'"
done
for fd in "${fds[@]}"; do exec {fd}>&-; done
head -c 1048576 /dev/urandom >"$work/payload"
for i in 1 2; do
    timeout 10 "$cnet" dial tcp "127.0.0.1:$port" <"$work/payload" >"$work/echoed" ||
        fail "cnet dial to echo_tasks failed"
    cmp -s "$work/payload" "$work/echoed" || fail "echo_tasks changed the bytes of 1 MiB"
done
wait_exit "${started[-1]}"
[ "$rc" -eq 0 ] || fail "echo_tasks exited with $rc after its 22 connections"
next_line
[ "$line" = "served 22 connections" ] || fail "echo_tasks ended with: $line"
exec 3<&-

step "echo_tasks: shutdown on SIGTERM"
start echo_tasks_term timeout -k 5 30 "$bin/echo_tasks" 127.0.0.1:0
next_line
[[ $line =~ ^listening\ on\ 127\.0\.0\.1:([0-9]+)$ ]] || fail "echo_tasks said: $line"
port=${BASH_REMATCH[1]}
exec 4<>"/dev/tcp/127.0.0.1/$port"
printf 'before\n' >&4
read -r -t 10 -u 4 reply && [ "$reply" = before ] || fail "echo_tasks: no echo before SIGTERM"
kill -TERM "${started[-1]}"
for i in $(seq 50); do # the listener closes soon after the signal (bounded: 5 s)
    (exec 5<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
    sleep 0.1
done
(exec 5<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && fail "echo_tasks still accepts after SIGTERM"
printf 'after\n' >&4 # the open connection is served until it ends (or its grace does)
read -r -t 10 -u 4 reply && [ "$reply" = after ] || fail "echo_tasks: open connection not served after SIGTERM"
exec 4>&-
wait_exit "${started[-1]}"
[ "$rc" -eq 0 ] || fail "echo_tasks exited with $rc on SIGTERM"
next_line
# The probes above may have been served too, if they came before the listener closed.
[[ $line =~ ^served\ [0-9]+\ connections$ ]] || fail "echo_tasks ended with: $line"
exec 3<&-

# ---- echo_percore ----------------------------------------------------------------------
step "echo_percore"
start echo_percore timeout -k 5 30 "$bin/echo_percore" 127.0.0.1:0 2 40
next_line
[[ $line =~ ^listening\ on\ 127\.0\.0\.1:([0-9]+)\ \(2\ listeners\)$ ]] ||
    fail "echo_percore said: $line"
port=${BASH_REMATCH[1]}
out=$(timeout 10 "$cnet" listen tcp "127.0.0.1:$port" </dev/null 2>&1) &&
    fail "a plain listener joined echo_percore's group"
[[ $out == *"bind: address already in use"* ]] || fail "plain listener: $out"
for i in $(seq 40); do
    exchange "$port" "hello $i"
    [ "$reply" = "hello $i" ] || fail "echo_percore answered '$reply' to 'hello $i'"
done
wait_exit "${started[-1]}"
[ "$rc" -eq 0 ] || fail "echo_percore exited with $rc after its 40 connections"
next_line
[ "$line" = "served 40 connections" ] || fail "echo_percore ended with: $line"
listeners=$(sed -n 's/^listener \([0-9]*\): connection from .*/\1/p' "$work/echo_percore.err" |
    sort -u | wc -l)
[ "$listeners" -eq 2 ] || fail "40 connections reached $listeners listener(s), not 2"
exec 3<&-

step "ok"
