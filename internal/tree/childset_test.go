package tree

import (
	"math/rand"
	"sort"
	"strconv"
	"testing"
)

// TestChildSetMatchesMap drives a childSet and a map with the same seeded
// random adds and removes and compares them after every step.
func TestChildSetMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var s *childSet
	ref := map[string]*node{}
	for step := 0; step < 20000; step++ {
		name := strconv.Itoa(rng.Intn(300))
		if c := ref[name]; c != nil && rng.Intn(2) == 0 {
			s.remove(name)
			delete(ref, name)
		} else if c == nil {
			c = &node{path: "/p/" + name}
			if s == nil {
				s = &childSet{}
			}
			s.add(c)
			ref[name] = c
		}
		if s.len() != len(ref) {
			t.Fatalf("step %d: len %d, want %d", step, s.len(), len(ref))
		}
		probe := strconv.Itoa(rng.Intn(300))
		if s.get(probe) != ref[probe] {
			t.Fatalf("step %d: get %s wrong", step, probe)
		}
	}
	var got, want []string
	for _, c := range s.nodes() {
		got = append(got, c.path)
	}
	for _, c := range ref {
		want = append(want, c.path)
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != len(want) {
		t.Fatalf("nodes %d, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("nodes differ at %d: %s vs %s", i, got[i], want[i])
		}
	}
	for name := range ref {
		s.remove(name)
	}
	if s.len() != 0 || len(s.slots) > 8 {
		t.Fatalf("after removing all: len %d, %d slots", s.len(), len(s.slots))
	}
	var empty *childSet
	if empty.get("x") != nil || empty.len() != 0 || len(empty.nodes()) != 0 {
		t.Fatal("nil set")
	}
}
