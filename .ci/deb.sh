#!/usr/bin/env bash
# Builds the Debian packages (libcnet0, libcnet-dev, cnet) from a clean copy of the tree
# with dpkg-buildpackage, holds them to lintian (no error, no warning), installs them
# with apt-get, builds and runs examples/consumer.c against them through pkg-config
# (shared, and cnet-static) and CMake's find_package, checks the manual pages and the
# CLI, then purges them. The copy is HEAD plus uncommitted changes to tracked files
# (git stash create): untracked files are not packaged. Needs root (apt-get), as CI is.
# Usage: .ci/deb.sh
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/cnet-deb.XXXXXX)
pkgs=(cnet libcnet-dev libcnet0)
installed=0

fail() { echo "deb: FAIL: $*" >&2; exit 1; }
step() { echo "deb: $*"; }
apt() { env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y "$@"; }
cleanup() {
    if [ "$installed" = 1 ]; then
        apt purge "${pkgs[@]}" >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; echo "deb: purge failed" >&2; }
    fi
    rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "needs root (apt-get install, apt-get purge)"
# Never purge a copy somebody installed for real.
for p in "${pkgs[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ] ||
        fail "$p is installed already; this check installs and purges its own copy"
done

step "clean copy of the tree"
rev=$(git -C "$src" stash create)
git -C "$src" archive --prefix=cnet/ "${rev:-HEAD}" | tar -x -C "$work"

step "dpkg-buildpackage -us -uc -b"
(cd "$work/cnet" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 ||
    { tail -60 "$work/build.log" >&2; fail "dpkg-buildpackage (log above)"; }
changes=$(ls "$work"/cnet_*.changes)
for p in "${pkgs[@]}"; do ls "$work/${p}"_*.deb >/dev/null || fail "no ${p} package built"; done

step "lintian"
lintian --fail-on error,warning --tag-display-limit 0 "$changes" >"$work/lintian.log" 2>&1 ||
    { cat "$work/lintian.log" >&2; fail "lintian reports errors or warnings"; }
cat "$work/lintian.log"

step "apt-get install ./*.deb"
installed=1
apt install --no-install-recommends "$work/cnet_"*.deb "$work/libcnet0_"*.deb "$work/libcnet-dev_"*.deb >"$work/install.log" 2>&1 ||
    { cat "$work/install.log" >&2; fail "apt-get install"; }

# The consumer runs bounded: a library bug that blocks must fail, not hang CI.
run() { timeout 60 env -u LD_LIBRARY_PATH "$@" || fail "$* exited with $?"; }
needs_libcnet() { grep -q 'NEEDED.*\[libcnet\.so' <<<"$(readelf -d "$1")"; }
consumer() { cc -std=c11 -Wall -Wextra -Werror "$src/examples/consumer.c" -o "$@"; }

step "pkg-config cnet (shared, from /usr, no LD_LIBRARY_PATH)"
read -ra flags <<<"$(pkg-config --cflags --libs cnet)"
consumer "$work/consumer_shared" "${flags[@]}"
grep -q 'NEEDED.*\[libcnet\.so\.0\]' <<<"$(readelf -d "$work/consumer_shared")" ||
    fail "consumer_shared does not need libcnet.so.0"
loaded=$(env -u LD_LIBRARY_PATH ldd "$work/consumer_shared" | awk '$1 == "libcnet.so.0" { print $3 }')
[ "$(realpath -ms "$loaded")" -ef "$(dpkg -L libcnet0 | grep '/libcnet\.so\.0$')" ] ||
    fail "consumer_shared loads '$loaded', not libcnet0's libcnet.so.0"
run "$work/consumer_shared"

step "pkg-config cnet-static"
read -ra flags <<<"$(pkg-config --cflags --libs cnet-static)"
consumer "$work/consumer_static" "${flags[@]}"
! needs_libcnet "$work/consumer_static" || fail "consumer_static needs libcnet.so"
run "$work/consumer_static"

step "CMake find_package(cnet CONFIG)"
cmake -S "$src/examples" -B "$work/cmake" >"$work/cmake.log" 2>&1 &&
    cmake --build "$work/cmake" --target consumer consumer_static >>"$work/cmake.log" 2>&1 ||
    { cat "$work/cmake.log" >&2; fail "the CMake consumer against the packages"; }
needs_libcnet "$work/cmake/consumer" || fail "cnet::cnet is not the shared library"
! needs_libcnet "$work/cmake/consumer_static" || fail "cnet::cnet_static needs libcnet.so"
run "$work/cmake/consumer"
run "$work/cmake/consumer_static"

step "manual pages and the CLI"
fns=$(sed -n 's/^CNET_EXTERN .*[ *]\(cnet_[a-z0-9_]*\)(.*/\1/p' /usr/include/cnet.h)
dev_files=$(dpkg-deb -c "$work"/libcnet-dev_*.deb)
for fn in $fns cnet; do
    grep -q "/usr/share/man/man3/$fn\.3\.gz" <<<"$dev_files" || fail "libcnet-dev has no man3/$fn.3.gz"
done
grep -q '/usr/share/man/man1/cnet\.1\.gz' <<<"$(dpkg-deb -c "$work"/cnet_*.deb)" || fail "cnet has no cnet.1.gz"
# A minimized system (dpkg path-exclude) drops the pages at install: the contents above
# are then the proof; otherwise man(1) must find each one by name.
if [ -e /usr/share/man/man3/cnet.3.gz ]; then
    for fn in $fns; do
        page=$(man -w 3 "$fn" 2>&1) || fail "man 3 $fn: $page"
    done
    man -w 1 cnet >/dev/null || fail "no cnet(1)"
    grep -q 'cnet_dial_with' <<<"$(MANWIDTH=80 man 3 cnet_dial_with 2>/dev/null)" || fail "man 3 cnet_dial_with"
else
    echo "deb: this system excludes /usr/share/man from packages; checked the packages' contents only"
fi
run /usr/bin/cnet sockopts >/dev/null
if [ -f "$src/tools/cnet.bash-completion" ]; then
    [ -f /usr/share/bash-completion/completions/cnet ] || fail "the bash completion is not installed"
fi

step "apt-get purge"
installed=0
apt purge "${pkgs[@]}" >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "apt-get purge"; }
[ ! -e /usr/include/cnet.h ] || fail "/usr/include/cnet.h is left after the purge"
step "ok: $(cd "$work" && echo *.deb)"
