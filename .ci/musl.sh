#!/usr/bin/env bash
# Builds cnet and its whole test suite against musl (Zig 0.11, statically linked) and
# runs the suite here, as `make test` runs it against glibc.
#
#   .ci/musl.sh                      x86_64-linux-musl, build tree build-musl/
#   .ci/musl.sh aarch64-linux-musl   build tree build-musl-aarch64/; the suite runs under
#                                    qemu-aarch64 user emulation (Debian's qemu-user-static)
#
# Under qemu, ctest runs every test whose command is a test program through the emulator
# (CMAKE_CROSSCOMPILING_EMULATOR), and the namespace wrappers get it in front of the
# program they exec (test/CMakeLists.txt). A few tests are left out, each for a reason
# that is the emulator's: see QEMU_LEAVES_OUT below. docs/PLATFORMS.md says what the run
# proves and what it does not.
#
# The tests need cmocka, and Debian's libcmocka is built for glibc. So cmocka is
# compiled for musl from Debian's own source package (apt-get source, the deb-src
# twin of the configured Debian mirror), in a cache outside the repository; nothing
# of it is vendored. Needs root the first time (deb-src entry, apt-get update).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=${1:-x86_64-linux-musl}
case $TARGET in
x86_64-linux-musl) BUILD=${CNET_MUSL_BUILD:-build-musl} ;;
aarch64-linux-musl) BUILD=${CNET_MUSL_BUILD:-build-musl-aarch64} ;;
*) echo "musl.sh: no such target: $TARGET (x86_64-linux-musl or aarch64-linux-musl)" >&2; exit 2 ;;
esac
JOBS=${JOBS:-2}
QEMU=/usr/bin/qemu-aarch64-static

# Tests left out under qemu-user, by the interface whose absence fails them. The first
# four groups apply only when .ci/qemu-probe.c, run under the emulator, finds that
# interface missing (Debian 12's qemu-user 7.2 here, without a binfmt_misc entry: all
# four are); "always" applies under any qemu.
declare -A QEMU_LEAVES_OUT=(
    # The kernel cannot exec an aarch64 binary, so a test that execs a program by its
    # path fails at the execve (ENOEXEC): cli_test.sh runs the tool by its path (and
    # `cnet serve` re-execs itself); oracle/run.sh runs oracle_c; test_activation and
    # test_cloexec exec /proc/self/exe in their children; test_restart execs
    # helper_server, which re-execs itself; test_syscalls.sh has strace exec the probe;
    # resolver_cli and oracle_dns run the tool and oracle_c by path; test_unixmsg's
    # handover case execs helper_handoff.
    [exec]="cli cli_nc oracle activation activation_task cloexec cloexec_task restart restart_group
            syscalls resolver_cli oracle_dns unixmsg unixmsg_task"
    # qemu converts control messages itself: a truncated SCM_RIGHTS message arrives with
    # another descriptor count than the kernel's (test_unixmsg's short-buffer case), and
    # setsockopt(IP_PKTINFO) fails with ENOPROTOOPT (test_msg's IPv4 pktinfo case). The
    # probe does not test these: they are left out whatever it finds (in "always").
    [cmsg]="unixmsg unixmsg_task msg msg_task"
    # getsockopt(TCP_INFO) copies out 4 bytes (qemu converts TCP options as one int):
    # the listen backlog (tcpi_sacked) and the accept queues (tcpi_unacked) read as 0.
    [tcp_info]="listen_tcp listen_tcp_task reuseport_root reuseport_root_task"
    # setsockopt(IP_MULTICAST_IF) with struct ip_mreqn, which every IPv4 multicast
    # receiver and sender of cnet sets on Linux, fails with ENOPROTOOPT (qemu does not
    # convert it): the multicast tests, and one case each of hijack, fault and cloexec.
    [ip_multicast_if]="multicast multicast_task multicast6 multicast6_task hijack hijack_task
                       fault cloexec cloexec_task mcastctl_netns mcastctl_netns_task"
    # setsockopt(IPV6_MULTICAST_IF) fails with ENOPROTOOPT likewise.
    [ipv6_multicast_if]="multicast6 multicast6_task"
    # syscalls: strace would trace qemu, whose own system calls mix with the program's.
    # runtime_silent_dns: 3,000 dials with a 5 ms timeout must all time out before a
    # silent DNS server's 1 s timeout ends their lookups; emulated, the scheduler spends
    # over 1 s starting resolver threads, and some dials see the lookup's "Try again"
    # before their timer (measured: such dials returned after 1.16 s). Its bound on
    # resolver threads is the same C code on every architecture.
    [always]="syscalls runtime_silent_dns"
)

