package recipes

import (
	"fmt"
	"testing"
)

// Table tests for the pure parts: node names, ordering and what each kind
// of contender waits for.

const guid = "0123456789abcdef0123456789abcdef"

func TestKindAndSeq(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind string
		seq  int64
		ok   bool
	}{
		{"_c_" + guid + "-lock-0000000007", "lock-", 7, true},
		{"_c_" + guid + "-read-0000000010", "read-", 10, true},
		{"_c_" + guid + "-write-2147483647", "write-", 2147483647, true},
		{"qn-00005-0000000003", "qn-00005-", 3, true},
		{"lock-0000000001", "lock-", 1, true},
		{"ready", "ready", 0, false},
	} {
		if k := kindOf(tc.name); k != tc.kind {
			t.Errorf("kindOf(%q) = %q, want %q", tc.name, k, tc.kind)
		}
		seq, ok := seqOf(tc.name)
		if ok != tc.ok || (ok && seq != tc.seq) {
			t.Errorf("seqOf(%q) = %d, %v; want %d, %v", tc.name, seq, ok, tc.seq, tc.ok)
		}
	}
}

func TestSortSeq(t *testing.T) {
	in := []string{
		"_c_ffffffffffffffffffffffffffffffff-lock-0000000003",
		"ready",
		"_c_00000000000000000000000000000000-lock-0000000010",
		"_c_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-lock-0000000001",
	}
	got := sortSeq(in)
	want := "[_c_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-lock-0000000001 _c_ffffffffffffffffffffffffffffffff-lock-0000000003 _c_00000000000000000000000000000000-lock-0000000010]"
	if fmt.Sprint(got) != want {
		t.Fatalf("sortSeq = %v", got)
	}
	if len(in) != 4 || in[1] != "ready" {
		t.Fatalf("sortSeq changed its input: %v", in)
	}
}

func TestBlockers(t *testing.T) {
	n := func(kind string, seq int) string { return fmt.Sprintf("_c_%s-%s%010d", guid, kind, seq) }
	r1, w2, r3, r4, w5 := n("read-", 1), n("write-", 2), n("read-", 3), n("read-", 4), n("write-", 5)
	list := []string{r1, w2, r3, r4, w5}
	sem := &Semaphore{n: 2}
	for _, tc := range []struct {
		what string
		b    blocker
		me   int
		want waitFor
	}{
		{"lock first holds", lockBlocker, 0, waitFor{}},
		{"lock waits on predecessor", lockBlocker, 3, waitFor{node: r3}},
		{"first reader holds", readBlocker, 0, waitFor{}},
		{"reader after writer waits on it", readBlocker, 2, waitFor{node: w2}},
		{"reader waits on nearest writer, not reader", readBlocker, 3, waitFor{node: w2}},
		{"semaphore within n holds", sem.blocker, 1, waitFor{}},
		{"semaphore beyond n watches children", sem.blocker, 2, waitFor{children: true}},
	} {
		if got := tc.b(list, tc.me); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.what, got, tc.want)
		}
	}
}

func TestParseItem(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
		prio int
		seq  int64
	}{
		{"qn-00000-0000000004", true, 0, 4},
		{"qn-00900-0000000012", true, 900, 12},
		{"_c_" + guid + "-qn-00003-0000000001", true, 3, 1},
		{"claim-" + guid, false, 0, 0},
		{"put-" + guid, false, 0, 0},
		{"qn-0000000004", false, 0, 0},
	} {
		it, ok := parseItem(tc.name)
		if ok != tc.ok || (ok && (it.priority != tc.prio || it.seq != tc.seq)) {
			t.Errorf("parseItem(%q) = %+v, %v", tc.name, it, ok)
		}
	}
}
