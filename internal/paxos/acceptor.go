package paxos

import "slices"

// handlePrepare is phase 1b. A ballot at least as high as the promise is
// promised (equal: a retransmitted Prepare gets the same answer); the
// promise reports every accepted value from the requested slot on, the
// chosen values this node knows in that range, and its snapshot if it has
// compacted part of the range.
func (n *Node) handlePrepare(m Message) {
	if m.Ballot.Less(n.promised) {
		n.send(Message{Type: MsgNack, To: m.From, Ballot: n.promised})
		return
	}
	// n.promised == m.Ballot here (raised by Step if it was lower).
	if n.role == roleFollower && m.From != n.id {
		n.resetElectionTimer()
	}
	p := Message{Type: MsgPromise, To: m.From, Ballot: m.Ballot, Slot: m.Slot, Learned: n.learned}
	if n.snap != nil && n.snap.Slot >= m.Slot {
		p.Snapshot = n.snap
	}
	for s := max(m.Slot, n.SnapshotSlot()+1); s <= n.learned; s++ {
		p.Chosen = append(p.Chosen, Entry{Slot: s, Value: n.chosen[s]})
	}
	for s, e := range n.acc {
		if s >= m.Slot && s > n.learned {
			p.Entries = append(p.Entries, e)
		}
	}
	slices.SortFunc(p.Entries, func(a, b Entry) int { return int64cmp(a.Slot, b.Slot) })
	n.send(p)
}

func int64cmp(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// followLeader answers a message from a stale ballot with a Nack and
// reports false; otherwise a follower takes the sender's ballot as its
// leader and restarts its election timer.
func (n *Node) followLeader(m Message) bool {
	if m.Ballot.Less(n.promised) {
		n.send(Message{Type: MsgNack, To: m.From, Ballot: n.promised})
		return false
	}
	if n.role == roleFollower {
		n.leader = m.Ballot.Node
		n.resetElectionTimer()
	}
	return true
}

// handleAccept is phase 2b: accept every entry unless a higher ballot was
// promised. The accepted entries go to Ready.Entries, and the Accepted reply
// leaves only after they are durable.
func (n *Node) handleAccept(m Message) {
	if !n.followLeader(m) {
		return
	}
	r := Message{Type: MsgAccepted, To: m.From, Ballot: m.Ballot}
	for _, e := range m.Entries {
		// A compacted slot is chosen and in the snapshot; the leader's
		// value for it is safe, hence the chosen one: acknowledge it
		// without storing it.
		if e.Slot > n.SnapshotSlot() {
			e.Ballot = m.Ballot
			n.acc[e.Slot] = e
			n.unstable = append(n.unstable, e)
		}
		r.Slots = append(r.Slots, e.Slot)
	}
	n.learnCommit(m.Ballot, m.Commit)
	r.Learned = n.learned
	n.send(r)
}
