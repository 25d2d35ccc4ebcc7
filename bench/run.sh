#!/usr/bin/env bash
# cnet against Go's net, libuv and the bare system-call floor, on loopback (issue 7).
#
#   bench/run.sh          (what `make bench` runs; RUNS=N for more or fewer rounds)
#   bench/run.sh smoke    builds, then one run of each workload and server, no report
#
# Installs what it lacks, builds cnet (Release, its own tree under bench/build), the four
# servers and the load generator, runs every workload RUNS times with the servers
# alternating (the order rotates each round), counts system calls per operation with
# strace -f -c, and writes bench/results/latest.md and bench/results/ratios.png.
# The load generator and every server share CPU 1 (taskset): on this VM a cross-CPU
# wake-up costs an interrupt through the hypervisor, which made every run 5x slower and
# buried the libraries' differences in noise.
# Then the scale workload and the task micro-benchmarks of issue 10 (bench/scale.sh:
# N connections at once, server on CPU 0 and load generator on CPU 1).
#
#   bench/run.sh scale    only those: builds, runs, prints their sections (no report)
#
# SCALE_ONLY="floor uring uring1" keeps only the scale servers named (in that order);
# with MICRO_RUNS=0 and `scale`, a quick comparison of a few servers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/bench
BUILD=$BENCH/build
TMP=$BUILD/tmp
RESULTS=$BENCH/results
RUNS=${RUNS:-15}
# floor_opts is the floor with Go's final socket state (srv_floor -o): what the state
# itself costs, apart from any library.
SERVERS=(floor floor_opts cnet go uv)
# Sizes: each run is well under a second on a 2-core machine.
ACCEPT_N=${ACCEPT_N:-6000} ACCEPT_BATCH=16
PINGPONG_N=${PINGPONG_N:-15000}
BULK_MIB=${BULK_MIB:-768}
DIAL_N=${DIAL_N:-3000}
# strace counts: the per-operation figure is the difference of two runs, so start-up
# costs cancel out.
COUNT_N1=500 COUNT_N2=1500
START=$SECONDS

log() { printf '%s\n' "$*" >&2; }

# ---- Dependencies and builds ------------------------------------------------------

DEB_PACKAGES=(cmake gcc make golang-go libuv1-dev gnuplot-nox strace util-linux)
# ---- io_uring floor (issue 10, item 4): liburing for bench/srv_uring.c ----
DEB_PACKAGES+=(liburing-dev)

install_deps() {
    local p missing=()
    for p in "${DEB_PACKAGES[@]}"; do
        [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] ||
            missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return
    log "bench: installing ${missing[*]}"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get -o DPkg::Lock::Timeout=600 update
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
        install -y --no-install-recommends "${missing[@]}"
}

CFLAGS=(-std=c11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
        -Wmissing-prototypes)

build_all() {
    log "bench: building cnet (Release) and the servers"
    cmake -S "$ROOT" -B "$BUILD/cnet" -DCMAKE_BUILD_TYPE=Release -DCNET_BUILD_TESTS=OFF \
        -DCNET_BUILD_TOOLS=OFF >/dev/null
    cmake --build "$BUILD/cnet" --target cnet_static -j2 >/dev/null
    gcc "${CFLAGS[@]}" -o "$BUILD/loadgen" "$BENCH/loadgen.c"
    gcc "${CFLAGS[@]}" -o "$BUILD/srv_floor" "$BENCH/srv_floor.c"
    gcc "${CFLAGS[@]}" -I"$ROOT/include" -o "$BUILD/srv_cnet" "$BENCH/srv_cnet.c" \
        "$BUILD/cnet/libcnet.a" -pthread
    gcc "${CFLAGS[@]}" -o "$BUILD/srv_uv" "$BENCH/srv_uv.c" $(pkg-config --cflags --libs libuv)
    (cd "$BENCH/srv_go" &&
        GOPROXY=off GO111MODULE=off GOPATH="$BUILD/gopath" GOCACHE="$BUILD/gocache" \
            go build -o "$BUILD/srv_go" main.go)
    build_scale
    # ---- io_uring floor (issue 10, item 4) ----
    build_uring
    pick_scale_servers
}

# ---- Timed runs ---------------------------------------------------------------------

PIN_CLIENT=() PIN_SERVER=()
if [[ $(nproc) -ge 2 ]]; then
    PIN_CLIENT=(taskset -c 1) PIN_SERVER=(taskset -c 1)
