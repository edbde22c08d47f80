package sim

import (
	"fmt"
	"io"
	"math/rand/v2"
)

// Config describes one simulated run. RandomConfig derives one from a seed.
type Config struct {
	Seed  uint64
	Nodes int // voters at start: 3, 5 or 7
	// Spare adds node Nodes+1, started outside the membership; membership
	// changes may add it as a voter or an observer.
	Spare bool
	// Observers are started as observers in the bootstrap membership.
	Observers int

	// Fault phase and heal phase lengths, in virtual milliseconds.
	FaultMS, HealMS int64
	TickMS          int64 // one paxos tick

	DropP, DupP float64 // per message
	MaxDelayMS  int64   // delays are uniform in [1, MaxDelayMS]: reordering
	// Per fault-scheduler round (every 50 ms of the fault phase):
	CrashP, RestartP, PartitionP, HealP, ChangeP float64
	// CrashReadyP is the chance that a node crashes right after handling
	// one Ready (persisted, sent, applied): crashes at protocol steps, not
	// only at fault rounds.
	CrashReadyP float64

	Clients      int
	Keys         int
	TimeoutMS    int64  // a client gives up on an operation after this long
	CompactEvery uint64 // each node compacts after this many delivered slots

	// Paxos knobs varied by seed.
	Window   uint64
	MaxBatch int
	Forward  bool

	Log io.Writer // verbose trace, or nil
}

// RandomConfig draws a configuration from seed: cluster size (unless
// nodes > 0), fault rates, window and batch sizes.
func RandomConfig(seed uint64, nodes int) Config {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	if nodes == 0 {
		nodes = []int{3, 3, 5, 5, 7}[r.IntN(5)]
	}
	return Config{
		Seed:         seed,
		Nodes:        nodes,
		Spare:        r.IntN(2) == 0,
		Observers:    r.IntN(2),
		FaultMS:      3000,
		HealMS:       3000,
		TickMS:       10,
		DropP:        []float64{0, 0.01, 0.05, 0.2}[r.IntN(4)],
		DupP:         []float64{0, 0.02, 0.1}[r.IntN(3)],
		MaxDelayMS:   []int64{2, 10, 40}[r.IntN(3)],
		CrashP:       []float64{0, 0.02, 0.08}[r.IntN(3)],
		CrashReadyP:  []float64{0, 0.001, 0.005}[r.IntN(3)],
		RestartP:     0.2,
		PartitionP:   []float64{0, 0.02, 0.08}[r.IntN(3)],
		HealP:        0.15,
		ChangeP:      []float64{0, 0.03, 0.1}[r.IntN(3)],
		Clients:      1 + r.IntN(4),
		Keys:         1 + r.IntN(3),
		TimeoutMS:    600,
		CompactEvery: []uint64{3, 10, 50}[r.IntN(3)],
		Window:       []uint64{2, 4, 8, 64}[r.IntN(4)],
		MaxBatch:     []int{1, 3, 64}[r.IntN(3)],
		Forward:      r.IntN(2) == 0,
	}
}

func (c Config) String() string {
	return fmt.Sprintf("seed=%d nodes=%d spare=%v observers=%d drop=%.2f dup=%.2f delay<=%dms crash=%.2f/%.3f partition=%.2f change=%.2f clients=%d keys=%d compact=%d window=%d batch=%d forward=%v",
		c.Seed, c.Nodes, c.Spare, c.Observers, c.DropP, c.DupP, c.MaxDelayMS, c.CrashP, c.CrashReadyP, c.PartitionP,
		c.ChangeP, c.Clients, c.Keys, c.CompactEvery, c.Window, c.MaxBatch, c.Forward)
}
