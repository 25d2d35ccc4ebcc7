#!/usr/bin/env bash
# Installs a built tree into a scratch prefix and proves a program outside the source
# tree can use it as a user would: pkg-config cnet (shared; with LD_LIBRARY_PATH, and
# with the RPATH a custom prefix needs), pkg-config cnet-static (libcnet.a, proved by
# the binary's dynamic section) and CMake's find_package. The build tree must never
# leak in, so each link is checked to point at the prefix. Usage: test/install_check.sh [BUILD_DIR]   (default: build)
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
work=$(mktemp -d /tmp/cnet-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
p=$work/p

fail() { echo "install_check: FAIL: $*" >&2; exit 1; }
step() { echo "install_check: $*"; }

# Bounded: a library bug that blocks must fail the check, not hang CI.
run() { timeout 60 "$@" || fail "$* exited with $?"; }

# The libraries whose ELF "NEEDED" list names libcnet.
# readelf's output is read whole first: under pipefail, grep -q's early exit could fail it.
needs_libcnet() { grep -q 'NEEDED.*\[libcnet\.so' <<<"$(readelf -d "$1")"; }

step "cmake --install $build --prefix $p"
cmake --install "$build" --prefix "$p" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }

libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
libdir=${libdir:-lib}
for f in include/cnet.h "$libdir/libcnet.a" "$libdir/libcnet.so" "$libdir/pkgconfig/cnet.pc" \
         "$libdir/pkgconfig/cnet-static.pc" share/man/man3/cnet.3 share/man/man3/cnet_dial_with.3 \
         "$libdir/cmake/cnet/cnetConfig.cmake" bin/cnet; do
    [ -e "$p/$f" ] || fail "not installed: $f"
done
[ -x "$p/bin/cnet" ] || fail "bin/cnet is not executable"
# The installed tool must run from the prefix alone (static link, or an RPATH into it).
! env -u LD_LIBRARY_PATH ldd "$p/bin/cnet" | grep 'not found' || fail "bin/cnet cannot find its libraries"

# The shared library exports exactly the functions the header declares (hidden visibility).
declared=$(sed -n 's/^CNET_EXTERN .*[ *]\(cnet_[a-z0-9_]*\)(.*/\1/p' "$p/include/cnet.h" | sort)
exported=$(nm -D --defined-only "$p/$libdir/libcnet.so" | awk '$2 == "T" { print $3 }' | sort)
[ -n "$declared" ] || fail "found no CNET_EXTERN functions in cnet.h"
[ "$declared" = "$exported" ] ||
    fail "libcnet.so exports differ from cnet.h:"$'\n'"$(diff <(echo "$declared") <(echo "$exported"))"

# The consumer must keep covering the whole API as the header grows.
for fn in $declared; do
    grep -q "\b$fn(" "$src/examples/consumer.c" || fail "examples/consumer.c never calls $fn"
done

export PKG_CONFIG_PATH=$p/$libdir/pkgconfig
read -ra cflags <<<"$(pkg-config --cflags cnet)"
read -ra libs <<<"$(pkg-config --libs cnet)"
# cnet-static names the archive itself: -lcnet (even with --static) picks libcnet.so
# when both sit in one directory.
read -ra static_libs <<<"$(pkg-config --libs cnet-static)"
read -ra static_cflags <<<"$(pkg-config --cflags cnet-static)"
[ "${static_cflags[*]}" = "${cflags[*]}" ] || fail "cnet-static's --cflags differ from cnet's"
# A prefix outside the loader's path: the documented RPATH, from the .pc's libdir.
pc_libdir=$(pkg-config --variable=libdir cnet)
# A cnet.pc that names the configure-time prefix would pick up some other cnet (or none).
[[ " ${cflags[*]} " == *" -I"* ]] || fail "pkg-config --cflags names no include directory"
for flag in "${cflags[@]}" "${libs[@]}" "${static_libs[@]}" "-L$pc_libdir"; do
    case $flag in
    -I* | -L*) [[ $(realpath -m "${flag:2}") == "$p"/* ]] ||
        fail "pkg-config gives $flag, outside the install prefix $p" ;;
    /*) [[ $(realpath -m "$flag") == "$p"/* ]] ||
        fail "pkg-config gives $flag, outside the install prefix $p" ;;
    esac
done
consumer() { cc -std=c11 -Wall -Wextra -Werror "${cflags[@]}" "$src/examples/consumer.c" -o "$@"; }

step "pkg-config, shared"
consumer "$work/consumer_shared" "${libs[@]}"
needs_libcnet "$work/consumer_shared" || fail "consumer_shared does not link libcnet.so"
LD_LIBRARY_PATH=$p/$libdir run "$work/consumer_shared"

step "pkg-config, shared, with -Wl,-rpath from --variable=libdir (no LD_LIBRARY_PATH)"
consumer "$work/consumer_rpath" "${libs[@]}" "-Wl,-rpath,$pc_libdir"
grep -q "PATH.*\[$pc_libdir\]" <<<"$(readelf -d "$work/consumer_rpath")" || fail "consumer_rpath has no RUNPATH $pc_libdir"
loaded=$(env -u LD_LIBRARY_PATH ldd "$work/consumer_rpath" | awk '$1 == "libcnet.so.0" { print $3 }')
[ "$(realpath -ms "$loaded")" = "$(realpath "$p/$libdir")/libcnet.so.0" ] ||
    fail "consumer_rpath loads '$loaded', not $p/$libdir/libcnet.so.0"
env -u LD_LIBRARY_PATH timeout 60 "$work/consumer_rpath" || fail "consumer_rpath exited with $?"

step "pkg-config cnet-static: libcnet.a, no libcnet.so in the dynamic section"
consumer "$work/consumer_static" "${static_libs[@]}"
! needs_libcnet "$work/consumer_static" || fail "consumer_static links libcnet.so, not libcnet.a"
run "$work/consumer_static"

step "CMake find_package(cnet CONFIG)"
cmake -S "$src/examples" -B "$work/cmake" -Dcnet_DIR="$p/$libdir/cmake/cnet" >"$work/cmake.log" ||
    { cat "$work/cmake.log"; fail "configure the CMake consumer"; }
cmake --build "$work/cmake" >>"$work/cmake.log" || { cat "$work/cmake.log"; fail "build the CMake consumer"; }
needs_libcnet "$work/cmake/consumer" || fail "cnet::cnet is not the shared library"
grep -q "PATH.*$p/$libdir" <<<"$(readelf -d "$work/cmake/consumer")" || fail "cnet::cnet does not point into $p"
! needs_libcnet "$work/cmake/consumer_static" || fail "cnet::cnet_static links libcnet.so"
run "$work/cmake/consumer"
run "$work/cmake/consumer_static"

step "ok"
