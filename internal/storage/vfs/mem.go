package vfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"path/filepath"
	"sort"
	"sync"
)

// ErrCrashed is returned by every mutating operation of a MemFS after its
// crash point has been reached.
var ErrCrashed = errors.New("vfs: simulated crash")

// SectorSize is the unit in which MemFS persists a partially applied write at
// a crash: each sector of the write survives or is lost as a whole, as on a
// disk with atomic sector writes.
const SectorSize = 512

// MemFS is an in-memory filesystem that tracks what is durable. File data
// becomes durable at File.Sync; creations, removals and renames become durable
// at SyncDir of their directory. CrashClone returns the filesystem a machine
// would find after power loss: everything durable, plus a seeded share of
// what was not (a prefix of the unsynced writes of each file, the next one
// partially applied sector by sector, and a prefix of the unsynced directory
// operations).
//
// The zero value is not usable; call NewMem.
type MemFS struct {
	mu      sync.Mutex
	files   map[string]*memNode // current namespace
	durable map[string]*memNode // namespace as of the last SyncDir
	dirs    map[string]bool
	dirOps  []dirOp // unsynced namespace operations, in order

	ops     int64 // mutating operations performed
	crashAt int64 // 0: never
	seed    int64
	crashed *MemFS
}

type memNode struct {
	data    []byte // current contents
	synced  []byte // contents as of the last Sync
	pending []writeOp
}

type writeOp struct {
	off   int64
	data  []byte
	trunc bool
	size  int64
}

type dirOp struct {
	dir     string
	name    string // path created, removed, or renamed from
	newname string // rename target
	node    *memNode
	kind    byte // 'c' create, 'r' remove, 'm' rename
}

// NewMem returns an empty in-memory filesystem.
func NewMem() *MemFS {
	return &MemFS{
		files:   map[string]*memNode{},
		durable: map[string]*memNode{},
		dirs:    map[string]bool{"/": true, ".": true},
	}
}

// CrashAfter arranges for the n-th mutating operation from now (1 = the
// next one) to crash the filesystem: that operation and every later mutating
// one fail with ErrCrashed, and the state just before it, crashed with the
// given seed, is kept for Crashed. n <= 0 disarms a pending crash.
func (m *MemFS) CrashAfter(n int64, seed int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n <= 0 {
		m.crashAt = 0
		return
	}
	m.crashAt = m.ops + n
	m.seed = seed
}

// Crashed returns the filesystem left by the crash arranged with CrashAfter,
// or nil if it has not happened.
func (m *MemFS) Crashed() *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.crashed
}

// Ops returns the number of mutating operations performed so far.
func (m *MemFS) Ops() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ops
}

// mutate counts a mutating operation and reports whether it may proceed.
// m.mu is held.
func (m *MemFS) mutate() error {
	if m.crashed != nil {
		return ErrCrashed
	}
	m.ops++
	if m.crashAt != 0 && m.ops >= m.crashAt {
		m.crashed = m.crashCloneLocked(rand.New(rand.NewSource(m.seed)))
		return ErrCrashed
	}
	return nil
}

// CrashClone returns the state after a simulated power loss, choosing what
// unsynced data survives with a generator seeded by seed.
func (m *MemFS) CrashClone(seed int64) *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.crashCloneLocked(rand.New(rand.NewSource(seed)))
}

func (m *MemFS) crashCloneLocked(rng *rand.Rand) *MemFS {
	ns := make(map[string]*memNode, len(m.durable))
	for k, v := range m.durable {
		ns[k] = v
	}
	keep := 0
	if len(m.dirOps) > 0 {
		keep = rng.Intn(len(m.dirOps) + 1)
	}
	for _, op := range m.dirOps[:keep] {
		switch op.kind {
		case 'c':
			ns[op.name] = op.node
		case 'r':
			delete(ns, op.name)
		case 'm':
			if n, ok := ns[op.name]; ok {
				delete(ns, op.name)
				ns[op.newname] = n
			}
		}
	}
	out := NewMem()
	for k := range m.dirs {
		out.dirs[k] = true
	}
	names := make([]string, 0, len(ns))
	for k := range ns {
		names = append(names, k)
	}
	sort.Strings(names) // deterministic use of rng
	for _, k := range names {
		n := ns[k].crashContents(rng)
		out.files[k] = n
		out.durable[k] = n
	}
	return out
}

