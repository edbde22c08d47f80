package tree

import (
	"sort"
	"strings"

	"github.com/synod-dev/synod/internal/wire"
)

// node is one znode. It is kept compact because a tree may hold millions:
// the ACL is an index into the tree's interned ACL table, the children map
// is allocated only when the node gets its first child, and map keys are
// substrings of the children's own path strings, so names cost nothing extra.
type node struct {
	path     string    // full path; the parent's map key is its last segment
	dataPtr  *byte     // the data as given (see nodedata.go); nil for nil data
	children *childSet // nil when the node has no children
	czxid    int64
	mzxid    int64
	pzxid    int64
	ctime    int64
	mtime    int64
	owner    int64 // ephemeralOwner
	version  int32
	cversion int32
	aversion int32
	seq      int32  // sequential-suffix counter: child creates only
	acl      uint32 // index into Tree.acls
	dataLen  int32
	gen      uint32 // snapshot generation in which it was last saved (snapshot_cow.go)
}

// Tree is ZooKeeper's data tree as a deterministic state machine. It is not
// safe for concurrent use; see CONTRACT.md.
//
// Data slices handed to Apply are stored as given and data slices returned
// by reads are the stored ones: callers must not modify either.
type Tree struct {
	opts     Options
	root     *node
	count    int   // nodes, root included
	dataSize int64 // sum of len(path)+len(data), as ZooKeeper's approximateDataSize
	lastZxid int64
	acls     aclTable
	// ephemerals maps a session to the paths of its ephemeral nodes.
	ephemerals map[int64]map[string]struct{}
	sessions   map[int64]int32
	// containers and ttls hold the paths of container and TTL nodes, for
	// CleanupCandidates.
	containers map[string]struct{}
	ttls       map[string]struct{}
	// cow is the snapshot in progress, nil if none; gen counts snapshots
	// (snapshot_cow.go).
	cow *cow
	gen uint32
}

// Reserved paths (DataTree.isSpecialPath).
const (
	zookeeperPath = "/zookeeper"
	quotaPath     = "/zookeeper/quota"
	configPath    = "/zookeeper/config"
)

// New returns a fresh tree holding /, /zookeeper, /zookeeper/quota (open
// ACL) and /zookeeper/config (world read-only), all with zeroed stats.
func New(opts Options) *Tree {
	t := &Tree{
		opts:       opts,
		ephemerals: map[int64]map[string]struct{}{},
		sessions:   map[int64]int32{},
		containers: map[string]struct{}{},
		ttls:       map[string]struct{}{},
	}
	t.acls.init()
	open := t.acls.intern(wire.OpenACL())
	t.root = &node{path: "/", acl: open}
	t.count = 1
	t.dataSize = 1 // ZooKeeper counts the root's key "/"
	zk := t.addChild(t.root, zookeeperPath, nil, open)
	t.addChild(zk, quotaPath, nil, open)
	t.addChild(zk, configPath, nil, t.acls.intern(wire.ReadACL()))
	return t
}

// addChild links a new node under parent without touching parent's stat.
func (t *Tree) addChild(parent *node, path string, data []byte, acl uint32) *node {
	n := &node{path: path, acl: acl, gen: t.gen}
	n.setBytes(data)
	t.touch(parent)
	if parent.children == nil {
		parent.children = &childSet{}
	}
	parent.children.add(n)
	t.count++
	t.dataSize += int64(len(path) + len(data))
	return n
}

// removeChild unlinks n from parent without touching parent's stat.
func (t *Tree) removeChild(parent, n *node) {
	t.touch(parent)
	parent.children.remove(baseName(n.path))
	if parent.children.len() == 0 {
		parent.children = nil
	}
	t.count--
	t.dataSize -= int64(len(n.path) + n.size())
}

// baseName is the last segment of a path.
func baseName(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }

