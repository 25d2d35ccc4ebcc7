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
# ---- lookups: lookups per second from /etc/hosts and from a local dnsmasq, cnet vs Go ----
.PHONY: bench-lookup
bench: bench-lookup
bench-lookup:
	bash bench/lookup.sh
# ---- message I/O: datagrams ----
# UDP datagrams/s one per call vs batched vs batched + GSO, against the floor's sendto
# loop and Go's WriteTo (bench/udp.sh). `make bench-udp` runs it alone.
.PHONY: bench-udp
bench: bench-udp
bench-udp:
	bash bench/udp.sh
# ---- message I/O: streams and unix ----
# splice and sendfile against read/write copies (bench/copy.sh, bench/results/copy.md);
# `make bench` runs it too.
.PHONY: bench-copy
bench: bench-copy
bench-copy:
	bash bench/copy.sh
# ---- end of message I/O: streams and unix ----
