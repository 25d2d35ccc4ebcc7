# `make bench` (included by the top-level Makefile): cnet against Go's net, libuv and
# the bare system-call floor. Not part of `make test`; see bench/README.md.
.PHONY: bench
bench:
	bash bench/run.sh
