package server

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/wire"
)

var rawOpen = []wire.ACL{{Perms: wire.PermAll, ID: wire.Id{Scheme: "world", ID: "anyone"}}}

func (r *raw) create(path string, flags int32) wire.Code {
	r.t.Helper()
	return r.call(wire.OpCreate, &wire.CreateRequest{Path: path, ACL: rawOpen, Flags: flags}, &wire.CreateResponse{})
}

func TestPersistentAndRecursiveWatches(t *testing.T) {
	s := startServer(t, Options{})
	w := dialRaw(t, s.Addr().String())
	w.mustConnect(0, nil, 10000)
	var ack wire.ErrorResponse
	if code := w.call(wire.OpAddWatch, &wire.AddWatchRequest{Path: "/p", Mode: wire.AddWatchPersistent}, &ack); code != wire.ZOK || ack.Err != 0 {
		t.Fatalf("addWatch persistent: %v %v", code, ack.Err)
	}
	if code := w.call(wire.OpAddWatch, &wire.AddWatchRequest{Path: "/r", Mode: wire.AddWatchPersistentRecursive}, &ack); code != wire.ZOK {
		t.Fatalf("addWatch recursive: %v", code)
	}
	c := dialRaw(t, s.Addr().String())
	c.mustConnect(0, nil, 10000)
	for _, p := range []string{"/p", "/p/a", "/r", "/r/a", "/r/a/b"} {
		if code := c.create(p, 0); code != wire.ZOK {
			t.Fatalf("create %s: %v", p, code)
		}
	}
	c.call(wire.OpSetData, &wire.SetDataRequest{Path: "/p", Data: []byte("x"), Version: -1}, &wire.StatResponse{})
	// A ping round trip after the writes: every event is in by then.
	w.call(wire.OpPing, &wire.Empty{}, nil)
	want := []wire.WatcherEvent{
		{Type: wire.EventNodeCreated, Path: "/p"},
		{Type: wire.EventNodeChildrenChanged, Path: "/p"},
		{Type: wire.EventNodeCreated, Path: "/r"},
		{Type: wire.EventNodeCreated, Path: "/r/a"},
		{Type: wire.EventNodeCreated, Path: "/r/a/b"},
		{Type: wire.EventNodeDataChanged, Path: "/p"},
	}
	checkEvents(t, w.events, want)

	// checkWatches / removeWatches.
	if code := w.call(wire.OpCheckWatches, &wire.WatchesRequest{Path: "/r", Type: wire.WatcherPersistentRecursive}, nil); code != wire.ZOK {
		t.Fatalf("checkWatches: %v", code)
	}
	if code := w.call(wire.OpRemoveWatches, &wire.WatchesRequest{Path: "/r", Type: wire.WatcherPersistentRecursive}, nil); code != wire.ZOK {
		t.Fatalf("removeWatches: %v", code)
	}
	if code := w.call(wire.OpRemoveWatches, &wire.WatchesRequest{Path: "/r", Type: wire.WatcherPersistentRecursive}, nil); code != wire.ZNoWatcher {
		t.Fatalf("second removeWatches: %v, want ZNoWatcher", code)
	}
}

func checkEvents(t *testing.T, got, want []wire.WatcherEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Type != want[i].Type || got[i].Path != want[i].Path || got[i].State != wire.StateSyncConnected {
			t.Fatalf("event %d = %+v, want %+v (all: %+v)", i, got[i], want[i], got)
		}
	}
}

