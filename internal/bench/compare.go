package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/synod-dev/synod/internal/wire"
	"github.com/synod-dev/synod/internal/zkenv"
)

// Target is one server setup of a comparison.
type Target struct {
	Label string
	Kind  zkenv.Kind
	// Nodes is 1 (standalone) or 3 (an ensemble on 127.0.0.1).
	Nodes int
	Extra map[string]string
}

// Targets returns the servers compared for a topology ("standalone" or
// "ensemble3"): Apache ZooKeeper first, then Synod, both with forceSync=yes
// (every acknowledged write fsynced: the same durability) and their data
// folders under one folder (the same disk).
func Targets(topology string) ([]Target, error) {
	nodes := 1
	switch topology {
	case "standalone", "":
	case "ensemble3":
		nodes = 3
	default:
		return nil, fmt.Errorf("bench: unknown topology %q (standalone or ensemble3)", topology)
	}
	sync := map[string]string{"forceSync": "yes"}
	return []Target{
		{Label: "zookeeper", Kind: zkenv.ZooKeeper, Nodes: nodes, Extra: sync},
		{Label: "synod", Kind: zkenv.Synod, Nodes: nodes, Extra: sync},
	}, nil
}

// ErrNoReplication is reported for a Synod ensemble: Synod has no
// replication yet, so there is nothing to start.
var ErrNoReplication = errors.New("synod has no replication yet (3-node ensembles are not implemented); only ZooKeeper's ensemble was measured")

// Case is one comparison: its steps run in order against one fresh server
// (a scale case fills, then reads back, the same tree).
type Case struct {
	Name   string
	Steps  []Config
	Repeat int // 0 for the first run of a case, 1.. for reruns
	// Recover, after the steps, SIGKILLs the server, restarts it on the
	// same data and records (as a "recover" row) the time until it serves
	// again and a getData of the last scale znode succeeds.
	Recover bool
}

// Row is one step of a case measured against one target.
type Row struct {
	Case   string
	Repeat int
	Target string
	Result
	// PeakRSSKiB and CPUSeconds are the server's peak resident set
	// (VmHWM, summed over nodes) and user+system CPU time since it
	// started, read just after the step.
	PeakRSSKiB int64
	CPUSeconds float64
	Err        string `json:",omitempty"`
}

// PlanOptions shape the default comparison.
type PlanOptions struct {
	Base     Config   // sessions, outstanding, keys, duration, warm-up
	Repeats  int      // runs of each headline case (>= 1)
	Sweep    []int    // total outstanding requests for the set/get sweep
	Watchers int      // fanout watchers (and concurrent sessions)
	Scale    []int    // znode counts of the scale runs (none: skipped)
	Rate     float64  // fixed rate of the latency case
	Only     []string // when not empty, only cases whose name has one of these prefixes
}

// sweepShape splits a total number of outstanding requests into sessions
// and requests per session, at most base sessions.
func sweepShape(total, base int) (sessions, per int) {
	sessions = min(total, base)
	return sessions, max(total/sessions, 1)
}

