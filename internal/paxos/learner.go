package paxos

import (
	"fmt"
	"slices"
)

// learn records that slot is chosen with value v. Two different values for
// one slot is the one thing Paxos exists to prevent: panic.
func (n *Node) learn(slot uint64, v Value) {
	if slot <= n.learned {
		return
	}
	if old, ok := n.chosen[slot]; ok {
		if !old.Equal(v) {
			panic(fmt.Sprintf("paxos: node %d: slot %d chosen twice: %s and %s", n.id, slot, old, v))
		}
		return
	}
	n.chosen[slot] = v
}

// learnCommit applies a leader's commit point: every slot <= commit is
// chosen, and for a slot this node accepted under the leader's own ballot
// the chosen value is the accepted one (a leader proposes one value per slot
// and ballot, and its proposals are safe, so they equal whatever is chosen
// at a lower or equal ballot; a leader never learns of slots chosen under a
// higher ballot without first stepping down). Slots accepted under another
// ballot, or not at all, are fetched with MsgStatus / MsgLearn.
func (n *Node) learnCommit(b Ballot, commit uint64) {
	for s := n.learned + 1; s <= commit; s++ {
		if _, ok := n.chosen[s]; ok {
			continue
		}
		e, ok := n.acc[s]
		if !ok || e.Ballot != b {
			break
		}
		n.chosen[s] = e.Value
	}
	n.advanceLearned()
}

// advanceLearned moves the learned point over consecutive chosen slots,
// applying membership changes as their slots are passed.
func (n *Node) advanceLearned() {
	for {
		v, ok := n.chosen[n.learned+1]
		if !ok {
			break
		}
		n.learned++
		if v.Kind == ValueChange {
			n.applyChange(n.learned, v.Change)
		}
	}
	if n.role == roleLeader {
		for s := range n.props {
			if s <= n.learned {
				delete(n.props, s)
			}
		}
		if n.next <= n.learned {
			n.next = n.learned + 1
		}
	}
	if n.role != roleFollower && !n.Membership(n.learned+1).IsVoter(n.id) {
		// Removed: no longer a voter for the slots still open.
		n.becomeFollower(0)
	}
}

// applyChange records the membership that change cc, chosen in slot, sets
// for slots from slot+Window on.
func (n *Node) applyChange(slot uint64, cc ConfChange) {
	last := n.members[len(n.members)-1]
	m := Membership{Start: slot + n.cfg.Window}
	voters := slices.DeleteFunc(slices.Clone(last.Voters), func(id NodeID) bool { return id == cc.Node })
	observers := slices.DeleteFunc(slices.Clone(last.Observers), func(id NodeID) bool { return id == cc.Node })
	switch cc.Type {
	case AddVoter:
		voters = append(voters, cc.Node)
	case AddObserver:
		observers = append(observers, cc.Node)
	case RemoveVoter:
	}
	m.Voters, m.Observers = sorted(voters), sorted(observers)
	n.members = append(n.members, m)
}

func (n *Node) handleHeartbeat(m Message) {
	if !n.followLeader(m) {
		return
	}
	n.learnCommit(m.Ballot, m.Commit)
	n.send(Message{Type: MsgStatus, To: m.From, Ballot: m.Ballot, Learned: n.learned})
}

// handleLearn takes chosen values from any sender: they are facts whatever
// the ballot they come with.
func (n *Node) handleLearn(m Message) {
	for _, e := range m.Entries {
		n.learn(e.Slot, e.Value)
	}
	n.advanceLearned()
	if n.learned < m.Commit && !m.Ballot.Less(n.promised) {
		n.send(Message{Type: MsgStatus, To: m.From, Ballot: m.Ballot, Learned: n.learned})
	}
}

func (n *Node) handleSnapshot(m Message) {
	if m.Snapshot != nil && m.Snapshot.Slot > n.learned {
		n.installSnapshot(m.Snapshot)
	}
	if !m.Ballot.Less(n.promised) {
		n.send(Message{Type: MsgStatus, To: m.From, Ballot: m.Ballot, Learned: n.learned})
	}
}

// installSnapshot jumps the learner to s: every slot up to s.Slot is chosen
// and its effect is in s.Data. The caller gets s in Ready.Snapshot.
func (n *Node) installSnapshot(s *Snapshot) {
	n.snap = s
	n.learned = s.Slot
	n.members = slices.Clone(s.Members)
	n.dropUpTo(s.Slot)
	n.installS = s
	n.advanceLearned()
}
