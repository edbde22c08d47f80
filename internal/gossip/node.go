package gossip

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

// Status is a peer's liveness as this node sees it.
type Status uint8

// Peer statuses.
const (
	StatusAlive Status = iota
	StatusSuspect
	StatusDead
	StatusLeftPeer
)

var statusNames = [...]string{"alive", "suspect", "dead", "left"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// EventKind says what happened to a member.
type EventKind uint8

// Event kinds.
const (
	EventJoin         EventKind = iota + 1 // first learned, or a new generation replaced the old one
	EventLeave                             // announced a graceful leave
	EventUp                                // convicted earlier, heard from again
	EventDown                              // convicted by the failure detector
	EventStateChanged                      // an application key changed
)

func (k EventKind) String() string {
	return [...]string{"", "join", "leave", "up", "down", "state-changed"}[k]
}

// Event reports a change in the view. Events are returned by Ready in the
// order they happened.
type Event struct {
	Kind   EventKind
	Member Member
	At     time.Duration
}

// Member is one entry of the view.
type Member struct {
	Name       string
	Generation uint64
	Heartbeat  uint64
	Status     Status
	Phi        float64
	Keys       map[string]string
}

// Envelope is a message to send to a peer by name.
type Envelope struct {
	To  string
	Msg *Message
}

// Ready is what the caller must do after Tick or Step: send Messages and
// deliver Events. The node does not retain either slice after Ready.
type Ready struct {
	Messages []Envelope
	Events   []Event
}

// Stats counts what the node did and dropped.
type Stats struct {
	Sent, Received                   uint64
	DroppedMalformed, DroppedCluster uint64
	DroppedAuth, DroppedReplay       uint64
	DroppedTooLarge, DroppedStale    uint64
}

type peer struct {
	state  *EndpointState
	maxVer uint64 // state.MaxVersion(), kept current by addPeer and merge
	det    *detector
	status Status
	since  time.Duration // when status last changed
	isSeed bool
}

type replayWindow struct {
	gen    uint64
	high   uint64
	bitmap uint64 // bit i: high-i was seen
}

// Node is one member's gossip state machine. It is not safe for concurrent
// use; the edge serialises calls.
type Node struct {
	cfg     Config
	rng     *rand.Rand
	self    *EndpointState
	version uint64
	peers   map[string]*peer
	names   []string // sorted peer names, for deterministic iteration
	forgot  map[string]forgotten
	seeds   []string
	replay  map[string]*replayWindow
	seq     uint64
	now     time.Duration
	nextGo  time.Duration
	leaving bool
	out     Ready
	stats   Stats
}

// forgotten remembers a node dropped after quarantine so that stragglers
// still gossiping its old state do not bring it back. A state of the same
// generation is accepted again only if its version moved on by more than
// half a quarantine of heartbeats: then the node kept running (a healed
// partition), it is not a stale copy.
type forgotten struct {
	gen, ver uint64
	until    time.Duration
}

// New returns a node with the given generation (the caller persists it and
// passes a larger one after every restart, e.g. the start time in seconds).
// rng must be seeded by the caller; the core has no other randomness.
func New(cfg Config, generation uint64, rng *rand.Rand, now time.Duration) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Node{
		cfg:    cfg,
		rng:    rng,
		peers:  map[string]*peer{},
		forgot: map[string]forgotten{},
		replay: map[string]*replayWindow{},
		now:    now,
		nextGo: now,
	}
	n.version = 1
	n.self = &EndpointState{Node: cfg.Name, Generation: generation, Heartbeat: 0, HeartbeatVersion: 1, Keys: map[string]VersionedValue{}}
	for _, s := range cfg.Seeds {
		if s != cfg.Name && !slices.Contains(n.seeds, s) {
			n.seeds = append(n.seeds, s)
		}
	}
	return n, nil
}

// Name is this node's name.
func (n *Node) Name() string { return n.cfg.Name }

