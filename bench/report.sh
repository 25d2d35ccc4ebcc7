# The report half of bench/run.sh (sourced; uses its variables and helpers): the table
# on stdout, bench/results/latest.md, the profiles of missed targets, and the chart.

UNITS_accept="conn/s" UNITS_pingpong="round trips/s" UNITS_bulk="MB/s" UNITS_dial="dials/s"
CPU_UNIT_accept="µs/conn" CPU_UNIT_pingpong="µs/round trip" CPU_UNIT_bulk="µs/MB"
CPU_UNIT_dial="µs/dial"

NAME_floor="floor" NAME_floor_opts="floor+Go state" NAME_cnet="cnet" NAME_go="Go" NAME_uv="libuv"

server_header() {
    local s n
    for s in "${SERVERS[@]}"; do n="NAME_$s"; printf ' %s |' "${!n}"; done
}

# column 3: rate, column 4: CPU per op (of the library's process)
rate_of() { awk -F'\t' -v w="$1" -v s="$2" '$1 == w && $2 == s { print $3 }' "$TMP/median.tsv"; }
cpu_of() { awk -F'\t' -v w="$1" -v s="$2" '$1 == w && $2 == s { print $4 }' "$TMP/median.tsv"; }

# Each target: workload, against (floor|go), minimum ratio.
TARGETS=("accept go 1.10" "accept floor 0.95" "pingpong go 1.00" "pingpong floor 0.97"
         "bulk floor 0.98")

# verdict ratio minimum -> "met" or "missed by N %"
verdict() {
    awk -v r="$1" -v m="$2" 'BEGIN {
        if (r >= m) print "met"; else printf "**missed** by %.1f %% (%.3f < %.2f)\n", (m - r) / m * 100, r, m }'
}

throughput_table() {
    local w s
    echo "| workload | unit |$(server_header) cnet/floor | cnet/Go | Go/floor | libuv/floor | cnet/(floor+Go state) |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for w in "${WORKLOADS[@]}"; do
        local u="UNITS_$w"
        printf '| %s | %s |' "$w" "${!u}"
        for s in "${SERVERS[@]}"; do printf ' %s |' "$(rate_of "$w" "$s")"; done
        printf ' %s | %s | %s | %s | %s |\n' "$(rate_ratio "$w" cnet floor)" \
            "$(rate_ratio "$w" cnet go)" \
            "$(rate_ratio "$w" go floor)" \
            "$(rate_ratio "$w" uv floor)" "$(rate_ratio "$w" cnet floor_opts)"
    done
}

# Work per CPU second: the inverse ratio of CPU per operation.
cpu_table() {
    local w s
    echo "| workload | unit |$(server_header) cnet vs floor | cnet vs floor+Go state | cnet vs Go |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for w in "${WORKLOADS[@]}"; do
        local u="CPU_UNIT_$w"
        printf '| %s | %s |' "$w" "${!u}"
        for s in "${SERVERS[@]}"; do printf ' %s |' "$(cpu_of "$w" "$s")"; done
        printf ' %s | %s | %s |\n' "$(cpu_ratio "$w" cnet floor)" \
            "$(cpu_ratio "$w" cnet floor_opts)" "$(cpu_ratio "$w" cnet go)"
    done
}

spread_table() {
    echo "| workload | server | median | min | max | spread (max-min)/median |"
    echo "|---|---|---:|---:|---:|---:|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %.1f %% |\n", $1, $2, $3, $5, $6,
                  ($6 - $5) / $3 * 100 }' "$TMP/median.tsv"
}