// parentPath is the path of p's parent; "/" for top-level nodes.
func parentPath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// lookup finds the node at path; "" and "/" are the root (as in
// ZooKeeper's DataTree). Any malformed path simply is not found.
func (t *Tree) lookup(path string) *node {
	if path == "" || path == "/" {
		return t.root
	}
	if path[0] != '/' {
		return nil
	}
	n := t.root
	rest := path[1:]
	for {
		if n.children == nil {
			return nil
		}
		i := strings.IndexByte(rest, '/')
		seg := rest
		if i >= 0 {
			seg = rest[:i]
		}
		c := n.children.get(seg)
		if c == nil {
			return nil
		}
		if i < 0 {
			return c
		}
		n = c
		rest = rest[i+1:]
	}
}

// stat builds the client-visible Stat of n. As ZooKeeper's
// DataNode.copyStat, clients see ephemeralOwner 0 for containers and TTL
// nodes: only a session ephemeral shows its owner.
func (t *Tree) stat(n *node) wire.Stat {
	owner := n.owner
	if !t.isSessionOwner(owner) {
		owner = 0
	}
	return wire.Stat{
		Czxid:          n.czxid,
		Mzxid:          n.mzxid,
		Ctime:          n.ctime,
		Mtime:          n.mtime,
		Version:        n.version,
		Cversion:       n.cversion,
		Aversion:       n.aversion,
		EphemeralOwner: owner,
		DataLength:     n.dataLen,
		NumChildren:    int32(n.children.len()),
		Pzxid:          n.pzxid,
	}
}

// sortedChildren returns the names of n's children in byte order.
func (n *node) sortedChildren() []string {
	out := make([]string, 0, n.children.len())
	for _, c := range n.children.nodes() {
		out = append(out, baseName(c.path))
	}
	sort.Strings(out)
	return out
}

// GetData returns a node's data and stat; READ is needed. The returned
// slice is the stored one and must not be modified.
func (t *Tree) GetData(path string, auth []wire.Id) ([]byte, wire.Stat, wire.Code) {
	n := t.lookup(path)
	if n == nil {
		return nil, wire.Stat{}, wire.ZNoNode
	}
	if !t.check(n.acl, wire.PermRead, auth) {
		return nil, wire.Stat{}, wire.ZNoAuth
	}
	return n.bytes(), t.stat(n), wire.ZOK
}

// Exists returns a node's stat, ZNoNode when it is missing. READ is needed
// only when the node exists: this is ZooKeeper 3.8.4's rule (3.8.0, which
// Debian ships, checks nothing); we choose the newer, stricter behaviour.
func (t *Tree) Exists(path string, auth []wire.Id) (wire.Stat, wire.Code) {
	n := t.lookup(path)
	if n == nil {
		return wire.Stat{}, wire.ZNoNode
	}
	if !t.check(n.acl, wire.PermRead, auth) {
		return wire.Stat{}, wire.ZNoAuth
	}
	return t.stat(n), wire.ZOK
}

// Children returns a node's children, sorted, and its stat; READ is needed.
func (t *Tree) Children(path string, auth []wire.Id) ([]string, wire.Stat, wire.Code) {
	n := t.lookup(path)
	if n == nil {
		return nil, wire.Stat{}, wire.ZNoNode
	}
	if !t.check(n.acl, wire.PermRead, auth) {
		return nil, wire.Stat{}, wire.ZNoAuth
	}
	return n.sortedChildren(), t.stat(n), wire.ZOK
}

// GetACL returns a node's ACL and stat; READ or ADMIN is needed. Without
// ADMIN, digest ids are masked to "user:x" as ZooKeeper does. The returned
// slice is freshly allocated.
func (t *Tree) GetACL(path string, auth []wire.Id) ([]wire.ACL, wire.Stat, wire.Code) {
	n := t.lookup(path)
	if n == nil {
		return nil, wire.Stat{}, wire.ZNoNode
	}
	if !t.check(n.acl, wire.PermRead|wire.PermAdmin, auth) {
		return nil, wire.Stat{}, wire.ZNoAuth
	}
	stored := t.acls.get(n.acl)
	out := make([]wire.ACL, len(stored))
	copy(out, stored)
	if !t.check(n.acl, wire.PermAdmin, auth) {
		for i := range out {
			if out[i].ID.Scheme == "digest" {
				id := out[i].ID.ID
				if j := strings.IndexByte(id, ':'); j >= 0 {
					out[i].ID.ID = id[:j] + ":x"
				}
			}
		}
	}
	return out, t.stat(n), wire.ZOK
}

