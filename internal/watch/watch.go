// Package watch is a server's watch registry: one-time data, exist and
// child watches, persistent and persistent-recursive watches (addWatch),
// their removal, and the routing of tree events to watchers.
//
// W is whatever identifies a watcher (the server uses its connection).
// All methods are safe for concurrent use. Routing follows ZooKeeper's
// DataTree/WatchManager:
//   - NodeCreated, NodeDeleted, NodeDataChanged fire data (and exist)
//     watches on the path, persistent watches on the path, and recursive
//     watches on the path or any ancestor;
//   - NodeDeleted also fires child watches on the path;
//   - NodeChildrenChanged fires child watches and persistent (not
//     recursive) watches on the path.
//
// One-time watches are removed when they fire; a watcher is told at most
// once per event.
package watch

import (
	"sort"
	"sync"

	"github.com/synod-dev/synod/internal/wire"
)

// Kind is a set of watch kinds a watcher holds on one path.
type Kind uint8

// Watch kinds. Data covers both getData and exists watches, as in ZooKeeper.
const (
	Data Kind = 1 << iota
	Child
	Persistent
	Recursive
)

// Registry holds the watches of one server.
type Registry[W comparable] struct {
	mu        sync.Mutex
	paths     map[string]map[W]Kind
	byWatcher map[W]map[string]struct{}
	recursive int // number of (path, watcher) pairs with Recursive
}

// New returns an empty registry.
func New[W comparable]() *Registry[W] {
	return &Registry[W]{
		paths:     make(map[string]map[W]Kind),
		byWatcher: make(map[W]map[string]struct{}),
	}
}

// Add gives w the watch kinds k on path.
func (r *Registry[W]) Add(w W, path string, k Kind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(w, path, k)
}

func (r *Registry[W]) addLocked(w W, path string, k Kind) {
	m := r.paths[path]
	if m == nil {
		m = make(map[W]Kind)
		r.paths[path] = m
	}
	old := m[w]
	if old&Recursive == 0 && k&Recursive != 0 {
		r.recursive++
	}
	m[w] = old | k
	pw := r.byWatcher[w]
	if pw == nil {
		pw = make(map[string]struct{})
		r.byWatcher[w] = pw
	}
	pw[path] = struct{}{}
}

// clearLocked removes kinds k of w on path and reports whether any were set.
func (r *Registry[W]) clearLocked(w W, path string, k Kind) bool {
	m := r.paths[path]
	old, ok := m[w]
	if !ok || old&k == 0 {
		return false
	}
	if old&k&Recursive != 0 {
		r.recursive--
	}
	nw := old &^ k
	if nw == 0 {
		delete(m, w)
		if len(m) == 0 {
			delete(r.paths, path)
		}
		if pw := r.byWatcher[w]; pw != nil {
			delete(pw, path)
			if len(pw) == 0 {
				delete(r.byWatcher, w)
			}
		}
	} else {
		m[w] = nw
	}
	return true
}

// Has reports whether w holds any of the kinds k on path.
func (r *Registry[W]) Has(w W, path string, k Kind) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paths[path][w]&k != 0
}

// kindsFor maps a removeWatches/checkWatches type to the kinds it covers.
// ZooKeeper 3.8 keeps persistent watches in both its data and child watch
// managers and recursive ones in the data manager, and its Data and
// Children types match every mode in their manager (measured against
// 3.8.0: checkWatches Data on a persistent watch succeeds).
func kindsFor(t wire.WatcherType) Kind {
	switch t {
	case wire.WatcherChildren:
		return Child | Persistent
	case wire.WatcherData:
		return Data | Persistent | Recursive
	case wire.WatcherAny:
		return Data | Child | Persistent | Recursive
	case wire.WatcherPersistent:
		return Persistent
	case wire.WatcherPersistentRecursive:
		return Recursive
	}
	return 0
}

// Remove drops w's watches of type t on path (removeWatches). It reports
// false when there was none (the caller answers ZNoWatcher).
func (r *Registry[W]) Remove(w W, path string, t wire.WatcherType) bool {
	k := kindsFor(t)
	if k == 0 {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.clearLocked(w, path, k)
}

// Check reports whether w has a watch of type t on path (checkWatches).
func (r *Registry[W]) Check(w W, path string, t wire.WatcherType) bool {
	k := kindsFor(t)
	return k != 0 && r.Has(w, path, k)
}

// RemoveAll drops every watch of w (its connection closed).
func (r *Registry[W]) RemoveAll(w W) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for path := range r.byWatcher[w] {
		if m := r.paths[path]; m != nil {
			if m[w]&Recursive != 0 {
				r.recursive--
			}
			delete(m, w)
			if len(m) == 0 {
				delete(r.paths, path)
			}
		}
	}
	delete(r.byWatcher, w)
}

