// Command paxos-sim runs the deterministic Multi-Paxos simulator over many
// seeds. Its last line is "N passed, M failed"; each failure prints its
// seed and the command that replays it.
//
//	paxos-sim -seeds 200            # seeds 1..200
//	paxos-sim -seed 12345 -v        # replay one seed with a trace
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/synod-dev/synod/internal/sim"
)

func main() {
	seeds := flag.Int("seeds", 200, "run seeds first..first+seeds-1")
	first := flag.Uint64("first", 1, "first seed of a -seeds run")
	seed := flag.Uint64("seed", 0, "run only this seed")
	nodes := flag.Int("nodes", 0, "voters: 3, 5 or 7 (default: drawn from the seed)")
	verbose := flag.Bool("v", false, "print the trace of each run")
	par := flag.Int("p", min(runtime.GOMAXPROCS(0), 2), "seeds run in parallel")
	flag.Parse()
	if *nodes != 0 && *nodes != 3 && *nodes != 5 && *nodes != 7 {
		fmt.Fprintln(os.Stderr, "paxos-sim: -nodes must be 3, 5 or 7")
		os.Exit(2)
	}
	list := []uint64{*seed}
	if *seed == 0 {
		list = list[:0]
		for i := 0; i < *seeds; i++ {
			list = append(list, *first+uint64(i))
		}
	}
	if *verbose {
		*par = 1
	}
	start := time.Now()
	type outcome struct {
		seed uint64
		cfg  sim.Config
		res  sim.Result
	}
	results := make([]outcome, len(list))
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < max(*par, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				cfg := sim.RandomConfig(list[i], *nodes)
				if *verbose {
					cfg.Log = os.Stdout
				}
				results[i] = outcome{list[i], cfg, sim.New(cfg).Run()}
			}
		}()
	}
	for i := range list {
		work <- i
	}
	close(work)
	wg.Wait()
	passed, failed := 0, 0
	var slots uint64
	var ops, msgs, crashes, changes, snaps int
	for _, o := range results {
		slots += o.res.Chosen
		ops += o.res.Ops
		msgs += o.res.Messages
		crashes += o.res.Crashes
		changes += o.res.Changes
		snaps += o.res.Snapshots
		if o.res.Err == nil {
			passed++
			if *verbose || len(list) == 1 {
				fmt.Printf("seed %d ok: %d slots chosen, %d client ops, %d messages, %d crashes, %d changes, %d snapshots installed\n",
					o.seed, o.res.Chosen, o.res.Ops, o.res.Messages, o.res.Crashes, o.res.Changes, o.res.Snapshots)
			}
			continue
		}
		failed++
		nodeFlag := ""
		if *nodes != 0 {
			nodeFlag = fmt.Sprintf(" -nodes %d", *nodes)
		}
		fmt.Printf("FAIL seed %d (%s): %v\n  replay: go run ./internal/sim/cmd/paxos-sim -seed %d%s -v\n",
			o.seed, o.cfg, o.res.Err, o.seed, nodeFlag)
	}
	fmt.Fprintf(os.Stderr, "%d seeds in %s: %d slots chosen, %d client ops, %d messages, %d crashes, %d membership changes proposed, %d snapshots installed from peers\n",
		len(list), time.Since(start).Round(time.Millisecond), slots, ops, msgs, crashes, changes, snaps)
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
