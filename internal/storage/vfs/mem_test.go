package vfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, fs FS, name string, data []byte, sync bool) File {
	t.Helper()
	f, err := fs.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestMemCrashKeepsSyncedData(t *testing.T) {
	for seed := int64(0); seed < 200; seed++ {
		m := NewMem()
		m.MkdirAll("/d")
		f := write(t, m, "/d/a", bytes.Repeat([]byte{7}, 3000), true)
		if err := m.SyncDir("/d"); err != nil {
			t.Fatal(err)
		}
		tail := bytes.Repeat([]byte{9}, 2000)
		if _, err := f.Write(tail); err != nil {
			t.Fatal(err)
		}
		write(t, m, "/d/unsynced-name", []byte("x"), true)

		c := m.CrashClone(seed)
		got, err := c.ReadFile("/d/a")
		if err != nil {
			t.Fatalf("seed %d: synced file lost: %v", seed, err)
		}
		if !bytes.Equal(got[:3000], bytes.Repeat([]byte{7}, 3000)) {
			t.Fatalf("seed %d: synced data changed", seed)
		}
		// The unsynced tail survives sector by sector: each 512-byte piece
		// is either all there or all zero (or missing at the end).
		for off := 3000; off < len(got); {
			end := min((off/SectorSize+1)*SectorSize, len(got))
			piece := got[off:end]
			if !bytes.Equal(piece, tail[off-3000:end-3000]) && !bytes.Equal(piece, make([]byte, len(piece))) {
				t.Fatalf("seed %d: torn sector at %d", seed, off)
			}
			off = end
		}
	}
}

func TestMemCrashNamespace(t *testing.T) {
	sawLost, sawKept := false, false
	for seed := int64(0); seed < 100; seed++ {
		m := NewMem()
		m.MkdirAll("/d")
		write(t, m, "/d/tmp", []byte("body"), true)
		m.SyncDir("/d")
		if err := m.Rename("/d/tmp", "/d/final"); err != nil {
			t.Fatal(err)
		}
		c := m.CrashClone(seed)
		_, errTmp := c.ReadFile("/d/tmp")
		_, errFinal := c.ReadFile("/d/final")
		if (errTmp == nil) == (errFinal == nil) {
			t.Fatalf("seed %d: rename neither atomic nor ordered: tmp %v, final %v", seed, errTmp, errFinal)
		}
		if errFinal == nil {
			sawKept = true
		} else {
			sawLost = true
		}
		m.SyncDir("/d")
		if _, err := m.CrashClone(seed).ReadFile("/d/final"); err != nil {
			t.Fatalf("seed %d: synced rename lost", seed)
		}
	}
	if !sawLost || !sawKept {
		t.Fatalf("unsynced create/rename always or never survived (lost %v, kept %v)", sawLost, sawKept)
	}
}

func TestMemCrashAfter(t *testing.T) {
	m := NewMem()
	m.MkdirAll("/d")
	f := write(t, m, "/d/a", []byte("one"), true) // 3 ops: create, write, sync
	m.CrashAfter(2, 1)
	if _, err := f.Write([]byte("two")); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); !errors.Is(err, ErrCrashed) {
		t.Fatalf("sync at crash point = %v", err)
	}
	if _, err := f.Write([]byte("three")); !errors.Is(err, ErrCrashed) {
		t.Fatalf("write after crash = %v", err)
	}
	c := m.Crashed()
	if c == nil {
		t.Fatal("no crashed filesystem")
	}
	got, _ := c.ReadFile("/d/a")
	if !bytes.HasPrefix(got, []byte("one")) || len(got) > 6 {
		t.Fatalf("crashed contents %q", got)
	}
}

func TestInject(t *testing.T) {
	fs := Inject(NewMem(), func(op Op, name string) error {
		if op == OpSync {
			return os.ErrDeadlineExceeded
		}
		return nil
	})
	fs.MkdirAll("/d")
	f, err := fs.Create("/d/a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("sync = %v", err)
	}
}

func TestOSFileSystem(t *testing.T) {
	dir := t.TempDir()
	fs := Default
	name := filepath.Join(dir, "a")
	f := write(t, fs, name, []byte("hello"), true)
	if err := f.Preallocate(1 << 16); err != nil {
		t.Fatal(err)
	}
	if size, err := f.Size(); err != nil || size != 1<<16 {
		t.Fatalf("size after preallocate = %d, %v", size, err)
	}
	if _, err := f.Write([]byte(" world")); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := fs.Rename(name, name+"2"); err != nil {
		t.Fatal(err)
	}
	if err := fs.SyncDir(dir); err != nil {
		t.Fatal(err)
	}
	names, err := fs.List(dir)
	if err != nil || len(names) != 1 || names[0] != "a2" {
		t.Fatalf("list = %v, %v", names, err)
	}
	r, err := fs.Open(name + "2")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, 11)
	if _, err := r.ReadAt(buf, 0); err != nil || string(buf) != "hello world" {
		t.Fatalf("read %q, %v", buf, err)
	}
}
