# The scale workload and the task micro-benchmarks of issue 10 (sourced by run.sh; uses
# its variables and helpers): builds, runs, medians and the report's sections.
#
# Scale: N connections, one 64-byte echo request in flight on each (bench/scale.c). The
# server runs on CPU 0 and the load generator on CPU 1: with N requests in flight both
# sides batch their wake-ups, so the cross-CPU interrupts that made the one-connection
# workloads share a core cost little here, and the server gets a whole CPU of its own.
# The servers that could use more threads are held to one, so all five are compared on
# one CPU: cnet's runtime with threads = 1, Go with GOMAXPROCS=1. The thread-per-
# connection server runs all its threads on that CPU too (taskset).

read -r -a SCALE_NS <<<"${SCALE_NS:-100 1000 10000 19000}"
SCALE_RUNS=${SCALE_RUNS:-5}
# N = 19,000 takes twice as long as the rest together (19,000 connects, each slower as
# the ephemeral ports fill up): fewer rounds, to keep make bench under 8 minutes.
SCALE_BIG_N=10000 SCALE_BIG_RUNS=${SCALE_BIG_RUNS:-3}
SCALE_SECONDS=${SCALE_SECONDS:-1}
SCALE_SERVERS=(tasks threads go uv floor)
# One scale run may take a few seconds (19,000 connects); a hung server must not hang
# the benchmark.
SCALE_TIMEOUT=120
MICRO_RUNS=${MICRO_RUNS:-7}
SWITCH_N=${SWITCH_N:-1000000}
SPAWN_N=${SPAWN_N:-200000}

NAME_tasks="cnet tasks" NAME_threads="cnet threads"

SCALE_PIN_CLIENT=() SCALE_PIN_SERVER=()
if [[ $(nproc) -ge 2 ]]; then
    SCALE_PIN_CLIENT=(taskset -c 1) SCALE_PIN_SERVER=(taskset -c 0)
fi

# The runtime (cnet_run) may not be in the library being measured yet.
have_runtime() {
    # grep reads all of nm's output (no -q): under pipefail an early exit fails nm.
    nm -g --defined-only "$BUILD/cnet/libcnet.a" 2>/dev/null | grep -w 'T cnet_run' >/dev/null
}

build_scale() {
    local go_env=(env GOPROXY=off GO111MODULE=off GOPATH="$BUILD/gopath" GOCACHE="$BUILD/gocache")
    gcc "${CFLAGS[@]}" -o "$BUILD/scale" "$BENCH/scale.c"
    (cd "$BENCH/micro_go" && "${go_env[@]}" go build -o "$BUILD/micro_go" main.go)
    if ! have_runtime; then
        log "bench: libcnet.a has no cnet_run (the task runtime): no cnet tasks server, no task micro-benchmarks"
        SCALE_SERVERS=(threads go uv floor)
        return
    fi
    local c
    for c in srv_tasks micro_tasks; do
        gcc "${CFLAGS[@]}" -I"$ROOT/include" -o "$BUILD/$c" "$BENCH/$c.c" \
            "$BUILD/cnet/libcnet.a" -pthread
    done
}

scale_cmd() {
    case $1 in
    tasks) echo "$BUILD/srv_tasks 1" ;;
    threads) echo "$BUILD/srv_cnet threads" ;;
    go) echo "env GOMAXPROCS=1 $BUILD/srv_go echo" ;;
    uv) echo "$BUILD/srv_uv echo" ;;
    floor) echo "$BUILD/srv_floor echo" ;;
    # ---- io_uring floor (issue 10, item 4) ----
    uring) echo "$BUILD/srv_uring echo" ;;
    uring1) echo "$BUILD/srv_uring -1 echo" ;;
    uring1w) echo "$BUILD/srv_uring -1 -w echo" ;;
    esac
}

