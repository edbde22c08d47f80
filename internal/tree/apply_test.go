package tree

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/synod-dev/synod/internal/wire"
)

func TestInitialTree(t *testing.T) {
	tr := New(Options{})
	kids, st, code := tr.Children("/", nil)
	if code != wire.ZOK || !reflect.DeepEqual(kids, []string{"zookeeper"}) || st != (wire.Stat{NumChildren: 1}) {
		t.Fatalf("root: %v %+v %v", kids, st, code)
	}
	kids, _, _ = tr.Children("/zookeeper", nil)
	if !reflect.DeepEqual(kids, []string{"config", "quota"}) {
		t.Fatalf("/zookeeper children %v", kids)
	}
	acl, _ := tr.ACL("/zookeeper/config")
	if !reflect.DeepEqual(acl, wire.ReadACL()) {
		t.Fatalf("config acl %v", acl)
	}
	acl, _ = tr.ACL("/zookeeper/quota")
	if !reflect.DeepEqual(acl, wire.OpenACL()) {
		t.Fatalf("quota acl %v", acl)
	}
	if tr.NodeCount() != 5 {
		t.Fatalf("node count %d, ZooKeeper reports 5", tr.NodeCount())
	}
	if n, _ := tr.AllChildrenNumber("/", nil); n != 3 {
		t.Fatalf("all children of / = %d", n)
	}
}

// TestSequenceAndCversion replays the sequence measured on ZooKeeper 3.8.0
// (ZK_PROTOCOL.md §1.6).
func TestSequenceAndCversion(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustCreate("/s", 0)
	steps := []struct {
		do       func()
		cversion int32
	}{
		{func() { mustEq(t, h.mustCreate("/s/n-", 2), "/s/n-0000000000") }, 1},
		{func() { mustEq(t, h.mustCreate("/s/n-", 2), "/s/n-0000000001") }, 2},
		{func() { mustCode(t, h.del("/s/n-0000000001"), wire.ZOK) }, 3},
		{func() { mustEq(t, h.mustCreate("/s/n-", 2), "/s/n-0000000002") }, 4},
		{func() { h.mustCreate("/s/plain", 0); mustCode(t, h.del("/s/plain"), wire.ZOK) }, 6},
		{func() { mustEq(t, h.mustCreate("/s/n-", 2), "/s/n-0000000004") }, 7},
	}
	for i, s := range steps {
		s.do()
		if got := h.stat("/s").Cversion; got != s.cversion {
			t.Fatalf("step %d: cversion %d, want %d", i, got, s.cversion)
		}
	}
}

func TestSequenceSuffixNegative(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustCreate("/s", 0)
	h.tr.lookup("/s").seq = 2147483647
	mustEq(t, h.mustCreate("/s/n", 2), "/s/n2147483647")
	mustEq(t, h.mustCreate("/s/n", 2), "/s/n-2147483648")
	// A sequential create may end in '/': the name is the suffix alone.
	mustEq(t, h.mustCreate("/s/", 2), "/s/-2147483647")
}

