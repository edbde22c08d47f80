package storage

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"

	"github.com/synod-dev/synod/internal/storage/vfs"
)

// segment describes one log segment file.
type segment struct {
	seq       uint64
	firstZxid int64
	path      string
}

// wal is the append side of the write-ahead log: a flusher goroutine takes
// whatever records are pending, writes them with one write and makes them
// durable with one fsync, then wakes every appender whose records that was.
type wal struct {
	fs          vfs.FS
	dir         string
	prealloc    int64
	segmentSize int64
	noSync      bool
	log         *slog.Logger

	mu        sync.Mutex
	work      *sync.Cond // flusher waits for pending records or close
	done      *sync.Cond // appenders wait for their batch
	pending   []byte
	spare     []byte
	pendFirst int64  // zxid of the first pending record
	pendN     int    // records pending
	batch     uint64 // number of the batch accumulating in pending
	durable   uint64 // highest batch number made durable
	chainCRC  uint32 // CRC after the last pending (or written) record
	lastZxid  int64  // zxid of the last accepted record
	err       error  // sticky failure
	closed    bool
	segs      []segment // all segments on disk, oldest first; last is current
	flushDone chan struct{}

	// Flusher-owned.
	cur     vfs.File
	curSize int64
	nextSeq uint64
	lastCRC uint32 // CRC at the end of what is written to cur

	// Statistics (under mu).
	syncs   uint64
	records uint64
}

func (w *wal) start() {
	w.work = sync.NewCond(&w.mu)
	w.done = sync.NewCond(&w.mu)
	w.batch = 1
	w.flushDone = make(chan struct{})
	go w.flusher()
}

// append queues recs and blocks until they are durable or the log fails.
func (w *wal) append(recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	mine, err := w.enqueueLocked(recs)
	if err != nil {
		return err
	}
	return w.waitLocked(mine)
}

// enqueue queues recs and returns the batch they belong to.
func (w *wal) enqueue(recs []Record) (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.enqueueLocked(recs)
}

// wait blocks until batch is durable or the log fails.
func (w *wal) wait(batch uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.waitLocked(batch)
}

func (w *wal) enqueueLocked(recs []Record) (uint64, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.closed {
		return 0, ErrClosed
	}
	if len(recs) == 0 {
		return w.durable, nil
	}
	last := w.lastZxid
	for _, r := range recs {
		if r.Zxid <= last {
			return 0, fmt.Errorf("storage: append zxid %#x after %#x: zxids must strictly increase", r.Zxid, last)
		}
		if len(r.Data) > MaxRecordSize {
			return 0, fmt.Errorf("storage: append zxid %#x: record of %d bytes exceeds %d", r.Zxid, len(r.Data), MaxRecordSize)
		}
		last = r.Zxid
	}
	if w.pendN == 0 {
		w.pendFirst = recs[0].Zxid
	}
	for _, r := range recs {
		w.pending, w.chainCRC = appendRecord(w.pending, w.chainCRC, r.Zxid, r.Data)
	}
	w.pendN += len(recs)
	w.lastZxid = last
	w.work.Signal()
	return w.batch, nil
}

func (w *wal) waitLocked(mine uint64) error {
	for w.durable < mine && w.err == nil {
		w.done.Wait()
	}
	if w.durable >= mine {
		return nil
	}
	return w.err
}

func (w *wal) flusher() {
	defer close(w.flushDone)
	w.mu.Lock()
	for {
		for w.pendN == 0 && !w.closed && w.err == nil {
			w.work.Wait()
		}
		if w.err != nil || (w.closed && w.pendN == 0) {
			w.mu.Unlock()
			return
		}
		buf, first, n, batch := w.pending, w.pendFirst, w.pendN, w.batch
		endCRC := w.chainCRC
		w.pending, w.spare = w.spare[:0], nil
		w.pendN = 0
		w.batch++
		w.mu.Unlock()

		err := w.write(buf, first)
		if err == nil {
			w.lastCRC = endCRC
		}

		w.mu.Lock()
		w.spare = buf[:0]
		if err != nil {
			w.err = fmt.Errorf("storage: log failed, refusing all further appends: %w", err)
			w.log.Error("write-ahead log failed", "err", err)
		} else {
			w.durable = batch
			w.records += uint64(n)
			if !w.noSync {
				w.syncs++
			}
		}
		w.done.Broadcast()
	}
}

// write appends buf (whole records, the first with zxid first) to the
// current segment, rolling to a new one first when it is full, and syncs.
func (w *wal) write(buf []byte, first int64) error {
	if w.cur == nil || (w.curSize+int64(len(buf)) > w.segmentSize && w.curSize > segHeaderSize) {
		if err := w.roll(first); err != nil {
			return err
		}
	}
	if _, err := w.cur.Write(buf); err != nil {
		return fmt.Errorf("wal: write %d bytes to %s: %w", len(buf), w.segs[len(w.segs)-1].path, err)
	}
	w.curSize += int64(len(buf))
	if !w.noSync {
		if err := w.cur.Sync(); err != nil {
			return fmt.Errorf("wal: fsync %s: %w", w.segs[len(w.segs)-1].path, err)
		}
	}
	return nil
}

// roll closes the current segment (already synced after its last write) and
// creates the next one: header written, space preallocated, file and
// directory synced before any record goes in.
func (w *wal) roll(first int64) error {
	if w.cur != nil {
		if w.noSync {
			if err := w.cur.Sync(); err != nil {
				return fmt.Errorf("wal: fsync %s: %w", w.segs[len(w.segs)-1].path, err)
			}
		}
		if err := w.cur.Close(); err != nil {
			return fmt.Errorf("wal: close %s: %w", w.segs[len(w.segs)-1].path, err)
		}
		w.cur = nil
	}
	seg := segment{seq: w.nextSeq, firstZxid: first}
	seg.path = filepath.Join(w.dir, segmentName(seg.seq, seg.firstZxid))
	f, err := w.fs.Create(seg.path)
	if err != nil {
		return fmt.Errorf("wal: create segment: %w", err)
	}
	if w.prealloc > 0 {
		if err := f.Preallocate(w.prealloc); err != nil {
			f.Close()
			return fmt.Errorf("wal: preallocate %d bytes for %s: %w", w.prealloc, seg.path, err)
		}
	}
	hdr := segHeader{Seq: seg.seq, FirstZxid: first, PrevCRC: w.lastCRC}
	if _, err := f.Write(hdr.encode()); err != nil {
		f.Close()
		return fmt.Errorf("wal: write header of %s: %w", seg.path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("wal: fsync %s: %w", seg.path, err)
	}
	if err := w.fs.SyncDir(w.dir); err != nil {
		f.Close()
		return fmt.Errorf("wal: fsync directory %s: %w", w.dir, err)
	}
	w.cur, w.curSize = f, segHeaderSize
	w.nextSeq++
	w.mu.Lock()
	w.segs = append(w.segs, seg)
	w.mu.Unlock()
	w.log.Debug("wal segment created", "file", seg.path, "firstZxid", first)
	return nil
}

// close waits for pending records to be written and closes the segment.
func (w *wal) close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.work.Signal()
	w.mu.Unlock()
	<-w.flushDone
	w.mu.Lock()
	err := w.err
	w.done.Broadcast()
	w.mu.Unlock()
	if w.cur != nil {
		if cerr := w.cur.Close(); cerr != nil && err == nil {
			err = cerr
		}
		w.cur = nil
	}
	return err
}
