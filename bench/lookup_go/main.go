// The Go side of bench/lookup.c, standard library only: N lookups one after another with
// the default resolver (on Linux with "hosts: files dns", Go's own), and the rate.
//
//	lookup_go host NAME N    net.LookupHost
//	lookup_go mx NAME N      net.LookupMX
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) != 4 || (os.Args[1] != "host" && os.Args[1] != "mx") {
		fmt.Fprintln(os.Stderr, "usage: lookup_go host|mx NAME N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[3])
	if err != nil || n <= 0 {
		fmt.Fprintln(os.Stderr, "usage: lookup_go host|mx NAME N")
		os.Exit(2)
	}
	name := os.Args[2]
	t0 := time.Now()
	for i := 0; i < n; i++ {
		if os.Args[1] == "mx" {
			_, err = net.LookupMX(name)
		} else {
			_, err = net.LookupHost(name)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "lookup:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("%.0f\n", float64(n)/time.Since(t0).Seconds())
}