// crashContents returns a node holding the synced data plus a random prefix
// of the pending writes, the last of them applied sector by sector.
func (n *memNode) crashContents(rng *rand.Rand) *memNode {
	data := append([]byte(nil), n.synced...)
	if len(n.pending) > 0 {
		k := rng.Intn(len(n.pending) + 1)
		for _, op := range n.pending[:k] {
			data = applyOp(data, op)
		}
		if k < len(n.pending) {
			op := n.pending[k]
			if op.trunc {
				if rng.Intn(2) == 0 {
					data = applyOp(data, op)
				}
			} else {
				for off := op.off; off < op.off+int64(len(op.data)); {
					end := (off/SectorSize + 1) * SectorSize
					if e := op.off + int64(len(op.data)); end > e {
						end = e
					}
					if rng.Intn(2) == 0 {
						data = applyOp(data, writeOp{off: off, data: op.data[off-op.off : end-op.off]})
					}
					off = end
				}
			}
		}
	}
	return &memNode{data: data, synced: append([]byte(nil), data...)}
}

func applyOp(data []byte, op writeOp) []byte {
	if op.trunc {
		if int64(len(data)) >= op.size {
			return data[:op.size]
		}
		return append(data, make([]byte, op.size-int64(len(data)))...)
	}
	end := op.off + int64(len(op.data))
	if int64(len(data)) < end {
		data = append(data, make([]byte, end-int64(len(data)))...)
	}
	copy(data[op.off:], op.data)
	return data
}

func clean(name string) string { return filepath.Clean(name) }

// Create implements FS.
func (m *MemFS) Create(name string) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.mutate(); err != nil {
		return nil, &fs.PathError{Op: "create", Path: name, Err: err}
	}
	if !m.dirs[filepath.Dir(name)] {
		return nil, &fs.PathError{Op: "create", Path: name, Err: fs.ErrNotExist}
	}
	if n, ok := m.files[name]; ok {
		op := writeOp{trunc: true, size: 0}
		n.data = n.data[:0]
		n.pending = append(n.pending, op)
		return &memFile{fs: m, n: n, name: name}, nil
	}
	n := &memNode{}
	m.files[name] = n
	m.dirOps = append(m.dirOps, dirOp{dir: filepath.Dir(name), name: name, node: n, kind: 'c'})
	return &memFile{fs: m, n: n, name: name}, nil
}

// Open implements FS.
func (m *MemFS) Open(name string) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{fs: m, n: n, name: name, readOnly: true}, nil
}

// OpenReadWrite implements FS.
func (m *MemFS) OpenReadWrite(name string) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{fs: m, n: n, name: name}, nil
}

// Remove implements FS.
func (m *MemFS) Remove(name string) error {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.mutate(); err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	if _, ok := m.files[name]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.files, name)
	m.dirOps = append(m.dirOps, dirOp{dir: filepath.Dir(name), name: name, kind: 'r'})
	return nil
}

// Rename implements FS. A rename across directories is durable once the
// source directory is synced.
func (m *MemFS) Rename(oldname, newname string) error {
	oldname, newname = clean(oldname), clean(newname)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.mutate(); err != nil {
		return &fs.PathError{Op: "rename", Path: oldname, Err: err}
	}
	n, ok := m.files[oldname]
	if !ok {
		return &fs.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	delete(m.files, oldname)
	m.files[newname] = n
	m.dirOps = append(m.dirOps, dirOp{dir: filepath.Dir(oldname), name: oldname, newname: newname, kind: 'm'})
	return nil
}

// MkdirAll implements FS. Directories are durable at once.
func (m *MemFS) MkdirAll(dir string) error {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	for d := dir; ; d = filepath.Dir(d) {
		m.dirs[d] = true
		if d == filepath.Dir(d) {
			break
		}
	}
	return nil
}

// List implements FS.
func (m *MemFS) List(dir string) ([]string, error) {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.dirs[dir] {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrNotExist}
	}
	var names []string
	for k := range m.files {
		if filepath.Dir(k) == dir {
			names = append(names, filepath.Base(k))
		}
	}
	sort.Strings(names)
	return names, nil
}

