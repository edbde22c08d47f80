package server

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/synod-dev/synod/internal/tree"
)

var openACL = zk.WorldACL(zk.PermAll)

func TestCRUDWithStats(t *testing.T) {
	s := startServer(t, Options{})
	c, _ := connectZK(t, s.Addr().String())

	p, err := c.Create("/a", []byte("one"), 0, openACL)
	if err != nil || p != "/a" {
		t.Fatalf("create: %q %v", p, err)
	}
	if _, err := c.Create("/a", nil, 0, openACL); !errors.Is(err, zk.ErrNodeExists) {
		t.Fatalf("create twice: %v", err)
	}
	if _, err := c.Create("/missing/child", nil, 0, openACL); !errors.Is(err, zk.ErrNoNode) {
		t.Fatalf("create under missing parent: %v", err)
	}
	data, st, err := c.Get("/a")
	if err != nil || string(data) != "one" || st.Version != 0 || st.DataLength != 3 || st.Czxid == 0 {
		t.Fatalf("get: %q %+v %v", data, st, err)
	}
	st2, err := c.Set("/a", []byte("two"), 0)
	if err != nil || st2.Version != 1 || st2.Mzxid <= st.Mzxid || st2.Czxid != st.Czxid {
		t.Fatalf("set: %+v %v", st2, err)
	}
	if _, err := c.Set("/a", []byte("x"), 0); !errors.Is(err, zk.ErrBadVersion) {
		t.Fatalf("set stale version: %v", err)
	}
	if _, err := c.Create("/a/b", nil, 0, openACL); err != nil {
		t.Fatal(err)
	}
	kids, st3, err := c.Children("/a")
	if err != nil || len(kids) != 1 || kids[0] != "b" || st3.NumChildren != 1 || st3.Cversion != 1 {
		t.Fatalf("children: %v %+v %v", kids, st3, err)
	}
	if err := c.Delete("/a", -1); !errors.Is(err, zk.ErrNotEmpty) {
		t.Fatalf("delete non-empty: %v", err)
	}
	if err := c.Delete("/a/b", 5); !errors.Is(err, zk.ErrBadVersion) {
		t.Fatalf("delete wrong version: %v", err)
	}
	if err := c.Delete("/a/b", 0); err != nil {
		t.Fatal(err)
	}
	ok, _, err := c.Exists("/a/b")
	if err != nil || ok {
		t.Fatalf("exists after delete: %v %v", ok, err)
	}
	root, _, err := c.Children("/")
	if err != nil || !contains(root, "zookeeper") || !contains(root, "a") {
		t.Fatalf("ls /: %v %v", root, err)
	}
	if p, err := c.Sync("/a"); err != nil || p != "/a" {
		t.Fatalf("sync: %q %v", p, err)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestSequentialEphemeralContainerTTL(t *testing.T) {
	s := startServer(t, Options{ExtendedTypes: true, ContainerCheckInterval: 100 * time.Millisecond})
	c, _ := connectZK(t, s.Addr().String())
	if _, err := c.Create("/q", nil, 0, openACL); err != nil {
		t.Fatal(err)
	}
	p1, err := c.Create("/q/n-", nil, zk.FlagSequence, openACL)
	if err != nil || p1 != "/q/n-0000000000" {
		t.Fatalf("seq 1: %q %v", p1, err)
	}
	p2, err := c.Create("/q/n-", nil, zk.FlagSequence|zk.FlagEphemeral, openACL)
	if err != nil || p2 != "/q/n-0000000001" {
		t.Fatalf("seq 2: %q %v", p2, err)
	}
	_, st, _ := c.Exists(p2)
	if st.EphemeralOwner != c.SessionID() {
		t.Fatalf("ephemeralOwner %#x, want %#x", st.EphemeralOwner, c.SessionID())
	}
	if _, err := c.Create(p2+"/kid", nil, 0, openACL); !errors.Is(err, zk.ErrNoChildrenForEphemerals) {
		t.Fatalf("child of ephemeral: %v", err)
	}

	// A container goes once its last child is gone.
	if _, err := c.CreateContainer("/box", nil, zk.FlagContainer, openACL); err != nil {
		t.Fatalf("create container: %v", err)
	}
	if _, err := c.Create("/box/x", nil, 0, openACL); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("/box/x", -1); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "container cleanup", func() bool {
		ok, _, err := c.Exists("/box")
		return err == nil && !ok
	})

	// A TTL node goes once its TTL has passed with no children.
	if _, err := c.CreateTTL("/ttl", nil, zk.FlagTTL, openACL, 50*time.Millisecond); err != nil {
		t.Fatalf("create TTL: %v", err)
	}
	eventually(t, 20*time.Second, "TTL cleanup", func() bool {
		ok, _, err := c.Exists("/ttl")
		return err == nil && !ok
	})

	// The ephemeral goes with its session.
	c2, _ := connectZK(t, s.Addr().String())
	c.Close()
	eventually(t, 20*time.Second, "ephemeral deleted on close", func() bool {
		ok, _, err := c2.Exists(p2)
		return err == nil && !ok
	})
}

func TestTTLDisabled(t *testing.T) {
	s := startServer(t, Options{})
	c, _ := connectZK(t, s.Addr().String())
	// go-zk has no error value for ZUnimplemented; it reports the code.
	_, err := c.CreateTTL("/ttl", nil, zk.FlagTTL, openACL, time.Second)
	if err == nil || !strings.Contains(err.Error(), "-6") {
		t.Fatalf("TTL without extended types: %v", err)
	}
}

func TestMulti(t *testing.T) {
	s := startServer(t, Options{})
	c, _ := connectZK(t, s.Addr().String())
	res, err := c.Multi(
		&zk.CreateRequest{Path: "/m", Data: []byte("x"), Acl: openACL},
		&zk.CreateRequest{Path: "/m/1", Acl: openACL},
		&zk.SetDataRequest{Path: "/m", Data: []byte("y"), Version: 0},
	)
	if err != nil || len(res) != 3 || res[0].String != "/m" || res[2].Stat.Version != 1 {
		t.Fatalf("multi: %+v %v", res, err)
	}
	_, err = c.Multi(
		&zk.CreateRequest{Path: "/m/2", Acl: openACL},
		&zk.CheckVersionRequest{Path: "/m", Version: 0},
	)
	if !errors.Is(err, zk.ErrBadVersion) {
		t.Fatalf("failed multi: %v", err)
	}
	if ok, _, _ := c.Exists("/m/2"); ok {
		t.Fatal("failed multi left /m/2 behind")
	}
}

func TestACLAuthAndSuper(t *testing.T) {
	super := tree.DigestID("super:secret")
	s := startServer(t, Options{SuperDigest: super})
	addr := s.Addr().String()
	owner, _ := connectZK(t, addr)
	if err := owner.AddAuth("digest", []byte("alice:pw")); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Create("/private", []byte("s"), 0, zk.DigestACL(zk.PermAll, "alice", "pw")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := owner.Get("/private"); err != nil {
		t.Fatalf("owner read: %v", err)
	}
	other, _ := connectZK(t, addr)
	if _, _, err := other.Get("/private"); !errors.Is(err, zk.ErrNoAuth) {
		t.Fatalf("stranger read: %v", err)
	}
	if _, err := other.Set("/private", nil, -1); !errors.Is(err, zk.ErrNoAuth) {
		t.Fatalf("stranger write: %v", err)
	}
	if err := other.AddAuth("digest", []byte("super:secret")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.Get("/private"); err != nil {
		t.Fatalf("super read: %v", err)
	}
	acl, _, err := owner.GetACL("/private")
	if err != nil || len(acl) != 1 || acl[0].Scheme != "digest" || !strings.HasPrefix(acl[0].ID, "alice:") {
		t.Fatalf("getACL: %+v %v", acl, err)
	}
	if _, err := owner.SetACL("/private", openACL, 0); err != nil {
		t.Fatalf("setACL: %v", err)
	}
	third, _ := connectZK(t, addr)
	if _, _, err := third.Get("/private"); err != nil {
		t.Fatalf("read after opening ACL: %v", err)
	}
}

func TestWatchesGoZK(t *testing.T) {
	s := startServer(t, Options{})
	addr := s.Addr().String()
	c, _ := connectZK(t, addr)
	w, _ := connectZK(t, addr)

	ok, _, existCh, err := w.ExistsW("/w")
	if err != nil || ok {
		t.Fatalf("existsW: %v %v", ok, err)
	}
	if _, err := c.Create("/w", []byte("a"), 0, openACL); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, existCh, zk.EventNodeCreated, "/w")

	_, _, dataCh, err := w.GetW("/w")
	if err != nil {
		t.Fatal(err)
	}
	_, _, childCh, err := w.ChildrenW("/w")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Set("/w", []byte("b"), -1); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, dataCh, zk.EventNodeDataChanged, "/w")
	if _, err := c.Create("/w/k", nil, 0, openACL); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, childCh, zk.EventNodeChildrenChanged, "/w")

	// The event reaches the watcher before the reply of a later read that
	// sees the change.
	_, _, dataCh, err = w.GetW("/w")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Set("/w", []byte("c"), -1); err != nil {
		t.Fatal(err)
	}
	data, _, err := w.Get("/w")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) == "c" {
		// go-zk hands events to the channel before it completes a later
		// reply, so the event must already be there.
		select {
		case ev := <-dataCh:
			if ev.Type != zk.EventNodeDataChanged {
				t.Fatalf("event %+v", ev)
			}
		default:
			t.Fatal("read saw the change before its watch event arrived")
		}
	} else {
		expectEvent(t, dataCh, zk.EventNodeDataChanged, "/w")
	}
}

