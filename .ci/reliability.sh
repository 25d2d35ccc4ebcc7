#!/usr/bin/env bash
# Reliability checks beyond `make test` (issue 6), about 3 minutes on 2 cores:
#   1. ThreadSanitizer (gcc: clang 14's runtime crashes across task switches), halt on
#      the first race: test_threads, test_deadline and test_tcpread on plain threads and
#      inside tasks, and test_runtime (but its 10,000 tasks: TSan keeps 1 MiB per task);
#   2. the libFuzzer targets, FUZZ_SECONDS (default 20) each, from the seed corpora;
#   3. valgrind memcheck over the fault-injection and bad-input programs: zero errors,
#      zero definite or indirect leaks (the whole suite already runs under ASan+LSan in
#      `make test`'s build-asan).
# Run as root on the CI machine (the fuzzers then get a network namespace of their own).
# Usage: .ci/reliability.sh   (from anywhere; builds into build-reliability-tsan/, build-reliability/, build-reliability-fuzz/)
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-20}
started=$SECONDS

step() { echo; echo "==== $* ($((SECONDS - started)) s)"; }

need() { # package, command
    command -v "$2" >/dev/null && return 0
    if [ "$(id -u)" = 0 ]; then
        apt-get update >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
            --no-install-recommends "$1" >/dev/null
    else
        echo "missing $2 (apt-get install $1)"; exit 1
    fi
}
need clang clang
need valgrind valgrind

step "ThreadSanitizer: threads and tasks"
cmake -S . -B build-reliability-tsan -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Debug -DCNET_BUILD_TOOLS=OFF \
    -DCMAKE_C_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" >/dev/null
tsan_tests=(test_threads test_deadline test_tcpread test_runtime)
cmake --build build-reliability-tsan -j"$jobs" --target "${tsan_tests[@]}" >/dev/null
tsan_run() { # log-name env...
    local log=build-reliability-tsan/$1.log t=${1%%.*}
    shift
    env "$@" TSAN_OPTIONS="halt_on_error=1 exitcode=66" build-reliability-tsan/test/"$t" >"$log" 2>&1 ||
        { cat "$log"; echo "FAIL: $t ($*) under TSan"; exit 1; }
    echo "$t ($*): $(grep -c '^\[       OK' "$log") tests race-free"
}
for t in test_threads test_deadline test_tcpread; do
    tsan_run "$t" CNET_TEST_IN_TASK=0
    tsan_run "$t.task" CNET_TEST_IN_TASK=1
done
tsan_run test_runtime CNET_TEST_SKIP=ten_thousand_parked_reads_stopped

step "libFuzzer: ${fuzz_seconds} s per target"
fuzz/run.sh "$fuzz_seconds"

step "valgrind memcheck: test_fault, test_badinput"
cmake -S . -B build-reliability -DCMAKE_BUILD_TYPE=Debug -DCNET_BUILD_TOOLS=OFF >/dev/null
cmake --build build-reliability -j"$jobs" --target test_fault test_badinput >/dev/null
for t in test_fault test_badinput; do
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        build-reliability/test/"$t" >build-reliability/"$t".valgrind.log 2>&1 ||
        { cat build-reliability/"$t".valgrind.log; echo "FAIL: $t under valgrind"; exit 1; }
    grep -E "faults injected|bad inputs" build-reliability/"$t".valgrind.log || true
    echo "$t: valgrind clean"
done

step "reliability: all passed in $((SECONDS - started)) s"