# One run: N server round -> a line of scale_raw.tsv:
#   N server round ok rate cpu-us/rt p50-us p99-us rss-KiB/conn fds/conn fds-beyond-one threads
#   N server round error WHAT (the server's own first complaint, if it made one)
scale_once() {
    local n=$1 s=$2 r=$3 err=$TMP/scale-$1-$2.err out cmd why
    read -r -a cmd <<<"$(scale_cmd "$s")"
    out=$(timeout -k 5 "$SCALE_TIMEOUT" "${SCALE_PIN_CLIENT[@]}" "$BUILD/scale" "$n" \
        "$SCALE_SECONDS" -- "${SCALE_PIN_SERVER[@]}" "${cmd[@]}" 2>"$err") || true
    if [[ $out =~ ^[0-9.]+( -?[0-9.]+){7}$ ]]; then
        printf '%s\t%s\t%s\tok\t%s\n' "$n" "$s" "$r" "${out// /$'\t'}"
        return
    fi
    why=${out#error }
    [[ -n $why ]] || why="no result within $SCALE_TIMEOUT s"
    [[ -s $err ]] && why="$why (server: $(head -1 "$err"))"
    printf '%s\t%s\t%s\terror\t%s\n' "$n" "$s" "$r" "$why"
}

measure_scale() {
    local r n i s k=${#SCALE_SERVERS[@]}
    ulimit -n "$(ulimit -Hn)" # N connections need N descriptors and a few
    : >"$TMP/scale_raw.tsv"
    for ((r = 0; r < SCALE_RUNS; r++)); do
        for n in "${SCALE_NS[@]}"; do
            ((n <= SCALE_BIG_N || r < SCALE_BIG_RUNS)) || continue
            log "bench: scale round $((r + 1))/$SCALE_RUNS, $n connections"
            for ((i = 0; i < k; i++)); do
                s=${SCALE_SERVERS[(i + r) % k]}
                uring_skips "$n" "$s" && continue # ---- io_uring floor (issue 10, item 4) ----
                scale_once "$n" "$s" "$r" >>"$TMP/scale_raw.tsv"
            done
        done
    done
}

# The micro-benchmarks: a switch, a spawn one at a time (the stack comes back for the
# next task), a spawn in bursts of 1000 (1000 tasks alive at once).
MICRO_KINDS=(switch spawn1 spawn1000)

micro_args() {
    case $1 in
    switch) echo "switch $SWITCH_N" ;;
    spawn1) echo "spawn $SPAWN_N 1" ;;
    spawn1000) echo "spawn $SPAWN_N 1000" ;;
    esac
}

# micro_raw.tsv: kind impl round ns-per-op (cnet and Go alternate, the order rotates)
micro_once() {
    local args
    read -r -a args <<<"$(micro_args "$1")"
    if [[ $2 == cnet ]]; then
        timeout 60 "${PIN_CLIENT[@]}" "$BUILD/micro_tasks" "${args[@]}"
    else
        GOMAXPROCS=1 timeout 60 "${PIN_CLIENT[@]}" "$BUILD/micro_go" "${args[@]}"
    fi
}

measure_micro() {
    local r kind impl impls=(cnet go)
    : >"$TMP/micro_raw.tsv"
    have_runtime || return 0
    log "bench: task micro-benchmarks ($MICRO_RUNS rounds)"
    for ((r = 0; r < MICRO_RUNS; r++)); do
        for kind in "${MICRO_KINDS[@]}"; do
            for impl in "${impls[@]:r%2}" "${impls[@]:0:r%2}"; do
                printf '%s\t%s\t%d\t%s\n' "$kind" "$impl" "$r" \
                    "$(micro_once "$kind" "$impl" || echo NaN)" >>"$TMP/micro_raw.tsv"
            done
        done
    done
}

smoke_scale() {
    local n s kind
    for n in 100 1000; do
        for s in "${SCALE_SERVERS[@]}"; do
            printf 'scale %s\t%s\t%s\n' "$n" "$s" "$(scale_once "$n" "$s" 0 | cut -f4-)"
        done
    done
    if have_runtime; then
        for kind in "${MICRO_KINDS[@]}"; do
            printf '%s ns: cnet %s, Go %s\n' "$kind" "$(micro_once "$kind" cnet)" \
                "$(micro_once "$kind" go)"
        done
    fi
}

# ---- System calls per round trip, profiles -------------------------------------------

# strace -f -c of the server in two runs of N = SCALE_COUNT_N connections that differ
# only by their round trips (scale -c K): the difference over K2 - K1 round trips, so
# the setup (N accepts, threads or tasks) cancels out.
SCALE_COUNT_N=1000 SCALE_COUNT_K1=3000 SCALE_COUNT_K2=9000

