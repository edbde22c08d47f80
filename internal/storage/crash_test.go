package storage

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"sync"
	"testing"

	"github.com/synod-dev/synod/internal/storage/vfs"
)

// model is what a test expects to recover: records by zxid and the
// snapshots' state is simply "all records up to zxid" (the snapshot body
// lists them).
func payload(zxid int64) []byte {
	n := 1 + int(zxid*7919%300)
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(zxid) ^ byte(i*31) | 1
	}
	return b
}

// snapBody encodes "records 1..zxid" as the snapshot body.
func snapBody(zxid int64) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "state-through-%d\n", zxid)
		return err
	}
}

// recovered replays a store directory and returns the highest zxid of the
// state, checking every record's bytes.
func recovered(t *testing.T, fs vfs.FS, opts Options) (int64, Recovery, error) {
	t.Helper()
	opts.FS = fs
	var state int64
	st, rec, err := Open(opts, Handlers{
		Snapshot: func(zxid int64, r io.Reader) error {
			b, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			if want := fmt.Sprintf("state-through-%d\n", zxid); string(b) != want {
				return fmt.Errorf("snapshot body %q, want %q", b, want)
			}
			state = zxid
			return nil
		},
		Record: func(zxid int64, data []byte) error {
			if zxid != state+1 {
				return fmt.Errorf("record %d after state %d: gap", zxid, state)
			}
			if !bytes.Equal(data, payload(zxid)) {
				return fmt.Errorf("record %d: wrong bytes", zxid)
			}
			state = zxid
			return nil
		},
	})
	if err != nil {
		return 0, rec, err
	}
	if err := st.Close(); err != nil {
		return 0, rec, err
	}
	return state, rec, nil
}

func testOptions() Options {
	return Options{Dir: "/data", LogDir: "/log", PreAllocSize: 4096, SegmentSize: 4096, SnapCount: 40, Logger: quietLogger()}
}

// workload appends records from several goroutines (each Append a small
// batch), takes snapshots and purges, until the filesystem crashes or n
// records are written. It returns the highest acknowledged zxid.
func workload(fs vfs.FS, opts Options, start int64, n int, rng *rand.Rand) (acked int64, err error) {
	opts.FS = fs
	st, rec, err := Open(opts, Handlers{})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	if rec.LastZxid != start {
		return 0, fmt.Errorf("reopened at %d, want %d", rec.LastZxid, start)
	}
	var mu sync.Mutex // serialises zxid assignment + enqueue, as the server's committer does
	next := start + 1
	var ackMu sync.Mutex
	ackMax := start
	var wg sync.WaitGroup
	seeds := []int64{rng.Int63(), rng.Int63(), rng.Int63()}
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(r *rand.Rand) {
			defer wg.Done()
			for {
				mu.Lock()
				if next > start+int64(n) {
					mu.Unlock()
					return
				}
				k := 1 + r.Intn(3)
				var recs []Record
				for i := 0; i < k && next <= start+int64(n); i++ {
					recs = append(recs, Record{Zxid: next, Data: payload(next)})
					next++
				}
				// Enqueue under mu so zxids reach the log in order; wait
				// outside it so appenders share fsyncs.
				wait := st.AppendAsync(recs...)
				mu.Unlock()
				if err := wait(); err != nil {
					return
				}
				ackMu.Lock()
				ackMax = max(ackMax, recs[len(recs)-1].Zxid)
				ackMu.Unlock()
			}
		}(rand.New(rand.NewSource(seeds[g])))
	}
	// Snapshots and purges on the side, at acknowledged points.
	for i := 0; i < 4; i++ {
		ackMu.Lock()
		z := ackMax
		ackMu.Unlock()
		if z > start {
			if _, err := st.WriteSnapshot(z, snapBody(z)); err != nil {
				break
			}
			if err := st.Purge(); err != nil {
				break
			}
		}
		waitEnqueued(st, min(start+int64(n), z+int64(n)/5))
	}
	wg.Wait()
	return ackMax, nil
}

