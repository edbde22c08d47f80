package server

import (
	"sync"
	"testing"
	"time"

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
