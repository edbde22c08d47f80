package tree

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/synod-dev/synod/internal/wire"
)

// benchPaths pre-builds n child paths under parent so path formatting is
// not measured.
func benchPaths(parent string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = parent + "/node-" + strconv.Itoa(i)
	}
	return out
}

func BenchmarkApplyCreate(b *testing.B) {
	tr := New(Options{})
	tr.Apply(Txn{Zxid: 1, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/b", ACL: wire.OpenACL()}})
	paths := benchPaths("/b", b.N)
	data := make([]byte, 100)
	acl := wire.OpenACL()
	reqs := make([]wire.CreateRequest, b.N)
	for i := range reqs {
		reqs[i] = wire.CreateRequest{Path: paths[i], Data: data, ACL: acl}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := tr.Apply(Txn{Zxid: int64(i + 2), Op: wire.OpCreate, Req: &reqs[i]}); res.Err != wire.ZOK {
			b.Fatal(res.Err)
		}
	}
}

func BenchmarkApplySetData(b *testing.B) {
	tr := New(Options{})
	tr.Apply(Txn{Zxid: 1, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/b", ACL: wire.OpenACL()}})
	const n = 1000
	paths := benchPaths("/b", n)
	for i, p := range paths {
		tr.Apply(Txn{Zxid: int64(i + 2), Op: wire.OpCreate, Req: &wire.CreateRequest{Path: p, ACL: wire.OpenACL()}})
	}
	data := make([]byte, 100)
	reqs := make([]wire.SetDataRequest, n)
	for i := range reqs {
		reqs[i] = wire.SetDataRequest{Path: paths[i], Data: data, Version: -1}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := tr.Apply(Txn{Zxid: int64(i + n + 2), Op: wire.OpSetData, Req: &reqs[i%n]}); res.Err != wire.ZOK {
			b.Fatal(res.Err)
		}
	}
}

func BenchmarkGetData(b *testing.B) {
	tr := New(Options{})
	tr.Apply(Txn{Zxid: 1, Op: wire.OpCreate, Req: &wire.CreateRequest{Path: "/b", ACL: wire.OpenACL()}})
	const n = 1000
	paths := benchPaths("/b", n)
	data := make([]byte, 100)
	for i, p := range paths {
		tr.Apply(Txn{Zxid: int64(i + 2), Op: wire.OpCreate, Req: &wire.CreateRequest{Path: p, Data: data, ACL: wire.OpenACL()}})
	}
	auth := []wire.Id{{Scheme: "ip", ID: "127.0.0.1"}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, code := tr.GetData(paths[i%n], auth); code != wire.ZOK {
			b.Fatal(code)
		}
	}
}

// TestMemoryPerZnode measures the heap a tree of 1,000,000 znodes with
// 100-byte values holds (in 1,000 parents of 1,000 children). It is slow
// and memory-hungry, so it runs only with SYNOD_LONG=1:
//
//	SYNOD_LONG=1 go test -run TestMemoryPerZnode -v ./internal/tree
func TestMemoryPerZnode(t *testing.T) {
	if os.Getenv("SYNOD_LONG") == "" {
		t.Skip("set SYNOD_LONG=1 to measure memory per znode")
	}
	const parents, perParent = 1000, 1000
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	tr := New(Options{})
	zxid := int64(0)
	apply := func(path string, data []byte) {
		zxid++
		// Each request owns its data, as one decoded from the wire does.
		res := tr.Apply(Txn{Zxid: zxid, Time: zxid, Op: wire.OpCreate,
			Req: &wire.CreateRequest{Path: path, Data: data, ACL: wire.OpenACL()}})
		if res.Err != wire.ZOK {
			t.Fatalf("create %s: %v", path, res.Err)
		}
	}
	for p := 0; p < parents; p++ {
		parent := fmt.Sprintf("/app-%04d", p)
		apply(parent, nil)
		for c := 0; c < perParent; c++ {
			apply(fmt.Sprintf("%s/node-%06d", parent, c), make([]byte, 100))
		}
	}
	after := heap()
	n := parents * (perParent + 1)
	t.Logf("%d znodes with 100-byte values: %d MiB heap, %.1f bytes per znode",
		n, (after-before)>>20, float64(after-before)/float64(n))
	runtime.KeepAlive(tr)
}
