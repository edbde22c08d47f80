package paxos

import "slices"

func stepFollower(n *Node, m Message) {
	// Promise, Accepted and Status answer a candidate or leader; a
	// follower has nothing to do with them (they are late). A follower
	// cannot use a forwarded command either: forwarding twice could loop.
}

func stepCandidate(n *Node, m Message) {
	if m.Type == MsgPromise {
		n.handlePromise(m)
	}
}

func stepLeader(n *Node, m Message) {
	switch m.Type {
	case MsgPromise:
		n.handlePromise(m)
	case MsgAccepted:
		n.handleAccepted(m)
	case MsgStatus:
		n.handleStatus(m)
	case MsgForward:
		for _, c := range m.Cmds {
			if len(n.pending) < n.cfg.MaxPending {
				n.pending = append(n.pending, c)
			}
		}
	}
}

func tickFollower(n *Node) {
	n.electionElapsed++
	if n.electionElapsed >= n.electionTimeout {
		if n.Membership(n.learned + 1).IsVoter(n.id) {
			n.campaign()
		} else {
			n.resetElectionTimer()
		}
	}
}

func tickCandidate(n *Node) {
	n.electionElapsed++
	n.heartbeatElapsed++
	if n.electionElapsed >= n.electionTimeout {
		n.campaign()
		return
	}
	if n.heartbeatElapsed >= n.cfg.HeartbeatTicks {
		n.heartbeatElapsed = 0
		n.sendPrepares()
	}
}

func tickLeader(n *Node) {
	n.heartbeatElapsed++
	if n.heartbeatElapsed < n.cfg.HeartbeatTicks {
		return
	}
	n.heartbeatElapsed = 0
	n.broadcastHeartbeat()
	n.sendPrepares() // to voters of memberships still missing a quorum of promises
	n.retransmit()
}

