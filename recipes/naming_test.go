package recipes

import (
	"sync"
	"testing"
	"time"
)

func TestNamer(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 3)
		ctx := testCtx(t, 30*time.Second)
		var mu sync.Mutex
		seen := map[int64]bool{}
		var wg sync.WaitGroup
		for g := 0; g < 6; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := NewNamer(ss[g%len(ss)], dir)
				last := int64(-1)
				for i := 0; i < 10; i++ {
					id, err := n.Next(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if id <= last {
						t.Errorf("id %d after %d in one goroutine", id, last)
					}
					last = id
					mu.Lock()
					if seen[id] {
						t.Errorf("id %d handed out twice", id)
					}
					seen[id] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 60 {
			t.Fatalf("%d ids", len(seen))
		}
		waitChildren(t, ss[0], dir, 0)
	})
}
