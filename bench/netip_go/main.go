// The Go side of bench/netip.c: netip.ParseAddr over the same addresses, the best of
// several runs in nanoseconds per parse. Standard library only.
//
//	netip_go ROUNDS    prints "<kind> <ns per parse>" for each kind of address
package main

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"time"
)

var inputs = []struct{ kind, text string }{
	{"v4", "192.168.100.200"},
	{"v6", "2001:db8:85a3::8a2e:370:7334"},
	{"v6-full", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"},
	{"v6-zone", "fe80::1ff:fe23:4567:890a%eth0"},
	{"v4in6", "::ffff:192.0.2.128"},
	{"invalid", "1.2.3.256"},
}

const runs = 5

var sink int

func main() {
	rounds := 1000000
	if len(os.Args) > 1 {
		rounds, _ = strconv.Atoi(os.Args[1])
	}
	for _, in := range inputs {
		best := 0.0
		for run := 0; run < runs; run++ {
			t0 := time.Now()
			for i := 0; i < rounds; i++ {
				a, err := netip.ParseAddr(in.text)
				if err != nil {
					sink += len(err.Error()) // Go builds its message when asked; cnet always does
				}
				sink += int(a.BitLen())
			}
			ns := float64(time.Since(t0).Nanoseconds()) / float64(rounds)
			if run == 0 || ns < best {
				best = ns
			}
		}
		fmt.Printf("%s %.1f\n", in.kind, best)
	}
	if sink == 42 {
		os.Exit(1)
	}
}