// SyncDir implements FS.
func (m *MemFS) SyncDir(dir string) error {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.mutate(); err != nil {
		return &fs.PathError{Op: "syncdir", Path: dir, Err: err}
	}
	rest := m.dirOps[:0]
	for _, op := range m.dirOps {
		if op.dir != dir {
			rest = append(rest, op)
			continue
		}
		switch op.kind {
		case 'c':
			m.durable[op.name] = op.node
		case 'r':
			delete(m.durable, op.name)
		case 'm':
			if n, ok := m.durable[op.name]; ok {
				delete(m.durable, op.name)
				m.durable[op.newname] = n
			}
		}
	}
	m.dirOps = rest
	return nil
}

// ReadFile returns a copy of a file's current contents (for tests).
func (m *MemFS) ReadFile(name string) ([]byte, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return append([]byte(nil), n.data...), nil
}

// WriteFile replaces a file's contents, durably, bypassing crash tracking
// (for tests that damage files).
func (m *MemFS) WriteFile(name string, data []byte) error {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := &memNode{data: append([]byte(nil), data...), synced: append([]byte(nil), data...)}
	m.files[name] = n
	m.durable[name] = n
	return nil
}

type memFile struct {
	fs       *MemFS
	n        *memNode
	name     string
	off      int64
	readOnly bool
	closed   bool
}

func (f *memFile) Read(p []byte) (int, error) {
	n, err := f.ReadAt(p, f.off)
	f.off += int64(n)
	return n, err
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if off >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.n.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.readOnly || f.closed {
		return 0, &fs.PathError{Op: "write", Path: f.name, Err: fs.ErrPermission}
	}
	if err := f.fs.mutate(); err != nil {
		return 0, &fs.PathError{Op: "write", Path: f.name, Err: err}
	}
	op := writeOp{off: f.off, data: append([]byte(nil), p...)}
	f.n.data = applyOp(f.n.data, op)
	f.n.pending = append(f.n.pending, op)
	f.off += int64(len(p))
	return len(p), nil
}

func (f *memFile) Close() error {
	f.closed = true
	return nil
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.mutate(); err != nil {
		return &fs.PathError{Op: "sync", Path: f.name, Err: err}
	}
	for _, op := range f.n.pending {
		f.n.synced = applyOp(f.n.synced, op)
	}
	f.n.pending = nil
	return nil
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.readOnly {
		return &fs.PathError{Op: "truncate", Path: f.name, Err: fs.ErrPermission}
	}
	if err := f.fs.mutate(); err != nil {
		return &fs.PathError{Op: "truncate", Path: f.name, Err: err}
	}
	op := writeOp{trunc: true, size: size}
	f.n.data = applyOp(f.n.data, op)
	f.n.pending = append(f.n.pending, op)
	return nil
}

func (f *memFile) Preallocate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.mutate(); err != nil {
		return &fs.PathError{Op: "fallocate", Path: f.name, Err: err}
	}
	if int64(len(f.n.data)) >= size {
		return nil
	}
	op := writeOp{trunc: true, size: size}
	f.n.data = applyOp(f.n.data, op)
	f.n.pending = append(f.n.pending, op)
	return nil
}

func (f *memFile) Size() (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return int64(len(f.n.data)), nil
}

var _ FS = (*MemFS)(nil)

// String describes the filesystem (for test failure messages).
func (m *MemFS) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fmt.Sprintf("MemFS{%d files, %d ops}", len(m.files), m.ops)
}
