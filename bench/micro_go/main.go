// The Go side of bench/micro_tasks.c, standard library only; run with GOMAXPROCS=1.
//
//	micro_go switch M    two goroutines, each calling runtime.Gosched M times: every
//	                     call switches to the other. Prints nanoseconds per switch.
//	micro_go spawn K B   K goroutines, B at a time (1 <= B <= 1000): go func() {
//	                     wg.Done() }(), then wg.Wait() for the batch. Prints
//	                     nanoseconds per goroutine.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

const maxBatch = 1000

func switches(m int) float64 {
	var wg sync.WaitGroup
	t0 := time.Now()
	wg.Add(2)
	for g := 0; g < 2; g++ {
		go func() {
			for i := 0; i < m; i++ {
				runtime.Gosched()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	return float64(time.Since(t0).Nanoseconds()) / float64(2*m)
}

func spawns(k, batch int) float64 {
	var wg sync.WaitGroup
	t0 := time.Now()
	for b := 0; b < k/batch; b++ {
		wg.Add(batch)
		for i := 0; i < batch; i++ {
			go func() { wg.Done() }()
		}
		wg.Wait()
	}
	return float64(time.Since(t0).Nanoseconds()) / float64(k/batch*batch)
}

func main() {
	n, b := 0, 0
	if len(os.Args) >= 3 {
		n, _ = strconv.Atoi(os.Args[2])
	}
	if len(os.Args) == 4 {
		b, _ = strconv.Atoi(os.Args[3])
	}
	switch {
	case len(os.Args) == 3 && n >= 1 && os.Args[1] == "switch":
		fmt.Printf("%.1f\n", switches(n))
	case len(os.Args) == 4 && b >= 1 && b <= maxBatch && n >= b && os.Args[1] == "spawn":
		fmt.Printf("%.1f\n", spawns(n, b))
	default:
		fmt.Fprintf(os.Stderr, "usage: micro_go switch N | spawn N BATCH   (1 <= BATCH <= %d <= N)\n", maxBatch)
		os.Exit(2)
	}
}
