package paxos

import (
	"bytes"
	"fmt"
	"strings"
)

// NodeID identifies a replica. Zero means "none" (for example, no known
// leader).
type NodeID uint64

// Ballot orders proposals: first by Round, then by the proposing node, so two
// nodes never use the same ballot.
type Ballot struct {
	Round uint64
	Node  NodeID
}

// Less reports whether b orders before o.
func (b Ballot) Less(o Ballot) bool {
	if b.Round != o.Round {
		return b.Round < o.Round
	}
	return b.Node < o.Node
}

// IsZero reports whether b is the zero ballot, which orders before every
// ballot a node can use.
func (b Ballot) IsZero() bool { return b == Ballot{} }

func (b Ballot) String() string { return fmt.Sprintf("%d.%d", b.Round, b.Node) }

// ValueKind says what a slot value carries.
type ValueKind uint8

// Value kinds (wire-visible: only append).
const (
	// ValueNoop fills a gap found by a new leader; it changes nothing.
	ValueNoop ValueKind = iota
	// ValueCmds is a batch of client commands, applied in order.
	ValueCmds
	// ValueChange is a membership change; it governs slots Window later.
	ValueChange
)

// ChangeType is a kind of membership change.
type ChangeType uint8

// Membership change types (wire-visible: only append).
const (
	AddVoter ChangeType = iota + 1
	RemoveVoter
	AddObserver
)

func (t ChangeType) String() string {
	switch t {
	case AddVoter:
		return "add-voter"
	case RemoveVoter:
		return "remove-voter"
	case AddObserver:
		return "add-observer"
	}
	return "unknown"
}

// ConfChange adds or removes one member.
type ConfChange struct {
	Type ChangeType
	Node NodeID
}

// Value is what one slot decides. Values are immutable once proposed: the
// core and its caller share them without copying.
type Value struct {
	Kind   ValueKind
	Cmds   [][]byte   // ValueCmds
	Change ConfChange // ValueChange
}

// Equal reports whether two values are the same decision.
func (v Value) Equal(o Value) bool {
	if v.Kind != o.Kind || v.Change != o.Change || len(v.Cmds) != len(o.Cmds) {
		return false
	}
	for i := range v.Cmds {
		if !bytes.Equal(v.Cmds[i], o.Cmds[i]) {
			return false
		}
	}
	return true
}

func (v Value) String() string {
	switch v.Kind {
	case ValueNoop:
		return "noop"
	case ValueChange:
		return fmt.Sprintf("%s(%d)", v.Change.Type, v.Change.Node)
	}
	parts := make([]string, len(v.Cmds))
	for i, c := range v.Cmds {
		parts[i] = string(c)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// Entry is one slot's value. In Ready.Entries and in Storage it is an
// accepted value with the ballot it was accepted under; in Ready.Committed
// and in learn messages it is a chosen value (Ballot is then informative
// only).
type Entry struct {
	Slot   uint64
	Ballot Ballot
	Value  Value
}

// HardState is the acceptor state that must survive a crash: the highest
// ballot this node has promised. Accepted values are persisted as Entries.
type HardState struct {
	Promised Ballot
}

// Membership is the set of voters and observers that governs the slots from
// Start on (until the next Membership's Start).
type Membership struct {
	Start     uint64
	Voters    []NodeID
	Observers []NodeID
}

// IsVoter reports whether id votes in m.
func (m Membership) IsVoter(id NodeID) bool { return contains(m.Voters, id) }

// Quorum is the number of voters that form a majority of m.
func (m Membership) Quorum() int { return len(m.Voters)/2 + 1 }

func contains(ids []NodeID, id NodeID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Snapshot stands for every slot up to and including Slot. Data is the
// caller's state machine image (opaque to the core); Members is the
// membership history the core needs to go on from Slot+1.
type Snapshot struct {
	Slot    uint64
	Data    []byte
	Members []Membership
}

// Storage is what a node restarts from: exactly what it was told to persist
// (the last HardState, every Entry not covered by the Snapshot, and the
// Snapshot).
type Storage struct {
	HardState HardState
	Entries   []Entry
	Snapshot  *Snapshot
}