scale_strace_run() { # server round-trips summary-file
    local cmd
    read -r -a cmd <<<"$(scale_cmd "$1")"
    timeout -k 5 "$SCALE_TIMEOUT" "${SCALE_PIN_CLIENT[@]}" "$BUILD/scale" "$SCALE_COUNT_N" \
        -c "$2" -- "${SCALE_PIN_SERVER[@]}" strace -f -c -U name,calls,errors -o "$3" \
        "${cmd[@]}" >/dev/null 2>&1
}

scale_count_all() {
    local s a b
    : >"$TMP/scale_counts.tsv"
    for s in "${SCALE_SERVERS[@]}"; do
        log "bench: strace scale $s"
        a=$TMP/st-scale-$s-1.txt b=$TMP/st-scale-$s-2.txt
        if scale_strace_run "$s" "$SCALE_COUNT_K1" "$a" &&
            scale_strace_run "$s" "$SCALE_COUNT_K2" "$b"; then
            strace_diff "round trip" "$s" $((SCALE_COUNT_K2 - SCALE_COUNT_K1)) "$a" "$b" \
                >>"$TMP/scale_counts.tsv"
        else
            printf 'round trip\t%s\t-\t-\t-\t(the traced run failed)\t\n' "$s" >>"$TMP/scale_counts.tsv"
        fi
    done
}

scale_counts_table() {
    echo "| server | calls/round trip | work | work calls | waiting and failed calls |"
    echo "|---|---:|---:|---|---|"
    while IFS=$'\t' read -r _ s total _ work calls other; do
        echo "| $(server_name "$s") | $total | $work | $calls | $other |"
    done <"$TMP/scale_counts.tsv"
}

# perf record of one server over the measured seconds of a scale run of N = 10,000.
scale_profile() {
    local data=$TMP/perf-scale-$1.data cmd
    read -r -a cmd <<<"$(scale_cmd "$1")"
    rm -f "$data"
    SCALE_PERF=$data timeout -k 5 "$SCALE_TIMEOUT" "${SCALE_PIN_CLIENT[@]}" "$BUILD/scale" \
        10000 "$SCALE_SECONDS" -- "${SCALE_PIN_SERVER[@]}" "${cmd[@]}" >/dev/null 2>&1 || true
    perf_summary "$data"
}

scale_profiles() {
    local s
    if ! command -v perf >/dev/null || ! perf record -q -o /dev/null true 2>/dev/null; then
        echo "(perf is not usable here: no profile)"
        return
    fi
    for s in tasks go floor; do
        log "bench: profiling scale $s"
        echo "perf record of $(server_name "$s") at N = 10,000, the measured second only, flat:"
        echo
        echo '```'
        scale_profile "$s"
        echo '```'
        echo
    done
}

# ---- Medians and ratios -------------------------------------------------------------

AWK_MEDIAN='
function median(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
        if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}'

# scale_median.tsv: N server runs-ok runs-failed rate cpu p50 p99 rss fds/conn
#                   fds-beyond-one threads first-error (medians of the runs that
#                   succeeded; "-" if none did)
scale_medians() {
    local n s
    for n in "${SCALE_NS[@]}"; do
        for s in "${SCALE_SERVERS[@]}"; do
            awk -F'\t' -v n="$n" -v s="$s" "$AWK_MEDIAN"'
                $1 == n && $2 == s && $4 == "ok" { k++; for (c = 5; c <= 12; c++) v[c, k] = $c }
                $1 == n && $2 == s && $4 == "error" { e++; if (why == "") why = $5 }
                END {
                    printf "%s\t%s\t%d\t%d", n, s, k, e
                    for (c = 5; c <= 12; c++) {
                        for (i = 1; i <= k; i++) col[i] = v[c, i]
                        printf "\t%s", k ? median(col, k) : "-"
                    }
                    printf "\t%s\n", why == "" ? "-" : why
                }' "$TMP/scale_raw.tsv"
        done
    done >"$TMP/scale_median.tsv"
}

