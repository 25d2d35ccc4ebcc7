// Go's side of bench/udp.sh: N datagrams of 1,200 bytes with UDPConn.WriteTo, one per
// call, to a bound socket nobody reads. Prints "go-write-to datagrams/s".
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	sink, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer sink.Close()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer pc.Close()
	payload := make([]byte, 1200)
	to := sink.LocalAddr()
	t0 := time.Now()
	for i := 0; i < n; i++ {
		if _, err := pc.WriteTo(payload, to); err != nil {
			panic(err)
		}
	}
	fmt.Printf("go-write-to %.0f\n", float64(n)/time.Since(t0).Seconds())
}
