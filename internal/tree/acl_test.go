package tree

import (
	"reflect"
	"testing"

	"github.com/synod-dev/synod/internal/wire"
)

func TestDigestID(t *testing.T) {
	// Values from ZooKeeper's DigestAuthenticationProvider.generateDigest.
	if got := DigestID("super:test"); got != "super:D/InIHSb7yEEbrWz8b9l71RjZJU=" {
		t.Fatalf("DigestID = %s", got)
	}
}

func TestFixupACL(t *testing.T) {
	digest := wire.Id{Scheme: "digest", ID: DigestID("u:p")}
	ip := wire.Id{Scheme: "ip", ID: "10.0.0.1"}
	acl := func(scheme, id string) []wire.ACL {
		return []wire.ACL{{Perms: 31, ID: wire.Id{Scheme: scheme, ID: id}}}
	}
	cases := []struct {
		name string
		acl  []wire.ACL
		auth []wire.Id
		want []wire.ACL
		code wire.Code
	}{
		{"nil", nil, nil, nil, wire.ZInvalidACL},
		{"empty", []wire.ACL{}, nil, nil, wire.ZInvalidACL},
		{"world anyone", wire.OpenACL(), nil, wire.OpenACL(), wire.ZOK},
		{"world other", acl("world", "someone"), nil, nil, wire.ZInvalidACL},
		{"unknown scheme", acl("kerberos", "x"), nil, nil, wire.ZInvalidACL},
		{"super not storable", acl("super", ""), nil, nil, wire.ZInvalidACL},
		{"auth expands to digest only", acl("auth", ""), []wire.Id{ip, digest}, []wire.ACL{{Perms: 31, ID: digest}}, wire.ZOK},
		{"auth with only ip", acl("auth", ""), []wire.Id{ip}, nil, wire.ZInvalidACL},
		{"auth with none", acl("auth", ""), nil, nil, wire.ZInvalidACL},
		{"digest ok", acl("digest", "u:hash"), nil, acl("digest", "u:hash"), wire.ZOK},
		{"digest no colon", acl("digest", "uhash"), nil, nil, wire.ZInvalidACL},
		{"digest trailing colon", acl("digest", "u:"), nil, nil, wire.ZInvalidACL},
		{"digest three parts", acl("digest", "u:h:x"), nil, nil, wire.ZInvalidACL},
		{"ip ok", acl("ip", "10.0.0.0/8"), nil, acl("ip", "10.0.0.0/8"), wire.ZOK},
		{"ip6 ok", acl("ip", "fe80::/16"), nil, acl("ip", "fe80::/16"), wire.ZOK},
		{"ip bad bits", acl("ip", "10.0.0.0/33"), nil, nil, wire.ZInvalidACL},
		{"ip garbage bits", acl("ip", "10.0.0.0/x"), nil, nil, wire.ZInvalidACL},
		{"ip bad addr", acl("ip", "10.0.0"), nil, nil, wire.ZInvalidACL},
		{"duplicates dropped", append(wire.OpenACL(), wire.OpenACL()...), nil, wire.OpenACL(), wire.ZOK},
	}
	for _, c := range cases {
		got, code := fixupACL(c.acl, c.auth)
		if code != c.code || (code == wire.ZOK && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("%s: %v %v, want %v %v", c.name, got, code, c.want, c.code)
		}
	}
}

