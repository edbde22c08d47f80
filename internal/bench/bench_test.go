package bench

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPickRead(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		w     string
		reads int
		lo    int
		hi    int
	}{{"set", 90, 0, 0}, {"get", 0, 1000, 1000}, {"children", 0, 1000, 1000}, {"mix", 0, 0, 0}, {"mix", 100, 1000, 1000}, {"mix", 50, 400, 600}} {
		n := 0
		for range 1000 {
			if pickRead(tc.w, tc.reads, r) {
				n++
			}
		}
		if n < tc.lo || n > tc.hi {
			t.Errorf("%s reads=%d: %d reads of 1000, want %d..%d", tc.w, tc.reads, n, tc.lo, tc.hi)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Config{Workload: "set", Sessions: 1, Outstanding: 1, Keys: 1}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"good", func(*Config) {}, true},
		{"unknown workload", func(c *Config) { c.Workload = "nope" }, false},
		{"no sessions", func(c *Config) { c.Sessions = 0 }, false},
		{"reads over 100", func(c *Config) { c.Reads = 101 }, false},
		{"negative rate", func(c *Config) { c.Rate = -1 }, false},
		{"rate", func(c *Config) { c.Rate = 1000 }, true},
		{"fanout without watchers", func(c *Config) { c.Workload = "fanout" }, false},
		{"fanout", func(c *Config) { c.Workload, c.Watchers, c.Rounds = "fanout", 10, 1 }, true},
		{"fill without count", func(c *Config) { c.Workload = "fill" }, false},
		{"readback", func(c *Config) { c.Workload, c.Count = "readback", 10 }, true},
		{"churn", func(c *Config) { c.Workload = "churn" }, true},
	} {
		c := good
		tc.edit(&c)
		if err := c.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestPacer(t *testing.T) {
	t0 := time.Unix(1000, 0)
	for _, tc := range []struct {
		rate   float64
		id, n  int
		first  time.Duration // offset of the first request
		stride time.Duration
	}{
		{1000, 0, 1, 0, time.Millisecond},
		{1000, 0, 8, 0, 8 * time.Millisecond},
		{1000, 4, 8, 4 * time.Millisecond, 8 * time.Millisecond},
		{100, 1, 2, 10 * time.Millisecond, 20 * time.Millisecond},
	} {
		p := newPacer(t0, tc.rate, tc.id, tc.n)
		if got := p.peek().Sub(t0); got != tc.first {
			t.Errorf("rate %v id %d/%d: first at %v, want %v", tc.rate, tc.id, tc.n, got, tc.first)
		}
		a := p.next()
		b := p.next()
		if a.Sub(t0) != tc.first || b.Sub(a) != tc.stride {
			t.Errorf("rate %v id %d/%d: next %v then %v, want stride %v", tc.rate, tc.id, tc.n, a.Sub(t0), b.Sub(a), tc.stride)
		}
	}
}

func TestSweepShape(t *testing.T) {
	for _, tc := range []struct{ total, base, s, p int }{
		{1, 8, 1, 1}, {8, 8, 8, 1}, {32, 8, 8, 4}, {256, 8, 8, 32}, {4, 8, 4, 1},
	} {
		if s, p := sweepShape(tc.total, tc.base); s != tc.s || p != tc.p {
			t.Errorf("sweepShape(%d, %d) = %dx%d, want %dx%d", tc.total, tc.base, s, p, tc.s, tc.p)
		}
	}
}

func TestProcParsers(t *testing.T) {
	status := "Name:\tjava\nVmPeak:\t 999 kB\nVmHWM:\t  441648 kB\nVmRSS:\t 1 kB\n"
	if got := parseHWM(status); got != 441648 {
		t.Errorf("parseHWM = %d", got)
	}
	if got := parseHWM("Name: x\n"); got != 0 {
		t.Errorf("parseHWM without VmHWM = %d", got)
	}
	// Field 2 may contain spaces and ')'; utime and stime are fields 14, 15.
	stat := "42 (we ird) proc) S 1 2 3 4 5 6 7 8 9 10 250 150 0 0"
	if got := parseCPU(stat, 100); got != 4 {
		t.Errorf("parseCPU = %v, want 4", got)
	}
	if got := parseCPU("42 (x) S 1", 100); got != 0 {
		t.Errorf("parseCPU short = %v", got)
	}
}

func TestMarkRates(t *testing.T) {
	t0 := time.Unix(0, 0)
	got := markRates(t0, []time.Time{t0.Add(time.Second), t0.Add(3 * time.Second)}, 1000)
	if len(got) != 2 || got[0] != 1000 || got[1] != 500 {
		t.Errorf("markRates = %v, want [1000 500]", got)
	}
}

func TestScalePath(t *testing.T) {
	if got := scalePath(1234567); got != "/scale/p567/k01234567" {
		t.Errorf("scalePath = %q", got)
	}
}

func TestPlan(t *testing.T) {
	base := Config{Sessions: 8, Outstanding: 32, Keys: 1000, Duration: time.Second}
	cs := Plan(PlanOptions{Base: base, Repeats: 2, Sweep: []int{1, 256}, Watchers: 100, Scale: []int{1_000_000}, Rate: 1000})
	names := map[string]int{}
	for _, c := range cs {
		names[c.Name]++
		for _, s := range c.Steps {
			if err := s.Validate(); err != nil {
				t.Errorf("%s: %v", c.Name, err)
			}
		}
	}
	for name, want := range map[string]int{
		"set 100 B": 2, "get 100 B": 2, "set 1 KiB": 2, "set 100 B @1000/s": 1,
		"set 100 B, 1 outstanding": 1, "set 100 B, 256 outstanding": 0, "fanout 100 watchers": 1,
		"scale 1M": 1, "ephemeral churn": 1, "create-seq": 1, "children (100)": 1, "mix 99% reads": 1,
	} {
		if names[name] != want {
			t.Errorf("%d cases named %q, want %d (all: %v)", names[name], name, want, names)
		}
	}
	only := Plan(PlanOptions{Base: base, Repeats: 1, Rate: 1000, Only: []string{"get"}})
	if len(only) != 1 || only[0].Name != "get 100 B" {
		t.Errorf("Only get: %v", only)
	}
}

// rowsFor builds a ZooKeeper and a Synod row of one case.
func rowsFor(cs, wl string, zkOps, synOps float64, zkP99, synP99 int64) []Row {
	mk := func(target string, ops float64, p99 int64) Row {
		return Row{Case: cs, Target: target, Result: Result{Workload: wl, Sessions: 8, Outstanding: 32, OpsPerSec: ops, Ops: 1, P99us: p99}}
	}
	return []Row{mk(labelZK, zkOps, zkP99), mk(labelSynod, synOps, synP99)}
}

func TestVerdicts(t *testing.T) {
	var rows []Row
	rows = append(rows, rowsFor("set 100 B", "set", 1000, 2500, 0, 0)...)
	rows = append(rows, rowsFor("set 1 KiB", "set", 1000, 1500, 0, 0)...)
	rows = append(rows, rowsFor("get 100 B", "get", 1000, 1500, 0, 0)...)
	rows = append(rows, rowsFor("set 100 B @1000/s", "set", 0, 0, 10000, 6000)...)
	scale := rowsFor("scale 3M", "fill", 0, 0, 0, 0)
	scale[1].MarkOpsPerSec = []float64{100, 90, 80}
	rows = append(rows, scale...)
	want := map[string]string{
		"set 100 B throughput":                "met",
		"set 1 KiB throughput":                "missed",
		"get 100 B throughput":                "met",
		"p99 write latency @1000/s":           "missed",
		"peak server memory at 1M znodes":     "not measured",
		"recovery of 1M znodes after SIGKILL": "not measured",
		"no throughput collapse at 3M znodes": "met",
	}
	vs := Verdicts(rows, "set 100 B @1000/s")
	if len(vs) != len(want) {
		t.Fatalf("%d verdicts, want %d: %+v", len(vs), len(want), vs)
	}
	for _, v := range vs {
		if want[v.Target] != v.Met {
			t.Errorf("%s: %s (ratio %.2f), want %s", v.Target, v.Met, v.Ratio, want[v.Target])
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 2, 3}, 2.5}} {
		if got := median(tc.xs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}

func TestResultJSONAndReport(t *testing.T) {
	h := newHist()
	for i := int64(1); i <= 100; i++ {
		h.RecordValue(i)
	}
	r := Result{Workload: "set", Ops: 100, Rate: 1000}
	r.fill(h, 1e9)
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.P50us != 50 || back.OpsPerSec != 100 || back.Rate != 1000 {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	rows := rowsFor("set 100 B", "set", 100, 200, 4000, 1000)
	var md bytes.Buffer
	if err := WriteReport(&md, rows, ReportMeta{Date: "2026-12-01", Topology: "standalone", RateCase: "set 100 B @1000/s"}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"| 2.00 |", "| 0.25 |", "forceSync=yes", "| set 100 B throughput | >= 2x |"} {
		if !strings.Contains(md.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, md.String())
		}
	}
	if strings.Contains(strings.ToLower(md.String()), "in memory") {
		t.Errorf("report still says in memory")
	}
}

func TestPlots(t *testing.T) {
	dir := t.TempDir()
	var rows []Row
	for _, n := range []int{1, 8, 256} {
		for _, wl := range []string{"set", "get"} {
			for _, tg := range []string{labelZK, labelSynod} {
				rows = append(rows, Row{Case: wl + " 100 B", Target: tg, Result: Result{Workload: wl, ValueSize: 100, Sessions: min(n, 8), Outstanding: max(n/8, 1), Ops: 1, OpsPerSec: float64(n * 100), P50us: 100, P90us: 200, P99us: 300, P999us: 400, MaxUs: 500}})
			}
		}
	}
	for _, f := range []func() error{
		func() error { return PlotThroughput(rows, filepath.Join(dir, "t.png")) },
		func() error { return PlotLatency(rows, "set 100 B @1000/s", filepath.Join(dir, "l.png")) },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"t.png", "l.png"} {
		if st, err := os.Stat(filepath.Join(dir, n)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", n, err)
		}
	}
}

func TestEnsembleConfig(t *testing.T) {
	got := ensembleConfig("/d/node2", 2182, []int{3001, 3002, 3003}, []int{4001, 4002, 4003}, map[string]string{"forceSync": "yes"})
	for _, want := range []string{
		"clientPort=2182\n", "dataDir=/d/node2\n", "forceSync=yes\n", "initLimit=10\n",
		"server.1=127.0.0.1:3001:4001\n", "server.2=127.0.0.1:3002:4002\n", "server.3=127.0.0.1:3003:4003\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("config lacks %q:\n%s", want, got)
		}
	}
	if i, j := strings.Index(got, "clientPort"), strings.Index(got, "tickTime"); i > j {
		t.Errorf("keys not sorted:\n%s", got)
	}
}
