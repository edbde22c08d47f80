package recipes

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRWLockExclusion(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 3)
		ctx := testCtx(t, 60*time.Second)
		var readers, writers, maxReaders atomic.Int64
		var bad atomic.Value
		var wg sync.WaitGroup
		for i := 0; i < 9; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := NewRWLock(ss[i%len(ss)], dir)
				for r := 0; r < 4; r++ {
					if i%3 == 0 { // writer
						lease, err := l.Lock(ctx)
						if err != nil {
							bad.Store(err.Error())
							return
						}
						if w := writers.Add(1); w != 1 || readers.Load() != 0 {
							bad.Store("writer overlapped")
						}
						time.Sleep(time.Millisecond)
						writers.Add(-1)
						_ = lease.Release(ctx)
						continue
					}
					lease, err := l.RLock(ctx)
					if err != nil {
						bad.Store(err.Error())
						return
					}
					n := readers.Add(1)
					if writers.Load() != 0 {
						bad.Store("reader overlapped a writer")
					}
					for {
						m := maxReaders.Load()
						if n <= m || maxReaders.CompareAndSwap(m, n) {
							break
						}
					}
					time.Sleep(2 * time.Millisecond)
					readers.Add(-1)
					_ = lease.Release(ctx)
				}
			}()
		}
		wg.Wait()
		if v := bad.Load(); v != nil {
			t.Fatal(v)
		}
		t.Logf("at most %d readers at once", maxReaders.Load())
	})
}

// TestRWLockOrder: readers share; a waiting writer blocks later readers.
func TestRWLockOrder(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 2)
		ctx := testCtx(t, 30*time.Second)
		a, b := NewRWLock(ss[0], dir), NewRWLock(ss[1], dir)
		r1, err := a.RLock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := b.RLock(ctx) // readers share
		if err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		if _, err := a.Lock(wctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("writer got in with readers holding: %v", err)
		}
		cancel()
		wgot := make(chan *Lease, 1)
		go func() {
			w, err := a.Lock(ctx)
			if err != nil {
				t.Error(err)
			}
			wgot <- w
		}()
		waitChildren(t, ss[0], dir, 3)
		rgot := make(chan *Lease, 1)
		go func() {
			r, err := b.RLock(ctx)
			if err != nil {
				t.Error(err)
			}
			rgot <- r
		}()
		waitChildren(t, ss[0], dir, 4)
		_ = r1.Release(ctx)
		_ = r2.Release(ctx)
		w := <-wgot
		select {
		case <-rgot:
			t.Fatal("a reader queued behind a writer got in with the writer")
		case <-time.After(200 * time.Millisecond):
		}
		_ = w.Release(ctx)
		r3 := <-rgot
		_ = r3.Release(ctx)
	})
}
