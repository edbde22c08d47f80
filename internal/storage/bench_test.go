package storage

import (
	"fmt"
	"sync"
	"testing"
)

// BenchmarkGroupCommit measures append throughput on the real filesystem
// (the test's temporary directory) with fsync on: b.N records of 100 bytes
// from 1, 16 and 256 concurrent appenders, one record per Append. It
// reports records/s and fsyncs/s.
//
//	go test -run '^$' -bench GroupCommit -benchtime 5000x ./internal/storage
func BenchmarkGroupCommit(b *testing.B) {
	for _, appenders := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("appenders=%d", appenders), func(b *testing.B) {
			dir := b.TempDir()
			st, _, err := Open(Options{Dir: dir, Logger: quietLogger()}, Handlers{})
			if err != nil {
				b.Fatal(err)
			}
			data := make([]byte, 100)
			var (
				mu   sync.Mutex
				next int64
				left = b.N
				wg   sync.WaitGroup
			)
			// The first append creates and preallocates the segment; keep
			// it out of the measurement.
			next++
			if err := st.Append(Record{Zxid: next, Data: data}); err != nil {
				b.Fatal(err)
			}
			before := st.Stats()
			b.ResetTimer()
			for g := 0; g < appenders; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						mu.Lock()
						if left == 0 {
							mu.Unlock()
							return
						}
						left--
						next++
						wait := st.AppendAsync(Record{Zxid: next, Data: data})
						mu.Unlock()
						if err := wait(); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			after := st.Stats()
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(after.Records-before.Records)/secs, "records/s")
			b.ReportMetric(float64(after.Syncs-before.Syncs)/secs, "fsyncs/s")
			b.ReportMetric(float64(after.Records-before.Records)/float64(max(after.Syncs-before.Syncs, 1)), "records/fsync")
			if err := st.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkRecovery measures Open on the real filesystem: a snapshot-less
// log of 200,000 records of 100 bytes is replayed through a no-op Record
// handler each iteration. It reports records/s and MB/s of log read. (The
// 1,000,000-znode benchmark of the whole server goes through
// internal/server's WALStorage.)
func BenchmarkRecovery(b *testing.B) {
	const n = 200000
	dir := b.TempDir()
	st, _, err := Open(Options{Dir: dir, NoSync: true, Logger: quietLogger()}, Handlers{})
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 100)
	batch := make([]Record, 0, 1000)
	for z := int64(1); z <= n; z++ {
		batch = append(batch, Record{Zxid: z, Data: data})
		if len(batch) == cap(batch) {
			if err := st.Append(batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		count := 0
		st, _, err := Open(Options{Dir: dir, Logger: quietLogger()}, Handlers{Record: func(int64, []byte) error {
			count++
			return nil
		}})
		if err != nil {
			b.Fatal(err)
		}
		st.Close()
		if count != n {
			b.Fatalf("replayed %d records, want %d", count, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(n*recordSize(100)*b.N)/1e6/b.Elapsed().Seconds(), "MB/s")
}