func mustEq(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func mustCode(t *testing.T, got, want wire.Code) {
	t.Helper()
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestStatFields(t *testing.T) {
	h := newHarness(t, Options{})
	res := h.apply(wire.OpCreate2, &wire.CreateRequest{Path: "/a", Data: []byte("hello"), ACL: wire.OpenACL()})
	z := h.zxid
	want := wire.Stat{Czxid: z, Mzxid: z, Pzxid: z, Ctime: 1000 * z, Mtime: 1000 * z, DataLength: 5}
	if got := res.Resp.(*wire.Create2Response); got.Path != "/a" || got.Stat != want {
		t.Fatalf("create2: %+v, want %+v", got, want)
	}
	rootBefore := h.stat("/")
	if rootBefore.Pzxid != z || rootBefore.Cversion != 1 || rootBefore.NumChildren != 2 {
		t.Fatalf("root after create: %+v", rootBefore)
	}
	res = h.apply(wire.OpSetData, &wire.SetDataRequest{Path: "/a", Data: []byte("xy"), Version: 0})
	z2 := h.zxid
	want.Mzxid, want.Mtime, want.Version, want.DataLength = z2, 1000*z2, 1, 2
	if got := res.Resp.(*wire.StatResponse).Stat; got != want {
		t.Fatalf("setData: %+v, want %+v", got, want)
	}
	res = h.apply(wire.OpSetACL, &wire.SetACLRequest{Path: "/a", ACL: wire.OpenACL(), Version: 0})
	want.Aversion = 1
	if got := res.Resp.(*wire.StatResponse).Stat; got != want {
		t.Fatalf("setACL: %+v, want %+v", got, want)
	}
	data, st, code := h.tr.GetData("/a", nil)
	if code != wire.ZOK || string(data) != "xy" || st != want {
		t.Fatalf("getData: %q %+v %v", data, st, code)
	}
	h.mustCreate("/a/b", 0)
	st = h.stat("/a")
	if st.Pzxid != h.zxid || st.Mzxid != z2 || st.NumChildren != 1 || st.Cversion != 1 {
		t.Fatalf("parent after child create: %+v", st)
	}
	if h.tr.LastZxid() != h.zxid {
		t.Fatalf("lastZxid %d, want %d", h.tr.LastZxid(), h.zxid)
	}
	// A failed Txn still advances lastZxid.
	mustCode(t, h.del("/missing"), wire.ZNoNode)
	if h.tr.LastZxid() != h.zxid {
		t.Fatalf("lastZxid %d after failed txn, want %d", h.tr.LastZxid(), h.zxid)
	}
}

func TestVersionSkipsMinusOne(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustCreate("/v", 0)
	h.tr.lookup("/v").version = -2
	res := h.apply(wire.OpSetData, &wire.SetDataRequest{Path: "/v", Version: -2})
	mustCode(t, res.Err, wire.ZOK)
	if v := res.Resp.(*wire.StatResponse).Stat.Version; v != 0 {
		t.Fatalf("version after -2 is %d, want 0", v)
	}
}

func TestCreateErrorPrecedence(t *testing.T) {
	digest := wire.Id{Scheme: "digest", ID: DigestID("u:p")}
	cases := []struct {
		name  string
		opts  Options
		op    wire.OpCode
		path  string
		acl   []wire.ACL
		flags int32
		ttl   int64
		sess  int64
		auth  []wire.Id
		want  wire.Code
	}{
		{name: "bad flags beat everything", path: "no-slash", flags: 7, want: wire.ZBadArguments},
		{name: "negative flags", path: "/x", flags: -1, want: wire.ZBadArguments},
		{name: "ttl disabled", op: wire.OpCreateTTL, path: "no-slash", flags: 5, ttl: 5, want: wire.ZUnimplemented},
		{name: "ttl mode via create disabled", path: "/x", flags: 6, want: wire.ZUnimplemented},
		{name: "ttl zero", opts: Options{ExtendedTypes: true}, op: wire.OpCreateTTL, path: "no-slash", flags: 5, ttl: 0, want: wire.ZBadArguments},
		{name: "ttl too big", opts: Options{ExtendedTypes: true}, op: wire.OpCreateTTL, path: "/x", flags: 5, ttl: wire.MaxTTL + 1, want: wire.ZBadArguments},
		{name: "ttl max ok", opts: Options{ExtendedTypes: true}, op: wire.OpCreateTTL, path: "/x", flags: 5, ttl: wire.MaxTTL, want: wire.ZOK},
		{name: "ttl with non-ttl mode", opts: Options{ExtendedTypes: true}, op: wire.OpCreateTTL, path: "/x", flags: 0, ttl: 10, want: wire.ZBadArguments},
		{name: "ttl mode via plain create", opts: Options{ExtendedTypes: true}, path: "/x", flags: 5, want: wire.ZBadArguments},
		{name: "ephemeral on unknown session", path: "no-slash", flags: 1, sess: 0x999, want: wire.ZSessionExpired},
		{name: "no slash", path: "x", acl: []wire.ACL{}, want: wire.ZBadArguments},
		{name: "nul", path: "/a\x00b", acl: []wire.ACL{}, want: wire.ZBadArguments},
		{name: "empty acl", path: "/missing/x", acl: []wire.ACL{}, want: wire.ZInvalidACL},
		{name: "auth acl without identity", path: "/missing/x", acl: []wire.ACL{{Perms: 31, ID: wire.AuthIDs}}, auth: []wire.Id{{Scheme: "ip", ID: "127.0.0.1"}}, want: wire.ZInvalidACL},
		{name: "missing parent", path: "/missing/x", want: wire.ZNoNode},
		{name: "no create perm", path: "/ro/x", auth: []wire.Id{digest}, want: wire.ZNoAuth},
		{name: "bad path after parent", path: "/p/.", want: wire.ZBadArguments},
		{name: "bad char", path: "/p/a\x01", want: wire.ZBadArguments},
		{name: "emoji", path: "/p/\U0001F600", want: wire.ZBadArguments},
		{name: "exists", path: "/p/c", want: wire.ZNodeExists},
		{name: "ephemeral parent", path: "/e/x", want: wire.ZNoChildrenForEphemerals},
		{name: "exists beats ephemeral parent", path: "/e", want: wire.ZNodeExists},
		{name: "container via createContainer", op: wire.OpCreateContainer, path: "/x", flags: 4, want: wire.ZOK},
		{name: "createContainer with persistent flags is a container", op: wire.OpCreateContainer, path: "/x", flags: 0, want: wire.ZOK},
		{name: "createTTL with non-TTL mode and no TTL", opts: Options{ExtendedTypes: true}, op: wire.OpCreateTTL, path: "/x", flags: 0, ttl: -1, want: wire.ZBadArguments},
		{name: "ok", path: "/p/new", want: wire.ZOK},
		{name: "parent of top level is root", path: "/top", want: wire.ZOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.opts)
			h.mustCreate("/p", 0)
			h.mustCreate("/p/c", 0)
			h.mustCreate("/e", 1)
			mustCode(t, h.apply(wire.OpCreate, &wire.CreateRequest{Path: "/ro", ACL: wire.ReadACL()}).Err, wire.ZOK)
			if c.sess != 0 {
				h.sess = c.sess
			}
			h.auth = c.auth
			acl := c.acl
			if acl == nil {
				acl = wire.OpenACL()
			}
			op := c.op
			if op == 0 {
				op = wire.OpCreate
			}
			var req wire.Record = &wire.CreateRequest{Path: c.path, ACL: acl, Flags: c.flags}
			if op == wire.OpCreateTTL {
				req = &wire.CreateTTLRequest{Path: c.path, ACL: acl, Flags: c.flags, TTL: c.ttl}
			}
			mustCode(t, h.apply(op, req).Err, c.want)
		})
	}
}

