package recipes

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestQueueFIFO(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 2)
		ctx := testCtx(t, 20*time.Second)
		q := NewQueue(ss[0], dir)
		if _, err := q.TryTake(ctx); !errors.Is(err, ErrEmpty) {
			t.Fatalf("take from empty queue: %v", err)
		}
		for i := 0; i < 10; i++ {
			if err := NewQueue(ss[i%2], dir).Put(ctx, []byte(fmt.Sprint(i))); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 10; i++ {
			got, err := NewQueue(ss[(i+1)%2], dir).Take(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != fmt.Sprint(i) {
				t.Fatalf("take %d got %q", i, got)
			}
		}
		waitChildren(t, ss[0], dir, 0) // no claims left behind
	})
}

// TestQueueExactlyOnce: producers and blocking consumers over several
// sessions; every item is taken exactly once.
func TestQueueExactlyOnce(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 3)
		ctx := testCtx(t, 60*time.Second)
		const producers, each, consumers = 3, 20, 5
		total := producers * each
		var mu sync.Mutex
		seen := map[string]int{}
		var taken sync.WaitGroup
		taken.Add(total)
		for c := 0; c < consumers; c++ {
			go func() {
				q := NewQueue(ss[c%len(ss)], dir)
				for {
					v, err := q.Take(ctx)
					if err != nil {
						return // ctx ended at test cleanup
					}
					mu.Lock()
					seen[string(v)]++
					mu.Unlock()
					taken.Done()
				}
			}()
		}
		var wg sync.WaitGroup
		for p := 0; p < producers; p++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q := NewQueue(ss[p%len(ss)], dir)
				for i := 0; i < each; i++ {
					if err := q.Put(ctx, []byte(fmt.Sprintf("%d-%d", p, i))); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		taken.Wait()
		time.Sleep(100 * time.Millisecond) // a duplicate would show up now
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != total {
			t.Fatalf("%d distinct items taken, want %d", len(seen), total)
		}
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("item %s taken %d times", k, n)
			}
		}
	})
}

func TestPriorityQueue(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		s := connect(t, addr, sessionTimeout)
		ctx := testCtx(t, 20*time.Second)
		q := NewPriorityQueue(s, dir)
		puts := []struct {
			v string
			p uint16
		}{{"c1", 5}, {"a1", 1}, {"c2", 5}, {"b1", 3}, {"a2", 1}, {"z", 900}}
		for _, p := range puts {
			if err := q.Put(ctx, []byte(p.v), p.p); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		for range puts {
			v, err := q.Take(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(v))
		}
		if fmt.Sprint(got) != "[a1 a2 b1 c1 c2 z]" {
			t.Fatalf("order %v", got)
		}
	})
}

// TestQueueLostReplies loses the replies to a Put and to a Take; the item
// is stored once and delivered once.
func TestQueueLostReplies(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		p := newProxy(t, addr)
		s := connect(t, p.Addr(), sessionTimeout)
		ctx := testCtx(t, 20*time.Second)
		q := NewQueue(s, dir)
		if err := s.ensurePath(ctx, dir); err != nil {
			t.Fatal(err)
		}
		p.LoseReplyTo(opMulti)
		if err := q.Put(ctx, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := q.Put(ctx, []byte("y")); err != nil {
			t.Fatal(err)
		}
		waitChildren(t, s, dir, 2)
		if p.Lost() != 1 {
			t.Fatalf("put: %d replies lost, want 1", p.Lost())
		}
		p.LoseReplyTo(opMulti)
		v, err := q.TryTake(ctx) // x
		if err != nil || string(v) != "x" {
			t.Fatalf("take %q %v", v, err)
		}
		got := make(chan string, 1)
		go func() {
			v, err := q.Take(ctx)
			if err != nil {
				t.Error(err)
			}
			got <- string(v)
		}()
		if p.Lost() != 2 {
			t.Fatalf("take: %d replies lost, want 2", p.Lost())
		}
		if v := <-got; v != "y" {
			t.Fatalf("take %q", v)
		}
		if _, err := q.TryTake(ctx); !errors.Is(err, ErrEmpty) {
			t.Fatalf("queue not empty: %v", err)
		}
	})
}