// Generation is this node's generation.
func (n *Node) Generation() uint64 { return n.self.Generation }

// Stats returns the counters.
func (n *Node) Stats() Stats { return n.stats }

// SetKey sets one of this node's application keys. Only the owner changes
// its keys; the new version reaches everyone by gossip.
func (n *Node) SetKey(key, value string) {
	if v, ok := n.self.Keys[key]; ok && v.Value == value {
		return
	}
	n.version++
	n.self.Keys[key] = VersionedValue{Value: value, Version: n.version}
}

// Leave announces a graceful leave: the status key becomes StatusLeft and
// spreads with the next exchanges. The caller keeps ticking for a few
// intervals so the announcement leaves, then stops.
func (n *Node) Leave() {
	n.SetKey(KeyStatus, StatusLeft)
	n.leaving = true
	n.nextGo = n.now // gossip it at the next Tick
}

// Ready returns and clears the pending messages and events.
func (n *Node) Ready() Ready {
	r := n.out
	n.out = Ready{}
	return r
}

// Tick advances time to now: bumps the heartbeat and gossips once per
// interval, and re-evaluates every peer's phi.
func (n *Node) Tick(now time.Duration) {
	if now > n.now {
		n.now = now
	}
	n.checkPeers()
	if n.now < n.nextGo {
		return
	}
	n.nextGo = n.now + n.cfg.Interval
	n.version++
	n.self.Heartbeat++
	n.self.HeartbeatVersion = n.version
	n.gossipRound()
}

// gossipRound picks the round's partners (Cassandra's Gossiper.run rules).
func (n *Node) gossipRound() {
	var live, dead []string
	for _, name := range n.names {
		switch n.peers[name].status {
		case StatusAlive, StatusSuspect:
			live = append(live, name)
		case StatusDead:
			dead = append(dead, name)
		}
	}
	syn := n.syn()
	sentToSeed := false
	if len(live) > 0 {
		to := live[n.rng.IntN(len(live))]
		n.send(to, syn)
		sentToSeed = n.peers[to].isSeed
	}
	if len(dead) > 0 && n.rng.Float64() < float64(len(dead))/float64(len(live)+1) {
		n.send(dead[n.rng.IntN(len(dead))], syn)
	}
	if len(n.seeds) > 0 && (!sentToSeed || len(live) < len(n.seeds)) {
		// Cassandra's maybeGossipToSeed: always when nothing is live,
		// otherwise with probability seeds/(live+unreachable) so that the
		// seeds of a large cluster are not sent every node's Syn.
		p := 1.0
		if len(live) > 0 {
			p = float64(len(n.seeds)) / float64(len(live)+len(dead))
		}
		if n.rng.Float64() < p {
			n.send(n.seeds[n.rng.IntN(len(n.seeds))], syn)
		}
	}
}

func (n *Node) syn() *Message {
	ds := make([]Digest, 0, len(n.peers)+1)
	ds = append(ds, Digest{Node: n.self.Node, Generation: n.self.Generation, MaxVersion: n.version})
	for _, name := range n.names {
		p := n.peers[name]
		ds = append(ds, Digest{Node: name, Generation: p.state.Generation, MaxVersion: p.maxVer})
	}
	// Shuffle so that a truncated or slow exchange does not favour the
	// same endpoints every round.
	n.rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	return &Message{Kind: MsgSyn, Digests: ds}
}

func (n *Node) send(to string, m *Message) {
	c := *m
	c.Cluster = n.cfg.ClusterName
	c.From = n.cfg.Name
	c.FromGen = n.self.Generation
	n.seq++
	c.Seq = n.seq
	n.stats.Sent++
	n.out.Messages = append(n.out.Messages, Envelope{To: to, Msg: &c})
}

