package bench

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/server"
	"github.com/synod-dev/synod/internal/storage"
	"github.com/synod-dev/synod/internal/tree"
)

// BenchmarkSynodInProcess runs comparison loads against an in-process Synod
// server that persists to a WAL with fsync on (as `synod server` does with
// forceSync=yes) in a temporary folder, so that one CPU profile covers the
// server and the load generator:
//
//	go test -run '^$' -bench 'InProcess/set' -benchtime 1x -cpuprofile cpu.out ./internal/bench
//	go tool pprof -top -focus 'internal/(server|storage|tree|wire|watch|session)' cpu.out
//
// Each iteration is one 5-second run (after a 1-second warm-up), or for
// fill-1M the creation of 1,000,000 znodes; use -benchtime 1x.
// SYNOD_BENCH_KEEP_DIR keeps the server's data in that folder.
func BenchmarkSynodInProcess(b *testing.B) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"set", Config{Workload: "set", ValueSize: 100}},
		{"set-1KiB", Config{Workload: "set", ValueSize: 1024}},
		{"get", Config{Workload: "get", ValueSize: 100}},
		{"set-rate1000", Config{Workload: "set", ValueSize: 100, Rate: 1000}},
		{"fill-1M", Config{Workload: "fill", ValueSize: 100, Count: 1_000_000}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dir := os.Getenv("SYNOD_BENCH_KEEP_DIR") // keep the data, e.g. for BenchmarkSynodRecovery
			if dir == "" {
				dir = b.TempDir()
			}
			srv, err := server.New(server.Options{
				Addr:    "127.0.0.1:0",
				Logger:  slog.New(slog.DiscardHandler),
				Storage: server.NewWALStorage(storage.Options{Dir: filepath.Join(dir, "version-2")}),
			})
			if err != nil {
				b.Fatal(err)
			}
			ln, err := srv.Listen()
			if err != nil {
				b.Fatal(err)
			}
			go srv.Serve(ln)
			defer srv.Close()
			cfg := tc.cfg
			cfg.Server, cfg.Sessions, cfg.Outstanding, cfg.Keys = ln.Addr().String(), 8, 32, 1000
			cfg.Warmup, cfg.Duration = time.Second, 5*time.Second
			b.ResetTimer()
			for range b.N {
				r, err := Run(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(r.OpsPerSec, "ops/s")
				b.ReportMetric(float64(r.P99us), "p99-us")
			}
		})
	}
}

// BenchmarkSynodRecovery loads the data folder named by
// SYNOD_BENCH_RECOVER_DIR (a `synod server` dataDir, e.g. one filled with
// `synod bench -workload fill -count 1000000` and then SIGKILLed) the way
// `synod server` does at start, so that recovery can be profiled:
//
//	SYNOD_BENCH_RECOVER_DIR=/tmp/d go test -run '^$' -bench SynodRecovery -benchtime 1x \
//	    -cpuprofile cpu.out -memprofile mem.out ./internal/bench
//
// The loaded tree stays reachable until the memory profile is written, so
// `go tool pprof -sample_index=inuse_space mem.out` shows what holds it.
// Recovery may truncate a torn tail of the log; use a copy of the folder.
func BenchmarkSynodRecovery(b *testing.B) {
	dir := os.Getenv("SYNOD_BENCH_RECOVER_DIR")
	if dir == "" {
		b.Skip("SYNOD_BENCH_RECOVER_DIR names the data folder to recover")
	}
	for range b.N {
		w := server.NewWALStorage(storage.Options{Dir: filepath.Join(dir, "version-2"), Logger: slog.New(slog.DiscardHandler)})
		t, err := w.Load(tree.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(t.LastZxid()), "last-zxid")
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		recovered = t
		b.StartTimer()
	}
}

// recovered keeps the last recovered tree reachable for -memprofile.
var recovered *tree.Tree
