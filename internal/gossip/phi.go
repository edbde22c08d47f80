package gossip

import "time"

// phiFactor is 1/ln(10): phi = -log10(P(late)) with exponentially
// distributed inter-arrival times is t/mean * log10(e) (Cassandra's
// FailureDetector.PHI_FACTOR).
const phiFactor = 0.4342944819032518

// detector is a phi-accrual failure detector over heartbeat arrival times
// (Hayashibara et al., "The phi accrual failure detector", SRDS 2004).
type detector struct {
	window []uint32 // ring of inter-arrival samples in microseconds, grown lazily
	size   int      // capacity of the ring
	next   int
	full   bool
	sum    time.Duration
	last   time.Duration // time of the last arrival
}

// newDetector starts a detector with one bootstrap sample of twice the
// interval, so a peer learned a moment ago is not convicted before its
// first heartbeat arrives (Cassandra seeds its window the same way).
func newDetector(now, interval time.Duration, size int) *detector {
	d := &detector{size: size, last: now}
	d.add(2 * interval)
	return d
}

func (d *detector) add(s time.Duration) {
	us := uint32(min(s.Microseconds(), 1<<32-1)) // caps a sample at 71 minutes
	if !d.full {
		d.window = append(d.window, us)
		d.sum += time.Duration(us) * time.Microsecond
		if len(d.window) == d.size {
			d.full = true
		}
		return
	}
	d.sum -= time.Duration(d.window[d.next]) * time.Microsecond
	d.window[d.next] = us
	d.sum += time.Duration(us) * time.Microsecond
	d.next = (d.next + 1) % d.size
}

func (d *detector) count() int { return len(d.window) }

// report records a heartbeat arrival at now.
func (d *detector) report(now time.Duration) {
	if gap := now - d.last; gap > 0 {
		d.add(gap)
	}
	d.last = now
}

// phi is the suspicion level at now.
func (d *detector) phi(now time.Duration) float64 {
	mean := float64(d.sum) / float64(d.count())
	if mean <= 0 {
		return 0
	}
	return phiFactor * float64(now-d.last) / mean
}