# scale_of N server column (5 rate ... 12 threads, 3 ok, 4 failed, 13 error)
scale_of() {
    awk -F'\t' -v n="$1" -v s="$2" -v c="$3" '$1 == n && $2 == s { print $c }' \
        "$TMP/scale_median.tsv"
}

# Paired: the median over rounds of a's figure / b's figure in the same round (both
# runs succeeded). "-" when no round has both.
scale_ratio() {
    awk -F'\t' -v n="$1" -v a="$2" -v b="$3" -v c="$4" "$AWK_MEDIAN"'
        $1 == n && $4 == "ok" && $2 == a { x[$3] = $c }
        $1 == n && $4 == "ok" && $2 == b { y[$3] = $c }
        END {
            for (r in x) if (r in y && y[r] > 0) v[++k] = x[r] / y[r]
            if (k == 0) print "-"; else printf "%.3f\n", median(v, k)
        }' "$TMP/scale_raw.tsv"
}

micro_of() { # kind impl -> median ns
    awk -F'\t' -v k="$1" -v i="$2" "$AWK_MEDIAN"'
        $1 == k && $2 == i && $4 != "NaN" { v[++n] = $4 }
        END { if (n == 0) print "-"; else printf "%.1f\n", median(v, n) }' "$TMP/micro_raw.tsv"
}

micro_ratio() { # kind -> median over rounds of cnet / Go
    awk -F'\t' -v k="$1" "$AWK_MEDIAN"'
        $1 == k && $2 == "cnet" && $4 != "NaN" { x[$3] = $4 }
        $1 == k && $2 == "go" && $4 != "NaN" { y[$3] = $4 }
        END {
            for (r in x) if (r in y) v[++n] = x[r] / y[r]
            if (n == 0) print "-"; else printf "%.3f\n", median(v, n)
        }' "$TMP/micro_raw.tsv"
}

# ---- Report sections ----------------------------------------------------------------

# bound_verdict VALUE <=|>= BOUND -> "met", "**missed** ..." or "not measured"
bound_verdict() {
    awk -v v="$1" -v op="$2" -v b="$3" 'BEGIN {
        if (v == "-" || v == "") { print "not measured"; exit }
        ok = op == "<=" ? v + 0 <= b + 0 : v + 0 >= b + 0
        if (ok) print "met"; else printf "**missed** (%.3f, bound %s %s)\n", v, op, b }'
}

scale_figures_table() {
    local n s
    echo "| connections | server | round trips/s | server CPU µs/round trip | p50 ms | p99 ms | idle RSS KiB/conn | descriptors/conn | threads | failed runs |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"
    for n in "${SCALE_NS[@]}"; do
        for s in "${SCALE_SERVERS[@]}"; do
            uring_skips "$n" "$s" && continue # ---- io_uring floor (issue 10, item 4) ----
            awk -F'\t' -v n="$n" -v s="$s" -v name="$(server_name "$s")" '
                $1 == n && $2 == s {
                    if ($3 == 0) {
                        printf "| %s | %s | - | - | - | - | - | - | - | %d of %d: %s |\n", n, name, $4, $4, $13
                        exit
                    }
                    fds = $11 == 0 ? "1" : sprintf("%.3f (%+d)", $10, $11)
                    printf "| %s | %s | %.0f | %.2f | %.2f | %.2f | %.2f | %s | %d | %s |\n",
                        n, name, $5, $6, $7 / 1000, $8 / 1000, $9, fds, $12,
                        $4 ? sprintf("%d of %d: %s", $4, $3 + $4, $13) : "0"
                }' "$TMP/scale_median.tsv"
        done
    done
}

scale_ratios_table() {
    local n
    echo "| connections | rate tasks/Go | CPU/rt tasks/Go | p99 tasks/Go | RSS/conn tasks/Go | rate tasks/floor | CPU/rt tasks/floor | rate threads/Go | CPU/rt threads/Go | p99 threads/Go | rate libuv/floor | CPU/rt libuv/floor |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for n in "${SCALE_NS[@]}"; do
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" \
            "$(scale_ratio "$n" tasks go 5)" "$(scale_ratio "$n" tasks go 6)" \
            "$(scale_ratio "$n" tasks go 8)" "$(scale_ratio "$n" tasks go 9)" \
            "$(scale_ratio "$n" tasks floor 5)" "$(scale_ratio "$n" tasks floor 6)" \
            "$(scale_ratio "$n" threads go 5)" "$(scale_ratio "$n" threads go 6)" \
            "$(scale_ratio "$n" threads go 8)" \
            "$(scale_ratio "$n" uv floor 5)" "$(scale_ratio "$n" uv floor 6)"
    done
}

