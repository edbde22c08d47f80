package bench

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/server"
	"github.com/synod-dev/synod/internal/storage"
)

// BenchmarkSynodInProcess runs comparison loads against an in-process Synod
// server that persists to a WAL with fsync on (as `synod server` does with
// forceSync=yes) in a temporary folder, so that one CPU profile covers the
// server and the load generator:
//
//	go test -run '^$' -bench 'InProcess/set' -benchtime 1x -cpuprofile cpu.out ./internal/bench
//	go tool pprof -top -focus 'internal/(server|storage|tree|wire|watch|session)' cpu.out
//
// Each iteration is one 5-second run (after a 1-second warm-up); use
// -benchtime 1x.
func BenchmarkSynodInProcess(b *testing.B) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"set", Config{Workload: "set", ValueSize: 100}},
		{"set-1KiB", Config{Workload: "set", ValueSize: 1024}},
		{"get", Config{Workload: "get", ValueSize: 100}},
		{"set-rate1000", Config{Workload: "set", ValueSize: 100, Rate: 1000}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv, err := server.New(server.Options{
				Addr:    "127.0.0.1:0",
				Logger:  slog.New(slog.DiscardHandler),
				Storage: server.NewWALStorage(storage.Options{Dir: b.TempDir()}),
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
