package storage

import (
	"encoding/binary"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/synod-dev/synod/internal/storage/vfs"
)

// buildStore writes n records (and a snapshot at snapAt, if positive) and
// closes the store.
func buildStore(t *testing.T, opts Options, n int, snapAt ...int64) *vfs.MemFS {
	t.Helper()
	fs := vfs.NewMem()
	opts.FS = fs
	st, _, err := Open(opts, Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	for z := int64(1); z <= int64(n); z++ {
		if err := st.Append(Record{Zxid: z, Data: payload(z)}); err != nil {
			t.Fatal(err)
		}
		for _, s := range snapAt {
			if s == z {
				if _, err := st.WriteSnapshot(z, snapBody(z)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return fs
}

func segFiles(t *testing.T, fs vfs.FS, dir string) []string {
	t.Helper()
	segs, err := listSegments(fs, dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range segs {
		out = append(out, s.path)
	}
	return out
}

// recordOffsets returns the offsets of the records in a segment.
func recordOffsets(t *testing.T, fs *vfs.MemFS, path string) []int64 {
	t.Helper()
	data, err := fs.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	if _, err := scanSegment(path, data, 0, func(off, _ int64, _ []byte) error {
		offs = append(offs, off)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return offs
}

func TestCorruptionDetected(t *testing.T) {
	opts := testOptions()
	tests := []struct {
		name    string
		damage  func(t *testing.T, fs *vfs.MemFS) (file string, off int64)
		corrupt bool  // want ErrCorrupt naming file and off
		minZxid int64 // otherwise: recovered state must reach at least this
	}{
		{
			name: "flipped byte in a middle segment",
			damage: func(t *testing.T, fs *vfs.MemFS) (string, int64) {
				f := segFiles(t, fs, "/log")[1]
				off := recordOffsets(t, fs, f)[2]
				flip(t, fs, f, off+recHeaderSize)
				return f, off
			},
			corrupt: true,
		},
		{
			name: "flipped byte in the middle of the last segment",
			damage: func(t *testing.T, fs *vfs.MemFS) (string, int64) {
				segs := segFiles(t, fs, "/log")
				f := segs[len(segs)-1]
				off := recordOffsets(t, fs, f)[1]
				flip(t, fs, f, off+recHeaderSize+1)
				return f, off
			},
			corrupt: true,
		},
		{
			name: "flipped zxid in a record header",
			damage: func(t *testing.T, fs *vfs.MemFS) (string, int64) {
				f := segFiles(t, fs, "/log")[0]
				off := recordOffsets(t, fs, f)[3]
				flip(t, fs, f, off+16)
				return f, off
			},
			corrupt: true,
		},
		{
			name: "flipped byte in a segment header",
			damage: func(t *testing.T, fs *vfs.MemFS) (string, int64) {
				f := segFiles(t, fs, "/log")[2]
				flip(t, fs, f, 20)
				return f, 0
			},
			corrupt: true,
		},
		{
			name: "non-last segment truncated mid-record",
			damage: func(t *testing.T, fs *vfs.MemFS) (string, int64) {
				f := segFiles(t, fs, "/log")[0]
				off := recordOffsets(t, fs, f)[2]
				cut(t, fs, f, off+10)
				return f, off
			},
			corrupt: true,
		},
		{
			name: "missing middle segment",
			damage: func(t *testing.T, fs *vfs.MemFS) (string, int64) {
				segs := segFiles(t, fs, "/log")
				if err := fs.Remove(segs[2]); err != nil {
					t.Fatal(err)
				}
				return segs[3], 0
			},
			corrupt: true,
		},
		{
			name: "last segment truncated mid-record is a torn tail",
			damage: func(t *testing.T, fs *vfs.MemFS) (string, int64) {
				segs := segFiles(t, fs, "/log")
				f := segs[len(segs)-1]
				offs := recordOffsets(t, fs, f)
				cut(t, fs, f, offs[len(offs)-1]+13)
				return f, offs[len(offs)-1]
			},
			minZxid: 198,
		},
		{
			name: "last record's sector zeroed is a torn tail",
			damage: func(t *testing.T, fs *vfs.MemFS) (string, int64) {
				segs := segFiles(t, fs, "/log")
				f := segs[len(segs)-1]
				data, _ := fs.ReadFile(f)
				// The first record that crosses a sector boundary: zero
				// everything from that boundary on, as a crash would.
				var last int64 = -1
				for _, off := range recordOffsets(t, fs, f) {
					n := int(binary.LittleEndian.Uint64(data[off:]) & lenMask)
					if end := off + int64(recordSize(n)); off/sectorSize != (end-1)/sectorSize {
						last = off
						break
					}
				}
				if last < 0 {
					t.Fatal("no record crosses a sector")
				}
				for i := (last/sectorSize + 1) * sectorSize; i < int64(len(data)); i++ {
					data[i] = 0
				}
				if err := fs.WriteFile(f, data); err != nil {
					t.Fatal(err)
				}
				return f, last
			},
			minZxid: 1, // whatever precedes the zeroed sector
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := buildStore(t, opts, 199)
			file, off := tc.damage(t, fs)
			got, rec, err := recovered(t, fs, opts)
			if tc.corrupt {
				var ce *CorruptError
				if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) {
					t.Fatalf("err = %v, want ErrCorrupt", err)
				}
				if ce.File != file || ce.Offset != off {
					t.Fatalf("error names %s@%d, want %s@%d: %v", ce.File, ce.Offset, file, off, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("torn tail reported as error: %v", err)
			}
			if got < tc.minZxid || got >= 199 {
				t.Fatalf("recovered through %d, want [%d, 199)", got, tc.minZxid)
			}
			if rec.TornFile != file {
				t.Fatalf("torn tail reported in %q, want %q", rec.TornFile, file)
			}
			// The repaired store accepts appends and recovers them.
			opts2 := opts
			opts2.FS = fs
			st, _, err := Open(opts2, Handlers{})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Append(Record{Zxid: got + 1, Data: payload(got + 1)}); err != nil {
				t.Fatal(err)
			}
			st.Close()
			if again, _, err := recovered(t, fs, opts); err != nil || again != got+1 {
				t.Fatalf("after repair and append: %d, %v; want %d", again, err, got+1)
			}
		})
	}
}

func TestSnapshotCorruption(t *testing.T) {
	opts := testOptions()
	tests := []struct {
		name     string
		purge    bool // purge so the log no longer reaches the older snapshot
		damage   func(t *testing.T, fs *vfs.MemFS, path string) int64
		wantErr  bool
		wantSnap int64
	}{
		{name: "flipped body byte, log covers older snapshot", damage: func(t *testing.T, fs *vfs.MemFS, p string) int64 {
			flip(t, fs, p, snapHeaderSize+2)
			return snapHeaderSize
		}, wantSnap: 120},
		{name: "truncated, log covers older snapshot", damage: func(t *testing.T, fs *vfs.MemFS, p string) int64 {
			data, _ := fs.ReadFile(p)
			cut(t, fs, p, int64(len(data)-3))
			return int64(len(data) - 3 - snapFooterSize)
		}, wantSnap: 120},
		{name: "flipped header byte, log purged", purge: true, damage: func(t *testing.T, fs *vfs.MemFS, p string) int64 {
			flip(t, fs, p, 17)
			return 0
		}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := buildStore(t, opts, 200, 60, 120, 180)
			if tc.purge {
				// Only snapshot 180 is left when the log is purged, so the
				// log starts near 180; then snapshot 60 reappears (as if
				// restored from a backup): it exists, but the log no longer
				// reaches back to it.
				old60 := filepath.Join("/data", snapshotName(60))
				saved, err := fs.ReadFile(old60)
				if err != nil {
					t.Fatal(err)
				}
				for _, z := range []int64{60, 120} {
					if err := fs.Remove(filepath.Join("/data", snapshotName(z))); err != nil {
						t.Fatal(err)
					}
				}
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
				if err := fs.WriteFile(old60, saved); err != nil {
					t.Fatal(err)
				}
				if logCovers(mustSegs(t, fs), 60) {
					t.Fatal("purge left the log reaching back to zxid 60")
				}
			}
			p := filepath.Join("/data", snapshotName(180))
			off := tc.damage(t, fs, p)
			// The damage is reported by VerifySnapshot with file and offset.
			_, verr := VerifySnapshot(fs, p)
			var ce *CorruptError
			if !errors.As(verr, &ce) || ce.File != p || ce.Offset != off {
				t.Fatalf("VerifySnapshot = %v, want corruption at %s@%d", verr, p, off)
			}
			got, rec, err := recovered(t, fs, opts)
			if tc.wantErr {
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), p) {
					t.Fatalf("err = %v, want ErrCorrupt naming %s", err, p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.SnapshotZxid != tc.wantSnap || len(rec.SkippedSnapshots) != 1 || got != 200 {
				t.Fatalf("recovery %+v, state %d", rec, got)
			}
		})
	}
}

func mustSegs(t *testing.T, fs vfs.FS) []segment {
	segs, err := listSegments(fs, "/log")
	if err != nil {
		t.Fatal(err)
	}
	return segs
}

func flip(t *testing.T, fs memFS, path string, off int64) {
	t.Helper()
	data, err := fs.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[off] ^= 0x40
	if err := fs.WriteFile(path, data); err != nil {
		t.Fatal(err)
	}
}

func cut(t *testing.T, fs memFS, path string, size int64) {
	t.Helper()
	data, err := fs.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.WriteFile(path, data[:size]); err != nil {
		t.Fatal(err)
	}
}

func TestStickyFailure(t *testing.T) {
	for _, tc := range []struct {
		op  vfs.Op
		err error
	}{
		{vfs.OpWrite, syscall.ENOSPC},
		{vfs.OpSync, syscall.EIO},
		{vfs.OpPrealloc, syscall.ENOSPC},
	} {
		t.Run(string(tc.op), func(t *testing.T) {
			mem := vfs.NewMem()
			failing := false
			fs := vfs.Inject(mem, func(op vfs.Op, name string) error {
				if failing && op == tc.op {
					return tc.err
				}
				return nil
			})
			opts := testOptions()
			opts.FS = fs
			st, _, err := Open(opts, Handlers{})
			if err != nil {
				t.Fatal(err)
			}
			var z int64
			for ; z < 50; z++ {
				if err := st.Append(Record{Zxid: z + 1, Data: payload(z + 1)}); err != nil {
					t.Fatal(err)
				}
			}
			failing = true
			// Append until the injected operation is hit (a preallocation
			// only happens at a roll).
			var first error
			for first == nil && z < 400 {
				z++
				first = st.Append(Record{Zxid: z, Data: payload(z)})
			}
			if !errors.Is(first, tc.err) {
				t.Fatalf("append error %v, want %v", first, tc.err)
			}
			failing = false
			for i := 0; i < 3; i++ {
				z++
				if err := st.Append(Record{Zxid: z, Data: payload(z)}); !errors.Is(err, tc.err) {
					t.Fatalf("append after failure = %v, want the sticky %v", err, tc.err)
				}
			}
			st.Close()
			got, _, err := recovered(t, mem, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			if got < 50 {
				t.Fatalf("recovered %d, acknowledged 50", got)
			}
		})
	}
}

func TestAppendRejectsOutOfOrder(t *testing.T) {
	opts := testOptions()
	opts.FS = vfs.NewMem()
	st, _, err := Open(opts, Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Append(Record{Zxid: 5, Data: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	for _, z := range []int64{5, 4} {
		if err := st.Append(Record{Zxid: z}); err == nil {
			t.Fatalf("append zxid %d after 5 succeeded", z)
		}
	}
	// Not sticky: the next good append works.
	if err := st.Append(Record{Zxid: 6}); err != nil {
		t.Fatal(err)
	}
}

var _ = io.EOF

type memFS = *vfs.MemFS
