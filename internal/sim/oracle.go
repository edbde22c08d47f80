package sim

import (
	"fmt"
	"slices"

	"github.com/synod-dev/synod/internal/paxos"
)

type tally struct {
	v  paxos.Value
	by []paxos.NodeID
}

// oracle is the safety checker. It sees every accept an acceptor made
// durable and every slot a node delivered, and knows nothing of the core's
// internals.
type oracle struct {
	window  uint64
	members []paxos.Membership // derived from the delivered sequence
	// chosen is the one value per slot: from deliveries and from
	// majorities of persisted accepts under one ballot.
	chosen map[uint64]paxos.Value
	prefix uint64 // chosen has every slot <= prefix
	votes  map[uint64]map[paxos.Ballot]*tally
}

func newOracle(boot paxos.Membership, window uint64) *oracle {
	return &oracle{window: window, members: []paxos.Membership{boot},
		chosen: map[uint64]paxos.Value{}, votes: map[uint64]map[paxos.Ballot]*tally{}}
}

// membership returns slot's membership if the delivered prefix decides it.
func (o *oracle) membership(slot uint64) (paxos.Membership, bool) {
	if slot > o.prefix+o.window {
		return paxos.Membership{}, false
	}
	m := o.members[0]
	for _, x := range o.members[1:] {
		if x.Start <= slot {
			m = x
		}
	}
	return m, true
}

func (o *oracle) choose(slot uint64, v paxos.Value, why string) error {
	if old, ok := o.chosen[slot]; ok {
		if !old.Equal(v) {
			return fmt.Errorf("SAFETY: slot %d has two values: %s and %s (%s)", slot, old, v, why)
		}
		return nil
	}
	o.chosen[slot] = v
	for {
		v, ok := o.chosen[o.prefix+1]
		if !ok {
			return nil
		}
		o.prefix++
		if v.Kind == paxos.ValueChange {
			last := o.members[len(o.members)-1]
			m := paxos.Membership{Start: o.prefix + o.window}
			m.Voters = slices.DeleteFunc(slices.Clone(last.Voters), func(id paxos.NodeID) bool { return id == v.Change.Node })
			m.Observers = slices.DeleteFunc(slices.Clone(last.Observers), func(id paxos.NodeID) bool { return id == v.Change.Node })
			switch v.Change.Type {
			case paxos.AddVoter:
				m.Voters = append(m.Voters, v.Change.Node)
			case paxos.AddObserver:
				m.Observers = append(m.Observers, v.Change.Node)
			}
			o.members = append(o.members, m)
		}
	}
}

// accepted records a durable accept and checks whether it completes a
// majority.
func (o *oracle) accepted(id paxos.NodeID, e paxos.Entry) error {
	bs := o.votes[e.Slot]
	if bs == nil {
		bs = map[paxos.Ballot]*tally{}
		o.votes[e.Slot] = bs
	}
	t := bs[e.Ballot]
	if t == nil {
		t = &tally{v: e.Value}
		bs[e.Ballot] = t
	} else if !t.v.Equal(e.Value) {
		return fmt.Errorf("SAFETY: slot %d ballot %s carries two values: %s and %s", e.Slot, e.Ballot, t.v, e.Value)
	}
	if !slices.Contains(t.by, id) {
		t.by = append(t.by, id)
	}
	return o.checkSlot(e.Slot)
}

// checkSlot marks as chosen every value a majority of the slot's voters
// accepted under one ballot.
func (o *oracle) checkSlot(slot uint64) error {
	m, ok := o.membership(slot)
	if !ok {
		return nil // decided later, in final
	}
	bs := o.votes[slot]
	ballots := make([]paxos.Ballot, 0, len(bs))
	for b := range bs {
		ballots = append(ballots, b)
	}
	slices.SortFunc(ballots, func(a, b paxos.Ballot) int {
		if a.Less(b) {
			return -1
		}
		if b.Less(a) {
			return 1
		}
		return 0
	})
	for _, b := range ballots {
		t := bs[b]
		c := 0
		for _, id := range t.by {
			if m.IsVoter(id) {
				c++
			}
		}
		if c >= m.Quorum() {
			if err := o.choose(slot, t.v, fmt.Sprintf("accepted by %v under %s", t.by, b)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *oracle) delivered(id paxos.NodeID, e paxos.Entry) error {
	return o.choose(e.Slot, e.Value, fmt.Sprintf("delivered by node %d", id))
}

func (o *oracle) snapshot(id paxos.NodeID, slot uint64) error {
	if slot > o.prefix {
		return fmt.Errorf("node %d installed a snapshot at slot %d but only %d slots were ever delivered", id, slot, o.prefix)
	}
	return nil
}

// final re-checks every slot whose membership is now known.
func (o *oracle) final() error {
	slots := make([]uint64, 0, len(o.votes))
	for s := range o.votes {
		slots = append(slots, s)
	}
	slices.Sort(slots)
	for _, s := range slots {
		if err := o.checkSlot(s); err != nil {
			return err
		}
	}
	return nil
}
