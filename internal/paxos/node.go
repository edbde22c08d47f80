package paxos

import (
	"fmt"
	"slices"
)

type role uint8

const (
	roleFollower role = iota
	roleCandidate
	roleLeader
)

func (r role) String() string { return [...]string{"follower", "candidate", "leader"}[r] }

// proposal is a slot this leader has proposed under its ballot and not yet
// seen chosen.
type proposal struct {
	value  Value
	acks   map[NodeID]bool
	sentAt int // tick of the last (re)transmission
}

// peerState is what the leader knows of another replica.
type peerState struct {
	learned uint64 // highest contiguous chosen slot the peer reported
	sentTo  uint64 // catch-up sent up to this slot...
	sentAt  int    // ...at this tick
}

// Node is one replica's Multi-Paxos state machine: proposer, acceptor and
// learner in one. It is not safe for concurrent use; the caller serialises
// calls. It performs no I/O and reads no clock: time is Tick, randomness is
// Config.Rand, and everything it wants done comes back from Ready.
type Node struct {
	cfg  Config
	id   NodeID
	role role
	// step handles the messages whose meaning depends on the role (the
	// etcd-io/raft pattern: a function field, not a switch on role).
	step func(*Node, Message)
	tick func(*Node)

	// Acceptor state. promised and acc are durable (HardState, Entries).
	promised Ballot
	acc      map[uint64]Entry

	// Learner state.
	chosen    map[uint64]Value // chosen values above the snapshot
	learned   uint64           // every slot <= learned is chosen and in chosen
	delivered uint64           // every slot <= delivered was handed to the caller
	snap      *Snapshot
	members   []Membership // ascending Start; members[0].Start <= snap.Slot+1

	// Proposer state.
	ballot       Ballot // this node's ballot as candidate or leader
	leader       NodeID // the leader this node follows, if known
	maxRound     uint64 // highest round seen, so a new ballot beats it
	fromSlot     uint64 // the campaign's first open slot
	promisedBy   map[NodeID]bool
	recovered    map[uint64]Entry // highest-ballot accepted value per open slot
	maxRecovered uint64
	next         uint64 // next slot to propose
	props        map[uint64]*proposal
	pending      [][]byte
	changes      []ConfChange
	peers        map[NodeID]*peerState
	commitSent   uint64

	ticks            int
	electionElapsed  int
	electionTimeout  int
	heartbeatElapsed int

	// Ready bookkeeping.
	hsDirty  bool
	unstable []Entry
	msgs     []Message
	self     []Message // to this node: stepped on the Advance after they are made durable
	selfRd   []Message // self messages handed out with the current Ready
	installS *Snapshot // snapshot received, to hand to the caller
	readyTo  uint64    // Committed handed out up to this slot
}

// NewNode starts a node from what it persisted (the zero Storage for a new
// node).
func NewNode(cfg Config, st Storage) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Node{
		cfg:      cfg,
		id:       cfg.ID,
		promised: st.HardState.Promised,
		maxRound: st.HardState.Promised.Round,
		acc:      map[uint64]Entry{},
		chosen:   map[uint64]Value{},
		members: []Membership{{Start: 1, Voters: sorted(cfg.Voters),
			Observers: sorted(cfg.Observers)}},
	}
	if s := st.Snapshot; s != nil {
		if len(s.Members) == 0 {
			return nil, fmt.Errorf("paxos: restore: snapshot at slot %d has no membership", s.Slot)
		}
		n.snap = s
		n.learned, n.delivered, n.readyTo = s.Slot, s.Slot, s.Slot
		n.members = slices.Clone(s.Members)
	}
	for _, e := range st.Entries {
		if e.Slot > n.learned {
			n.acc[e.Slot] = e
		}
	}
	n.becomeFollower(0)
	return n, nil
}

func sorted(ids []NodeID) []NodeID {
	s := slices.Clone(ids)
	slices.Sort(s)
	return s
}

// ID returns the node's id.
func (n *Node) ID() NodeID { return n.id }

