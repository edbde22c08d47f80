package bench

import (
	"bufio"
	"fmt"
	"net"
	"time"

	"github.com/synod-dev/synod/internal/wire"
)

// openACL is world:anyone with all permissions.
var openACL = []wire.ACL{{Perms: 31, ID: wire.Id{Scheme: "world", ID: "anyone"}}}

// conn is one ZooKeeper session over TCP.
type conn struct {
	nc net.Conn
	w  *bufio.Writer
	fr *wire.FrameReader
}

// dial opens a session with a 30 s timeout and 64 KiB buffers.
func dial(addr string) (*conn, error) { return dialSize(addr, 64<<10) }

// dialSize opens a session with buffers of size bytes; churn and fanout
// use small ones because they hold thousands of sessions.
func dialSize(addr string, size int) (*conn, error) {
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, fmt.Errorf("bench: dial %s: %w", addr, err)
	}
	c := &conn{nc: nc, w: bufio.NewWriterSize(nc, size), fr: wire.NewFrameReader(bufio.NewReaderSize(nc, size), 16<<20)}
	req := &wire.ConnectRequest{TimeOut: 30000, Passwd: make([]byte, 16), HasReadOnly: true}
	if _, err := nc.Write(wire.AppendFrame(nil, req)); err != nil {
		nc.Close()
		return nil, fmt.Errorf("bench: connect request: %w", err)
	}
	b, err := c.fr.ReadFrame()
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("bench: connect response: %w", err)
	}
	var resp wire.ConnectResponse
	if err := wire.Unmarshal(b, &resp); err != nil || resp.SessionID == 0 {
		nc.Close()
		return nil, fmt.Errorf("bench: session refused: %v", err)
	}
	return c, nil
}

// call sends one request and waits for its reply code (setup only).
func (c *conn) call(xid int32, op wire.OpCode, rec wire.Record) (wire.Code, error) {
	if _, err := c.nc.Write(wire.AppendFrame(nil, &wire.RequestHeader{Xid: xid, Type: op}, rec)); err != nil {
		return 0, fmt.Errorf("bench: send %v: %w", op, err)
	}
	for {
		b, err := c.fr.ReadFrame()
		if err != nil {
			return 0, fmt.Errorf("bench: reply %v: %w", op, err)
		}
		var h wire.ReplyHeader
		h.Decode(wire.NewDecoder(b))
		if h.Xid == xid {
			return h.Err, nil
		}
	}
}

// closeWait closes the session and waits for the server's reply, so that
// its ephemerals are gone when it returns.
func (c *conn) closeWait(xid int32) error {
	c.nc.SetDeadline(time.Now().Add(30 * time.Second))
	defer c.nc.Close()
	if _, err := c.nc.Write(wire.AppendFrame(nil, &wire.RequestHeader{Xid: xid, Type: wire.OpCloseSession})); err != nil {
		return fmt.Errorf("bench: closeSession: %w", err)
	}
	for {
		b, err := c.fr.ReadFrame()
		if err != nil {
			return fmt.Errorf("bench: closeSession reply: %w", err)
		}
		var h wire.ReplyHeader
		h.Decode(wire.NewDecoder(b))
		if h.Xid == xid {
			return nil
		}
	}
}

// close ends the session politely.
func (c *conn) close() {
	c.nc.SetDeadline(time.Now().Add(2 * time.Second))
	c.nc.Write(wire.AppendFrame(nil, &wire.RequestHeader{Xid: 1 << 30, Type: wire.OpCloseSession}))
	c.nc.Close()
}