# Descriptors: exactly one per connection in every successful run at N = 10,000 (a
# median is not enough: one run with a descriptor too many must show).
scale_fds_verdict() {
    awk -F'\t' '$1 == 10000 && $2 == "tasks" && $4 == "ok" { k++; if ($11 != 0) bad = bad " " $11 }
        END { if (!k) print "-\tnot measured"
              else if (bad == "") printf "1 in %d of %d runs\tmet\n", k, k
              else printf "descriptors beyond one per connection:%s\t**missed**\n", bad }' \
        "$TMP/scale_raw.tsv"
}

scale_targets_table() {
    local r fds
    echo "| target at N = 10,000 | measured (paired median) | verdict |"
    echo "|---|---:|---|"
    r=$(scale_ratio 10000 tasks go 6)
    echo "| server CPU per round trip <= 0.9 x Go's | $r x | $(bound_verdict "$r" '<=' 0.9) |"
    r=$(scale_ratio 10000 tasks floor 6)
    echo "| server CPU per round trip <= 1.15 x the floor's | $r x | $(bound_verdict "$r" '<=' 1.15) |"
    r=$(scale_ratio 10000 tasks go 5)
    echo "| round trips/s >= 1.1 x Go's | $r x | $(bound_verdict "$r" '>=' 1.1) |"
    r=$(scale_ratio 10000 tasks go 8)
    echo "| p99 latency <= Go's | $r x | $(bound_verdict "$r" '<=' 1.0) |"
    r=$(scale_ratio 10000 tasks go 9)
    echo "| idle RSS per connection <= 1.5 x Go's | $r x | $(bound_verdict "$r" '<=' 1.5) |"
    fds=$(scale_fds_verdict)
    echo "| exactly one descriptor per connection | ${fds%%$'\t'*} | ${fds#*$'\t'} |"
    local ok failed why
    ok=$(scale_of 19000 tasks 3) failed=$(scale_of 19000 tasks 4) why=$(scale_of 19000 tasks 13)
    if [[ -z $ok ]]; then
        echo "| no error at N = 19,000 | - | not measured |"
    elif [[ $failed == 0 ]]; then
        echo "| no error at N = 19,000 | $ok of $ok runs without error | met |"
    else
        echo "| no error at N = 19,000 | $failed of $((ok + failed)) runs failed: $why | **missed** |"
    fi
}

server_name() { local v="NAME_$1"; echo "${!v}"; }