// Leader returns the leader this node knows of (itself when it leads), or 0.
func (n *Node) Leader() NodeID { return n.leader }

// IsLeader reports whether this node is the leader (as far as it knows: a
// deposed leader learns it on its next exchange with a majority).
func (n *Node) IsLeader() bool { return n.role == roleLeader }

// Role returns "follower", "candidate" or "leader".
func (n *Node) Role() string { return n.role.String() }

// Ballot returns the node's promised ballot.
func (n *Node) Ballot() Ballot { return n.promised }

// Learned returns the highest slot up to which every slot is known chosen.
func (n *Node) Learned() uint64 { return n.learned }

// Delivered returns the highest slot handed to the caller in Ready.Committed
// (or covered by an installed snapshot) and acknowledged with Advance.
func (n *Node) Delivered() uint64 { return n.delivered }

// SnapshotSlot returns the slot of the latest snapshot, or 0.
func (n *Node) SnapshotSlot() uint64 {
	if n.snap == nil {
		return 0
	}
	return n.snap.Slot
}

// Membership returns the membership that governs slot.
func (n *Node) Membership(slot uint64) Membership {
	m := n.members[0]
	for _, x := range n.members[1:] {
		if x.Start > slot {
			break
		}
		m = x
	}
	return m
}

// Accepted returns this acceptor's accepted entry for slot, if any.
func (n *Node) Accepted(slot uint64) (Entry, bool) {
	e, ok := n.acc[slot]
	return e, ok
}

func (n *Node) resetElectionTimer() {
	n.electionElapsed = 0
	n.electionTimeout = n.cfg.ElectionTicks + n.cfg.Rand.IntN(n.cfg.ElectionTicks)
}

func (n *Node) becomeFollower(leader NodeID) {
	n.role = roleFollower
	n.step = stepFollower
	n.tick = tickFollower
	n.leader = leader
	n.ballot = Ballot{}
	n.promisedBy, n.recovered, n.props, n.peers = nil, nil, nil, nil
	// Queued commands are dropped: they were never given a slot, and the
	// clients that submitted them time out and retry with the new leader.
	n.pending, n.changes = nil, nil
	n.resetElectionTimer()
}

// send queues m for the caller, or for this node itself (self messages are
// stepped by Advance, after the Ready that produced them is durable, so a
// leader counts its own promise or accept only once it is on disk).
func (n *Node) send(m Message) {
	m.From = n.id
	if m.To == n.id {
		n.self = append(n.self, m)
		return
	}
	n.msgs = append(n.msgs, m)
}

// Tick advances the node's logical clock by one tick.
func (n *Node) Tick() {
	n.ticks++
	n.tick(n)
}

// Step hands the node a message from the network (or from itself).
// Messages from an older ballot are answered with a Nack where an answer
// helps the sender; malformed messages return an error.
func (n *Node) Step(m Message) error {
	if m.To != n.id {
		return fmt.Errorf("paxos: node %d: message %s addressed to %d", n.id, m.Type, m.To)
	}
	if m.Type == 0 || int(m.Type) >= len(msgNames) {
		return fmt.Errorf("paxos: node %d: unknown message type %d from %d", n.id, m.Type, m.From)
	}
	if m.Ballot.Round > n.maxRound {
		n.maxRound = m.Ballot.Round
	}
	// Any higher ballot is a promise not to accept lower ones (like a
	// higher term in Raft). Raising the promise is always safe for an
	// acceptor, and it guarantees that a node which hears of a higher
	// ballot by any path can no longer lead under a lower one: this is
	// what keeps a deposed leader's commit point from covering slots
	// chosen by its successor.
	if n.promised.Less(m.Ballot) && m.Type != MsgForward {
		n.promised = m.Ballot
		n.hsDirty = true
		if n.role != roleFollower {
			n.becomeFollower(0)
		} else if n.leader != m.Ballot.Node {
			n.leader = 0
		}
	}
	switch m.Type {
	case MsgPrepare:
		n.handlePrepare(m)
	case MsgAccept:
		n.handleAccept(m)
	case MsgHeartbeat:
		n.handleHeartbeat(m)
	case MsgLearn:
		n.handleLearn(m)
	case MsgSnapshot:
		n.handleSnapshot(m)
	case MsgNack:
		// The higher ballot was handled above.
	default:
		n.step(n, m)
	}
	return nil
}