targets_table() {
    local t w vs min r rc
    echo "| target | by rate (wall clock) | by CPU per operation |"
    echo "|---|---|---|"
    for t in "${TARGETS[@]}"; do
        read -r w vs min <<<"$t"
        r=$(rate_ratio "$w" cnet "$vs")
        rc=$(cpu_ratio "$w" cnet "$vs")
        printf '| %s cnet/%s >= %s | %s: %s | %s: %s |\n' "$w" "$vs" "$min" "$r" \
            "$(verdict "$r" "$min")" "$rc" "$(verdict "$rc" "$min")"
    done
    local ca cd gd cwd gwd cp
    ca=$(awk -F'\t' '$1 == "accept" && $2 == "cnet" { print $6 }' "$TMP/counts.tsv")
    cd=$(count_of dial cnet 3) gd=$(count_of dial go 3)
    cwd=$(count_of dial cnet 5) gwd=$(count_of dial go 5)
    cp=$(awk -F'\t' '$1 == "pingpong" && $2 == "cnet" { print $6 }' "$TMP/counts.tsv")
    printf '| accepted connection: accept4 + close only | %s: %s | |\n' "$ca" \
        "$([[ $ca == "accept4 1.00, close 1.00" ]] && echo met || echo "**missed**")"
    printf '| dial: no more calls than Go | cnet %s (work %s), Go %s (work %s): %s | |\n' \
        "$cd" "$cwd" "$gd" "$gwd" \
        "$(awk -v a="$cd" -v b="$gd" -v c="$cwd" -v d="$gwd" 'BEGIN { print a <= b && c <= d ? "met" : "**missed**" }')"
    printf '| read or write with data ready: one call each | per round trip %s: %s | |\n' \
        "$cp" "$([[ $cp =~ ^read\ 1.00,\ (sendto|write)\ 1.00$ ]] && echo met || echo "**missed**")"
}

counts_table() {
    echo "| operation | library | total | work | work calls | waiting and failed calls |"
    echo "|---|---|---:|---:|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $5, $6, $7 }' \
        "$TMP/counts.tsv"
}

# perf profile of one server (or dialer) for a workload: the top symbols, flat.
profile() {
    local w=$1 data=$TMP/perf-$1-$2.data cmd
    local rec=(perf record -q -F 2999 -g -o "$data")
    read -r -a cmd <<<"$(server_cmd "$2")"
    case $w in
    accept) "$BUILD/loadgen" accept "$ACCEPT_N" "$ACCEPT_BATCH" -- "${rec[@]}" "${cmd[@]}" accept ;;
    pingpong) "$BUILD/loadgen" pingpong "$PINGPONG_N" -- "${rec[@]}" "${cmd[@]}" echo ;;
    bulk) "$BUILD/loadgen" bulk "$BULK_MIB" -- "${rec[@]}" "${cmd[@]}" bulk ;;
    esac >/dev/null 2>&1
    perf_summary "$data"
}

# The flat summary of a perf record: by binary, then the top symbols.
perf_summary() {
    echo "by binary:"
    perf report -i "$1" --stdio --no-children -g none --sort dso --percent-limit 0.5 \
        -q 2>/dev/null | sed -e 's/[[:space:]]*$//' -e '/^$/d' | head -6
    echo "top symbols:"
    perf report -i "$1" --stdio --no-children -g none --sort dso,symbol --percent-limit 1.5 \
        -q 2>/dev/null | sed -e 's/[[:space:]]*$//' -e 's/[[:space:]]*-[[:space:]]*-$//' \
        -e '/^$/d' | head -12
}

