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
func (s *Server) committer() {
	defer s.wg.Done()
	batch := make([]*request, 0, maxBatch)
	txns := make([]tree.Txn, 0, maxBatch)
	s.mu.RLock()
	next := s.tree.LastZxid() + 1
	s.mu.RUnlock()
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
		now := time.Now().UnixMilli()
		txns = txns[:0]
		for _, r := range batch {
			r.txn.Zxid = next
			r.txn.Time = now
			next++
			txns = append(txns, r.txn)
		}
		if err := s.opts.Storage.Append(txns); err != nil {
			s.log.Error("storage append failed; dropping batch", "err", err, "txns", len(txns))
			for _, r := range batch {
				if r.conn != nil {
					r.conn.close(fmt.Sprintf("storage failure: %v", err))
				}
			}
			// The zxids were not used; a tree that never saw them must not
			// see a gap.
			next -= int64(len(batch))
			continue
		}
		s.mu.Lock()
		for _, r := range batch {
			s.applyLocked(r)
		}
		s.mu.Unlock()
		s.maybeSnapshot()
		for i := range txns {
			txns[i] = tree.Txn{}
		}
		for i := range batch {
			batch[i] = nil
		}
	}
}

// maybeSnapshot writes a snapshot when the storage asks for one. Writes
// wait while it is written; reads go on.
func (s *Server) maybeSnapshot() {
	sn, ok := s.opts.Storage.(Snapshotter)
	if !ok || !sn.SnapshotDue() {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := sn.Snapshot(s.tree.LastZxid(), s.tree.WriteSnapshot); err != nil {
		s.log.Error("snapshot failed", "err", err)
	}
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