fi

# The command of a server (or dialer): server -> words.
server_cmd() {
    case $1 in
    floor_opts) echo "$BUILD/srv_floor -o" ;;
    *) echo "$BUILD/srv_$1" ;;
    esac
}

# One run: workload server -> "rate cpu-per-op" on stdout.
run_once() {
    local w=$1 cmd
    read -r -a cmd <<<"$(server_cmd "$2")"
    case $w in
    accept) "${PIN_CLIENT[@]}" "$BUILD/loadgen" accept "$ACCEPT_N" "$ACCEPT_BATCH" -- \
                "${PIN_SERVER[@]}" "${cmd[@]}" accept ;;
    pingpong) "${PIN_CLIENT[@]}" "$BUILD/loadgen" pingpong "$PINGPONG_N" -- \
                "${PIN_SERVER[@]}" "${cmd[@]}" echo ;;
    bulk) "${PIN_CLIENT[@]}" "$BUILD/loadgen" bulk "$BULK_MIB" -- \
                "${PIN_SERVER[@]}" "${cmd[@]}" bulk ;;
    dial) "${PIN_CLIENT[@]}" "$BUILD/loadgen" dial "$DIAL_N" "${cmd[@]}" dial -- \
                "${PIN_SERVER[@]}" "$BUILD/srv_floor" accept ;;
    esac
}

WORKLOADS=(accept pingpong bulk dial)

