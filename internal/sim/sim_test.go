package sim

import (
	"os"
	"testing"
)

func TestSeeds(t *testing.T) {
	n := uint64(60)
	if testing.Short() {
		n = 15
	}
	for seed := uint64(1); seed <= n; seed++ {
		cfg := RandomConfig(seed, 0)
		res := New(cfg).Run()
		if res.Err != nil {
			t.Errorf("seed %d (%s): %v\nreplay: go run ./internal/sim/cmd/paxos-sim -seed %d -v", seed, cfg, res.Err, seed)
		}
	}
}

func TestVerboseSeed(t *testing.T) {
	if os.Getenv("SIM_SEED") == "" {
		t.Skip("set SIM_SEED")
	}
}
