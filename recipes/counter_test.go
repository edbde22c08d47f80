package recipes

import (
	"sync"
	"testing"
	"time"
)

func TestCounter(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		path := testRoot(t) + "/count"
		ss := sessions(t, addr, 3)
		ctx := testCtx(t, 60*time.Second)
		const workers, each = 6, 15
		var mu sync.Mutex
		results := map[int64]bool{}
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := NewCounter(ss[w%len(ss)], path)
				for i := 0; i < each; i++ {
					v, err := c.Add(ctx, 1)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if results[v] {
						t.Errorf("two Adds returned %d", v)
					}
					results[v] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		v, err := NewCounter(ss[0], path).Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != workers*each {
			t.Fatalf("counter %d, want %d", v, workers*each)
		}
		if v, _ := NewCounter(ss[0], path).Add(ctx, -10); v != workers*each-10 {
			t.Fatalf("after -10: %d", v)
		}
		waitChildren(t, ss[0], path, 0) // markers removed
	})
}

// TestCounterLostReply loses the reply to an Add's multi: the Add must be
// counted once, not zero times or twice.
func TestCounterLostReply(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		path := testRoot(t) + "/count"
		p := newProxy(t, addr)
		s := connect(t, p.Addr(), sessionTimeout)
		ctx := testCtx(t, 20*time.Second)
		c := NewCounter(s, path)
		if _, err := c.Add(ctx, 5); err != nil {
			t.Fatal(err)
		}
		p.LoseReplyTo(opMulti)
		v, err := c.Add(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		if p.Lost() != 1 {
			t.Fatalf("%d replies lost, want 1", p.Lost())
		}
		if got, _ := c.Get(ctx); v != 8 || got != 8 {
			t.Fatalf("Add returned %d, counter %d; want 8", v, got)
		}
	})
}
