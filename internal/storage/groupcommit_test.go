package storage

import (
	"sync"
	"testing"

	"github.com/synod-dev/synod/internal/storage/vfs"
)

// TestGroupCommitSharesOneFsync holds the first record fsync open while ten
// more batches are queued, then checks that all ten become durable with a
// single further fsync, and that none was acknowledged before its fsync.
func TestGroupCommitSharesOneFsync(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	synced := 0 // record fsyncs completed
	mem := vfs.NewMem()
	fs := vfs.Inject(mem, func(op vfs.Op, name string) error {
		if op == vfs.OpSync && name != "" {
			mu.Lock()
			first := synced == 0
			mu.Unlock()
			if first {
				once.Do(func() { close(entered) })
				<-release
			}
		}
		return nil
	})
	opts := testOptions()
	opts.FS = fs
	opts.PreAllocSize = 1 << 20
	opts.SegmentSize = 1 << 20
	st, _, err := Open(opts, Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The first append rolls (header fsync blocks in the hook: that is the
	// "first" fsync we hold).
	firstDone := make(chan error, 1)
	go func() { firstDone <- st.Append(Record{Zxid: 1, Data: payload(1)}) }()
	<-entered
	var waits []func() error
	for z := int64(2); z <= 11; z++ {
		waits = append(waits, st.AppendAsync(Record{Zxid: z, Data: payload(z)}))
	}
	before := st.Stats()
	if before.Records != 0 {
		t.Fatalf("records durable while the first fsync is held: %+v", before)
	}
	mu.Lock()
	synced = 1
	mu.Unlock()
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	for _, w := range waits {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	got := st.Stats()
	if got.Records != 11 || got.Syncs != 2 {
		t.Fatalf("stats %+v: want 11 records in 2 record fsyncs", got)
	}
}
