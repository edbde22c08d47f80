package storage

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/synod-dev/synod/internal/storage/vfs"
)

var errNotExist = fs.ErrNotExist

// Defaults, as in ZooKeeper.
const (
	DefaultPreAllocSize    = 64 << 20
	DefaultSnapCount       = 100000
	DefaultSnapRetainCount = 3
)

// Options configures a Store. The zero value of every field but Dir means
// "the default".
type Options struct {
	// Dir holds snapshots (ZooKeeper's dataDir).
	Dir string
	// LogDir holds log segments (dataLogDir); Dir if empty.
	LogDir string
	// FS is the filesystem; vfs.Default if nil.
	FS vfs.FS
	// PreAllocSize is the space reserved for each new segment
	// (preAllocSize); DefaultPreAllocSize if 0, none if negative.
	PreAllocSize int64
	// SegmentSize is the size after which the log rolls to a new segment;
	// PreAllocSize (or DefaultPreAllocSize) if 0.
	SegmentSize int64
	// NoSync turns fsync of log records off (ZooKeeper's forceSync=no).
	// Appends are then acknowledged once written to the OS, and a machine
	// crash can lose them.
	NoSync bool
	// SnapCount is the number of appended records after which
	// SnapshotDue reports true (snapCount); DefaultSnapCount if 0.
	SnapCount int
	// SnapRetainCount is the number of snapshots Purge keeps
	// (autopurge.snapRetainCount); at least 3.
	SnapRetainCount int
	// PurgeInterval, when positive, runs Purge in the background at that
	// interval (autopurge.purgeInterval, which ZooKeeper gives in hours).
	PurgeInterval time.Duration
	// Logger receives recovery and failure reports; slog.Default if nil.
	Logger *slog.Logger
}

// Handlers receive the recovered state during Open.
type Handlers struct {
	// Snapshot loads the newest valid snapshot, covering every write up to
	// and including zxid. It is not called when there is no snapshot.
	Snapshot func(zxid int64, body io.Reader) error
	// Record applies one logged write after the snapshot, in zxid order.
	// data is only valid during the call.
	Record func(zxid int64, data []byte) error
}

// Recovery reports what Open found.
type Recovery struct {
	SnapshotFile     string   // snapshot loaded, "" if none
	SnapshotZxid     int64    // zxid it covers (0 if none)
	SkippedSnapshots []string // newer snapshots found corrupt and skipped
	Records          int      // log records replayed after the snapshot
	LastZxid         int64    // highest zxid recovered (snapshot or log)
	Segments         int      // log segments found
	SkippedSegments  int      // segments not read: wholly covered by the snapshot
	TornFile         string   // segment whose torn tail was cut, "" if none
	TornOffset       int64    // where it was cut
}

// Stats are counters of the running log.
type Stats struct {
	Records  uint64 // records made durable since Open
	Syncs    uint64 // fsyncs of records since Open
	LastZxid int64  // last zxid accepted by Append
	Segments int    // segments on disk
}

