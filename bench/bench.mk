# `make bench` (included by the top-level Makefile): cnet against Go's net, libuv and
# the bare system-call floor. Not part of `make test`; see bench/README.md.
.PHONY: bench
bench:
	bash bench/run.sh

# ---- message I/O: streams and unix ----
# splice and sendfile against read/write copies (bench/copy.sh, bench/results/copy.md);
# `make bench` runs it too.
.PHONY: bench-copy
bench: bench-copy
bench-copy:
	bash bench/copy.sh
# ---- end of message I/O: streams and unix ----
