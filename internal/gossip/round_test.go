package gossip

import (
	"math/rand/v2"
	"testing"
	"time"
)

// targets runs one gossip round and returns who was sent a Syn.
func targets(n *Node, now time.Duration) []string {
	n.Tick(now)
	var to []string
	for _, e := range n.Ready().Messages {
		to = append(to, e.To)
	}
	return to
}

func TestRoundPartners(t *testing.T) {
	t.Run("alone: only a seed", func(t *testing.T) {
		n := testNode(t, "a", "s1", "s2", "a")
		for i := 0; i < 20; i++ {
			to := targets(n, time.Duration(i)*time.Second)
			if len(to) != 1 || (to[0] != "s1" && to[0] != "s2") {
				t.Fatalf("round %d with nobody known: sent to %v, want one seed", i, to)
			}
		}
	})
	t.Run("dead peers are retried, at most one per round", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Name = "a"
		n, _ := New(cfg, 1, rand.New(rand.NewPCG(5, 6)), 0)
		n.apply([]EndpointState{{Node: "b", Generation: 1}, {Node: "c", Generation: 1}, {Node: "d", Generation: 1}})
		n.Ready()
		// Nothing is heard from b, c, d: after 60 s all are convicted.
		now := 60 * time.Second
		n.Tick(now)
		if m, _ := n.Peer("b"); m.Status != StatusDead {
			t.Fatalf("b is %v after 60 silent seconds", m.Status)
		}
		n.Ready()
		sent := 0
		for i := 1; i <= 40; i++ {
			to := targets(n, now+time.Duration(i)*time.Second)
			if len(to) > 1 {
				t.Fatalf("round %d: %d partners with no live peer and no seeds", i, len(to))
			}
			sent += len(to)
		}
		// With no live peer the probability is dead/(live+1) >= 1.
		if sent != 40 {
			t.Fatalf("gossiped to a dead peer in %d of 40 rounds, want every round", sent)
		}
		// After the quarantine the dead are forgotten and not retried.
		n.Tick(now + cfg.Quarantine + time.Second)
		if n.PeerCount() != 0 {
			t.Fatalf("%d peers remembered after quarantine", n.PeerCount())
		}
	})
}
