package server

import (
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/storage"
	"github.com/synod-dev/synod/internal/storage/vfs"
	"github.com/synod-dev/synod/internal/wire"
	"github.com/synod-dev/synod/internal/zkenv"
)

// TestStorageFailureStopsWrites fails the log's fsync once and checks that
// the server never acknowledges the write it could not persist, says why
// once, refuses every later write with ZNotReadOnly, refuses new sessions,
// keeps serving reads, and recovers the acknowledged state after restart.
func TestStorageFailureStopsWrites(t *testing.T) {
	dir := t.TempDir()
	var failSync atomic.Bool
	fs := vfs.Inject(vfs.Default, func(op vfs.Op, name string) error {
		if op == vfs.OpSync && strings.HasSuffix(name, ".wal") && failSync.Load() {
			return syscall.EIO
		}
		return nil
	})
	var logs zkenv.SyncBuffer
	s := startServer(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Storage: NewWALStorage(storage.Options{Dir: dir, FS: fs, PreAllocSize: -1, Logger: discardLogger()})})
	c := dialRaw(t, s.Addr().String())
	resp := c.mustConnect(0, nil, 30000)
	if code := c.create("/a", 0); code != wire.ZOK {
		t.Fatal(code)
	}

	if st := s.Stats().ServerState; st != "standalone" {
		t.Fatalf("server state %q before the failure", st)
	}
	failSync.Store(true)
	c.send(100, wire.OpCreate, &wire.CreateRequest{Path: "/b", ACL: rawOpen})
	_ = c.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	if h, _, err := c.readReply(); err == nil {
		t.Fatalf("the write whose fsync failed was answered: %+v", h)
	}
	failSync.Store(false) // the failure is sticky even if the disk recovers

	// The same session on a new connection: reads work, writes are refused.
	d := dialRaw(t, s.Addr().String())
	d.mustConnect(resp.SessionID, resp.Passwd, 30000)
	var gd wire.GetDataResponse
	if code := d.call(wire.OpGetData, &wire.PathWatchRequest{Path: "/a"}, &gd); code != wire.ZOK {
		t.Fatalf("read after storage failure: %v", code)
	}
	for i := 0; i < 3; i++ {
		if code := d.create("/c", 0); code != wire.ZNotReadOnly {
			t.Fatalf("write after storage failure: %v, want ZNotReadOnly", code)
		}
	}
	// A new session cannot be recorded.
	e := dialRaw(t, s.Addr().String())
	if r, err := e.connect(0, nil, 30000, 0); err == nil && r.SessionID != 0 {
		t.Fatalf("new session 0x%x created after storage failure", r.SessionID)
	}
	if st := s.Stats().ServerState; st != "read-only" {
		t.Fatalf("server state %q after the failure, want read-only (srvr Mode, mntr zk_server_state)", st)
	}
	if n := strings.Count(logs.String(), "storage failed"); n != 1 {
		t.Fatalf("storage failure logged %d times, want once:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), syscall.EIO.Error()) {
		t.Fatalf("log does not say why:\n%s", logs.String())
	}
	d.nc.Close()
	e.nc.Close()
	t.Logf("close after the failure: %v", s.Close())

	// Restart on the same files: /a is there, /c never was.
	s2 := startServer(t, Options{Storage: NewWALStorage(storage.Options{Dir: dir, PreAllocSize: -1, Logger: discardLogger()})})
	f := dialRaw(t, s2.Addr().String())
	f.mustConnect(0, nil, 30000)
	var st wire.StatResponse
	if code := f.call(wire.OpExists, &wire.PathWatchRequest{Path: "/a"}, &st); code != wire.ZOK {
		t.Fatalf("/a after restart: %v", code)
	}
	if code := f.call(wire.OpExists, &wire.PathWatchRequest{Path: "/c"}, &st); code != wire.ZNoNode {
		t.Fatalf("/c after restart: %v", code)
	}
	if code := f.create("/d", 0); code != wire.ZOK {
		t.Fatalf("write after restart: %v", code)
	}
}

// TestSnapshotFailureKeepsWrites: when snapshots cannot be written (here
// the temporary file cannot be created), writes go on, the failure is
// logged once rather than after every batch, and a restart recovers
// everything from the log.
func TestSnapshotFailureKeepsWrites(t *testing.T) {
	dir := t.TempDir()
	fs := vfs.Inject(vfs.Default, func(op vfs.Op, name string) error {
		if op == vfs.OpCreate && strings.HasSuffix(name, ".tmp") {
			return syscall.ENOSPC
		}
		return nil
	})
	var logs zkenv.SyncBuffer
	s := startServer(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Storage: NewWALStorage(storage.Options{Dir: dir, FS: fs, PreAllocSize: -1, SnapCount: 5, Logger: discardLogger()})})
	c := dialRaw(t, s.Addr().String())
	c.mustConnect(0, nil, 30000)
	for i := 0; i < 40; i++ {
		if code := c.create(fmt.Sprintf("/n%d", i), 0); code != wire.ZOK {
			t.Fatalf("create %d: %v", i, code)
		}
	}
	c.nc.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "snapshot failed"); n != 1 {
		t.Fatalf("snapshot failure logged %d times, want once:\n%s", n, logs.String())
	}
	s2 := startServer(t, Options{Storage: NewWALStorage(storage.Options{Dir: dir, PreAllocSize: -1, Logger: discardLogger()})})
	d := dialRaw(t, s2.Addr().String())
	d.mustConnect(0, nil, 30000)
	var st wire.StatResponse
	if code := d.call(wire.OpExists, &wire.PathWatchRequest{Path: "/n39"}, &st); code != wire.ZOK {
		t.Fatalf("/n39 after restart: %v", code)
	}
}