// Store is a write-ahead log plus snapshots in one or two directories.
// Its methods are safe for concurrent use.
type Store struct {
	opts      Options
	fs        vfs.FS
	log       *slog.Logger
	wal       *wal
	sinceSnap atomic.Int64
	snapMu    sync.Mutex // one snapshot or purge at a time
	stop      chan struct{}
	purgeDone chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// Open recovers the state in opts.Dir and opts.LogDir — newest valid
// snapshot through h.Snapshot, then every later log record through
// h.Record — repairs a torn log tail, and returns a Store ready for Append.
func Open(opts Options, h Handlers) (*Store, Recovery, error) {
	var rec Recovery
	if opts.Dir == "" {
		return nil, rec, errors.New("storage: Options.Dir is empty")
	}
	if opts.LogDir == "" {
		opts.LogDir = opts.Dir
	}
	if opts.FS == nil {
		opts.FS = vfs.Default
	}
	if opts.PreAllocSize == 0 {
		opts.PreAllocSize = DefaultPreAllocSize
	}
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = max(opts.PreAllocSize, 1<<20)
	}
	if opts.SnapCount <= 0 {
		opts.SnapCount = DefaultSnapCount
	}
	if opts.SnapRetainCount < 3 {
		opts.SnapRetainCount = DefaultSnapRetainCount
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Store{opts: opts, fs: opts.FS, log: opts.Logger.With("component", "storage")}
	for _, d := range []string{opts.Dir, opts.LogDir} {
		if err := s.fs.MkdirAll(d); err != nil {
			return nil, rec, fmt.Errorf("storage: create directory %s: %w", d, err)
		}
	}
	if err := removeTemps(s.fs, opts.Dir); err != nil {
		return nil, rec, err
	}
	rec, w, err := s.recover(h)
	if err != nil {
		return nil, rec, err
	}
	s.wal = w
	w.start()
	if opts.PurgeInterval > 0 {
		s.stop, s.purgeDone = make(chan struct{}), make(chan struct{})
		go s.purgeLoop()
	}
	return s, rec, nil
}

func (s *Store) recover(h Handlers) (Recovery, *wal, error) {
	var rec Recovery
	segs, err := listSegments(s.fs, s.opts.LogDir)
	if err != nil {
		return rec, nil, err
	}
	rec.Segments = len(segs)
	snaps, err := listSnapshots(s.fs, s.opts.Dir)
	if err != nil {
		return rec, nil, err
	}

	// The newest valid snapshot. An older one may replace a corrupt newer
	// one only if the log still reaches back to it (see doc.go).
	for i, sf := range snaps {
		info, err := VerifySnapshot(s.fs, sf.path)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				return rec, nil, err
			}
			older := i+1 < len(snaps)
			if !older || !logCovers(segs, snaps[i+1].zxid) {
				return rec, nil, fmt.Errorf("storage: newest snapshot is unusable and the log does not reach back to an older one: %w", err)
			}
			s.log.Warn("skipping corrupt snapshot; falling back to an older one and the log", "file", sf.path, "err", err)
			rec.SkippedSnapshots = append(rec.SkippedSnapshots, sf.path)
			continue
		}
		if h.Snapshot != nil {
			if _, err := ReadSnapshot(s.fs, sf.path, h.Snapshot); err != nil {
				return rec, nil, err
			}
		}
		rec.SnapshotFile, rec.SnapshotZxid, rec.LastZxid = sf.path, info.Zxid, info.Zxid
		break
	}
	if len(segs) > 0 && !logCovers(segs, rec.SnapshotZxid) {
		return rec, nil, corruptf(segs[0].path, 0, "log starts at segment %d (zxid %#x) but the newest snapshot covers only up to %#x: earlier segments are missing", segs[0].seq, segs[0].firstZxid, rec.SnapshotZxid)
	}

	w := &wal{
		fs: s.fs, dir: s.opts.LogDir, prealloc: max(s.opts.PreAllocSize, 0),
		segmentSize: s.opts.SegmentSize, noSync: s.opts.NoSync, log: s.log,
	}
	var prevZxid int64
	var prevCRC uint32
	chained := false // prevCRC is the end of the segment before this one
	for i, sg := range segs {
		last := i == len(segs)-1
		// The two newest segments are always read: the last may be cut or
		// removed, and the chain then continues from the one before it.
		if i < len(segs)-2 && segs[i+1].firstZxid <= rec.SnapshotZxid+1 {
			// Every record here is in the snapshot: the next segment
			// starts at or before the first record recovery needs. Not
			// reading it keeps recovery proportional to the tree and the
			// log tail, not to every write ever made (autopurge is off by
			// default). Its checksums are not verified; nothing in it is
			// used.
			rec.SkippedSegments++
			w.nextSeq = sg.seq + 1
			continue
		}
		data, err := readAll(s.fs, sg.path)
		if err != nil {
			return rec, nil, err
		}
		if last && allZero(data[:min(len(data), segHeaderSize)]) {
			// Created but its header never reached the disk: a crash
			// during roll. Nothing in it was acknowledged.
			s.log.Warn("removing log segment with no header", "file", sg.path)
			if err := s.fs.Remove(sg.path); err != nil {
				return rec, nil, fmt.Errorf("storage: remove %s: %w", sg.path, err)
			}
			if err := s.fs.SyncDir(s.opts.LogDir); err != nil {
				return rec, nil, fmt.Errorf("storage: fsync directory %s: %w", s.opts.LogDir, err)
			}
			segs = segs[:i]
			rec.Segments--
			break
		}
		res, err := scanSegment(sg.path, data, prevZxid, func(_ int64, zxid int64, body []byte) error {
			if zxid <= rec.SnapshotZxid {
				return nil
			}
			if h.Record != nil {
				if err := h.Record(zxid, body); err != nil {
					return fmt.Errorf("storage: replay zxid %#x from %s: %w", zxid, sg.path, err)
				}
			}
			rec.Records++
			return nil
		})
		if err != nil {
			return rec, nil, err
		}
		if res.Header.Seq != sg.seq || res.Header.FirstZxid != sg.firstZxid {
			return rec, nil, corruptf(sg.path, 0, "header names segment %d at zxid %#x, file name segment %d at %#x", res.Header.Seq, res.Header.FirstZxid, sg.seq, sg.firstZxid)
		}
		if chained && res.Header.PrevCRC != prevCRC {
			return rec, nil, corruptf(sg.path, 0, "chain broken: header carries CRC %08x, previous segment ends with %08x", res.Header.PrevCRC, prevCRC)
		}
		if res.TornAt >= 0 {
			if !last {
				return rec, nil, corruptf(sg.path, res.TornAt, "%s (not the last segment)", res.TornWhy)
			}
			if err := truncateTail(s.fs, sg.path, res.End); err != nil {
				return rec, nil, err
			}
			s.log.Warn("cut torn log tail", "file", sg.path, "offset", res.TornAt, "reason", res.TornWhy)
			rec.TornFile, rec.TornOffset = sg.path, res.TornAt
		}
		if res.Records > 0 {
			prevZxid = res.LastZxid
		}
		prevCRC, chained = res.LastCRC, true
		w.nextSeq = sg.seq + 1
	}
	rec.LastZxid = max(rec.LastZxid, prevZxid)
	w.segs = segs
	w.lastCRC, w.chainCRC = prevCRC, prevCRC
	w.lastZxid = rec.LastZxid
	return rec, w, nil
}

