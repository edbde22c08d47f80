package gossipsim

import (
	"container/heap"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/synod-dev/synod/internal/gossip"
)

// Model is a compact model of the gossip core for cluster sizes whose
// full-view simulation with the real core does not fit in memory or time:
// a gossip.Node keeps every peer in a map of endpoint states with a
// detector window of its own, about 1 KB per (node, peer) pair, 100 GB at
// N = 10,000, and every round costs O(N²). The model runs the same protocol
// on flat arrays indexed by node number:
//
//   - the same virtual network as Sim (one seeded event queue, random tick
//     phases, uniform delay, independent loss);
//   - the same round partners (one random live peer, a dead one with
//     probability dead/(live+1), a seed by Cassandra's rule);
//   - the same Syn/Ack/Ack2 version logic (requests, deltas with the
//     heartbeat always and keys newer than the digest, pushes of endpoints
//     the Syn does not mention, quarantine and the forgotten-node rule);
//   - the same phi-accrual math and thresholds (bootstrap sample of two
//     intervals, phi = 0.434 * t / mean);
//   - bytes counted with the sizes gossip.EncodedSize gives for the same
//     messages.
//
// Tracked endpoints. With Config.Track = T < N, every node keeps the full
// versioned state and detector (65 bytes) of only T endpoints chosen at
// random, the tracked ones, and of the others one bit: known or not. Who
// knows whom (and so the join, the partner draws and the Syn size) is
// exact; so is everything about the tracked endpoints, which is where the
// study puts its probes and crashes (PickNode). What is estimated is the
// part of an Ack and an Ack2 that carries heartbeat deltas of untracked
// endpoints both sides know: it is counted as if they were fresher on
// either side in the same proportion as the tracked ones in that exchange.
// False convictions are counted on tracked pairs and scaled by N/T. An
// untracked endpoint is never convicted (if tracked ones were, the rate
// would show it). With Track = 0 or N everything is exact.
//
// Where the model differs from the core otherwise, it says so; none of it
// changes what the study measures beyond noise (TestModelAgreesWithCore
// checks that at N = 100, gossip-sim prints model rows next to real-core
// rows at N = 100 and 1,000):
//
//   - the detector mean is over the last 100 to 109 inter-arrival samples
//     (ten completed blocks of ten plus the filling block, block sums kept
//     in milliseconds and saturating at 65.5 s per block) instead of
//     exactly the last 100 in microseconds; a sample is capped at 429 s
//     instead of 71 minutes; the times phi crosses the thresholds are
//     computed at each arrival and rounded up to the millisecond;
//   - digests are not shuffled (nothing is ever truncated, so order does
//     not matter), and the random draws differ from the core's, so runs
//     agree statistically, not event for event;
//   - the only application key is the study's "probe"; Leave and restarts
//     with a new generation are not modelled (the study uses neither);
//   - no events are kept; down events (convictions) are counted.
type Model struct {
	cfg      Config
	rng      *rand.Rand
	now      time.Duration
	seq      uint64
	q        mqueue
	nodes    []mnode
	sz       msizes
	blockLen int
	maxUS    int64
	slack    uint32
	words    int     // length of a bitset over the nodes
	cols     []int32 // tracked node of each column
	colOf    []int32 // column of each node, -1 when untracked
	untrack  []uint64
	live     []int32 // scratch for rounds
	dead     []int32
	suspectF float64 // SuspectPhi/0.434: mean inter-arrivals until suspect
	deadF    float64 // ConvictPhi/0.434
	keyed    []bool  // column c's node has set the probe key
	freeSyn  []*msyn
	freeSt   [][]mstate
	freeReq  [][]mreq
	freeBits [][]uint64
	bytes    float64
	// Messages counts messages handed to the network.
	Messages uint64
	// Dropped counts messages lost or sent to a down node.
	Dropped uint64
	// Downs counts convictions (the core's EventDown) of tracked nodes.
	Downs uint64
}

// mBlocks is the number of completed sample blocks a detector keeps.
const mBlocks = 10

