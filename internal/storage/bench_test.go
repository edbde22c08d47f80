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
