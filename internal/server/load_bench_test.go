package server

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/storage"
	"github.com/synod-dev/synod/internal/tree"
	"github.com/synod-dev/synod/internal/wire"
)

// BenchmarkWALLoad measures recovery as the server does it at start:
// WALStorage.Load of a snapshot of SYNOD_LOAD_ZNODES (default 900,000)
// znodes of 100 bytes followed by a log of SYNOD_LOAD_RECORDS (default
// 100,000, one snapCount) creates of the same size, the state of a
// 1M-znode recovery test killed just before its next snapshot
// (SYNOD_LOAD_DIR keeps the files across runs):
//
//	go test -run - -bench WALLoad -benchtime 3x -cpuprofile cpu.out ./internal/server
func BenchmarkWALLoad(b *testing.B) {
	dir := os.Getenv("SYNOD_LOAD_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	z := buildLoadDir(b, dir)
	b.ResetTimer()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		w := NewWALStorage(storage.Options{Dir: dir, Logger: discardLogger()})
		c0 := cpuTime()
		t, err := w.Load(tree.Options{})
		cpu += cpuTime() - c0
		if err != nil {
			b.Fatal(err)
		}
		if t.LastZxid() != z {
			b.Fatalf("recovered to %#x, want %#x", t.LastZxid(), z)
		}
		b.StopTimer()
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	// On a shared machine wall time mostly measures the neighbours; the
	// process's CPU time (all threads, GC included) is steadier.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// buildLoadDir fills dir for BenchmarkWALLoad unless it already holds a
// snapshot (SYNOD_LOAD_DIR keeps one across runs), and returns the last
// zxid in it.
func buildLoadDir(b *testing.B, dir string) int64 {
	if m, _ := filepath.Glob(filepath.Join(dir, "snapshot.*")); len(m) > 0 {
		w := NewWALStorage(storage.Options{Dir: dir, Logger: discardLogger()})
		t, err := w.Load(tree.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		return t.LastZxid()
	}
	snapNodes, logRecs := envInt("SYNOD_LOAD_ZNODES", 900_000), envInt("SYNOD_LOAD_RECORDS", 100_000)
	preload(b, dir, snapNodes)
	st, rec, err := storage.Open(storage.Options{Dir: dir, Logger: discardLogger()}, storage.Handlers{})
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 100)
	open := wire.OpenACL()
	z := rec.LastZxid
	const batch = 500
	recs := make([]storage.Record, 0, batch)
	for i := 0; i < logRecs; i++ {
		z++
		txn := tree.Txn{Zxid: z, Time: z, Session: 0, Op: wire.OpCreate,
			Req: &wire.CreateRequest{Path: fmt.Sprintf("/bench/l%07d", i), Data: data, ACL: open}}
		recs = append(recs, storage.Record{Zxid: z, Data: tree.EncodeTxn(txn)})
		if len(recs) == batch || i == logRecs-1 {
			if err := st.Append(recs...); err != nil {
				b.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	return z
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