// mdet is one node's phi-accrual detector for one peer: 40 bytes.
type mdet struct {
	last    time.Duration   // last heartbeat arrival
	cur     uint32          // µs sum of the filling sample block
	bsum    uint32          // ms sum of the completed blocks
	blocks  [mBlocks]uint16 // ms sums of completed blocks (ring), saturating
	nCur    uint8           // samples in the filling block
	nBlocks uint8           // completed blocks held
	head    uint8           // oldest completed block
}

// mdue is when a peer's phi reaches the suspect and the convict
// thresholds if no heartbeat arrives first, in milliseconds (rounded up),
// so that checking a peer at a tick is two comparisons.
type mdue struct {
	suspect, dead uint32
}

type mhb struct {
	hb, hbVer uint32
}

// mnode is one modelled node. Per tracked peer it keeps 65 bytes in
// arrays indexed by column (view 8, hb 8, det 40, due 8, status 1), so
// that each pass over a message touches only what it needs, and one bit
// per node in known.
type mnode struct {
	up      bool
	rng     *rand.Rand
	tickGen int
	known   []uint64 // bitset: nodes this node knows, itself included
	nKnown  int
	// view[c] is generation<<32 | max version of what this node knows of
	// the node of column c, 0 when unknown, so that "newer" is one integer
	// comparison; a tracked node's own column is its own state.
	view      []uint64
	hb        []mhb // heartbeat and its version
	det       []mdet
	due       []mdue
	status    []gossip.Status
	nDead     int               // peers with status dead
	keys      map[int32]uint32  // probe key versions known, by column (Model.keyed)
	deadSince map[int32]uint32  // ms; when a dead peer (by column) was convicted
	forgot    map[int32]mforgot // by column
	valLen    int               // length of the node's own probe value
}

type mforgot struct {
	gen, ver uint32
	until    time.Duration
}

// msyn is a Syn's digests: a snapshot of the sender's view, shared by the
// up to three receivers of one round.
type msyn struct {
	digests []uint64 // by column
	known   []uint64 // bitset
	refs    int
}

type mreq struct {
	c int32  // column
	v uint64 // generation<<32 | version
}

// mstate is one endpoint's delta: the heartbeat always, the probe key when
// keyVer is not zero.
type mstate struct {
	c                      int32 // column
	gen, hb, hbVer, keyVer uint32
}

type mitem struct {
	at     time.Duration
	seq    uint64
	to     int32
	from   int32
	kind   gossip.MsgKind // 0: tick
	tick   int
	syn    *msyn
	reqs   []mreq   // tracked requests, by column
	states []mstate // tracked states, by column
	push   []uint64 // untracked nodes whose full state the message carries
	req    []uint64 // Ack: untracked nodes requested
	estReq float64  // Ack: requests estimated for untracked nodes both know
}

type mqueue []*mitem

func (q mqueue) Len() int { return len(q) }
func (q mqueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q mqueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *mqueue) Push(x any)   { *q = append(*q, x.(*mitem)) }
func (q *mqueue) Pop() any     { o := *q; x := o[len(o)-1]; *q = o[:len(o)-1]; return x }

// msizes are encoded sizes taken from gossip.EncodedSize: empty messages of
// each kind, and what one digest, one state and the probe key (without its
// value) add.
type msizes struct {
	syn, ack, ack2, digest, state, key int
}

func newSizes(cluster string) msizes {
	from := Name(0)
	size := func(m gossip.Message) int {
		m.Cluster, m.From = cluster, from
		return gossip.EncodedSize(&m)
	}
	s := msizes{syn: size(gossip.Message{Kind: gossip.MsgSyn}), ack: size(gossip.Message{Kind: gossip.MsgAck}), ack2: size(gossip.Message{Kind: gossip.MsgAck2})}
	s.digest = size(gossip.Message{Kind: gossip.MsgSyn, Digests: []gossip.Digest{{Node: from}}}) - s.syn
	s.state = size(gossip.Message{Kind: gossip.MsgAck2, States: []gossip.EndpointState{{Node: from}}}) - s.ack2
	withKey := gossip.EndpointState{Node: from, Keys: map[string]gossip.VersionedValue{probeKey: {}}}
	s.key = size(gossip.Message{Kind: gossip.MsgAck2, States: []gossip.EndpointState{withKey}}) - s.ack2 - s.state
	return s
}

