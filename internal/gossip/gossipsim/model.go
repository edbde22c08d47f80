package gossipsim

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/synod-dev/synod/internal/gossip"
)

// Model is a compact model of the gossip core for cluster sizes whose
// full-view simulation with the real core does not fit in memory: a
// gossip.Node keeps every peer in a map of endpoint states with a detector
// window of its own, about 1.2 KB per (node, peer) pair, which is 120 GB at
// N = 10,000. The model keeps 64 bytes per pair in flat arrays indexed by
// node number and runs the same protocol on them:
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
// Where it differs, it says so; none of it changes what the study measures
// beyond noise (TestModelAgreesWithCore checks that at N = 100):
//
//   - the detector mean is over the last 100 to 109 inter-arrival samples
//     (ten completed blocks of ten plus the filling block, block sums kept
//     in milliseconds and saturating at 65.5 s per block) instead of
//     exactly the last 100 in microseconds; a sample is capped at 429 s
//     instead of 71 minutes;
//   - the time a peer's status last changed (used only for the 60 s
//     quarantine) is kept in milliseconds;
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
	live     []int32 // scratch for rounds
	dead     []int32
	suspectF float64 // SuspectPhi/0.434: mean inter-arrivals until suspect
	deadF    float64 // ConvictPhi/0.434
	keyed    []bool  // node k has set the probe key
	freeSyn  []*msyn
	freeSt   [][]mstate
	freeReq  [][]mreq
	// Bytes counts the encoded size of every message handed to the network.
	Bytes uint64
	// Messages counts messages handed to the network.
	Messages uint64
	// Dropped counts messages lost or sent to a down node.
	Dropped uint64
	// Downs counts convictions (the core's EventDown) by any node.
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

// mnode is one modelled node. Per peer it keeps 65 bytes in arrays indexed
// by node number (view 8, hb 8, det 40, due 8, status 1), so that each
// pass over a message touches only what it needs.
type mnode struct {
	up      bool
	rng     *rand.Rand
	tickGen int
	// view[k] is generation<<32 | max version of what this node knows of
	// node k, 0 when unknown, so that "newer" is one integer comparison;
	// view[self] is the node's own state.
	view   []uint64
	hb     []mhb // heartbeat and its version
	det    []mdet
	due    []mdue
	status []gossip.Status
	known  int // non-zero entries of view, self included
	nDead  int // peers with status dead
	// keys holds the probe key versions known, by node, for the few nodes
	// that set one (Model.keyed).
	keys      map[int32]uint32
	deadSince map[int32]uint32 // ms; when a dead peer was convicted
	forgot    map[int32]mforgot
	valLen    int // length of the node's own probe value
}

type mforgot struct {
	gen, ver uint32
	until    time.Duration
}

// msyn is a Syn's digests: a snapshot of the sender's view, shared by the
// up to three receivers of one round.
type msyn struct {
	digests []uint64
	refs    int
}

type mreq struct {
	k int32
	v uint64 // generation<<32 | version
}

// mstate is one endpoint's delta: the heartbeat always, the probe key when
// keyVer is not zero.
type mstate struct {
	k                      int32
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
	reqs   []mreq
	states []mstate
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
	}
	m.maxUS = int64(math.MaxUint32) / int64(m.blockLen)
	m.suspectF = g.SuspectPhi / phiFactor
	m.deadF = g.ConvictPhi / phiFactor
	m.keyed = make([]bool, cfg.N)
	m.nodes = make([]mnode, cfg.N)
	for i := range m.nodes {
		n := &m.nodes[i]
		n.up = true
		n.rng = rand.New(rand.NewPCG(cfg.Seed, uint64(i)<<20|1))
		n.view = make([]uint64, cfg.N)
		n.hb = make([]mhb, cfg.N)
		n.det = make([]mdet, cfg.N)
		n.due = make([]mdue, cfg.N)
		n.status = make([]gossip.Status, cfg.N)
		n.keys = map[int32]uint32{}
		n.deadSince = map[int32]uint32{}
		n.forgot = map[int32]mforgot{}
		// Generation 1, version 1, heartbeat 0 (gossip.New).
		n.view[i] = 1<<32 | 1
		n.hb[i] = mhb{hbVer: 1}
		n.known = 1
		n.tickGen = 1
		phase := time.Duration(m.rng.Int64N(int64(g.Interval)))
		m.push(&mitem{at: phase, to: int32(i), tick: 1})
	}
	return m, nil
}

