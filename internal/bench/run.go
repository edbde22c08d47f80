package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/synod-dev/synod/internal/wire"
)

// Reply codes the load generator tolerates in setup.
const codeNodeExists = wire.Code(-110)

// Flags of create.
const (
	flagEphemeral  = 1
	flagSequential = 2
)

// keyPath names key i of the duration workloads.
func keyPath(i int) string { return fmt.Sprintf("/bench/k%07d", i) }

// scaleParents is the number of parents the scale znodes are spread over,
// so that no single children list holds millions of names.
const scaleParents = 1000

// scalePath names znode i of fill and readback.
func scalePath(i int) string { return fmt.Sprintf("/scale/p%03d/k%08d", i%scaleParents, i) }

// servers splits a comma-separated server list.
func servers(s string) []string { return strings.Split(s, ",") }

// Run executes the configured load and returns the measured result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch cfg.Workload {
	case "churn":
		return runChurn(ctx, cfg)
	case "fanout":
		return runFanout(ctx, cfg)
	case "fill", "readback":
		return runCount(ctx, cfg)
	}
	return runTimed(ctx, cfg)
}

// newResult starts a result record for cfg.
func newResult(cfg Config) *Result {
	return &Result{Workload: cfg.Workload, Sessions: cfg.Sessions, Outstanding: cfg.Outstanding,
		ValueSize: cfg.ValueSize, Rate: cfg.Rate}
}

// setupFor creates the znodes a workload needs, pipelined on one session.
func setupFor(cfg Config) error {
	var paths []string
	var val []byte
	switch cfg.Workload {
	case "fill":
		paths = append(paths, "/scale")
		for i := range scaleParents {
			paths = append(paths, fmt.Sprintf("/scale/p%03d", i))
		}
	case "readback":
		return nil
	default:
		paths = append(paths, "/bench", "/bench/seq", "/bench/fan", "/bench/eph")
		if cfg.Workload != "churn" && cfg.Workload != "fanout" && cfg.Workload != "create" && cfg.Workload != "create-seq" {
			for i := range cfg.Keys {
				paths = append(paths, keyPath(i))
			}
			val = make([]byte, cfg.ValueSize)
		}
	}
	c, err := dial(servers(cfg.Server)[0])
	if err != nil {
		return err
	}
	defer c.close()
	// Parents first, one by one; then the rest 256 at a time.
	head := min(len(paths), 4)
	if cfg.Workload == "fill" {
		head = 1
	}
	for i, p := range paths[:head] {
		if code, err := c.call(int32(i+1), wire.OpCreate, &wire.CreateRequest{Path: p, ACL: openACL}); err != nil || (code != 0 && code != codeNodeExists) {
			return fmt.Errorf("bench: create %s: code %d: %v", p, code, err)
		}
	}
	rest := paths[head:]
	for len(rest) > 0 {
		n := min(len(rest), 256)
		var buf []byte
		for i, p := range rest[:n] {
			buf = wire.AppendFrame(buf, &wire.RequestHeader{Xid: int32(i + 100), Type: wire.OpCreate}, &wire.CreateRequest{Path: p, Data: val, ACL: openACL})
		}
		if _, err := c.nc.Write(buf); err != nil {
			return fmt.Errorf("bench: setup: %w", err)
		}
		for range n {
			b, err := c.fr.ReadFrame()
			if err != nil {
				return fmt.Errorf("bench: setup reply: %w", err)
			}
			var h wire.ReplyHeader
			h.Decode(wire.NewDecoder(b))
			if h.Err != 0 && h.Err != codeNodeExists {
				return fmt.Errorf("bench: setup create: code %d", h.Err)
			}
		}
		rest = rest[n:]
	}
	return nil
}

// meter collects latencies and counts of a run. Each session records into
// its own tally (an HDR histogram is not safe for concurrent use) and the
// tallies are merged at the end.
type meter struct {
	measuring atomic.Bool
	ops, errs atomic.Int64
	mu        sync.Mutex
	hist      *hdrhistogram.Histogram
	codes     map[wire.Code]int64 // error replies by code; under mu
}

func newMeter() *meter { return &meter{hist: newHist(), codes: map[wire.Code]int64{}} }

// tally is one session's share of a meter; used by one goroutine.
type tally struct {
	m *meter
	h *hdrhistogram.Histogram
}

func (m *meter) tally() *tally { return &tally{m: m, h: newHist()} }

// record counts one reply if the meter is measuring.
func (t *tally) record(d time.Duration, code wire.Code) {
	if !t.m.measuring.Load() {
		return
	}
	t.h.RecordValue(max(d.Microseconds(), 1))
	t.m.ops.Add(1)
	if code != 0 {
		t.m.errs.Add(1)
		t.m.mu.Lock()
		t.m.codes[code]++
		t.m.mu.Unlock()
	}
}