ZIG=$(.ci/zig.sh)
CACHE=$(dirname "$(dirname "$(dirname "$ZIG")")")
export ZIG_GLOBAL_CACHE_DIR=$CACHE/zig-cache ZIG_LOCAL_CACHE_DIR=$CACHE/zig-cache
CMOCKA=$CACHE/cmocka-$TARGET
# One cmocka build per checkout: its CMake cache names this checkout's toolchain file.
CMOCKA_BUILD=$CMOCKA/build-$(printf '%s' "$PWD" | cksum | cut -d' ' -f1)
TOOLCHAIN=(-DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchain-zig.cmake" -DZIG="$ZIG"
           -DZIG_TARGET="$TARGET" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
EMULATOR=()
if [[ $TARGET == aarch64-* ]]; then
    # cmocka 1.1.5's header guesses __WORDSIZE where the C library leaves it undefined
    # (musl defines it only in <sys/reg.h>), and guesses 32 on anything but x86_64: its
    # uintptr_t then clashes with musl's, and it would cast pointers through 32 bits. So
    # cmocka and the tests that include it are told.
    TOOLCHAIN+=(-DCMAKE_C_FLAGS=-D__WORDSIZE=64)
    EMULATOR=(-DCMAKE_CROSSCOMPILING_EMULATOR="$QEMU")
fi

apt_install() {
    env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
        install -y --no-install-recommends "$@" >&2
}

# A deb-src entry for every deb entry of the Debian sources, if there is none yet.
enable_deb_src() {
    local list=/etc/apt/sources.list.d/debian.sources
    if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        return
    fi
    [[ -f $list ]] || { echo "musl.sh: no $list to derive deb-src from" >&2; return 1; }
    sed 's/^Types: deb$/Types: deb-src/' "$list" >/etc/apt/sources.list.d/cnet-deb-src.sources
    apt-get update >&2
}

# cmocka's source tree, unpacked (with Debian's patches) by apt-get source.
fetch_cmocka_source() {
    local dir=$CMOCKA/source
    if ! compgen -G "$dir/cmocka-*/include/cmocka.h" >/dev/null; then
        command -v dpkg-source >/dev/null || apt_install dpkg-dev
        enable_deb_src
        rm -rf "$dir" && mkdir -p "$dir"
        (cd "$dir" && apt-get source cmocka >&2) ||
            (apt-get update >&2 && cd "$dir" && apt-get source cmocka >&2)
    fi
    compgen -G "$dir/cmocka-*/include/cmocka.h" | head -n1 | xargs dirname | xargs dirname
}

# cmocka as a static musl library (its own CMake build, Zig as the compiler).
build_cmocka() {
    local src=$1
    cmake -S "$src" -B "$CMOCKA_BUILD" "${TOOLCHAIN[@]}" -DWITH_STATIC_LIB=ON \
        -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF >"$CMOCKA/configure.log" 2>&1 ||
        { cat "$CMOCKA/configure.log" >&2; return 1; }
    cmake --build "$CMOCKA_BUILD" --target cmocka-static -j"$JOBS" >&2
}

# qemu-aarch64-static (Debian's qemu-user-static), if it is not there yet.
install_qemu() {
    [[ -x $QEMU ]] && return
    echo "musl.sh: installing qemu-user-static" >&2
    apt_install qemu-user-static || { apt-get update >&2 && apt_install qemu-user-static; }
    [[ -x $QEMU ]] || { echo "musl.sh: no $QEMU after installing qemu-user-static" >&2; exit 1; }
}

# The tests the emulator cannot run, as a ctest -E pattern (QEMU_LEAVES_OUT above).
qemu_exclusions() {
    local probe=$BUILD/qemu-probe missing names=() name seen=" "
    "$ZIG" cc -target "$TARGET" -std=c11 -Wall -Wextra -Werror -O2 -o "$probe" \
        .ci/qemu-probe.c 2>"$probe.log" || { cat "$probe.log" >&2; return 1; }
    missing=$("$QEMU" "$probe")
    echo "musl.sh: missing under qemu: ${missing//$'\n'/ }" >&2
    for group in $missing always cmsg; do
        for name in ${QEMU_LEAVES_OUT[$group]:-}; do
            [[ $seen == *" $name "* ]] || { names+=("$name"); seen+="$name "; }
        done
    done
    echo "musl.sh: left out under qemu: ${names[*]}" >&2
    local IFS='|'
    echo "^(${names[*]})\$"
}

start=$SECONDS
[[ ${#EMULATOR[@]} -eq 0 ]] || install_qemu
src=$(fetch_cmocka_source)
build_cmocka "$src"
cmocka_s=$((SECONDS - start))

start=$SECONDS
cmake -S . -B "$BUILD" "${TOOLCHAIN[@]}" "${EMULATOR[@]}" -DCNET_BUILD_TESTS=ON \
    -DCMOCKA_INCLUDE_DIR="$src/include" \
    -DCMOCKA_LIBRARY="$CMOCKA_BUILD/src/libcmocka-static.a" >"$BUILD.configure.log" 2>&1 ||
    { cat "$BUILD.configure.log" >&2; exit 1; }
cmake --build "$BUILD" -j"$JOBS"
build_s=$((SECONDS - start))

# The suite must really be musl's: static, no glibc symbol versions anywhere.
for exe in "$BUILD"/test/test_* "$BUILD/tools/cnet"; do
    if grep -qa 'GLIBC_2\.' "$exe"; then
        echo "musl.sh: $exe is linked against glibc" >&2
        exit 1
    fi
done

# Under qemu, the programs must really be aarch64 ELF (e_machine 183): a build that made
# host code would pass without the emulator ever running.
if [[ ${#EMULATOR[@]} -gt 0 ]]; then
    for exe in "$BUILD"/test/test_runtime "$BUILD"/test/test_dial "$BUILD/tools/cnet"; do
        h=$(od -An -tx1 -N20 "$exe" | tr -d ' \n')
        [[ $h == 7f454c4602* && ${h:36:4} == b700 ]] ||
            { echo "musl.sh: $exe is not an aarch64 binary (header $h)" >&2; exit 1; }
    done
fi

start=$SECONDS
exclude=()
if [[ ${#EMULATOR[@]} -gt 0 ]]; then
    pattern=$(qemu_exclusions)
    exclude=(-E "$pattern")
fi
ctest --test-dir "$BUILD" --output-on-failure --no-tests=error -j"$JOBS" "${exclude[@]}"
echo "musl.sh: $TARGET: cmocka ${cmocka_s} s, build ${build_s} s, tests $((SECONDS - start)) s"