measure_all() {
    local r i w s v
    : >"$TMP/raw.tsv"
    for ((r = 0; r < RUNS; r++)); do
        log "bench: round $((r + 1))/$RUNS"
        for w in "${WORKLOADS[@]}"; do
            for ((i = 0; i < ${#SERVERS[@]}; i++)); do
                s=${SERVERS[(i + r) % ${#SERVERS[@]}]}
                v=$(run_once "$w" "$s")
                printf '%s\t%s\t%d\t%s\t%s\n' "$w" "$s" "$r" ${v} >>"$TMP/raw.tsv"
            done
        done
    done
}

# median.tsv: workload server rate cpu-per-op rate-min rate-max (medians of the runs)
medians() {
    local w s
    for w in "${WORKLOADS[@]}"; do
        for s in "${SERVERS[@]}"; do
            awk -F'\t' -v w="$w" -v s="$s" '
                function median(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
                function sort(a, n,   i, j, t) {
                    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
                        if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } }
                $1 == w && $2 == s { n++; r[n] = $4 + 0; c[n] = $5 + 0 }
                END { sort(r, n); sort(c, n)
                      printf "%s\t%s\t%.1f\t%.3f\t%.1f\t%.1f\n", w, s, median(r, n), median(c, n), r[1], r[n] }' \
                "$TMP/raw.tsv"
        done
    done >"$TMP/median.tsv"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# Paired ratios: the median over rounds of a's figure / b's figure in the same round, so
# a burst of load from elsewhere that slows one round cancels out. rate_ratio: a's rate
# / b's; cpu_ratio: b's CPU per operation / a's (a's work per CPU second relative to b's).
paired_ratio() {
    awk -F'\t' -v w="$1" -v a="$2" -v b="$3" -v col="$4" -v inv="$5" '
        $1 == w && $2 == a { x[$3] = $col }
        $1 == w && $2 == b { y[$3] = $col }
        END {
            for (r in x) if (r in y) v[++n] = inv ? y[r] / x[r] : x[r] / y[r]
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
                if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            printf "%.3f", n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }' "$TMP/raw.tsv"
}
rate_ratio() { paired_ratio "$1" "$2" "$3" 4 0; }
cpu_ratio() { paired_ratio "$1" "$2" "$3" 5 1; }

# ---- System calls per operation ----------------------------------------------------

# strace's summary of one traced run: name calls errors
strace_run() {
    local kind=$1 n=$3 out=$4 cmd
    local st=(strace -f -c -U name,calls,errors -o "$out")
    read -r -a cmd <<<"$(server_cmd "$2")"
    case $kind in
    accept) "$BUILD/loadgen" accept "$n" 1 -- "${st[@]}" "${cmd[@]}" accept >/dev/null ;;
    pingpong) "$BUILD/loadgen" pingpong "$n" -- "${st[@]}" "${cmd[@]}" echo >/dev/null ;;
    dial) "$BUILD/loadgen" dial "$n" "${st[@]}" "${cmd[@]}" dial -- \
            "$BUILD/srv_floor" accept >/dev/null ;;
    esac
}

# Calls that only wait or wake (blocking, the Go scheduler), not work on the socket.
WAIT_CALLS="poll ppoll epoll_wait epoll_pwait epoll_pwait2 select pselect6 futex nanosleep \
clock_nanosleep sched_yield restart_syscall"

# counts.tsv: kind server total/op waiting-and-failed/op work/op work-calls other-calls
# Work is a call that did something (not a wait, not an error): it does not depend on
# timing. Waits (poll, epoll_wait, futex, ...) and failed calls (EAGAIN before blocking,
# EINPROGRESS) do, a little, under strace.
count_one() {
    local kind=$1 s=$2 a=$TMP/st-$1-$2-1.txt b=$TMP/st-$1-$2-2.txt
    strace_run "$kind" "$s" "$COUNT_N1" "$a"
    strace_run "$kind" "$s" "$COUNT_N2" "$b"
    strace_diff "$kind" "$s" $((COUNT_N2 - COUNT_N1)) "$a" "$b"
}

# strace_diff kind server ops summary-1 summary-2 -> a line of counts.tsv, from two
# strace -c summaries of runs that differ by ops operations.
strace_diff() {
    awk -v kind="$1" -v s="$2" -v ops="$3" -v waits="$WAIT_CALLS" '
        BEGIN { split(waits, wl, " "); for (i in wl) iswait[wl[i]] = 1 }
        function add(list, item) { return list (list == "" ? "" : ", ") item }
        function sorted(a, n,   i, j, t, out) {
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
                if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            for (i = 1; i <= n; i++) out = add(out, a[i])
            return out
        }
        $1 ~ /^[a-z_0-9]+$/ && $1 != "total" && $1 != "syscall" {
            sign = FILENAME == ARGV[1] ? -1 : 1
            calls[$1] += sign * $2; errs[$1] += sign * ($3 == "" ? 0 : $3)
        }
        END {
            for (c in calls) {
                pc = calls[c] / ops; pe = errs[c] / ops; ok = pc - pe
                total += pc
                if (iswait[c]) {
                    if (pc >= 0.005) other[++no] = sprintf("%s %.2f", c, pc)
                    continue
                }
                if (ok >= 0.005) { work += ok; done[++nw] = sprintf("%s %.2f", c, ok) }
                if (pe >= 0.005) other[++no] = sprintf("%s %.2f failed", c, pe)
            }
            printf "%s\t%s\t%.2f\t%.2f\t%.2f\t%s\t%s\n", kind, s, total, total - work, work,
                sorted(done, nw), sorted(other, no)
        }' "$4" "$5"
}

count_all() {
    local kind s
    : >"$TMP/counts.tsv"
    for kind in accept pingpong dial; do
        for s in "${SERVERS[@]}"; do
            log "bench: strace $kind $s"
            count_one "$kind" "$s" >>"$TMP/counts.tsv"
        done
    done
}

count_of() { # kind server column(3 total, 5 work)
    awk -F'\t' -v k="$1" -v s="$2" -v c="$3" '$1 == k && $2 == s { print $c }' "$TMP/counts.tsv"
}

source "$BENCH/report.sh"
source "$BENCH/scale.sh"

# Smoke test: one run of every workload and server, no report.
smoke() {
    local w s
    for w in "${WORKLOADS[@]}"; do
        for s in "${SERVERS[@]}"; do
            printf '%s\t%s\t%s\n' "$w" "$s" "$(run_once "$w" "$s")"
        done
    done
    smoke_scale
}

# Only the scale workload and the micro-benchmarks, their sections on stdout.
scale_only() {
    measure_scale
    measure_micro
    scale_medians
    scale_count_all
    scale_section
    micro_section
}

main() {
    install_deps
    mkdir -p "$BUILD" "$TMP" "$RESULTS"
    build_all
    if [[ ${1:-} == smoke ]]; then
        smoke
        return
    fi
    if [[ ${1:-} == scale ]]; then
        scale_only
        return
    fi
    measure_all
    medians
    measure_scale
    measure_micro
    scale_medians
    scale_count_all
    count_all
    write_report
    plot_ratios
    printf '\nThe whole run (dependency check, builds, runs, counts, profiles) took %d s.\n' \
        $((SECONDS - START)) >>"$RESULTS/latest.md"
    log "bench: done in $((SECONDS - START)) s"
}

main "$@"