// Plan returns the cases of a comparison, headline cases first.
func Plan(o PlanOptions) []Case {
	b := o.Base
	with := func(f func(*Config)) []Config {
		c := b
		f(&c)
		return []Config{c}
	}
	var cs []Case
	head := []Case{
		{Name: "set 100 B", Steps: with(func(c *Config) { c.Workload, c.ValueSize = "set", 100 })},
		{Name: "set 1 KiB", Steps: with(func(c *Config) { c.Workload, c.ValueSize = "set", 1024 })},
		{Name: "get 100 B", Steps: with(func(c *Config) { c.Workload, c.ValueSize = "get", 100 })},
	}
	for r := range max(o.Repeats, 1) {
		for _, h := range head {
			h.Repeat = r
			cs = append(cs, h)
		}
	}
	cs = append(cs, Case{Name: fmt.Sprintf("set 100 B @%.0f/s", o.Rate), Steps: with(func(c *Config) {
		c.Workload, c.ValueSize, c.Rate = "set", 100, o.Rate
		c.Duration = max(c.Duration, 10*time.Second) // enough samples for p99.9
	})})
	for _, n := range o.Sweep {
		if n == b.Sessions*b.Outstanding {
			continue // the headline case
		}
		s, p := sweepShape(n, b.Sessions)
		for _, w := range []string{"set", "get"} {
			cs = append(cs, Case{Name: fmt.Sprintf("%s 100 B, %d outstanding", w, n), Steps: with(func(c *Config) {
				c.Workload, c.ValueSize, c.Sessions, c.Outstanding = w, 100, s, p
			})})
		}
	}
	for _, w := range []struct {
		name, wl string
		reads    int
	}{{"exists", "exists", 0}, {"create", "create", 0}, {"create-seq", "create-seq", 0}, {"children (100)", "children", 0},
		{"mix 0% reads", "mix", 0}, {"mix 50% reads", "mix", 50}, {"mix 90% reads", "mix", 90}, {"mix 99% reads", "mix", 99}} {
		cs = append(cs, Case{Name: w.name, Steps: with(func(c *Config) {
			c.Workload, c.ValueSize, c.Reads = w.wl, 100, w.reads
			if w.wl == "children" {
				c.Keys = 100
			}
		})})
	}
	cs = append(cs, Case{Name: "ephemeral churn", Steps: with(func(c *Config) { c.Workload, c.ValueSize, c.Outstanding = "churn", 100, 1 })})
	if o.Watchers > 0 {
		cs = append(cs, Case{Name: fmt.Sprintf("fanout %d watchers", o.Watchers), Steps: with(func(c *Config) {
			c.Workload, c.ValueSize, c.Watchers, c.Rounds = "fanout", 100, o.Watchers, 5
		})})
	}
	for _, n := range o.Scale {
		fill, read := b, b
		fill.Workload, fill.ValueSize, fill.Count = "fill", 100, n
		read.Workload, read.ValueSize, read.Count = "readback", 100, n
		cs = append(cs, Case{Name: fmt.Sprintf("scale %dM", n/1_000_000), Steps: []Config{fill, read}, Recover: true})
		if n < 1_000_000 {
			cs[len(cs)-1].Name = fmt.Sprintf("scale %dk", n/1000)
		}
	}
	if len(o.Only) > 0 {
		var keep []Case
		for _, c := range cs {
			for _, p := range o.Only {
				if strings.HasPrefix(c.Name, p) {
					keep = append(keep, c)
					break
				}
			}
		}
		cs = keep
	}
	return cs
}

// Compare runs every case against every target in turn (ZooKeeper, then
// Synod, case by case, so that noise from other load on the machine falls
// on both), each on a fresh server under dir, and returns the rows.
func Compare(ctx context.Context, dir string, targets []Target, cases []Case, log io.Writer) []Row {
	var rows []Row
	for i, cs := range cases {
		for _, t := range targets {
			fmt.Fprintf(log, "[%d/%d] %s (run %d) on %s\n", i+1, len(cases), cs.Name, cs.Repeat+1, t.Label)
			rows = append(rows, runCase(ctx, filepath.Join(dir, fmt.Sprintf("%02d-%s", i, t.Label)), t, cs, log)...)
		}
	}
	return rows
}

