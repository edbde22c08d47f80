package server

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/synod-dev/synod/internal/wire"
)

// startServer runs an in-process server on a free port for one test.
func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	opts.Addr = "127.0.0.1:0"
	if opts.TickTime == 0 {
		opts.TickTime = 200 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = discardLogger()
	}
	if opts.FourLetterWhitelist == nil {
		opts.FourLetterWhitelist = []string{"*"}
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	for s.Addr() == nil {
		time.Sleep(time.Millisecond)
	}
	return s
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// connectZK opens a go-zookeeper client and waits for its session.
func connectZK(t *testing.T, addr string) (*zk.Conn, <-chan zk.Event) {
	t.Helper()
	c, ev, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogger(nopLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	deadline := time.Now().Add(30 * time.Second)
	for c.State() != zk.StateHasSession {
		if time.Now().After(deadline) {
			t.Fatalf("no session after 30s, state %v", c.State())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return c, ev
}

// raw is a minimal client over internal/wire for what go-zk cannot send.
type raw struct {
	t      *testing.T
	nc     net.Conn
	fr     *wire.FrameReader
	xid    int32
	conn   wire.ConnectResponse
	events []wire.WatcherEvent
}

func dialRaw(t *testing.T, addr string) *raw {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(60 * time.Second))
	return &raw{t: t, nc: nc, fr: wire.NewFrameReader(nc, 64<<20)}
}

// connect sends a handshake and reads the answer; ok is false when the
// server closed the connection instead.
func (r *raw) connect(sid int64, pw []byte, timeoutMs int32, lastZxid int64) (wire.ConnectResponse, error) {
	if pw == nil {
		pw = make([]byte, 16)
	}
	req := wire.ConnectRequest{TimeOut: timeoutMs, SessionID: sid, Passwd: pw, LastZxidSeen: lastZxid, HasReadOnly: true}
	if _, err := r.nc.Write(wire.AppendFrame(nil, &req)); err != nil {
		return wire.ConnectResponse{}, err
	}
	body, err := r.fr.ReadFrame()
	if err != nil {
		return wire.ConnectResponse{}, err
	}
	var resp wire.ConnectResponse
	if err := wire.Unmarshal(body, &resp); err != nil {
		return resp, err
	}
	r.conn = resp
	return resp, nil
}

func (r *raw) mustConnect(sid int64, pw []byte, timeoutMs int32) wire.ConnectResponse {
	r.t.Helper()
	resp, err := r.connect(sid, pw, timeoutMs, 0)
	if err != nil {
		r.t.Fatalf("connect: %v", err)
	}
	return resp
}

func (r *raw) send(xid int32, op wire.OpCode, body wire.Record) {
	r.t.Helper()
	h := wire.RequestHeader{Xid: xid, Type: op}
	if _, err := r.nc.Write(wire.AppendFrame(nil, &h, body)); err != nil {
		r.t.Fatalf("send %v: %v", op, err)
	}
}

// readReply reads frames, collecting notifications, until a reply with a
// non-notification xid arrives.
func (r *raw) readReply() (wire.ReplyHeader, []byte, error) {
	for {
		body, err := r.fr.ReadFrame()
		if err != nil {
			return wire.ReplyHeader{}, nil, err
		}
		d := wire.NewDecoder(body)
		var h wire.ReplyHeader
		h.Decode(d)
		if d.Err() != nil {
			return h, nil, d.Err()
		}
		rest := body[16:]
		if h.Xid == wire.XidNotification {
			var ev wire.WatcherEvent
			if err := wire.Unmarshal(rest, &ev); err != nil {
				return h, nil, err
			}
			r.events = append(r.events, ev)
			continue
		}
		return h, append([]byte(nil), rest...), nil
	}
}

// call sends one request and decodes its reply into resp (may be nil).
func (r *raw) call(op wire.OpCode, body, resp wire.Record) wire.Code {
	r.t.Helper()
	r.xid++
	xid := r.xid
	switch op {
	case wire.OpPing:
		xid = wire.XidPing
	case wire.OpAuth:
		xid = wire.XidAuth
	case wire.OpSetWatches, wire.OpSetWatches2:
		xid = wire.XidSetWatches
	}
	r.send(xid, op, body)
	h, rest, err := r.readReply()
	if err != nil {
		r.t.Fatalf("%v: read reply: %v", op, err)
	}
	if h.Xid != xid {
		r.t.Fatalf("%v: reply xid %d, want %d", op, h.Xid, xid)
	}
	if h.Err == wire.ZOK && resp != nil {
		if err := wire.Unmarshal(rest, resp); err != nil {
			r.t.Fatalf("%v: decode reply: %v", op, err)
		}
	}
	return h.Err
}

// waitClosed reports whether the server closes the connection within the
// deadline, discarding anything it sends first.
func (r *raw) waitClosed(d time.Duration) bool {
	_ = r.nc.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 4096)
	for {
		_, err := r.nc.Read(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return false
		}
		return true
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