func TestCheckACL(t *testing.T) {
	digest := wire.Id{Scheme: "digest", ID: DigestID("u:p")}
	ip := func(a string) wire.Id { return wire.Id{Scheme: "ip", ID: a} }
	entry := func(perms int32, scheme, id string) wire.ACL {
		return wire.ACL{Perms: perms, ID: wire.Id{Scheme: scheme, ID: id}}
	}
	cases := []struct {
		name string
		acl  []wire.ACL
		perm int32
		auth []wire.Id
		want bool
	}{
		{"world", wire.OpenACL(), wire.PermWrite, nil, true},
		{"world lacks perm", wire.ReadACL(), wire.PermWrite, nil, false},
		{"empty acl allows all", []wire.ACL{}, wire.PermAdmin, nil, true},
		{"super", []wire.ACL{entry(1, "digest", "x:y")}, wire.PermAdmin, []wire.Id{{Scheme: "super"}}, true},
		{"digest match", []wire.ACL{entry(31, "digest", digest.ID)}, wire.PermRead, []wire.Id{digest}, true},
		{"digest mismatch", []wire.ACL{entry(31, "digest", DigestID("u:q"))}, wire.PermRead, []wire.Id{digest}, false},
		{"scheme must match", []wire.ACL{entry(31, "ip", "10.0.0.1")}, wire.PermRead, []wire.Id{{Scheme: "digest", ID: "10.0.0.1"}}, false},
		{"ip exact", []wire.ACL{entry(31, "ip", "10.0.0.1")}, wire.PermRead, []wire.Id{ip("10.0.0.1")}, true},
		{"ip exact other", []wire.ACL{entry(31, "ip", "10.0.0.1")}, wire.PermRead, []wire.Id{ip("10.0.0.2")}, false},
		{"ip prefix in", []wire.ACL{entry(31, "ip", "10.1.0.0/16")}, wire.PermRead, []wire.Id{ip("10.1.200.3")}, true},
		{"ip prefix out", []wire.ACL{entry(31, "ip", "10.1.0.0/16")}, wire.PermRead, []wire.Id{ip("10.2.0.3")}, false},
		{"ip prefix host bits set", []wire.ACL{entry(31, "ip", "10.1.2.3/8")}, wire.PermRead, []wire.Id{ip("10.9.9.9")}, true},
		{"ip zero bits", []wire.ACL{entry(31, "ip", "0.0.0.0/0")}, wire.PermRead, []wire.Id{ip("192.168.1.1")}, true},
		{"ip v6 prefix", []wire.ACL{entry(31, "ip", "fd00::/8")}, wire.PermRead, []wire.Id{ip("fd12::1")}, true},
		{"ip family mismatch", []wire.ACL{entry(31, "ip", "0.0.0.0/0")}, wire.PermRead, []wire.Id{ip("::1")}, false},
		{"any bit of perm", []wire.ACL{entry(wire.PermAdmin, "world", "anyone")}, wire.PermRead | wire.PermAdmin, nil, true},
		{"second entry", []wire.ACL{entry(1, "ip", "1.1.1.1"), entry(31, "digest", digest.ID)}, wire.PermWrite, []wire.Id{ip("1.1.1.1"), digest}, true},
	}
	for _, c := range cases {
		if got := checkACL(c.acl, c.perm, c.auth); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestAuthACLAndGetACLMasking(t *testing.T) {
	h := newHarness(t, Options{})
	digest := wire.Id{Scheme: "digest", ID: DigestID("alice:pw")}
	h.auth = []wire.Id{{Scheme: "ip", ID: "127.0.0.1"}, digest}
	res := h.apply(wire.OpCreate, &wire.CreateRequest{Path: "/a", ACL: []wire.ACL{
		{Perms: 31, ID: wire.AuthIDs},
		{Perms: wire.PermRead, ID: wire.AnyoneID},
	}})
	mustCode(t, res.Err, wire.ZOK)
	full := []wire.ACL{{Perms: 31, ID: digest}, {Perms: wire.PermRead, ID: wire.AnyoneID}}
	acl, st, code := h.tr.GetACL("/a", h.auth)
	if code != wire.ZOK || !reflect.DeepEqual(acl, full) || st.Czxid != h.zxid {
		t.Fatalf("getACL as owner: %v %v", acl, code)
	}
	acl, _, code = h.tr.GetACL("/a", nil)
	masked := []wire.ACL{{Perms: 31, ID: wire.Id{Scheme: "digest", ID: "alice:x"}}, {Perms: wire.PermRead, ID: wire.AnyoneID}}
	if code != wire.ZOK || !reflect.DeepEqual(acl, masked) {
		t.Fatalf("getACL as reader: %v %v", acl, code)
	}
	// The stored list is not changed by masking.
	if stored, _ := h.tr.ACL("/a"); !reflect.DeepEqual(stored, full) {
		t.Fatalf("stored ACL changed: %v", stored)
	}
	h.auth = nil
	mustCode(t, h.apply(wire.OpSetData, &wire.SetDataRequest{Path: "/a", Version: -1}).Err, wire.ZNoAuth)
	h.auth = []wire.Id{digest}
	mustCode(t, h.apply(wire.OpSetData, &wire.SetDataRequest{Path: "/a", Version: -1}).Err, wire.ZOK)
}

func TestACLInterning(t *testing.T) {
	h := newHarness(t, Options{})
	for _, p := range []string{"/a", "/b", "/c"} {
		h.mustCreate(p, 0)
	}
	if len(h.tr.acls.lists) != 2 { // open and read-only from the initial tree
		t.Fatalf("%d interned lists", len(h.tr.acls.lists))
	}
	a, _ := h.tr.ACL("/a")
	b, _ := h.tr.ACL("/b")
	if &a[0] != &b[0] {
		t.Fatal("equal ACLs are not shared")
	}
}
