package gossipsim

import (
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/gossip"
)

func newSim(t *testing.T, n, seeds int, seed uint64, loss float64) *Sim {
	t.Helper()
	cfg := DefaultConfig()
	cfg.N, cfg.Seeds, cfg.Seed, cfg.Loss = n, seeds, seed, loss
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// All nodes are seeds and start at once: the seed rule must keep them from
// settling into islands.
func TestAllSeedsSimultaneousStart(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		s := newSim(t, 12, 12, seed, 0)
		if !s.RunUntil(s.FullyConnected, time.Second, 60*time.Second) {
			t.Fatalf("seed %d: all-seeds start not fully connected after 60 s virtual", seed)
		}
	}
}

func TestJoinFromOneSeedWithLoss(t *testing.T) {
	s := newSim(t, 30, 1, 7, 0.05)
	if !s.RunUntil(s.FullyConnected, time.Second, 60*time.Second) {
		t.Fatalf("seed 7: not fully connected after 60 s at 5%% loss")
	}
}

func TestPartitionHeals(t *testing.T) {
	s := newSim(t, 10, 2, 3, 0)
	if !s.RunUntil(s.FullyConnected, time.Second, 30*time.Second) {
		t.Fatal("seed 3: no initial convergence")
	}
	// Split the seeds from each other, each with half the nodes.
	s.Partition([]int{0, 2, 3, 4, 5}, []int{1, 6, 7, 8, 9})
	s.RunFor(60 * time.Second)
	for _, pair := range [][2]int{{2, 6}, {6, 2}, {0, 1}, {1, 0}} {
		if m, _ := s.Node(pair[0]).Peer(Name(pair[1])); m.Status != gossip.StatusDead {
			t.Fatalf("seed 3: node %d sees node %d as %v during partition", pair[0], pair[1], m.Status)
		}
	}
	// A change on one side must cross once healed.
	s.Node(8).SetKey(gossip.KeyRole, "observer")
	ver := s.Node(8).SelfVersion()
	s.Heal()
	if !s.RunUntil(s.FullyConnected, time.Second, 90*time.Second) {
		t.Fatal("seed 3: views did not merge within 90 s of healing")
	}
	if !s.RunUntil(func() bool { return s.AllKnow(8, 1, ver) }, time.Second, 30*time.Second) {
		t.Fatal("seed 3: node 8's key did not cross the healed partition")
	}
}

func TestCrashedNodeConvictedByAll(t *testing.T) {
	s := newSim(t, 20, 3, 11, 0.05)
	var downs int
	s.OnEvent = func(r Record) {
		if r.Event.Kind == gossip.EventDown && r.Event.Member.Name == Name(13) {
			downs++
		}
	}
	if !s.RunUntil(s.FullyConnected, time.Second, 60*time.Second) {
		t.Fatal("seed 11: no initial convergence")
	}
	s.RunFor(30 * time.Second)
	s.Crash(13)
	if !s.RunUntil(func() bool { return s.AllSee(13, gossip.StatusDead) }, time.Second, 120*time.Second) {
		t.Fatal("seed 11: crashed node 13 not convicted by every live node in 120 s")
	}
	if downs < s.N()-1 {
		t.Fatalf("seed 11: %d down events for node 13, want >= %d", downs, s.N()-1)
	}
}

func TestRestartNewGenerationWins(t *testing.T) {
	s := newSim(t, 10, 2, 5, 0)
	if !s.RunUntil(s.FullyConnected, time.Second, 30*time.Second) {
		t.Fatal("seed 5: no initial convergence")
	}
	s.Node(4).SetKey(gossip.KeyRole, "follower")
	s.RunFor(10 * time.Second)
	s.Crash(4)
	s.RunFor(3 * time.Second)
	if err := s.Restart(4); err != nil {
		t.Fatal(err)
	}
	s.Node(4).SetKey(gossip.KeyRole, "observer")
	if !s.RunUntil(s.FullyConnected, time.Second, 30*time.Second) {
		t.Fatal("seed 5: restarted node not seen at its new generation by all")
	}
	for i := 0; i < s.N(); i++ {
		if i == 4 {
			continue
		}
		m, _ := s.Node(i).Peer(Name(4))
		if m.Generation != 2 || m.Keys[gossip.KeyRole] != "observer" {
			t.Fatalf("seed 5: node %d sees node 4 gen %d role %q", i, m.Generation, m.Keys[gossip.KeyRole])
		}
	}
}

func TestGracefulLeaveSpreadsAndIsForgotten(t *testing.T) {
	s := newSim(t, 10, 2, 9, 0)
	if !s.RunUntil(s.FullyConnected, time.Second, 30*time.Second) {
		t.Fatal("seed 9: no initial convergence")
	}
	s.Node(7).Leave()
	s.RunFor(5 * time.Second)
	s.Crash(7)
	if !s.RunUntil(func() bool { return s.AllSee(7, gossip.StatusLeftPeer) }, time.Second, 30*time.Second) {
		t.Fatal("seed 9: leave of node 7 not seen by all")
	}
	s.RunFor(s.cfg.Gossip.Quarantine + 5*time.Second)
	for i := 0; i < s.N(); i++ {
		if i == 7 {
			continue
		}
		if _, ok := s.Node(i).Peer(Name(7)); ok {
			t.Fatalf("seed 9: node %d still remembers node 7 after quarantine", i)
		}
	}
}

func TestDeterministicReplay(t *testing.T) {
	run := func() (uint64, uint64) {
		s := newSim(t, 15, 2, 42, 0.1)
		s.RunFor(40 * time.Second)
		return s.Bytes, s.Messages
	}
	b1, m1 := run()
	b2, m2 := run()
	if b1 != b2 || m1 != m2 {
		t.Fatalf("seed 42: two runs differ: %d/%d bytes, %d/%d messages", b1, b2, m1, m2)
	}
}

func TestWireInTheLoopWithHMAC(t *testing.T) {
	cfg := DefaultConfig()
	cfg.N, cfg.Seeds, cfg.Seed, cfg.Wire = 8, 1, 13, true
	cfg.Gossip.Key = []byte("secret")
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !s.RunUntil(s.FullyConnected, time.Second, 30*time.Second) {
		t.Fatal("seed 13: not connected with the codec and HMAC in the loop")
	}
}

// A partition longer than the quarantine: both sides forget each other,
// and still merge when it heals because the forgotten nodes' versions
// moved on.
func TestLongPartitionHealsAfterQuarantine(t *testing.T) {
	s := newSim(t, 8, 2, 21, 0)
	if !s.RunUntil(s.FullyConnected, time.Second, 30*time.Second) {
		t.Fatal("seed 21: no initial convergence")
	}
	s.Partition([]int{0, 2, 3, 4}, []int{1, 5, 6, 7})
	s.RunFor(3 * s.cfg.Gossip.Quarantine)
	if _, ok := s.Node(2).Peer(Name(6)); ok {
		t.Fatal("seed 21: node 2 still remembers node 6 after a partition of three quarantines")
	}
	s.Heal()
	// Well inside the 2x quarantine for which a plain tombstone would
	// refuse the old generation.
	if !s.RunUntil(s.FullyConnected, time.Second, 20*time.Second) {
		t.Fatal("seed 21: views did not merge within 20 s of healing a long partition")
	}
}