// voters returns every voter of the memberships governing slots from
// learned+1 on, sorted.
func (n *Node) voters() []NodeID {
	var ids []NodeID
	first := n.Membership(n.learned + 1).Start
	for _, m := range n.members {
		if m.Start >= first {
			ids = append(ids, m.Voters...)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// audience returns every node the leader keeps informed: all voters and
// observers it has ever known of except itself, sorted. Removed members
// keep learning, so they see their removal and never campaign on a stale
// membership.
func (n *Node) audience() []NodeID {
	var ids []NodeID
	for _, m := range n.members {
		ids = append(ids, m.Voters...)
		ids = append(ids, m.Observers...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return slices.DeleteFunc(ids, func(id NodeID) bool { return id == n.id })
}

// campaign starts phase 1 under a new ballot higher than any seen, for
// every slot from the first one this node does not know to be chosen.
func (n *Node) campaign() {
	b := Ballot{Round: max(n.promised.Round, n.maxRound) + 1, Node: n.id}
	n.maxRound = b.Round
	n.promised = b
	n.hsDirty = true
	n.becomeFollower(0)
	n.role = roleCandidate
	n.step = stepCandidate
	n.tick = tickCandidate
	n.ballot = b
	n.fromSlot = n.learned + 1
	n.promisedBy = map[NodeID]bool{}
	n.recovered = map[uint64]Entry{}
	n.maxRecovered = 0
	n.heartbeatElapsed = 0
	n.sendPrepares()
}

// sendPrepares sends Prepare to each voter that has not promised yet
// (including this node itself, whose promise counts after it is durable).
func (n *Node) sendPrepares() {
	for _, id := range n.voters() {
		if !n.promisedBy[id] {
			n.send(Message{Type: MsgPrepare, To: id, Ballot: n.ballot, Slot: n.fromSlot})
		}
	}
}

func (n *Node) hasQuorum(set map[NodeID]bool, m Membership) bool {
	c := 0
	for _, id := range m.Voters {
		if set[id] {
			c++
		}
	}
	return c >= m.Quorum()
}

// handlePromise merges one acceptor's phase 1b answer. It is also taken
// after this node leads: a membership that comes into force later may need
// promises from voters that did not answer first.
func (n *Node) handlePromise(m Message) {
	if m.Ballot != n.ballot || m.Slot != n.fromSlot {
		return
	}
	n.promisedBy[m.From] = true
	if s := m.Snapshot; s != nil && s.Slot > n.learned {
		n.installSnapshot(s)
	}
	for _, e := range m.Chosen {
		n.learn(e.Slot, e.Value)
	}
	n.advanceLearned()
	if n.role == roleFollower { // removed by a membership just learned
		return
	}
	for _, e := range m.Entries {
		if e.Slot <= n.learned || (n.role == roleLeader && e.Slot < n.next) {
			continue // chosen, or already proposed with a value safe for it
		}
		if r, ok := n.recovered[e.Slot]; !ok || r.Ballot.Less(e.Ballot) {
			n.recovered[e.Slot] = e
		}
		n.maxRecovered = max(n.maxRecovered, e.Slot)
	}
	if n.role == roleCandidate && n.hasQuorum(n.promisedBy, n.Membership(n.learned+1)) {
		n.becomeLeader()
	}
}

func (n *Node) becomeLeader() {
	n.role = roleLeader
	n.step = stepLeader
	n.tick = tickLeader
	n.leader = n.id
	n.next = n.learned + 1
	n.props = map[uint64]*proposal{}
	n.peers = map[NodeID]*peerState{}
	n.commitSent = 0
	n.heartbeatElapsed = 0
	n.broadcastHeartbeat()
}

// canPropose reports whether the next slot may be proposed now and there
// is something to put in it.
func (n *Node) canPropose() bool {
	s := n.next
	if s > n.learned+n.cfg.Window || !n.hasQuorum(n.promisedBy, n.Membership(s)) {
		return false
	}
	return s <= n.maxRecovered || len(n.pending) > 0 || len(n.changes) > 0
}

// flush proposes as many slots as the window and the promises allow:
// first the open slots phase 1 found (their highest-ballot value, or a
// no-op for a gap), then membership changes (one per slot), then batches
// of queued commands. Accepts go out as one message per voter.
func (n *Node) flush() {
	out := map[NodeID][]Entry{}
	for n.canPropose() {
		s := n.next
		n.next++
		if _, ok := n.chosen[s]; ok {
			continue
		}
		var v Value
		switch {
		case s <= n.maxRecovered:
			if r, ok := n.recovered[s]; ok {
				v = r.Value
			}
			delete(n.recovered, s)
		case len(n.changes) > 0:
			v = Value{Kind: ValueChange, Change: n.changes[0]}
			n.changes = n.changes[1:]
		default:
			k := min(len(n.pending), n.cfg.MaxBatch)
			v = Value{Kind: ValueCmds, Cmds: n.pending[:k:k]}
			n.pending = n.pending[k:]
		}
		n.props[s] = &proposal{value: v, acks: map[NodeID]bool{}, sentAt: n.ticks}
		for _, id := range n.Membership(s).Voters {
			out[id] = append(out[id], Entry{Slot: s, Ballot: n.ballot, Value: v})
		}
	}
	n.sendAccepts(out)
	if n.learned > n.commitSent {
		n.broadcastHeartbeat()
	}
}

func (n *Node) sendAccepts(out map[NodeID][]Entry) {
	ids := make([]NodeID, 0, len(out))
	for id := range out {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		n.send(Message{Type: MsgAccept, To: id, Ballot: n.ballot, Commit: n.learned, Entries: out[id]})
	}
}

// retransmit resends the Accepts of slots not yet chosen to the voters that
// have not acknowledged them, at most every ElectionTicks/2 ticks per slot.
func (n *Node) retransmit() {
	out := map[NodeID][]Entry{}
	every := max(n.cfg.ElectionTicks/2, 1)
	for s := n.learned + 1; s < n.next; s++ {
		p := n.props[s]
		if p == nil || n.ticks-p.sentAt < every {
			continue
		}
		p.sentAt = n.ticks
		for _, id := range n.Membership(s).Voters {
			if !p.acks[id] {
				out[id] = append(out[id], Entry{Slot: s, Ballot: n.ballot, Value: p.value})
			}
		}
	}
	n.sendAccepts(out)
}

func (n *Node) broadcastHeartbeat() {
	n.commitSent = n.learned
	for _, id := range n.audience() {
		n.send(Message{Type: MsgHeartbeat, To: id, Ballot: n.ballot, Commit: n.learned})
	}
}

func (n *Node) peer(id NodeID) *peerState {
	p := n.peers[id]
	if p == nil {
		p = &peerState{}
		n.peers[id] = p
	}
	return p
}

// handleAccepted counts phase 2b votes: a slot is chosen once a majority
// of the voters of its membership accepted it under this ballot.
func (n *Node) handleAccepted(m Message) {
	if m.Ballot != n.ballot {
		return
	}
	if m.From != n.id {
		n.peer(m.From).learned = max(n.peer(m.From).learned, m.Learned)
	}
	for _, s := range m.Slots {
		p := n.props[s]
		if p == nil {
			continue
		}
		mem := n.Membership(s)
		if !mem.IsVoter(m.From) {
			continue
		}
		p.acks[m.From] = true
		if len(p.acks) >= mem.Quorum() {
			n.learn(s, p.value)
			delete(n.props, s)
		}
	}
	n.advanceLearned()
}

// handleStatus catches a lagging replica up: a snapshot if it is behind the
// compaction point, chosen entries otherwise. A batch already in flight is
// not resent until ElectionTicks/2 ticks have passed.
func (n *Node) handleStatus(m Message) {
	if m.Ballot != n.ballot || m.From == n.id {
		return
	}
	p := n.peer(m.From)
	p.learned = m.Learned
	if m.Learned >= n.learned {
		return
	}
	if m.Learned < p.sentTo && n.ticks-p.sentAt < max(n.cfg.ElectionTicks/2, 1) {
		return
	}
	p.sentAt = n.ticks
	if n.snap != nil && m.Learned < n.snap.Slot {
		p.sentTo = n.snap.Slot
		n.send(Message{Type: MsgSnapshot, To: m.From, Ballot: n.ballot, Commit: n.learned, Snapshot: n.snap})
		return
	}
	last := min(n.learned, m.Learned+uint64(n.cfg.MaxLearn))
	es := make([]Entry, 0, last-m.Learned)
	for s := m.Learned + 1; s <= last; s++ {
		es = append(es, Entry{Slot: s, Value: n.chosen[s]})
	}
	p.sentTo = last
	n.send(Message{Type: MsgLearn, To: m.From, Ballot: n.ballot, Commit: n.learned, Entries: es})
}