// Delivery is one notification to send.
type Delivery[W comparable] struct {
	Watcher W
	Event   wire.WatcherEvent
}

// Trigger routes one tree event and appends the notifications to out,
// removing the one-time watches that fired.
func (r *Registry[W]) Trigger(typ wire.EventType, path string, out []Delivery[W]) []Delivery[W] {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := wire.WatcherEvent{Type: typ, State: wire.StateSyncConnected, Path: path}
	start := len(out)
	told := func(w W) bool {
		for _, d := range out[start:] {
			if d.Watcher == w {
				return true
			}
		}
		return false
	}
	tell := func(w W) {
		if !told(w) {
			out = append(out, Delivery[W]{Watcher: w, Event: ev})
		}
	}
	m := r.paths[path]
	var fired []W
	switch typ {
	case wire.EventNodeChildrenChanged:
		for w, k := range m {
			if k&Child != 0 {
				tell(w)
				fired = append(fired, w)
			} else if k&Persistent != 0 {
				tell(w)
			}
		}
		for _, w := range fired {
			r.clearLocked(w, path, Child)
		}
		return out
	case wire.EventNodeCreated, wire.EventNodeDeleted, wire.EventNodeDataChanged:
		oneShot := Data
		if typ == wire.EventNodeDeleted {
			oneShot |= Child
		}
		for w, k := range m {
			if k&(oneShot|Persistent|Recursive) != 0 {
				tell(w)
			}
			if k&oneShot != 0 {
				fired = append(fired, w)
			}
		}
		for _, w := range fired {
			r.clearLocked(w, path, oneShot)
		}
		if r.recursive > 0 {
			for p := parent(path); p != ""; p = parent(p) {
				for w, k := range r.paths[p] {
					if k&Recursive != 0 {
						tell(w)
					}
				}
			}
		}
	}
	return out
}

// parent returns the parent of a path, "/" for a top-level node and "" for
// the root.
func parent(p string) string {
	if p == "/" || p == "" {
		return ""
	}
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			if i == 0 {
				return "/"
			}
			return p[:i]
		}
	}
	return ""
}

// Summary is what wchs reports.
type Summary struct {
	Watchers int // watchers holding at least one watch
	Paths    int // paths watched
	Total    int // (path, watcher) pairs
}

// Summarize counts watches. As ZooKeeper's wchs reads only its data-watch
// manager, only data, persistent and recursive watches count.
func (r *Registry[W]) Summarize() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s Summary
	ws := map[W]struct{}{}
	for _, m := range r.paths {
		n := 0
		for w, k := range m {
			if k&(Data|Persistent|Recursive) != 0 {
				n++
				ws[w] = struct{}{}
			}
		}
		if n > 0 {
			s.Paths++
			s.Total += n
		}
	}
	s.Watchers = len(ws)
	return s
}

// ByWatcher lists, per watcher, the sorted paths it watches (wchc); only
// data-manager kinds count, as in Summarize.
func (r *Registry[W]) ByWatcher() map[W][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[W][]string{}
	for p, m := range r.paths {
		for w, k := range m {
			if k&(Data|Persistent|Recursive) != 0 {
				out[w] = append(out[w], p)
			}
		}
	}
	for _, ps := range out {
		sort.Strings(ps)
	}
	return out
}

// ByPath lists, per path, the watchers on it (wchp); only data-manager
// kinds count, as in Summarize.
func (r *Registry[W]) ByPath() map[string][]W {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][]W{}
	for p, m := range r.paths {
		for w, k := range m {
			if k&(Data|Persistent|Recursive) != 0 {
				out[p] = append(out[p], w)
			}
		}
	}
	return out
}

// Count is the number of (path, watcher, kind) watches of any kind.
func (r *Registry[W]) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.paths {
		for _, k := range m {
			for b := k; b != 0; b &= b - 1 {
				n++
			}
		}
	}
	return n
}