func (m *Model) push(it *mitem) {
	m.seq++
	it.seq = m.seq
	heap.Push(&m.q, it)
}

// Now is the virtual time.
func (m *Model) Now() time.Duration { return m.now }

// N is the number of nodes.
func (m *Model) N() int { return len(m.nodes) }

// Up reports whether node i runs.
func (m *Model) Up(i int) bool { return m.nodes[i].up }

// Crash stops node i: it neither ticks nor receives.
func (m *Model) Crash(i int) { m.nodes[i].up = false; m.nodes[i].tickGen++ }

// PeerCount is the number of peers node i knows.
func (m *Model) PeerCount(i int) int { return m.nodes[i].known - 1 }

// SetProbe sets node i's probe key (gossip.Node.SetKey) and returns the
// generation and max version that carry it.
func (m *Model) SetProbe(i int, value string) (gen, ver uint64) {
	n := &m.nodes[i]
	v := n.view[i] + 1
	n.view[i] = v
	n.keys[int32(i)] = uint32(v)
	n.valLen = len(value)
	m.keyed[i] = true
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
		m.handleSyn(int(it.to), int(it.from), it.syn.digests)
	case it.kind == gossip.MsgAck:
		m.apply(int(it.to), it.states)
		if len(it.reqs) > 0 {
			m.sendAck2(int(it.to), int(it.from), it.reqs)
		}
	case it.kind == gossip.MsgAck2:
		m.apply(int(it.to), it.states)
	}
	m.release(it)
	return true
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

// send accounts for and schedules one message (Sim.drain).
func (m *Model) send(from, to int, it *mitem, size int) {
	m.Messages++
	m.Bytes += uint64(size)
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
	v := n.view[i] + 1
	n.view[i] = v
	n.hb[i] = mhb{hb: n.hb[i].hb + 1, hbVer: uint32(v)}
	m.round(i)
}

// checkPeers is gossip.Node.checkPeers.
func (m *Model) checkPeers(i int) {
	n := &m.nodes[i]
	g := &m.cfg.Gossip
	// A status changes at the first tick at or after its due time, which
	// is rounded up to the millisecond.
	nowMS := uint32(m.now / time.Millisecond)
	qMS := uint32(g.Quarantine / time.Millisecond)
	for k, d := range n.due {
		var next gossip.Status
		switch {
		case k == i || n.view[k] == 0:
			continue
		case nowMS >= d.dead:
			next = gossip.StatusDead
		case nowMS >= d.suspect:
			next = gossip.StatusSuspect
		default:
			next = gossip.StatusAlive
		}
		prev := n.status[k]
		if prev == gossip.StatusDead && nowMS-n.deadSince[int32(k)] >= qMS {
			v := n.view[k]
			n.forgot[int32(k)] = mforgot{gen: uint32(v >> 32), ver: uint32(v), until: m.now + 2*g.Quarantine}
			n.view[k], n.hb[k], n.det[k], n.due[k], n.status[k] = 0, mhb{}, mdet{}, mdue{}, 0
			delete(n.keys, int32(k))
			delete(n.deadSince, int32(k))
			n.known--
			n.nDead--
			continue
		}
		if next == prev {
			continue
		}
		n.status[k] = next
		switch {
		case next == gossip.StatusDead:
			n.deadSince[int32(k)] = nowMS
			n.nDead++
			m.Downs++
		case prev == gossip.StatusDead:
			delete(n.deadSince, int32(k))
			n.nDead--
		}
	}
	for k, f := range n.forgot {
		if m.now >= f.until {
			delete(n.forgot, k)
		}
	}
}

