package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/synod-dev/synod/internal/zkenv"
)

// Target is one server setup of a comparison.
type Target struct {
	Label string
	Kind  zkenv.Kind
	Extra map[string]string
}

// DefaultTargets: ZooKeeper with and without fsync, and Synod (in memory
// until its storage is wired in).
var DefaultTargets = []Target{
	{Label: "zk-fsync", Kind: zkenv.ZooKeeper},
	{Label: "zk-nofsync", Kind: zkenv.ZooKeeper, Extra: map[string]string{"forceSync": "no"}},
	{Label: "synod-mem", Kind: zkenv.Synod},
}

// Row is one workload measured against one target.
type Row struct {
	Target string
	Result
	PeakRSSKiB int64
	CPUSeconds float64
}

// Compare runs every workload against every target, each on a fresh server
// under dir, and returns the rows.
func Compare(ctx context.Context, dir string, targets []Target, workloads []Config, log io.Writer) ([]Row, error) {
	var rows []Row
	for _, t := range targets {
		for _, w := range workloads {
			s, err := zkenv.Start(ctx, t.Kind, zkenv.Options{DataDir: fmt.Sprintf("%s/%s-%s-%d", dir, t.Label, w.Workload, time.Now().UnixNano()), Extra: t.Extra})
			if err != nil {
				return rows, fmt.Errorf("bench: start %s: %w", t.Label, err)
			}
			w.Server = s.Addr
			r, err := Run(ctx, w)
			rss, cpu := procStats(s.PID())
			s.Stop()
			if err != nil {
				fmt.Fprintf(log, "%s %s: %v\n", t.Label, w.Workload, err)
				continue
			}
			fmt.Fprintf(log, "%s: ", t.Label)
			r.WriteText(log)
			rows = append(rows, Row{Target: t.Label, Result: *r, PeakRSSKiB: rss, CPUSeconds: cpu})
		}
	}
	return rows, nil
}

// procStats reads VmHWM (KiB) and utime+stime (s) of pid, for the whole
// process lifetime.
func procStats(pid int) (int64, float64) {
	var rss int64
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
				rss, _ = strconv.ParseInt(f[1], 10, 64)
			}
		}
	}
	var cpu float64
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i > 0 {
			f := strings.Fields(s[i+1:])
			if len(f) > 13 {
				u, _ := strconv.ParseFloat(f[11], 64)
				k, _ := strconv.ParseFloat(f[12], 64)
				cpu = (u + k) / 100
			}
		}
	}
	return rss, cpu
}

// WriteMarkdown writes a table of every row, ratios against the first target.
func WriteMarkdown(w io.Writer, rows []Row) {
	fmt.Fprintln(w, "| target | workload | value | sessions x outstanding | ops/s | ratio vs first | p50 us | p99 us | p99.9 us | errors | peak RSS MiB | CPU s |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	base := map[string]float64{}
	for _, r := range rows {
		k := fmt.Sprintf("%s/%d/%d/%d", r.Workload, r.ValueSize, r.Sessions, r.Outstanding)
		if _, ok := base[k]; !ok {
			base[k] = r.OpsPerSec
		}
		ratio := 0.0
		if base[k] > 0 {
			ratio = r.OpsPerSec / base[k]
		}
		fmt.Fprintf(w, "| %s | %s | %d B | %dx%d | %.0f | %.2f | %d | %d | %d | %d | %.0f | %.1f |\n",
			r.Target, r.Workload, r.ValueSize, r.Sessions, r.Outstanding, r.OpsPerSec, ratio, r.P50us, r.P99us, r.P999us, r.Errors, float64(r.PeakRSSKiB)/1024, r.CPUSeconds)
	}
}
