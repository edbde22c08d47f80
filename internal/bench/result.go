package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Result is the JSON record of one run; latencies are in microseconds.
type Result struct {
	Workload    string  `json:"workload"`
	Sessions    int     `json:"sessions"`
	Outstanding int     `json:"outstanding"`
	ValueSize   int     `json:"value_size"`
	Seconds     float64 `json:"seconds"`
	Ops         int64   `json:"ops"`
	Errors      int64   `json:"errors"`
	OpsPerSec   float64 `json:"ops_per_sec"`
	P50us       int64   `json:"p50_us"`
	P90us       int64   `json:"p90_us"`
	P99us       int64   `json:"p99_us"`
	P999us      int64   `json:"p999_us"`
	MaxUs       int64   `json:"max_us"`
	// ErrorCodes counts error replies by ZooKeeper error code (-1 here
	// also stands for a failed connection of churn).
	ErrorCodes map[string]int64 `json:"error_codes,omitempty"`
	// Rate is the target rate of an open-loop run (0: closed loop).
	Rate float64 `json:"rate,omitempty"`
	// Watchers and SetupSeconds (time to open every watcher session)
	// describe fanout.
	Watchers     int     `json:"watchers,omitempty"`
	SetupSeconds float64 `json:"setup_seconds,omitempty"`
	// Count and MarkOpsPerSec (throughput of each successive million, or
	// -mark, znodes) describe fill and readback.
	Count         int       `json:"count,omitempty"`
	MarkOpsPerSec []float64 `json:"mark_ops_per_sec,omitempty"`
}

// newHist returns a histogram for 1 µs .. 60 s.
func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(1, 60_000_000, 3) }

// fill copies counts and percentiles from h into r.
func (r *Result) fill(h *hdrhistogram.Histogram, elapsed time.Duration) {
	r.Seconds = elapsed.Seconds()
	if r.Seconds > 0 {
		r.OpsPerSec = float64(r.Ops) / r.Seconds
	}
	r.P50us = h.ValueAtQuantile(50)
	r.P90us = h.ValueAtQuantile(90)
	r.P99us = h.ValueAtQuantile(99)
	r.P999us = h.ValueAtQuantile(99.9)
	r.MaxUs = h.Max()
}

// WriteText prints a human summary.
func (r *Result) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s sessions=%d outstanding=%d value=%dB: %.0f ops/s (%d ops, %d errors, %.1fs)\n",
		r.Workload, r.Sessions, r.Outstanding, r.ValueSize, r.OpsPerSec, r.Ops, r.Errors, r.Seconds)
	if len(r.ErrorCodes) > 0 {
		fmt.Fprintf(w, "errors by code: %v\n", r.ErrorCodes)
	}
	if r.Rate > 0 {
		fmt.Fprintf(w, "target rate %.0f ops/s; latency from intended send time\n", r.Rate)
	}
	if r.Watchers > 0 {
		fmt.Fprintf(w, "%d watcher sessions opened in %.1fs\n", r.Watchers, r.SetupSeconds)
	}
	if len(r.MarkOpsPerSec) > 0 {
		fmt.Fprintf(w, "ops/s per mark: %.0f\n", r.MarkOpsPerSec)
	}
	fmt.Fprintf(w, "latency us: p50=%d p90=%d p99=%d p99.9=%d max=%d\n", r.P50us, r.P90us, r.P99us, r.P999us, r.MaxUs)
}

// WriteJSON writes the record as one JSON line.
func (r *Result) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("bench: encode result: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