func TestSetWatchesAfterReconnect(t *testing.T) {
	s := startServer(t, Options{})
	c := dialRaw(t, s.Addr().String())
	c.mustConnect(0, nil, 10000)
	for _, p := range []string{"/same", "/changed", "/gone", "/kids"} {
		c.create(p, 0)
	}
	var st wire.StatResponse
	c.call(wire.OpExists, &wire.PathWatchRequest{Path: "/kids"}, &st)
	rel := st.Stat.Pzxid
	c.call(wire.OpSetData, &wire.SetDataRequest{Path: "/changed", Data: []byte("x"), Version: -1}, &wire.StatResponse{})
	c.call(wire.OpDelete, &wire.DeleteRequest{Path: "/gone", Version: -1}, nil)
	c.create("/kids/k", 0)
	c.create("/born", 0)

	w := dialRaw(t, s.Addr().String())
	w.mustConnect(0, nil, 10000)
	code := w.call(wire.OpSetWatches, &wire.SetWatches{
		RelativeZxid: rel,
		DataWatches:  []string{"/same", "/changed", "/gone"},
		ExistWatches: []string{"/born", "/unborn"},
		ChildWatches: []string{"/kids"},
	}, nil)
	if code != wire.ZOK {
		t.Fatalf("setWatches: %v", code)
	}
	checkEvents(t, w.events, []wire.WatcherEvent{
		{Type: wire.EventNodeDataChanged, Path: "/changed"},
		{Type: wire.EventNodeDeleted, Path: "/gone"},
		{Type: wire.EventNodeCreated, Path: "/born"},
		{Type: wire.EventNodeChildrenChanged, Path: "/kids"},
	})
	// The re-registered watches still fire.
	w.events = nil
	c.call(wire.OpSetData, &wire.SetDataRequest{Path: "/same", Data: []byte("y"), Version: -1}, &wire.StatResponse{})
	c.create("/unborn", 0)
	w.call(wire.OpPing, &wire.Empty{}, nil)
	checkEvents(t, w.events, []wire.WatcherEvent{
		{Type: wire.EventNodeDataChanged, Path: "/same"},
		{Type: wire.EventNodeCreated, Path: "/unborn"},
	})
}

func TestSessionExpiryDeletesEphemerals(t *testing.T) {
	s := startServer(t, Options{TickTime: 100 * time.Millisecond})
	silent := dialRaw(t, s.Addr().String())
	resp := silent.mustConnect(0, nil, 200)
	if resp.TimeOut != 200 {
		t.Fatalf("negotiated %d, want 200 (min is 2 ticks)", resp.TimeOut)
	}
	if code := silent.create("/eph", wire.FlagEphemeral); code != wire.ZOK {
		t.Fatalf("create ephemeral: %v", code)
	}
	watcher := dialRaw(t, s.Addr().String())
	watcher.mustConnect(0, nil, 20000)
	watcher.call(wire.OpExists, &wire.PathWatchRequest{Path: "/eph", Watch: true}, &wire.StatResponse{})
	// silent now sends nothing; the server must expire it.
	eventually(t, 30*time.Second, "ephemeral removed by expiry", func() bool {
		return watcher.call(wire.OpExists, &wire.PathWatchRequest{Path: "/eph"}, &wire.StatResponse{}) == wire.ZNoNode
	})
	checkEvents(t, watcher.events, []wire.WatcherEvent{{Type: wire.EventNodeDeleted, Path: "/eph"}})
	if !silent.waitClosed(10 * time.Second) {
		t.Fatal("connection of the expired session stayed open")
	}
	// Re-attaching to the expired session is refused.
	again := dialRaw(t, s.Addr().String())
	r2, err := again.connect(resp.SessionID, resp.Passwd, 200, 0)
	if err != nil || r2.TimeOut != 0 || r2.SessionID != 0 || !bytes.Equal(r2.Passwd, make([]byte, 16)) {
		t.Fatalf("re-attach to expired session: %+v %v", r2, err)
	}
}

