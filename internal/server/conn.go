package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/synod-dev/synod/internal/tree"
	"github.com/synod-dev/synod/internal/wire"
)

// conn is one client connection. The reader goroutine owns decoding and the
// queue's tail; the committer and the reader answer requests from the
// queue's head under mu; the writer goroutine owns the socket's write side.
type conn struct {
	s      *Server
	nc     net.Conn
	ip     string
	id     uint64
	remote string // "/ip:port" as ZooKeeper prints it
	est    time.Time

	sid       atomic.Int64
	timeoutMs atomic.Int32
	auth      atomic.Pointer[[]wire.Id] // copy-on-write

	mu      sync.Mutex
	queue   []*request // requests not yet answered, in arrival order, from head
	head    int
	out     []byte // frames waiting for the writer
	spare   []byte
	closing bool // a reply that closes the connection has been queued
	stats   connStats

	notify    chan struct{}
	drained   chan struct{} // the writer sent what was buffered
	done      chan struct{}
	closeOnce sync.Once
}

// connStats are the per-connection numbers cons reports; guarded by mu.
type connStats struct {
	recvd, sent             int64
	lastOp                  string
	lastCxid                int64
	lastZxid                int64
	lastResp                int64
	lastLat, minLat, maxLat int64
	latSum, latCount        int64
}