// probeKey is the application key the study sets.
const probeKey = "probe"

// NewModel starts cfg.N modelled nodes at time 0, each with a random tick
// phase, like New. cfg.Wire is ignored.
func NewModel(cfg Config) (*Model, error) {
	g := cfg.Gossip
	switch {
	case cfg.N < 1 || cfg.Seeds < 1 || cfg.Seeds > cfg.N:
		return nil, fmt.Errorf("gossipsim: need 1 <= seeds (%d) <= N (%d)", cfg.Seeds, cfg.N)
	case cfg.N > 100000:
		return nil, fmt.Errorf("gossipsim: model: N %d above 100000 (names are 6 bytes)", cfg.N)
	case g.WindowSize%mBlocks != 0 || g.WindowSize/mBlocks > 255:
		return nil, fmt.Errorf("gossipsim: model: window %d not a multiple of %d up to %d", g.WindowSize, mBlocks, 255*mBlocks)
	case cfg.Track < 0:
		return nil, fmt.Errorf("gossipsim: model: track %d below 0", cfg.Track)
	}
	g.Name = Name(0)
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("gossipsim: model: %w", err)
	}
	m := &Model{
		cfg:      cfg,
		rng:      rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
		sz:       newSizes(g.ClusterName),
		blockLen: g.WindowSize / mBlocks,
		slack:    uint32(g.Quarantine / g.Interval / 2),
		words:    (cfg.N + 63) / 64,
		suspectF: g.SuspectPhi / phiFactor,
		deadF:    g.ConvictPhi / phiFactor,
	}
	m.maxUS = int64(math.MaxUint32) / int64(m.blockLen)

	// Tracked nodes: all, or Track drawn at random (in node order).
	t := cfg.Track
	if t == 0 || t > cfg.N {
		t = cfg.N
	}
	m.colOf = make([]int32, cfg.N)
	m.untrack = make([]uint64, m.words)
	perm := rand.New(rand.NewPCG(cfg.Seed, 0x7ac)).Perm(cfg.N)
	for k := range m.colOf {
		m.colOf[k] = -1
	}
	if t == cfg.N {
		for k := range perm {
			perm[k] = k
		}
	}
	chosen := perm[:t]
	slices.Sort(chosen)
	for c, k := range chosen {
		m.cols = append(m.cols, int32(k))
		m.colOf[k] = int32(c)
	}
	for k := range m.colOf {
		if m.colOf[k] < 0 {
			m.untrack[k/64] |= 1 << (k % 64)
		}
	}
	m.keyed = make([]bool, t)

	m.nodes = make([]mnode, cfg.N)
	for i := range m.nodes {
		n := &m.nodes[i]
		n.up = true
		n.rng = rand.New(rand.NewPCG(cfg.Seed, uint64(i)<<20|1))
		n.known = make([]uint64, m.words)
		n.known[i/64] |= 1 << (i % 64)
		n.nKnown = 1
		n.view = make([]uint64, t)
		n.hb = make([]mhb, t)
		n.det = make([]mdet, t)
		n.due = make([]mdue, t)
		n.status = make([]gossip.Status, t)
		for c := range n.due {
			n.due[c] = mdue{math.MaxUint32, math.MaxUint32}
		}
		n.keys = map[int32]uint32{}
		n.deadSince = map[int32]uint32{}
		n.forgot = map[int32]mforgot{}
		if c := m.colOf[i]; c >= 0 {
			// Generation 1, version 1, heartbeat 0 (gossip.New).
			n.view[c] = 1<<32 | 1
			n.hb[c] = mhb{hbVer: 1}
		}
		n.tickGen = 1
		phase := time.Duration(m.rng.Int64N(int64(g.Interval)))
		m.push(&mitem{at: phase, to: int32(i), tick: 1})
	}
	return m, nil
}

// phiFactor is gossip's 1/ln(10).
const phiFactor = 0.4342944819032518

