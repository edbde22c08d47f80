package recipes

import (
	"errors"
	"testing"
	"time"
)

// TestSessionExpiry expires one session that holds a lock, a read lock, a
// semaphore lease, a leadership and a group membership, and checks that
// every holder is told (ErrSessionExpired), that a waiter on another
// session gets the lock, and that the expired Session works again in its
// new session. Expiry is forced with a TCP proxy that keeps the client
// away from the server for longer than the session timeout.
func TestSessionExpiry(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		root := testRoot(t)
		p := newProxy(t, addr)
		holder := connect(t, p.Addr(), expiryTimeout)
		other := connect(t, addr, sessionTimeout)
		ctx := testCtx(t, 40*time.Second)

		lock, err := NewLock(holder, root+"/lock").Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		read, err := NewRWLock(holder, root+"/rw").RLock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sem, err := NewSemaphore(holder, root+"/sem", 1).Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		lead, err := NewElection(holder, root+"/elect").Campaign(ctx, []byte("holder"))
		if err != nil {
			t.Fatal(err)
		}
		member, err := NewGroup(holder, root+"/group").Join(ctx, "holder", []byte("h"))
		if err != nil {
			t.Fatal(err)
		}
		held := map[string]interface {
			Done() <-chan struct{}
			Err() error
		}{"lock": lock, "read lock": read, "semaphore": sem, "leadership": lead, "membership": member}

		waiter := make(chan *Lease, 1)
		go func() {
			l, err := NewLock(other, root+"/lock").Acquire(ctx)
			if err != nil {
				t.Error(err)
			}
			waiter <- l
		}()
		waitChildren(t, other, root+"/lock", 2)

		p.Pause()
		var next *Lease
		select {
		case next = <-waiter: // the server expired the holder's session
		case <-time.After(20 * time.Second):
			t.Fatal("waiter did not get the lock after the holder's session should have expired")
		}
		for name, h := range held {
			if isClosed(h.Done()) {
				t.Logf("%s: lost before reconnecting: %v", name, h.Err())
			}
		}
		p.Resume()
		for name, h := range held {
			waitClosed(t, h.Done(), 10*time.Second, name+" told of expiry")
			if !errors.Is(h.Err(), ErrSessionExpired) {
				t.Fatalf("%s lost with %v, want ErrSessionExpired", name, h.Err())
			}
		}
		// The Session carries on with a new ZooKeeper session.
		_ = next.Release(ctx)
		again, err := NewLock(holder, root+"/lock").Acquire(ctx)
		if err != nil {
			t.Fatalf("acquire in the new session: %v", err)
		}
		if isClosed(again.Done()) {
			t.Fatal("new lease already lost")
		}
		_ = again.Release(ctx)
	})
}