scale_section() {
    echo "## Many connections (issue 10)"
    echo
    if ! have_runtime; then
        echo "The library has no task runtime yet (no cnet_run in libcnet.a): the cnet tasks"
        echo "server is missing below."
        echo
    fi
    echo "N connections, each with one 64-byte echo request in flight (a closed loop: each"
    echo "reply is answered by the next request), from a load generator in its own process"
    echo "(bench/scale.c: plain system calls, one epoll loop). The server runs pinned to"
    echo "CPU 0, the load generator to CPU 1; the servers that could use more threads are"
    echo "held to one CPU's worth: cnet's runtime with threads = 1, Go with GOMAXPROCS=1."
    echo "\"cnet tasks\" is bench/srv_tasks.c (cnet_run, an accept loop task starting a task"
    echo "per connection, blocking calls); \"cnet threads\" is srv_cnet's thread per"
    echo "connection (default pthread attributes); Go a goroutine per connection; libuv one"
    echo "loop; the floor one epoll loop. Each run: connect N, 256 at a time, each"
    echo "connection echoing once before the next batch connects. Idle RSS and descriptors"
    echo "per connection: the server's VmRSS and /proc/PID/fd count with N idle connections"
    echo "less the same with one (so one-time costs of a first connection stay out), over"
    echo "N - 1; threads: /proc/PID/status Threads with N idle connections. Then 0.3 s of"
    echo "load unmeasured and $SCALE_SECONDS s measured."
    echo "Server CPU is its process CPU clock (every thread) over the measured second."
    echo "Latency: request written to reply read, every round trip of the measured"
    echo "second. $SCALE_RUNS rounds ($SCALE_BIG_RUNS above $SCALE_BIG_N connections); the servers"
    echo "alternate in each round (the order rotates); figures are medians, ratios paired"
    echo "medians (a / b within a round). The machine is shared: other processes may run on"
    echo "either CPU, which shows most in p99."
    echo "A closed loop's latency is N / rate (Little's law): p50 follows the rate, p99"
    echo "shows the unfairness."
    echo
    scale_figures_table
    echo
    echo "Ratios (a / b; for CPU and latency lower is better):"
    echo
    scale_ratios_table
    echo
    # ---- io_uring floor (issue 10, item 4) ----
    uring_section
    echo "### Targets (issue 10)"
    echo
    scale_targets_table
    echo
    echo "### System calls per round trip at N = $SCALE_COUNT_N"
    echo
    echo "strace -f -c of the server, (calls in a run of $SCALE_COUNT_K2 round trips - calls in"
    echo "a run of $SCALE_COUNT_K1) / $((SCALE_COUNT_K2 - SCALE_COUNT_K1)), both after the same setup; work and waits as above."
    echo "Under strace every call is slow, so the waits (how often a server finds nothing"
    echo "to do) are not those of the timed runs; the work calls are."
    echo
    scale_counts_table
    echo
    # Not "| grep -q": under pipefail grep's early exit can fail the writer.
    if [[ $(scale_targets_table) == *missed* ]]; then
        echo "### Missed targets: profiles"
        echo
        scale_profiles
    fi
}

micro_section() {
    echo "## Tasks against goroutines: context switch and spawn (issue 10)"
    echo
    if ! have_runtime; then
        echo "Not measured: the library has no task runtime yet."
        echo
        return
    fi
    echo "One scheduler thread (cnet_run threads = 1, GOMAXPROCS=1), pinned to one CPU;"
    echo "$MICRO_RUNS rounds, cnet and Go alternating; medians, the ratio a paired median."
    echo
    echo "| benchmark | cnet tasks ns | Go ns | cnet / Go |"
    echo "|---|---:|---:|---:|"
    echo "| context switch: two tasks yielding to each other ($SWITCH_N yields each; cnet_yield, runtime.Gosched) | $(micro_of switch cnet) | $(micro_of switch go) | $(micro_ratio switch) |"
    echo "| spawn and completion, one at a time: cnet_go / go func of a task that signals a waitgroup, then the wait ($SPAWN_N) | $(micro_of spawn1 cnet) | $(micro_of spawn1 go) | $(micro_ratio spawn1) |"
    echo "| spawn and completion, 1000 at a time (1000 tasks alive at once; $SPAWN_N in all) | $(micro_of spawn1000 cnet) | $(micro_of spawn1000 go) | $(micro_ratio spawn1000) |"
    echo
}

# The chart's second row: rate and work per CPU second against the floor, by N.
scale_plot_data() {
    local n s
    {
        printf 'N'
        for s in tasks threads go uv; do printf ' "%s"' "$(server_name "$s")"; done
        for s in tasks threads go uv; do printf ' "%s"' "$(server_name "$s")"; done
        echo
        for n in "${SCALE_NS[@]}"; do
            printf '%s' "$n"
            for s in tasks threads go uv; do printf ' %s' "$(scale_ratio "$n" "$s" floor 5)"; done
            for s in tasks threads go uv; do printf ' %s' "$(scale_ratio "$n" floor "$s" 6)"; done
            echo
        done
    } | awk '{ for (i = 2; i <= NF; i++) if ($i == "-") $i = "NaN" } 1' >"$1"
}

# ---- io_uring floor (issue 10, item 4) -----------------------------------------------
# bench/srv_uring.c: the epoll floor's echo server done through io_uring (plain liburing),
# to decide whether cnet should have an io_uring backend. "uring" is multishot accept and
# receive with provided buffers; "uring1" one receive SQE per request, as a backend
# behind blocking calls would do it; "uring1w" the same with each reply written at once
# by send(2), as such a backend would write when the socket buffer has room.