// AllChildrenNumber counts all descendants of path; READ is needed. For
// "/" it is the whole tree less the root, as ZooKeeper counts.
func (t *Tree) AllChildrenNumber(path string, auth []wire.Id) (int32, wire.Code) {
	n := t.lookup(path)
	if n == nil {
		return 0, wire.ZNoNode
	}
	if !t.check(n.acl, wire.PermRead, auth) {
		return 0, wire.ZNoAuth
	}
	if n == t.root {
		return int32(t.count - 1), wire.ZOK
	}
	var count int32
	var walk func(*node)
	walk = func(m *node) {
		for _, c := range m.children.nodes() {
			count++
			walk(c)
		}
	}
	walk(n)
	return count, wire.ZOK
}

// Ephemerals returns the sorted paths of session's ephemeral nodes that
// start with prefix (getEphemerals; "/" or blank means all).
func (t *Tree) Ephemerals(session int64, prefix string) []string {
	if p := strings.TrimSpace(prefix); p == "" || p == "/" {
		prefix = ""
	}
	out := []string{}
	for p := range t.ephemerals[session] {
		if strings.HasPrefix(p, prefix) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// Stat returns a node's stat without any ACL check (for setWatches).
func (t *Tree) Stat(path string) (wire.Stat, bool) {
	n := t.lookup(path)
	if n == nil {
		return wire.Stat{}, false
	}
	return t.stat(n), true
}

// ACL returns a node's stored ACL without any check (for notification
// filtering). The slice is shared and must not be modified.
func (t *Tree) ACL(path string) ([]wire.ACL, bool) {
	n := t.lookup(path)
	if n == nil {
		return nil, false
	}
	return t.acls.get(n.acl), true
}

// CanRead reports whether auth may read the node at path; false when the
// node does not exist.
func (t *Tree) CanRead(path string, auth []wire.Id) bool {
	n := t.lookup(path)
	return n != nil && t.check(n.acl, wire.PermRead, auth)
}

// LastZxid is the zxid of the last applied Txn.
func (t *Tree) LastZxid() int64 { return t.lastZxid }

// NodeCount is ZooKeeper's node count: the nodes plus one, because
// ZooKeeper's DataTree maps the root under both "" and "/" (a fresh tree
// reports 5, as a fresh ZooKeeper's srvr does).
func (t *Tree) NodeCount() int { return t.count + 1 }

// ApproximateDataSize is the sum of path and data lengths of all nodes.
func (t *Tree) ApproximateDataSize() int64 { return t.dataSize }

// EphemeralCount is the number of ephemeral nodes.
func (t *Tree) EphemeralCount() int {
	n := 0
	for _, s := range t.ephemerals {
		n += len(s)
	}
	return n
}

// EphemeralsBySession returns every session's ephemeral paths, sorted.
func (t *Tree) EphemeralsBySession() map[int64][]string {
	out := make(map[int64][]string, len(t.ephemerals))
	for sid := range t.ephemerals {
		out[sid] = t.Ephemerals(sid, "")
	}
	return out
}

// Sessions returns the sessions recorded by createSession and their
// timeouts in ms.
func (t *Tree) Sessions() map[int64]int32 {
	out := make(map[int64]int32, len(t.sessions))
	for k, v := range t.sessions {
		out[k] = v
	}
	return out
}

// CleanupCandidates returns, sorted, the containers that are empty and
// have had children (cversion > 0) and the childless TTL nodes whose
// now - mtime exceeds their TTL. The caller deletes them with
// deleteContainer Txns.
func (t *Tree) CleanupCandidates(now int64) []string {
	var out []string
	for p := range t.containers {
		if n := t.lookup(p); n != nil && n.children.len() == 0 && n.cversion > 0 {
			out = append(out, p)
		}
	}
	for p := range t.ttls {
		n := t.lookup(p)
		if n == nil || n.children.len() != 0 {
			continue
		}
		if ttl, ok := t.ttlOf(n.owner); ok && now-n.mtime > ttl {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