func expectEvent(t *testing.T, ch <-chan zk.Event, typ zk.EventType, path string) {
	t.Helper()
	select {
	case ev := <-ch:
		if ev.Type != typ || ev.Path != path {
			t.Fatalf("event %+v, want %v on %s", ev, typ, path)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no %v event on %s", typ, path)
	}
}

func TestFourLetterWordsParse(t *testing.T) {
	s := startServer(t, Options{})
	addr := s.Addr().String()
	c, _ := connectZK(t, addr)
	if _, err := c.Create("/x", nil, 0, openACL); err != nil {
		t.Fatal(err)
	}
	stats, ok := zk.FLWSrvr([]string{addr}, 10*time.Second)
	if !ok || stats[0].Error != nil {
		t.Fatalf("FLWSrvr: %+v", stats[0])
	}
	if stats[0].Mode != zk.ModeStandalone || stats[0].NodeCount < 5 || stats[0].Received == 0 {
		t.Fatalf("srvr parsed: %+v", stats[0])
	}
	cons, ok := zk.FLWCons([]string{addr}, 10*time.Second)
	if !ok || cons[0].Error != nil || len(cons[0].Clients) != 1 || cons[0].Clients[0].SessionID != c.SessionID() {
		t.Fatalf("FLWCons: %+v %v", cons[0], ok)
	}
	if oks := zk.FLWRuok([]string{addr}, 10*time.Second); !oks[0] {
		t.Fatal("FLWRuok false")
	}
	out := s.FourLetter("mntr")
	if !strings.Contains(out, "zk_znode_count\t") || !strings.Contains(out, "zk_server_state\tstandalone\n") {
		t.Fatalf("mntr:\n%s", out)
	}
	if out := s.FourLetter("envi"); !strings.Contains(out, "zookeeper.version=3.8.0") {
		t.Fatalf("envi:\n%s", out)
	}
}

func TestFourLetterWhitelist(t *testing.T) {
	s := startServer(t, Options{FourLetterWhitelist: []string{"srvr"}})
	r := dialRaw(t, s.Addr().String())
	if _, err := r.nc.Write([]byte("ruok")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(r.nc)
	if got := buf.String(); got != "ruok is not executed because it is not in the whitelist.\n" {
		t.Fatalf("ruok reply %q", got)
	}
}

// TestGoZKReconnectKeepsSessionAndWatches drops a go-zk client's TCP
// connection: the client re-attaches to its session and re-sends its
// watches, which fire for changes made while it was away.
func TestGoZKReconnectKeepsSessionAndWatches(t *testing.T) {
	s := startServer(t, Options{})
	addr := s.Addr().String()
	w, _ := connectZK(t, addr)
	c, _ := connectZK(t, addr)
	if _, err := c.Create("/rw", []byte("a"), 0, openACL); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Create("/rw-eph", nil, zk.FlagEphemeral, openACL); err != nil {
		t.Fatal(err)
	}
	_, _, ch, err := w.GetW("/rw")
	if err != nil {
		t.Fatal(err)
	}
	sid := w.SessionID()
	old := s.connOf(sid)
	if old == nil {
		t.Fatal("no connection for the session")
	}
	old.close("test drops the connection")
	eventually(t, 30*time.Second, "client re-attached on a new connection", func() bool {
		nc := s.connOf(sid)
		return nc != nil && nc != old && w.State() == zk.StateHasSession
	})
	if _, err := c.Set("/rw", []byte("b"), -1); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, ch, zk.EventNodeDataChanged, "/rw")
	if ok, st, err := c.Exists("/rw-eph"); err != nil || !ok || st.EphemeralOwner != sid {
		t.Fatalf("ephemeral after reconnect: %v %+v %v", ok, st, err)
	}
}

// TestConcurrentClients runs several go-zk clients at once, each pipelining
// from many goroutines, and checks every write landed exactly once.
func TestConcurrentClients(t *testing.T) {
	s := startServer(t, Options{})
	addr := s.Addr().String()
	const clients, workers, ops = 4, 8, 50
	setup, _ := connectZK(t, addr)
	if _, err := setup.Create("/cc", nil, 0, openACL); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, clients*workers)
	for i := 0; i < clients; i++ {
		c, _ := connectZK(t, addr)
		for w := 0; w < workers; w++ {
			go func(i, w int) {
				p := fmt.Sprintf("/cc/n-%d-%d", i, w)
				if _, err := c.Create(p, nil, 0, openACL); err != nil {
					errs <- err
					return
				}
				for k := 0; k < ops; k++ {
					if _, _, _, err := c.GetW(p); err != nil {
						errs <- err
						return
					}
					if _, err := c.Set(p, []byte{byte(k)}, int32(k)); err != nil {
						errs <- fmt.Errorf("set %s v%d: %w", p, k, err)
						return
					}
				}
				errs <- nil
			}(i, w)
		}
	}
	for i := 0; i < clients*workers; i++ {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(60 * time.Second):
			t.Fatal("workers stuck")
		}
	}
	kids, _, err := setup.Children("/cc")
	if err != nil || len(kids) != clients*workers {
		t.Fatalf("children: %d %v", len(kids), err)
	}
	_, st, err := setup.Get("/cc/n-0-0")
	if err != nil || st.Version != ops {
		t.Fatalf("version %d, want %d (%v)", st.Version, ops, err)
	}
}