func TestReattachKeepsEphemerals(t *testing.T) {
	s := startServer(t, Options{})
	a := dialRaw(t, s.Addr().String())
	resp := a.mustConnect(0, nil, 10000)
	if code := a.create("/mine", wire.FlagEphemeral); code != wire.ZOK {
		t.Fatal(code)
	}
	b := dialRaw(t, s.Addr().String())
	r2 := b.mustConnect(resp.SessionID, resp.Passwd, 10000)
	if r2.SessionID != resp.SessionID || r2.TimeOut != resp.TimeOut || !bytes.Equal(r2.Passwd, resp.Passwd) {
		t.Fatalf("re-attach: %+v", r2)
	}
	if !a.waitClosed(10 * time.Second) {
		t.Fatal("old connection not closed after the session moved")
	}
	var st wire.StatResponse
	if code := b.call(wire.OpExists, &wire.PathWatchRequest{Path: "/mine"}, &st); code != wire.ZOK || st.Stat.EphemeralOwner != resp.SessionID {
		t.Fatalf("ephemeral after re-attach: %v %+v", code, st.Stat)
	}
	var eph wire.GetEphemeralsResponse
	if code := b.call(wire.OpGetEphemerals, &wire.PathRequest{Path: "/"}, &eph); code != wire.ZOK || len(eph.Ephemerals) != 1 {
		t.Fatalf("getEphemerals: %v %v", code, eph.Ephemerals)
	}

	// Wrong password: expired answer, then close.
	bad := dialRaw(t, s.Addr().String())
	pw := append([]byte(nil), resp.Passwd...)
	pw[0] ^= 0xff
	r3, err := bad.connect(resp.SessionID, pw, 10000, 0)
	if err != nil || r3.TimeOut != 0 || r3.SessionID != 0 {
		t.Fatalf("wrong password: %+v %v", r3, err)
	}
	if !bad.waitClosed(10 * time.Second) {
		t.Fatal("connection with wrong password left open")
	}
	// closeSession: reply, then close, ephemerals gone.
	if code := b.call(wire.OpCloseSession, &wire.Empty{}, nil); code != wire.ZOK {
		t.Fatalf("closeSession: %v", code)
	}
	if !b.waitClosed(10 * time.Second) {
		t.Fatal("connection open after closeSession")
	}
	c := dialRaw(t, s.Addr().String())
	c.mustConnect(0, nil, 10000)
	if code := c.call(wire.OpExists, &wire.PathWatchRequest{Path: "/mine"}, &st); code != wire.ZNoNode {
		t.Fatalf("ephemeral after closeSession: %v", code)
	}
}

func TestClientAheadRefused(t *testing.T) {
	s := startServer(t, Options{})
	r := dialRaw(t, s.Addr().String())
	if _, err := r.connect(0, nil, 10000, 1<<40); err == nil {
		t.Fatal("server answered a client that has seen a later zxid")
	}
}

func TestBadInputClosesOnlyThatConnection(t *testing.T) {
	s := startServer(t, Options{})
	good := dialRaw(t, s.Addr().String())
	good.mustConnect(0, nil, 10000)

	big := dialRaw(t, s.Addr().String())
	big.mustConnect(0, nil, 10000)
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], wire.MaxBuffer+1)
	if _, err := big.nc.Write(hdr[:]); err != nil {
		t.Fatal(err)
	}
	if !big.waitClosed(10 * time.Second) {
		t.Fatal("oversized frame did not close the connection")
	}

	unk := dialRaw(t, s.Addr().String())
	unk.mustConnect(0, nil, 10000)
	unk.send(1, wire.OpCode(99), &wire.Empty{})
	h, _, err := unk.readReply()
	if err != nil || h.Err != wire.ZUnimplemented || h.Xid != 1 {
		t.Fatalf("unknown op: %+v %v", h, err)
	}
	if !unk.waitClosed(10 * time.Second) {
		t.Fatal("unknown op did not close the connection")
	}

	chk := dialRaw(t, s.Addr().String())
	chk.mustConnect(0, nil, 10000)
	chk.send(1, wire.OpCheck, &wire.CheckVersionRequest{Path: "/", Version: 0})
	if h, _, err := chk.readReply(); err != nil || h.Err != wire.ZUnimplemented {
		t.Fatalf("check alone: %+v %v", h, err)
	}

	garbled := dialRaw(t, s.Addr().String())
	garbled.mustConnect(0, nil, 10000)
	frame := []byte{0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, byte(wire.OpGetData), 0, 0, 0x7f, 0xff}
	if _, err := garbled.nc.Write(frame); err != nil {
		t.Fatal(err)
	}
	if h, _, err := garbled.readReply(); err != nil || h.Err != wire.ZMarshallingError {
		t.Fatalf("garbled body: %+v %v", h, err)
	}
	if !garbled.waitClosed(10 * time.Second) {
		t.Fatal("garbled body did not close the connection")
	}

	if code := good.create("/still-fine", 0); code != wire.ZOK {
		t.Fatalf("other connection hurt: %v", code)
	}
}

