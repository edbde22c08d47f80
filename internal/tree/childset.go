package tree

import "hash/maphash"

// childSet is an open-addressing hash set of a node's children keyed by
// their base names (the last segment of each child's own path string, so
// names cost no memory of their own). With linear probing and a load of at
// most 3/4 it spends 8–16 bytes per child where a map[string]*node spends
// about 50. Iteration order is unspecified; callers that expose children
// sort them.
type childSet struct {
	slots []*node // length is a power of two
	count int
}

// childSeed is per process: the layout of a set is not part of the state.
var childSeed = maphash.MakeSeed()

func (s *childSet) home(name string) int {
	return int(maphash.String(childSeed, name) & uint64(len(s.slots)-1))
}

// isNamed reports whether c's base name is name, comparing only the tail
// of c's path: names hold no '/', so "/"+name as a suffix is exact.
func isNamed(c *node, name string) bool {
	p := c.path
	i := len(p) - len(name) - 1
	return i >= 0 && p[i] == '/' && p[i+1:] == name
}

// len is the number of children; a nil set has none.
func (s *childSet) len() int {
	if s == nil {
		return 0
	}
	return s.count
}

// get returns the child called name, or nil.
func (s *childSet) get(name string) *node {
	if s == nil {
		return nil
	}
	mask := len(s.slots) - 1
	for i := s.home(name); ; i = (i + 1) & mask {
		c := s.slots[i]
		if c == nil {
			return nil
		}
		if isNamed(c, name) {
			return c
		}
	}
}

// newChildSet returns a set of kids, whose names must be distinct, sized
// once for them.
func newChildSet(kids []*node) *childSet {
	size := 4
	for len(kids)*4 > size*3 {
		size *= 2
	}
	s := &childSet{slots: make([]*node, size), count: len(kids)}
	for _, c := range kids {
		s.place(c)
	}
	return s
}

// add inserts c, whose name must not be present yet.
func (s *childSet) add(c *node) {
	if (s.count+1)*4 > len(s.slots)*3 {
		s.resize(max(4, len(s.slots)*2))
	}
	s.place(c)
	s.count++
}

func (s *childSet) place(c *node) {
	mask := len(s.slots) - 1
	i := s.home(baseName(c.path))
	for s.slots[i] != nil {
		i = (i + 1) & mask
	}
	s.slots[i] = c
}

func (s *childSet) resize(size int) {
	old := s.slots
	s.slots = make([]*node, size)
	for _, c := range old {
		if c != nil {
			s.place(c)
		}
	}
}

// remove deletes the child called name, if present, with backward-shift
// deletion so no tombstones are needed.
func (s *childSet) remove(name string) {
	mask := len(s.slots) - 1
	i := s.home(name)
	for {
		c := s.slots[i]
		if c == nil {
			return
		}
		if isNamed(c, name) {
			break
		}
		i = (i + 1) & mask
	}
	for j := i; ; {
		j = (j + 1) & mask
		c := s.slots[j]
		if c == nil {
			break
		}
		k := s.home(baseName(c.path))
		// c may stay at j if its home lies cyclically in (i, j].
		if (i <= j && i < k && k <= j) || (i > j && (i < k || k <= j)) {
			continue
		}
		s.slots[i] = c
		i = j
	}
	s.slots[i] = nil
	s.count--
	if len(s.slots) > 8 && s.count*8 < len(s.slots) {
		s.resize(len(s.slots) / 2)
	}
}

// nodes returns the children in slot order.
func (s *childSet) nodes() []*node {
	out := make([]*node, 0, s.len())
	if s == nil {
		return out
	}
	for _, c := range s.slots {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}