func (m *Model) push(it *mitem) {
	m.seq++
	it.seq = m.seq
	heap.Push(&m.q, it)
}

// Now is the virtual time.
func (m *Model) Now() time.Duration { return m.now }

// N is the number of nodes.
func (m *Model) N() int { return len(m.nodes) }

// Tracked is the number of tracked nodes.
func (m *Model) Tracked() int { return len(m.cols) }

// Up reports whether node i runs.
func (m *Model) Up(i int) bool { return m.nodes[i].up }

// Crash stops node i: it neither ticks nor receives.
func (m *Model) Crash(i int) { m.nodes[i].up = false; m.nodes[i].tickGen++ }

// PeerCount is the number of peers node i knows.
func (m *Model) PeerCount(i int) int { return m.nodes[i].nKnown - 1 }

// BytesSent is the encoded size of every message handed to the network
// (estimated in part when not every node is tracked).
func (m *Model) BytesSent() float64 { return m.bytes }

// PickNode draws a node from [lo, N) for the study's probes and crashes:
// uniformly among the tracked ones (all of them when all are tracked,
// with the same draw as Sim.PickNode).
func (m *Model) PickNode(rng *rand.Rand, lo int) int {
	if len(m.cols) == len(m.nodes) {
		return lo + rng.IntN(len(m.nodes)-lo)
	}
	i, _ := slices.BinarySearch(m.cols, int32(lo))
	return int(m.cols[i+rng.IntN(len(m.cols)-i)])
}

// SetProbe sets node i's probe key (gossip.Node.SetKey) and returns the
// generation and max version that carry it. Node i must be tracked.
func (m *Model) SetProbe(i int, value string) (gen, ver uint64) {
	c := m.colOf[i]
	if c < 0 {
		panic(fmt.Sprintf("gossipsim seed %d: probe on untracked node %d", m.cfg.Seed, i))
	}
	n := &m.nodes[i]
	v := n.view[c] + 1
	n.view[c] = v
	n.keys[c] = uint32(v)
	n.valLen = len(value)
	m.keyed[c] = true
	return v >> 32, v & math.MaxUint32
}

// Step processes the next event; it reports false when nothing is queued.
func (m *Model) Step() bool {
	if len(m.q) == 0 {
		return false
	}
	it := heap.Pop(&m.q).(*mitem)
	m.now = it.at
	n := &m.nodes[it.to]
	switch {
	case it.kind == 0:
		if n.up && it.tick == n.tickGen {
			m.tick(int(it.to))
			it.at = m.now + m.cfg.Gossip.Interval
			m.push(it)
		}
		return true
	case !n.up:
		m.Dropped++
	case it.kind == gossip.MsgSyn:
		m.handleSyn(int(it.to), int(it.from), it.syn)
	case it.kind == gossip.MsgAck:
		m.apply(int(it.to), it.states, it.push)
		if len(it.reqs) > 0 || it.estReq > 0 || anyBit(it.req) {
			m.sendAck2(int(it.to), int(it.from), it)
		}
	case it.kind == gossip.MsgAck2:
		m.apply(int(it.to), it.states, it.push)
	}
	m.release(it)
	return true
}

func anyBit(b []uint64) bool {
	for _, w := range b {
		if w != 0 {
			return true
		}
	}
	return false
}

func (m *Model) release(it *mitem) {
	if it.syn != nil {
		m.putSyn(it.syn)
	}
	if it.states != nil {
		m.freeSt = append(m.freeSt, it.states[:0])
	}
	if it.reqs != nil {
		m.freeReq = append(m.freeReq, it.reqs[:0])
	}
	if it.push != nil {
		m.freeBits = append(m.freeBits, it.push)
	}
	if it.req != nil {
		m.freeBits = append(m.freeBits, it.req)
	}
}

// putSyn drops one reference to syn and recycles it after the last.
func (m *Model) putSyn(syn *msyn) {
	if syn.refs--; syn.refs == 0 {
		m.freeSyn = append(m.freeSyn, syn)
	}
}

