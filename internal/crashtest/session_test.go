package crashtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/synod-dev/synod/internal/zkenv"
)

// movingHost is a zk.HostProvider whose single address can change, so a
// client follows a server restarted on a new port and resumes its session.
type movingHost struct {
	mu    sync.Mutex
	addr  string
	tried bool // an attempt since the last successful connection
}

func (h *movingHost) set(addr string) { h.mu.Lock(); h.addr = addr; h.mu.Unlock() }

// Init implements zk.HostProvider.
func (h *movingHost) Init(servers []string) error { h.set(servers[0]); return nil }

// Len implements zk.HostProvider.
func (h *movingHost) Len() int { return 1 }

// Next implements zk.HostProvider.
func (h *movingHost) Next() (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	retry := h.tried // like zk.DNSHostProvider: wrapped around without success
	h.tried = true
	return h.addr, retry
}

// Connected implements zk.HostProvider.
func (h *movingHost) Connected() { h.mu.Lock(); h.tried = false; h.mu.Unlock() }

// TestSessionsSurviveRestart SIGKILLs synod with two sessions that own
// ephemerals. After a restart on the same dataDir the session whose client
// reconnects keeps its ephemeral; the one whose client is gone expires
// after its timeout and its ephemeral is deleted.
func TestSessionsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	opts := zkenv.Options{DataDir: dir, TickTime: 500, Extra: map[string]string{"forceSync": "yes"}}
	srv, err := zkenv.Start(context.Background(), zkenv.Synod, opts)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	hp := &movingHost{}
	a, _, err := zk.Connect([]string{srv.Addr}, 4*time.Second, zk.WithHostProvider(hp), zk.WithLogInfo(false))
	if err != nil {
		t.Fatalf("connect a: %v", err)
	}
	defer a.Close()
	b := connect(t, srv.Addr)
	acl := zk.WorldACL(zk.PermAll)
	if _, err := a.Create("/ea", nil, zk.FlagEphemeral, acl); err != nil {
		t.Fatalf("create /ea: %v", err)
	}
	if _, err := b.Create("/eb", nil, zk.FlagEphemeral, acl); err != nil {
		t.Fatalf("create /eb: %v", err)
	}
	sidA, sidB := a.SessionID(), b.SessionID()
	srv.Kill()
	<-srv.Done()
	b.Close() // the server is gone: b's session is not closed, just abandoned

	srv, err = zkenv.Start(context.Background(), zkenv.Synod, opts)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer srv.Kill()
	hp.set(srv.Addr)
	c := connect(t, srv.Addr)
	defer c.Close()

	deadline := time.Now().Add(60 * time.Second)
	for {
		_, st, err := c.Exists("/eb")
		if err != nil {
			t.Fatalf("exists /eb: %v", err)
		}
		if st == nil || st.EphemeralOwner == 0 {
			break
		}
		if st.EphemeralOwner != sidB {
			t.Fatalf("/eb owner %#x, want %#x", st.EphemeralOwner, sidB)
		}
		if time.Now().After(deadline) {
			t.Fatalf("/eb of the abandoned session %#x still there after 60 s", sidB)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ok, _, err := c.Exists("/eb")
	if err != nil || ok {
		t.Fatalf("/eb after expiry: exists=%v err=%v", ok, err)
	}
	// a reconnected with its session: its ephemeral is still there.
	for a.State() != zk.StateHasSession {
		if time.Now().After(deadline) {
			t.Fatalf("client a did not resume its session (state %v)", a.State())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if a.SessionID() != sidA {
		t.Fatalf("client a has session %#x, want the old %#x", a.SessionID(), sidA)
	}
	ok, st, err := c.Exists("/ea")
	if err != nil || !ok || st.EphemeralOwner != sidA {
		t.Fatalf("/ea after restart: exists=%v stat=%+v err=%v, want owner %#x", ok, st, err, sidA)
	}
}
