package server

import (
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/synod-dev/synod/internal/storage"
	"github.com/synod-dev/synod/internal/tree"
)

// Snapshotter is an optional ability of a Storage: after each batch the
// committer asks SnapshotDue and, when it is and no snapshot is being
// written, fixes an image of the tree (tree.BeginSnapshot) and calls
// Snapshot from a background goroutine with a writer of the tree as of
// zxid (the last applied). Appends go on meanwhile, from the committer.
type Snapshotter interface {
	SnapshotDue() bool
	Snapshot(zxid int64, write func(io.Writer) error) error
}

// WALStorage keeps the tree in internal/storage: every committed batch is
// one Append (one write, one fsync), snapshots are taken every SnapCount
// records, and Load replays the newest snapshot and the log after it.
type WALStorage struct {
	opts  storage.Options
	log   *slog.Logger
	store *storage.Store
	recs  []storage.Record
}

var (
	_ Storage     = (*WALStorage)(nil)
	_ Snapshotter = (*WALStorage)(nil)
)

// loadGCPercent is GOGC during Load.
const loadGCPercent = 400

// loadGCMu serialises Loads, which change GOGC for the process.
var loadGCMu sync.Mutex

// NewWALStorage returns a Storage over the write-ahead log in opts.Dir
// (and opts.LogDir). Nothing is opened until Load.
func NewWALStorage(opts storage.Options) *WALStorage {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &WALStorage{opts: opts, log: log}
}

// Load opens the log and rebuilds the tree from the newest valid snapshot
// and the records after it.
func (w *WALStorage) Load(topts tree.Options) (*tree.Tree, error) {
	var t *tree.Tree
	h := storage.Handlers{
		Snapshot: func(zxid int64, body io.Reader) error {
			tt, err := tree.ReadSnapshot(body, topts)
			if err != nil {
				return fmt.Errorf("read snapshot at zxid 0x%x: %w", zxid, err)
			}
			t = tt
			return nil
		},
		Record: func(zxid int64, data []byte) error {
			if t == nil {
				t = tree.New(topts)
			}
			txn, err := tree.DecodeTxn(data)
			if err != nil {
				return fmt.Errorf("decode txn at zxid 0x%x: %w", zxid, err)
			}
			t.Apply(txn)
			return nil
		},
	}
	// Recovery allocates the whole tree and little garbage, so collecting
	// at the default pace only marks the growing tree again and again
	// (about as much CPU as the decoding). A higher GOGC while loading
	// skips most of those cycles for little extra peak memory. A higher
	// or "off" setting is left alone, a memory limit stays in force, and
	// the previous setting is restored after. Loads in one process (tests)
	// take turns, so that one cannot restore another's setting.
	loadGCMu.Lock()
	defer loadGCMu.Unlock()
	if prev := debug.SetGCPercent(loadGCPercent); prev < 0 || prev > loadGCPercent {
		debug.SetGCPercent(prev)
	} else {
		defer debug.SetGCPercent(prev)
	}
	st, rec, err := storage.Open(w.opts, h)
	if err != nil {
		return nil, fmt.Errorf("server: open storage: %w", err)
	}
	w.store = st
	if t == nil {
		t = tree.New(topts)
	}
	w.log.Info("storage recovered", "snapshot", rec.SnapshotFile, "snapshotZxid", fmt.Sprintf("0x%x", rec.SnapshotZxid),
		"records", rec.Records, "segments", rec.Segments, "segmentsSkipped", rec.SkippedSegments, "lastZxid", fmt.Sprintf("0x%x", rec.LastZxid), "tornFile", rec.TornFile)
	return t, nil
}

// Append logs a batch durably.
func (w *WALStorage) Append(txns []tree.Txn) error {
	w.recs = w.recs[:0]
	for i := range txns {
		w.recs = append(w.recs, storage.Record{Zxid: txns[i].Zxid, Data: tree.EncodeTxn(txns[i])})
	}
	return w.store.Append(w.recs...)
}

// SnapshotDue reports whether enough records were logged since the last
// snapshot.
func (w *WALStorage) SnapshotDue() bool { return w.store != nil && w.store.SnapshotDue() }

// Snapshot writes a snapshot covering zxid.
func (w *WALStorage) Snapshot(zxid int64, write func(io.Writer) error) error {
	_, err := w.store.WriteSnapshot(zxid, write)
	return err
}

// Close closes the log.
func (w *WALStorage) Close() error {
	if w.store == nil {
		return nil
	}
	return w.store.Close()
}
