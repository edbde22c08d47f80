package bench

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Labels of the compared targets in rows.
const (
	labelZK    = "zookeeper"
	labelSynod = "synod"
)

// pair is one case step measured on both targets.
type pair struct {
	key     string
	zk, syn *Row
}

// stepKey identifies a case step across targets.
func stepKey(r *Row) string {
	return fmt.Sprintf("%s|%d|%s|%dx%d", r.Case, r.Repeat, r.Workload, r.Sessions, r.Outstanding)
}

// pairs groups rows by case step in order of first appearance.
func pairs(rows []Row) []pair {
	var out []pair
	idx := map[string]int{}
	for i := range rows {
		r := &rows[i]
		k := stepKey(r)
		j, ok := idx[k]
		if !ok {
			j = len(out)
			idx[k] = j
			out = append(out, pair{key: k})
		}
		switch r.Target {
		case labelZK:
			out[j].zk = r
		case labelSynod:
			out[j].syn = r
		}
	}
	return out
}

// ratio is a/b, or 0 when either is missing.
func ratio(a, b float64) float64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	return a / b
}

// median of xs (0 for none).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(us int64) string { return fmt.Sprintf("%.1f", float64(us)/1000) }

func fmtRatio(x float64) string {
	if x == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}

// shape describes a step's load.
func shape(r *Row) string {
	switch {
	case r.Watchers > 0:
		return fmt.Sprintf("%d sessions", r.Watchers)
	case r.Workload == "churn":
		return fmt.Sprintf("%d workers", r.Sessions)
	case r.Rate > 0:
		return fmt.Sprintf("%dx%d, %.0f/s", r.Sessions, r.Outstanding, r.Rate)
	}
	return fmt.Sprintf("%dx%d", r.Sessions, r.Outstanding)
}

// WriteTable writes one markdown line per case step with both targets'
// figures and their ratio (Synod / ZooKeeper).
func WriteTable(w io.Writer, rows []Row) {
	fmt.Fprintln(w, "| case | run | load (sessions x outstanding) | ZK ops/s | Synod ops/s | ratio | ZK p50 / p99 / p99.9 / max ms | Synod p50 / p99 / p99.9 / max ms | p99 ratio | ZK errors | Synod errors | ZK peak RSS MiB / CPU s | Synod peak RSS MiB / CPU s |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, p := range pairs(rows) {
		ref := p.zk
		if ref == nil {
			ref = p.syn
		}
		cell := func(r *Row, f func(*Row) string) string {
			if r == nil {
				return "–"
			}
			if r.Err != "" && r.Ops == 0 {
				if r.Err == ErrNoReplication.Error() {
					return "n/a"
				}
				return "failed"
			}
			return f(r)
		}
		ops := func(r *Row) string { return fmt.Sprintf("%.0f", r.OpsPerSec) }
		lat := func(r *Row) string {
			return fmt.Sprintf("%s / %s / %s / %s", ms(r.P50us), ms(r.P99us), ms(r.P999us), ms(r.MaxUs))
		}
		errs := func(r *Row) string { return fmt.Sprint(r.Errors) }
		res := func(r *Row) string { return fmt.Sprintf("%.0f / %.1f", float64(r.PeakRSSKiB)/1024, r.CPUSeconds) }
		var or, lr float64
		if p.zk != nil && p.syn != nil {
			or = ratio(p.syn.OpsPerSec, p.zk.OpsPerSec)
			lr = ratio(float64(p.syn.P99us), float64(p.zk.P99us))
		}
		name := ref.Case
		switch ref.Workload {
		case "fill", "readback":
			name += " " + ref.Workload
		case "recover":
			// Recovery: the time to serve again, not a throughput.
			secs := func(r *Row) string {
				if r == nil {
					return "–"
				}
				if r.Err != "" {
					return fmt.Sprintf("failed after %.0f s", r.Seconds)
				}
				return fmt.Sprintf("%.2f s", r.Seconds)
			}
			or = 0
			if p.zk != nil && p.syn != nil && p.zk.Err == "" && p.syn.Err == "" {
				or = ratio(p.syn.Seconds, p.zk.Seconds)
			}
			fmt.Fprintf(w, "| %s restart after SIGKILL | %d | %d znodes | %s | %s | %s | – | – | – | – | – | %s | %s |\n",
				name, ref.Repeat+1, ref.Count, secs(p.zk), secs(p.syn), fmtRatio(or), cell(p.zk, res), cell(p.syn, res))
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			name, ref.Repeat+1, shape(ref), cell(p.zk, ops), cell(p.syn, ops), fmtRatio(or),
			cell(p.zk, lat), cell(p.syn, lat), fmtRatio(lr), cell(p.zk, errs), cell(p.syn, errs), cell(p.zk, res), cell(p.syn, res))
	}
}