func (m *Model) states() []mstate {
	if k := len(m.freeSt); k > 0 {
		s := m.freeSt[k-1]
		m.freeSt = m.freeSt[:k-1]
		return s
	}
	return nil
}

func (m *Model) reqs() []mreq {
	if k := len(m.freeReq); k > 0 {
		s := m.freeReq[k-1]
		m.freeReq = m.freeReq[:k-1]
		return s
	}
	return nil
}

// bits returns a bitset (contents undefined).
func (m *Model) bits() []uint64 {
	if k := len(m.freeBits); k > 0 {
		s := m.freeBits[k-1]
		m.freeBits = m.freeBits[:k-1]
		return s
	}
	return make([]uint64, m.words)
}

// send accounts for and schedules one message (Sim.drain).
func (m *Model) send(from, to int, it *mitem, size float64) {
	m.Messages++
	m.bytes += size
	if m.cfg.Loss > 0 && m.rng.Float64() < m.cfg.Loss {
		m.Dropped++
		m.release(it)
		return
	}
	d := m.cfg.MinDelay
	if m.cfg.MaxDelay > m.cfg.MinDelay {
		d += time.Duration(m.rng.Int64N(int64(m.cfg.MaxDelay - m.cfg.MinDelay)))
	}
	it.at, it.from, it.to = m.now+d, int32(from), int32(to)
	m.push(it)
}

// tick is gossip.Node.Tick at a gossip instant: check peers, bump the
// heartbeat, run a round.
func (m *Model) tick(i int) {
	m.checkPeers(i)
	n := &m.nodes[i]
	if c := m.colOf[i]; c >= 0 {
		v := n.view[c] + 1
		n.view[c] = v
		n.hb[c] = mhb{hb: n.hb[c].hb + 1, hbVer: uint32(v)}
	}
	m.round(i)
}

// checkPeers is gossip.Node.checkPeers over the tracked peers (the others
// are never convicted; see Model).
func (m *Model) checkPeers(i int) {
	n := &m.nodes[i]
	g := &m.cfg.Gossip
	// A status changes at the first tick at or after its due time.
	nowMS := uint32(m.now / time.Millisecond)
	qMS := uint32(g.Quarantine / time.Millisecond)
	for c, d := range n.due {
		prev := n.status[c]
		if nowMS < d.suspect && prev == gossip.StatusAlive {
			continue // unknown and own columns are never due
		}
		next := gossip.StatusAlive
		switch {
		case nowMS >= d.dead:
			next = gossip.StatusDead
		case nowMS >= d.suspect:
			next = gossip.StatusSuspect
		}
		if prev == gossip.StatusDead && nowMS-n.deadSince[int32(c)] >= qMS {
			k := int(m.cols[c])
			v := n.view[c]
			n.forgot[int32(c)] = mforgot{gen: uint32(v >> 32), ver: uint32(v), until: m.now + 2*g.Quarantine}
			n.view[c], n.hb[c], n.det[c], n.status[c] = 0, mhb{}, mdet{}, 0
			n.due[c] = mdue{math.MaxUint32, math.MaxUint32}
			delete(n.keys, int32(c))
			delete(n.deadSince, int32(c))
			n.known[k/64] &^= 1 << (k % 64)
			n.nKnown--
			n.nDead--
			continue
		}
		if next == prev {
			continue
		}
		n.status[c] = next
		switch {
		case next == gossip.StatusDead:
			n.deadSince[int32(c)] = nowMS
			n.nDead++
			m.Downs++
		case prev == gossip.StatusDead:
			delete(n.deadSince, int32(c))
			n.nDead--
		}
	}
	for c, f := range n.forgot {
		if m.now >= f.until {
			delete(n.forgot, c)
		}
	}
}

// report records a heartbeat arrival now (gossip's detector.report).
func (m *Model) report(n *mnode, c int) {
	d := &n.det[c]
	if gap := m.now - d.last; gap > 0 {
		m.addSample(d, gap)
	}
	d.last = m.now
	m.setDue(n, c)
}

