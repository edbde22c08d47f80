package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/synod-dev/synod/internal/wire"
)

// keyPath names key i.
func keyPath(i int) string { return fmt.Sprintf("/bench/k%07d", i) }

// setup creates /bench and the keys the workload reads and writes.
func setup(cfg Config) error {
	c, err := dial(cfg.Server)
	if err != nil {
		return err
	}
	defer c.close()
	val := make([]byte, cfg.ValueSize)
	if code, err := c.call(1, wire.OpCreate, &wire.CreateRequest{Path: "/bench", ACL: openACL}); err != nil || (code != 0 && code != wire.Code(-110)) {
		return fmt.Errorf("bench: create /bench: code %d: %v", code, err)
	}
	for i := 0; i < cfg.Keys; i++ {
		code, err := c.call(int32(i+2), wire.OpCreate, &wire.CreateRequest{Path: keyPath(i), Data: val, ACL: openACL})
		if err != nil {
			return err
		}
		if code == wire.Code(-110) {
			if _, err := c.call(int32(i+2), wire.OpSetData, &wire.SetDataRequest{Path: keyPath(i), Data: val, Version: -1}); err != nil {
				return err
			}
		} else if code != 0 {
			return fmt.Errorf("bench: create %s: code %d", keyPath(i), code)
		}
	}
	return nil
}

// Run executes the configured load and returns the measured result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := setup(cfg); err != nil {
		return nil, err
	}
	conns := make([]*conn, cfg.Sessions)
	for i := range conns {
		c, err := dial(cfg.Server)
		if err != nil {
			for _, o := range conns[:i] {
				o.close()
			}
			return nil, err
		}
		conns[i] = c
	}
	var (
		measuring atomic.Bool
		ops, errs atomic.Int64
		mu        sync.Mutex
		hist      = newHist()
		wg        sync.WaitGroup
	)
	runCtx, cancel := context.WithTimeout(ctx, cfg.Warmup+cfg.Duration)
	defer cancel()
	start := time.Now()
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := newHist()
			o, e := drive(runCtx, cfg, i, c, &measuring, h)
			mu.Lock()
			hist.Merge(h)
			mu.Unlock()
			ops.Add(o)
			errs.Add(e)
		}()
	}
	var mstart time.Time
	select {
	case <-time.After(cfg.Warmup):
		measuring.Store(true)
		mstart = time.Now()
	case <-runCtx.Done():
	}
	<-runCtx.Done()
	elapsed := time.Since(mstart)
	if mstart.IsZero() {
		elapsed = time.Since(start)
	}
	measuring.Store(false)
	for _, c := range conns {
		c.nc.SetDeadline(time.Now().Add(3 * time.Second))
	}
	wg.Wait()
	for _, c := range conns {
		c.close()
	}
	r := &Result{Workload: cfg.Workload, Sessions: cfg.Sessions, Outstanding: cfg.Outstanding, ValueSize: cfg.ValueSize, Ops: ops.Load(), Errors: errs.Load()}
	r.fill(hist, elapsed)
	return r, nil
}

// drive runs one session: a writer keeps Outstanding requests in flight, a
// reader matches replies by xid. It returns ops and errors counted while
// measuring.
func drive(ctx context.Context, cfg Config, id int, c *conn, measuring *atomic.Bool, h *hdrhistogram.Histogram) (int64, int64) {
	slots := make(chan struct{}, cfg.Outstanding)
	var sent sync.Map // xid -> time.Time
	var ops, errs int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			b, err := c.fr.ReadFrame()
			if err != nil {
				return
			}
			var rh wire.ReplyHeader
			rh.Decode(wire.NewDecoder(b))
			v, ok := sent.LoadAndDelete(rh.Xid)
			if !ok {
				continue // ping reply or notification
			}
			if measuring.Load() {
				us := time.Since(v.(time.Time)).Microseconds()
				h.RecordValue(max(us, 1))
				ops++
				if rh.Err != 0 {
					errs++
				}
			}
			<-slots
		}
	}()
	rng := rand.New(rand.NewPCG(uint64(id), 7))
	val := make([]byte, cfg.ValueSize)
	var buf []byte
	xid := int32(0)
	var werr error
loop:
	for werr == nil {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			break loop
		case <-done:
			break loop
		}
		// Batch whatever slots are free into one write.
		buf = buf[:0]
		n := 1
		for ; ; n++ {
			xid++
			buf = appendOp(buf, cfg, id, xid, rng, val)
			sent.Store(xid, time.Now())
			if n >= 64 {
				break
			}
			select {
			case slots <- struct{}{}:
				continue
			default:
			}
			break
		}
		if _, werr = c.w.Write(buf); werr == nil {
			werr = c.w.Flush()
		}
	}
	if ctx.Err() != nil {
		// Let in-flight replies drain briefly.
		deadline := time.After(2 * time.Second)
		for len(slots) > 0 {
			select {
			case <-deadline:
				c.nc.Close()
				<-done
				return ops, errs
			case <-time.After(time.Millisecond):
			}
		}
	}
	c.nc.SetReadDeadline(time.Now())
	<-done
	if werr != nil && !errors.Is(werr, context.Canceled) && measuring.Load() {
		errs++
	}
	return ops, errs
}

// appendOp appends the framed next request of the workload.
func appendOp(buf []byte, cfg Config, id int, xid int32, rng *rand.Rand, val []byte) []byte {
	hdr := &wire.RequestHeader{Xid: xid}
	if cfg.Workload == "create" {
		hdr.Type = wire.OpCreate
		return wire.AppendFrame(buf, hdr, &wire.CreateRequest{Path: fmt.Sprintf("/bench/c%d-%d-%d", id, rng.Uint32(), xid), Data: val, ACL: openACL})
	}
	path := keyPath(rng.IntN(cfg.Keys))
	if pickRead(cfg.Workload, cfg.Reads, rng) {
		hdr.Type = wire.OpGetData
		if cfg.Workload == "exists" {
			hdr.Type = wire.OpExists
		}
		return wire.AppendFrame(buf, hdr, &wire.PathWatchRequest{Path: path})
	}
	hdr.Type = wire.OpSetData
	return wire.AppendFrame(buf, hdr, &wire.SetDataRequest{Path: path, Data: val, Version: -1})
}
