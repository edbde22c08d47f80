package bench

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Workloads lists every workload Run knows.
//
//   - set, get, exists: setData, getData, exists on -keys random keys;
//   - create: plain creates of new unique znodes;
//   - create-seq: sequential creates under one parent;
//   - children: getChildren of /bench, which has -keys children;
//   - mix: -reads percent getData, the rest setData;
//   - churn: each session in a loop connects, creates an ephemeral znode
//     and closes (latency is the whole cycle);
//   - fanout: -watchers sessions each hold a watch on one znode, one
//     setData fires them all; latency is from the setData to each event;
//   - fill, readback: create, then getData, -count znodes once each
//     (the scale runs); throughput is also reported per -mark znodes.
var Workloads = []string{"set", "get", "exists", "create", "create-seq", "children", "mix", "churn", "fanout", "fill", "readback"}

// Config describes one load run.
type Config struct {
	Server      string
	Workload    string
	Sessions    int
	Outstanding int // requests in flight per session
	ValueSize   int
	Keys        int
	Reads       int // percent of reads for mix
	Duration    time.Duration
	Warmup      time.Duration
	// Rate, when positive, is the target rate in ops/s over all sessions
	// (open loop). Each request has an intended send time on a fixed
	// schedule and its latency is measured from that time, so a stalled
	// server is charged for the requests it delayed (no coordinated
	// omission).
	Rate float64
	// Watchers is the number of watching sessions of fanout.
	Watchers int
	// Rounds is the number of setData events of fanout.
	Rounds int
	// Count is the number of znodes of fill and readback.
	Count int
	// Mark is the interval, in znodes, of the throughput marks of fill and
	// readback; 0 means 1,000,000.
	Mark int
}

// Validate reports a configuration error.
func (c *Config) Validate() error {
	known := false
	for _, w := range Workloads {
		known = known || w == c.Workload
	}
	if !known {
		return fmt.Errorf("bench: unknown workload %q", c.Workload)
	}
	if c.Sessions < 1 || c.Outstanding < 1 || c.Keys < 1 {
		return fmt.Errorf("bench: sessions, outstanding and keys must be positive")
	}
	if c.Reads < 0 || c.Reads > 100 {
		return fmt.Errorf("bench: reads must be 0..100")
	}
	if c.ValueSize < 0 || c.Rate < 0 {
		return fmt.Errorf("bench: value size and rate must not be negative")
	}
	switch c.Workload {
	case "fanout":
		if c.Watchers < 1 || c.Rounds < 1 {
			return fmt.Errorf("bench: fanout needs watchers and rounds")
		}
	case "fill", "readback":
		if c.Count < 1 {
			return fmt.Errorf("bench: %s needs a count", c.Workload)
		}
	}
	return nil
}

// pickRead decides whether the next op of a workload is a read.
func pickRead(workload string, reads int, r *rand.Rand) bool {
	switch workload {
	case "get", "exists", "children":
		return true
	case "mix":
		return r.IntN(100) < reads
	}
	return false
}

// pacer yields the intended send times of an open-loop session: the k-th
// request of a session is due at start + offset + k*interval. The offset
// spreads the sessions over one interval so they do not send in step.
type pacer struct {
	start    time.Time
	interval time.Duration
	k        int64
}

// newPacer paces session id of n so that all n together send rate ops/s.
func newPacer(start time.Time, rate float64, id, n int) *pacer {
	iv := time.Duration(float64(n) / rate * float64(time.Second))
	return &pacer{start: start.Add(iv * time.Duration(id) / time.Duration(n)), interval: iv}
}

// next returns the intended time of the next request and advances.
func (p *pacer) next() time.Time {
	t := p.start.Add(time.Duration(p.k) * p.interval)
	p.k++
	return t
}

// peek returns the intended time of the next request.
func (p *pacer) peek() time.Time { return p.start.Add(time.Duration(p.k) * p.interval) }