// setDue computes when phi = 0.434 * (now - last) / mean reaches the
// suspect and convict thresholds.
func (m *Model) setDue(n *mnode, c int) {
	d := &n.det[c]
	count := int(d.nBlocks)*m.blockLen + int(d.nCur)
	mean := (float64(d.bsum)*1e6 + float64(d.cur)*1e3) / float64(count) // ns
	if count == 0 || mean <= 0 {
		n.due[c] = mdue{math.MaxUint32, math.MaxUint32}
		return
	}
	last := float64(d.last)
	n.due[c] = mdue{
		suspect: uint32(min(math.Ceil((last+m.suspectF*mean)/1e6), math.MaxUint32)),
		dead:    uint32(min(math.Ceil((last+m.deadF*mean)/1e6), math.MaxUint32)),
	}
}

func (m *Model) addSample(d *mdet, s time.Duration) {
	d.cur += uint32(min(s.Microseconds(), m.maxUS))
	d.nCur++
	if int(d.nCur) < m.blockLen {
		return
	}
	ms := uint16(min((d.cur+500)/1000, math.MaxUint16))
	if d.nBlocks < mBlocks {
		d.blocks[(d.head+d.nBlocks)%mBlocks] = ms
		d.nBlocks++
	} else {
		d.bsum -= uint32(d.blocks[d.head])
		d.blocks[d.head] = ms
		d.head = (d.head + 1) % mBlocks
	}
	d.bsum += uint32(ms)
	d.cur, d.nCur = 0, 0
}

func (n *mnode) knows(k int) bool { return n.known[k/64]&(1<<(k%64)) != 0 }

// round is gossip.Node.gossipRound. The live peer is drawn uniformly like
// the core's live[IntN(len(live))], by rejection when most nodes are live
// peers (no list of 10,000 names per round), else from a list.
func (m *Model) round(i int) {
	n := &m.nodes[i]
	nLive := n.nKnown - 1 - n.nDead
	dead := m.dead[:0]
	if n.nDead > 0 {
		for c, st := range n.status {
			if st == gossip.StatusDead {
				dead = append(dead, m.cols[c])
			}
		}
	}
	m.dead = dead
	var syn *msyn
	if k := len(m.freeSyn); k > 0 {
		syn = m.freeSyn[k-1]
		m.freeSyn = m.freeSyn[:k-1]
	} else {
		syn = &msyn{digests: make([]uint64, len(n.view)), known: make([]uint64, m.words)}
	}
	copy(syn.digests, n.view)
	copy(syn.known, n.known)
	syn.refs = 1 // the round's own reference, dropped at the end
	size := float64(m.sz.syn + n.nKnown*m.sz.digest)
	sendSyn := func(to int32) {
		syn.refs++
		m.send(i, int(to), &mitem{kind: gossip.MsgSyn, syn: syn}, size)
	}
	seeds := m.cfg.Seeds
	if i < seeds {
		seeds-- // the seed list leaves out the node itself
	}
	sentToSeed := false
	if nLive > 0 {
		to := m.pickLive(n, i, nLive)
		sendSyn(to)
		sentToSeed = int(to) < m.cfg.Seeds
	}
	if len(dead) > 0 && n.rng.Float64() < float64(len(dead))/float64(nLive+1) {
		sendSyn(dead[n.rng.IntN(len(dead))])
	}
	if seeds > 0 && (!sentToSeed || nLive < seeds) {
		p := 1.0
		if nLive > 0 {
			p = float64(seeds) / float64(nLive+len(dead))
		}
		if n.rng.Float64() < p {
			s := n.rng.IntN(seeds)
			if s >= i && i < m.cfg.Seeds {
				s++ // skip self in the seed list
			}
			sendSyn(int32(s))
		}
	}
	m.putSyn(syn)
}

func (m *Model) pickLive(n *mnode, i, nLive int) int32 {
	isLive := func(k int) bool {
		if k == i || !n.knows(k) {
			return false
		}
		c := m.colOf[k]
		return c < 0 || n.status[c] != gossip.StatusDead
	}
	if 2*nLive > len(m.nodes) {
		for {
			if k := n.rng.IntN(len(m.nodes)); isLive(k) {
				return int32(k)
			}
		}
	}
	live := m.live[:0]
	for w, word := range n.known {
		for word != 0 {
			k := w*64 + bits.TrailingZeros64(word)
			word &= word - 1
			if isLive(k) {
				live = append(live, int32(k))
			}
		}
	}
	m.live = live
	return live[n.rng.IntN(len(live))]
}

