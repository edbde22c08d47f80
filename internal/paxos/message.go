package paxos

import "fmt"

// MsgType is a message kind. Wire-visible: ONLY APPEND TO THIS LIST.
type MsgType uint8

// Message kinds.
const (
	// MsgPrepare is phase 1a: Ballot, and Slot = the first slot the new
	// leader does not know to be chosen. One Prepare covers every slot
	// from Slot on.
	MsgPrepare MsgType = iota + 1
	// MsgPromise is phase 1b: the acceptor promised Ballot. Entries are its
	// accepted values for slots >= Slot it does not know to be chosen;
	// Chosen are the chosen values it knows in that range; Snapshot is set
	// when it has compacted slots >= Slot.
	MsgPromise
	// MsgAccept is phase 2a: accept Entries under Ballot. Commit piggybacks
	// the leader's commit point.
	MsgAccept
	// MsgAccepted is phase 2b: the acceptor accepted Slots under Ballot.
	MsgAccepted
	// MsgNack refuses a ballot; Ballot is the acceptor's higher promise.
	MsgNack
	// MsgHeartbeat asserts leadership and spreads the commit point: every
	// slot <= Commit is chosen.
	MsgHeartbeat
	// MsgStatus answers a heartbeat: the sender has learned every slot up
	// to Learned. The leader answers with MsgLearn or MsgSnapshot.
	MsgStatus
	// MsgLearn carries chosen Entries to a replica or observer that lags.
	MsgLearn
	// MsgSnapshot carries a Snapshot to a replica behind the compaction
	// point; the tail follows as MsgLearn.
	MsgSnapshot
	// MsgForward carries client commands from a non-leader to the leader.
	MsgForward
)

var msgNames = [...]string{"", "Prepare", "Promise", "Accept", "Accepted", "Nack",
	"Heartbeat", "Status", "Learn", "Snapshot", "Forward"}

func (t MsgType) String() string {
	if int(t) < len(msgNames) {
		return msgNames[t]
	}
	return fmt.Sprintf("MsgType(%d)", t)
}

// Message is the only thing nodes exchange. Which fields are set depends on
// Type (see the MsgType constants). Messages are immutable once returned by
// Ready: the network may deliver one several times.
type Message struct {
	Type     MsgType
	From, To NodeID
	Ballot   Ballot
	Slot     uint64
	Commit   uint64
	Learned  uint64
	Entries  []Entry
	Chosen   []Entry
	Slots    []uint64
	Cmds     [][]byte
	Snapshot *Snapshot
}

func (m Message) String() string {
	s := fmt.Sprintf("%d->%d %s b=%s", m.From, m.To, m.Type, m.Ballot)
	switch m.Type {
	case MsgPrepare:
		s += fmt.Sprintf(" from=%d", m.Slot)
	case MsgPromise:
		s += fmt.Sprintf(" from=%d learned=%d acc=%s", m.Slot, m.Learned, fmtEntries(m.Entries, true))
		if len(m.Chosen) > 0 {
			s += " chosen=" + fmtEntries(m.Chosen, false)
		}
		if m.Snapshot != nil {
			s += fmt.Sprintf(" snap=%d", m.Snapshot.Slot)
		}
	case MsgAccept:
		s += fmt.Sprintf(" commit=%d %s", m.Commit, fmtEntries(m.Entries, false))
	case MsgAccepted:
		s += fmt.Sprintf(" slots=%v learned=%d", m.Slots, m.Learned)
	case MsgHeartbeat:
		s += fmt.Sprintf(" commit=%d", m.Commit)
	case MsgStatus:
		s += fmt.Sprintf(" learned=%d", m.Learned)
	case MsgLearn:
		s += fmt.Sprintf(" commit=%d %s", m.Commit, fmtEntries(m.Entries, false))
	case MsgSnapshot:
		s += fmt.Sprintf(" snap=%d", m.Snapshot.Slot)
	case MsgForward:
		s += fmt.Sprintf(" cmds=%d", len(m.Cmds))
	}
	return s
}

func fmtEntries(es []Entry, withBallot bool) string {
	s := "["
	for i, e := range es {
		if i > 0 {
			s += " "
		}
		if withBallot {
			s += fmt.Sprintf("%d@%s:%s", e.Slot, e.Ballot, e.Value)
		} else {
			s += fmt.Sprintf("%d:%s", e.Slot, e.Value)
		}
	}
	return s + "]"
}
