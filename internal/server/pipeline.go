package server

import (
	"fmt"
	"time"

	"github.com/synod-dev/synod/internal/tree"
	"github.com/synod-dev/synod/internal/wire"
)

// request is one client request (or an internal command) on its way
// through the pipeline.
type request struct {
	conn  *conn // nil for internal commands (expiry, container cleanup)
	xid   int32
	op    wire.OpCode
	body  wire.Record
	auth  []wire.Id // the connection's identities when the request arrived
	sid   int64
	recvd time.Time

	write bool     // goes through the committer
	txn   tree.Txn // for writes
	done  bool     // a write that has been applied, or a reply ready to send

	err  wire.Code
	resp wire.Record

	connect    *wire.ConnectResponse // answer a handshake: no reply header
	closeAfter bool                  // close the connection after this reply
	expire     bool                  // an expiry closeSession
}

const maxBatch = 1024

// committer numbers, persists and applies writes in batches.
//
// After Storage.Append fails once, the committer refuses every later write
// without trying (see refuseLocked): the storage may have lost unsynced
// data, so only a restart, which recovers from what is on disk, can make
// writes safe again. Reads go on.
func (s *Server) committer() {
	defer s.wg.Done()
	batch := make([]*request, 0, maxBatch)
	txns := make([]tree.Txn, 0, maxBatch)
	s.mu.RLock()
	next := s.tree.LastZxid() + 1
	s.mu.RUnlock()
	var failed error        // the Append error that stopped writes, if any
	var snapDone chan error // the background snapshot's result; nil if none runs
	var snapRetry time.Time // after a failed snapshot, no new one before this
	for {
		var r *request
		select {
		case r = <-s.commitCh:
		case <-s.stopped:
			return
		}
		batch = append(batch[:0], r)
	fill:
		for len(batch) < maxBatch {
			select {
			case r = <-s.commitCh:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		if failed != nil {
			s.mu.Lock()
			for _, r := range batch {
				s.refuseLocked(r)
			}
			s.mu.Unlock()
			clear(batch)
			continue
		}
		now := time.Now().UnixMilli()
		txns = txns[:0]
		for _, r := range batch {
			r.txn.Zxid = next
			r.txn.Time = now
			next++
			txns = append(txns, r.txn)
		}
		if err := s.opts.Storage.Append(txns); err != nil {
			failed = err
			s.stats.storageFailed.Store(true)
			s.log.Error("storage failed: this batch was not acknowledged and every later write is refused until restart; reads go on",
				"err", err, "txns", len(txns))
			// The outcome of these is unknown (the records may or may not
			// be on disk): drop their connections rather than answer.
			for _, r := range batch {
				if r.conn != nil {
					r.conn.close(fmt.Sprintf("storage failure: %v", err))
				}
			}
			clear(txns)
			clear(batch)
			continue
		}
		if snapDone != nil {
			select {
			case err := <-snapDone:
				snapDone = nil
				if err != nil {
					snapRetry = time.Now().Add(snapshotRetryDelay)
				}
			default:
			}
		}
		s.mu.Lock()
		for _, r := range batch {
			s.applyLocked(r)
		}
		var snap *tree.Snapshot
		sn, ok := s.opts.Storage.(Snapshotter)
		if ok && snapDone == nil && sn.SnapshotDue() && time.Now().After(snapRetry) {
			snap = s.tree.BeginSnapshot()
		}
		s.mu.Unlock()
		if snap != nil {
			snapDone = make(chan error, 1)
			s.wg.Add(1)
			go s.writeSnapshot(sn, snap, snapDone)
		}
		clear(txns)
		clear(batch)
	}
}

// snapshotRetryDelay spaces snapshot attempts after one fails (say the
// disk is full), so that a lasting failure is not retried, and logged,
// after every batch. Writes go on meanwhile; the log only grows longer.
const snapshotRetryDelay = time.Minute

// writeSnapshot writes snap through sn in the background while the
// committer goes on (tree.BeginSnapshot's copy-on-write keeps the image
// fixed), then ends it and sends the result to done. Server.Close aborts
// it.
func (s *Server) writeSnapshot(sn Snapshotter, snap *tree.Snapshot, done chan<- error) {
	defer s.wg.Done()
	finished := make(chan struct{})
	go func() {
		select {
		case <-s.stopped:
			snap.Abort()
		case <-finished:
		}
	}()
	start := time.Now()
	err := sn.Snapshot(snap.Zxid(), snap.Write)
	close(finished)
	s.mu.Lock()
	saved := snap.Saved()
	s.tree.EndSnapshot(snap)
	s.mu.Unlock()
	done <- err
	if err != nil {
		select {
		case <-s.stopped:
			s.log.Info("snapshot abandoned at shutdown", "zxid", fmt.Sprintf("0x%x", snap.Zxid()))
		default:
			s.log.Error("snapshot failed; writes go on, next attempt in a minute", "zxid", fmt.Sprintf("0x%x", snap.Zxid()), "err", err)
		}
		return
	}
	s.log.Info("snapshot written in the background", "zxid", fmt.Sprintf("0x%x", snap.Zxid()),
		"took", time.Since(start).Round(time.Millisecond), "nodesCopiedOnWrite", saved)
}

// refuseLocked answers a write the committer will not try because storage
// has failed: ZNotReadOnly, ZooKeeper's answer to a write on a server that
// serves only reads. A new session is refused as an expired one would be;
// internal commands are dropped. s.mu is held for writing.
func (s *Server) refuseLocked(r *request) {
	if r.conn == nil {
		return
	}
	r.err, r.resp, r.done = wire.ZNotReadOnly, nil, true
	if r.op == wire.OpCreateSession {
		s.sessions.Remove(r.sid)
		r.connect.TimeOut, r.connect.SessionID = 0, 0
		r.connect.Passwd = make([]byte, 16)
		r.closeAfter = true
	}
	r.conn.mu.Lock()
	r.conn.drainLocked()
	r.conn.mu.Unlock()
}

// applyLocked applies one write, fans out its events and answers it. s.mu
// is held for writing.
func (s *Server) applyLocked(r *request) {
	res := s.tree.Apply(r.txn)
	r.err, r.resp = res.Err, res.Resp
	r.done = true
	s.deliverLocked(res.Events)
	switch r.op {
	case wire.OpCloseSession:
		s.sessions.Remove(r.sid)
		if r.expire {
			if c := s.connOf(r.sid); c != nil {
				c.close(fmt.Sprintf("session 0x%x expired", r.sid))
			}
		}
	case wire.OpCreateSession:
		if r.err != wire.ZOK {
			// The session could not be recorded: tell the client it has none.
			r.connect.TimeOut, r.connect.SessionID = 0, 0
			r.connect.Passwd = make([]byte, 16)
			r.closeAfter = true
		}
	}
	if r.conn != nil {
		r.conn.mu.Lock()
		r.conn.drainLocked()
		r.conn.mu.Unlock()
	}
}

// deliverLocked routes tree events to watchers. s.mu is held, so each event
// lands in the watcher's buffer before any later reply to it.
func (s *Server) deliverLocked(events []tree.Event) {
	if len(events) == 0 {
		return
	}
	for _, ev := range events {
		ds := s.watches.Trigger(ev.Type, ev.Path, nil)
		if len(ds) == 0 {
			continue
		}
		_, exists := s.tree.Stat(ev.Path)
		for _, d := range ds {
			c := d.Watcher
			if exists && !s.opts.SkipACL && !s.tree.CanRead(ev.Path, c.authSnapshot()) {
				continue
			}
			c.mu.Lock()
			c.appendEventLocked(&d.Event)
			c.mu.Unlock()
		}
	}
}
