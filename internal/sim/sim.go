package sim

import (
	"container/heap"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/anishathalye/porcupine"
	"github.com/synod-dev/synod/internal/paxos"
)

type eventKind uint8

const (
	evMsg eventKind = iota
	evTick
	evClient
	evTimeout
	evFault
)

type event struct {
	at     int64
	seq    uint64
	kind   eventKind
	msg    paxos.Message
	client int
	opSeq  int
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any     { o := *q; x := o[len(o)-1]; *q = o[:len(o)-1]; return x }

// disk is what a node persisted through Ready: all it has after a crash.
type disk struct {
	hs      paxos.HardState
	entries map[uint64]paxos.Entry
	snap    *paxos.Snapshot
}

func (d *disk) storage() paxos.Storage {
	st := paxos.Storage{HardState: d.hs, Snapshot: d.snap}
	for _, e := range d.entries {
		st.Entries = append(st.Entries, e)
	}
	slices.SortFunc(st.Entries, func(a, b paxos.Entry) int { return int(a.Slot) - int(b.Slot) })
	return st
}

func (d *disk) dropUpTo(slot uint64) {
	for s := range d.entries {
		if s <= slot {
			delete(d.entries, s)
		}
	}
}

type simNode struct {
	id        paxos.NodeID
	node      *paxos.Node
	up        bool
	inc       int // incarnation
	group     int // partition group
	disk      disk
	kv        *kvState
	delivered uint64
}

// Result summarizes a run.
type Result struct {
	Err       error // the first failed check, nil if all passed
	Chosen    uint64
	Ops       int // completed client operations
	Messages  int
	Crashes   int
	Changes   int
	Snapshots int // snapshots installed from another node
}

// Sim is one run. Build it with New and run it with Run.
type Sim struct {
	cfg    Config
	rng    *rand.Rand
	now    int64
	seq    uint64
	q      eventQueue
	nodes  []*simNode // nodes[i].id == i+1
	voters []paxos.NodeID
	obs    []paxos.NodeID
	faults bool
	orc    *oracle
	cl     []*client
	hist   []porcupine.Operation
	res    Result
	healAt int64
	// forgetPromises breaks the disk on purpose (tests of the checker).
	forgetPromises bool
}

// New builds a simulation of cfg.
func New(cfg Config) *Sim {
	s := &Sim{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 1)), faults: true}
	total := cfg.Nodes + cfg.Observers
	if cfg.Spare {
		total++
	}
	for i := 1; i <= cfg.Nodes; i++ {
		s.voters = append(s.voters, paxos.NodeID(i))
	}
	for i := cfg.Nodes + 1; i <= cfg.Nodes+cfg.Observers; i++ {
		s.obs = append(s.obs, paxos.NodeID(i))
	}
	s.orc = newOracle(paxos.Membership{Start: 1, Voters: s.voters, Observers: s.obs}, cfg.Window)
	for i := 1; i <= total; i++ {
		sn := &simNode{id: paxos.NodeID(i), disk: disk{entries: map[uint64]paxos.Entry{}}}
		s.nodes = append(s.nodes, sn)
		s.start(sn)
		// Ticks start at a random phase per node.
		s.push(&event{at: 1 + s.rng.Int64N(cfg.TickMS), kind: evTick, client: i - 1, opSeq: sn.inc})
	}
	for c := 0; c < cfg.Clients; c++ {
		s.cl = append(s.cl, &client{id: c, target: s.rng.IntN(cfg.Nodes)})
		s.push(&event{at: 1 + s.rng.Int64N(50), kind: evClient, client: c})
	}
	s.push(&event{at: 50, kind: evFault})
	return s
}

func (s *Sim) logf(format string, args ...any) {
	if s.cfg.Log != nil {
		fmt.Fprintf(s.cfg.Log, "%7d ms  "+format+"\n", append([]any{s.now}, args...)...)
	}
}

func (s *Sim) push(e *event) {
	s.seq++
	e.seq = s.seq
	heap.Push(&s.q, e)
}

func (s *Sim) fail(format string, args ...any) {
	if s.res.Err == nil {
		s.res.Err = fmt.Errorf("t=%dms: "+format, append([]any{s.now}, args...)...)
		s.logf("FAIL: %v", s.res.Err)
	}
}

// start (re)creates sn's paxos node from its disk, and its state machine
// from the disk's snapshot.
func (s *Sim) start(sn *simNode) {
	pc := paxos.DefaultConfig()
	pc.ID = sn.id
	pc.Voters, pc.Observers = s.voters, s.obs
	pc.Rand = rand.New(rand.NewPCG(s.cfg.Seed, uint64(sn.id)<<32|uint64(sn.inc)))
	pc.Window, pc.MaxBatch, pc.Forward = s.cfg.Window, s.cfg.MaxBatch, s.cfg.Forward
	n, err := paxos.NewNode(pc, sn.disk.storage())
	if err != nil {
		s.fail("node %d: restart: %v", sn.id, err)
		return
	}
	sn.node, sn.up = n, true
	sn.kv, sn.delivered = newKV(), 0
	if sn.disk.snap != nil {
		kv, err := decodeKV(sn.disk.snap.Data)
		if err != nil {
			s.fail("node %d: %v", sn.id, err)
			return
		}
		sn.kv, sn.delivered = kv, sn.disk.snap.Slot
	}
}