// Propose submits one client command. On the leader it is queued and
// batched with others into the next slot value (at the next Ready). A
// non-leader forwards it to the leader it knows when Config.Forward is set,
// and otherwise refuses it with a *NotLeaderError naming the leader.
// Acceptance is not a promise: a command is done only when it comes back in
// Ready.Committed.
func (n *Node) Propose(cmd []byte) error {
	if n.role != roleLeader {
		if n.cfg.Forward && n.leader != 0 && n.leader != n.id {
			n.send(Message{Type: MsgForward, To: n.leader, Cmds: [][]byte{cmd}})
			return nil
		}
		return &NotLeaderError{Leader: n.leader}
	}
	if len(n.pending) >= n.cfg.MaxPending {
		return ErrBusy
	}
	n.pending = append(n.pending, cmd)
	return nil
}

// ProposeChange submits a membership change. It is chosen in a slot of its
// own, s, and governs slots from s+Window on. Only the leader accepts it.
func (n *Node) ProposeChange(cc ConfChange) error {
	if n.role != roleLeader {
		return &NotLeaderError{Leader: n.leader}
	}
	if cc.Node == 0 || cc.Type < AddVoter || cc.Type > AddObserver {
		return fmt.Errorf("paxos: propose change %v: invalid change", cc)
	}
	if n.changePending() {
		return ErrChangePending
	}
	latest := n.members[len(n.members)-1]
	if cc.Type == RemoveVoter && len(latest.Voters) == 1 && latest.Voters[0] == cc.Node {
		return fmt.Errorf("paxos: propose change %s(%d): it is the last voter", cc.Type, cc.Node)
	}
	n.changes = append(n.changes, cc)
	return nil
}

// changePending reports whether a membership change is queued, proposed
// and not yet chosen, or found open by phase 1. Changes go one at a time
// (as in Raft), so each is checked against the membership the previous one
// made.
func (n *Node) changePending() bool {
	if len(n.changes) > 0 {
		return true
	}
	for _, p := range n.props {
		if p.value.Kind == ValueChange {
			return true
		}
	}
	for s, r := range n.recovered {
		if s >= n.next && r.Value.Kind == ValueChange {
			return true
		}
	}
	return false
}

// Compact tells the node that the caller's snapshot data covers every slot
// up to slot, which must already be delivered. The node drops its log up to
// slot and returns the Snapshot (data plus the membership the core needs)
// that the caller must persist before it drops its own log prefix. The
// node keeps the snapshot to send to replicas that fall behind it.
func (n *Node) Compact(slot uint64, data []byte) (*Snapshot, error) {
	if slot > n.delivered {
		return nil, fmt.Errorf("paxos: compact to slot %d: only %d delivered", slot, n.delivered)
	}
	if n.snap != nil && slot <= n.snap.Slot {
		return nil, fmt.Errorf("paxos: compact to slot %d: already compacted to %d", slot, n.snap.Slot)
	}
	s := &Snapshot{Slot: slot, Data: data}
	// Only the memberships set by changes in slots <= slot: the rest are
	// re-learned with the tail.
	for _, m := range n.members {
		if m.Start <= slot+n.cfg.Window {
			s.Members = append(s.Members, m)
		}
	}
	n.snap = s
	n.dropUpTo(slot)
	return s, nil
}

func (n *Node) dropUpTo(slot uint64) {
	for s := range n.acc {
		if s <= slot {
			delete(n.acc, s)
		}
	}
	for s := range n.chosen {
		if s <= slot {
			delete(n.chosen, s)
		}
	}
}
