package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/synod-dev/synod/internal/bench"
)

func init() {
	register("bench", "pipelined ZooKeeper-protocol load generator; -compare runs it against Apache ZooKeeper and Synod", runBench)
}

func runBench(args []string) error {
	var cfg bench.Config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&cfg.Server, "server", "127.0.0.1:2181", "server host:port (a comma-separated list spreads the sessions)")
	fs.StringVar(&cfg.Workload, "workload", "set", strings.Join(bench.Workloads, ", "))
	fs.IntVar(&cfg.Sessions, "sessions", 8, "number of sessions (churn: workers)")
	fs.IntVar(&cfg.Outstanding, "outstanding", 32, "requests in flight per session")
	fs.IntVar(&cfg.ValueSize, "value-size", 100, "value size in bytes")
	fs.IntVar(&cfg.Keys, "keys", 1000, "number of keys (children: children of /bench)")
	fs.IntVar(&cfg.Reads, "reads", 90, "percent reads for -workload mix")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "measured duration")
	fs.DurationVar(&cfg.Warmup, "warmup", 2*time.Second, "warm-up before measuring")
	fs.Float64Var(&cfg.Rate, "rate", 0, "target ops/s over all sessions (open loop, latency from the intended send time); 0: as fast as possible")
	fs.IntVar(&cfg.Watchers, "watchers", 10000, "watcher sessions of -workload fanout")
	fs.IntVar(&cfg.Rounds, "rounds", 5, "changes (events per watcher) of -workload fanout")
	fs.IntVar(&cfg.Count, "count", 1_000_000, "znodes of -workload fill and readback")
	fs.IntVar(&cfg.Mark, "mark", 1_000_000, "fill and readback report throughput every this many znodes")
	jsonPath := fs.String("json", "", "append the JSON record(s) to this file")
	cpuProfile := fs.String("cpuprofile", "", "write the load generator's CPU profile to this file")
	compare := fs.String("compare", "", "start Apache ZooKeeper and Synod (forceSync=yes) in turn with data under this folder and run the comparison")
	results := fs.String("results", "", "with -compare: write <date>.md, <date>.json and PNG plots into this folder (default: markdown to stdout)")
	topology := fs.String("topology", "standalone", "with -compare: standalone or ensemble3")
	repeats := fs.Int("repeats", 3, "with -compare: runs of the headline set/get cases")
	sweep := fs.String("sweep", "1,8,32,128,256", "with -compare: total outstanding requests of the set/get sweep")
	scale := fs.String("scale", "", "with -compare: znode counts of the scale runs, e.g. 1000000,3000000")
	name := fs.String("name", "", "with -results: base name of the files (default: the UTC date the run started)")
	include := fs.String("include", "", "with -results: comma-separated JSON files of earlier -compare runs whose rows join this report (without -compare: only regenerate the report and plots from them)")
	onlyTargets := fs.String("targets", "", "with -compare: run only these targets (zookeeper, synod; comma-separated)")
	onlyCases := fs.String("only", "", "with -compare: comma-separated case-name prefixes to run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if *compare != "" || (*include != "" && *results != "") {
		return runCompare(cfg, *compare, *results, *name, *include, *topology, *repeats, *sweep, *scale, *onlyCases, *onlyTargets)
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

// ints parses a comma-separated list of integers.
func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("bench: bad number %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func runCompare(base bench.Config, dir, results, name, include, topology string, repeats int, sweep, scale, only, onlyTargets string) error {
	targets, err := bench.Targets(topology)
	if err != nil {
		return err
	}
	if onlyTargets != "" {
		var keep []bench.Target
		for _, t := range targets {
			if strings.Contains(","+onlyTargets+",", ","+t.Label+",") {
				keep = append(keep, t)
			}
		}
		targets = keep
	}
	sw, err := ints(sweep)
	if err != nil {
		return err
	}
	sc, err := ints(scale)
	if err != nil {
		return err
	}
	const rate = 1000
	o := bench.PlanOptions{Base: base, Repeats: repeats, Sweep: sw, Watchers: base.Watchers, Scale: sc, Rate: rate}
	if only != "" {
		o.Only = strings.Split(only, ",")
	}
	rateCase := fmt.Sprintf("set 100 B @%d/s", rate)
	cases := bench.Plan(o)
	start := time.Now()
	var rows []bench.Row
	for _, f := range strings.Split(include, ",") {
		if f == "" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("bench: include: %w", err)
		}
		var more []bench.Row
		if err := json.Unmarshal(b, &more); err != nil {
			return fmt.Errorf("bench: include %s: %w", f, err)
		}
		rows = append(rows, more...)
	}
	if dir != "" {
		rows = append(rows, bench.Compare(context.Background(), dir, targets, cases, os.Stderr)...)
	}
	if results == "" {
		bench.WriteTable(os.Stdout, rows)
		return nil
	}
	if err := os.MkdirAll(results, 0o755); err != nil {
		return err
	}
	date := start.UTC().Format("2006-01-02")
	if name == "" {
		name = date
	}
	elapsed := time.Since(start)
	if dir == "" {
		// Only a report from earlier runs: they are of the named day.
		date, elapsed = name, 0
	}
	prefix := filepath.Join(results, name)
	if topology == "ensemble3" {
		prefix += "-ensemble3"
	}
	js, err := json.MarshalIndent(rows, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(prefix+".json", js, 0o644); err != nil {
		return err
	}
	for _, p := range []string{prefix + "-throughput.png", prefix + "-latency.png"} {
		os.Remove(p) // a plot with no data is not drawn; leave no stale one
	}
	if err := bench.PlotThroughput(rows, prefix+"-throughput.png"); err != nil {
		return err
	}
	if err := bench.PlotLatency(rows, rateCase, prefix+"-latency.png"); err != nil {
		return err
	}
	var plots []string
	for _, p := range []string{prefix + "-throughput.png", prefix + "-latency.png"} {
		if _, err := os.Stat(p); err == nil {
			plots = append(plots, filepath.Base(p))
		}
	}
	f, err := os.Create(prefix + ".md")
	if err != nil {
		return err
	}
	defer f.Close()
	return bench.WriteReport(f, rows, bench.ReportMeta{
		Date: date, Topology: topology, RateCase: rateCase, Elapsed: elapsed,
		Command: "synod " + strings.Join(os.Args[1:], " "),
		Plots:   plots,
	})
}
