package storage

import (
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/storage/vfs"
)

// TestPurgeDuringBackgroundSnapshot writes each snapshot slowly while the
// log keeps growing over several segments and a purge is asked for; the
// purge waits for the snapshot, never removes what the newest complete
// snapshot needs, and every round recovers to the last appended zxid from
// that snapshot.
func TestPurgeDuringBackgroundSnapshot(t *testing.T) {
	opts := testOptions()
	fs := vfs.NewMem()
	opts.FS = fs
	z := int64(0)
	appendN := func(st *Store, n int) {
		for i := 0; i < n; i++ {
			z++
			if err := st.Append(Record{Zxid: z, Data: payload(z)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for round := 0; round < 6; round++ {
		st, _, err := Open(opts, Handlers{})
		if err != nil {
			t.Fatal(err)
		}
		appendN(st, 100)
		snapZ := z
		entered, release, snapDone := make(chan struct{}), make(chan struct{}), make(chan error)
		go func() {
			_, err := st.WriteSnapshot(snapZ, func(w io.Writer) error {
				close(entered)
				<-release
				return snapBody(snapZ)(w)
			})
			snapDone <- err
		}()
		<-entered
		appendN(st, 150) // several segments of 4 KiB while the snapshot is open
		purged := make(chan error)
		go func() { purged <- st.Purge() }()
		select {
		case err := <-purged:
			t.Fatalf("round %d: purge ran while a snapshot was being written: %v", round, err)
		case <-time.After(20 * time.Millisecond):
		}
		close(release)
		if err := <-snapDone; err != nil {
			t.Fatal(err)
		}
		if err := <-purged; err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		got, rec, err := recovered(t, fs, opts)
		if err != nil || got != z || rec.SnapshotZxid != snapZ {
			t.Fatalf("round %d: recovered %d from snapshot %d (%v), want %d from %d", round, got, rec.SnapshotZxid, err, z, snapZ)
		}
		if segs := mustSegs(t, fs); segs[0].firstZxid > snapZ+1 && segs[0].seq != 0 {
			t.Fatalf("round %d: log starts at %d, after snapshot %d", round, segs[0].firstZxid, snapZ)
		}
	}
	if segs := mustSegs(t, fs); segs[0].seq == 0 {
		t.Fatal("purge never removed a segment: the test did not exercise it")
	}
}

// TestSnapshotSyncedAsWritten: a large snapshot is fsynced every
// snapSyncBytes while it is written, not only at the end, and a failed
// fsync part way fails the snapshot and leaves no file.
func TestSnapshotSyncedAsWritten(t *testing.T) {
	for _, failAt := range []int{0, 2} {
		opts := testOptions()
		mem := vfs.NewMem()
		syncs := 0
		opts.FS = vfs.Inject(mem, func(op vfs.Op, name string) error {
			if op == vfs.OpSync && strings.HasSuffix(name, ".tmp") {
				syncs++
				if syncs == failAt {
					return syscall.EIO
				}
			}
			return nil
		})
		st, _, err := Open(opts, Handlers{})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Append(Record{Zxid: 1, Data: payload(1)}); err != nil {
			t.Fatal(err)
		}
		body := make([]byte, 3*snapSyncBytes+100)
		_, err = st.WriteSnapshot(1, func(w io.Writer) error {
			for off := 0; off < len(body); off += 64 << 10 {
				if _, err := w.Write(body[off:min(off+64<<10, len(body))]); err != nil {
					return err
				}
			}
			return nil
		})
		st.Close()
		snaps, _ := listSnapshots(mem, "/data")
		names, _ := mem.List("/data")
		switch {
		case failAt == 0 && (err != nil || syncs < 4 || len(snaps) != 1):
			t.Fatalf("snapshot: %v, %d fsyncs of the temporary file, %d snapshots; want nil, at least 4, 1", err, syncs, len(snaps))
		case failAt > 0 && (err == nil || !strings.Contains(err.Error(), "fsync") || len(names) != 0):
			t.Fatalf("fsync failing part way: err %v, files %v; want an fsync error and no file", err, names)
		}
	}
}
