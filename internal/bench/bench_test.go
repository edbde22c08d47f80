package bench

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestPickRead(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		w     string
		reads int
		lo    int
		hi    int
	}{{"set", 90, 0, 0}, {"get", 0, 1000, 1000}, {"mix", 0, 0, 0}, {"mix", 100, 1000, 1000}, {"mix", 50, 400, 600}} {
		n := 0
		for range 1000 {
			if pickRead(tc.w, tc.reads, r) {
				n++
			}
		}
		if n < tc.lo || n > tc.hi {
			t.Errorf("%s reads=%d: %d reads of 1000, want %d..%d", tc.w, tc.reads, n, tc.lo, tc.hi)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Config{Workload: "set", Sessions: 1, Outstanding: 1, Keys: 1}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Workload = "nope"
	if bad.Validate() == nil {
		t.Error("unknown workload accepted")
	}
}

func TestResultJSONAndMarkdown(t *testing.T) {
	h := newHist()
	for i := int64(1); i <= 100; i++ {
		h.RecordValue(i)
	}
	r := Result{Workload: "set", Ops: 100}
	r.fill(h, 1e9)
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.P50us != 50 || back.OpsPerSec != 100 {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	var md bytes.Buffer
	WriteMarkdown(&md, []Row{{Target: "a", Result: r}, {Target: "b", Result: Result{Workload: "set", OpsPerSec: 200}}})
	if !strings.Contains(md.String(), "| 2.00 |") {
		t.Errorf("ratio missing:\n%s", md.String())
	}
}
