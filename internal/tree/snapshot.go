package tree

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"slices"
	"sort"
	"unsafe"

	"github.com/synod-dev/synod/internal/wire"
)

// Snapshot format (all integers big-endian, records in jute encoding):
//
//	[8]byte  magic "SYNODTRE"
//	byte     format version (1)
//	long     lastZxid
//	int      number of ACL lists; each a jute ACL vector, in table order
//	int      number of sessions; each {long id; int timeoutMs}, by id
//	long     number of nodes, root included
//	nodes    in depth-first pre-order, children in byte order; each
//	         {int recordLength; record}, record = {ustring path;
//	         buffer data; long czxid, mzxid, pzxid, ctime, mtime, owner;
//	         int version, cversion, aversion, seq; int aclIndex}
//	[4]byte  CRC-32C (Castagnoli) of everything before it
//
// A node's parent always precedes it, so reading rebuilds the tree in one
// pass. The order makes the bytes a function of the state alone.

const (
	snapMagic   = "SYNODTRE"
	snapVersion = 1
	// maxSnapRecord bounds one node record: a path and data within two
	// frames' worth plus the fixed fields.
	maxSnapRecord = 4*wire.MaxBuffer + 1024
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteSnapshot writes the whole state to w. The caller keeps the tree
// still meanwhile (the write lock, or the read lock when only Apply
// writes); BeginSnapshot lets writes go on.
func (t *Tree) WriteSnapshot(w io.Writer) error {
	return writeSnapshot(w, t.snapHead(), t.root, liveView, nil)
}

// snapHead is the part of a snapshot written before the nodes: the tree-wide
// state. acls is the interned table, which only grows, so the slice is an
// immutable view of the lists that existed when it was taken.
type snapHead struct {
	lastZxid int64
	acls     [][]wire.ACL
	sessIDs  []int64 // sorted
	sessTO   []int32 // timeouts, by sessIDs
	count    int64
}

// snapHead captures the tree-wide state; it copies the session table and
// so costs O(sessions).
func (t *Tree) snapHead() snapHead {
	h := snapHead{lastZxid: t.lastZxid, acls: t.acls.lists[:len(t.acls.lists):len(t.acls.lists)], count: int64(t.count)}
	h.sessIDs = make([]int64, 0, len(t.sessions))
	for id := range t.sessions {
		h.sessIDs = append(h.sessIDs, id)
	}
	slices.Sort(h.sessIDs)
	h.sessTO = make([]int32, len(h.sessIDs))
	for i, id := range h.sessIDs {
		h.sessTO[i] = t.sessions[id]
	}
	return h
}

// nodeView copies the snapshot-visible fields of n into out and returns
// n's children as of the snapshot, in any order; the caller may reorder
// the returned slice.
type nodeView func(n, out *node) []*node

// liveView reads n as it is now.
func liveView(n, out *node) []*node {
	*out = *n
	return n.children.nodes()
}

// writeSnapshot writes the format above: h, then every node reachable
// from root through view, depth first, children in byte order. stop, if
// not nil, is polled between nodes; a non-nil result aborts the write.
func writeSnapshot(w io.Writer, h snapHead, root *node, view nodeView, stop func() error) error {
	crc := crc32.New(castagnoli)
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
	e := wire.Encoder{Buf: make([]byte, 0, 4096)}
	e.Buf = append(e.Buf, snapMagic...)
	e.Buf = append(e.Buf, snapVersion)
	e.Long(h.lastZxid)
	e.Int(int32(len(h.acls)))
	for _, l := range h.acls {
		wire.EncodeACLs(&e, l)
	}
	e.Int(int32(len(h.sessIDs)))
	for i, id := range h.sessIDs {
		e.Long(id)
		e.Int(h.sessTO[i])
	}
	e.Long(h.count)
	if _, err := bw.Write(e.Buf); err != nil {
		return fmt.Errorf("tree: write snapshot header: %w", err)
	}
	var written int64
	var werr error
	var n node
	var walk func(p *node)
	walk = func(p *node) {
		if werr != nil {
			return
		}
		if stop != nil {
			if werr = stop(); werr != nil {
				return
			}
		}
		kids := view(p, &n)
		e.Buf = e.Buf[:0]
		e.Int(0) // length, patched below
		e.String(n.path)
		e.Buffer(n.bytes())
		e.Long(n.czxid)
		e.Long(n.mzxid)
		e.Long(n.pzxid)
		e.Long(n.ctime)
		e.Long(n.mtime)
		e.Long(n.owner)
		e.Int(n.version)
		e.Int(n.cversion)
		e.Int(n.aversion)
		e.Int(n.seq)
		e.Int(int32(n.acl))
		binary.BigEndian.PutUint32(e.Buf, uint32(len(e.Buf)-4))
		if _, err := bw.Write(e.Buf); err != nil {
			werr = fmt.Errorf("tree: write snapshot node %s: %w", n.path, err)
			return
		}
		written++
		if len(kids) == 0 {
			return
		}
		sort.Slice(kids, func(i, j int) bool { return kids[i].path < kids[j].path })
		for _, c := range kids {
			walk(c)
		}
	}
	walk(root)
	if werr != nil {
		return werr
	}
	if written != h.count {
		// The view is not the state the header describes: a mutation
		// escaped copy-on-write. The file would not load; say so now.
		return fmt.Errorf("tree: snapshot at zxid %#x wrote %d nodes, header says %d", h.lastZxid, written, h.count)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("tree: write snapshot: %w", err)
	}
	if _, err := w.Write(crc.Sum(nil)); err != nil {
		return fmt.Errorf("tree: write snapshot crc: %w", err)
	}
	return nil
}

// snapReader reads a snapshot while hashing what it reads.
type snapReader struct {
	r   *bufio.Reader
	crc hash.Hash32
	buf [8]byte
	err error
}

func (s *snapReader) full(b []byte) {
	if s.err != nil {
		return
	}
	if _, err := io.ReadFull(s.r, b); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		s.err = err
		return
	}
	s.crc.Write(b)
}