func TestMiscOps(t *testing.T) {
	s := startServer(t, Options{})
	c := dialRaw(t, s.Addr().String())
	c.mustConnect(0, nil, 10000)
	c.create("/a", 0)
	c.create("/a/b", 0)
	var n wire.GetAllChildrenNumberResponse
	if code := c.call(wire.OpGetAllChildrenNumber, &wire.PathRequest{Path: "/a"}, &n); code != wire.ZOK || n.TotalNumber != 1 {
		t.Fatalf("getAllChildrenNumber: %v %d", code, n.TotalNumber)
	}
	if code := c.call(wire.OpAuth, &wire.AuthPacket{Scheme: "digest", Auth: []byte("u:p")}, nil); code != wire.ZOK {
		t.Fatalf("auth: %v", code)
	}
	var who wire.WhoAmIResponse
	if code := c.call(wire.OpWhoAmI, &wire.Empty{}, &who); code != wire.ZOK || len(who.ClientInfo) != 2 || who.ClientInfo[1].User != "u" {
		t.Fatalf("whoAmI: %v %+v", code, who)
	}
	var mr wire.MultiResponse
	code := c.call(wire.OpMultiRead, &wire.MultiRequest{Ops: []wire.MultiOp{
		{Op: wire.OpGetData, Req: &wire.PathWatchRequest{Path: "/a"}},
		{Op: wire.OpGetChildren, Req: &wire.PathWatchRequest{Path: "/nope"}},
	}}, &mr)
	if code != wire.ZOK || len(mr.Results) != 2 || mr.Results[0].Op != wire.OpGetData || mr.Results[1].Err != wire.ZNoNode {
		t.Fatalf("multiRead: %v %+v", code, mr.Results)
	}
	var c2 wire.Create2Response
	if code := c.call(wire.OpCreate2, &wire.CreateRequest{Path: "/c2", ACL: rawOpen}, &c2); code != wire.ZOK || c2.Path != "/c2" || c2.Stat.Czxid == 0 {
		t.Fatalf("create2: %v %+v", code, c2)
	}
	if code := c.call(wire.OpReconfig, &wire.ReconfigRequest{CurConfigID: -1}, nil); code != wire.ZReconfigDisabled {
		t.Fatalf("reconfig: %v", code)
	}
	if code := c.call(wire.OpSASL, &wire.BufferRecord{Token: []byte("x")}, &wire.BufferRecord{}); code != wire.ZOK {
		t.Fatalf("sasl: %v", code)
	}
	// Exists on a missing node still sets the watch.
	if code := c.call(wire.OpExists, &wire.PathWatchRequest{Path: "/later", Watch: true}, nil); code != wire.ZNoNode {
		t.Fatalf("exists: %v", code)
	}
	c.create("/later", 0)
	c.call(wire.OpPing, &wire.Empty{}, nil)
	checkEvents(t, c.events, []wire.WatcherEvent{{Type: wire.EventNodeCreated, Path: "/later"}})
	// A bad auth scheme: AuthFailed, then close.
	if code := c.call(wire.OpAuth, &wire.AuthPacket{Scheme: "bogus", Auth: []byte("x")}, nil); code != wire.ZAuthFailed {
		t.Fatalf("bad scheme: %v", code)
	}
	if !c.waitClosed(10 * time.Second) {
		t.Fatal("bad auth scheme did not close the connection")
	}
}

