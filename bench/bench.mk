# `make bench` (included by the top-level Makefile): cnet against Go's net, libuv and
# the bare system-call floor. Not part of `make test`; see bench/README.md.
.PHONY: bench
bench:
	bash bench/run.sh

# ---- addresses and interfaces ---- address parsing against Go's netip.ParseAddr
# (seconds, not minutes; not part of `make bench`'s report).
.PHONY: bench-netip
bench-netip:
	bash bench/netip.sh
