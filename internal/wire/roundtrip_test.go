package wire

import (
	"reflect"
	"strings"
	"testing"
)

var sampleStat = Stat{Czxid: 1, Mzxid: 2, Ctime: 1700000000000, Mtime: 1700000000500, Version: 3,
	Cversion: -1, Aversion: 7, EphemeralOwner: ContainerOwner, DataLength: 5, NumChildren: 9, Pzxid: 1 << 40}

var sampleACL = []ACL{{Perms: PermAll, ID: AnyoneID}, {Perms: PermRead, ID: Id{Scheme: "digest", ID: "u:h4sh="}}}

// requestSamples has a filled-in request body for every client opcode.
func requestSamples() map[OpCode]Record {
	return map[OpCode]Record{
		OpCreate:               &CreateRequest{Path: "/a/é", Data: []byte("x"), ACL: sampleACL, Flags: FlagEphemeralSequential},
		OpCreate2:              &CreateRequest{Path: "/b", Data: nil, ACL: []ACL{}, Flags: 0},
		OpCreateContainer:      &CreateRequest{Path: "/c", Data: []byte{}, ACL: sampleACL, Flags: FlagContainer},
		OpCreateTTL:            &CreateTTLRequest{Path: "/t", Data: []byte("ttl"), ACL: sampleACL, Flags: FlagPersistentWithTTL, TTL: MaxTTL},
		OpDelete:               &DeleteRequest{Path: "/a", Version: -1},
		OpExists:               &PathWatchRequest{Path: "/x", Watch: true},
		OpGetData:              &PathWatchRequest{Path: "/x", Watch: false},
		OpSetData:              &SetDataRequest{Path: "/x", Data: []byte(strings.Repeat("z", 1000)), Version: 4},
		OpGetACL:               &PathRequest{Path: "/x"},
		OpSetACL:               &SetACLRequest{Path: "/x", ACL: sampleACL, Version: 2},
		OpGetChildren:          &PathWatchRequest{Path: "/", Watch: true},
		OpSync:                 &PathRequest{Path: "/"},
		OpPing:                 &Empty{},
		OpGetChildren2:         &PathWatchRequest{Path: "/q", Watch: true},
		OpCheck:                &CheckVersionRequest{Path: "/x", Version: 1},
		OpMulti:                &MultiRequest{Ops: []MultiOp{{OpCreate, &CreateRequest{Path: "/m", ACL: sampleACL}}, {OpCheck, &CheckVersionRequest{Path: "/m", Version: 0}}, {OpSetData, &SetDataRequest{Path: "/m", Data: []byte("d"), Version: -1}}, {OpDelete, &DeleteRequest{Path: "/m", Version: 1}}}},
		OpReconfig:             &ReconfigRequest{JoiningServers: "server.4=h:1:2;3", LeavingServers: "", NewMembers: "", CurConfigID: -1},
		OpCheckWatches:         &WatchesRequest{Path: "/w", Type: WatcherData},
		OpRemoveWatches:        &WatchesRequest{Path: "/w", Type: WatcherAny},
		OpDeleteContainer:      &DeleteContainerRequest{Path: []byte("/c")},
		OpMultiRead:            &MultiRequest{Ops: []MultiOp{{OpGetData, &PathWatchRequest{Path: "/a"}}, {OpGetChildren, &PathWatchRequest{Path: "/"}}}},
		OpAuth:                 &AuthPacket{Type: 0, Scheme: "digest", Auth: []byte("u:p")},
		OpSetWatches:           &SetWatches{RelativeZxid: 42, DataWatches: []string{"/a"}, ExistWatches: []string{}, ChildWatches: []string{"/", "/b"}},
		OpSASL:                 &BufferRecord{Token: []byte{1, 2, 3}},
		OpGetEphemerals:        &PathRequest{Path: "/"},
		OpGetAllChildrenNumber: &PathRequest{Path: "/a"},
		OpSetWatches2:          &SetWatches2{RelativeZxid: 1, DataWatches: []string{"/a"}, ExistWatches: []string{"/b"}, ChildWatches: []string{}, PersistentWatches: []string{"/p"}, PersistentRecursiveWatches: []string{"/r"}},
		OpAddWatch:             &AddWatchRequest{Path: "/p", Mode: AddWatchPersistentRecursive},
		OpWhoAmI:               &Empty{},
		OpCloseSession:         &Empty{},
	}
}