func (m *Model) refused(n *mnode, c int, gen, ver uint32) bool {
	f, ok := n.forgot[int32(c)]
	if !ok {
		return false
	}
	return gen < f.gen || (gen == f.gen && ver <= f.ver+m.slack)
}

// delta is the state node n sends of column c to a peer that knows
// (gen, ver) of it, and its encoded size.
func (m *Model) delta(n *mnode, c int, gen, ver uint32) (mstate, int) {
	h := n.hb[c]
	sg := uint32(n.view[c] >> 32)
	st := mstate{c: int32(c), gen: sg, hb: h.hb, hbVer: h.hbVer}
	size := m.sz.state
	if m.keyed[c] {
		if kv := n.keys[int32(c)]; kv != 0 && (gen < sg || kv > ver) {
			st.keyVer = kv
			size += m.sz.key + m.nodes[m.cols[c]].valLen
		}
	}
	return st, size
}

// handleSyn is gossip.Node.handleSyn: exact over the tracked columns, by
// bitset over the untracked nodes (see Model).
func (m *Model) handleSyn(r, from int, syn *msyn) {
	n := &m.nodes[r]
	states, reqs := m.states(), m.reqs()
	size := m.sz.ack
	both, mine, theirs := 0, 0, 0 // tracked columns both know; fresher here; fresher there
	for c, a := range syn.digests {
		b := n.view[c]
		switch {
		case a == b:
			if a != 0 {
				both++
			}
		case a == 0: // not mentioned: push all we know
			st, sz := m.delta(n, c, 0, 0)
			states = append(states, st)
			size += sz
		case b == 0 || a > b:
			if b != 0 {
				both++
				theirs++
			}
			if len(n.forgot) > 0 && m.refused(n, c, uint32(a>>32), uint32(a)) {
				continue
			}
			if b == 0 || a>>32 > b>>32 {
				reqs = append(reqs, mreq{c: int32(c), v: a >> 32 << 32})
			} else {
				reqs = append(reqs, mreq{c: int32(c), v: b})
			}
			size += m.sz.digest
		default:
			both++
			mine++
			st, sz := m.delta(n, c, uint32(a>>32), uint32(a))
			states = append(states, st)
			size += sz
		}
	}
	it := &mitem{kind: gossip.MsgAck, states: states, reqs: reqs}
	fsize := float64(size)
	if len(m.cols) < len(m.nodes) {
		push, req := m.bits(), m.bits()
		np, nr, nb := 0, 0, 0
		for w, u := range m.untrack {
			x, y := n.known[w]&u, syn.known[w]&u
			push[w], req[w] = x&^y, y&^x
			np += bits.OnesCount64(push[w])
			nr += bits.OnesCount64(req[w])
			nb += bits.OnesCount64(x & y)
		}
		it.push, it.req = push, req
		fsize += float64(np*m.sz.state + nr*m.sz.digest)
		if both > 0 {
			// Heartbeat deltas of untracked nodes both know, in the
			// proportions seen on the tracked ones.
			fsize += float64(nb) * (float64(mine)*float64(m.sz.state) + float64(theirs)*float64(m.sz.digest)) / float64(both)
			it.estReq = float64(nb) * float64(theirs) / float64(both)
		}
	}
	m.send(r, from, it, fsize)
}

// sendAck2 answers an Ack's requests (gossip.Node.statesFor).
func (m *Model) sendAck2(r, to int, ack *mitem) {
	n := &m.nodes[r]
	states := m.states()
	size := m.sz.ack2
	for _, d := range ack.reqs {
		if v := n.view[d.c]; v != 0 && v > d.v {
			st, sz := m.delta(n, int(d.c), uint32(d.v>>32), uint32(d.v))
			states = append(states, st)
			size += sz
		}
	}
	it := &mitem{kind: gossip.MsgAck2, states: states}
	fsize := float64(size)
	if ack.req != nil {
		push, np := m.bits(), 0
		for w, y := range ack.req {
			push[w] = y & n.known[w]
			np += bits.OnesCount64(push[w])
		}
		it.push = push
		fsize += float64(np*m.sz.state) + ack.estReq*float64(m.sz.state)
	}
	m.send(r, to, it, fsize)
}

