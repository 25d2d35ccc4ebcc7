#!/usr/bin/env bash
# Cross-builds cnet where this machine cannot run it: the library (static and shared)
# and the command-line tool for x86_64-macos, aarch64-macos and aarch64-linux-musl,
# with Zig 0.11's clang, -Werror and the optimiser on (RelWithDebInfo), using the
# darwin sources (sockopt_bsd.c, errno_text_bsd.c, sys_cloexec.c, mcast_bsd.c,
# wake_pipe.c) for macOS.
# It compiles and links; nothing here runs the results (docs/PLATFORMS.md).
#
#   .ci/cross.sh [TARGET...]      default: all three; build trees under build-cross/
#
# Exits non-zero on the first failure. Each binary's header is checked, so a build
# that silently produced host code would fail too.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(x86_64-macos aarch64-macos aarch64-linux-musl)
BUILD_ROOT=${CNET_CROSS_BUILD:-build-cross}
JOBS=${JOBS:-2}

ZIG=$(.ci/zig.sh)
ZIG_CACHE=$(dirname "$(dirname "$(dirname "$ZIG")")")/zig-cache
export ZIG_GLOBAL_CACHE_DIR=$ZIG_CACHE ZIG_LOCAL_CACHE_DIR=$ZIG_CACHE

# The first bytes of a Mach-O or ELF file: magic, then the CPU.
header_of() {
    od -An -tx1 -N20 "$1" | tr -d ' \n'
}

# Fails unless file is a 64-bit binary for target.
check_binary() {
    local target=$1 file=$2 h
    h=$(header_of "$file")
    case $target in
    x86_64-macos) [[ $h == cffaedfe07000001* ]] ;;
    aarch64-macos) [[ $h == cffaedfe0c000001* ]] ;;
    aarch64-linux-musl) [[ $h == 7f454c4602* && ${h:36:4} == b700 ]] ;;
    *) false ;;
    esac || { echo "cross.sh: $file is not a $target binary (header $h)" >&2; return 1; }
}

shared_lib_of() {
    case $1 in
    *-macos) echo libcnet.dylib ;;
    *) echo libcnet.so ;;
    esac
}

build_target() {
    local target=$1 dir=$BUILD_ROOT/$1
    cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchain-zig.cmake" \
        -DZIG="$ZIG" -DZIG_TARGET="$target" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCNET_BUILD_TESTS=OFF -DCNET_BUILD_TOOLS=ON >"$dir.configure.log" 2>&1 ||
        { cat "$dir.configure.log" >&2; return 1; }
    cmake --build "$dir" -j"$JOBS"
    check_binary "$target" "$dir/$(shared_lib_of "$target")"
    check_binary "$target" "$dir/tools/cnet"
    [[ -s $dir/libcnet.a ]]
}

mkdir -p "$BUILD_ROOT"
summary=()
for target in "${TARGETS[@]}"; do
    echo "== cross.sh: $target"
    start=$SECONDS
    build_target "$target"
    summary+=("$target: library (static + shared) and CLI built in $((SECONDS - start)) s")
done
printf 'cross.sh: %s\n' "${summary[@]}"
