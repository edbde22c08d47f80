package server

import (
	"strings"

	"github.com/synod-dev/synod/internal/watch"
	"github.com/synod-dev/synod/internal/wire"
)

// execLocked runs a request that does not change the tree and sets its
// reply. The tree lock (read or write) and c.mu are held, so a watch set
// here cannot miss a change and an event sent here precedes later replies.
func (s *Server) execLocked(c *conn, r *request) {
	r.done = true
	auth := r.auth
	switch r.op {
	case wire.OpPing:
		r.xid = wire.XidPing
	case wire.OpExists:
		q := r.body.(*wire.PathWatchRequest)
		st, code := s.tree.Exists(q.Path, auth)
		if q.Watch && (code == wire.ZOK || code == wire.ZNoNode) {
			s.watches.Add(c, q.Path, watch.Data)
		}
		r.err, r.resp = code, &wire.StatResponse{Stat: st}
	case wire.OpGetData:
		q := r.body.(*wire.PathWatchRequest)
		r.err, r.resp = s.getData(c, q, auth)
	case wire.OpGetChildren, wire.OpGetChildren2:
		q := r.body.(*wire.PathWatchRequest)
		kids, st, code := s.tree.Children(q.Path, auth)
		if q.Watch && code == wire.ZOK {
			s.watches.Add(c, q.Path, watch.Child)
		}
		r.err = code
		if r.op == wire.OpGetChildren {
			r.resp = &wire.GetChildrenResponse{Children: kids}
		} else {
			r.resp = &wire.GetChildren2Response{Children: kids, Stat: st}
		}
	case wire.OpGetACL:
		q := r.body.(*wire.PathRequest)
		acl, st, code := s.tree.GetACL(q.Path, auth)
		r.err, r.resp = code, &wire.GetACLResponse{ACL: acl, Stat: st}
	case wire.OpSync:
		q := r.body.(*wire.PathRequest)
		r.resp = &wire.PathRequest{Path: q.Path}
	case wire.OpGetEphemerals:
		q := r.body.(*wire.PathRequest)
		eph := s.tree.Ephemerals(r.sid, q.Path)
		if eph == nil {
			eph = []string{}
		}
		r.resp = &wire.GetEphemeralsResponse{Ephemerals: eph}
	case wire.OpGetAllChildrenNumber:
		q := r.body.(*wire.PathRequest)
		n, code := s.tree.AllChildrenNumber(q.Path, auth)
		r.err, r.resp = code, &wire.GetAllChildrenNumberResponse{TotalNumber: n}
	case wire.OpMultiRead:
		q := r.body.(*wire.MultiRequest)
		out := &wire.MultiResponse{Results: make([]wire.MultiResult, 0, len(q.Ops))}
		for _, op := range q.Ops {
			pw := op.Req.(*wire.PathWatchRequest)
			var code wire.Code
			var resp wire.Record
			if op.Op == wire.OpGetData {
				code, resp = s.getData(c, pw, auth)
			} else {
				kids, _, cd := s.tree.Children(pw.Path, auth)
				if pw.Watch && cd == wire.ZOK {
					s.watches.Add(c, pw.Path, watch.Child)
				}
				code, resp = cd, &wire.GetChildrenResponse{Children: kids}
			}
			if code != wire.ZOK {
				out.Results = append(out.Results, wire.MultiResult{Op: wire.OpError, Err: code})
			} else {
				out.Results = append(out.Results, wire.MultiResult{Op: op.Op, Resp: resp})
			}
		}
		r.resp = out
	case wire.OpCheckWatches, wire.OpRemoveWatches:
		q := r.body.(*wire.WatchesRequest)
		var ok bool
		if r.op == wire.OpCheckWatches {
			ok = s.watches.Check(c, q.Path, q.Type)
		} else {
			ok = s.watches.Remove(c, q.Path, q.Type)
		}
		if !ok {
			r.err = wire.ZNoWatcher
		}
	case wire.OpAddWatch:
		q := r.body.(*wire.AddWatchRequest)
		switch q.Mode {
		case wire.AddWatchPersistent:
			s.watches.Add(c, q.Path, watch.Persistent)
		case wire.AddWatchPersistentRecursive:
			s.watches.Add(c, q.Path, watch.Recursive)
		default:
			r.err = wire.ZBadArguments
		}
		r.resp = &wire.ErrorResponse{Err: wire.ZOK}
	case wire.OpSetWatches:
		q := r.body.(*wire.SetWatches)
		r.xid = wire.XidSetWatches
		s.setWatches(c, q.RelativeZxid, q.DataWatches, q.ExistWatches, q.ChildWatches, nil, nil)
	case wire.OpSetWatches2:
		q := r.body.(*wire.SetWatches2)
		r.xid = wire.XidSetWatches
		s.setWatches(c, q.RelativeZxid, q.DataWatches, q.ExistWatches, q.ChildWatches,
			q.PersistentWatches, q.PersistentRecursiveWatches)
	case wire.OpWhoAmI:
		ids := auth
		out := &wire.WhoAmIResponse{ClientInfo: make([]wire.ClientInfo, 0, len(ids))}
		for _, id := range ids {
			user := id.ID
			if id.Scheme == "digest" {
				if i := strings.IndexByte(user, ':'); i >= 0 {
					user = user[:i]
				}
			}
			out.ClientInfo = append(out.ClientInfo, wire.ClientInfo{AuthScheme: id.Scheme, User: user})
		}
		r.resp = out
	case wire.OpSASL:
		// No SASL server is configured: ZooKeeper answers OK with a null
		// token (its saslServer is null and the token stays null).
		r.resp = &wire.BufferRecord{Token: nil}
	default:
		r.err = wire.ZUnimplemented
		r.closeAfter = true
	}
}

func (s *Server) getData(c *conn, q *wire.PathWatchRequest, auth []wire.Id) (wire.Code, wire.Record) {
	data, st, code := s.tree.GetData(q.Path, auth)
	if q.Watch && code == wire.ZOK {
		s.watches.Add(c, q.Path, watch.Data)
	}
	return code, &wire.GetDataResponse{Data: data, Stat: st}
}

// setWatches re-registers a reconnecting client's watches, firing at once
// what changed since relativeZxid (DataTree.setWatches).
func (s *Server) setWatches(c *conn, rel int64, data, exist, child, persistent, recursive []string) {
	send := func(t wire.EventType, p string) {
		c.appendEventLocked(&wire.WatcherEvent{Type: t, State: wire.StateSyncConnected, Path: p})
	}
	for _, p := range data {
		st, ok := s.tree.Stat(p)
		switch {
		case !ok:
			send(wire.EventNodeDeleted, p)
		case st.Mzxid > rel:
			send(wire.EventNodeDataChanged, p)
		default:
			s.watches.Add(c, p, watch.Data)
		}
	}
	for _, p := range exist {
		if _, ok := s.tree.Stat(p); ok {
			send(wire.EventNodeCreated, p)
		} else {
			s.watches.Add(c, p, watch.Data)
		}
	}
	for _, p := range child {
		st, ok := s.tree.Stat(p)
		switch {
		case !ok:
			send(wire.EventNodeDeleted, p)
		case st.Pzxid > rel:
			send(wire.EventNodeChildrenChanged, p)
		default:
			s.watches.Add(c, p, watch.Child)
		}
	}
	for _, p := range persistent {
		s.watches.Add(c, p, watch.Persistent)
	}
	for _, p := range recursive {
		s.watches.Add(c, p, watch.Recursive)
	}
}
