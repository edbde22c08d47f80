package server

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/storage"
	"github.com/synod-dev/synod/internal/tree"
	"github.com/synod-dev/synod/internal/wire"
)

// gateStorage records each Append and can hold it until released, to show
// that nothing is acknowledged before it is durable.
type gateStorage struct {
	mu      sync.Mutex
	batches [][]tree.Txn
	hold    chan struct{} // while non-nil, Append waits for it to close
	entered chan struct{}
}

func (g *gateStorage) Load(opts tree.Options) (*tree.Tree, error) { return tree.New(opts), nil }
func (g *gateStorage) Close() error                               { return nil }
func (g *gateStorage) Append(txns []tree.Txn) error {
	g.mu.Lock()
	g.batches = append(g.batches, append([]tree.Txn(nil), txns...))
	hold, entered := g.hold, g.entered
	g.mu.Unlock()
	if hold != nil {
		entered <- struct{}{}
		<-hold
	}
	return nil
}

func (g *gateStorage) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.batches)
}

func TestStorageGroupCommitBeforeAck(t *testing.T) {
	g := &gateStorage{}
	s := startServer(t, Options{Storage: g})
	c := dialRaw(t, s.Addr().String())
	c.mustConnect(0, nil, 10000)
	if g.count() != 1 || g.batches[0][0].Op != wire.OpCreateSession {
		t.Fatalf("createSession not persisted first: %d batches", g.count())
	}

	g.mu.Lock()
	g.hold, g.entered = make(chan struct{}), make(chan struct{}, 1)
	g.mu.Unlock()
	c.send(1, wire.OpCreate, &wire.CreateRequest{Path: "/first", ACL: rawOpen})
	<-g.entered // the committer is inside Append with /first
	const more = 50
	for i := 0; i < more; i++ {
		c.send(int32(2+i), wire.OpSetData, &wire.SetDataRequest{Path: "/first", Data: []byte{byte(i)}, Version: -1})
	}
	eventually(t, 30*time.Second, "writes queued behind the held batch", func() bool { return len(s.commitCh) == more })
	_ = c.nc.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := c.fr.ReadFrame(); err == nil {
		t.Fatal("a reply arrived before its batch was durable")
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(60 * time.Second))
	g.mu.Lock()
	hold := g.hold
	g.hold = nil
	g.mu.Unlock()
	close(hold)
	for i := 0; i < more+1; i++ {
		h, _, err := c.readReply()
		if err != nil || h.Xid != int32(i+1) || h.Err != wire.ZOK {
			t.Fatalf("reply %d: %+v %v", i, h, err)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.batches) != 3 || len(g.batches[2]) != more {
		sizes := []int{}
		for _, b := range g.batches {
			sizes = append(sizes, len(b))
		}
		t.Fatalf("batch sizes %v, want [1 1 %d]", sizes, more)
	}
	for i, txn := range g.batches[2] {
		if txn.Zxid != g.batches[1][0].Zxid+int64(i)+1 {
			t.Fatalf("zxids not consecutive: %d at %d", txn.Zxid, i)
		}
	}
}

// TestWALStorageRestart writes through the real log, restarts the server
// on the same folder and finds the nodes, the zxid and the session again;
// a snapshot taken on the way is used.
func TestWALStorageRestart(t *testing.T) {
	dir := t.TempDir()
	key := []byte("restart test key")
	open := func() *Server {
		return startServer(t, Options{SessionKey: key,
			Storage: NewWALStorage(storage.Options{Dir: dir, PreAllocSize: -1, SnapCount: 5, Logger: discardLogger()})})
	}
	s1 := open()
	c := dialRaw(t, s1.Addr().String())
	resp := c.mustConnect(0, nil, 4000)
	for i := 0; i < 12; i++ {
		if code := c.create(fmt.Sprintf("/n%d", i), 0); code != wire.ZOK {
			t.Fatal(code)
		}
	}
	if code := c.create("/eph", wire.FlagEphemeral); code != wire.ZOK {
		t.Fatal(code)
	}
	s1.mu.RLock()
	last := s1.tree.LastZxid()
	s1.mu.RUnlock()
	c.nc.Close()
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	snaps, _ := filepath.Glob(filepath.Join(dir, "snap*"))
	if len(snaps) == 0 {
		t.Fatal("no snapshot written with SnapCount 5")
	}

	s2 := open()
	s2.mu.RLock()
	got := s2.tree.LastZxid()
	s2.mu.RUnlock()
	if got != last {
		t.Fatalf("lastZxid after restart 0x%x, want 0x%x", got, last)
	}
	d := dialRaw(t, s2.Addr().String())
	r2 := d.mustConnect(resp.SessionID, resp.Passwd, 4000)
	if r2.SessionID != resp.SessionID {
		t.Fatalf("session not recovered: %+v", r2)
	}
	var st wire.StatResponse
	if code := d.call(wire.OpExists, &wire.PathWatchRequest{Path: "/n11"}, &st); code != wire.ZOK {
		t.Fatalf("/n11 after restart: %v", code)
	}
	if code := d.call(wire.OpExists, &wire.PathWatchRequest{Path: "/eph"}, &st); code != wire.ZOK || st.Stat.EphemeralOwner != resp.SessionID {
		t.Fatalf("/eph after restart: %v %+v", code, st.Stat)
	}
	if code := d.create("/after", 0); code != wire.ZOK {
		t.Fatalf("write after restart: %v", code)
	}
}