// Receive decodes, authenticates and steps one raw message. Bad input is
// counted and dropped; the returned error says why, for logging.
func (n *Node) Receive(now time.Duration, data []byte) error {
	m, err := Decode(data, n.cfg.Key, n.cfg.MaxMessageSize)
	if err != nil {
		switch {
		case errors.Is(err, ErrTooLarge):
			n.stats.DroppedTooLarge++
		case errors.Is(err, ErrAuth):
			n.stats.DroppedAuth++
		default:
			n.stats.DroppedMalformed++
		}
		return err
	}
	return n.Step(now, m)
}

// Step handles one decoded message.
func (n *Node) Step(now time.Duration, m *Message) error {
	if now > n.now {
		n.now = now
	}
	if m.Cluster != n.cfg.ClusterName {
		n.stats.DroppedCluster++
		return fmt.Errorf("%w: %q from %s", ErrWrongCluster, m.Cluster, m.From)
	}
	if m.From == n.cfg.Name {
		n.stats.DroppedMalformed++
		return fmt.Errorf("%w: message from self", ErrMalformed)
	}
	if !n.checkReplay(m) {
		n.stats.DroppedReplay++
		return fmt.Errorf("%w: %s gen %d seq %d", ErrReplay, m.From, m.FromGen, m.Seq)
	}
	n.stats.Received++
	switch m.Kind {
	case MsgSyn:
		n.handleSyn(m)
	case MsgAck:
		n.apply(m.States)
		if len(m.Digests) > 0 {
			n.send(m.From, &Message{Kind: MsgAck2, States: n.statesFor(m.Digests)})
		}
	case MsgAck2:
		n.apply(m.States)
	default:
		n.stats.DroppedMalformed++
		return fmt.Errorf("%w: kind %d", ErrMalformed, m.Kind)
	}
	return nil
}

// checkReplay accepts each (sender, generation, seq) once, within a
// 64-message window, and drops messages from an older generation.
func (n *Node) checkReplay(m *Message) bool {
	w := n.replay[m.From]
	if w == nil || m.FromGen > w.gen {
		n.replay[m.From] = &replayWindow{gen: m.FromGen, high: m.Seq, bitmap: 1}
		return true
	}
	if m.FromGen < w.gen {
		return false
	}
	switch {
	case m.Seq > w.high:
		shift := m.Seq - w.high
		if shift >= 64 {
			w.bitmap = 0
		} else {
			w.bitmap <<= shift
		}
		w.bitmap |= 1
		w.high = m.Seq
		return true
	case w.high-m.Seq >= 64:
		return false
	default:
		bit := uint64(1) << (w.high - m.Seq)
		if w.bitmap&bit != 0 {
			return false
		}
		w.bitmap |= bit
		return true
	}
}

// handleSyn answers with the states the sender lacks and requests for the
// states it has that are newer (Cassandra's examineGossiper).
func (n *Node) handleSyn(m *Message) {
	var send []EndpointState
	var req []Digest
	mentioned := 0 // digests naming a node we know (self included)
	for _, d := range m.Digests {
		gen, ver, ok := n.known(d.Node)
		if ok {
			mentioned++
		}
		switch {
		case !ok || d.Generation > gen || (d.Generation == gen && d.MaxVersion > ver):
			if n.refused(d.Node, d.Generation, d.MaxVersion) {
				continue
			}
			if !ok || d.Generation > gen {
				req = append(req, Digest{Node: d.Node, Generation: d.Generation})
			} else {
				req = append(req, Digest{Node: d.Node, Generation: gen, MaxVersion: ver})
			}
		case d.Generation < gen || ver > d.MaxVersion:
			send = append(send, n.stateOf(d.Node).delta(d.Generation, d.MaxVersion))
		}
	}
	// Push what the sender does not mention at all. The set is built only
	// when the digest misses someone, which is rare once views converge.
	if mentioned < len(n.peers)+1 {
		seen := make(map[string]bool, len(m.Digests))
		for _, d := range m.Digests {
			seen[d.Node] = true
		}
		if !seen[n.self.Node] {
			send = append(send, n.self.delta(0, 0))
		}
		for _, name := range n.names {
			if !seen[name] {
				send = append(send, n.peers[name].state.delta(0, 0))
			}
		}
	}
	n.send(m.From, &Message{Kind: MsgAck, Digests: req, States: send})
}

