# `make bench` (included by the top-level Makefile): cnet against Go's net, libuv and
# the bare system-call floor. Not part of `make test`; see bench/README.md.
.PHONY: bench
bench:
	bash bench/run.sh

# ---- message I/O: datagrams ----
# UDP datagrams/s one per call vs batched vs batched + GSO, against the floor's sendto
# loop and Go's WriteTo (bench/udp.sh). `make bench-udp` runs it alone.
.PHONY: bench-udp
bench: bench-udp
bench-udp:
	bash bench/udp.sh
