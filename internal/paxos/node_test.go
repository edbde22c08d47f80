package paxos

import (
	"errors"
	"fmt"
	"testing"
)

func TestElectAndChoose(t *testing.T) {
	c := newCluster(3, 1, nil)
	c.campaign(1)
	c.stabilize()
	if c.leader() != 1 {
		t.Fatalf("leader = %d, want 1\n%s", c.leader(), c.status())
	}
	for i := 0; i < 10; i++ {
		if err := c.nodes[1].Propose([]byte(fmt.Sprintf("x%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	c.process(1)
	c.stabilize()
	for _, id := range c.ids {
		var cmds int
		for _, e := range c.applied[id] {
			cmds += len(e.Value.Cmds)
		}
		if cmds != 10 {
			t.Fatalf("node %d applied %d commands, want 10\n%s", id, cmds, c.status())
		}
	}
	// One batch: all ten commands proposed before one Ready share a slot.
	if got := c.nodes[2].Learned(); got != 1 {
		t.Fatalf("learned %d slots, want 1 (batched)", got)
	}
}

func TestProposeToFollowerRefusedWithLeader(t *testing.T) {
	c := newCluster(3, 1, nil)
	c.campaign(1)
	c.stabilize()
	err := c.propose(2, "x")
	var nl *NotLeaderError
	if !errors.As(err, &nl) || nl.Leader != 1 {
		t.Fatalf("propose to follower: %v, want NotLeaderError{1}", err)
	}
}

func TestForwardToLeader(t *testing.T) {
	c := newCluster(3, 1, nil)
	c.cfg.Forward = true
	for _, id := range c.ids {
		c.start(id)
	}
	c.campaign(1)
	c.stabilize()
	if err := c.propose(3, "fwd"); err != nil {
		t.Fatal(err)
	}
	c.stabilize()
	if len(c.applied[3]) != 1 || string(c.applied[3][0].Value.Cmds[0]) != "fwd" {
		t.Fatalf("forwarded command not applied: %v", c.applied[3])
	}
}

func TestDeposedLeaderStepsDown(t *testing.T) {
	c := newCluster(3, 1, nil)
	c.campaign(1)
	c.stabilize()
	c.campaign(2)
	c.stabilize()
	if c.nodes[1].IsLeader() || !c.nodes[2].IsLeader() {
		t.Fatalf("after 2 campaigns:\n%s", c.status())
	}
}

func TestNewLeaderRecoversAcceptedValue(t *testing.T) {
	c := newCluster(3, 1, nil)
	c.campaign(1)
	c.stabilize()
	if err := c.propose(1, "v"); err != nil {
		t.Fatal(err)
	}
	// Only node 2 gets the accept: 1 accepts itself (self message, after
	// its Ready) and 2 accepts; then 1 crashes before learning.
	c.group[3] = 1
	c.deliver() // Accept to 2 and the Accept to 3 dropped
	c.crash(1)
	c.group[3] = 0
	c.stabilize()
	c.campaign(3)
	c.stabilize()
	if !c.nodes[3].IsLeader() {
		t.Fatalf("3 not leader:\n%s", c.status())
	}
	found := false
	for _, e := range c.applied[3] {
		if e.Value.Kind == ValueCmds && string(e.Value.Cmds[0]) == "v" {
			found = true
		}
	}
	if !found {
		t.Fatalf("value accepted by 2 lost by new leader 3: %v", c.applied[3])
	}
}

func TestMembershipChangeTakesEffectWindowLater(t *testing.T) {
	c := newCluster(3, 1, nil)
	c.cfg.Window = 4
	for _, id := range c.ids {
		c.start(id)
	}
	c.campaign(1)
	c.stabilize()
	if err := c.nodes[1].ProposeChange(ConfChange{Type: RemoveVoter, Node: 3}); err != nil {
		t.Fatal(err)
	}
	c.process(1)
	c.stabilize()
	slot := c.nodes[1].Learned()
	if m := c.nodes[1].Membership(slot + 3); !m.IsVoter(3) {
		t.Fatalf("removal in effect too early: %+v", m)
	}
	if m := c.nodes[1].Membership(slot + 4); m.IsVoter(3) || len(m.Voters) != 2 {
		t.Fatalf("removal not in effect at slot+Window: %+v", m)
	}
}

func TestLaggingReplicaGetsSnapshot(t *testing.T) {
	c := newCluster(3, 1, nil)
	c.compactEvery = 5
	c.campaign(1)
	c.stabilize()
	c.crash(3)
	for i := 0; i < 20; i++ {
		if err := c.propose(1, fmt.Sprintf("c%d", i)); err != nil {
			t.Fatal(err)
		}
		c.stabilize()
	}
	c.restart(3)
	c.tick(1, 2)
	c.stabilize()
	if c.nodes[3].Learned() != c.nodes[1].Learned() || c.nodes[3].SnapshotSlot() == 0 {
		t.Fatalf("3 not caught up by snapshot:\n%s", c.status())
	}
}

func TestConfigValidate(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err == nil {
		t.Fatal("zero ID accepted")
	}
}

func TestOneMembershipChangeAtATime(t *testing.T) {
	c := newCluster(3, 1, nil)
	c.campaign(1)
	c.stabilize()
	if err := c.nodes[1].ProposeChange(ConfChange{Type: RemoveVoter, Node: 3}); err != nil {
		t.Fatal(err)
	}
	if err := c.nodes[1].ProposeChange(ConfChange{Type: RemoveVoter, Node: 2}); !errors.Is(err, ErrChangePending) {
		t.Fatalf("second change while one is pending: %v, want ErrChangePending", err)
	}
	c.process(1)
	c.stabilize()
	if err := c.nodes[1].ProposeChange(ConfChange{Type: AddObserver, Node: 4}); err != nil {
		t.Fatalf("change after the first was chosen: %v", err)
	}
}
