package paxos

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
)

// memStorage is a node's "disk": exactly what Ready told it to persist.
type memStorage struct {
	hs      HardState
	entries map[uint64]Entry
	snap    *Snapshot
}

func (s *memStorage) storage() Storage {
	st := Storage{HardState: s.hs, Snapshot: s.snap}
	for _, e := range s.entries {
		st.Entries = append(st.Entries, e)
	}
	slices.SortFunc(st.Entries, func(a, b Entry) int { return int64cmp(a.Slot, b.Slot) })
	return st
}

// cluster is an in-memory network of nodes for unit, scenario and benchmark
// tests: messages wait in one queue until delivered, so tests control every
// interleaving.
type cluster struct {
	ids     []NodeID
	nodes   map[NodeID]*Node
	store   map[NodeID]*memStorage
	down    map[NodeID]bool
	group   map[NodeID]int
	msgs    []Message
	applied map[NodeID][]Entry
	roles   map[NodeID]string
	cfg     Config
	seed    uint64
	trace   io.Writer // nil: no trace
	// compactEvery, when > 0, compacts a node every that many delivered slots.
	compactEvery uint64
}

func newCluster(n int, seed uint64, trace io.Writer) *cluster {
	c := &cluster{nodes: map[NodeID]*Node{}, store: map[NodeID]*memStorage{},
		down: map[NodeID]bool{}, group: map[NodeID]int{}, applied: map[NodeID][]Entry{}, roles: map[NodeID]string{},
		seed: seed, trace: trace}
	c.cfg = DefaultConfig()
	for i := 1; i <= n; i++ {
		c.ids = append(c.ids, NodeID(i))
	}
	c.cfg.Voters = c.ids
	for _, id := range c.ids {
		c.store[id] = &memStorage{entries: map[uint64]Entry{}}
		c.start(id)
	}
	return c
}

func (c *cluster) tracef(format string, args ...any) {
	if c.trace != nil {
		fmt.Fprintf(c.trace, format+"\n", args...)
	}
}

func (c *cluster) start(id NodeID) {
	cfg := c.cfg
	cfg.ID = id
	cfg.Rand = rand.New(rand.NewPCG(c.seed, uint64(id)))
	n, err := NewNode(cfg, c.store[id].storage())
	if err != nil {
		panic(err)
	}
	c.nodes[id] = n
	c.roles[id] = n.Role()
	c.applied[id] = nil
	if s := c.store[id].snap; s != nil {
		c.applied[id] = append(c.applied[id], snapshotMark(s.Slot))
	}
}

// snapshotMark stands in the applied sequence for a restored snapshot.
func snapshotMark(slot uint64) Entry {
	return Entry{Slot: slot, Ballot: Ballot{Round: ^uint64(0)}}
}

func isSnapshotMark(e Entry) bool { return e.Ballot.Round == ^uint64(0) }

func (c *cluster) crash(id NodeID) {
	c.down[id] = true
	c.tracef("crash %d", id)
}

func (c *cluster) restart(id NodeID) {
	c.down[id] = false
	c.start(id)
	c.tracef("restart %d (promised %s, %d entries, snapshot %d)", id, c.store[id].hs.Promised,
		len(c.store[id].entries), c.nodes[id].SnapshotSlot())
}

// process runs id's Ready loop until it has nothing more to do.
func (c *cluster) process(id NodeID) {
	n := c.nodes[id]
	c.noteRole(id)
	for n.HasReady() {
		rd := n.Ready()
		st := c.store[id]
		if rd.HardState != nil {
			st.hs = *rd.HardState
		}
		if rd.Snapshot != nil {
			st.snap = rd.Snapshot
			for s := range st.entries {
				if s <= rd.Snapshot.Slot {
					delete(st.entries, s)
				}
			}
			c.applied[id] = append(c.applied[id], snapshotMark(rd.Snapshot.Slot))
			c.tracef("%d installs snapshot %d", id, rd.Snapshot.Slot)
		}
		for _, e := range rd.Entries {
			st.entries[e.Slot] = e
		}
		c.msgs = append(c.msgs, rd.Messages...)
		for _, e := range rd.Committed {
			c.applied[id] = append(c.applied[id], e)
			c.tracef("%d applies %d:%s", id, e.Slot, e.Value)
		}
		n.Advance()
		if c.compactEvery > 0 && n.Delivered() >= n.SnapshotSlot()+c.compactEvery {
			s, err := n.Compact(n.Delivered(), nil)
			if err != nil {
				panic(err)
			}
			st.snap = s
			for sl := range st.entries {
				if sl <= s.Slot {
					delete(st.entries, sl)
				}
			}
			c.tracef("%d compacts to %d", id, s.Slot)
		}
		c.noteRole(id)
	}
}

func (c *cluster) noteRole(id NodeID) {
	n := c.nodes[id]
	if r := n.Role(); r != c.roles[id] {
		if c.roles[id] != "" || r != "follower" {
			c.tracef("%d becomes %s at ballot %s", id, r, n.Ballot())
		}
		c.roles[id] = r
	}
}

func (c *cluster) connected(a, b NodeID) bool {
	return !c.down[a] && !c.down[b] && c.group[a] == c.group[b]
}

// deliver delivers every queued message once (new messages wait for the
// next call); messages to a crashed or partitioned node are dropped.
func (c *cluster) deliver() int {
	msgs := c.msgs
	c.msgs = nil
	for _, m := range msgs {
		if !c.connected(m.From, m.To) {
			c.tracef("drop %s", m)
			continue
		}
		c.tracef("%s", m)
		if err := c.nodes[m.To].Step(m); err != nil {
			panic(err)
		}
		c.process(m.To)
	}
	return len(msgs)
}

func (c *cluster) stabilize() {
	for i := 0; i < 10000 && len(c.msgs) > 0; i++ {
		c.deliver()
	}
}

func (c *cluster) tick(id NodeID, k int) {
	for i := 0; i < k; i++ {
		if c.down[id] {
			return
		}
		c.nodes[id].Tick()
		c.process(id)
	}
}

// campaign ticks id until it starts a campaign.
func (c *cluster) campaign(id NodeID) {
	n := c.nodes[id]
	for i := 0; i < 1000 && n.Role() == "follower"; i++ {
		n.Tick()
	}
	c.process(id)
}

func (c *cluster) propose(id NodeID, cmd string) error {
	err := c.nodes[id].Propose([]byte(cmd))
	c.process(id)
	return err
}

func (c *cluster) leader() NodeID {
	for _, id := range c.ids {
		if !c.down[id] && c.nodes[id].IsLeader() {
			return id
		}
	}
	return 0
}

// checkAgreement fails if two nodes applied different values in one slot.
func (c *cluster) checkAgreement() error {
	seen := map[uint64]Value{}
	for _, id := range c.ids {
		for _, e := range c.applied[id] {
			if isSnapshotMark(e) {
				continue
			}
			if v, ok := seen[e.Slot]; ok && !v.Equal(e.Value) {
				return fmt.Errorf("slot %d: %s vs %s", e.Slot, v, e.Value)
			}
			seen[e.Slot] = e.Value
		}
	}
	return nil
}

func (c *cluster) status() string {
	var b strings.Builder
	for _, id := range c.ids {
		n := c.nodes[id]
		state := n.Role()
		if c.down[id] {
			state = "down"
		}
		fmt.Fprintf(&b, "%d: %s ballot=%s learned=%d delivered=%d snapshot=%d\n", id, state,
			n.Ballot(), n.Learned(), n.Delivered(), n.SnapshotSlot())
	}
	return b.String()
}
