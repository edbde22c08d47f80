package storage

import (
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/synod-dev/synod/internal/storage/vfs"
)

func TestPurgeKeepsRetainedSnapshotsAndCoveringLog(t *testing.T) {
	opts := testOptions()
	fs := buildStore(t, opts, 400, 50, 100, 200, 300, 350)
	before := len(mustSegs(t, fs))
	o := opts
	o.FS = fs
	st, _, err := Open(o, Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Purge(); err != nil {
		t.Fatal(err)
	}
	st.Close()
	snaps, err := listSnapshots(fs, "/data")
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 3 || snaps[2].zxid != 200 {
		t.Fatalf("snapshots after purge: %+v, want 350, 300, 200", snaps)
	}
	segs := mustSegs(t, fs)
	if len(segs) >= before {
		t.Fatalf("purge removed no segment (%d before, %d after)", before, len(segs))
	}
	if !logCovers(segs, 200) || segs[0].firstZxid > 201 {
		t.Fatalf("log no longer covers the oldest retained snapshot: first segment %+v", segs[0])
	}
	if len(segs) > 1 && segs[1].firstZxid <= 201 {
		t.Fatalf("purge kept segment %+v that snapshot 200 covers", segs[0])
	}
	got, rec, err := recovered(t, fs, opts)
	if err != nil || got != 400 || rec.SnapshotZxid != 350 {
		t.Fatalf("recovered %d from %+v, %v", got, rec, err)
	}
}

func TestSnapshotDue(t *testing.T) {
	opts := testOptions()
	opts.FS = vfs.NewMem()
	opts.SnapCount = 10
	st, _, err := Open(opts, Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for z := int64(1); z <= 25; z++ {
		if due := st.SnapshotDue(); due != (z > 10) {
			t.Fatalf("before zxid %d: SnapshotDue = %v", z, due)
		}
		if z == 11 {
			if _, err := st.WriteSnapshot(10, snapBody(10)); err != nil {
				t.Fatal(err)
			}
			if st.SnapshotDue() {
				t.Fatal("still due after a snapshot")
			}
		}
		if err := st.Append(Record{Zxid: z, Data: payload(z)}); err != nil {
			t.Fatal(err)
		}
		if z == 11 {
			break
		}
	}
}

// A snapshot that cannot be written (full disk) fails, leaves no file
// behind, and does not stop the log.
func TestSnapshotWriteFailure(t *testing.T) {
	mem := vfs.NewMem()
	full := false
	fs := vfs.Inject(mem, func(op vfs.Op, name string) error {
		if full && op == vfs.OpWrite && strings.HasSuffix(name, tmpSuffix) {
			return syscall.ENOSPC
		}
		return nil
	})
	opts := testOptions()
	opts.FS = fs
	st, _, err := Open(opts, Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Append(Record{Zxid: 1, Data: payload(1)}); err != nil {
		t.Fatal(err)
	}
	full = true
	big := func(w io.Writer) error {
		_, err := w.Write(make([]byte, 4<<20)) // larger than the write buffer
		return err
	}
	if _, err := st.WriteSnapshot(1, big); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("WriteSnapshot = %v, want ENOSPC", err)
	}
	names, _ := mem.List("/data")
	if len(names) != 0 {
		t.Fatalf("left behind %v", names)
	}
	if err := st.Append(Record{Zxid: 2, Data: payload(2)}); err != nil {
		t.Fatalf("append after failed snapshot: %v", err)
	}
}