func (n *Node) statesFor(ds []Digest) []EndpointState {
	var out []EndpointState
	for _, d := range ds {
		if s := n.stateOf(d.Node); s != nil {
			if gen, ver, _ := n.known(d.Node); gen > d.Generation || (gen == d.Generation && ver > d.MaxVersion) {
				out = append(out, s.delta(d.Generation, d.MaxVersion))
			}
		}
	}
	return out
}

func (n *Node) stateOf(name string) *EndpointState {
	if name == n.self.Node {
		return n.self
	}
	if p := n.peers[name]; p != nil {
		return p.state
	}
	return nil
}

func (n *Node) known(name string) (gen, ver uint64, ok bool) {
	if name == n.self.Node {
		return n.self.Generation, n.version, true
	}
	if p := n.peers[name]; p != nil {
		return p.state.Generation, p.maxVer, true
	}
	return 0, 0, false
}

func (n *Node) refused(name string, gen, ver uint64) bool {
	if len(n.forgot) == 0 {
		return false
	}
	f, ok := n.forgot[name]
	if !ok {
		return false
	}
	slack := uint64(n.cfg.Quarantine / n.cfg.Interval / 2)
	return gen < f.gen || (gen == f.gen && ver <= f.ver+slack)
}

// apply merges received states: a newer generation replaces the old self
// of that node, a newer version of the same generation updates keys and
// heartbeat. Only the owner's state for itself is never overwritten.
func (n *Node) apply(states []EndpointState) {
	for i := range states {
		s := &states[i]
		if s.Node == n.self.Node {
			// Someone knows a newer generation of us than we run:
			// a stale clone. Nothing to merge; our state wins.
			continue
		}
		if n.refused(s.Node, s.Generation, s.MaxVersion()) {
			n.stats.DroppedStale++
			continue
		}
		p := n.peers[s.Node]
		switch {
		case p == nil || s.Generation > p.state.Generation:
			n.addPeer(s)
		case s.Generation == p.state.Generation:
			n.merge(p, s)
		default:
			n.stats.DroppedStale++
		}
	}
}

func (n *Node) addPeer(s *EndpointState) {
	st := s.clone()
	if st.Keys == nil {
		st.Keys = map[string]VersionedValue{}
	}
	old := n.peers[s.Node]
	p := &peer{state: st, maxVer: st.MaxVersion(), det: newDetector(n.now, n.cfg.Interval, n.cfg.WindowSize), since: n.now, isSeed: slices.Contains(n.seeds, s.Node)}
	n.peers[s.Node] = p
	if old == nil {
		i, _ := slices.BinarySearch(n.names, s.Node)
		n.names = slices.Insert(n.names, i, s.Node)
	}
	if st.Keys[KeyStatus].Value == StatusLeft {
		p.status = StatusLeftPeer
		n.emit(EventLeave, p)
		return
	}
	n.emit(EventJoin, p)
}

func (n *Node) merge(p *peer, s *EndpointState) {
	if s.HeartbeatVersion > p.state.HeartbeatVersion || s.Heartbeat > p.state.Heartbeat {
		if s.Heartbeat > p.state.Heartbeat {
			p.det.report(n.now)
		}
		p.state.Heartbeat = max(p.state.Heartbeat, s.Heartbeat)
		p.state.HeartbeatVersion = max(p.state.HeartbeatVersion, s.HeartbeatVersion)
	}
	p.maxVer = max(p.maxVer, p.state.HeartbeatVersion)
	changed := false
	for k, v := range s.Keys {
		if cur, ok := p.state.Keys[k]; !ok || v.Version > cur.Version {
			p.state.Keys[k] = v
			p.maxVer = max(p.maxVer, v.Version)
			changed = true
		}
	}
	if !changed {
		return
	}
	if p.state.Keys[KeyStatus].Value == StatusLeft && p.status != StatusLeftPeer {
		p.status, p.since = StatusLeftPeer, n.now
		n.emit(EventLeave, p)
		return
	}
	n.emit(EventStateChanged, p)
}