NAME_uring="io_uring floor (multishot)" NAME_uring1="io_uring floor (one-shot)"
NAME_uring1w="io_uring floor (one-shot, send(2))"

# Built, and added to the scale servers, only where liburing's header and library are.
build_uring() {
    if ! gcc "${CFLAGS[@]}" -o "$BUILD/srv_uring" "$BENCH/srv_uring.c" -luring 2>"$TMP/uring-build.err"; then
        log "bench: no liburing (liburing-dev): no io_uring floor ($(head -1 "$TMP/uring-build.err"))"
        return
    fi
    SCALE_SERVERS+=(uring uring1 uring1w)
}

# The io_uring floors run up to N = SCALE_BIG_N (URING_MAX_N): their question is settled
# at 1,000 and 10,000, and N = 19,000 costs some 40 s a run on a busy 2-core machine.
URING_MAX_N=${URING_MAX_N:-$SCALE_BIG_N}
uring_skips() { # N server -> true if that run is left out
    [[ $2 == uring* ]] && (($1 > URING_MAX_N))
}

# SCALE_ONLY="a b ...": only those scale servers, in that order.
pick_scale_servers() {
    [[ -n ${SCALE_ONLY:-} ]] || return 0
    local want s picked=()
    for want in $SCALE_ONLY; do
        for s in "${SCALE_SERVERS[@]}"; do
            [[ $s == "$want" ]] && picked+=("$s")
        done
        [[ " ${picked[*]} " == *" $want "* ]] || log "bench: SCALE_ONLY: no server $want here"
    done
    SCALE_SERVERS=("${picked[@]}")
}

# The paired ratio a/b of column c at N, with the range of the rounds' ratios and their
# count: "median (min-max, k rounds)", or "-".
uring_ratio() {
    awk -F'\t' -v n="$1" -v a="$2" -v b="$3" -v c="$4" "$AWK_MEDIAN"'
        $1 == n && $4 == "ok" && $2 == a { x[$3] = $c }
        $1 == n && $4 == "ok" && $2 == b { y[$3] = $c }
        END {
            for (r in x) if (r in y && y[r] > 0) v[++k] = x[r] / y[r]
            if (k == 0) { print "-"; exit }
            m = median(v, k) # sorts v
            printf "%.3f (%.2f-%.2f, %d)\n", m, v[1], v[k], k
        }' "$TMP/scale_raw.tsv"
}

uring_section() {
    local n s
    [[ " ${SCALE_SERVERS[*]} " == *" floor "* && " ${SCALE_SERVERS[*]} " == *" uring"* ]] ||
        return 0
    echo "### io_uring against the epoll floor (issue 10, item 4)"
    echo
    echo "bench/srv_uring.c, one ring on one thread (SINGLE_ISSUER, DEFER_TASKRUN, a registered"
    echo "ring descriptor), one io_uring_submit_and_wait per batch of completions, no socket"
    echo "option set (as the floor). Multishot: multishot accept, multishot receive into a"
    echo "ring of provided 64-byte buffers, IORING_OP_SEND from the receiving buffer. One-shot:"
    echo "an IORING_OP_RECV per request into the connection's own buffer, queued when the"
    echo "previous send completes (each parked read one SQE, as a cnet backend behind"
    echo "blocking calls would be). One-shot, send(2): the same, each reply written at once by"
    echo "send(2) (MSG_DONTWAIT), as such a backend would write when the socket has room."
    echo "Paired ratios against the epoll floor in the same round:"
    echo "median (lowest-highest, rounds)."
    echo
    echo "| connections | server | rate / floor's | CPU per round trip / floor's | p99 / floor's |"
    echo "|---:|---|---:|---:|---:|"
    for n in "${SCALE_NS[@]}"; do
        for s in uring uring1 uring1w; do
            [[ " ${SCALE_SERVERS[*]} " == *" $s "* ]] || continue
            uring_skips "$n" "$s" && continue
            printf '| %s | %s | %s | %s | %s |\n' "$n" "$(server_name "$s")" \
                "$(uring_ratio "$n" "$s" floor 5)" "$(uring_ratio "$n" "$s" floor 6)" \
                "$(uring_ratio "$n" "$s" floor 8)"
        done
    done
    echo
}
