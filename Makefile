# Entry points for developers and CI (.ci/run calls `make test`). CMake does the real
# work; this file only fixes the configurations we test and the order they run in.

# Every recipe line fails on the first failing command, pipelines included.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

DEB_PACKAGES := cmake gcc clang make pkg-config libcmocka-dev iproute2 util-linux strace golang-go \
                libclang-rt-14-dev valgrind
# ---- packaging (issue 14): man pages, the Debian packages, the ABI check ----
DEB_PACKAGES += scdoc groff man-db debhelper dpkg-dev build-essential fakeroot lintian git \
                abi-dumper abi-compliance-checker
# ---- cli: test/cli_nc_test.sh drives the CLI against ncat and socat ----
DEB_PACKAGES += ncat socat
# ---- lookups: the resolver's DNS client and the tests' DNS server ----
DEB_PACKAGES += libc-ares-dev dnsmasq-base
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
JOBS ?= 2

# The shipped configuration: optimised (so -Werror sees the optimiser's warnings) with
# symbols. LIBDIR=lib keeps the installed layout PREFIX/lib on every distribution.
RELEASE := -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_LIBDIR=lib
# A second compiler with the sanitizers; Debug keeps the library's asserts on.
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN := -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="$(SANITIZE)"
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

.PHONY: deps build build-asan build-fallbacks test demo cross musl musl-arm64 clean

# Idempotent: apt runs only when a package is missing, so repeat runs cost nothing.
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	    [ "$$(dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null)" = "install ok installed" ] || \
	        missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "deps: installing$$missing"; \
	    $(SUDO) apt-get update; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
	        install -y --no-install-recommends $$missing; \
	fi

build:
	cmake -S . -B build $(RELEASE)
	cmake --build build -j$(JOBS)

build-asan:
	cmake -S . -B build-asan $(ASAN)
	cmake --build build-asan -j$(JOBS)

# darwin's fcntl/pipe/ip_mreq files built into Linux, so the suite runs them too.
build-fallbacks:
	cmake -S . -B build-fallbacks $(ASAN) -DCNET_PORTABLE_FALLBACKS=ON
	cmake --build build-fallbacks -j$(JOBS)

# macOS (x86_64, arm64) and aarch64-musl builds with zig; the whole suite on musl.
cross:
	.ci/cross.sh

musl:
	.ci/musl.sh

# The same suite built for aarch64-linux-musl, run under qemu-aarch64 user emulation
# (installs qemu-user-static), so the aarch64 context switch runs; the tests qemu cannot
# run are listed in .ci/musl.sh, and docs/PLATFORMS.md says what the run proves.
musl-arm64:
	.ci/musl.sh aarch64-linux-musl

# gcc build + tests, clang sanitizer build + tests, then the installed tree as a user
# sees it. Sub-makes keep the order even under `make -j`.
test: deps
	$(MAKE) --no-print-directory build
	ctest --test-dir build --output-on-failure --no-tests=error -j$(JOBS)
	$(MAKE) --no-print-directory build-asan
	$(ASAN_ENV) ctest --test-dir build-asan --output-on-failure --no-tests=error -j$(JOBS)
	$(MAKE) --no-print-directory build-fallbacks
	$(ASAN_ENV) ctest --test-dir build-fallbacks --output-on-failure --no-tests=error -j$(JOBS)
	test/install_check.sh build
	p=$$(mktemp -d /tmp/cnet-prefix.XXXXXX); trap 'rm -rf "$$p"' EXIT; \
	    cmake --install build --prefix "$$p" >/dev/null; test/examples_check.sh "$$p"
	.ci/deb.sh
	$(MAKE) --no-print-directory cross
	$(MAKE) --no-print-directory musl
	$(MAKE) --no-print-directory musl-arm64
	.ci/reliability.sh

demo: deps
	$(MAKE) --no-print-directory build
	build/tools/cnet demo

clean:
	rm -rf build build-asan build-fallbacks build-cross build-musl build-musl-aarch64 build-reliability*

# `make bench`: cnet against Go, libuv and the epoll floor (not part of `make test`).
include bench/bench.mk