func TestEphemeralOwnerEncodings(t *testing.T) {
	h := newHarness(t, Options{ExtendedTypes: true})
	h.mustCreate("/eph", 1)
	h.apply(wire.OpCreateContainer, &wire.CreateRequest{Path: "/cont", ACL: wire.OpenACL(), Flags: 4})
	h.apply(wire.OpCreateContainer, &wire.CreateRequest{Path: "/cont0", ACL: wire.OpenACL(), Flags: 0})
	res := h.apply(wire.OpCreateTTL, &wire.CreateTTLRequest{Path: "/ttl", ACL: wire.OpenACL(), Flags: 6, TTL: 1234})
	ttlPath := res.Resp.(*wire.Create2Response).Path
	mustEq(t, ttlPath, "/ttl0000000003")
	// Stored owners carry the node's type; clients see only a session
	// ephemeral's owner, 0 for containers and TTL nodes (DataNode.copyStat).
	for path, want := range map[string][2]int64{
		"/eph":   {h.sess, h.sess},
		"/cont":  {wire.ContainerOwner, 0},
		"/cont0": {wire.ContainerOwner, 0},
		ttlPath:  {int64(-0x100000000000000) | 1234, 0},
	} {
		if got := h.tr.lookup(path).owner; got != want[0] {
			t.Errorf("%s stored owner %#x, want %#x", path, got, want[0])
		}
		if got := h.stat(path).EphemeralOwner; got != want[1] {
			t.Errorf("%s client-visible owner %#x, want %#x", path, got, want[1])
		}
	}
}