misses_section() {
    local t w vs min r rc any=0
    for t in "${TARGETS[@]}"; do
        read -r w vs min <<<"$t"
        r=$(rate_ratio "$w" cnet "$vs")
        rc=$(cpu_ratio "$w" cnet "$vs")
        if [[ $(verdict "$r" "$min") == met && $(verdict "$rc" "$min") == met ]]; then
            continue
        fi
        any=1
        log "bench: profiling $w (cnet and $vs)"
        echo "### $w: cnet/$vs >= $min"
        echo
        local unit="CPU_UNIT_$w"
        echo "- cnet/$vs: $r by rate, $rc by CPU per operation (paired medians of $RUNS rounds)."
        echo "- CPU per operation (${!unit}): cnet $(cpu_of "$w" cnet), Go $(cpu_of "$w" go), floor" \
            "$(cpu_of "$w" floor), floor with Go's socket state $(cpu_of "$w" floor_opts)."
        echo "- What Go's socket state (TCP_NODELAY, keep-alive) costs the kernel by itself: floor"
        echo "  with it / floor = $(rate_ratio "$w" floor_opts floor) by rate, $(cpu_ratio "$w" floor_opts floor) by CPU. cnet must pay that to be Go."
        echo "- What cnet's own code costs on top: cnet / (floor with Go's state) ="
        echo "  $(rate_ratio "$w" cnet floor_opts) by rate, $(cpu_ratio "$w" cnet floor_opts) by CPU."
        if [[ $vs != floor ]]; then
            echo "- The bound: the floor itself reaches $(rate_ratio "$w" floor "$vs") x $vs by rate and"
            echo "  $(cpu_ratio "$w" floor "$vs") x by CPU. The rate counts the client's CPU too (both share one"
            echo "  core), and the kernel's cost of a connection's life on loopback dwarfs what a"
            echo "  server library adds, so a ratio the floor cannot reach by rate is out of reach."
        fi
        echo
        if command -v perf >/dev/null && perf record -q -o /dev/null true 2>/dev/null; then
            for s in cnet "$vs" floor_opts; do
                [[ $s == floor_opts && $vs != floor ]] && continue
                echo "perf record of $(server_cmd "$s" | sed "s|.*/||") ($w), flat:"
                echo
                echo '```'
                profile "$w" "$s"
                echo '```'
                echo
            done
        else
            echo "(perf is not usable here: no profile)"
            echo
        fi
    done
    [[ $any -eq 1 ]] || echo "Every throughput target is met, both by rate and by CPU per operation."
}

