package recipes

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConnectionChaos runs a lock, a semaphore, an election, a queue and a
// counter under contention from sessions whose connections are cut again
// and again (each session survives: cuts are shorter than the session
// timeout). Mutual exclusion, exactly-once delivery and the count must
// hold regardless.
func TestConnectionChaos(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		root := testRoot(t)
		const n = 3
		var ps []*proxy
		var ss []*Session
		for i := 0; i < n; i++ {
			p := newProxy(t, addr)
			ps = append(ps, p)
			ss = append(ss, connect(t, p.Addr(), sessionTimeout))
		}
		ctx := testCtx(t, 60*time.Second)
		stop := make(chan struct{})
		var cutter sync.WaitGroup
		cutter.Add(1)
		cuts := 0
		go func() {
			defer cutter.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(150 * time.Millisecond):
				}
				ps[i%n].Cut()
				cuts++
			}
		}()

		var x, semX, leadX exclusion
		const rounds, items, adds = 4, 15, 8
		seen := map[string]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		var taken atomic.Int64
		qctx, qcancel := context.WithCancel(ctx)
		defer qcancel()
		for i, s := range ss {
			wg.Add(3)
			go func() { // lock
				defer wg.Done()
				l := NewLock(s, root+"/lock")
				for r := 0; r < rounds; r++ {
					lease, err := l.Acquire(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					x.enter()
					time.Sleep(20 * time.Millisecond)
					x.leave()
					if err := lease.Release(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			go func() { // queue producer
				defer wg.Done()
				q := NewQueue(s, root+"/queue")
				for k := 0; k < items; k++ {
					if err := q.Put(ctx, []byte(fmt.Sprintf("%d-%d", i, k))); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			go func() { // queue consumer
				q := NewQueue(s, root+"/queue")
				for {
					v, err := q.Take(qctx)
					if err != nil {
						return
					}
					mu.Lock()
					seen[string(v)]++
					mu.Unlock()
					taken.Add(1)
				}
			}()
			wg.Add(2)
			go func() { // semaphore of 2
				defer wg.Done()
				m := NewSemaphore(s, root+"/sem", 2)
				for r := 0; r < rounds; r++ {
					lease, err := m.Acquire(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					semX.enter()
					time.Sleep(20 * time.Millisecond)
					semX.leave()
					if err := lease.Release(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			go func() { // election
				defer wg.Done()
				e := NewElection(s, root+"/elect")
				for r := 0; r < rounds; r++ {
					lease, err := e.Campaign(ctx, []byte(fmt.Sprint(i)))
					if err != nil {
						t.Error(err)
						return
					}
					leadX.enter()
					time.Sleep(20 * time.Millisecond)
					leadX.leave()
					if err := lease.Release(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			go func() { // counter
				defer wg.Done()
				c := NewCounter(s, root+"/count")
				for k := 0; k < adds; k++ {
					if _, err := c.Add(ctx, 1); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		for deadline := time.Now().Add(20 * time.Second); taken.Load() < n*items && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
		close(stop)
		cutter.Wait()
		t.Logf("%d connection cuts", cuts)
		if m := x.max.Load(); m != 1 {
			t.Fatalf("%d lock holders at once", m)
		}
		if x.total.Load() != n*rounds {
			t.Fatalf("%d lock acquisitions", x.total.Load())
		}
		if m := semX.max.Load(); m > 2 || semX.total.Load() != n*rounds {
			t.Fatalf("semaphore: %d holders at once, %d acquisitions", m, semX.total.Load())
		}
		if m := leadX.max.Load(); m != 1 || leadX.total.Load() != n*rounds {
			t.Fatalf("election: %d leaders at once, %d terms", m, leadX.total.Load())
		}
		mu.Lock()
		for k, c := range seen {
			if c != 1 {
				t.Errorf("item %s taken %d times", k, c)
			}
		}
		if len(seen) != n*items {
			t.Fatalf("%d items taken, want %d", len(seen), n*items)
		}
		mu.Unlock()
		v, err := NewCounter(ss[0], root+"/count").Get(ctx)
		if err != nil || v != n*adds {
			t.Fatalf("counter %d (%v), want %d", v, err, n*adds)
		}
	})
}