func TestDeleteRules(t *testing.T) {
	cases := []struct {
		name    string
		path    string
		version int32
		auth    []wire.Id
		want    wire.Code
	}{
		{"root", "/", -1, nil, wire.ZBadArguments},
		{"zookeeper", "/zookeeper", -1, nil, wire.ZBadArguments},
		{"quota", "/zookeeper/quota", -1, nil, wire.ZBadArguments},
		{"config", "/zookeeper/config", -1, nil, wire.ZBadArguments},
		{"no slash", "a", -1, nil, wire.ZBadArguments},
		{"missing parent", "/nope/x", -1, nil, wire.ZNoNode},
		{"missing", "/p/nope", -1, nil, wire.ZNoNode},
		{"no delete perm beats missing", "/ro/nope", -1, nil, wire.ZNoAuth},
		{"bad version", "/p/c", 5, nil, wire.ZBadVersion},
		{"bad version beats not empty", "/p", 5, nil, wire.ZBadVersion},
		{"not empty", "/p", 0, nil, wire.ZNotEmpty},
		{"ok", "/p/c", 0, nil, wire.ZOK},
		{"super may", "/ro/c", -1, []wire.Id{{Scheme: "super"}}, wire.ZOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, Options{})
			h.mustCreate("/p", 0)
			h.mustCreate("/p/c", 0)
			h.mustCreate("/ro", 0)
			h.mustCreate("/ro/c", 0)
			h.apply(wire.OpSetACL, &wire.SetACLRequest{Path: "/ro", ACL: []wire.ACL{{Perms: wire.PermRead | wire.PermAdmin | wire.PermCreate, ID: wire.AnyoneID}}, Version: -1})
			h.auth = c.auth
			res := h.apply(wire.OpDelete, &wire.DeleteRequest{Path: c.path, Version: c.version})
			mustCode(t, res.Err, c.want)
			if c.want == wire.ZOK {
				if _, ok := h.tr.Stat(c.path); ok {
					t.Fatal("node still there")
				}
				wantEv := []Event{{wire.EventNodeDeleted, c.path, h.zxid}, {wire.EventNodeChildrenChanged, parentPath(c.path), h.zxid}}
				if !reflect.DeepEqual(res.Events, wantEv) {
					t.Fatalf("events %v, want %v", res.Events, wantEv)
				}
			} else if len(res.Events) != 0 {
				t.Fatalf("failed delete has events %v", res.Events)
			}
		})
	}
}

func TestSetDataAndSetACLRules(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustCreate("/w", 0)
	h.apply(wire.OpCreate, &wire.CreateRequest{Path: "/ro", ACL: wire.ReadACL()})
	cases := []struct {
		name string
		op   wire.OpCode
		req  wire.Record
		want wire.Code
	}{
		{"setData bad path", wire.OpSetData, &wire.SetDataRequest{Path: "/w/", Version: -1}, wire.ZBadArguments},
		{"setData missing", wire.OpSetData, &wire.SetDataRequest{Path: "/nope", Version: -1}, wire.ZNoNode},
		{"setData no write", wire.OpSetData, &wire.SetDataRequest{Path: "/ro", Version: 7}, wire.ZNoAuth},
		{"setData bad version", wire.OpSetData, &wire.SetDataRequest{Path: "/w", Version: 7}, wire.ZBadVersion},
		{"setACL bad path", wire.OpSetACL, &wire.SetACLRequest{Path: "//", ACL: nil, Version: -1}, wire.ZBadArguments},
		{"setACL invalid acl beats missing", wire.OpSetACL, &wire.SetACLRequest{Path: "/nope", ACL: nil, Version: -1}, wire.ZInvalidACL},
		{"setACL missing", wire.OpSetACL, &wire.SetACLRequest{Path: "/nope", ACL: wire.OpenACL(), Version: -1}, wire.ZNoNode},
		{"setACL no admin", wire.OpSetACL, &wire.SetACLRequest{Path: "/ro", ACL: wire.OpenACL(), Version: 3}, wire.ZNoAuth},
		{"setACL bad aversion", wire.OpSetACL, &wire.SetACLRequest{Path: "/w", ACL: wire.OpenACL(), Version: 3}, wire.ZBadVersion},
		{"setACL ok", wire.OpSetACL, &wire.SetACLRequest{Path: "/w", ACL: wire.OpenACL(), Version: 0}, wire.ZOK},
		{"setACL aversion now 1", wire.OpSetACL, &wire.SetACLRequest{Path: "/w", ACL: wire.OpenACL(), Version: 0}, wire.ZBadVersion},
		{"setData ok", wire.OpSetData, &wire.SetDataRequest{Path: "/w", Data: []byte("x"), Version: 0}, wire.ZOK},
	}
	for _, c := range cases {
		res := h.apply(c.op, c.req)
		if res.Err != c.want {
			t.Errorf("%s: %v, want %v", c.name, res.Err, c.want)
		}
	}
	res := h.apply(wire.OpSetData, &wire.SetDataRequest{Path: "/w", Data: []byte("y"), Version: -1})
	if want := []Event{{wire.EventNodeDataChanged, "/w", h.zxid}}; !reflect.DeepEqual(res.Events, want) {
		t.Fatalf("setData events %v", res.Events)
	}
	res = h.apply(wire.OpSetACL, &wire.SetACLRequest{Path: "/w", ACL: wire.OpenACL(), Version: -1})
	if len(res.Events) != 0 {
		t.Fatalf("setACL events %v", res.Events)
	}
}

