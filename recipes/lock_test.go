package recipes

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// exclusion counts concurrent holders and remembers the worst overlap.
type exclusion struct {
	holders, max, total atomic.Int64
}

func (x *exclusion) enter() {
	n := x.holders.Add(1)
	for {
		m := x.max.Load()
		if n <= m || x.max.CompareAndSwap(m, n) {
			break
		}
	}
	x.total.Add(1)
}

func (x *exclusion) leave() { x.holders.Add(-1) }

func TestLockMutualExclusion(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 3)
		ctx := testCtx(t, 60*time.Second)
		const workers, rounds = 4, 5
		var x exclusion
		var wg sync.WaitGroup
		errs := make(chan error, len(ss)*workers)
		for i, s := range ss {
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					l := NewLock(s, dir)
					for r := 0; r < rounds; r++ {
						lease, err := l.Acquire(ctx)
						if err != nil {
							errs <- err
							return
						}
						x.enter()
						time.Sleep(time.Millisecond)
						x.leave()
						if err := lease.Release(ctx); err != nil {
							errs <- err
							return
						}
					}
					_ = i
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if m := x.max.Load(); m != 1 {
			t.Fatalf("%d holders at once", m)
		}
		if n := x.total.Load(); n != int64(len(ss)*workers*rounds) {
			t.Fatalf("%d acquisitions, want %d", n, len(ss)*workers*rounds)
		}
		waitChildren(t, ss[0], dir, 0)
	})
}

func TestLockFIFO(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 3)
		ctx := testCtx(t, 30*time.Second)
		first, err := NewLock(ss[0], dir).Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const n = 6
		var mu sync.Mutex
		var order []int
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lease, err := NewLock(ss[i%len(ss)], dir).Acquire(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				_ = lease.Release(ctx)
			}()
			waitChildren(t, ss[0], dir, i+2) // queue in a known order
		}
		if err := first.Release(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		for i, v := range order {
			if v != i {
				t.Fatalf("acquisition order %v, want 0..%d", order, n-1)
			}
		}
		if len(order) != n {
			t.Fatalf("order %v", order)
		}
	})
}

func TestLockTryAndCancel(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 2)
		ctx := testCtx(t, 30*time.Second)
		held, err := NewLock(ss[0], dir).TryAcquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NewLock(ss[1], dir).TryAcquire(ctx); !errors.Is(err, ErrNotAcquired) {
			t.Fatalf("try on a held lock: %v, want ErrNotAcquired", err)
		}
		wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		if _, err := NewLock(ss[1], dir).Acquire(wctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("acquire with expiring ctx: %v", err)
		}
		waitChildren(t, ss[0], dir, 1) // the losers removed their nodes
		if err := held.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if held.Err() != ErrReleased || !isClosed(held.Done()) {
			t.Fatalf("released lease: err %v", held.Err())
		}
		again, err := NewLock(ss[1], dir).TryAcquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_ = again.Release(ctx)
	})
}

// TestLockConnectionDrop: a dropped connection that the session survives
// must not lose the lock, and the lock keeps excluding others.
func TestLockConnectionDrop(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		p := newProxy(t, addr)
		holder := connect(t, p.Addr(), sessionTimeout)
		other := connect(t, addr, sessionTimeout)
		ctx := testCtx(t, 30*time.Second)
		lease, err := NewLock(holder, dir).Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p.Cut()
		waitClosed(t, holder.Disconnected(), 5*time.Second, "disconnect seen")
		if err := holder.WaitConnected(ctx); err != nil {
			t.Fatal(err)
		}
		if isClosed(lease.Done()) {
			t.Fatalf("lease lost over a connection drop: %v", lease.Err())
		}
		if _, err := NewLock(other, dir).TryAcquire(ctx); !errors.Is(err, ErrNotAcquired) {
			t.Fatalf("other session took a held lock: %v", err)
		}
		got := make(chan error, 1)
		go func() {
			l, err := NewLock(other, dir).Acquire(ctx)
			if err == nil {
				err = l.Release(ctx)
			}
			got <- err
		}()
		waitChildren(t, other, dir, 2)
		p.Cut() // drop again while someone waits
		if err := holder.WaitConnected(ctx); err != nil {
			t.Fatal(err)
		}
		if err := lease.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if err := <-got; err != nil {
			t.Fatal(err)
		}
	})
}

// TestLockLostCreateReply loses the reply to the lock's create: without
// the protected-node recovery the client would create a second node, and
// the first (orphaned, but alive with the session) would block it forever.
func TestLockLostCreateReply(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		p := newProxy(t, addr)
		s := connect(t, p.Addr(), sessionTimeout)
		ctx := testCtx(t, 20*time.Second)
		if err := s.ensurePath(ctx, dir); err != nil {
			t.Fatal(err)
		}
		p.LoseReplyTo(opCreate)
		lease, err := NewLock(s, dir).Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		waitChildren(t, s, dir, 1)
		if p.Lost() != 1 {
			t.Fatalf("%d replies lost, want 1", p.Lost())
		}
		if err := lease.Release(ctx); err != nil {
			t.Fatal(err)
		}
		waitChildren(t, s, dir, 0)
	})
}