// logCovers reports whether the log holds every record after zxid: it
// begins with the first segment ever written, or its first segment starts
// no later than zxid+1.
func logCovers(segs []segment, zxid int64) bool {
	return len(segs) == 0 || segs[0].seq == 0 || segs[0].firstZxid <= zxid+1
}

func listSegments(fs vfs.FS, dir string) ([]segment, error) {
	names, err := fs.List(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: list %s: %w", dir, err)
	}
	var segs []segment
	for _, n := range names {
		if seq, z, ok := parseSegmentName(n); ok {
			segs = append(segs, segment{seq: seq, firstZxid: z, path: filepath.Join(dir, n)})
		}
	}
	slices.SortFunc(segs, func(a, b segment) int { return cmp.Compare(a.seq, b.seq) })
	for i := 1; i < len(segs); i++ {
		if segs[i].seq != segs[i-1].seq+1 {
			return nil, corruptf(segs[i].path, 0, "segment %d follows segment %d: segments are missing", segs[i].seq, segs[i-1].seq)
		}
	}
	return segs, nil
}

func readAll(fs vfs.FS, path string) ([]byte, error) {
	f, err := fs.Open(path)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, fmt.Errorf("storage: stat %s: %w", path, err)
	}
	data := make([]byte, size)
	if n, err := f.ReadAt(data, 0); err != nil && !(errors.Is(err, io.EOF) && int64(n) == size) {
		return nil, fmt.Errorf("storage: read %s: %w", path, err)
	}
	return data, nil
}

