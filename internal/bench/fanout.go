package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/synod-dev/synod/internal/wire"
)

// fanPath is the znode every fanout watcher watches.
const fanPath = "/bench/fan"

// Special xids of the fanout sessions.
const (
	xidNotification = -1
	xidPing         = -2
	xidArm          = 1
)

// watcher is one fanout session. A server keeps at most one data watch
// per session and path, so N watchers of one znode need N sessions.
type watcher struct {
	c  *conn
	mu sync.Mutex // serialises writes (arm and ping)
}

func (w *watcher) write(b []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.c.nc.SetWriteDeadline(time.Now().Add(30 * time.Second))
	_, err := w.c.nc.Write(b)
	return err
}

// runFanout opens cfg.Watchers sessions (the concurrent-sessions test:
// SetupSeconds is the time to open them all), each with an exists watch on
// one znode; then, cfg.Rounds times, one setData fires every watch and the
// latency from the setData to each event is recorded. Max is the time
// until the last watcher heard of the change. Watches are re-armed between
// rounds.
func runFanout(ctx context.Context, cfg Config) (*Result, error) {
	if err := setupFor(cfg); err != nil {
		return nil, err
	}
	addrs := servers(cfg.Server)
	writer, err := dial(addrs[0])
	if err != nil {
		return nil, err
	}
	defer writer.close()

	// Open the watchers 64 at a time.
	ws := make([]*watcher, cfg.Watchers)
	setupStart := time.Now()
	var (
		next    atomic.Int64
		dialErr atomic.Value
		wg      sync.WaitGroup
	)
	for range min(64, cfg.Watchers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ws) || dialErr.Load() != nil {
					return
				}
				c, err := dialSize(addrs[i%len(addrs)], 512)
				if err != nil {
					dialErr.Store(fmt.Errorf("bench: fanout session %d: %w", i, err))
					return
				}
				ws[i] = &watcher{c: c}
			}
		}()
	}
	wg.Wait()
	setup := time.Since(setupStart)
	defer func() {
		for _, w := range ws {
			if w != nil {
				w.c.nc.Close()
			}
		}
	}()
	if err, _ := dialErr.Load().(error); err != nil {
		return nil, err
	}

	// Readers: an arm reply or an event per session.
	armed := make(chan struct{}, len(ws))
	events := make(chan time.Time, len(ws))
	for _, w := range ws {
		go func() {
			for {
				b, err := w.c.fr.ReadFrame()
				if err != nil {
					return
				}
				var h wire.ReplyHeader
				h.Decode(wire.NewDecoder(b))
				switch h.Xid {
				case xidNotification:
					events <- time.Now()
				case xidArm:
					armed <- struct{}{}
				}
			}
		}()
	}
	// Sessions idle for longer than their timeout expire: ping them.
	stopPing := make(chan struct{})
	defer close(stopPing)
	go func() {
		ping := wire.AppendFrame(nil, &wire.RequestHeader{Xid: xidPing, Type: wire.OpPing})
		for {
			select {
			case <-stopPing:
				return
			case <-time.After(5 * time.Second):
			}
			for _, w := range ws {
				_ = w.write(ping)
			}
		}
	}()

	arm := wire.AppendFrame(nil, &wire.RequestHeader{Xid: xidArm, Type: wire.OpExists}, &wire.PathWatchRequest{Path: fanPath, Watch: true})
	m := newMeter()
	m.measuring.Store(true)
	t := m.tally()
	var fired time.Duration
	val := make([]byte, cfg.ValueSize)
	for round := range cfg.Rounds {
		for _, w := range ws {
			if err := w.write(arm); err != nil {
				return nil, fmt.Errorf("bench: arm watch: %w", err)
			}
		}
		if _, err := collect(ctx, armed, len(ws), 60*time.Second, nil); err != nil {
			return nil, fmt.Errorf("bench: arm watches: %w", err)
		}
		start := time.Now()
		if code, err := writer.call(int32(round+10), wire.OpSetData, &wire.SetDataRequest{Path: fanPath, Data: val, Version: -1}); err != nil || code != 0 {
			return nil, fmt.Errorf("bench: fanout setData: code %d: %v", code, err)
		}
		got, err := collect(ctx, nil, len(ws), 60*time.Second, func() bool {
			select {
			case e := <-events:
				t.record(e.Sub(start), 0)
				return true
			case <-time.After(100 * time.Millisecond):
				return false
			}
		})
		fired += time.Since(start)
		if err != nil {
			m.errs.Add(int64(len(ws) - got))
			break
		}
	}
	t.merge()
	r := newResult(cfg)
	r.Sessions, r.Outstanding, r.Watchers = cfg.Watchers, 1, cfg.Watchers
	r.SetupSeconds = setup.Seconds()
	r.Ops, r.Errors = m.ops.Load(), m.errs.Load()
	r.fill(m.hist, fired)
	return r, nil
}

// collect waits for n items: from ch when take is nil, else by calling
// take until it has returned true n times. It fails after limit and
// returns how many items came.
func collect(ctx context.Context, ch <-chan struct{}, n int, limit time.Duration, take func() bool) (int, error) {
	deadline := time.Now().Add(limit)
	got := 0
	for got < n {
		if time.Now().After(deadline) {
			return got, fmt.Errorf("%d of %d after %v", got, n, limit)
		}
		if ctx.Err() != nil {
			return got, ctx.Err()
		}
		if take != nil {
			if take() {
				got++
			}
			continue
		}
		select {
		case <-ch:
			got++
		case <-time.After(100 * time.Millisecond):
		}
	}
	return got, nil
}
