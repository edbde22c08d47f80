package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/synod-dev/synod/internal/wire"
)

// runChurn runs cfg.Sessions workers, each of which in a loop opens a
// session, creates an ephemeral znode and closes the session, waiting for
// the close to be acknowledged. One op is one such cycle; its latency is
// the whole cycle.
func runChurn(ctx context.Context, cfg Config) (*Result, error) {
	if err := setupFor(cfg); err != nil {
		return nil, err
	}
	addrs := servers(cfg.Server)
	m := newMeter()
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for w := range cfg.Sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := m.tally()
			defer t.merge()
			val := make([]byte, cfg.ValueSize)
			for n := 0; runCtx.Err() == nil; n++ {
				start := time.Now()
				code, err := churnOnce(addrs[(w+n)%len(addrs)], fmt.Sprintf("/bench/eph/e%d-%d", w, n), val)
				if err != nil {
					if runCtx.Err() != nil {
						return
					}
					code = wire.Code(-1)
				}
				t.record(time.Since(start), code)
			}
		}()
	}
	elapsed := window(ctx, cfg, m)
	cancel()
	wg.Wait()
	r := newResult(cfg)
	r.Outstanding = 1
	r.Ops, r.Errors, r.ErrorCodes = m.ops.Load(), m.errs.Load(), m.errorCodes()
	r.fill(m.hist, elapsed)
	return r, nil
}

// churnOnce is one connect, create ephemeral, close cycle.
func churnOnce(addr, path string, val []byte) (wire.Code, error) {
	c, err := dialSize(addr, 4<<10)
	if err != nil {
		return 0, err
	}
	code, err := c.call(1, wire.OpCreate, &wire.CreateRequest{Path: path, Data: val, ACL: openACL, Flags: flagEphemeral})
	if err != nil {
		c.nc.Close()
		return 0, err
	}
	return code, c.closeWait(2)
}
