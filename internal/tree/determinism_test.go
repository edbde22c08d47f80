package tree

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	"github.com/synod-dev/synod/internal/wire"
)

// randomTxn makes a random but plausible Txn over a small namespace so that
// creates, deletes, sequential names, ephemerals, multis and failures all
// happen often.
func randomTxn(rng *rand.Rand, zxid int64) Txn {
	paths := []string{"/a", "/b", "/a/x", "/a/y", "/b/z", "/a/x/q", "/c"}
	path := func() string { return paths[rng.Intn(len(paths))] }
	sess := int64(1 + rng.Intn(3))
	acls := [][]wire.ACL{wire.OpenACL(), wire.OpenACL(), wire.ReadACL(), {{Perms: 31, ID: wire.AuthIDs}}}
	auths := [][]wire.Id{nil, {{Scheme: "digest", ID: DigestID("u:p")}}}
	create := func() wire.Record {
		return &wire.CreateRequest{Path: path(), Data: []byte(fmt.Sprint(zxid)), ACL: acls[rng.Intn(len(acls))], Flags: int32(rng.Intn(5))}
	}
	txn := Txn{Zxid: zxid, Time: zxid * 10, Session: sess, Auth: auths[rng.Intn(len(auths))]}
	switch rng.Intn(10) {
	case 0, 1, 2:
		txn.Op, txn.Req = wire.OpCreate, create()
	case 3:
		txn.Op, txn.Req = wire.OpDelete, &wire.DeleteRequest{Path: path(), Version: -1}
	case 4:
		txn.Op, txn.Req = wire.OpSetData, &wire.SetDataRequest{Path: path(), Data: []byte("s"), Version: int32(rng.Intn(3)) - 1}
	case 5:
		txn.Op, txn.Req = wire.OpSetACL, &wire.SetACLRequest{Path: path(), ACL: acls[rng.Intn(len(acls))], Version: -1}
	case 6:
		var ops []wire.MultiOp
		for i := rng.Intn(4); i >= 0; i-- {
			switch rng.Intn(4) {
			case 0, 1:
				ops = append(ops, wire.MultiOp{Op: wire.OpCreate, Req: create()})
			case 2:
				ops = append(ops, wire.MultiOp{Op: wire.OpDelete, Req: &wire.DeleteRequest{Path: path(), Version: -1}})
			case 3:
				ops = append(ops, wire.MultiOp{Op: wire.OpSetData, Req: &wire.SetDataRequest{Path: path(), Data: []byte("m"), Version: -1}})
			}
		}
		txn.Op, txn.Req = wire.OpMulti, &wire.MultiRequest{Ops: ops}
	case 7:
		txn.Op, txn.Req = wire.OpCreateSession, &CreateSession{TimeoutMs: 5000}
	case 8:
		txn.Op = wire.OpCloseSession
	case 9:
		txn.Op, txn.Req = wire.OpDeleteContainer, &wire.DeleteContainerRequest{Path: []byte(path())}
	}
	return txn
}

// TestDeterminism applies the same random Txns (each through the log
// encoding) to two trees, one of them reloaded from a snapshot half way,
// and checks that their snapshots stay byte-equal and that every failed
// multi left the tree unchanged.
func TestDeterminism(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		rng := rand.New(rand.NewSource(seed))
		a, b := New(Options{}), New(Options{})
		var ok, failedMulti, okMulti int
		for z := int64(1); z <= 2000; z++ {
			txn := randomTxn(rng, z)
			decoded, err := DecodeTxn(EncodeTxn(txn))
			if err != nil {
				t.Fatalf("seed %d zxid %d: %v", seed, z, err)
			}
			var before []byte
			if txn.Op == wire.OpMulti {
				before = snapshotBytes(t, a)
			}
			ra := a.Apply(txn)
			rb := b.Apply(decoded)
			if ra.Err != rb.Err || len(ra.Events) != len(rb.Events) {
				t.Fatalf("seed %d zxid %d: results differ: %+v vs %+v", seed, z, ra, rb)
			}
			if txn.Op == wire.OpMulti {
				if res := ra.Resp.(*wire.MultiResponse).Results; len(res) > 0 && res[0].Op == wire.OpError {
					failedMulti++
					a.lastZxid--
					after := snapshotBytes(t, a)
					a.lastZxid++
					if !bytes.Equal(before, after) {
						t.Fatalf("seed %d zxid %d: failed multi changed the tree", seed, z)
					}
				}
			}
			if txn.Op == wire.OpMulti && ra.Events != nil {
				okMulti++
			}
			if ra.Err == wire.ZOK {
				ok++
			}
			if z == 1000 {
				var err error
				b, err = ReadSnapshot(bytes.NewReader(snapshotBytes(t, b)), Options{})
				if err != nil {
					t.Fatalf("seed %d: reload: %v", seed, err)
				}
			}
		}
		t.Logf("seed %d: %d ok, %d multis applied, %d rolled back, %d nodes, %d ephemerals",
			seed, ok, okMulti, failedMulti, a.NodeCount(), a.EphemeralCount())
		if !bytes.Equal(snapshotBytes(t, a), snapshotBytes(t, b)) {
			t.Fatalf("seed %d: trees diverged", seed)
		}
		// Internal counters agree with a recount.
		count, size := 0, int64(1)
		var walk func(n *node)
		walk = func(n *node) {
			count++
			if n != a.root {
				size += int64(len(n.path) + n.size())
			}
			for _, c := range n.children.nodes() {
				walk(c)
			}
		}
		walk(a.root)
		if count != a.count || size != a.dataSize {
			t.Fatalf("seed %d: count %d/%d size %d/%d", seed, a.count, count, a.dataSize, size)
		}
	}
}