// responseSamples has a filled-in reply body for every client opcode.
func responseSamples() map[OpCode]Record {
	return map[OpCode]Record{
		OpCreate:               &CreateResponse{Path: "/a/é0000000001"},
		OpCreate2:              &Create2Response{Path: "/b", Stat: sampleStat},
		OpCreateContainer:      &Create2Response{Path: "/c", Stat: sampleStat},
		OpCreateTTL:            &Create2Response{Path: "/t", Stat: sampleStat},
		OpDelete:               &Empty{},
		OpExists:               &StatResponse{Stat: sampleStat},
		OpGetData:              &GetDataResponse{Data: []byte("v"), Stat: sampleStat},
		OpSetData:              &StatResponse{Stat: sampleStat},
		OpGetACL:               &GetACLResponse{ACL: sampleACL, Stat: sampleStat},
		OpSetACL:               &StatResponse{Stat: sampleStat},
		OpGetChildren:          &GetChildrenResponse{Children: []string{"a", "b"}},
		OpSync:                 &PathRequest{Path: "/"},
		OpPing:                 &Empty{},
		OpGetChildren2:         &GetChildren2Response{Children: []string{}, Stat: sampleStat},
		OpMulti:                &MultiResponse{Results: []MultiResult{{Op: OpCreate, Resp: &CreateResponse{Path: "/m"}}, {Op: OpCreate2, Resp: &Create2Response{Path: "/n", Stat: sampleStat}}, {Op: OpCheck}, {Op: OpSetData, Resp: &StatResponse{Stat: sampleStat}}, {Op: OpDelete}}},
		OpReconfig:             &GetDataResponse{Data: []byte("server.1=h:1:2;3\nversion=0"), Stat: sampleStat},
		OpCheckWatches:         &Empty{},
		OpRemoveWatches:        &Empty{},
		OpDeleteContainer:      &Empty{},
		OpMultiRead:            &MultiResponse{Results: []MultiResult{{Op: OpGetData, Resp: &GetDataResponse{Data: []byte("d"), Stat: sampleStat}}, {Op: OpError, Err: ZNoNode}, {Op: OpGetChildren, Resp: &GetChildrenResponse{Children: []string{"x"}}}}},
		OpAuth:                 &Empty{},
		OpSetWatches:           &Empty{},
		OpSASL:                 &BufferRecord{Token: nil},
		OpGetEphemerals:        &GetEphemeralsResponse{Ephemerals: []string{"/e1", "/a/e2"}},
		OpGetAllChildrenNumber: &GetAllChildrenNumberResponse{TotalNumber: 12},
		OpSetWatches2:          &Empty{},
		OpAddWatch:             &ErrorResponse{Err: ZOK},
		OpWhoAmI:               &WhoAmIResponse{ClientInfo: []ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}, {AuthScheme: "digest", User: "u"}}},
		OpCloseSession:         &Empty{},
	}
}

// referenceRequestOps are the client requests of ZK_PROTOCOL.md §1.5.
var referenceRequestOps = []OpCode{
	OpCreate, OpDelete, OpExists, OpGetData, OpSetData, OpGetACL, OpSetACL,
	OpGetChildren, OpSync, OpPing, OpGetChildren2, OpCheck, OpMulti, OpCreate2,
	OpReconfig, OpCheckWatches, OpRemoveWatches, OpCreateContainer,
	OpDeleteContainer, OpCreateTTL, OpMultiRead, OpAuth, OpSetWatches, OpSASL,
	OpGetEphemerals, OpGetAllChildrenNumber, OpSetWatches2, OpAddWatch, OpWhoAmI,
	OpCloseSession,
}

func TestEveryReferenceOpHasRecords(t *testing.T) {
	reqs, resps := requestSamples(), responseSamples()
	for _, op := range referenceRequestOps {
		if _, ok := RequestRecord(op); !ok {
			t.Errorf("%v: no request record in RequestRecord", op)
		}
		if op != OpCheck { // check is only valid inside a multi
			if _, ok := ResponseRecord(op); !ok {
				t.Errorf("%v: no response record in ResponseRecord", op)
			}
			if _, ok := resps[op]; !ok {
				t.Errorf("%v: no response sample in this test", op)
			}
		}
		if _, ok := reqs[op]; !ok {
			t.Errorf("%v: no request sample in this test", op)
		}
		if strings.HasPrefix(op.String(), "op(") {
			t.Errorf("%d: no name", op)
		}
	}
	for _, op := range []OpCode{10, 23, 99, 108, -3, OpNotification} {
		if _, ok := RequestRecord(op); ok {
			t.Errorf("%v: RequestRecord accepts a non-request opcode", op)
		}
	}
}

func roundTrip(t *testing.T, name string, in Record, fresh Record) {
	t.Helper()
	b := Marshal(in)
	d := NewDecoder(b)
	fresh.Decode(d)
	if err := d.Err(); err != nil {
		t.Fatalf("%s: decode: %v", name, err)
	}
	if d.Remaining() != 0 {
		t.Fatalf("%s: %d bytes left after decode", name, d.Remaining())
	}
	if !reflect.DeepEqual(in, fresh) {
		t.Fatalf("%s: round trip changed the record:\n in: %#v\nout: %#v", name, in, fresh)
	}
	if again := Marshal(fresh); string(again) != string(b) {
		t.Fatalf("%s: re-encoding differs", name)
	}
}

func TestRequestRoundTrip(t *testing.T) {
	for op, in := range requestSamples() {
		fresh, ok := RequestRecord(op)
		if !ok {
			t.Fatalf("%v: no record", op)
		}
		roundTrip(t, "request "+op.String(), in, fresh)
	}
}

func TestResponseRoundTrip(t *testing.T) {
	for op, in := range responseSamples() {
		fresh, ok := ResponseRecord(op)
		if !ok {
			t.Fatalf("%v: no record", op)
		}
		roundTrip(t, "response "+op.String(), in, fresh)
	}
}

func TestHandshakeRoundTrip(t *testing.T) {
	roundTrip(t, "connect", &ConnectRequest{LastZxidSeen: 5, TimeOut: 30000, SessionID: 77, Passwd: make([]byte, 16), ReadOnly: true, HasReadOnly: true}, &ConnectRequest{})
	roundTrip(t, "connect old", &ConnectRequest{TimeOut: 30000, Passwd: make([]byte, 16)}, &ConnectRequest{})
	roundTrip(t, "connect resp", &ConnectResponse{TimeOut: 4000, SessionID: -5, Passwd: []byte("0123456789abcdef"), HasReadOnly: true}, &ConnectResponse{})
	roundTrip(t, "headers", &ReplyHeader{Xid: -1, Zxid: -1, Err: ZNoNode}, &ReplyHeader{})
	roundTrip(t, "event", &WatcherEvent{Type: EventNodeDataChanged, State: StateSyncConnected, Path: "/x"}, &WatcherEvent{})
}