// phiFactor is gossip's 1/ln(10).
const phiFactor = 0.4342944819032518

// report records a heartbeat arrival now (gossip's detector.report).
func (m *Model) report(n *mnode, k int) {
	d := &n.det[k]
	if gap := m.now - d.last; gap > 0 {
		m.addSample(d, gap)
	}
	d.last = m.now
	m.setDue(n, k)
}

// setDue computes when phi = 0.434 * (now - last) / mean reaches the
// suspect and convict thresholds.
func (m *Model) setDue(n *mnode, k int) {
	d := &n.det[k]
	count := int(d.nBlocks)*m.blockLen + int(d.nCur)
	mean := (float64(d.bsum)*1e6 + float64(d.cur)*1e3) / float64(count) // ns
	if count == 0 || mean <= 0 {
		n.due[k] = mdue{math.MaxUint32, math.MaxUint32}
		return
	}
	ms := func(f float64) uint32 {
		t := math.Ceil((float64(d.last) + f*mean) / 1e6)
		return uint32(min(t, math.MaxUint32))
	}
	n.due[k] = mdue{suspect: ms(m.suspectF), dead: ms(m.deadF)}
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

// round is gossip.Node.gossipRound. The live peer is drawn uniformly like
// the core's live[IntN(len(live))], by rejection when most peers are live
// (no list of 10,000 names per round), else from a list.
func (m *Model) round(i int) {
	n := &m.nodes[i]
	nLive := n.known - 1 - n.nDead
	dead := m.dead[:0]
	if n.nDead > 0 {
		for k, st := range n.status {
			if st == gossip.StatusDead && k != i && n.view[k] != 0 {
				dead = append(dead, int32(k))
			}
		}
	}
	m.dead = dead
	var syn *msyn
	if k := len(m.freeSyn); k > 0 {
		syn = m.freeSyn[k-1]
		m.freeSyn = m.freeSyn[:k-1]
	} else {
		syn = &msyn{digests: make([]uint64, len(n.view))}
	}
	copy(syn.digests, n.view)
	syn.refs = 1 // the round's own reference, dropped at the end
	size := m.sz.syn + n.known*m.sz.digest
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
	isLive := func(k int) bool { return k != i && n.view[k] != 0 && n.status[k] != gossip.StatusDead }
	if 2*nLive > len(n.view) {
		for {
			if k := n.rng.IntN(len(n.view)); isLive(k) {
				return int32(k)
			}
		}
	}
	live := m.live[:0]
	for k := range n.view {
		if isLive(k) {
			live = append(live, int32(k))
		}
	}
	m.live = live
	return live[n.rng.IntN(len(live))]
}

func (m *Model) refused(n *mnode, k int, gen, ver uint32) bool {
	f, ok := n.forgot[int32(k)]
	if !ok {
		return false
	}
	return gen < f.gen || (gen == f.gen && ver <= f.ver+m.slack)
}

// delta is the state node n sends of endpoint k to a peer that knows
// (gen, ver) of it, and its encoded size.
func (m *Model) delta(n *mnode, k int, gen, ver uint32) (mstate, int) {
	h := n.hb[k]
	sg := uint32(n.view[k] >> 32)
	st := mstate{k: int32(k), gen: sg, hb: h.hb, hbVer: h.hbVer}
	size := m.sz.state
	if m.keyed[k] {
		if kv := n.keys[int32(k)]; kv != 0 && (gen < sg || kv > ver) {
			st.keyVer = kv
			size += m.sz.key + m.nodes[k].valLen
		}
	}
	return st, size
}

// handleSyn is gossip.Node.handleSyn.
func (m *Model) handleSyn(r, from int, ds []uint64) {
	n := &m.nodes[r]
	states, reqs := m.states(), m.reqs()
	size := m.sz.ack
	for k, a := range ds {
		b := n.view[k]
		switch {
		case a == b:
		case a == 0: // not mentioned: push all we know
			st, sz := m.delta(n, k, 0, 0)
			states = append(states, st)
			size += sz
		case b == 0 || a > b:
			if len(n.forgot) > 0 && m.refused(n, k, uint32(a>>32), uint32(a)) {
				continue
			}
			if b == 0 || a>>32 > b>>32 {
				reqs = append(reqs, mreq{k: int32(k), v: a >> 32 << 32})
			} else {
				reqs = append(reqs, mreq{k: int32(k), v: b})
			}
			size += m.sz.digest
		default:
			st, sz := m.delta(n, k, uint32(a>>32), uint32(a))
			states = append(states, st)
			size += sz
		}
	}
	m.send(r, from, &mitem{kind: gossip.MsgAck, states: states, reqs: reqs}, size)
}

// sendAck2 answers an Ack's requests (gossip.Node.statesFor).
func (m *Model) sendAck2(r, to int, reqs []mreq) {
	n := &m.nodes[r]
	states := m.states()
	size := m.sz.ack2
	for _, d := range reqs {
		if v := n.view[d.k]; v != 0 && v > d.v {
			st, sz := m.delta(n, int(d.k), uint32(d.v>>32), uint32(d.v))
			states = append(states, st)
			size += sz
		}
	}
	m.send(r, to, &mitem{kind: gossip.MsgAck2, states: states}, size)
}

// apply is gossip.Node.apply with addPeer and merge.
func (m *Model) apply(r int, states []mstate) {
	n := &m.nodes[r]
	for i := range states {
		s := &states[i]
		k := int(s.k)
		if k == r || (len(n.forgot) > 0 && m.refused(n, k, s.gen, max(s.hbVer, s.keyVer))) {
			continue
		}
		v := n.view[k]
		switch {
		case v == 0 || uint64(s.gen) > v>>32:
			if v == 0 {
				n.known++
			} else if n.status[k] == gossip.StatusDead {
				delete(n.deadSince, int32(k))
				n.nDead--
			}
			n.hb[k] = mhb{hb: s.hb, hbVer: s.hbVer}
			n.det[k] = mdet{last: m.now}
			n.status[k] = gossip.StatusAlive
			m.addSample(&n.det[k], 2*m.cfg.Gossip.Interval)
			m.setDue(n, k)
			if s.keyVer != 0 {
				n.keys[s.k] = s.keyVer
			} else {
				delete(n.keys, s.k)
			}
			n.view[k] = uint64(s.gen)<<32 | uint64(max(s.hbVer, s.keyVer))
		case uint64(s.gen) == v>>32:
			h := &n.hb[k]
			if s.hbVer > h.hbVer || s.hb > h.hb {
				if s.hb > h.hb {
					m.report(n, k)
				}
				h.hb = max(h.hb, s.hb)
				h.hbVer = max(h.hbVer, s.hbVer)
			}
			mv := max(uint32(v), h.hbVer)
			if s.keyVer != 0 && s.keyVer > n.keys[s.k] {
				n.keys[s.k] = s.keyVer
				mv = max(mv, s.keyVer)
			}
			n.view[k] = v>>32<<32 | uint64(mv)
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
// or newer.
func (m *Model) AllKnow(j int, gen, ver uint64) bool {
	want := gen<<32 | ver
	for i := range m.nodes {
		if i != j && m.nodes[i].up && m.nodes[i].view[j] < want {
			return false
		}
	}
	return true
}

// AllSee reports whether every running node other than j sees node j in
// one of the given statuses (a node that forgot j does not).
func (m *Model) AllSee(j int, want ...gossip.Status) bool {
	for i := range m.nodes {
		n := &m.nodes[i]
		if i == j || !n.up {
			continue
		}
		if n.view[j] == 0 {
			return false
		}
		hit := false
		for _, w := range want {
			hit = hit || n.status[j] == w
		}
		if !hit {
			return false
		}
	}
	return true
}
