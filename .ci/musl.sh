#!/usr/bin/env bash
# Builds cnet and its whole test suite against musl (Zig 0.11's x86_64-linux-musl,
# statically linked) and runs the suite here, as `make test` runs it against glibc.
#
#   .ci/musl.sh            build tree: build-musl/
#
# The tests need cmocka, and Debian's libcmocka is built for glibc. So cmocka is
# compiled for musl from Debian's own source package (apt-get source, the deb-src
# twin of the configured Debian mirror), in a cache outside the repository; nothing
# of it is vendored. Needs root the first time (deb-src entry, apt-get update).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-linux-musl
BUILD=${CNET_MUSL_BUILD:-build-musl}
JOBS=${JOBS:-2}

ZIG=$(.ci/zig.sh)
CACHE=$(dirname "$(dirname "$(dirname "$ZIG")")")
export ZIG_GLOBAL_CACHE_DIR=$CACHE/zig-cache ZIG_LOCAL_CACHE_DIR=$CACHE/zig-cache
CMOCKA=$CACHE/cmocka-$TARGET
# One cmocka build per checkout: its CMake cache names this checkout's toolchain file.
CMOCKA_BUILD=$CMOCKA/build-$(printf '%s' "$PWD" | cksum | cut -d' ' -f1)
TOOLCHAIN=(-DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchain-zig.cmake" -DZIG="$ZIG"
           -DZIG_TARGET="$TARGET" -DCMAKE_BUILD_TYPE=RelWithDebInfo)

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

start=$SECONDS
src=$(fetch_cmocka_source)
build_cmocka "$src"
cmocka_s=$((SECONDS - start))

start=$SECONDS
cmake -S . -B "$BUILD" "${TOOLCHAIN[@]}" -DCNET_BUILD_TESTS=ON \
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

start=$SECONDS
ctest --test-dir "$BUILD" --output-on-failure --no-tests=error -j"$JOBS"
echo "musl.sh: cmocka ${cmocka_s} s, build ${build_s} s, tests $((SECONDS - start)) s"