// Verdict is one of the targets judged on a run.
type Verdict struct {
	Target   string
	Goal     string
	Measured string
	Ratio    float64
	// Met is "met", "missed" or "not measured".
	Met string
}

// find returns the rows of a target whose case and workload match.
func find(rows []Row, target, cs, workload string) []*Row {
	var out []*Row
	for i := range rows {
		r := &rows[i]
		if r.Target == target && r.Case == cs && r.Workload == workload && r.Err == "" {
			out = append(out, r)
		}
	}
	return out
}

// medianOf is the median of f over rows.
func medianOf(rs []*Row, f func(*Row) float64) float64 {
	var xs []float64
	for _, r := range rs {
		xs = append(xs, f(r))
	}
	return median(xs)
}

// judge fills Met from a ratio and a bound.
func judge(v Verdict, atLeast bool, bound float64) Verdict {
	switch {
	case v.Ratio == 0:
		v.Met = "not measured"
	case atLeast && v.Ratio >= bound, !atLeast && v.Ratio <= bound:
		v.Met = "met"
	default:
		v.Met = "missed"
	}
	return v
}

// Verdicts judges the targets on rows (medians over repeats).
// rateCase names the fixed-rate latency case.
func Verdicts(rows []Row, rateCase string) []Verdict {
	var out []Verdict
	thr := func(cs, wl, goal string, bound float64) {
		z := medianOf(find(rows, labelZK, cs, wl), func(r *Row) float64 { return r.OpsPerSec })
		s := medianOf(find(rows, labelSynod, cs, wl), func(r *Row) float64 { return r.OpsPerSec })
		n := len(find(rows, labelSynod, cs, wl))
		v := Verdict{Target: cs + " throughput", Goal: goal, Ratio: ratio(s, z),
			Measured: fmt.Sprintf("Synod %.0f vs ZK %.0f ops/s (median of %d)", s, z, n)}
		out = append(out, judge(v, true, bound))
	}
	thr("set 100 B", "set", ">= 2x", 2)
	thr("set 1 KiB", "set", ">= 2x", 2)
	thr("get 100 B", "get", ">= 1.5x", 1.5)
	z := medianOf(find(rows, labelZK, rateCase, "set"), func(r *Row) float64 { return float64(r.P99us) })
	s := medianOf(find(rows, labelSynod, rateCase, "set"), func(r *Row) float64 { return float64(r.P99us) })
	out = append(out, judge(Verdict{Target: "p99 write latency " + strings.TrimPrefix(rateCase, "set 100 B "), Goal: "<= 0.5x", Ratio: ratio(s, z),
		Measured: fmt.Sprintf("Synod %.1f ms vs ZK %.1f ms", s/1000, z/1000)}, false, 0.5))
	zr := medianOf(find(rows, labelZK, "scale 1M", "readback"), func(r *Row) float64 { return float64(r.PeakRSSKiB) })
	sr := medianOf(find(rows, labelSynod, "scale 1M", "readback"), func(r *Row) float64 { return float64(r.PeakRSSKiB) })
	out = append(out, judge(Verdict{Target: "peak server memory at 1M znodes", Goal: "<= 0.33x", Ratio: ratio(sr, zr),
		Measured: fmt.Sprintf("Synod %.0f MiB vs ZK %.0f MiB", sr/1024, zr/1024)}, false, 0.33))
	zs := medianOf(find(rows, labelZK, "scale 1M", "recover"), func(r *Row) float64 { return r.Seconds })
	ss := medianOf(find(rows, labelSynod, "scale 1M", "recover"), func(r *Row) float64 { return r.Seconds })
	out = append(out, judge(Verdict{Target: "recovery of 1M znodes after SIGKILL", Goal: "<= 0.33x", Ratio: ratio(ss, zs),
		Measured: fmt.Sprintf("Synod %.2f s vs ZK %.2f s (restart until getData of the last znode)", ss, zs)}, false, 0.33))
	v := Verdict{Target: "no throughput collapse at 3M znodes", Goal: "last million >= 0.5x the first", Met: "not measured"}
	for _, wl := range []string{"fill", "readback"} {
		for _, r := range find(rows, labelSynod, "scale 3M", wl) {
			if len(r.MarkOpsPerSec) < 3 {
				continue
			}
			m := r.MarkOpsPerSec
			q := m[len(m)-1] / m[0]
			if v.Ratio == 0 || q < v.Ratio {
				v.Ratio = q
			}
			v.Measured += fmt.Sprintf("%s per million: %.0f ops/s; ", wl, m)
		}
	}
	if v.Ratio > 0 {
		v = judge(v, true, 0.5)
	}
	out = append(out, v)
	return out
}

