package tree

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"

	"github.com/synod-dev/synod/internal/wire"
)

// TestSnapshotCOWInterleaved writes background snapshots while random Txns
// are applied between every two nodes written, and checks that each image
// is byte-equal to WriteSnapshot's at BeginSnapshot, and that loading it
// and replaying the Txns applied after it gives the live tree.
func TestSnapshotCOWInterleaved(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewSource(seed))
		tr := New(Options{})
		z := int64(0)
		next := func() Txn {
			z++
			return randomTxn(rng, z)
		}
		for i := 0; i < 200; i++ {
			tr.Apply(next())
		}
		for round := 0; round < 3; round++ {
			want := snapshotBytes(t, tr)
			s := tr.BeginSnapshot()
			var after []Txn
			s.onNode = func() {
				for k := rng.Intn(4); k > 0; k-- {
					txn := next()
					after = append(after, txn)
					tr.Apply(txn)
				}
			}
			var got bytes.Buffer
			if err := s.Write(&got); err != nil {
				t.Fatalf("seed %d round %d: %v", seed, round, err)
			}
			saved := s.Saved()
			tr.EndSnapshot(s)
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("seed %d round %d: background image differs from the state at zxid %d (%d Txns applied meanwhile, %d nodes saved)",
					seed, round, s.Zxid(), len(after), saved)
			}
			re, err := ReadSnapshot(bytes.NewReader(got.Bytes()), Options{})
			if err != nil {
				t.Fatalf("seed %d round %d: load: %v", seed, round, err)
			}
			for _, txn := range after {
				re.Apply(txn)
			}
			if !bytes.Equal(snapshotBytes(t, re), snapshotBytes(t, tr)) {
				t.Fatalf("seed %d round %d: snapshot + replay differs from the live tree", seed, round)
			}
		}
	}
}

// TestSnapshotCOWConcurrent runs Write in its own goroutine while Apply
// runs under the owner's lock, as the server does; run it with -race.
func TestSnapshotCOWConcurrent(t *testing.T) {
	tr := New(Options{})
	open := wire.OpenACL()
	z := int64(0)
	apply := func(op wire.OpCode, req wire.Record) {
		z++
		tr.Apply(Txn{Zxid: z, Time: z, Op: op, Req: req})
	}
	for i := 0; i < 20; i++ {
		apply(wire.OpCreate, &wire.CreateRequest{Path: fmt.Sprintf("/d%d", i), ACL: open})
		for j := 0; j < 200; j++ {
			apply(wire.OpCreate, &wire.CreateRequest{Path: fmt.Sprintf("/d%d/n%d", i, j), Data: []byte("v"), ACL: open})
		}
	}
	var mu sync.RWMutex
	mu.Lock()
	want := snapshotBytes(t, tr)
	s := tr.BeginSnapshot()
	mu.Unlock()
	done := make(chan error, 1)
	var got bytes.Buffer
	go func() { done <- s.Write(&got) }()
	rng := rand.New(rand.NewSource(1))
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
		}
		d := rng.Intn(20)
		j := rng.Intn(300)
		mu.Lock()
		switch rng.Intn(3) {
		case 0:
			apply(wire.OpCreate, &wire.CreateRequest{Path: fmt.Sprintf("/d%d/n%d", d, j), ACL: open})
		case 1:
			apply(wire.OpDelete, &wire.DeleteRequest{Path: fmt.Sprintf("/d%d/n%d", d, j), Version: -1})
		case 2:
			apply(wire.OpSetData, &wire.SetDataRequest{Path: fmt.Sprintf("/d%d/n%d", d, j), Data: []byte("w"), Version: -1})
		}
		mu.Unlock()
		mu.RLock()
		tr.GetData(fmt.Sprintf("/d%d/n%d", d, j), nil)
		mu.RUnlock()
	}
	mu.Lock()
	tr.EndSnapshot(s)
	mu.Unlock()
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatal("background image differs from the state at BeginSnapshot")
	}
}

// TestSnapshotAbort: an aborted Write fails, and the tree can snapshot again.
func TestSnapshotAbort(t *testing.T) {
	tr := New(Options{})
	s := tr.BeginSnapshot()
	s.Abort()
	if err := s.Write(&bytes.Buffer{}); err == nil {
		t.Fatal("aborted snapshot wrote")
	}
	tr.EndSnapshot(s)
	s = tr.BeginSnapshot()
	var b bytes.Buffer
	if err := s.Write(&b); err != nil {
		t.Fatal(err)
	}
	tr.EndSnapshot(s)
	if !bytes.Equal(b.Bytes(), snapshotBytes(t, tr)) {
		t.Fatal("second snapshot differs")
	}
}

// TestReadSnapshotRejectsMisplacedNodes: a snapshot whose nodes are not in
// depth-first pre-order with distinct, ordered siblings is corrupt (with a
// valid CRC, so only the structure checks can catch it).
func TestReadSnapshotRejectsMisplacedNodes(t *testing.T) {
	h := newHarness(t, Options{})
	for _, p := range []string{"/a", "/a/x", "/a/y", "/b"} {
		h.mustCreate(p, 0)
	}
	tr := h.tr
	cases := map[string]struct {
		view  nodeView
		extra int64
	}{
		"duplicate sibling": {func(n, out *node) []*node {
			kids := liveView(n, out)
			if n.path == "/a" {
				kids = append(kids, kids[0])
			}
			return kids
		}, 1},
		"grandchild under the root": {func(n, out *node) []*node {
			kids := liveView(n, out)
			if n.path == "/" {
				kids = append(kids, tr.lookup("/a/x"))
			}
			return kids
		}, 1},
	}
	for name, c := range cases {
		hd := tr.snapHead()
		hd.count += c.extra
		var b bytes.Buffer
		if err := writeSnapshot(&b, hd, tr.root, c.view, nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := ReadSnapshot(bytes.NewReader(b.Bytes()), Options{}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err %v, want ErrCorrupt", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
