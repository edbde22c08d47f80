package paxos

import (
	"math/rand/v2"
	"testing"
)

func newTestNode(t *testing.T, id NodeID, st Storage) *Node {
	t.Helper()
	cfg := DefaultConfig()
	cfg.ID, cfg.Voters, cfg.Rand = id, []NodeID{1, 2, 3}, rand.New(rand.NewPCG(1, uint64(id)))
	n, err := NewNode(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A promise leaves in the same Ready as the HardState that records it, so
// a caller following the Ready contract persists before it sends.
func TestPromiseTravelsWithItsHardState(t *testing.T) {
	n := newTestNode(t, 2, Storage{})
	b := Ballot{Round: 3, Node: 1}
	if err := n.Step(Message{Type: MsgPrepare, From: 1, To: 2, Ballot: b, Slot: 1}); err != nil {
		t.Fatal(err)
	}
	rd := n.Ready()
	if rd.HardState == nil || rd.HardState.Promised != b {
		t.Fatalf("HardState = %+v, want promise %s", rd.HardState, b)
	}
	if len(rd.Messages) != 1 || rd.Messages[0].Type != MsgPromise {
		t.Fatalf("messages = %v, want one Promise", rd.Messages)
	}
	n.Advance()
}

// Accepted entries are listed for persistence with the ballot they were
// accepted under, in the Ready that carries the Accepted reply.
func TestAcceptPersistsBeforeReply(t *testing.T) {
	n := newTestNode(t, 2, Storage{})
	b := Ballot{Round: 1, Node: 1}
	v := Value{Kind: ValueCmds, Cmds: [][]byte{[]byte("x")}}
	_ = n.Step(Message{Type: MsgAccept, From: 1, To: 2, Ballot: b, Entries: []Entry{{Slot: 1, Value: v}}})
	rd := n.Ready()
	if len(rd.Entries) != 1 || rd.Entries[0].Ballot != b || !rd.Entries[0].Value.Equal(v) {
		t.Fatalf("entries = %v", rd.Entries)
	}
	if len(rd.Messages) != 1 || rd.Messages[0].Type != MsgAccepted || rd.Messages[0].Slots[0] != 1 {
		t.Fatalf("messages = %v", rd.Messages)
	}
}

func TestLowerBallotRefused(t *testing.T) {
	n := newTestNode(t, 2, Storage{HardState: HardState{Promised: Ballot{Round: 5, Node: 3}}})
	_ = n.Step(Message{Type: MsgAccept, From: 1, To: 2, Ballot: Ballot{Round: 4, Node: 1},
		Entries: []Entry{{Slot: 1}}})
	rd := n.Ready()
	if len(rd.Entries) != 0 {
		t.Fatalf("accepted under a ballot lower than the promise: %v", rd.Entries)
	}
	if len(rd.Messages) != 1 || rd.Messages[0].Type != MsgNack || rd.Messages[0].Ballot != (Ballot{5, 3}) {
		t.Fatalf("want a Nack carrying 5.3, got %v", rd.Messages)
	}
}

// A restarted acceptor reports what it accepted before the crash.
func TestRestartKeepsAccepted(t *testing.T) {
	acc := Entry{Slot: 4, Ballot: Ballot{2, 1}, Value: Value{Kind: ValueCmds, Cmds: [][]byte{[]byte("y")}}}
	n := newTestNode(t, 2, Storage{HardState: HardState{Promised: Ballot{2, 1}}, Entries: []Entry{acc}})
	_ = n.Step(Message{Type: MsgPrepare, From: 3, To: 2, Ballot: Ballot{3, 3}, Slot: 1})
	rd := n.Ready()
	p := rd.Messages[0]
	if p.Type != MsgPromise || len(p.Entries) != 1 || p.Entries[0].Ballot != acc.Ballot {
		t.Fatalf("promise = %s, want it to report %v", p, acc)
	}
}

func TestCompactRules(t *testing.T) {
	c := newCluster(3, 1, nil)
	c.campaign(1)
	c.stabilize()
	_ = c.propose(1, "a")
	c.stabilize()
	n := c.nodes[1]
	if _, err := n.Compact(5, nil); err == nil {
		t.Fatal("compacted past the delivered slot")
	}
	s, err := n.Compact(1, []byte("img"))
	if err != nil || s.Slot != 1 || len(s.Members) == 0 {
		t.Fatalf("compact: %v %+v", err, s)
	}
	if _, err := n.Compact(1, nil); err == nil {
		t.Fatal("compacted twice to the same slot")
	}
}
