package netedge

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/gossip"
	"github.com/synod-dev/synod/internal/zkenv"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	p, err := zkenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", p)
}

// poll waits for cond with a generous deadline (CPU is shared).
func poll(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %v waiting for %s", limit, what)
}

func startEdge(t *testing.T, addr string, seeds []string, key []byte) *Endpoint {
	t.Helper()
	cfg := gossip.DefaultConfig()
	cfg.Name, cfg.Seeds, cfg.Key, cfg.Interval = addr, seeds, key, 50*time.Millisecond
	e, err := Start(Config{Gossip: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestEdgesFindEachOtherAndLargeStatesUseTCP(t *testing.T) {
	key := []byte("k")
	seed := freeAddr(t)
	a := startEdge(t, seed, nil, key)
	b := startEdge(t, freeAddr(t), []string{seed}, key)
	// A value too large for one datagram forces the TCP path.
	big := make([]byte, 3*MaxDatagram)
	for i := range big {
		big[i] = 'x'
	}
	a.SetKey("blob", string(big))
	poll(t, "b to learn a's large key", 20*time.Second, func() bool {
		for _, m := range b.View() {
			if m.Name == a.Addr() && len(m.Keys["blob"]) == len(big) {
				return true
			}
		}
		return false
	})
	v, err := QueryView(b.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 2 || v[0].Name != b.Addr() {
		t.Fatalf("QueryView: %+v", v)
	}
}

func TestEdgeSurvivesGarbage(t *testing.T) {
	a := startEdge(t, freeAddr(t), nil, []byte("k"))
	c, err := net.Dial("udp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range [][]byte{{}, []byte("SG"), []byte("SG\x01\x01\x00\xff\xff"), make([]byte, 1000)} {
		if _, err := c.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	poll(t, "garbage to be counted", 20*time.Second, func() bool {
		s := a.Stats()
		return s.DroppedMalformed+s.DroppedAuth >= 3
	})
}