func newConn(s *Server, nc net.Conn, ip string, id uint64) *conn {
	c := &conn{
		s:       s,
		nc:      nc,
		ip:      ip,
		id:      id,
		remote:  "/" + nc.RemoteAddr().String(),
		est:     time.Now(),
		notify:  make(chan struct{}, 1),
		drained: make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	c.stats.lastCxid = -1
	c.stats.lastOp = "NA"
	ids := []wire.Id{{Scheme: "ip", ID: ip}}
	c.auth.Store(&ids)
	return c
}

func (c *conn) sessionID() int64 { return c.sid.Load() }

func (c *conn) authSnapshot() []wire.Id { return *c.auth.Load() }

func (c *conn) addAuth(id wire.Id) {
	old := c.authSnapshot()
	for _, o := range old {
		if o == id {
			return
		}
	}
	ids := make([]wire.Id, 0, len(old)+1)
	ids = append(append(ids, old...), id)
	c.auth.Store(&ids)
}

// close shuts the connection once; reason is logged when not empty.
func (c *conn) close(reason string) {
	c.closeOnce.Do(func() {
		if reason != "" {
			c.s.log.Info("closing connection", "client", c.remote,
				"session", fmt.Sprintf("0x%x", c.sessionID()), "reason", reason)
		}
		close(c.done)
		c.nc.Close()
		c.s.forget(c)
	})
}

func (c *conn) wake() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// writeLoop sends whatever the connection has buffered, one write per
// wake-up, and closes the connection after a closing reply.
func (c *conn) writeLoop() {
	for {
		select {
		case <-c.notify:
		case <-c.done:
			return
		}
		c.mu.Lock()
		buf := c.out
		c.out = c.spare[:0]
		c.spare = nil
		closing := c.closing
		c.mu.Unlock()
		if len(buf) > 0 {
			if _, err := c.nc.Write(buf); err != nil {
				c.close("write failed: " + err.Error())
				return
			}
		}
		if cap(buf) <= 4<<20 {
			c.mu.Lock()
			c.spare = buf[:0]
			c.mu.Unlock()
		}
		select {
		case c.drained <- struct{}{}:
		default:
		}
		if closing {
			c.close("")
			return
		}
	}
}

// readLoop handles the handshake (or a four-letter word) and then every
// request until the connection ends.
func (c *conn) readLoop() {
	br := bufio.NewReaderSize(c.nc, 64<<10)
	fr := wire.NewFrameReader(br, c.s.opts.MaxFrame)
	n, err := fr.ReadLength()
	if err != nil {
		c.close("")
		return
	}
	if cmd, ok := fourLetterWord(n); ok {
		c.s.runFourLetter(c, cmd, br)
		return
	}
	body, err := fr.ReadBody(n)
	if err != nil {
		c.readFailed(err)
		return
	}
	if !c.handshake(body) {
		return
	}
	for {
		if !c.throttle() {
			return
		}
		body, err := fr.ReadFrame()
		if err != nil {
			c.readFailed(err)
			return
		}
		if !c.handle(body) {
			return
		}
	}
}

// throttle holds the reader back while this client has more than
// MaxPendingReplyBytes of replies it has not read, or while the server has
// GlobalOutstandingLimit writes waiting for the committer, as ZooKeeper
// stops reading from clients when it is overloaded. Requests the client
// keeps sending wait in the socket's buffers, then in the client. It
// reports false when the connection closed while waiting.
func (c *conn) throttle() bool {
	for {
		c.mu.Lock()
		pending := len(c.out)
		c.mu.Unlock()
		switch {
		case pending > c.s.opts.MaxPendingReplyBytes:
			select {
			case <-c.drained:
			case <-c.done:
				return false
			}
		case c.s.stats.outstanding.Load() >= int64(c.s.opts.GlobalOutstandingLimit):
			// Overload is rare and short: poll rather than have the
			// committer wake every throttled reader.
			select {
			case <-time.After(time.Millisecond):
			case <-c.done:
				return false
			}
		default:
			return true
		}
	}
}

func (c *conn) readFailed(err error) {
	switch {
	case errors.Is(err, wire.ErrFrameTooLarge):
		c.s.log.Warn("Len error: closing connection", "client", c.remote, "err", err)
		c.close("frame too large")
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		c.close("")
	default:
		c.close("read: " + err.Error())
	}
}

// handshake answers the ConnectRequest. It reports whether to keep reading.
func (c *conn) handshake(body []byte) bool {
	s := c.s
	var req wire.ConnectRequest
	if err := wire.Unmarshal(body, &req); err != nil {
		c.close("undecodable connect request: " + err.Error())
		return false
	}
	s.mu.RLock()
	last := s.tree.LastZxid()
	s.mu.RUnlock()
	if req.LastZxidSeen > last {
		s.logf("Refusing session request for client %s as it has seen zxid 0x%x our last zxid is 0x%x client must try another server",
			c.remote, req.LastZxidSeen, last)
		c.close("client is ahead of this server")
		return false
	}
	to := int64(req.TimeOut)
	minTo, maxTo := s.opts.MinSessionTimeout.Milliseconds(), s.opts.MaxSessionTimeout.Milliseconds()
	if to < minTo {
		to = minTo
	}
	if to > maxTo {
		to = maxTo
	}
	now := s.nowMs()
	resp := &wire.ConnectResponse{TimeOut: int32(to), HasReadOnly: req.HasReadOnly}
	if req.SessionID == 0 {
		sid := s.sessions.NextID()
		s.sessions.Add(sid, to, now)
		c.sid.Store(sid)
		c.timeoutMs.Store(int32(to))
		s.attach(c, sid)
		resp.SessionID = sid
		resp.Passwd = s.sessions.Password(sid)
		s.log.Debug("new session", "session", fmt.Sprintf("0x%x", sid), "timeout", to, "client", c.remote)
		c.enqueueWrite(&request{conn: c, op: wire.OpCreateSession, write: true, sid: sid, connect: resp,
			recvd: time.Now(),
			txn:   tree.Txn{Session: sid, Op: wire.OpCreateSession, Req: &tree.CreateSession{TimeoutMs: int32(to)}}})
		return true
	}
	sid := req.SessionID
	if !s.sessions.CheckPassword(sid, req.Passwd) || !s.sessions.Touch(sid, now) {
		s.logf("Invalid session 0x%x for client %s, probably expired", sid, c.remote)
		resp.TimeOut, resp.SessionID, resp.Passwd = 0, 0, make([]byte, 16)
		c.enqueueDone(&request{conn: c, connect: resp, done: true, closeAfter: true})
		return false
	}
	s.sessions.Add(sid, to, now)
	c.sid.Store(sid)
	c.timeoutMs.Store(int32(to))
	s.attach(c, sid)
	resp.SessionID = sid
	resp.Passwd = s.sessions.Password(sid)
	s.log.Debug("session re-attached", "session", fmt.Sprintf("0x%x", sid), "timeout", to, "client", c.remote)
	c.enqueueDone(&request{conn: c, connect: resp, done: true})
	return true
}

// enqueueWrite queues a write behind the connection's earlier requests and
// hands it to the committer.
func (c *conn) enqueueWrite(r *request) {
	c.mu.Lock()
	c.queue = append(c.queue, r)
	c.stats.recvd++
	c.mu.Unlock()
	c.s.stats.outstanding.Add(1)
	if !c.s.submit(r) {
		c.close("server shutting down")
	}
}

// enqueueDone queues a read (run when its turn comes) or a ready reply, and
// answers whatever is now at the head of the queue.
func (c *conn) enqueueDone(r *request) {
	c.s.mu.RLock()
	c.mu.Lock()
	c.queue = append(c.queue, r)
	c.stats.recvd++
	c.drainLocked()
	c.mu.Unlock()
	c.s.mu.RUnlock()
}

// drainLocked answers requests from the head of the queue until it meets a
// write the committer has not applied. The tree lock (read or write) and
// c.mu are held.
func (c *conn) drainLocked() {
	for c.head < len(c.queue) && !c.closing {
		r := c.queue[c.head]
		if r.write && !r.done {
			break
		}
		if !r.done {
			c.s.execLocked(c, r)
		}
		c.emitLocked(r)
		c.queue[c.head] = nil
		c.head++
	}
	if c.closing {
		for i := c.head; i < len(c.queue); i++ {
			if r := c.queue[i]; r.write {
				c.s.stats.outstanding.Add(-1)
			}
			c.queue[i] = nil
		}
		c.head = len(c.queue)
	}
	if c.head == len(c.queue) {
		c.queue, c.head = c.queue[:0], 0
	}
}

// emitLocked encodes a reply into the output buffer.
func (c *conn) emitLocked(r *request) {
	s := c.s
	if r.write {
		s.stats.outstanding.Add(-1)
	}
	zxid := s.tree.LastZxid()
	switch {
	case r.connect != nil:
		c.out = wire.AppendFrame(c.out, r.connect)
	default:
		hz := zxid
		if r.op == wire.OpAuth {
			hz = 0
		}
		hdr := wire.ReplyHeader{Xid: r.xid, Zxid: hz, Err: r.err}
		if r.err == wire.ZOK && r.resp != nil {
			c.out = wire.AppendFrame(c.out, &hdr, r.resp)
		} else {
			c.out = wire.AppendFrame(c.out, &hdr)
		}
	}
	st := &c.stats
	st.sent++
	s.stats.sent.Add(1)
	if !r.recvd.IsZero() {
		now := time.Now()
		lat := now.Sub(r.recvd).Milliseconds()
		st.lastLat = lat
		if st.latCount == 0 || lat < st.minLat {
			st.minLat = lat
		}
		if lat > st.maxLat {
			st.maxLat = lat
		}
		st.latSum += lat
		st.latCount++
		st.lastResp = now.UnixMilli()
		st.lastZxid = zxid
		st.lastOp = opTag(r.op)
		if r.xid >= 0 {
			st.lastCxid = int64(r.xid)
		}
		s.stats.record(lat)
	}
	if r.closeAfter {
		c.closing = true
	}
	c.wake()
}

// appendEventLocked buffers a watch notification. c.mu is held.
func (c *conn) appendEventLocked(ev *wire.WatcherEvent) {
	if c.closing {
		return
	}
	// ZooKeeper 3.8 sends notifications with xid -1 and zxid -1.
	hdr := wire.ReplyHeader{Xid: wire.XidNotification, Zxid: -1, Err: wire.ZOK}
	c.out = wire.AppendFrame(c.out, &hdr, ev)
	c.stats.sent++
	c.s.stats.sent.Add(1)
	c.wake()
}

// handle decodes and dispatches one request. It reports whether to keep
// reading.
func (c *conn) handle(body []byte) bool {
	s := c.s
	d := wire.NewDecoder(body)
	var h wire.RequestHeader
	h.Decode(d)
	if d.Err() != nil {
		c.close("undecodable request header")
		return false
	}
	s.stats.received.Add(1)
	sid := c.sessionID()
	s.sessions.Touch(sid, s.nowMs())
	r := &request{conn: c, xid: h.Xid, op: h.Type, sid: sid, auth: c.authSnapshot(), recvd: time.Now()}

	fail := func(code wire.Code, why string) bool {
		s.log.Info("closing connection after error reply", "client", c.remote, "op", h.Type.String(), "code", int32(code), "reason", why)
		r.err, r.done, r.closeAfter = code, true, true
		c.enqueueDone(r)
		return false
	}
	rec, known := wire.RequestRecord(h.Type)
	if !known || h.Type == wire.OpCheck {
		return fail(wire.ZUnimplemented, "unimplemented request type")
	}
	rec.Decode(d)
	if d.Err() != nil {
		return fail(wire.ZMarshallingError, "undecodable request: "+d.Err().Error())
	}
	r.body = rec
	switch h.Type {
	case wire.OpMulti, wire.OpMultiRead:
		if !multiKindOK(h.Type, rec.(*wire.MultiRequest)) {
			return fail(wire.ZMarshallingError, "mixed read and write ops in multi")
		}
	}
	switch h.Type {
	case wire.OpAuth:
		return c.handleAuth(r)
	case wire.OpReconfig:
		r.done = true
		r.err = wire.ZReconfigDisabled
		if s.opts.ReconfigEnabled {
			r.err = wire.ZUnimplemented
		}
		c.enqueueDone(r)
		return true
	case wire.OpCloseSession:
		s.sessions.SetClosing(sid)
		r.write, r.closeAfter = true, true
		r.txn = tree.Txn{Session: sid, Auth: r.auth, Op: wire.OpCloseSession}
		c.enqueueWrite(r)
		return false
	case wire.OpCreate, wire.OpCreate2, wire.OpCreateContainer, wire.OpCreateTTL,
		wire.OpDelete, wire.OpSetData, wire.OpSetACL, wire.OpMulti, wire.OpDeleteContainer:
		r.write = true
		r.txn = tree.Txn{Session: sid, Auth: r.auth, Op: h.Type, Req: rec}
		c.enqueueWrite(r)
		return true
	}
	c.enqueueDone(r)
	return true
}

func multiKindOK(op wire.OpCode, m *wire.MultiRequest) bool {
	for _, o := range m.Ops {
		read := o.Op == wire.OpGetData || o.Op == wire.OpGetChildren
		if read != (op == wire.OpMultiRead) {
			return false
		}
	}
	return true
}

// handleAuth runs an auth packet at once: later requests carry the new
// identity.
func (c *conn) handleAuth(r *request) bool {
	s := c.s
	ap := r.body.(*wire.AuthPacket)
	r.done = true
	switch ap.Scheme {
	case "digest":
		id := tree.DigestID(string(ap.Auth))
		c.addAuth(wire.Id{Scheme: "digest", ID: id})
		if s.superID != "" && id == s.superID {
			c.addAuth(wire.Id{Scheme: "super", ID: ""})
		}
	case "ip":
		// The ip identity is already there.
	default:
		s.stats.authFailed.Add(1)
		s.logf("No authentication provider for scheme: %s", ap.Scheme)
		r.err, r.closeAfter = wire.ZAuthFailed, true
		c.enqueueDone(r)
		return false
	}
	c.enqueueDone(r)
	return true
}

// opTag is the four-letter operation tag cons prints (lop).
func opTag(op wire.OpCode) string {
	switch op {
	case wire.OpPing:
		return "PING"
	case wire.OpCreate, wire.OpCreate2, wire.OpCreateContainer, wire.OpCreateTTL:
		return "CREA"
	case wire.OpDelete, wire.OpDeleteContainer:
		return "DELE"
	case wire.OpExists:
		return "EXIS"
	case wire.OpGetData:
		return "GETD"
	case wire.OpSetData:
		return "SETD"
	case wire.OpGetACL:
		return "GACL"
	case wire.OpSetACL:
		return "SACL"
	case wire.OpGetChildren, wire.OpGetChildren2:
		return "GETC"
	case wire.OpSync:
		return "SYNC"
	case wire.OpMulti, wire.OpMultiRead:
		return "MULT"
	case wire.OpCreateSession:
		return "SESS"
	case wire.OpCloseSession:
		return "CLOS"
	case wire.OpSetWatches, wire.OpSetWatches2:
		return "SETW"
	case wire.OpCheckWatches:
		return "CHKW"
	case wire.OpRemoveWatches:
		return "REMW"
	case wire.OpAddWatch:
		return "ADDW"
	case wire.OpAuth:
		return "AUTH"
	case wire.OpWhoAmI:
		return "WHOM"
	case wire.OpGetEphemerals:
		return "GETE"
	case wire.OpGetAllChildrenNumber:
		return "GETN"
	}
	return strconv.Itoa(int(op))
}