// errorCodes returns the error replies by code, for the result.
func (m *meter) errorCodes() map[string]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.codes) == 0 {
		return nil
	}
	out := map[string]int64{}
	for c, n := range m.codes {
		out[fmt.Sprint(int32(c))] = n
	}
	return out
}

// merge adds the tally into its meter.
func (t *tally) merge() {
	t.m.mu.Lock()
	t.m.hist.Merge(t.h)
	t.m.mu.Unlock()
}

// window waits for the warm-up, measures for the duration and returns the
// measured time.
func window(ctx context.Context, cfg Config, m *meter) time.Duration {
	select {
	case <-time.After(cfg.Warmup):
	case <-ctx.Done():
		return 0
	}
	m.measuring.Store(true)
	start := time.Now()
	select {
	case <-time.After(cfg.Duration):
	case <-ctx.Done():
	}
	m.measuring.Store(false)
	return time.Since(start)
}

// dialAll opens cfg.Sessions sessions, spread over the servers.
func dialAll(cfg Config, size int) ([]*conn, error) {
	addrs := servers(cfg.Server)
	conns := make([]*conn, cfg.Sessions)
	for i := range conns {
		c, err := dialSize(addrs[i%len(addrs)], size)
		if err != nil {
			for _, o := range conns[:i] {
				o.close()
			}
			return nil, err
		}
		conns[i] = c
	}
	return conns, nil
}

// runTimed runs a pipelined request workload for warm-up plus duration.
func runTimed(ctx context.Context, cfg Config) (*Result, error) {
	if err := setupFor(cfg); err != nil {
		return nil, err
	}
	conns, err := dialAll(cfg, 64<<10)
	if err != nil {
		return nil, err
	}
	m := newMeter()
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := m.tally()
			var p *pacer
			if cfg.Rate > 0 {
				p = newPacer(start, cfg.Rate, i, cfg.Sessions)
			}
			g := newGen(cfg, i)
			_ = pipe(runCtx, c, cfg.Outstanding, p, g.append, t.record)
			t.merge()
		}()
	}
	elapsed := window(ctx, cfg, m)
	cancel()
	wg.Wait()
	for _, c := range conns {
		c.close()
	}
	r := newResult(cfg)
	r.Ops, r.Errors, r.ErrorCodes = m.ops.Load(), m.errs.Load(), m.errorCodes()
	r.fill(m.hist, elapsed)
	return r, nil
}

// gen builds the requests of one session of a timed workload.
type gen struct {
	cfg Config
	id  int
	rng *rand.Rand
	val []byte
}

func newGen(cfg Config, id int) *gen {
	return &gen{cfg: cfg, id: id, rng: rand.New(rand.NewPCG(uint64(id), 7)), val: make([]byte, cfg.ValueSize)}
}

// append appends the framed next request with the given xid.
func (g *gen) append(buf []byte, xid int32) ([]byte, bool) {
	hdr := &wire.RequestHeader{Xid: xid}
	switch g.cfg.Workload {
	case "create":
		hdr.Type = wire.OpCreate
		return wire.AppendFrame(buf, hdr, &wire.CreateRequest{Path: fmt.Sprintf("/bench/c%d-%d", g.id, xid), Data: g.val, ACL: openACL}), true
	case "create-seq":
		hdr.Type = wire.OpCreate
		return wire.AppendFrame(buf, hdr, &wire.CreateRequest{Path: "/bench/seq/s-", Data: g.val, ACL: openACL, Flags: flagSequential}), true
	case "children":
		hdr.Type = wire.OpGetChildren
		return wire.AppendFrame(buf, hdr, &wire.PathWatchRequest{Path: "/bench"}), true
	}
	path := keyPath(g.rng.IntN(g.cfg.Keys))
	if pickRead(g.cfg.Workload, g.cfg.Reads, g.rng) {
		hdr.Type = wire.OpGetData
		if g.cfg.Workload == "exists" {
			hdr.Type = wire.OpExists
		}
		return wire.AppendFrame(buf, hdr, &wire.PathWatchRequest{Path: path}), true
	}
	hdr.Type = wire.OpSetData
	return wire.AppendFrame(buf, hdr, &wire.SetDataRequest{Path: path, Data: g.val, Version: -1}), true
}

