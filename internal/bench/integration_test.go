package bench

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/wire"
	"github.com/synod-dev/synod/internal/zkenv"
)

// TestRunAgainstServers runs a short set load against each server and checks
// that getData then returns the value the load wrote.
func TestRunAgainstServers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	for _, kind := range zkenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			s := zkenv.StartT(t, kind, zkenv.Options{})
			cfg := Config{Server: s.Addr, Workload: "set", Sessions: 2, Outstanding: 8, ValueSize: 100, Keys: 10, Duration: time.Second, Warmup: 200 * time.Millisecond}
			r, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if r.Ops == 0 || r.Errors != 0 {
				t.Fatalf("ops=%d errors=%d", r.Ops, r.Errors)
			}
			c, err := dial(s.Addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.close()
			if _, err := c.nc.Write(wire.AppendFrame(nil, &wire.RequestHeader{Xid: 1, Type: wire.OpGetData}, &wire.PathWatchRequest{Path: keyPath(0)})); err != nil {
				t.Fatal(err)
			}
			b, err := c.fr.ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			d := wire.NewDecoder(b)
			var h wire.ReplyHeader
			h.Decode(d)
			if data := d.Buffer(); h.Err != 0 || len(data) != 100 {
				t.Fatalf("getData: err=%d len=%d", h.Err, len(data))
			}
			runWorkloads(t, s.Addr)
		})
	}
}

// runWorkloads runs every other workload briefly against addr and checks
// that each did some work without errors.
func runWorkloads(t *testing.T, addr string) {
	base := Config{Server: addr, Sessions: 2, Outstanding: 4, ValueSize: 10, Keys: 10, Duration: 200 * time.Millisecond, Warmup: 50 * time.Millisecond}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		ops  int64 // at least
	}{
		{"get", func(c *Config) { c.Workload = "get" }, 1},
		{"exists", func(c *Config) { c.Workload = "exists" }, 1},
		{"create", func(c *Config) { c.Workload = "create" }, 1},
		{"create-seq", func(c *Config) { c.Workload = "create-seq" }, 1},
		{"children", func(c *Config) { c.Workload = "children" }, 1},
		{"mix", func(c *Config) { c.Workload, c.Reads = "mix", 50 }, 1},
		{"churn", func(c *Config) { c.Workload = "churn" }, 1},
		{"rate", func(c *Config) { c.Workload, c.Rate = "set", 200 }, 20},
		{"fanout", func(c *Config) { c.Workload, c.Watchers, c.Rounds = "fanout", 20, 2 }, 40},
		{"fill", func(c *Config) { c.Workload, c.Count, c.Mark = "fill", 2000, 1000 }, 2000},
		{"readback", func(c *Config) { c.Workload, c.Count, c.Mark = "readback", 2000, 1000 }, 2000},
	} {
		cfg := base
		tc.edit(&cfg)
		r, err := Run(context.Background(), cfg)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if r.Ops < tc.ops || r.Errors != 0 {
			t.Errorf("%s: ops=%d (want >= %d) errors=%d %v", tc.name, r.Ops, tc.ops, r.Errors, r.ErrorCodes)
		}
		if cfg.Workload == "fill" && len(r.MarkOpsPerSec) != 2 {
			t.Errorf("fill marks: %v", r.MarkOpsPerSec)
		}
	}
}

// TestCompareRecover runs a tiny scale case against Synod through Compare:
// fill, read back, SIGKILL, restart and time the recovery.
func TestCompareRecover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	targets, err := Targets("standalone")
	if err != nil {
		t.Fatal(err)
	}
	base := Config{Sessions: 2, Outstanding: 8, Keys: 1, ValueSize: 10, Count: 500}
	fill, read := base, base
	fill.Workload, read.Workload = "fill", "readback"
	cs := Case{Name: "scale tiny", Steps: []Config{fill, read}, Recover: true}
	var log bytes.Buffer
	rows := Compare(context.Background(), t.TempDir(), targets[1:], []Case{cs}, &log)
	if len(rows) != 3 {
		t.Fatalf("%d rows, want fill, readback, recover:\n%s", len(rows), log.String())
	}
	for _, r := range rows {
		if r.Err != "" || r.PeakRSSKiB == 0 {
			t.Errorf("%s %s: err=%q rss=%d", r.Case, r.Workload, r.Err, r.PeakRSSKiB)
		}
	}
	if rec := rows[2]; rec.Workload != "recover" || rec.Seconds <= 0 || rec.Count != 500 {
		t.Errorf("recover row: %+v", rec)
	}
}
