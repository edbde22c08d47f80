package recipes

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestElection(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 3)
		ctx := testCtx(t, 30*time.Second)
		if _, err := NewElection(ss[0], dir).Leader(ctx); !errors.Is(err, ErrNoLeader) {
			t.Fatalf("leader before any campaign: %v", err)
		}
		octx, ocancel := context.WithCancel(ctx)
		defer ocancel()
		seen := NewElection(ss[2], dir).Observe(octx)
		if v := <-seen; v != nil {
			t.Fatalf("first observation %q, want none", v)
		}

		type won struct {
			i     int
			lease *Lease
		}
		wins := make(chan won, 3)
		for i := 0; i < 3; i++ {
			go func() {
				l, err := NewElection(ss[i], dir).Campaign(ctx, []byte(fmt.Sprint("cand-", i)))
				if err != nil {
					t.Error(err)
					return
				}
				wins <- won{i, l}
			}()
			waitChildren(t, ss[0], dir, i+1)
		}
		for want := 0; want < 3; want++ {
			w := <-wins
			if w.i != want {
				t.Fatalf("candidate %d leads, want %d (campaign order)", w.i, want)
			}
			select {
			case other := <-wins:
				t.Fatalf("candidates %d and %d lead at once", w.i, other.i)
			case <-time.After(50 * time.Millisecond):
			}
			v, err := NewElection(ss[0], dir).Leader(ctx)
			if err != nil || string(v) != fmt.Sprint("cand-", want) {
				t.Fatalf("Leader = %q, %v; want cand-%d", v, err, want)
			}
			if o := <-seen; string(o) != fmt.Sprint("cand-", want) {
				t.Fatalf("observed %q, want cand-%d", o, want)
			}
			if err := w.lease.Release(ctx); err != nil { // resign
				t.Fatal(err)
			}
		}
		if v := <-seen; v != nil {
			t.Fatalf("observed %q after everyone resigned", v)
		}
	})
}

// TestElectionLeaderNodeDeleted: the leader is told when its node is
// deleted by someone else, and the next candidate takes over.
func TestElectionLeaderNodeDeleted(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 2)
		ctx := testCtx(t, 30*time.Second)
		l, err := NewElection(ss[0], dir).Campaign(ctx, []byte("a"))
		if err != nil {
			t.Fatal(err)
		}
		next := make(chan *Lease, 1)
		go func() {
			l, err := NewElection(ss[1], dir).Campaign(ctx, []byte("b"))
			if err != nil {
				t.Error(err)
			}
			next <- l
		}()
		waitChildren(t, ss[0], dir, 2)
		if err := ss[1].Conn().Delete(l.Path(), -1); err != nil {
			t.Fatal(err)
		}
		waitClosed(t, l.Done(), 5*time.Second, "leader told of deletion")
		if !errors.Is(l.Err(), ErrNodeDeleted) {
			t.Fatalf("lost leadership with %v, want ErrNodeDeleted", l.Err())
		}
		b := <-next
		if b == nil || isClosed(b.Done()) {
			t.Fatal("next candidate did not take over")
		}
		_ = b.Release(ctx)
	})
}