func (s *snapReader) long() int64 {
	s.full(s.buf[:8])
	if s.err != nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(s.buf[:8]))
}

func (s *snapReader) int() int32 {
	s.full(s.buf[:4])
	if s.err != nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(s.buf[:4]))
}

// ReadSnapshot rebuilds a tree from WriteSnapshot's output. Damaged or
// truncated input is an error wrapping ErrCorrupt, never a panic.
func ReadSnapshot(r io.Reader, opts Options) (*Tree, error) {
	s := &snapReader{r: bufio.NewReaderSize(r, 1<<16), crc: crc32.New(castagnoli)}
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("%w: snapshot: %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
	var head [len(snapMagic) + 1]byte
	s.full(head[:])
	if s.err != nil {
		return nil, corrupt("header: %v", s.err)
	}
	if string(head[:len(snapMagic)]) != snapMagic || head[len(snapMagic)] != snapVersion {
		return nil, corrupt("bad magic or version %q", head[:])
	}
	t := &Tree{
		opts:       opts,
		ephemerals: map[int64]map[string]struct{}{},
		sessions:   map[int64]int32{},
		containers: map[string]struct{}{},
		ttls:       map[string]struct{}{},
	}
	t.acls.init()
	t.lastZxid = s.long()
	nACL := s.int()
	if s.err != nil || nACL < 0 || nACL > 1<<24 {
		return nil, corrupt("acl count %d: %v", nACL, s.err)
	}
	for i := int32(0); i < nACL; i++ {
		size := s.int()
		if s.err != nil || size < -1 || size > 1<<16 {
			return nil, corrupt("acl list %d size %d: %v", i, size, s.err)
		}
		var list []wire.ACL
		if size >= 0 {
			list = make([]wire.ACL, size)
		}
		for j := range list {
			list[j].Perms = s.int()
			list[j].ID.Scheme = s.str()
			list[j].ID.ID = s.str()
		}
		if s.err != nil {
			return nil, corrupt("acl list %d: %v", i, s.err)
		}
		k := aclKey(list)
		if _, dup := t.acls.index[k]; dup {
			return nil, corrupt("acl list %d repeated", i)
		}
		t.acls.index[k] = uint32(len(t.acls.lists))
		t.acls.lists = append(t.acls.lists, list)
	}
	nSess := s.int()
	if s.err != nil || nSess < 0 {
		return nil, corrupt("session count %d: %v", nSess, s.err)
	}
	prev := int64(0)
	for i := int32(0); i < nSess && s.err == nil; i++ {
		id := s.long()
		if i > 0 && id <= prev {
			return nil, corrupt("session %#x out of order", id)
		}
		prev = id
		t.sessions[id] = s.int()
	}
	count := s.long()
	if s.err != nil || count < 1 {
		return nil, corrupt("node count %d: %v", count, s.err)
	}
	var l loader
	for i := int64(0); i < count; i++ {
		if err := t.readNode(s, &l, i == 0); err != nil {
			return nil, corrupt("node %d: %v", i, err)
		}
	}
	l.finish(0)
	want := s.crc.Sum32()
	var sum [4]byte
	if _, err := io.ReadFull(s.r, sum[:]); err != nil {
		return nil, corrupt("crc: %v", err)
	}
	if got := binary.BigEndian.Uint32(sum[:]); got != want {
		return nil, corrupt("crc %08x, computed %08x", got, want)
	}
	if _, err := s.r.ReadByte(); err != io.EOF {
		return nil, corrupt("trailing bytes after crc")
	}
	return t, nil
}

// str reads a jute ustring.
func (s *snapReader) str() string {
	n := s.int()
	if s.err != nil || n <= 0 {
		return ""
	}
	if n > 1<<20 {
		s.err = fmt.Errorf("string length %d", n)
		return ""
	}
	b := make([]byte, n)
	s.full(b)
	return string(b)
}

// loader keeps the state of one ReadSnapshot pass. Nodes come in depth-
// first pre-order with siblings in byte order, so a node's parent is on
// the stack of the nodes whose subtrees are still open, and the children
// of a node are all known when its subtree closes: each child set is then
// built once at its final size, with no lookups from the root and no
// rehashing as it grows.
type loader struct {
	stack []loadFrame
	rec   []byte // the current record, reused
	slab  []node // nodes handed out in blocks: one allocation per block, not per znode
	arena []byte // node data, copied in blocks
}

// loadSlab is how many nodes one block holds (about 57 KiB). A block stays
// in memory while any of its nodes is in the tree.
const loadSlab = 512

// loadArena is the size of the blocks node data is copied into at load.
// Data is never changed in place, so nodes can share a block; a block
// stays in memory while any node still holds the data it was loaded with.
const loadArena = 64 << 10

// data copies a node's data out of the record buffer into the current
// arena block (large values get their own allocation). nil stays nil and
// empty stays empty.
func (l *loader) data(b []byte) []byte {
	switch {
	case b == nil:
		return nil
	case len(b) == 0:
		return []byte{}
	case len(b) > loadArena/8:
		return append([]byte(nil), b...)
	}
	if len(b) > cap(l.arena)-len(l.arena) {
		l.arena = make([]byte, 0, loadArena)
	}
	start := len(l.arena)
	l.arena = append(l.arena, b...)
	return l.arena[start:len(l.arena):len(l.arena)]
}

// path copies a node's path into the current arena block, so paths do not
// cost an allocation each; the bytes are never written again.
func (l *loader) path(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	p := l.data(b)
	return unsafe.String(unsafe.SliceData(p), len(p))
}

// newNode returns a zeroed node from the current block.
func (l *loader) newNode() *node {
	if len(l.slab) == 0 {
		l.slab = make([]node, loadSlab)
	}
	n := &l.slab[0]
	l.slab = l.slab[1:]
	return n
}

// loadFrame is a node whose subtree is still being read.
type loadFrame struct {
	n    *node
	kids []*node // children read so far, in byte order
}

// finish closes the subtrees above depth: each popped node gets its
// child set.
func (l *loader) finish(depth int) {
	for len(l.stack) > depth {
		f := &l.stack[len(l.stack)-1]
		if len(f.kids) > 0 {
			f.n.children = newChildSet(f.kids)
		}
		f.n, f.kids = nil, f.kids[:0]
		l.stack = l.stack[:len(l.stack)-1]
	}
}

// push opens n's subtree, reusing a popped frame's slice.
func (l *loader) push(n *node) {
	if len(l.stack) < cap(l.stack) {
		l.stack = l.stack[:len(l.stack)+1]
		l.stack[len(l.stack)-1].n = n
		return
	}
	l.stack = append(l.stack, loadFrame{n: n})
}

// readNode reads one node record and links it under its parent, which an
// earlier record must have created and whose subtree must still be open.
func (t *Tree) readNode(s *snapReader, l *loader, isRoot bool) error {
	size := s.int()
	if s.err != nil {
		return s.err
	}
	if size < 0 || size > maxSnapRecord {
		return fmt.Errorf("record length %d", size)
	}
	if int(size) > cap(l.rec) {
		l.rec = make([]byte, size, max(int(size), 2*cap(l.rec), 256))
	}
	rec := l.rec[:size]
	s.full(rec)
	if s.err != nil {
		return s.err
	}
	d := wire.NewDecoder(rec)
	path := l.path(d.BufferView())
	data := l.data(d.BufferView())
	var n node
	n.czxid, n.mzxid, n.pzxid = d.Long(), d.Long(), d.Long()
	n.ctime, n.mtime, n.owner = d.Long(), d.Long(), d.Long()
	n.version, n.cversion, n.aversion, n.seq = d.Int(), d.Int(), d.Int(), d.Int()
	acl := uint32(d.Int())
	if d.Err() != nil {
		return d.Err()
	}
	if d.Remaining() != 0 {
		return fmt.Errorf("%d stray bytes in record", d.Remaining())
	}
	if int(acl) >= len(t.acls.lists) {
		return fmt.Errorf("acl index %d of %d", acl, len(t.acls.lists))
	}
	if isRoot {
		if path != "/" {
			return fmt.Errorf("first node is %q, not /", path)
		}
		n.path, n.acl = path, acl
		n.setBytes(data)
		t.root = &n
		t.count = 1
		t.dataSize = int64(len(path) + len(data))
		l.push(t.root)
		return nil
	}
	if ValidatePath(path, false) != nil || path == "/" {
		return fmt.Errorf("bad path %q", path)
	}
	pp := parentPath(path)
	depth := len(l.stack)
	for depth > 0 && l.stack[depth-1].n.path != pp {
		depth--
	}
	if depth == 0 {
		return fmt.Errorf("parent of %q missing or out of order", path)
	}
	l.finish(depth)
	f := &l.stack[depth-1]
	parent := f.n
	if k := len(f.kids); k > 0 && f.kids[k-1].path >= path {
		return fmt.Errorf("node %q not after its sibling %q: duplicate or out of order", path, f.kids[k-1].path)
	}
	if t.isSessionOwner(parent.owner) {
		return fmt.Errorf("ephemeral parent of %q", path)
	}
	c := l.newNode()
	*c = n
	c.path, c.acl = path, acl
	c.setBytes(data)
	f.kids = append(f.kids, c)
	t.count++
	t.dataSize += int64(len(path) + len(data))
	t.index(c)
	l.push(c)
	return nil
}
