package recipes

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBarrier(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		path := testRoot(t) + "/gate"
		ss := sessions(t, addr, 2)
		ctx := testCtx(t, 20*time.Second)
		b := NewBarrier(ss[0], path)
		if err := b.Set(ctx); err != nil {
			t.Fatal(err)
		}
		var passed atomic.Int64
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := NewBarrier(ss[i%2], path).Wait(ctx); err != nil {
					t.Error(err)
				}
				passed.Add(1)
			}()
		}
		time.Sleep(200 * time.Millisecond)
		if n := passed.Load(); n != 0 {
			t.Fatalf("%d passed a raised barrier", n)
		}
		if err := b.Remove(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if n := passed.Load(); n != 4 {
			t.Fatalf("%d passed", n)
		}
	})
}

func TestDoubleBarrier(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 3)
		ctx := testCtx(t, 30*time.Second)
		const n = 6
		var arrived, left atomic.Int64
		var bad atomic.Value
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := NewDoubleBarrier(ss[i%len(ss)], dir, n)
				time.Sleep(time.Duration(i) * 30 * time.Millisecond) // staggered arrivals
				arrived.Add(1)
				if err := d.Enter(ctx); err != nil {
					bad.Store(err.Error())
					return
				}
				if a := arrived.Load(); a != n {
					bad.Store("entered with only some arrived")
				}
				time.Sleep(time.Duration(n-i) * 20 * time.Millisecond) // staggered work
				left.Add(1)
				if err := d.Leave(ctx); err != nil {
					bad.Store(err.Error())
					return
				}
				if l := left.Load(); l != n {
					bad.Store("left before everyone had left")
				}
			}()
		}
		wg.Wait()
		if v := bad.Load(); v != nil {
			t.Fatal(v)
		}
		waitChildren(t, ss[0], dir, 0) // ready removed: reusable
	})
}