func truncateTail(fs vfs.FS, path string, end int64) error {
	f, err := fs.OpenReadWrite(path)
	if err != nil {
		return fmt.Errorf("storage: open %s to cut torn tail: %w", path, err)
	}
	defer f.Close()
	if err := f.Truncate(end); err != nil {
		return fmt.Errorf("storage: cut torn tail of %s at %d: %w", path, end, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("storage: fsync %s: %w", path, err)
	}
	return nil
}

// Append makes recs durable, in order, and returns nil only once they are
// on disk (fsynced, unless NoSync). Zxids must strictly increase across
// all calls. Concurrent calls share one write and one fsync (group
// commit). After a write or fsync fails, Append fails for good, with an
// error that says why: reopen the Store to recover. recs may be reused
// once Append returns.
func (s *Store) Append(recs ...Record) error {
	if err := s.wal.append(recs); err != nil {
		return err
	}
	s.sinceSnap.Add(int64(len(recs)))
	return nil
}

// AppendAsync queues recs, in order after everything queued before, and
// returns at once with a function that blocks until they are durable and
// returns what Append would have. It lets a caller that assigns zxids
// under its own lock queue a batch under that lock and wait outside it, so
// that batches from many goroutines share one fsync. The data is copied
// before AppendAsync returns. An error from queueing (out-of-order zxid,
// failed or closed log) is returned by the function.
func (s *Store) AppendAsync(recs ...Record) (wait func() error) {
	batch, err := s.wal.enqueue(recs)
	if err != nil {
		return func() error { return err }
	}
	return func() error {
		if err := s.wal.wait(batch); err != nil {
			return err
		}
		s.sinceSnap.Add(int64(len(recs)))
		return nil
	}
}

// SnapshotDue reports whether SnapCount records have been appended since
// the last snapshot (or Open).
func (s *Store) SnapshotDue() bool { return s.sinceSnap.Load() >= int64(s.opts.SnapCount) }

// WriteSnapshot writes a snapshot covering every write up to and including
// zxid, its body produced by fn. The caller must hand fn a consistent image
// of exactly that state, and zxid must already have been appended. Appends
// proceed while the snapshot is written. On success the SnapshotDue count
// restarts.
func (s *Store) WriteSnapshot(zxid int64, fn func(w io.Writer) error) (string, error) {
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	before := s.sinceSnap.Load()
	path, err := writeSnapshot(s.fs, s.opts.Dir, zxid, fn)
	if err != nil {
		return "", err
	}
	s.sinceSnap.Add(-before)
	s.log.Info("snapshot written", "file", path, "zxid", zxid)
	return path, nil
}

// Purge deletes snapshots beyond the SnapRetainCount newest, then log
// segments whose every record is covered by the oldest retained snapshot.
// The current segment is never deleted.
func (s *Store) Purge() error {
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	// Make sure the snapshots counted on are durable before anything they
	// cover is deleted (a WriteSnapshot whose directory fsync failed may
	// have left a renamed but not yet durable file).
	if err := s.fs.SyncDir(s.opts.Dir); err != nil {
		return fmt.Errorf("storage: fsync directory %s: %w", s.opts.Dir, err)
	}
	snaps, err := listSnapshots(s.fs, s.opts.Dir)
	if err != nil {
		return err
	}
	if len(snaps) == 0 {
		return nil
	}
	oldest := snaps[min(len(snaps), s.opts.SnapRetainCount)-1].zxid
	// Segments first, oldest first, so a crash leaves a log without gaps.
	s.wal.mu.Lock()
	segs := s.wal.segs
	n := 0
	for n+1 < len(segs) && segs[n+1].firstZxid <= oldest+1 {
		n++
	}
	doomed := slices.Clone(segs[:n])
	s.wal.mu.Unlock()
	for _, sg := range doomed {
		if err := s.fs.Remove(sg.path); err != nil {
			return fmt.Errorf("storage: purge %s: %w", sg.path, err)
		}
		s.wal.mu.Lock()
		s.wal.segs = s.wal.segs[1:]
		s.wal.mu.Unlock()
	}
	if len(doomed) > 0 {
		if err := s.fs.SyncDir(s.opts.LogDir); err != nil {
			return fmt.Errorf("storage: fsync directory %s: %w", s.opts.LogDir, err)
		}
	}
	if len(snaps) > s.opts.SnapRetainCount {
		for _, sf := range snaps[s.opts.SnapRetainCount:] {
			if err := s.fs.Remove(sf.path); err != nil {
				return fmt.Errorf("storage: purge %s: %w", sf.path, err)
			}
		}
		if err := s.fs.SyncDir(s.opts.Dir); err != nil {
			return fmt.Errorf("storage: fsync directory %s: %w", s.opts.Dir, err)
		}
	}
	s.log.Debug("purged", "segments", len(doomed), "snapshots", max(0, len(snaps)-s.opts.SnapRetainCount))
	return nil
}

func (s *Store) purgeLoop() {
	defer close(s.purgeDone)
	t := time.NewTicker(s.opts.PurgeInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if err := s.Purge(); err != nil {
				s.log.Error("autopurge failed", "err", err)
			}
		}
	}
}

// Stats returns counters of the log.
func (s *Store) Stats() Stats {
	w := s.wal
	w.mu.Lock()
	defer w.mu.Unlock()
	return Stats{Records: w.records, Syncs: w.syncs, LastZxid: w.lastZxid, Segments: len(w.segs)}
}

// Close writes what is pending, stops background work and closes the log.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.stop != nil {
			close(s.stop)
			<-s.purgeDone
		}
		s.closeErr = s.wal.close()
	})
	return s.closeErr
}
