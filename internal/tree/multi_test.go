package tree

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/synod-dev/synod/internal/wire"
)

func snapshotBytes(t *testing.T, tr *Tree) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tr.WriteSnapshot(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMultiSuccess(t *testing.T) {
	h := newHarness(t, Options{ExtendedTypes: true})
	h.mustCreate("/m", 0)
	open := wire.OpenACL()
	res := h.apply(wire.OpMulti, &wire.MultiRequest{Ops: []wire.MultiOp{
		{Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/m/a", Data: []byte("1"), ACL: open}},
		{Op: wire.OpCreate2, Req: &wire.CreateRequest{Path: "/m/a/b", ACL: open}},
		{Op: wire.OpCreateContainer, Req: &wire.CreateRequest{Path: "/m/c", ACL: open, Flags: 4}},
		{Op: wire.OpCreateTTL, Req: &wire.CreateTTLRequest{Path: "/m/t", ACL: open, Flags: 5, TTL: 10}},
		{Op: wire.OpSetData, Req: &wire.SetDataRequest{Path: "/m/a", Data: []byte("22"), Version: 0}},
		{Op: wire.OpCheck, Req: &wire.CheckVersionRequest{Path: "/m/a", Version: 1}},
		{Op: wire.OpDelete, Req: &wire.DeleteRequest{Path: "/m/a/b", Version: -1}},
	}})
	z := h.zxid
	if res.Err != wire.ZOK {
		t.Fatalf("multi err %v", res.Err)
	}
	got := res.Resp.(*wire.MultiResponse).Results
	ops := []wire.OpCode{wire.OpCreate, wire.OpCreate2, wire.OpCreate2, wire.OpCreate2, wire.OpSetData, wire.OpCheck, wire.OpDelete}
	if len(got) != len(ops) {
		t.Fatalf("%d results", len(got))
	}
	for i, r := range got {
		if r.Op != ops[i] || r.Err != wire.ZOK {
			t.Errorf("result %d: %+v, want op %v", i, r, ops[i])
		}
	}
	if got[0].Resp.(*wire.CreateResponse).Path != "/m/a" {
		t.Errorf("create result %+v", got[0].Resp)
	}
	if c2 := got[1].Resp.(*wire.Create2Response); c2.Path != "/m/a/b" || c2.Stat.Czxid != z {
		t.Errorf("create2 result %+v", c2)
	}
	if st := got[4].Resp.(*wire.StatResponse).Stat; st.Version != 1 || st.DataLength != 2 || st.Mzxid != z {
		t.Errorf("setData result %+v", st)
	}
	if got[5].Resp != nil || got[6].Resp != nil {
		t.Errorf("check/delete bodies %+v %+v", got[5].Resp, got[6].Resp)
	}
	if len(res.Events) != 2*4+1+2 {
		t.Errorf("events %v", res.Events)
	}
	for _, ev := range res.Events {
		if ev.Zxid != z {
			t.Errorf("event zxid %d, want %d", ev.Zxid, z)
		}
	}
	if st := h.stat("/m/a"); st.NumChildren != 0 || st.Cversion != 2 {
		t.Errorf("/m/a after multi %+v", st)
	}
	// An empty multi succeeds with no results.
	res = h.apply(wire.OpMulti, &wire.MultiRequest{})
	if res.Err != wire.ZOK || len(res.Resp.(*wire.MultiResponse).Results) != 0 {
		t.Fatalf("empty multi %+v", res)
	}
}

func TestMultiFailureRollsBack(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustCreate("/m", 0)
	h.mustCreate("/m/x", 0)
	h.mustCreate("/m/s", 2)
	before := snapshotBytes(t, h.tr)
	open := wire.OpenACL()
	res := h.apply(wire.OpMulti, &wire.MultiRequest{Ops: []wire.MultiOp{
		{Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/m/s", ACL: open, Flags: 2}},
		{Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/m/new", ACL: open}},
		{Op: wire.OpSetData, Req: &wire.SetDataRequest{Path: "/m/x", Data: []byte("changed"), Version: -1}},
		{Op: wire.OpDelete, Req: &wire.DeleteRequest{Path: "/m/x", Version: -1}},
		{Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/m/x", ACL: open}},
		{Op: wire.OpCheck, Req: &wire.CheckVersionRequest{Path: "/m/x", Version: 3}},
		{Op: wire.OpDelete, Req: &wire.DeleteRequest{Path: "/m/new", Version: -1}},
	}})
	if res.Err != wire.ZOK || res.Events != nil {
		t.Fatalf("failed multi: err %v events %v", res.Err, res.Events)
	}
	want := []wire.MultiResult{
		{Op: wire.OpError}, {Op: wire.OpError}, {Op: wire.OpError}, {Op: wire.OpError}, {Op: wire.OpError},
		{Op: wire.OpError, Err: wire.ZBadVersion},
		{Op: wire.OpError, Err: wire.ZRuntimeInconsistency},
	}
	if got := res.Resp.(*wire.MultiResponse).Results; !reflect.DeepEqual(got, want) {
		t.Fatalf("results %+v\nwant %+v", got, want)
	}
	// Apart from lastZxid, the tree is exactly as before.
	h.tr.lastZxid--
	if after := snapshotBytes(t, h.tr); !bytes.Equal(before, after) {
		t.Fatal("failed multi changed the tree")
	}
	h.tr.lastZxid++
	if h.tr.NodeCount() != 5+3 || h.tr.ApproximateDataSize() != New(Options{}).ApproximateDataSize()+int64(len("/m/m/x/m/s0000000000")+3) {
		t.Fatalf("counters after rollback: %d nodes, %d bytes", h.tr.NodeCount(), h.tr.ApproximateDataSize())
	}
	// The sequence counter was rolled back too.
	mustEq(t, h.mustCreate("/m/s", 2), "/m/s0000000002")
}

func TestMultiEphemeralRollback(t *testing.T) {
	h := newHarness(t, Options{})
	res := h.apply(wire.OpMulti, &wire.MultiRequest{Ops: []wire.MultiOp{
		{Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/e", ACL: wire.OpenACL(), Flags: 1}},
		{Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/e/child", ACL: wire.OpenACL()}},
	}})
	got := res.Resp.(*wire.MultiResponse).Results
	if got[0].Err != wire.ZOK || got[1].Err != wire.ZNoChildrenForEphemerals {
		t.Fatalf("results %+v", got)
	}
	if h.tr.EphemeralCount() != 0 {
		t.Fatal("rolled-back ephemeral still indexed")
	}
}

func TestMultiCheckRules(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustCreate("/c", 0)
	h.apply(wire.OpCreate, &wire.CreateRequest{Path: "/w", ACL: []wire.ACL{{Perms: wire.PermWrite, ID: wire.AnyoneID}}})
	cases := []struct {
		path    string
		version int32
		want    wire.Code
	}{
		{"/c/", -1, wire.ZBadArguments},
		{"/nope", -1, wire.ZNoNode},
		{"/w", 5, wire.ZNoAuth}, // READ is checked before the version
		{"/c", 1, wire.ZBadVersion},
		{"/c", 0, wire.ZOK},
		{"/c", -1, wire.ZOK},
	}
	for _, c := range cases {
		res := h.apply(wire.OpMulti, &wire.MultiRequest{Ops: []wire.MultiOp{
			{Op: wire.OpCheck, Req: &wire.CheckVersionRequest{Path: c.path, Version: c.version}},
		}})
		r := res.Resp.(*wire.MultiResponse).Results[0]
		want := wire.MultiResult{Op: wire.OpCheck}
		if c.want != wire.ZOK {
			want = wire.MultiResult{Op: wire.OpError, Err: c.want}
		}
		if r != want {
			t.Errorf("check %s v%d: %+v, want %+v", c.path, c.version, r, want)
		}
	}
}
