package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/synod-dev/synod/internal/bench"
)

func init() {
	register("bench", "pipelined ZooKeeper-protocol load generator", runBench)
}

func runBench(args []string) error {
	var cfg bench.Config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&cfg.Server, "server", "127.0.0.1:2181", "server host:port")
	fs.StringVar(&cfg.Workload, "workload", "set", "set, get, exists, create or mix")
	fs.IntVar(&cfg.Sessions, "sessions", 8, "number of sessions")
	fs.IntVar(&cfg.Outstanding, "outstanding", 32, "requests in flight per session")
	fs.IntVar(&cfg.ValueSize, "value-size", 100, "value size in bytes")
	fs.IntVar(&cfg.Keys, "keys", 1000, "number of keys")
	fs.IntVar(&cfg.Reads, "reads", 90, "percent reads for -workload mix")
	fs.DurationVar(&cfg.Duration, "duration", 10e9, "measured duration")
	fs.DurationVar(&cfg.Warmup, "warmup", 2e9, "warm-up before measuring")
	jsonPath := fs.String("json", "", "append a JSON record to this file")
	compare := fs.String("compare", "", "start ZooKeeper (fsync on/off) and Synod in turn under this folder, run set and get on each, print a markdown table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *compare != "" {
		var ws []bench.Config
		for _, wl := range []string{"set", "get"} {
			for _, vs := range []int{100, 1024} {
				c := cfg
				c.Workload, c.ValueSize = wl, vs
				ws = append(ws, c)
			}
		}
		rows, err := bench.Compare(context.Background(), *compare, bench.DefaultTargets, ws, os.Stderr)
		bench.WriteMarkdown(os.Stdout, rows)
		return err
	}
	r, err := bench.Run(context.Background(), cfg)
	if err != nil {
		return err
	}
	r.WriteText(os.Stdout)
	if *jsonPath != "" {
		f, err := os.OpenFile(*jsonPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("bench: open %s: %w", *jsonPath, err)
		}
		defer f.Close()
		return r.WriteJSON(f)
	}
	return nil
}
