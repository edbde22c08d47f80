package gossip

// Well-known application keys of an endpoint state.
const (
	KeyRole       = "role"        // leader, follower, observer, client
	KeyClientAddr = "client_addr" // host:port for ZooKeeper clients
	KeyPeerAddr   = "peer_addr"   // host:port for Paxos traffic
	KeyLastZxid   = "last_zxid"   // last applied zxid, decimal
	KeyEnsemble   = "ensemble"    // ensemble id
	KeyStatus     = "status"      // "normal" or StatusLeft
)

// StatusLeft is the KeyStatus value of a node that left gracefully.
const StatusLeft = "left"

// VersionedValue is one application key's value and the owner's version
// counter at the time it was set.
type VersionedValue struct {
	Value   string
	Version uint64
}

// EndpointState is what a node owns and everyone else learns.
type EndpointState struct {
	Node       string
	Generation uint64
	// Heartbeat grows by one every interval; HeartbeatVersion is the
	// version counter value when it was last bumped.
	Heartbeat        uint64
	HeartbeatVersion uint64
	Keys             map[string]VersionedValue
}

// MaxVersion is the highest version in s.
func (s *EndpointState) MaxVersion() uint64 {
	m := s.HeartbeatVersion
	for _, v := range s.Keys {
		m = max(m, v.Version)
	}
	return m
}

// clone returns a deep copy of s.
func (s *EndpointState) clone() *EndpointState {
	c := *s
	c.Keys = make(map[string]VersionedValue, len(s.Keys))
	for k, v := range s.Keys {
		c.Keys[k] = v
	}
	return &c
}

// delta returns the part of s newer than version (all of it for a peer
// that knows an older generation). The heartbeat is always included.
func (s *EndpointState) delta(gen, version uint64) EndpointState {
	d := EndpointState{Node: s.Node, Generation: s.Generation, Heartbeat: s.Heartbeat, HeartbeatVersion: s.HeartbeatVersion}
	for k, v := range s.Keys {
		if gen < s.Generation || v.Version > version {
			if d.Keys == nil {
				d.Keys = make(map[string]VersionedValue)
			}
			d.Keys[k] = v
		}
	}
	return d
}

// Digest summarises what a node knows about one endpoint.
type Digest struct {
	Node       string
	Generation uint64
	MaxVersion uint64
}

// MsgKind is a wire message kind. ONLY APPEND TO THIS LIST.
type MsgKind uint8

// Message kinds.
const (
	MsgSyn  MsgKind = 1 // digests of everything the sender knows
	MsgAck  MsgKind = 2 // states newer than the Syn's, and requests
	MsgAck2 MsgKind = 3 // the requested states
)

func (k MsgKind) String() string {
	switch k {
	case MsgSyn:
		return "syn"
	case MsgAck:
		return "ack"
	case MsgAck2:
		return "ack2"
	}
	return "unknown"
}

// Message is one decoded gossip message.
type Message struct {
	Kind      MsgKind
	Cluster   string
	From      string
	FromGen   uint64
	Seq       uint64
	Digests   []Digest // Syn: what the sender knows; Ack: what it requests
	States    []EndpointState
	Authentic bool // set by Decode when a valid HMAC trailer was checked
}
