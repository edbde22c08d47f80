package bench

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Config describes one load run.
type Config struct {
	Server      string
	Workload    string // set, get, exists, create, mix
	Sessions    int
	Outstanding int
	ValueSize   int
	Keys        int
	Reads       int // percent of reads for mix
	Duration    time.Duration
	Warmup      time.Duration
}

// Validate reports a configuration error.
func (c *Config) Validate() error {
	switch c.Workload {
	case "set", "get", "exists", "create", "mix":
	default:
		return fmt.Errorf("bench: unknown workload %q", c.Workload)
	}
	if c.Sessions < 1 || c.Outstanding < 1 || c.Keys < 1 {
		return fmt.Errorf("bench: sessions, outstanding and keys must be positive")
	}
	if c.Reads < 0 || c.Reads > 100 {
		return fmt.Errorf("bench: reads must be 0..100")
	}
	return nil
}

// pickRead decides whether the next op of a workload is a read.
func pickRead(workload string, reads int, r *rand.Rand) bool {
	switch workload {
	case "get", "exists":
		return true
	case "mix":
		return r.IntN(100) < reads
	}
	return false
}
