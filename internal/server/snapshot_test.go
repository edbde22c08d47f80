package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/synod-dev/synod/internal/storage/vfs"
	"github.com/synod-dev/synod/internal/zkenv"

	"github.com/synod-dev/synod/internal/storage"
	"github.com/synod-dev/synod/internal/tree"
	"github.com/synod-dev/synod/internal/wire"
)

// preload writes a snapshot of a tree with n znodes of 100 bytes under
// /bench into dir, so a server started there begins with them.
func preload(t testing.TB, dir string, n int) {
	t.Helper()
	tr := tree.New(tree.Options{})
	data := make([]byte, 100)
	open := wire.OpenACL()
	z := int64(1)
	tr.Apply(tree.Txn{Zxid: z, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/bench", ACL: open}})
	for i := 0; i < n; i++ {
		z++
		tr.Apply(tree.Txn{Zxid: z, Time: z, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: fmt.Sprintf("/bench/n%07d", i), Data: data, ACL: open}})
	}
	st, _, err := storage.Open(storage.Options{Dir: dir, PreAllocSize: -1, Logger: discardLogger()}, storage.Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.WriteSnapshot(tr.LastZxid(), tr.WriteSnapshot); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// snapshotsIn counts the complete snapshot files in dir.
func snapshotsIn(dir string) int {
	m, _ := filepath.Glob(filepath.Join(dir, "snapshot.????????????????"))
	return len(m)
}

// TestSnapshotStall measures how long writes stall while a snapshot of a
// large tree is written: one client does setData and create one at a
// time, and the slowest write before and while the snapshot is written is
// logged. Writes must go on while it is written. SYNOD_LONG=1 runs it with
// 200k znodes (SYNOD_STALL_NODES overrides):
//
//	SYNOD_LONG=1 go test -run TestSnapshotStall -v ./internal/server
func TestSnapshotStall(t *testing.T) {
	if os.Getenv("SYNOD_LONG") != "1" {
		t.Skip("SYNOD_LONG=1 measures the write stall during a snapshot")
	}
	n := 200000
	if v, err := strconv.Atoi(os.Getenv("SYNOD_STALL_NODES")); err == nil {
		n = v
	}
	dir := t.TempDir()
	preload(t, dir, n)
	const snapCount = 500
	s := startServer(t, Options{Storage: NewWALStorage(storage.Options{Dir: dir, PreAllocSize: -1, SnapCount: snapCount, Logger: discardLogger()})})
	c := dialRaw(t, s.Addr().String())
	c.mustConnect(0, nil, 30000)
	var before, during, slowestAt time.Duration
	var due time.Time
	writes, writesDuring := 0, 0
	start := time.Now()
	for snapshotsIn(dir) < 2 {
		if time.Since(start) > 5*time.Minute {
			t.Fatal("no snapshot after 5 minutes")
		}
		i := writes
		t0 := time.Now()
		var code wire.Code
		if i%2 == 0 {
			code = c.call(wire.OpSetData, &wire.SetDataRequest{Path: fmt.Sprintf("/bench/n%07d", i%n), Data: []byte("x"), Version: -1}, nil)
		} else {
			code = c.call(wire.OpCreate, &wire.CreateRequest{Path: fmt.Sprintf("/bench/m%07d", i), ACL: rawOpen}, nil)
		}
		d := time.Since(t0)
		if code != wire.ZOK {
			t.Fatalf("write %d: %v", i, code)
		}
		writes++
		if writes < snapCount {
			before = max(before, d)
		} else {
			if writesDuring == 0 {
				due = t0
			}
			if d > during {
				during, slowestAt = d, t0.Sub(due)
			}
			writesDuring++
		}
	}
	elapsed := time.Since(start)
	t.Logf("%d znodes: slowest write %v before the snapshot was due, %v from then until it was written (%d writes meanwhile, the slowest %v after it was due, the snapshot complete %v after; %v in all)",
		n, before.Round(time.Microsecond), during.Round(time.Microsecond), writesDuring, slowestAt.Round(time.Millisecond),
		time.Since(due).Round(time.Millisecond), elapsed.Round(time.Millisecond))
	if writesDuring < 2 {
		t.Errorf("only %d write(s) while the snapshot was written: writes waited for it", writesDuring)
	}
}

// recordingStorage is a WALStorage that keeps a copy of every appended Txn.
type recordingStorage struct {
	*WALStorage
	mu   sync.Mutex
	txns []tree.Txn
}

func (r *recordingStorage) Append(txns []tree.Txn) error {
	if err := r.WALStorage.Append(txns); err != nil {
		return err
	}
	r.mu.Lock()
	r.txns = append(r.txns, txns...)
	r.mu.Unlock()
	return nil
}

// TestBackgroundSnapshotExact writes from several clients while snapshots
// of a 20k-znode tree are written in the background, then checks every
// snapshot file byte for byte against the state at its zxid (the preloaded
// tree plus the logged Txns up to it), and that a restart recovers exactly
// the live tree.
func TestBackgroundSnapshotExact(t *testing.T) {
	const nodes, workers, perWorker = 20000, 4, 400
	dir := t.TempDir()
	preload(t, dir, nodes)
	base := loadNewestSnapshot(t, dir)
	var logs zkenv.SyncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	wal := NewWALStorage(storage.Options{Dir: dir, PreAllocSize: -1, NoSync: true, SnapCount: 150, SnapRetainCount: 1000, Logger: discardLogger()})
	rs := &recordingStorage{WALStorage: wal}
	s := startServer(t, Options{Storage: rs, Logger: logger})
	zc, _ := connectZK(t, s.Addr().String())
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w)))
			own := fmt.Sprintf("/w%d", w)
			if _, err := zc.Create(own, nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
				errs <- err
				return
			}
			deadline := time.Now().Add(time.Minute)
			// Write at least perWorker times, and on until two snapshots
			// besides the preloaded one are complete.
			for i := 0; i < perWorker || (i%20 != 0 || snapshotsIn(dir) < 3) && time.Now().Before(deadline); i++ {
				var err error
				switch i % 5 {
				case 0, 1:
					_, err = zc.Create(fmt.Sprintf("%s/n%d", own, i), []byte{byte(i)}, 0, zk.WorldACL(zk.PermAll))
				case 2:
					_, err = zc.Set(fmt.Sprintf("/bench/n%07d", rng.Intn(nodes)), []byte("set"), -1)
				case 3:
					err = zc.Delete(fmt.Sprintf("%s/n%d", own, i-3), -1)
				case 4:
					_, err = zc.Create("/bench/seq-", nil, zk.FlagSequence, zk.WorldACL(zk.PermAll))
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d write %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	zc.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var live bytes.Buffer
	if err := s.tree.WriteSnapshot(&live); err != nil {
		t.Fatal(err)
	}

	// Every snapshot is the state at its zxid.
	files, _ := filepath.Glob(filepath.Join(dir, "snapshot.????????????????"))
	slices.Sort(files)
	if len(files) < 3 {
		t.Fatalf("%d snapshot files, want the preloaded one and at least two more", len(files))
	}
	ref := base
	applied := 0
	for _, f := range files[1:] {
		var body []byte
		info, err := storage.ReadSnapshot(vfs.Default, f, func(_ int64, r io.Reader) error {
			var err error
			body, err = io.ReadAll(r)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for applied < len(rs.txns) && rs.txns[applied].Zxid <= info.Zxid {
			ref.Apply(rs.txns[applied])
			applied++
		}
		var want bytes.Buffer
		if err := ref.WriteSnapshot(&want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body, want.Bytes()) {
			t.Fatalf("%s is not the state at zxid 0x%x", filepath.Base(f), info.Zxid)
		}
	}
	copied := 0
	for _, line := range strings.Split(logs.String(), "\n") {
		if i := strings.Index(line, "nodesCopiedOnWrite="); i >= 0 {
			if n, _ := strconv.Atoi(line[i+len("nodesCopiedOnWrite="):]); n > 0 {
				copied++
			}
		}
	}
	if copied == 0 {
		t.Fatal("no snapshot overlapped a write: the test did not exercise copy-on-write")
	}
	t.Logf("%d snapshots checked, %d of them written while writes changed the tree", len(files)-1, copied)

	// Restart: the newest snapshot plus the log tail is the live tree.
	re := NewWALStorage(storage.Options{Dir: dir, PreAllocSize: -1, Logger: discardLogger()})
	tr, err := re.Load(tree.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	var got bytes.Buffer
	if err := tr.WriteSnapshot(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), live.Bytes()) {
		t.Fatal("recovered tree differs from the live one")
	}
}

// loadNewestSnapshot reads the tree in dir's newest snapshot.
func loadNewestSnapshot(t *testing.T, dir string) *tree.Tree {
	t.Helper()
	var tr *tree.Tree
	st, _, err := storage.Open(storage.Options{Dir: dir, PreAllocSize: -1, Logger: discardLogger()}, storage.Handlers{
		Snapshot: func(_ int64, body io.Reader) error {
			var err error
			tr, err = tree.ReadSnapshot(body, tree.Options{})
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return tr
}