// Run runs the fault phase, then the heal phase, and returns the result.
func (s *Sim) Run() Result {
	s.logf("config %s", s.cfg)
	end := s.cfg.FaultMS + s.cfg.HealMS
	for s.q.Len() > 0 && s.res.Err == nil {
		e := heap.Pop(&s.q).(*event)
		if e.at > end {
			break
		}
		if s.faults && e.at >= s.cfg.FaultMS {
			s.now = s.cfg.FaultMS
			s.heal()
		}
		s.now = e.at
		s.handle(e)
	}
	s.now = end
	if s.res.Err == nil {
		s.checkEnd()
	}
	return s.res
}

func (s *Sim) handle(e *event) {
	switch e.kind {
	case evMsg:
		s.deliver(e.msg)
	case evTick:
		sn := s.nodes[e.client]
		if sn.inc != e.opSeq || !sn.up {
			return // a tick of a crashed incarnation
		}
		sn.node.Tick()
		s.process(sn)
		e.at += s.cfg.TickMS
		s.push(e)
	case evClient:
		s.clientStep(s.cl[e.client])
	case evTimeout:
		s.clientTimeout(s.cl[e.client], e.opSeq)
	case evFault:
		if s.faults {
			s.faultRound()
			s.push(&event{at: s.now + 50, kind: evFault})
		}
	}
}

// process runs sn's Ready loop: persist, then send, then apply, then
// Advance; and compacts when due.
func (s *Sim) process(sn *simNode) {
	n := sn.node
	for sn.up && n.HasReady() && s.res.Err == nil {
		rd := n.Ready()
		if rd.HardState != nil && !s.forgetPromises {
			sn.disk.hs = *rd.HardState
		}
		if rd.Snapshot != nil {
			sn.disk.snap = rd.Snapshot
			sn.disk.dropUpTo(rd.Snapshot.Slot)
		}
		for _, e := range rd.Entries {
			sn.disk.entries[e.Slot] = e
			if err := s.orc.accepted(sn.id, e); err != nil {
				s.fail("%v", err)
			}
		}
		// Durable now: the messages may leave.
		for _, m := range rd.Messages {
			s.send(m)
		}
		if rd.Snapshot != nil {
			kv, err := decodeKV(rd.Snapshot.Data)
			if err != nil {
				s.fail("node %d: %v", sn.id, err)
				return
			}
			s.logf("node %d installs snapshot at slot %d (delivered %d)", sn.id, rd.Snapshot.Slot, sn.delivered)
			if rd.Snapshot.Slot > sn.delivered {
				if err := s.orc.snapshot(sn.id, rd.Snapshot.Slot); err != nil {
					s.fail("%v", err)
				}
				sn.kv, sn.delivered = kv, rd.Snapshot.Slot
			}
			s.res.Snapshots++
		}
		for _, e := range rd.Committed {
			s.apply(sn, e)
		}
		n.Advance()
		if n.Delivered() != sn.delivered && s.res.Err == nil {
			s.fail("node %d: core delivered %d, caller applied %d", sn.id, n.Delivered(), sn.delivered)
		}
		if sn.delivered >= n.SnapshotSlot()+s.cfg.CompactEvery {
			snap, err := n.Compact(sn.delivered, sn.kv.encode())
			if err != nil {
				s.fail("node %d: %v", sn.id, err)
				return
			}
			sn.disk.snap = snap
			sn.disk.dropUpTo(snap.Slot)
		}
		if s.faults && s.rng.Float64() < s.cfg.CrashReadyP {
			s.crash(sn)
		}
	}
}

// apply checks and applies one delivered slot.
func (s *Sim) apply(sn *simNode, e paxos.Entry) {
	if e.Slot != sn.delivered+1 {
		s.fail("node %d delivered slot %d after %d (not strictly in order)", sn.id, e.Slot, sn.delivered)
		return
	}
	sn.delivered = e.Slot
	if err := s.orc.delivered(sn.id, e); err != nil {
		s.fail("%v", err)
		return
	}
	s.res.Chosen = max(s.res.Chosen, e.Slot)
	for _, b := range e.Value.Cmds {
		c, err := decodeCommand(b)
		if err != nil {
			s.fail("node %d slot %d: %v", sn.id, e.Slot, err)
			return
		}
		out, dup := sn.kv.apply(c)
		if !dup {
			s.completed(sn, c, out)
		}
	}
}

