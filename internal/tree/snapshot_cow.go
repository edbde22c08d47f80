package tree

import (
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"
)

// Background snapshots by copy-on-write.
//
// BeginSnapshot, called while the tree is still (the owner's write lock),
// fixes the image to write: the tree-wide state (lastZxid, node count,
// session table, the length of the append-only ACL table) is copied, and
// a snapshot generation starts. From then on, until EndSnapshot, every
// change to a node goes through touch first: the first time a node is
// changed in the generation, touch saves a copy of its fields and of its
// child list, as they were when the snapshot began, in a side map. The
// writer walks the tree from the root; for each node it uses the saved
// copy if there is one and the live node otherwise, both read under the
// side map's mutex. So the writer sees every node exactly as it was at
// BeginSnapshot:
//
//   - a node with no saved copy has not changed since BeginSnapshot, since
//     changes start with a touch, which takes the same mutex;
//   - a node's child list is the saved one or the unchanged live one, so
//     nodes created later are never reached and nodes deleted later still
//     are (a delete changes the parent, not the node; a deleted node is not
//     changed again);
//   - data is never copied or modified in place (nodedata.go), so a
//     copied data pointer stays valid.
//
// Writes pay one map insert per node per snapshot, plus a copy of the
// child list of each parent whose children change; reads are unaffected.
// Nodes carry the generation in which they were last saved (node.gen), so
// touch is a compare when the node is already saved or no snapshot runs.

// errSnapshotAborted is returned by Snapshot.Write after Abort.
var errSnapshotAborted = errors.New("tree: snapshot aborted")

// cow is the copy-on-write state of the snapshot in progress.
type cow struct {
	gen   uint32
	mu    sync.Mutex
	saved map[*node]*savedNode
}

// savedNode is a node's state when the snapshot began. kids is a copy of
// the child set's slots, empty ones included: a single memmove, so that
// the write that first changes a parent of a million children pays
// milliseconds, not a walk of its set; the writer drops the nils.
type savedNode struct {
	n    node
	kids []*node
}

// Snapshot is an image of the tree fixed at BeginSnapshot, written by
// Write while the tree keeps changing. See BeginSnapshot.
type Snapshot struct {
	t       *Tree
	c       *cow
	head    snapHead
	root    *node
	aborted atomic.Bool
	// onNode, for tests, runs before each node is written, outside the
	// side map's mutex.
	onNode func()
}

// BeginSnapshot fixes an image of the tree as it is now, at LastZxid, and
// returns it for writing in the background. It costs O(sessions). The
// caller must hold the tree still during the call (the write lock), and
// must call EndSnapshot, again with the write lock, once Write has
// returned. Meanwhile Apply may run as usual, under the same lock
// discipline as before; Write needs no lock and may run concurrently with
// Apply and with reads. Only one snapshot may be in progress: a second
// BeginSnapshot before EndSnapshot panics.
func (t *Tree) BeginSnapshot() *Snapshot {
	if t.cow != nil {
		panic("tree: BeginSnapshot while a snapshot is in progress")
	}
	t.gen++
	c := &cow{gen: t.gen, saved: map[*node]*savedNode{}}
	t.cow = c
	return &Snapshot{t: t, c: c, head: t.snapHead(), root: t.root}
}

// Zxid is the last zxid the snapshot covers.
func (s *Snapshot) Zxid() int64 { return s.head.lastZxid }

// Write writes the image in WriteSnapshot's format: the bytes WriteSnapshot
// would have written at BeginSnapshot. It may run concurrently with Apply
// and reads, but only once per Snapshot.
func (s *Snapshot) Write(w io.Writer) error {
	stop := func() error {
		if s.aborted.Load() {
			return errSnapshotAborted
		}
		if s.onNode != nil {
			s.onNode()
		}
		return nil
	}
	return writeSnapshot(w, s.head, s.root, s.view, stop)
}

// Abort makes a running or later Write stop at the next node with an
// error. It is safe to call from any goroutine.
func (s *Snapshot) Abort() { s.aborted.Store(true) }

// Saved is the number of nodes copied so far because they changed while
// the snapshot was in progress.
func (s *Snapshot) Saved() int {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	return len(s.c.saved)
}

// view is the nodeView of the image: the saved copy if n changed since
// BeginSnapshot, the live node otherwise.
func (s *Snapshot) view(n, out *node) []*node {
	s.c.mu.Lock()
	var slots []*node
	if sv := s.c.saved[n]; sv != nil {
		*out = sv.n
		slots = sv.kids
	} else {
		*out = *n
		if n.children != nil {
			slots = slices.Clone(n.children.slots)
		}
	}
	s.c.mu.Unlock()
	return slices.DeleteFunc(slots, func(c *node) bool { return c == nil })
}

// EndSnapshot ends the copy-on-write of s and drops the saved copies. The
// caller holds the tree still, as for Apply.
func (t *Tree) EndSnapshot(s *Snapshot) {
	if t.cow == s.c {
		t.cow = nil
	}
	s.c.mu.Lock()
	s.c.saved = nil
	s.c.mu.Unlock()
}

// touch must precede every change to n (its fields or its child set)
// while it is linked in the tree: during a snapshot it saves n's state
// the first time n changes.
func (t *Tree) touch(n *node) {
	c := t.cow
	if c == nil || n.gen == c.gen {
		return
	}
	sv := &savedNode{n: *n}
	if n.children != nil {
		sv.kids = slices.Clone(n.children.slots)
	}
	sv.n.children = nil // the live set; the writer uses kids
	c.mu.Lock()
	c.saved[n] = sv
	n.gen = c.gen
	c.mu.Unlock()
}