// waitEnqueued waits until the log has accepted zxid or failed.
func waitEnqueued(st *Store, zxid int64) {
	w := st.wal
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.lastZxid < zxid && w.err == nil && !w.closed {
		w.mu.Unlock()
		runtimeGosched()
		w.mu.Lock()
	}
}

func TestCrashRecovery(t *testing.T) {
	points := 4000
	if os.Getenv("SYNOD_LONG") != "" {
		points = 50000
	}
	if testing.Short() {
		points = 200
	}
	opts := testOptions()
	// Measure how many operations a full run takes, to spread crash points.
	base := vfs.NewMem()
	if _, err := workload(base, opts, 0, 300, rand.New(rand.NewSource(1))); err != nil {
		t.Fatal(err)
	}
	total := base.Ops()
	torn, snapshots := 0, 0
	noPrealloc := opts
	noPrealloc.PreAllocSize = -1 // segments grow by writing: torn tails end the file
	for i := 0; i < points; i++ {
		opts := opts
		if i%4 == 2 {
			opts = noPrealloc
		}
		seed := int64(i)
		rng := rand.New(rand.NewSource(seed))
		fs := vfs.NewMem()
		// Half the runs start from a recovered, crashed earlier run.
		var start int64
		if i%2 == 1 {
			pre := vfs.NewMem()
			pre.CrashAfter(1+rng.Int63n(total), seed)
			acked, err := workload(pre, opts, 0, 300, rng)
			if err != nil {
				t.Fatalf("seed %d: first run: %v", seed, err)
			}
			fs = pre.Crashed()
			if fs == nil {
				fs = pre
			}
			got, _, err := recovered(t, fs, opts)
			if err != nil {
				t.Fatalf("seed %d: recover after first crash: %v", seed, err)
			}
			if got < acked {
				t.Fatalf("seed %d: first crash lost acknowledged writes: recovered %d, acknowledged %d", seed, got, acked)
			}
			start = got
		}
		fs.CrashAfter(1+rng.Int63n(total), seed+1e6)
		acked, err := workload(fs, opts, start, 300, rng)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		crashed := fs.Crashed()
		if crashed == nil {
			crashed = fs.CrashClone(seed)
		}
		// A third of the runs crash again during recovery itself (while
		// cutting a torn tail or removing a headerless segment).
		if i%3 == 0 {
			crashed.CrashAfter(1+rng.Int63n(4), seed+2e6)
			if _, _, err := recovered(t, crashed, opts); err != nil && !errors.Is(err, vfs.ErrCrashed) {
				t.Fatalf("seed %d: recover before crash in recovery: %v", seed, err)
			}
			if c := crashed.Crashed(); c != nil {
				crashed = c
			} else {
				crashed.CrashAfter(0, 0)
			}
		}
		got, rec, err := recovered(t, crashed, opts)
		if err != nil {
			t.Fatalf("seed %d: recover: %v", seed, err)
		}
		if got < acked {
			t.Fatalf("seed %d: recovered through %d, but %d was acknowledged (%+v)", seed, got, acked, rec)
		}
		if got > start+300 {
			t.Fatalf("seed %d: recovered %d, never written", seed, got)
		}
		if rec.TornFile != "" {
			torn++
		}
		if rec.SnapshotFile != "" {
			snapshots++
		}
		// Recovery must be repeatable: a second open finds the same state.
		again, _, err := recovered(t, crashed, opts)
		if err != nil || again != got {
			t.Fatalf("seed %d: second recovery: %d, %v (first %d)", seed, again, err, got)
		}
	}
	t.Logf("%d crash points: %d recoveries cut a torn tail, %d started from a snapshot", points, torn, snapshots)
	if points >= 1000 && (torn == 0 || snapshots == 0) {
		t.Fatalf("the campaign never exercised torn tails (%d) or snapshots (%d)", torn, snapshots)
	}
}