machine_facts() {
    echo "- CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) online"
    echo "- flags: $(awk -F': ' '/^flags/ { n = split($2, f, " "); print n " (hypervisor: " ($2 ~ /hypervisor/ ? "yes" : "no") ")"; exit }' /proc/cpuinfo)"
    echo "- kernel: $(uname -r); $(ldd --version | head -1)"
    echo "- Go: $(go version | awk '{ print $3 }'); libuv: $(pkg-config --modversion libuv); gcc: $(gcc -dumpfullversion)"
    echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

write_report() {
    local out=$RESULTS/latest.md
    {
        echo "# cnet benchmark: latest results"
        echo
        echo "Command: \`make bench\` (= \`bench/run.sh\`, RUNS=$RUNS), $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown) with $(git -C "$ROOT" status --porcelain -- src include CMakeLists.txt 2>/dev/null | wc -l) uncommitted library files (cnet is built from the work tree)."
        echo
        machine_facts
        echo
        echo "Every figure of the one-connection workloads (the scale workload has its own"
        echo "section) is the median of $RUNS runs in this one invocation; the servers"
        echo "alternate within each round and the order rotates every round. Ratios are paired:"
        echo "the median over rounds of the two figures' quotient within a round, so load from"
        echo "elsewhere on this shared machine cancels out as far as it can. Client and server"
        echo "share CPU 1 (taskset), so a wake-up is a context switch, not a cross-CPU"
        echo "interrupt through the hypervisor (which made runs 5x slower and far noisier)."
        echo "Sizes: accept $ACCEPT_N connections ($ACCEPT_BATCH in flight), ping-pong $PINGPONG_N"
        echo "round trips of 64 bytes, bulk $BULK_MIB MiB in 1 MiB writes, dial $DIAL_N dials."
        echo
        echo "## Rate (higher is better)"
        echo
        throughput_table
        echo
        echo "## CPU time per operation of the library's process (lower is better)"
        echo
        echo "The servers' CPU (every thread, from schedstat, start-up excluded; the dialers'"
        echo "from getrusage around the loop). \"cnet vs X\" is X's CPU / cnet's CPU, that is"
        echo "cnet's work per CPU second relative to X's: the rate a CPU-bound server reaches."
        echo
        cpu_table
        echo
        echo "## Targets (issue 7)"
        echo
        targets_table
        echo
        echo "## System calls per operation (strace -f -c, deterministic part = work)"
        echo
        echo "Counted as (calls in a run of $COUNT_N2 operations - calls in a run of $COUNT_N1) /"
        echo "$((COUNT_N2 - COUNT_N1)), so start-up cancels out; one connection at a time (accept:"
        echo "connect, wait for the close). *Work* = calls that did something: neither a wait"
        echo "(poll, epoll_wait/epoll_pwait, futex, nanosleep, sched_yield) nor a failure (EAGAIN"
        echo "before blocking, EINPROGRESS of a non-blocking connect); it does not depend on"
        echo "timing, the rest does (a little: the difference of two traced runs). Every dial"
        echo "includes the benchmark's own SO_LINGER setsockopt and the close."
        echo
        counts_table
        echo
        scale_section
        micro_section
        echo "## Missed targets of issue 7: by how much, and profiles"
        echo
        misses_section
        echo
        echo "## Spread of the runs"
        echo
        spread_table
    } >"$out.new"
    mv "$out.new" "$out"
    # The table on stdout: everything above the spread.
    sed -n '/^## Rate/,/^## Spread/p' "$out" | sed '$d'
}

plot_ratios() {
    local dat=$TMP/ratios.dat w
    {
        echo "workload cnet Go libuv floor+Go-state cnet Go libuv floor+Go-state"
        for w in "${WORKLOADS[@]}"; do
            printf '%s %s %s %s %s %s %s %s %s\n' "$w" "$(rate_ratio "$w" cnet floor)" \
                "$(rate_ratio "$w" go floor)" "$(rate_ratio "$w" uv floor)" \
                "$(rate_ratio "$w" floor_opts floor)" \
                "$(cpu_ratio "$w" cnet floor)" "$(cpu_ratio "$w" go floor)" \
                "$(cpu_ratio "$w" uv floor)" "$(cpu_ratio "$w" floor_opts floor)"
        done
    } >"$dat"
    scale_plot_data "$TMP/scale_ratios.dat"
    gnuplot <<EOF
set terminal pngcairo size 1200,1000 font "sans,11"
set output "$RESULTS/ratios.png"
set multiplot layout 2,2 title "cnet, Go and libuv against the epoll floor (1.0; paired medians)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:1.3]
set grid ytics
set key top left
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2 lc rgb "black"
set title "One connection: rate (client and server on one core; $RUNS rounds)"
set ylabel "rate / floor's rate"
plot "$dat" using 2:xtic(1) title columnheader(2) lc rgb "#1f77b4", \
     "" using 3 title columnheader(3) lc rgb "#2ca02c", \
     "" using 4 title columnheader(4) lc rgb "#ff7f0e", \
     "" using 5 title columnheader(5) lc rgb "#9a9a9a"
set title "One connection: work per CPU second of the library's process"
set ylabel "floor's CPU per op / library's"
plot "$dat" using 6:xtic(1) title columnheader(6) lc rgb "#1f77b4", \
     "" using 7 title columnheader(7) lc rgb "#2ca02c", \
     "" using 8 title columnheader(8) lc rgb "#ff7f0e", \
     "" using 9 title columnheader(9) lc rgb "#9a9a9a"
set yrange [0:1.5]
set xlabel "connections, one 64-byte request in flight each (no bar: failed)"
set title "Many connections: round trips/s (server on CPU 0, load on CPU 1; $SCALE_RUNS rounds)"
set ylabel "rate / floor's rate"
plot "$TMP/scale_ratios.dat" using 2:xtic(1) title columnheader(2) lc rgb "#1f77b4", \
     "" using 3 title columnheader(3) lc rgb "#9467bd", \
     "" using 4 title columnheader(4) lc rgb "#2ca02c", \
     "" using 5 title columnheader(5) lc rgb "#ff7f0e"
set title "Many connections: work per CPU second of the server"
set ylabel "floor's CPU per round trip / server's"
plot "$TMP/scale_ratios.dat" using 6:xtic(1) title columnheader(6) lc rgb "#1f77b4", \
     "" using 7 title columnheader(7) lc rgb "#9467bd", \
     "" using 8 title columnheader(8) lc rgb "#2ca02c", \
     "" using 9 title columnheader(9) lc rgb "#ff7f0e"
unset multiplot
EOF
}
