package tree

import (
	"crypto/sha1"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"

	"github.com/synod-dev/synod/internal/wire"
)

// aclTable interns ACL lists, as ZooKeeper's ReferenceCountedACLCache does,
// so that a million nodes with the same ACL share one slice and each node
// stores a 4-byte index. Indices are handed out in order of first use, so
// equal Txn sequences give equal tables on every replica. Lists are never
// freed while the tree lives (a snapshot reload drops unused ones).
type aclTable struct {
	lists   [][]wire.ACL
	index   map[string]uint32
	scratch wire.Encoder // reused by intern so lookups do not allocate
}

func (a *aclTable) init() {
	a.lists = nil
	a.index = map[string]uint32{}
}

// aclKey is the canonical encoding of an ACL list.
func aclKey(acl []wire.ACL) string {
	e := wire.Encoder{}
	wire.EncodeACLs(&e, acl)
	return string(e.Buf)
}

// intern returns the index of acl, adding a private copy if it is new.
func (a *aclTable) intern(acl []wire.ACL) uint32 {
	a.scratch.Buf = a.scratch.Buf[:0]
	wire.EncodeACLs(&a.scratch, acl)
	if i, ok := a.index[string(a.scratch.Buf)]; ok { // no allocation
		return i
	}
	i := uint32(len(a.lists))
	var own []wire.ACL
	if acl != nil {
		own = append([]wire.ACL{}, acl...)
	}
	a.lists = append(a.lists, own)
	a.index[string(a.scratch.Buf)] = i
	return i
}

func (a *aclTable) get(i uint32) []wire.ACL { return a.lists[i] }

// check reports whether auth holds any bit of perm on the ACL list at
// index i (ZooKeeperServer.checkACL).
func (t *Tree) check(i uint32, perm int32, auth []wire.Id) bool {
	if t.opts.SkipACL {
		return true
	}
	return checkACL(t.acls.get(i), perm, auth)
}

// checkACL is ZooKeeper's checkACL: an empty list allows everything, the
// super identity allows everything, otherwise some entry carrying a bit of
// perm must match one of the caller's identities.
func checkACL(acl []wire.ACL, perm int32, auth []wire.Id) bool {
	if len(acl) == 0 {
		return true
	}
	for _, id := range auth {
		if id.Scheme == "super" {
			return true
		}
	}
	for _, a := range acl {
		if a.Perms&perm == 0 {
			continue
		}
		if a.ID.Scheme == "world" && a.ID.ID == "anyone" {
			return true
		}
		for _, id := range auth {
			if id.Scheme == a.ID.Scheme && idMatches(a.ID.Scheme, id.ID, a.ID.ID) {
				return true
			}
		}
	}
	return false
}

// idMatches is the scheme's provider match: ip matches by prefix, every
// other scheme by equality.
func idMatches(scheme, have, expr string) bool {
	if scheme == "ip" {
		return ipMatches(have, expr)
	}
	return have == expr
}

// parseIPExpr parses addr[/bits] as IPAuthenticationProvider does.
func parseIPExpr(expr string) (netip.Addr, int, bool) {
	addrPart, bitsPart, hasBits := strings.Cut(expr, "/")
	addr, err := netip.ParseAddr(addrPart)
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, 0, false
	}
	bits := addr.BitLen()
	if hasBits {
		b, err := strconv.ParseInt(bitsPart, 10, 32)
		if err != nil || b < 0 || int(b) > addr.BitLen() {
			return netip.Addr{}, 0, false
		}
		bits = int(b)
	}
	return addr, bits, true
}

// ipMatches reports whether address have lies in the addr[/bits] expr.
func ipMatches(have, expr string) bool {
	acl, bits, ok := parseIPExpr(expr)
	if !ok {
		return false
	}
	remote, err := netip.ParseAddr(have)
	if err != nil || remote.BitLen() != acl.BitLen() {
		return false
	}
	p1, err1 := acl.Prefix(bits)
	p2, err2 := remote.WithZone("").Prefix(bits)
	return err1 == nil && err2 == nil && p1 == p2
}

// validID is the provider's isValid for the schemes ZooKeeper registers by
// default (ip and digest).
func validID(scheme, id string) bool {
	switch scheme {
	case "ip":
		_, _, ok := parseIPExpr(id)
		return ok
	case "digest":
		// Java's id.split(":").length == 2: trailing empty parts vanish.
		parts := strings.Split(id, ":")
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		return len(parts) == 2
	}
	return false
}

// authenticatedScheme reports whether a caller identity of this scheme may
// stand for "auth" in an ACL (the provider's isAuthenticated): ip does not.
func authenticatedScheme(scheme string) bool {
	switch scheme {
	case "digest", "sasl", "x509":
		return true
	}
	return false
}

// fixupACL validates acl and expands "auth" entries to the caller's
// authenticated identities (PrepRequestProcessor.fixupACL). Duplicates in
// the request are dropped first, keeping order.
func fixupACL(acl []wire.ACL, auth []wire.Id) ([]wire.ACL, wire.Code) {
	if len(acl) == 0 {
		return nil, wire.ZInvalidACL
	}
	if len(acl) == 1 && acl[0].ID.Scheme != "auth" {
		// The common case needs no copy: the table interns its own.
		a := acl[0]
		if (a.ID.Scheme == "world" && a.ID.ID == "anyone") || validID(a.ID.Scheme, a.ID.ID) {
			return acl, wire.ZOK
		}
		return nil, wire.ZInvalidACL
	}
	out := make([]wire.ACL, 0, len(acl))
	for i, a := range acl {
		dup := false
		for _, b := range acl[:i] {
			if a == b {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		switch {
		case a.ID.Scheme == "world" && a.ID.ID == "anyone":
			out = append(out, a)
		case a.ID.Scheme == "auth":
			found := false
			for _, id := range auth {
				if authenticatedScheme(id.Scheme) {
					found = true
					out = append(out, wire.ACL{Perms: a.Perms, ID: id})
				}
			}
			if !found {
				return nil, wire.ZInvalidACL
			}
		default:
			if !validID(a.ID.Scheme, a.ID.ID) {
				return nil, wire.ZInvalidACL
			}
			out = append(out, a)
		}
	}
	return out, wire.ZOK
}

// DigestID turns "user:password" into the stored digest id
// "user:base64(sha1(user:password))" (DigestAuthenticationProvider).
func DigestID(userPassword string) string {
	user, _, _ := strings.Cut(userPassword, ":")
	sum := sha1.Sum([]byte(userPassword))
	return user + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

// Ephemeral owner encodings (EphemeralType).
const (
	ttlMarker int64 = -0x100000000000000 // 0xFF << 56
	ttlMask   int64 = 0xFFFFFFFFFF
)

// ttlOwner encodes a TTL into an ephemeralOwner.
func ttlOwner(ttl int64) int64 { return ttlMarker | (ttl & ttlMask) }

// ttlOf decodes a TTL ephemeralOwner: high byte 0xFF, next two bytes 0.
// As in ZooKeeper's EphemeralType.get, the encoding means TTL only with
// extended types enabled; otherwise such an owner is a session.
func (t *Tree) ttlOf(owner int64) (int64, bool) {
	if !t.opts.ExtendedTypes || uint64(owner)>>40 != 0xFF0000 {
		return 0, false
	}
	return owner & ttlMask, true
}

// isSessionOwner reports whether owner marks a session ephemeral (EphemeralType.NORMAL).
func (t *Tree) isSessionOwner(owner int64) bool {
	if owner == 0 || owner == wire.ContainerOwner {
		return false
	}
	_, ttl := t.ttlOf(owner)
	return !ttl
}
