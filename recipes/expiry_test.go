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
		// The holder's session also waits for a lock that other holds:
		// its expiry must not lose the waiter's place for good; it
		// queues again in the new session.
		otherHeld, err := NewLock(other, root+"/lock2").Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		holderWaits := make(chan *Lease, 1)
		go func() {
			l, err := NewLock(holder, root+"/lock2").Acquire(ctx)
			if err != nil {
				t.Error(err)
			}
			holderWaits <- l
		}()
		waitChildren(t, other, root+"/lock2", 2)

		p.Pause()
		var next *Lease
		select {
		case next = <-waiter: // the server expired the holder's session
		case <-time.After(20 * time.Second):
			t.Fatal("waiter did not get the lock after the holder's session should have expired")
		}
		// The holder is told while still cut off: after a session
		// timeout without a connection, expiry is presumed.
		for name, h := range held {
			waitClosed(t, h.Done(), expiryTimeout+3*time.Second, name+" told of expiry while cut off")
			if !errors.Is(h.Err(), ErrSessionExpired) {
				t.Fatalf("%s lost with %v, want ErrSessionExpired", name, h.Err())
			}
		}
		oldID := holder.Conn().SessionID()
		p.Resume()
		if err := holder.WaitConnected(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := holder.current(ctx); err != nil {
			t.Fatal(err)
		}
		if id := holder.Conn().SessionID(); id == oldID {
			t.Fatalf("session %x still in use after the server expired it", id)
		}
		// The waiting Acquire re-queued in the new session and gets the
		// lock once other releases it.
		waitChildren(t, other, root+"/lock2", 2)
		_ = otherHeld.Release(ctx)
		select {
		case l := <-holderWaits:
			if l == nil || isClosed(l.Done()) {
				t.Fatal("re-queued waiter got a dead lease")
			}
			_ = l.Release(ctx)
		case <-time.After(10 * time.Second):
			t.Fatal("waiter whose session expired never got the lock")
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

// TestSessionPresumedExpiryKeptByServer cuts a holder off while the server
// keeps its session alive (the proxy pings on the client's behalf). The
// holder must be told it lost its lock after a session timeout; when it
// reconnects to the same, still-valid session, the lock node it no longer
// believes in must be deleted so that the next waiter gets the lock.
func TestSessionPresumedExpiryKeptByServer(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		root := testRoot(t)
		p := newProxy(t, addr)
		holder := connect(t, p.Addr(), expiryTimeout)
		other := connect(t, addr, sessionTimeout)
		ctx := testCtx(t, 30*time.Second)
		lease, err := NewLock(holder, root).Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		member, err := NewGroup(holder, root+"-group").Join(ctx, "holder", nil)
		if err != nil {
			t.Fatal(err)
		}
		waiter := make(chan *Lease, 1)
		go func() {
			l, err := NewLock(other, root).Acquire(ctx)
			if err != nil {
				t.Error(err)
			}
			waiter <- l
		}()
		waitChildren(t, other, root, 2)
		id := holder.Conn().SessionID()

		p.PauseKeepAlive()
		waitClosed(t, lease.Done(), expiryTimeout+3*time.Second, "holder told while cut off")
		if !errors.Is(lease.Err(), ErrSessionExpired) {
			t.Fatalf("lost with %v", lease.Err())
		}
		waitClosed(t, member.Done(), time.Second, "member told while cut off")
		if ok, _, _ := other.Conn().Exists(lease.Path()); !ok {
			t.Fatal("the server expired the session although the proxy kept it alive; test is void")
		}
		p.Resume()
		var next *Lease
		select {
		case next = <-waiter:
		case <-time.After(10 * time.Second):
			t.Fatal("the stale lock node was not deleted after reconnecting")
		}
		if got := holder.Conn().SessionID(); got != id {
			t.Fatalf("session %x became %x; the server was meant to keep it", id, got)
		}
		waitChildren(t, other, root+"-group", 0)
		_ = next.Release(ctx)
		again, err := NewLock(holder, root).Acquire(ctx) // the Session works on
		if err != nil {
			t.Fatal(err)
		}
		_ = again.Release(ctx)
	})
}
