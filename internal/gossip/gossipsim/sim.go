// Package gossipsim is a deterministic simulator for the gossip core: N
// nodes on a virtual network with loss, delay and partitions, driven by
// virtual time from one seed. Every run with the same Config replays
// exactly.
//
// Sim runs real gossip.Node cores. Model runs a compact model of the same
// protocol for sizes whose full view does not fit in memory with the real
// core (10,000 nodes); Study measures either, and TestModelAgreesWithCore
// keeps the two in agreement. STUDY.md in the parent directory holds the
// scale study's latest output.
package gossipsim

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/synod-dev/synod/internal/gossip"
)

// Config describes a simulated cluster.
type Config struct {
	N     int    // nodes
	Seeds int    // the first Seeds nodes are the seed list of every node
	Seed  uint64 // replays the run
	// Loss is the probability that a message is dropped.
	Loss float64
	// MinDelay and MaxDelay bound the uniformly drawn one-way delay.
	MinDelay, MaxDelay time.Duration
	// Gossip is the template node config; Name and Seeds are filled in.
	Gossip gossip.Config
	// Track is the number of nodes the Model tracks in full (0: all);
	// Sim ignores it. See Model.
	Track int
	// Wire, when set, encodes and decodes every message through the codec
	// (slower; proves the codec in the loop).
	Wire bool
}

// DefaultConfig is a 10-node cluster with 3 seeds, no loss, 1–20 ms delay.
func DefaultConfig() Config {
	g := gossip.DefaultConfig()
	g.ClusterName = "sim"
	return Config{N: 10, Seeds: 3, Seed: 1, MinDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, Gossip: g}
}

// Record is one event seen by one node.
type Record struct {
	Node  int
	Event gossip.Event
}

type simNode struct {
	node    *gossip.Node
	up      bool
	gen     uint64
	group   int // partition group; messages flow only within one group
	tickGen int // invalidates scheduled ticks of a crashed incarnation
}

type item struct {
	at   time.Duration
	seq  uint64
	to   int
	from int
	msg  *gossip.Message
	tick int // for ticks (msg == nil): the incarnation that scheduled it
}

type queue []*item

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(*item)) }
func (q *queue) Pop() any     { o := *q; x := o[len(o)-1]; *q = o[:len(o)-1]; return x }

// Sim is a running simulation.
type Sim struct {
	cfg   Config
	rng   *rand.Rand
	now   time.Duration
	seq   uint64
	q     queue
	nodes []*simNode
	index map[string]int
	// Bytes counts encoded bytes of every message handed to the network.
	Bytes uint64
	// Messages counts messages handed to the network.
	Messages uint64
	// OnEvent, when set, is called for every event any node emits.
	OnEvent func(Record)
	// Dropped counts messages lost, partitioned or sent to a down node.
	Dropped uint64

	downCount uint64 // EventDown events of any node
}

// Name is the simulated name of node i.
func Name(i int) string { return fmt.Sprintf("n%05d", i) }

// New starts cfg.N nodes at time 0, each with a random tick phase.
func New(cfg Config) (*Sim, error) {
	if cfg.N < 1 || cfg.Seeds < 1 || cfg.Seeds > cfg.N {
		return nil, fmt.Errorf("gossipsim: need 1 <= seeds (%d) <= N (%d)", cfg.Seeds, cfg.N)
	}
	s := &Sim{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x5eed)), index: map[string]int{}}
	for i := 0; i < cfg.N; i++ {
		s.index[Name(i)] = i
		s.nodes = append(s.nodes, &simNode{})
	}
	for i := range s.nodes {
		if err := s.start(i, 1); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Sim) start(i int, gen uint64) error {
	gc := s.cfg.Gossip
	gc.Name = Name(i)
	gc.Seeds = nil
	for k := 0; k < s.cfg.Seeds; k++ {
		gc.Seeds = append(gc.Seeds, Name(k))
	}
	rng := rand.New(rand.NewPCG(s.cfg.Seed, uint64(i)<<20|gen))
	n, err := gossip.New(gc, gen, rng, s.now)
	if err != nil {
		return fmt.Errorf("gossipsim: start node %d: %w", i, err)
	}
	sn := s.nodes[i]
	sn.node, sn.up, sn.gen = n, true, gen
	sn.tickGen++
	phase := time.Duration(s.rng.Int64N(int64(s.cfg.Gossip.Interval)))
	s.push(&item{at: s.now + phase, to: i, tick: sn.tickGen})
	return nil
}

func (s *Sim) push(it *item) {
	s.seq++
	it.seq = s.seq
	heap.Push(&s.q, it)
}

// Now is the virtual time.
func (s *Sim) Now() time.Duration { return s.now }

// N is the number of nodes.
func (s *Sim) N() int { return len(s.nodes) }

// Node returns node i's core (nil while crashed).
func (s *Sim) Node(i int) *gossip.Node {
	if !s.nodes[i].up {
		return nil
	}
	return s.nodes[i].node
}

// Up reports whether node i runs.
func (s *Sim) Up(i int) bool { return s.nodes[i].up }

// Crash stops node i: it neither ticks nor receives.
func (s *Sim) Crash(i int) { s.nodes[i].up = false; s.nodes[i].tickGen++ }