// WriteVerdicts writes the targets as a markdown table.
func WriteVerdicts(w io.Writer, vs []Verdict) {
	fmt.Fprintln(w, "| target | goal (Synod / ZK) | measured | ratio | verdict |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, v := range vs {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", v.Target, v.Goal, v.Measured, fmtRatio(v.Ratio), v.Met)
	}
}

// ReportMeta describes a comparison run for its report.
type ReportMeta struct {
	Date, Topology, Command, RateCase string
	Elapsed                           time.Duration
	Plots                             []string
}

// WriteReport writes the results page of a comparison: how it was run,
// the targets, the table of every case and the plots.
func WriteReport(w io.Writer, rows []Row, m ReportMeta) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Synod vs Apache ZooKeeper 3.8 — %s (%s)\n\n", m.Date, m.Topology)
	if m.Elapsed > 0 {
		fmt.Fprintf(bw, "Command: `%s` (took %v).\n\n", m.Command, m.Elapsed.Round(time.Second))
	} else {
		fmt.Fprintf(bw, "Report made from earlier runs by `%s`.\n\n", m.Command)
	}
	fmt.Fprintln(bw, "Both servers run with `forceSync=yes` (every acknowledged write is fsynced; Synod's WAL uses group commit), data folders under the same folder of the same disk, standalone on 127.0.0.1, started fresh for every case. The load generator (`synod bench`, pipelined, HDR histograms) runs on the same machine. Cases run ZooKeeper then Synod, case by case; the headline set/get cases are repeated and judged on the median. Ratios are Synod / ZooKeeper. Peak RSS is VmHWM and CPU is utime+stime of the server process over its life, read at the end of the case.")
	fmt.Fprintln(bw)
	seen := map[string]bool{}
	for _, r := range rows {
		if k := r.Target + r.Err; r.Err != "" && !seen[k] {
			seen[k] = true
			fmt.Fprintf(bw, "- %s on %s: %s\n", r.Case, r.Target, r.Err)
		}
	}
	fmt.Fprint(bw, "\n## Targets\n\n")
	WriteVerdicts(bw, Verdicts(rows, m.RateCase))
	fmt.Fprint(bw, "\n## All cases\n\n")
	WriteTable(bw, rows)
	if len(m.Plots) > 0 {
		fmt.Fprint(bw, "\n## Plots\n\n")
		for _, p := range m.Plots {
			fmt.Fprintf(bw, "![%s](%s)\n\n", p, p)
		}
	}
	return bw.Flush()
}
