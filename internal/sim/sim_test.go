package sim

import (
	"testing"
)

// TestSeeds is the CI run: a bounded number of seeds (make sim runs more).
func TestSeeds(t *testing.T) {
	n := uint64(150)
	if testing.Short() {
		n = 20
	}
	for seed := uint64(1); seed <= n; seed++ {
		cfg := RandomConfig(seed, 0)
		if res := New(cfg).Run(); res.Err != nil {
			t.Errorf("seed %d (%s): %v\nreplay: go run ./internal/sim/cmd/paxos-sim -seed %d -v", seed, cfg, res.Err, seed)
		}
	}
}

// TestEveryClusterSize runs a few seeds at each size the issue names.
func TestEveryClusterSize(t *testing.T) {
	for _, nodes := range []int{3, 5, 7} {
		for seed := uint64(1000); seed < 1005; seed++ {
			cfg := RandomConfig(seed, nodes)
			res := New(cfg).Run()
			if res.Err != nil {
				t.Errorf("seed %d nodes %d: %v\nreplay: go run ./internal/sim/cmd/paxos-sim -seed %d -nodes %d -v",
					seed, nodes, res.Err, seed, nodes)
			}
			if res.Chosen == 0 || res.Ops == 0 {
				t.Errorf("seed %d nodes %d: no progress (%d slots, %d ops)", seed, nodes, res.Chosen, res.Ops)
			}
		}
	}
}

// TestReplay: one seed, two runs, the same outcome to the message.
func TestReplay(t *testing.T) {
	a := New(RandomConfig(42, 5)).Run()
	b := New(RandomConfig(42, 5)).Run()
	if a != b {
		t.Fatalf("seed 42 ran differently twice: %+v vs %+v", a, b)
	}
}

// TestCheckerCatchesLostPromise breaks the durability contract (the disk
// forgets promises) and expects the safety checks to notice on some seed:
// a simulator that cannot fail proves nothing.
func TestCheckerCatchesLostPromise(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for seed := uint64(1); seed <= 600; seed++ {
		cfg := RandomConfig(seed, 0)
		cfg.CrashReadyP = 0.01
		s := New(cfg)
		s.forgetPromises = true
		if res := s.Run(); res.Err != nil {
			t.Logf("seed %d caught it: %v", seed, res.Err)
			return
		}
	}
	t.Fatal("600 seeds with promises not persisted and no check failed")
}
