// The Go server: the standard library only, written the way Go servers are written
// (a goroutine per connection, io in plain Read/Write calls).
//
//	srv_go accept|echo|bulk     listen on 127.0.0.1:0, print "PORT PID", serve
//	srv_go dial PORT N          N x (net.Dial, SetLinger(0), Close); dials per second
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

const (
	echoSize  = 64
	bulkChunk = 1 << 20
)

func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, echoSize)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
	}
}

func bulk(c net.Conn) {
	defer c.Close()
	buf := make([]byte, bulkChunk)
	for {
		if _, err := c.Write(buf); err != nil {
			return
		}
	}
}

func serve(mode string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "srv_go:", err)
		os.Exit(1)
	}
	fmt.Printf("%d %d\n", ln.Addr().(*net.TCPAddr).Port, os.Getpid())
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "srv_go:", err)
			os.Exit(1)
		}
		switch mode {
		case "accept":
			c.Close()
		case "echo":
			go echo(c)
		case "bulk":
			go bulk(c)
		}
	}
}

// cpuMicros is the CPU time of the whole process (every thread) so far.
func cpuMicros() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e3
}

func dial(port string, n int) {
	addr := "127.0.0.1:" + port
	t0, c0 := time.Now(), cpuMicros()
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "srv_go:", err)
			os.Exit(1)
		}
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}
	fmt.Printf("%.1f %.3f\n", float64(n)/time.Since(t0).Seconds(), (cpuMicros()-c0)/float64(n))
}

func main() {
	switch {
	case len(os.Args) == 4 && os.Args[1] == "dial":
		n, _ := strconv.Atoi(os.Args[3])
		dial(os.Args[2], n)
	case len(os.Args) == 2 && (os.Args[1] == "accept" || os.Args[1] == "echo" || os.Args[1] == "bulk"):
		serve(os.Args[1])
	default:
		fmt.Fprintln(os.Stderr, "usage: srv_go accept|echo|bulk | dial PORT N")
		os.Exit(2)
	}
}
