package server

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/tree"
	"github.com/synod-dev/synod/internal/wire"
)

// pendingReplyBytes sums the reply bytes buffered for every connection.
func (s *Server) pendingReplyBytes() int {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	n := 0
	for c := range s.conns {
		c.mu.Lock()
		n += len(c.out)
		c.mu.Unlock()
	}
	return n
}

// TestSlowReaderIsThrottled sends many large reads from a client that does
// not read its replies: the server must stop reading that client instead
// of buffering every reply, and must still answer all of them, in order,
// once the client reads.
func TestSlowReaderIsThrottled(t *testing.T) {
	const limit = 2 << 20
	s := startServer(t, Options{MaxPendingReplyBytes: limit})
	c := dialRaw(t, s.Addr().String())
	c.mustConnect(0, nil, 10000)
	data := make([]byte, 900_000)
	if code := c.call(wire.OpCreate, &wire.CreateRequest{Path: "/big", Data: data, ACL: rawOpen}, &wire.CreateResponse{}); code != wire.ZOK {
		t.Fatalf("create: %v", code)
	}

	const n = 300 // 270 MB of replies
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := 0; i < n; i++ {
			h := wire.RequestHeader{Xid: int32(1000 + i), Type: wire.OpGetData}
			if _, err := c.nc.Write(wire.AppendFrame(nil, &h, &wire.PathWatchRequest{Path: "/big"})); err != nil {
				return
			}
		}
	}()

	// Let the server read and answer as much as it will.
	peak := 0
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		peak = max(peak, s.pendingReplyBytes())
	}
	// The reader stops once more than limit bytes wait; one more reply may
	// already be on its way into the buffer.
	if bound := limit + 2*len(data); peak > bound {
		t.Fatalf("%d reply bytes buffered for a client that does not read; want at most %d", peak, bound)
	}

	for i := 0; i < n; i++ {
		h, body, err := c.readReply()
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		if h.Xid != int32(1000+i) || h.Err != wire.ZOK {
			t.Fatalf("reply %d: xid %d err %v", i, h.Xid, h.Err)
		}
		var resp wire.GetDataResponse
		if err := wire.Unmarshal(body, &resp); err != nil || len(resp.Data) != len(data) {
			t.Fatalf("reply %d: %d bytes, %v", i, len(resp.Data), err)
		}
	}
	<-sent
}

// gatedStorage holds every Append, once hold is set, until open is closed.
type gatedStorage struct {
	MemoryStorage
	hold *atomic.Bool
	open chan struct{}
}

func (g gatedStorage) Append(txns []tree.Txn) error {
	if g.hold.Load() {
		<-g.open
	}
	return nil
}

// TestGlobalOutstandingLimit stalls the log and pipelines many writes: the
// server must stop reading once GlobalOutstandingLimit writes wait, and
// answer every one of them once the log moves again.
func TestGlobalOutstandingLimit(t *testing.T) {
	const limit = 5
	gate := gatedStorage{hold: new(atomic.Bool), open: make(chan struct{})}
	s := startServer(t, Options{GlobalOutstandingLimit: limit, Storage: gate})
	var once sync.Once
	release := func() { once.Do(func() { close(gate.open) }) }
	t.Cleanup(release) // runs before the server's Close, which waits for the log
	c := dialRaw(t, s.Addr().String())
	c.mustConnect(0, nil, 10000)
	gate.hold.Store(true)

	const n = 50
	for i := 0; i < n; i++ {
		h := wire.RequestHeader{Xid: int32(1 + i), Type: wire.OpCreate}
		req := wire.CreateRequest{Path: "/n" + strconv.Itoa(i), ACL: rawOpen}
		if _, err := c.nc.Write(wire.AppendFrame(nil, &h, &req)); err != nil {
			t.Fatal(err)
		}
	}
	peak := int64(0)
	for end := time.Now().Add(500 * time.Millisecond); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		peak = max(peak, s.stats.outstanding.Load())
	}
	if peak != limit {
		t.Fatalf("%d writes outstanding while the log is stalled; want the limit, %d", peak, limit)
	}
	release()
	for i := 0; i < n; i++ {
		h, _, err := c.readReply()
		if err != nil || h.Xid != int32(1+i) || h.Err != wire.ZOK {
			t.Fatalf("reply %d: xid %d err %v %v", i, h.Xid, h.Err, err)
		}
	}
}
