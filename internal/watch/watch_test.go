package watch

import (
	"sort"
	"testing"

	"github.com/synod-dev/synod/internal/wire"
)

type reg = Registry[string]

func fire(r *reg, typ wire.EventType, path string) []string {
	var out []string
	for _, d := range r.Trigger(typ, path, nil) {
		if d.Event.Path != path || d.Event.Type != typ || d.Event.State != wire.StateSyncConnected {
			panic("event mangled")
		}
		out = append(out, d.Watcher)
	}
	sort.Strings(out)
	return out
}

func eq(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRouting(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *reg)
		typ   wire.EventType
		path  string
		want  []string
		again []string // a second identical event
	}{
		{"data watch one-shot", func(r *reg) { r.Add("a", "/x", Data) }, wire.EventNodeDataChanged, "/x", []string{"a"}, nil},
		{"exist watch on create", func(r *reg) { r.Add("a", "/x", Data) }, wire.EventNodeCreated, "/x", []string{"a"}, nil},
		{"child watch ignores data", func(r *reg) { r.Add("a", "/x", Child) }, wire.EventNodeDataChanged, "/x", nil, nil},
		{"child watch on children", func(r *reg) { r.Add("a", "/x", Child) }, wire.EventNodeChildrenChanged, "/x", []string{"a"}, nil},
		{"delete fires data and child once", func(r *reg) { r.Add("a", "/x", Data|Child); r.Add("b", "/x", Child) }, wire.EventNodeDeleted, "/x", []string{"a", "b"}, nil},
		{"persistent stays", func(r *reg) { r.Add("a", "/x", Persistent) }, wire.EventNodeDataChanged, "/x", []string{"a"}, []string{"a"}},
		{"persistent gets children", func(r *reg) { r.Add("a", "/x", Persistent) }, wire.EventNodeChildrenChanged, "/x", []string{"a"}, []string{"a"}},
		{"recursive on ancestor", func(r *reg) { r.Add("a", "/", Recursive); r.Add("b", "/x", Recursive) }, wire.EventNodeCreated, "/x/y/z", []string{"a", "b"}, []string{"a", "b"}},
		{"recursive never children", func(r *reg) { r.Add("a", "/x", Recursive) }, wire.EventNodeChildrenChanged, "/x", nil, nil},
		{"recursive on itself", func(r *reg) { r.Add("a", "/x", Recursive) }, wire.EventNodeDeleted, "/x", []string{"a"}, []string{"a"}},
		{"sibling not told", func(r *reg) { r.Add("a", "/xy", Recursive) }, wire.EventNodeCreated, "/x/a", nil, nil},
		{"dedup one-shot plus recursive", func(r *reg) { r.Add("a", "/x", Data); r.Add("a", "/", Recursive) }, wire.EventNodeDataChanged, "/x", []string{"a"}, []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := New[string]()
			tc.setup(r)
			if got := fire(r, tc.typ, tc.path); !eq(got, tc.want) {
				t.Fatalf("first: got %v, want %v", got, tc.want)
			}
			if got := fire(r, tc.typ, tc.path); !eq(got, tc.again) {
				t.Fatalf("second: got %v, want %v", got, tc.again)
			}
		})
	}
}

func TestRemoveCheckAndCounts(t *testing.T) {
	r := New[string]()
	r.Add("a", "/x", Data|Child)
	r.Add("b", "/x", Persistent)
	r.Add("b", "/y", Recursive)
	if s := r.Summarize(); s != (Summary{Watchers: 2, Paths: 2, Total: 3}) {
		t.Fatalf("Summarize = %+v", s)
	}
	if !r.Check("a", "/x", wire.WatcherChildren) || r.Check("a", "/x", wire.WatcherPersistent) {
		t.Fatal("Check wrong")
	}
	if !r.Check("b", "/x", wire.WatcherData) || !r.Check("b", "/x", wire.WatcherChildren) || !r.Check("b", "/y", wire.WatcherData) || r.Check("b", "/y", wire.WatcherChildren) {
		t.Fatal("Data/Children checks should see persistent and recursive watches as ZooKeeper 3.8 does")
	}
	if !r.Remove("a", "/x", wire.WatcherData) || r.Remove("a", "/x", wire.WatcherData) {
		t.Fatal("Remove data should succeed once")
	}
	if !r.Remove("a", "/x", wire.WatcherAny) || r.Remove("a", "/x", wire.WatcherAny) {
		t.Fatal("Remove any should take the child watch once")
	}
	if r.Remove("b", "/y", wire.WatcherPersistent) {
		t.Fatal("persistent removal took a recursive watch")
	}
	r.Add("c", "/z", Recursive)
	if !r.Remove("c", "/z", wire.WatcherAny) {
		t.Fatal("Any did not remove a recursive watch")
	}
	r.RemoveAll("b")
	if n := r.Count(); n != 0 {
		t.Fatalf("Count = %d after RemoveAll", n)
	}
	if got := fire(r, wire.EventNodeCreated, "/y/z"); len(got) != 0 {
		t.Fatalf("removed recursive watch fired: %v", got)
	}
}

func TestParent(t *testing.T) {
	for in, want := range map[string]string{"/": "", "/a": "/", "/a/b": "/a", "/a/b/c": "/a/b"} {
		if got := parent(in); got != want {
			t.Errorf("parent(%q) = %q, want %q", in, got, want)
		}
	}
}