// apply is gossip.Node.apply with addPeer and merge, for tracked states;
// push lists untracked nodes whose full state came along.
func (m *Model) apply(r int, states []mstate, push []uint64) {
	n := &m.nodes[r]
	for w, p := range push {
		if add := p &^ n.known[w]; add != 0 {
			n.known[w] |= add
			n.nKnown += bits.OnesCount64(add)
		}
	}
	for i := range states {
		s := &states[i]
		c := int(s.c)
		k := int(m.cols[c])
		if k == r || (len(n.forgot) > 0 && m.refused(n, c, s.gen, max(s.hbVer, s.keyVer))) {
			continue
		}
		v := n.view[c]
		switch {
		case v == 0 || uint64(s.gen) > v>>32:
			if v == 0 {
				n.known[k/64] |= 1 << (k % 64)
				n.nKnown++
			} else if n.status[c] == gossip.StatusDead {
				delete(n.deadSince, s.c)
				n.nDead--
			}
			n.hb[c] = mhb{hb: s.hb, hbVer: s.hbVer}
			n.det[c] = mdet{last: m.now}
			n.status[c] = gossip.StatusAlive
			m.addSample(&n.det[c], 2*m.cfg.Gossip.Interval)
			m.setDue(n, c)
			if s.keyVer != 0 {
				n.keys[s.c] = s.keyVer
			} else {
				delete(n.keys, s.c)
			}
			n.view[c] = uint64(s.gen)<<32 | uint64(max(s.hbVer, s.keyVer))
		case uint64(s.gen) == v>>32:
			h := &n.hb[c]
			if s.hbVer > h.hbVer || s.hb > h.hb {
				if s.hb > h.hb {
					m.report(n, c)
				}
				h.hb = max(h.hb, s.hb)
				h.hbVer = max(h.hbVer, s.hbVer)
			}
			mv := max(uint32(v), h.hbVer)
			if s.keyVer != 0 && s.keyVer > n.keys[s.c] {
				n.keys[s.c] = s.keyVer
				mv = max(mv, s.keyVer)
			}
			n.view[c] = v>>32<<32 | uint64(mv)
		}
	}
}

// RunFor advances virtual time by d.
func (m *Model) RunFor(d time.Duration) {
	end := m.now + d
	for len(m.q) > 0 && m.q[0].at <= end {
		m.Step()
	}
	m.now = end
}

// RunUntil advances until cond holds (checked every check of virtual time)
// or limit passes; it reports whether cond held.
func (m *Model) RunUntil(cond func() bool, check, limit time.Duration) bool {
	end := m.now + limit
	for m.now < end {
		if cond() {
			return true
		}
		m.RunFor(check)
	}
	return cond()
}

// AllKnow reports whether every running node knows node j at (gen, ver)
// or newer. Node j must be tracked.
func (m *Model) AllKnow(j int, gen, ver uint64) bool {
	c := m.colOf[j]
	want := gen<<32 | ver
	for i := range m.nodes {
		if i != j && m.nodes[i].up && m.nodes[i].view[c] < want {
			return false
		}
	}
	return true
}

// AllSee reports whether every running node other than j sees node j in
// one of the given statuses (a node that forgot j does not). Node j must
// be tracked.
func (m *Model) AllSee(j int, want ...gossip.Status) bool {
	c := m.colOf[j]
	for i := range m.nodes {
		n := &m.nodes[i]
		if i == j || !n.up {
			continue
		}
		if n.view[c] == 0 {
			return false
		}
		hit := false
		for _, w := range want {
			hit = hit || n.status[c] == w
		}
		if !hit {
			return false
		}
	}
	return true
}