// checkPeers re-evaluates phi, convicts and revives peers, and forgets
// dead and left ones after the quarantine.
func (n *Node) checkPeers() {
	var drop []string
	for _, name := range n.names {
		p := n.peers[name]
		if p.status == StatusLeftPeer || p.status == StatusDead {
			if n.now-p.since >= n.cfg.Quarantine {
				drop = append(drop, name)
				continue
			}
		}
		if p.status == StatusLeftPeer {
			continue
		}
		phi := p.det.phi(n.now)
		next := StatusAlive
		switch {
		case phi >= n.cfg.ConvictPhi:
			next = StatusDead
		case phi >= n.cfg.SuspectPhi:
			next = StatusSuspect
		}
		if next == p.status {
			continue
		}
		prev := p.status
		p.status = next
		if next == StatusDead || prev == StatusDead {
			p.since = n.now
		}
		switch {
		case next == StatusDead:
			n.emit(EventDown, p)
		case prev == StatusDead:
			n.emit(EventUp, p)
		}
	}
	for _, name := range drop {
		p := n.peers[name]
		n.forgot[name] = forgotten{gen: p.state.Generation, ver: p.maxVer, until: n.now + 2*n.cfg.Quarantine}
		delete(n.peers, name)
		i, _ := slices.BinarySearch(n.names, name)
		n.names = slices.Delete(n.names, i, i+1)
	}
	for name, f := range n.forgot {
		if n.now >= f.until {
			delete(n.forgot, name)
		}
	}
}

func (n *Node) emit(k EventKind, p *peer) {
	n.out.Events = append(n.out.Events, Event{Kind: k, Member: n.member(p), At: n.now})
}

func (n *Node) member(p *peer) Member {
	m := Member{Name: p.state.Node, Generation: p.state.Generation, Heartbeat: p.state.Heartbeat, Status: p.status, Phi: p.det.phi(n.now), Keys: make(map[string]string, len(p.state.Keys))}
	for k, v := range p.state.Keys {
		m.Keys[k] = v.Value
	}
	return m
}

// View returns every known member, this node first, the rest by name.
func (n *Node) View() []Member {
	self := Member{Name: n.self.Node, Generation: n.self.Generation, Heartbeat: n.self.Heartbeat, Status: StatusAlive, Keys: map[string]string{}}
	for k, v := range n.self.Keys {
		self.Keys[k] = v.Value
	}
	if n.leaving {
		self.Status = StatusLeftPeer
	}
	out := []Member{self}
	for _, name := range n.names {
		out = append(out, n.member(n.peers[name]))
	}
	sort.SliceStable(out[1:], func(i, j int) bool { return out[1+i].Name < out[1+j].Name })
	return out
}

// Peer returns one member's view entry and whether it is known.
func (n *Node) Peer(name string) (Member, bool) {
	p := n.peers[name]
	if p == nil {
		return Member{}, false
	}
	return n.member(p), true
}

// PeerCount is the number of known peers (not counting this node).
func (n *Node) PeerCount() int { return len(n.peers) }

// KnowsVersion reports whether this node knows name at generation gen and
// at least version ver; the simulator uses it to measure dissemination.
func (n *Node) KnowsVersion(name string, gen, ver uint64) bool {
	g, v, ok := n.known(name)
	return ok && (g > gen || (g == gen && v >= ver))
}

// SelfVersion is this node's current max version.
func (n *Node) SelfVersion() uint64 { return n.version }

// MarshalText writes the status name (for JSON views).
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a status name.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if string(b) == n {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("gossip: unknown status %q", b)
}
