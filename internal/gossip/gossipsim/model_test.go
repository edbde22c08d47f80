package gossipsim

import (
	"math"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/synod-dev/synod/internal/gossip"
)

// The model's figures agree with the real core's at N = 100 within the
// noise of the runs: dissemination rounds, warm-up, conviction time and
// bytes per node per round. The study at N = 1,000 prints both side by
// side (gossip-sim -model 100,1000).
func TestModelAgreesWithCore(t *testing.T) {
	sc := StudyConfig{N: 100, Loss: 0.05, Seed: 5, Runs: 10, Crashes: 3}
	real, err := Study(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("real:     warm-up %v rounds %.2f/%.2f conviction %v/%v bytes %.0f", real.WarmUp, real.MedianRounds, real.WorstRounds, real.MedianConvict, real.WorstConvict, real.BytesPerNodePerRound)
	// All nodes tracked, and 30 of 100 as at N = 10,000 (1,000 of 10,000)
	// but with fewer columns to estimate from.
	for _, track := range []int{0, 30} {
		sc.Model, sc.Track = true, track
		model, err := Study(sc)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("track %2d: warm-up %v rounds %.2f/%.2f conviction %v/%v bytes %.0f", track, model.WarmUp, model.MedianRounds, model.WorstRounds, model.MedianConvict, model.WorstConvict, model.BytesPerNodePerRound)
		near := func(what string, a, b, tol float64) {
			if math.Abs(a-b) > tol {
				t.Errorf("seed 5, track %d: %s: real %.2f, model %.2f, more than %.2f apart", track, what, a, b, tol)
			}
		}
		near("median rounds", real.MedianRounds, model.MedianRounds, 1)
		near("worst rounds", real.WorstRounds, model.WorstRounds, 1.5)
		near("warm-up s", real.WarmUp.Seconds(), model.WarmUp.Seconds(), 3)
		near("median conviction s", real.MedianConvict.Seconds(), model.MedianConvict.Seconds(), 0.08*real.MedianConvict.Seconds())
		near("bytes/node/round", real.BytesPerNodePerRound, model.BytesPerNodePerRound, 0.03*real.BytesPerNodePerRound)
	}
}

// Memory per (node, peer) pair: the real core's is measured on a warmed
// 100-node cluster whose detector windows are full; the model's is the sum
// of its per-peer array elements and checked against the heap.
func TestMemoryPerPair(t *testing.T) {
	const n = 100
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	cfg := DefaultConfig()
	cfg.N = n
	h0 := heap()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.RunFor(110 * time.Second) // a full view and 100-sample windows
	if !s.FullyConnected() {
		t.Fatal("seed 1: 100 nodes not fully connected after 110 s")
	}
	realPair := float64(heap()-h0) / (n * (n - 1))
	runtime.KeepAlive(s)

	pair := unsafe.Sizeof(uint64(0)) + unsafe.Sizeof(mhb{}) + unsafe.Sizeof(mdet{}) + unsafe.Sizeof(mdue{}) + unsafe.Sizeof(gossip.Status(0))
	cfg.N = 1000
	h0 = heap()
	m, err := NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	modelPair := float64(heap()-h0) / (1000 * 1000)
	runtime.KeepAlive(m)
	t.Logf("bytes per (node, peer) pair: real core %.0f (N=%d, warmed), model %d (arrays), %.1f (heap at N=1000)", realPair, n, pair, modelPair)
	if pair != 65 {
		t.Errorf("model pair is %d bytes, the documented figure is 65", pair)
	}
	if modelPair > 80 {
		t.Errorf("model heap %.1f bytes per pair, want <= 80", modelPair)
	}
	if realPair < 4*modelPair {
		t.Errorf("real core %.0f bytes per pair: not what gossip-sim assumes (1200); update realPairBytes", realPair)
	}
}