// pipe runs one session: the caller's goroutine writes requests built by
// next, keeping up to outstanding in flight (paced by p when not nil), and
// a reader goroutine matches replies by xid and calls record with each
// latency. Latency is measured from the send time, or, when paced, from
// the intended send time. pipe returns when ctx ends (after a short drain)
// or when next reports no more requests and every reply has arrived.
func pipe(ctx context.Context, c *conn, outstanding int, p *pacer, next func([]byte, int32) ([]byte, bool), record func(time.Duration, wire.Code)) error {
	slots := make(chan struct{}, outstanding)
	var mu sync.Mutex
	sent := map[int32]time.Time{}
	done := make(chan struct{})
	var rerr error
	go func() {
		defer close(done)
		for {
			b, err := c.fr.ReadFrame()
			if err != nil {
				rerr = err
				return
			}
			var rh wire.ReplyHeader
			rh.Decode(wire.NewDecoder(b))
			mu.Lock()
			t, ok := sent[rh.Xid]
			delete(sent, rh.Xid)
			mu.Unlock()
			if !ok {
				continue // ping reply or notification
			}
			record(time.Since(t), rh.Err)
			<-slots
		}
	}()
	var buf []byte
	xid := int32(0)
	exhausted := false
	var werr error
loop:
	for !exhausted && werr == nil {
		if p != nil {
			if d := time.Until(p.peek()); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
					break loop
				case <-done:
					break loop
				}
			}
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			break loop
		case <-done:
			break loop
		}
		// Batch whatever is due and fits into one write.
		buf = buf[:0]
		for n := 1; ; n++ {
			xid++
			var ok bool
			if buf, ok = next(buf, xid); !ok {
				exhausted = true
				<-slots
				break
			}
			t := time.Now()
			if p != nil {
				t = p.next()
			}
			mu.Lock()
			sent[xid] = t
			mu.Unlock()
			if n >= 64 || (p != nil && p.peek().After(time.Now())) {
				break
			}
			select {
			case slots <- struct{}{}:
				continue
			default:
			}
			break
		}
		if len(buf) > 0 {
			if _, werr = c.w.Write(buf); werr == nil {
				werr = c.w.Flush()
			}
		}
	}
	// Wait for the replies in flight: all of them when the requests ran
	// out, briefly when the time did.
	limit := 2 * time.Second
	if exhausted {
		limit = 5 * time.Minute
	}
	deadline := time.Now().Add(limit)
	for len(slots) > 0 && time.Now().Before(deadline) {
		select {
		case <-done:
			deadline = time.Now()
		case <-time.After(time.Millisecond):
		}
	}
	c.nc.SetReadDeadline(time.Now())
	<-done
	if werr != nil {
		return fmt.Errorf("bench: write: %w", werr)
	}
	if exhausted && len(slots) > 0 {
		return fmt.Errorf("bench: %d replies missing: %v", len(slots), rerr)
	}
	return nil
}

// runCount creates (fill) or reads (readback) cfg.Count znodes once each,
// pipelined over all sessions, and records the throughput of every
// cfg.Mark znodes so that a collapse as the tree grows shows.
func runCount(ctx context.Context, cfg Config) (*Result, error) {
	if err := setupFor(cfg); err != nil {
		return nil, err
	}
	conns, err := dialAll(cfg, 64<<10)
	if err != nil {
		return nil, err
	}
	mark := cfg.Mark
	if mark <= 0 {
		mark = 1_000_000
	}
	m := newMeter()
	m.measuring.Store(true)
	var (
		next, done atomic.Int64
		marksMu    sync.Mutex
		marks      []time.Time
		wg         sync.WaitGroup
		errMu      sync.Mutex
		firstErr   error
	)
	val := make([]byte, cfg.ValueSize)
	start := time.Now()
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := m.tally()
			g := func(buf []byte, xid int32) ([]byte, bool) {
				i := next.Add(1) - 1
				if i >= int64(cfg.Count) {
					return buf, false
				}
				if cfg.Workload == "fill" {
					return wire.AppendFrame(buf, &wire.RequestHeader{Xid: xid, Type: wire.OpCreate}, &wire.CreateRequest{Path: scalePath(int(i)), Data: val, ACL: openACL}), true
				}
				return wire.AppendFrame(buf, &wire.RequestHeader{Xid: xid, Type: wire.OpGetData}, &wire.PathWatchRequest{Path: scalePath(int(i))}), true
			}
			rec := func(d time.Duration, code wire.Code) {
				t.record(d, code)
				if n := done.Add(1); n%int64(mark) == 0 {
					marksMu.Lock()
					marks = append(marks, time.Now())
					marksMu.Unlock()
				}
			}
			if err := pipe(ctx, c, cfg.Outstanding, nil, g, rec); err != nil {
				errMu.Lock()
				firstErr = err
				errMu.Unlock()
			}
			t.merge()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, c := range conns {
		c.close()
	}
	r := newResult(cfg)
	r.Count = cfg.Count
	r.Ops, r.Errors, r.ErrorCodes = m.ops.Load(), m.errs.Load(), m.errorCodes()
	r.fill(m.hist, elapsed)
	r.MarkOpsPerSec = markRates(start, marks, mark)
	if firstErr != nil && r.Ops < int64(cfg.Count) {
		return r, firstErr
	}
	return r, nil
}

// markRates turns the times at which every mark-th reply arrived into the
// throughput of each interval.
func markRates(start time.Time, marks []time.Time, mark int) []float64 {
	var out []float64
	prev := start
	for _, t := range marks {
		if s := t.Sub(prev).Seconds(); s > 0 {
			out = append(out, float64(mark)/s)
		}
		prev = t
	}
	return out
}