// Restart starts node i again with the next generation and empty state.
func (s *Sim) Restart(i int) error { return s.start(i, s.nodes[i].gen+1) }

// PickNode draws a node from [lo, N) for the study's probes and crashes.
func (s *Sim) PickNode(rng *rand.Rand, lo int) int { return lo + rng.IntN(len(s.nodes)-lo) }

// PeerCount is the number of peers node i knows (0 while crashed).
func (s *Sim) PeerCount(i int) int {
	if !s.nodes[i].up {
		return 0
	}
	return s.nodes[i].node.PeerCount()
}

// SetProbe sets node i's "probe" key and returns the generation and max
// version that carry it.
func (s *Sim) SetProbe(i int, value string) (gen, ver uint64) {
	n := s.nodes[i].node
	n.SetKey(probeKey, value)
	return n.Generation(), n.SelfVersion()
}

// Partition splits the cluster: nodes in groups[k] get group k+1; all
// others stay in group 0. Messages flow only within a group.
func (s *Sim) Partition(groups ...[]int) {
	for _, n := range s.nodes {
		n.group = 0
	}
	for k, g := range groups {
		for _, i := range g {
			s.nodes[i].group = k + 1
		}
	}
}

// Heal removes every partition.
func (s *Sim) Heal() { s.Partition() }

// Step processes the next event; it reports false when nothing is queued.
func (s *Sim) Step() bool {
	if len(s.q) == 0 {
		return false
	}
	it := heap.Pop(&s.q).(*item)
	s.now = it.at
	sn := s.nodes[it.to]
	if it.msg == nil {
		if !sn.up || it.tick != sn.tickGen {
			return true
		}
		sn.node.Tick(s.now)
		s.push(&item{at: s.now + s.cfg.Gossip.Interval, to: it.to, tick: sn.tickGen})
	} else {
		if !sn.up {
			s.Dropped++
			return true
		}
		if s.cfg.Wire {
			b, err := gossip.Encode(nil, it.msg, s.cfg.Gossip.Key)
			if err != nil {
				panic(fmt.Sprintf("gossipsim seed %d: encode: %v", s.cfg.Seed, err))
			}
			_ = sn.node.Receive(s.now, b)
		} else {
			_ = sn.node.Step(s.now, it.msg)
		}
	}
	s.drain(it.to)
	return true
}

func (s *Sim) drain(i int) {
	rd := s.nodes[i].node.Ready()
	for _, e := range rd.Events {
		if e.Kind == gossip.EventDown {
			s.downCount++
		}
		if s.OnEvent != nil {
			s.OnEvent(Record{Node: i, Event: e})
		}
	}
	for _, env := range rd.Messages {
		s.Messages++
		s.Bytes += uint64(gossip.EncodedSize(env.Msg))
		to, ok := s.index[env.To]
		if !ok || s.nodes[to].group != s.nodes[i].group || (s.cfg.Loss > 0 && s.rng.Float64() < s.cfg.Loss) {
			s.Dropped++
			continue
		}
		d := s.cfg.MinDelay
		if s.cfg.MaxDelay > s.cfg.MinDelay {
			d += time.Duration(s.rng.Int64N(int64(s.cfg.MaxDelay - s.cfg.MinDelay)))
		}
		s.push(&item{at: s.now + d, to: to, from: i, msg: env.Msg})
	}
}

// RunFor advances virtual time by d.
func (s *Sim) RunFor(d time.Duration) {
	end := s.now + d
	for len(s.q) > 0 && s.q[0].at <= end {
		s.Step()
	}
	s.now = end
}

// RunUntil advances until cond holds (checked every check of virtual time)
// or limit passes; it reports whether cond held.
func (s *Sim) RunUntil(cond func() bool, check, limit time.Duration) bool {
	end := s.now + limit
	for s.now < end {
		if cond() {
			return true
		}
		s.RunFor(check)
	}
	return cond()
}

// FullyConnected reports whether every running node sees every other
// running node as alive or suspect.
func (s *Sim) FullyConnected() bool {
	for i, a := range s.nodes {
		if !a.up {
			continue
		}
		for j, b := range s.nodes {
			if i == j || !b.up {
				continue
			}
			m, ok := a.node.Peer(Name(j))
			if !ok || m.Generation != b.gen || m.Status == gossip.StatusDead || m.Status == gossip.StatusLeftPeer {
				return false
			}
		}
	}
	return true
}

// AllSee reports whether every running node other than j sees node j in
// one of the given statuses. A node that has forgotten j (after the
// quarantine) does not count as seeing it.
func (s *Sim) AllSee(j int, want ...gossip.Status) bool {
	for i, a := range s.nodes {
		if i == j || !a.up {
			continue
		}
		m, ok := a.node.Peer(Name(j))
		if !ok {
			return false
		}
		hit := false
		for _, w := range want {
			hit = hit || m.Status == w
		}
		if !hit {
			return false
		}
	}
	return true
}

// AllKnow reports whether every running node knows node j's state at
// (gen, ver) or newer.
func (s *Sim) AllKnow(j int, gen, ver uint64) bool {
	for i, a := range s.nodes {
		if i == j || !a.up {
			continue
		}
		if !a.node.KnowsVersion(Name(j), gen, ver) {
			return false
		}
	}
	return true
}