// runCase starts the target, runs the case's steps and stops it.
func runCase(ctx context.Context, dir string, t Target, cs Case, log io.Writer) []Row {
	fail := func(err error) []Row {
		fmt.Fprintf(log, "  %s: %v\n", t.Label, err)
		return []Row{{Case: cs.Name, Repeat: cs.Repeat, Target: t.Label, Result: *newResult(cs.Steps[0]), Err: err.Error()}}
	}
	nodes, err := startTarget(ctx, dir, t)
	if err != nil {
		return fail(err)
	}
	defer func() {
		for _, n := range nodes {
			n.stop()
		}
		os.RemoveAll(dir)
	}()
	addrs := make([]string, len(nodes))
	for i, n := range nodes {
		addrs[i] = n.address()
	}
	var rows []Row
	for _, step := range cs.Steps {
		step.Server = strings.Join(addrs, ",")
		r, err := Run(ctx, step)
		row := Row{Case: cs.Name, Repeat: cs.Repeat, Target: t.Label}
		if r != nil {
			row.Result = *r
		} else {
			row.Result = *newResult(step)
		}
		for _, n := range nodes {
			rss, cpu := procStats(n.pid())
			row.PeakRSSKiB += rss
			row.CPUSeconds += cpu
		}
		if err != nil {
			row.Err = err.Error()
			fmt.Fprintf(log, "  %s %s: %v\n", t.Label, step.Workload, err)
		} else {
			fmt.Fprintf(log, "  ")
			r.WriteText(log)
		}
		rows = append(rows, row)
		if err != nil {
			return rows
		}
	}
	if cs.Recover && len(nodes) == 1 {
		last := cs.Steps[len(cs.Steps)-1]
		row := Row{Case: cs.Name, Repeat: cs.Repeat, Target: t.Label, Result: Result{Workload: "recover", Count: last.Count}}
		s, d, err := recoverServer(ctx, nodes[0].(standalone).s, t, scalePath(last.Count-1))
		if s != nil {
			nodes[0] = standalone{s}
			row.PeakRSSKiB, row.CPUSeconds = procStats(s.PID())
		}
		row.Seconds = d.Seconds()
		if err != nil {
			row.Err = err.Error()
			fmt.Fprintf(log, "  %s recover: %v\n", t.Label, err)
		} else {
			fmt.Fprintf(log, "  recovered %d znodes in %.2fs (peak RSS %d KiB)\n", last.Count, row.Seconds, row.PeakRSSKiB)
		}
		rows = append(rows, row)
	}
	return rows
}

// recoverServer SIGKILLs s, restarts it on the same data folder and
// returns the new server and the time from the restart until it serves
// and a getData of path succeeds.
func recoverServer(ctx context.Context, s *zkenv.Server, t Target, path string) (*zkenv.Server, time.Duration, error) {
	s.Kill()
	start := time.Now()
	ns, err := zkenv.Start(ctx, t.Kind, zkenv.Options{DataDir: s.DataDir, Extra: t.Extra})
	if err != nil {
		return nil, time.Since(start), fmt.Errorf("bench: restart %s: %w", t.Label, err)
	}
	for {
		c, err := dialSize(ns.Addr, 4<<10)
		if err == nil {
			code, err := c.call(1, wire.OpGetData, &wire.PathWatchRequest{Path: path})
			c.close()
			if err == nil && code == 0 {
				return ns, time.Since(start), nil
			}
		}
		if time.Since(start) > 10*time.Minute {
			return ns, time.Since(start), fmt.Errorf("bench: %s: getData %s failing after restart", t.Label, path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// process is one running server process of a target.
type process interface {
	address() string
	pid() int
	stop()
}

// standalone is a server started by zkenv.
type standalone struct{ s *zkenv.Server }

func (p standalone) address() string { return p.s.Addr }
func (p standalone) pid() int        { return p.s.PID() }
func (p standalone) stop()           { p.s.Stop() }

// startTarget starts a standalone server or a 3-node ZooKeeper ensemble.
func startTarget(ctx context.Context, dir string, t Target) ([]process, error) {
	if t.Nodes <= 1 {
		s, err := zkenv.Start(ctx, t.Kind, zkenv.Options{DataDir: dir, Extra: t.Extra})
		if err != nil {
			return nil, fmt.Errorf("bench: start %s: %w", t.Label, err)
		}
		return []process{standalone{s}}, nil
	}
	if t.Kind == zkenv.Synod {
		return nil, ErrNoReplication
	}
	return startEnsemble(ctx, dir, t)
}

// procStats reads VmHWM (KiB) and utime+stime (s) of pid, for the whole
// process lifetime.
func procStats(pid int) (int64, float64) {
	var rss int64
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		rss = parseHWM(string(b))
	}
	var cpu float64
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		cpu = parseCPU(string(b), 100)
	}
	return rss, cpu
}

// parseHWM returns VmHWM in KiB from /proc/<pid>/status.
func parseHWM(status string) int64 {
	for _, l := range strings.Split(status, "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return 0
}

// parseCPU returns utime+stime in seconds from /proc/<pid>/stat, whose
// second field (the command) may hold spaces and parentheses.
func parseCPU(stat string, hz float64) float64 {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(stat[i+1:])
	if len(f) <= 12 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	k, _ := strconv.ParseFloat(f[12], 64)
	return (u + k) / hz
}