func (s *Sim) send(m paxos.Message) {
	s.res.Messages++
	from, to := s.nodes[m.From-1], s.nodes[m.To-1]
	if s.faults && (from.group != to.group || s.rng.Float64() < s.cfg.DropP) {
		return
	}
	s.push(&event{at: s.now + 1 + s.rng.Int64N(s.cfg.MaxDelayMS), kind: evMsg, msg: m})
	if s.faults && s.rng.Float64() < s.cfg.DupP {
		s.push(&event{at: s.now + 1 + s.rng.Int64N(s.cfg.MaxDelayMS), kind: evMsg, msg: m})
	}
}

func (s *Sim) deliver(m paxos.Message) {
	from, to := s.nodes[m.From-1], s.nodes[m.To-1]
	if !to.up || from.group != to.group {
		return
	}
	if err := to.node.Step(m); err != nil {
		s.fail("node %d: step: %v", to.id, err)
		return
	}
	s.process(to)
}

func (s *Sim) leader() *simNode {
	var best *simNode
	for _, sn := range s.nodes {
		if sn.up && sn.node.IsLeader() && (best == nil || best.node.Ballot().Less(sn.node.Ballot())) {
			best = sn
		}
	}
	return best
}

// faultRound draws this round's faults.
func (s *Sim) faultRound() {
	c := s.cfg
	for _, sn := range s.nodes {
		switch {
		case sn.up && s.rng.Float64() < c.CrashP:
			s.crash(sn)
		case !sn.up && s.rng.Float64() < c.RestartP:
			s.restart(sn)
		}
	}
	if s.rng.Float64() < c.PartitionP {
		for _, sn := range s.nodes {
			sn.group = s.rng.IntN(2)
		}
		s.logf("partition %v", s.groups())
	} else if s.rng.Float64() < c.HealP {
		for _, sn := range s.nodes {
			sn.group = 0
		}
	}
	if s.rng.Float64() < c.ChangeP {
		s.change()
	}
}

func (s *Sim) crash(sn *simNode) {
	sn.up = false
	sn.inc++
	s.res.Crashes++
	s.logf("crash node %d (role %s, learned %d, delivered %d)", sn.id, sn.node.Role(), sn.node.Learned(), sn.delivered)
}

func (s *Sim) groups() [2][]paxos.NodeID {
	var g [2][]paxos.NodeID
	for _, sn := range s.nodes {
		g[sn.group] = append(g[sn.group], sn.id)
	}
	return g
}

func (s *Sim) restart(sn *simNode) {
	sn.inc++
	s.start(sn)
	s.logf("restart node %d from disk (promised %s, %d entries, snapshot %d)", sn.id,
		sn.disk.hs.Promised, len(sn.disk.entries), sn.node.SnapshotSlot())
	s.push(&event{at: s.now + 1 + s.rng.Int64N(s.cfg.TickMS), kind: evTick, client: int(sn.id) - 1, opSeq: sn.inc})
	s.process(sn)
}

// change asks the leader for a random membership change that keeps at
// least three voters.
func (s *Sim) change() {
	l := s.leader()
	if l == nil {
		return
	}
	// The latest membership every chosen change makes (the core refuses
	// a change while another is pending).
	m := s.orc.members[len(s.orc.members)-1]
	var opts []paxos.ConfChange
	for _, sn := range s.nodes {
		id := sn.id
		switch {
		case m.IsVoter(id) && len(m.Voters) > 3:
			opts = append(opts, paxos.ConfChange{Type: paxos.RemoveVoter, Node: id})
		case !m.IsVoter(id):
			opts = append(opts, paxos.ConfChange{Type: paxos.AddVoter, Node: id})
			if !slices.Contains(m.Observers, id) {
				opts = append(opts, paxos.ConfChange{Type: paxos.AddObserver, Node: id})
			}
		}
	}
	if len(opts) == 0 {
		return
	}
	cc := opts[s.rng.IntN(len(opts))]
	if err := l.node.ProposeChange(cc); err != nil {
		if !errors.Is(err, paxos.ErrChangePending) {
			s.fail("leader %d refused change %v: %v", l.id, cc, err)
		}
		return
	}
	s.res.Changes++
	s.logf("leader %d proposes %s(%d)", l.id, cc.Type, cc.Node)
	s.process(l)
}

// heal ends the fault phase: every node up, one partition, no loss.
func (s *Sim) heal() {
	s.faults = false
	s.healAt = s.now
	s.logf("faults stop: restart all, heal partitions, no more loss")
	for _, sn := range s.nodes {
		sn.group = 0
		if !sn.up {
			s.restart(sn)
		}
	}
}

// ErrNotLinearizable is returned (wrapped) when porcupine rejects the
// history.
var ErrNotLinearizable = errors.New("history not linearizable")