func TestPipelinedOrder(t *testing.T) {
	s := startServer(t, Options{})
	c := dialRaw(t, s.Addr().String())
	c.mustConnect(0, nil, 10000)
	// Many writes and reads in flight at once: replies in order, and each
	// read sees the writes sent before it.
	const n = 200
	var buf []byte
	for i := 0; i < n; i++ {
		h := wire.RequestHeader{Xid: int32(2*i + 1), Type: wire.OpSetData}
		if i == 0 {
			h.Type = wire.OpCreate
			buf = wire.AppendFrame(buf, &h, &wire.CreateRequest{Path: "/o", ACL: rawOpen})
		} else {
			buf = wire.AppendFrame(buf, &h, &wire.SetDataRequest{Path: "/o", Data: []byte{byte(i)}, Version: -1})
		}
		h2 := wire.RequestHeader{Xid: int32(2*i + 2), Type: wire.OpGetData}
		buf = wire.AppendFrame(buf, &h2, &wire.PathWatchRequest{Path: "/o"})
	}
	if _, err := c.nc.Write(buf); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2*n; i++ {
		h, body, err := c.readReply()
		if err != nil || h.Xid != int32(i+1) || h.Err != wire.ZOK {
			t.Fatalf("reply %d: %+v %v", i, h, err)
		}
		if i%2 == 1 && i > 1 {
			var gd wire.GetDataResponse
			if err := wire.Unmarshal(body, &gd); err != nil || len(gd.Data) != 1 || gd.Data[0] != byte(i/2) {
				t.Fatalf("read %d saw %v, want [%d]", i, gd.Data, i/2)
			}
		}
	}
}

func TestMaxClientCnxns(t *testing.T) {
	s := startServer(t, Options{MaxClientCnxns: 2})
	a := dialRaw(t, s.Addr().String())
	a.mustConnect(0, nil, 10000)
	b := dialRaw(t, s.Addr().String())
	b.mustConnect(0, nil, 10000)
	c := dialRaw(t, s.Addr().String())
	if _, err := c.connect(0, nil, 10000, 0); err == nil {
		t.Fatal("third connection from one IP was served")
	}
	a.nc.Close()
	eventually(t, 20*time.Second, "slot freed after close", func() bool {
		d := dialRaw(t, s.Addr().String())
		_, err := d.connect(0, nil, 10000, 0)
		d.nc.Close()
		return err == nil
	})
}

func TestWatchReports(t *testing.T) {
	s := startServer(t, Options{})
	c := dialRaw(t, s.Addr().String())
	resp := c.mustConnect(0, nil, 10000)
	c.create("/a", 0)
	c.call(wire.OpGetData, &wire.PathWatchRequest{Path: "/a", Watch: true}, &wire.GetDataResponse{})
	c.call(wire.OpExists, &wire.PathWatchRequest{Path: "/b", Watch: true}, nil)
	if got, want := s.FourLetter("wchs"), "1 connections watching 2 paths\nTotal watches:2\n"; got != want {
		t.Fatalf("wchs %q, want %q", got, want)
	}
	sid := "0x" + strconv.FormatInt(resp.SessionID, 16)
	if got, want := s.FourLetter("wchc"), sid+"\n\t/a\n\t/b\n\n"; got != want {
		t.Fatalf("wchc %q, want %q", got, want)
	}
	if got, want := s.FourLetter("wchp"), "/a\n\t"+sid+"\n/b\n\t"+sid+"\n\n"; got != want {
		t.Fatalf("wchp %q, want %q", got, want)
	}
	if got := s.FourLetter("dump"); !strings.Contains(got, "\t"+sid+"\n") {
		t.Fatalf("dump lacks the session:\n%s", got)
	}
}

func TestAvgLatencyFormat(t *testing.T) {
	tests := []struct {
		sum, n int64
		want   string
	}{{0, 0, "0.0"}, {4, 2, "2.0"}, {7, 3, "2.3333"}, {5, 2, "2.5"}}
	for _, tc := range tests {
		if got := JavaDouble(avgLatencyMs(tc.sum, tc.n)); got != tc.want {
			t.Errorf("avgLatency(%d, %d) = %q, want %q", tc.sum, tc.n, got, tc.want)
		}
	}
}