func TestCreateEvents(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustCreate("/a", 0)
	res := h.apply(wire.OpCreate, &wire.CreateRequest{Path: "/a/b", ACL: wire.OpenACL()})
	want := []Event{{wire.EventNodeCreated, "/a/b", h.zxid}, {wire.EventNodeChildrenChanged, "/a", h.zxid}}
	if !reflect.DeepEqual(res.Events, want) {
		t.Fatalf("events %v, want %v", res.Events, want)
	}
	res = h.apply(wire.OpCreate, &wire.CreateRequest{Path: "/a/b", ACL: wire.OpenACL()})
	if res.Err != wire.ZNodeExists || res.Events != nil || res.Resp != nil {
		t.Fatalf("failed create: %+v", res)
	}
}

func TestReads(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustCreate("/r", 0)
	for _, n := range []string{"b", "a", "c"} {
		h.mustCreate("/r/"+n, 0)
	}
	h.mustCreate("/r/a/x", 0)
	kids, st, code := h.tr.Children("/r", nil)
	if code != wire.ZOK || !reflect.DeepEqual(kids, []string{"a", "b", "c"}) || st.NumChildren != 3 {
		t.Fatalf("children %v %+v %v", kids, st, code)
	}
	if n, code := h.tr.AllChildrenNumber("/r", nil); n != 4 || code != wire.ZOK {
		t.Fatalf("all children %d %v", n, code)
	}
	if n, _ := h.tr.AllChildrenNumber("/", nil); n != 8 {
		t.Fatalf("all children of / %d", n)
	}
	if _, code := h.tr.Exists("/r/zz", nil); code != wire.ZNoNode {
		t.Fatalf("exists missing: %v", code)
	}
	h.apply(wire.OpCreate, &wire.CreateRequest{Path: "/secret", Data: []byte("s"), ACL: []wire.ACL{{Perms: wire.PermWrite, ID: wire.AnyoneID}}})
	if _, _, code := h.tr.GetData("/secret", nil); code != wire.ZNoAuth {
		t.Fatalf("getData without READ: %v", code)
	}
	if _, code := h.tr.Exists("/secret", nil); code != wire.ZNoAuth {
		t.Fatalf("exists without READ: %v", code)
	}
	if _, _, code := h.tr.Children("/secret", nil); code != wire.ZNoAuth {
		t.Fatalf("children without READ: %v", code)
	}
	if _, code := h.tr.AllChildrenNumber("/secret", nil); code != wire.ZNoAuth {
		t.Fatalf("all children without READ: %v", code)
	}
	if _, _, code := h.tr.GetACL("/secret", nil); code != wire.ZNoAuth {
		t.Fatalf("getACL without READ or ADMIN: %v", code)
	}
	if h.tr.CanRead("/secret", nil) || !h.tr.CanRead("/r", nil) || h.tr.CanRead("/nope", nil) {
		t.Fatal("CanRead")
	}
	if _, _, code := h.tr.GetData("/secret", []wire.Id{{Scheme: "super"}}); code != wire.ZOK {
		t.Fatalf("super getData: %v", code)
	}
	skip := New(Options{SkipACL: true})
	skip.Apply(Txn{Zxid: 1, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/s", ACL: []wire.ACL{{Perms: 0, ID: wire.AnyoneID}}}})
	if _, _, code := skip.GetData("/s", nil); code != wire.ZOK {
		t.Fatalf("skipACL getData: %v", code)
	}
	if res := skip.Apply(Txn{Zxid: 2, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/s/x", ACL: wire.OpenACL()}}); res.Err != wire.ZOK {
		t.Fatalf("skipACL create: %v", res.Err)
	}
}

func TestEphemeralsAndCloseSession(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustCreate("/app", 0)
	h.mustCreate("/app/z", 1)
	h.mustCreate("/app/a", 1)
	h.mustCreate("/top", 1)
	other := h.sess + 1
	h.sess = other
	h.apply(wire.OpCreateSession, &CreateSession{TimeoutMs: 4000})
	h.mustCreate("/app/other", 1)
	h.sess = 0x100
	if got := h.tr.Ephemerals(0x100, "/app"); !reflect.DeepEqual(got, []string{"/app/a", "/app/z"}) {
		t.Fatalf("ephemerals %v", got)
	}
	if got := h.tr.Ephemerals(0x100, "/"); len(got) != 3 {
		t.Fatalf("ephemerals all %v", got)
	}
	if h.tr.EphemeralCount() != 4 {
		t.Fatalf("ephemeral count %d", h.tr.EphemeralCount())
	}
	if s := h.tr.Sessions(); s[0x100] != 30000 || s[other] != 4000 || len(s) != 2 {
		t.Fatalf("sessions %v", s)
	}
	res := h.apply(wire.OpCloseSession, nil)
	z := h.zxid
	want := []Event{
		{wire.EventNodeDeleted, "/app/a", z}, {wire.EventNodeChildrenChanged, "/app", z},
		{wire.EventNodeDeleted, "/app/z", z}, {wire.EventNodeChildrenChanged, "/app", z},
		{wire.EventNodeDeleted, "/top", z}, {wire.EventNodeChildrenChanged, "/", z},
	}
	if res.Err != wire.ZOK || !reflect.DeepEqual(res.Events, want) {
		t.Fatalf("closeSession: %v %v", res.Err, res.Events)
	}
	kids, _, _ := h.tr.Children("/app", nil)
	if !reflect.DeepEqual(kids, []string{"other"}) {
		t.Fatalf("children left %v", kids)
	}
	if _, ok := h.tr.Sessions()[0x100]; ok {
		t.Fatal("session not forgotten")
	}
	if got := h.tr.EphemeralsBySession(); !reflect.DeepEqual(got, map[int64][]string{other: {"/app/other"}}) {
		t.Fatalf("by session %v", got)
	}
	// The closed session can no longer create ephemerals.
	if _, code := h.create("/late", 1); code != wire.ZSessionExpired {
		t.Fatalf("ephemeral after close: %v", code)
	}
}

func TestContainersAndTTL(t *testing.T) {
	h := newHarness(t, Options{ExtendedTypes: true})
	h.apply(wire.OpCreateContainer, &wire.CreateRequest{Path: "/c", ACL: wire.OpenACL(), Flags: 4})
	h.apply(wire.OpCreateContainer, &wire.CreateRequest{Path: "/never", ACL: wire.OpenACL(), Flags: 4})
	h.apply(wire.OpCreateTTL, &wire.CreateTTLRequest{Path: "/t", ACL: wire.OpenACL(), Flags: 5, TTL: 100})
	tMtime := h.stat("/t").Mtime
	h.mustCreate("/plain", 0)
	h.mustCreate("/c/kid", 0)
	if got := h.tr.CleanupCandidates(tMtime + 100); len(got) != 0 {
		t.Fatalf("candidates too early %v", got)
	}
	if got := h.tr.CleanupCandidates(tMtime + 101); !reflect.DeepEqual(got, []string{"/t"}) {
		t.Fatalf("candidates %v", got)
	}
	mustCode(t, h.del("/c/kid"), wire.ZOK)
	if got := h.tr.CleanupCandidates(0); !reflect.DeepEqual(got, []string{"/c"}) {
		t.Fatalf("candidates %v", got)
	}
	h.mustCreate("/t/kid", 0)
	if got := h.tr.CleanupCandidates(tMtime + 1000); !reflect.DeepEqual(got, []string{"/c"}) {
		t.Fatalf("TTL node with a child is a candidate: %v", got)
	}
	dc := func(p string) Result {
		return h.apply(wire.OpDeleteContainer, &wire.DeleteContainerRequest{Path: []byte(p)})
	}
	mustCode(t, dc("/plain").Err, wire.ZBadVersion)
	mustCode(t, dc("/t").Err, wire.ZNotEmpty)
	mustCode(t, dc("/nope").Err, wire.ZNoNode)
	res := dc("/c")
	mustCode(t, res.Err, wire.ZOK)
	if want := []Event{{wire.EventNodeDeleted, "/c", h.zxid}, {wire.EventNodeChildrenChanged, "/", h.zxid}}; !reflect.DeepEqual(res.Events, want) {
		t.Fatalf("deleteContainer events %v", res.Events)
	}
	mustCode(t, h.del("/t/kid"), wire.ZOK)
	mustCode(t, dc("/t").Err, wire.ZOK)
	if got := h.tr.CleanupCandidates(1 << 50); len(got) != 0 {
		t.Fatalf("candidates after cleanup %v", got)
	}
}

func TestNilAndEmptyDataStayDistinct(t *testing.T) {
	h := newHarness(t, Options{})
	h.apply(wire.OpCreate, &wire.CreateRequest{Path: "/nil", ACL: wire.OpenACL()})
	h.apply(wire.OpCreate, &wire.CreateRequest{Path: "/empty", Data: []byte{}, ACL: wire.OpenACL()})
	h.apply(wire.OpCreate, &wire.CreateRequest{Path: "/full", Data: []byte("abc"), ACL: wire.OpenACL()})
	check := func(tr *Tree) {
		t.Helper()
		if d, _, _ := tr.GetData("/nil", nil); d != nil {
			t.Fatalf("nil data came back as %#v", d)
		}
		if d, _, _ := tr.GetData("/empty", nil); d == nil || len(d) != 0 {
			t.Fatalf("empty data came back as %#v", d)
		}
		d, st, _ := tr.GetData("/full", nil)
		if string(d) != "abc" || cap(d) != 3 || st.DataLength != 3 {
			t.Fatalf("full data %q cap %d stat %d", d, cap(d), st.DataLength)
		}
	}
	check(h.tr)
	back, err := ReadSnapshot(bytes.NewReader(snapshotBytes(t, h.tr)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(back)
}

// A session id whose high byte is 0xFF (server id 255) is a session, not a
// TTL marker, unless extended types are on (EphemeralType.get).
func TestHighSessionIDWithoutExtendedTypes(t *testing.T) {
	h := newHarness(t, Options{})
	h.sess = -0x100000000000000 | 42
	h.apply(wire.OpCreateSession, &CreateSession{TimeoutMs: 1000})
	h.mustCreate("/e", 1)
	if _, code := h.create("/e/x", 0); code != wire.ZNoChildrenForEphemerals {
		t.Fatalf("child of ephemeral: %v", code)
	}
	if h.tr.EphemeralCount() != 1 || len(h.tr.CleanupCandidates(1<<60)) != 0 {
		t.Fatal("ephemeral of a 0xFF session misclassified")
	}
	res := h.apply(wire.OpCloseSession, nil)
	if len(res.Events) != 2 {
		t.Fatalf("close events %v", res.Events)
	}
}
