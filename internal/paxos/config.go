package paxos

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Config configures a Node. Start from DefaultConfig and set ID, Voters and
// Rand.
type Config struct {
	// ID is this node's identity; it must not be zero.
	ID NodeID
	// Voters and Observers are the bootstrap membership, used when the node
	// starts without a snapshot. Every node of a cluster must be started
	// with the same bootstrap membership; a node that joins later is started
	// with the bootstrap membership too and learns the changes.
	Voters    []NodeID
	Observers []NodeID
	// Rand draws randomized election timeouts. It must be seeded by the
	// caller: the core has no other source of randomness, which is what
	// makes simulations replayable.
	Rand *rand.Rand

	// HeartbeatTicks is the leader's heartbeat (and retransmit) period.
	HeartbeatTicks int
	// ElectionTicks is the minimum election timeout; each timeout is drawn
	// uniformly from [ElectionTicks, 2*ElectionTicks).
	ElectionTicks int
	// Window is alpha: a membership change chosen in slot s governs slots
	// from s+Window on. It also bounds the pipeline, since the leader may
	// only propose slot i once every slot up to i-Window is chosen (it
	// must know slot i's membership).
	Window uint64
	// MaxBatch caps the commands batched into one slot value.
	MaxBatch int
	// MaxPending caps commands queued at the leader waiting for a slot;
	// Propose beyond it returns ErrBusy.
	MaxPending int
	// MaxLearn caps the chosen entries sent in one MsgLearn.
	MaxLearn int
	// Forward makes a non-leader forward proposals to the leader it knows
	// instead of refusing them with ErrNotLeader.
	Forward bool
}

// DefaultConfig returns the defaults; set ID, Voters and Rand.
func DefaultConfig() Config {
	return Config{
		// 1 tick: with a 10 ms tick (the server's), a 10 ms heartbeat;
		// heartbeats also carry the commit point and retransmits, so they
		// bound the latency of recovering from a lost message.
		HeartbeatTicks: 1,
		// 10 ticks: ten missed heartbeats before suspecting the leader, as
		// etcd-io/raft recommends (election = 10 x heartbeat).
		ElectionTicks: 10,
		// 64 slots: with MaxBatch commands per slot, up to 16,384 commands
		// in flight, more than one leader's network can fill in one round
		// trip; a membership change takes effect 64 slots later.
		Window: 64,
		// 256 commands: one fsync per 256 commands amortizes the disk
		// (group commit) without making a slot value large (~256 KiB at
		// 1 KiB per command).
		MaxBatch: 256,
		// 100,000 commands: back-pressure before memory becomes a problem.
		MaxPending: 100_000,
		// 64 entries per catch-up message.
		MaxLearn: 64,
	}
}

// Validate reports the first problem with c.
func (c Config) Validate() error {
	switch {
	case c.ID == 0:
		return errors.New("paxos: config: ID must not be zero")
	case len(c.Voters) == 0:
		return errors.New("paxos: config: no voters")
	case c.Rand == nil:
		return errors.New("paxos: config: Rand must be set (seeded by the caller)")
	case c.HeartbeatTicks <= 0:
		return fmt.Errorf("paxos: config: HeartbeatTicks %d must be positive", c.HeartbeatTicks)
	case c.ElectionTicks <= c.HeartbeatTicks:
		return fmt.Errorf("paxos: config: ElectionTicks %d must exceed HeartbeatTicks %d", c.ElectionTicks, c.HeartbeatTicks)
	case c.Window == 0:
		return errors.New("paxos: config: Window must be positive")
	case c.MaxBatch <= 0 || c.MaxPending <= 0 || c.MaxLearn <= 0:
		return errors.New("paxos: config: MaxBatch, MaxPending and MaxLearn must be positive")
	}
	seen := map[NodeID]bool{}
	for _, id := range append(append([]NodeID{}, c.Voters...), c.Observers...) {
		if id == 0 || seen[id] {
			return fmt.Errorf("paxos: config: member %d is zero or listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

// Errors returned by Propose.
var (
	// ErrBusy means the leader's queue is full; retry later.
	ErrBusy = errors.New("paxos: too many pending proposals")
	// ErrChangePending refuses a membership change while another one is
	// not yet chosen.
	ErrChangePending = errors.New("paxos: a membership change is already pending")
)

// NotLeaderError refuses a proposal made to a node that is not the leader.
// Leader is the leader this node knows of, or zero.
type NotLeaderError struct {
	Leader NodeID
}

func (e *NotLeaderError) Error() string {
	if e.Leader == 0 {
		return "paxos: not the leader; no leader known"
	}
	return fmt.Sprintf("paxos: not the leader; leader is %d", e.Leader)
}
