package recipes

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestSemaphore(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 3)
		ctx := testCtx(t, 60*time.Second)
		const leases = 3
		var x exclusion
		var wg sync.WaitGroup
		errs := make(chan error, 12)
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := NewSemaphore(ss[i%len(ss)], dir, leases)
				for r := 0; r < 3; r++ {
					lease, err := m.Acquire(ctx)
					if err != nil {
						errs <- err
						return
					}
					x.enter()
					time.Sleep(3 * time.Millisecond)
					x.leave()
					_ = lease.Release(ctx)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if m := x.max.Load(); m > leases {
			t.Fatalf("%d holders at once, limit %d", m, leases)
		}
		if x.total.Load() != 36 {
			t.Fatalf("%d acquisitions", x.total.Load())
		}
		t.Logf("at most %d holders at once", x.max.Load())

		// All leases taken: Try fails, and a release lets one in.
		var held []*Lease
		for i := 0; i < leases; i++ {
			l, err := NewSemaphore(ss[i], dir, leases).TryAcquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, l)
		}
		if _, err := NewSemaphore(ss[0], dir, leases).TryAcquire(ctx); !errors.Is(err, ErrNotAcquired) {
			t.Fatalf("fourth lease: %v", err)
		}
		got := make(chan error, 1)
		go func() {
			l, err := NewSemaphore(ss[1], dir, leases).Acquire(ctx)
			if err == nil {
				err = l.Release(ctx)
			}
			got <- err
		}()
		waitChildren(t, ss[0], dir, leases+1)
		_ = held[1].Release(ctx)
		if err := <-got; err != nil {
			t.Fatal(err)
		}
		_ = held[0].Release(ctx)
		_ = held[2].Release(ctx)
	})
}
