package tree

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/synod-dev/synod/internal/wire"
)

// sampleTxns has one Txn of every kind the tree applies.
func sampleTxns() []Txn {
	open := wire.OpenACL()
	auth := []wire.Id{{Scheme: "ip", ID: "127.0.0.1"}, {Scheme: "digest", ID: DigestID("u:p")}}
	return []Txn{
		{Zxid: 1, Time: 100, Session: 7, Op: wire.OpCreateSession, Req: &CreateSession{TimeoutMs: 4000}},
		{Zxid: 2, Time: 101, Session: 7, Auth: auth, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/a", Data: []byte("x"), ACL: open, Flags: 1}},
		{Zxid: 3, Session: 7, Op: wire.OpCreate2, Req: &wire.CreateRequest{Path: "/b", ACL: open}},
		{Zxid: 4, Session: 7, Op: wire.OpCreateContainer, Req: &wire.CreateRequest{Path: "/c", ACL: open, Flags: 4}},
		{Zxid: 5, Session: 7, Op: wire.OpCreateTTL, Req: &wire.CreateTTLRequest{Path: "/t", ACL: open, Flags: 5, TTL: 99}},
		{Zxid: 6, Session: 7, Op: wire.OpSetData, Req: &wire.SetDataRequest{Path: "/b", Data: []byte("yy"), Version: 0}},
		{Zxid: 7, Session: 7, Op: wire.OpSetACL, Req: &wire.SetACLRequest{Path: "/b", ACL: wire.ReadACL(), Version: -1}},
		{Zxid: 8, Session: 7, Op: wire.OpDelete, Req: &wire.DeleteRequest{Path: "/a", Version: -1}},
		{Zxid: 9, Session: 7, Op: wire.OpMulti, Req: &wire.MultiRequest{Ops: []wire.MultiOp{
			{Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/m", ACL: open}},
			{Op: wire.OpCheck, Req: &wire.CheckVersionRequest{Path: "/m", Version: 0}},
			{Op: wire.OpSetData, Req: &wire.SetDataRequest{Path: "/m", Data: []byte("z"), Version: 0}},
			{Op: wire.OpDelete, Req: &wire.DeleteRequest{Path: "/m", Version: -1}},
		}}},
		{Zxid: 10, Session: 7, Op: wire.OpDeleteContainer, Req: &wire.DeleteContainerRequest{Path: []byte("/c")}},
		{Zxid: 11, Time: 200, Session: 7, Op: wire.OpCloseSession},
	}
}

func TestTxnRoundTrip(t *testing.T) {
	for _, txn := range sampleTxns() {
		b := EncodeTxn(txn)
		got, err := DecodeTxn(b)
		if err != nil {
			t.Fatalf("%v: %v", txn.Op, err)
		}
		if !reflect.DeepEqual(got, txn) {
			t.Fatalf("%v: round trip\n got %#v\nwant %#v", txn.Op, got, txn)
		}
		if !bytes.Equal(EncodeTxn(got), b) {
			t.Fatalf("%v: re-encoding differs", txn.Op)
		}
	}
}

func TestDecodeTxnRejects(t *testing.T) {
	good := EncodeTxn(sampleTxns()[1])
	cases := map[string][]byte{
		"empty":       nil,
		"version":     append([]byte{9}, good[1:]...),
		"truncated":   good[:len(good)-1],
		"trailing":    append(append([]byte{}, good...), 0),
		"header only": good[:10],
		"unknown op":  EncodeTxn(Txn{Op: wire.OpGetData, Req: &wire.PathWatchRequest{Path: "/x"}}),
		"close with body": func() []byte {
			b := EncodeTxn(Txn{Op: wire.OpCloseSession})
			b[len(b)-1] = 1
			return b
		}(),
		"create without body": EncodeTxn(Txn{Op: wire.OpCreate}),
	}
	for name, b := range cases {
		if _, err := DecodeTxn(b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err %v, want ErrCorrupt", name, err)
		}
	}
	// Every prefix of every sample fails cleanly.
	for _, txn := range sampleTxns() {
		b := EncodeTxn(txn)
		for i := 0; i < len(b); i++ {
			if _, err := DecodeTxn(b[:i]); err == nil {
				t.Fatalf("%v: prefix %d decoded", txn.Op, i)
			}
		}
	}
}

// buildSampleTree applies the samples plus some more to a tree.
func buildSampleTree(t testing.TB) *Tree {
	tr := New(Options{ExtendedTypes: true})
	for _, txn := range sampleTxns()[:10] {
		tr.Apply(txn)
	}
	inNet := []wire.Id{{Scheme: "ip", ID: "10.1.2.3"}}
	tr.Apply(Txn{Zxid: 20, Session: 8, Op: wire.OpCreateSession, Req: &CreateSession{TimeoutMs: 9000}})
	tr.Apply(Txn{Zxid: 21, Session: 8, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/eph", ACL: wire.OpenACL(), Flags: 3}})
	tr.Apply(Txn{Zxid: 22, Session: 8, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/s", ACL: []wire.ACL{{Perms: 31, ID: wire.Id{Scheme: "ip", ID: "10.0.0.0/8"}}}}})
	tr.Apply(Txn{Zxid: 23, Session: 8, Auth: inNet, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/s/q", Data: []byte{}, ACL: wire.OpenACL(), Flags: 2}})
	tr.Apply(Txn{Zxid: 24, Session: 8, Op: wire.OpCreateContainer, Req: &wire.CreateRequest{Path: "/cc", ACL: wire.OpenACL(), Flags: 4}})
	return tr
}

func TestSnapshotRoundTrip(t *testing.T) {
	tr := buildSampleTree(t)
	b := snapshotBytes(t, tr)
	got, err := ReadSnapshot(bytes.NewReader(b), Options{ExtendedTypes: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snapshotBytes(t, got), b) {
		t.Fatal("snapshot of the reloaded tree differs")
	}
	if !reflect.DeepEqual(got.Sessions(), tr.Sessions()) || got.LastZxid() != tr.LastZxid() ||
		got.NodeCount() != tr.NodeCount() || got.ApproximateDataSize() != tr.ApproximateDataSize() ||
		!reflect.DeepEqual(got.EphemeralsBySession(), tr.EphemeralsBySession()) ||
		!reflect.DeepEqual(got.CleanupCandidates(1<<50), tr.CleanupCandidates(1<<50)) {
		t.Fatalf("reloaded tree's state differs: %v %v | %d %d | %d %d | %d %d | %v %v | %v %v", got.Sessions(), tr.Sessions(), got.LastZxid(), tr.LastZxid(),
			got.NodeCount(), tr.NodeCount(), got.ApproximateDataSize(), tr.ApproximateDataSize(),
			got.EphemeralsBySession(), tr.EphemeralsBySession(), got.CleanupCandidates(1<<50), tr.CleanupCandidates(1<<50))
	}
	for _, p := range []string{"/", "/b", "/t", "/eph0000000005", "/s", "/s/q0000000000", "/zookeeper/config"} {
		d1, s1, c1 := tr.GetData(p, []wire.Id{{Scheme: "super"}})
		d2, s2, c2 := got.GetData(p, []wire.Id{{Scheme: "super"}})
		a1, _ := tr.ACL(p)
		a2, _ := got.ACL(p)
		if c1 != wire.ZOK || c1 != c2 || s1 != s2 || !bytes.Equal(d1, d2) || !reflect.DeepEqual(a1, a2) {
			t.Errorf("%s differs: %v %+v vs %v %+v", p, c1, s1, c2, s2)
		}
	}
	// The sequence counters survive: the next sequential child continues.
	res := got.Apply(Txn{Zxid: 30, Auth: []wire.Id{{Scheme: "ip", ID: "10.1.2.3"}}, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/s/q", ACL: wire.OpenACL(), Flags: 2}})
	if res.Err != wire.ZOK || res.Resp.(*wire.CreateResponse).Path != "/s/q0000000001" {
		t.Fatalf("sequence after reload: %+v", res)
	}
	// Applying the same Txn to both gives equal trees.
	tr.Apply(Txn{Zxid: 30, Auth: []wire.Id{{Scheme: "ip", ID: "10.1.2.3"}}, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/s/q", ACL: wire.OpenACL(), Flags: 2}})
	if !bytes.Equal(snapshotBytes(t, got), snapshotBytes(t, tr)) {
		t.Fatal("trees diverge after the same Txn")
	}
}

func TestSnapshotCorruption(t *testing.T) {
	b := snapshotBytes(t, buildSampleTree(t))
	for i := 0; i < len(b); i++ {
		bad := append([]byte{}, b...)
		bad[i] ^= 0x40
		if _, err := ReadSnapshot(bytes.NewReader(bad), Options{}); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flipped byte %d: err %v", i, err)
		}
	}
	for i := 0; i < len(b); i++ {
		if _, err := ReadSnapshot(bytes.NewReader(b[:i]), Options{}); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d: err %v", i, err)
		}
	}
	if _, err := ReadSnapshot(bytes.NewReader(append(append([]byte{}, b...), 0)), Options{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("trailing byte: err %v", err)
	}
}

func FuzzDecodeTxn(f *testing.F) {
	for _, txn := range sampleTxns() {
		f.Add(EncodeTxn(txn))
	}
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		txn, err := DecodeTxn(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		// Whatever decodes re-encodes to a form that decodes and is
		// stable (jute has non-canonical booleans, so the input bytes
		// themselves need not come back), and applying it never panics.
		b2 := EncodeTxn(txn)
		txn2, err := DecodeTxn(b2)
		if err != nil {
			t.Fatalf("re-encoded txn does not decode: %v", err)
		}
		if !bytes.Equal(EncodeTxn(txn2), b2) {
			t.Fatalf("re-encoding is not stable")
		}
		tr := New(Options{ExtendedTypes: true})
		tr.Apply(txn)
	})
}

func FuzzReadSnapshot(f *testing.F) {
	var b bytes.Buffer
	if err := buildSampleTree(f).WriteSnapshot(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	b.Reset()
	if err := New(Options{}).WriteSnapshot(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte("SYNODTRE\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ReadSnapshot(bytes.NewReader(data), Options{})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		var out bytes.Buffer
		if err := tr.WriteSnapshot(&out); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatal("a snapshot that reads does not rewrite to the same bytes")
		}
	})
}
