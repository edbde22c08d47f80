package gossip

import (
	"errors"
	"fmt"
	"time"
)

// Config configures a Node. Start from DefaultConfig and change fields.
type Config struct {
	// Name is this node's identity, unique in the cluster. The network edge
	// uses the gossip address ("host:port") so names double as addresses.
	Name string
	// ClusterName is carried by every message; messages with another
	// cluster name are rejected.
	ClusterName string
	// Seeds are names of nodes contacted to join; may include Name.
	Seeds []string
	// Key, when non-empty, authenticates every message with HMAC-SHA256.
	Key []byte

	// Interval is the gossip and heartbeat period.
	Interval time.Duration
	// ConvictPhi is the phi above which a peer is declared dead.
	ConvictPhi float64
	// SuspectPhi is the phi above which a peer is suspect (still gossiped
	// with as live, but flagged to the application).
	SuspectPhi float64
	// Quarantine is how long a dead or left node is remembered (and its old
	// generation refused) before it is forgotten.
	Quarantine time.Duration
	// WindowSize is the number of heartbeat inter-arrival samples kept.
	WindowSize int
	// MaxMessageSize caps an encoded message; larger input is dropped.
	MaxMessageSize int
}

// DefaultConfig returns the defaults; set Name, ClusterName and Seeds.
func DefaultConfig() Config {
	return Config{
		ClusterName: "synod",
		// 1 s: Cassandra's and memberlist's (LAN GossipInterval 200 ms, but
		// ProbeInterval 1 s) order of magnitude; it bounds detection time to
		// tens of seconds and costs one exchange per node per second.
		Interval: time.Second,
		// 8: Cassandra's phi_convict_threshold. phi 8 means a 1e-8 chance
		// that a live peer's heartbeat would be this late.
		ConvictPhi: 8,
		// 4: half the convict threshold flags slow peers early without
		// taking them out of the live set.
		SuspectPhi: 4,
		// 60 s: long enough for a dead or left state to reach every node
		// (O(log N) rounds, ~15 s at 10,000 nodes) so it is not re-learned
		// from a straggler after being forgotten.
		Quarantine: 60 * time.Second,
		// 100: enough samples for a stable mean while adapting to a new
		// heartbeat rate within two minutes (Cassandra keeps 1000).
		WindowSize: 100,
		// 1 MiB: the state of ~10,000 nodes' digests fits; anything larger
		// is hostile or a bug.
		MaxMessageSize: 1 << 20,
	}
}

// Sentinel errors of the package.
var (
	ErrInvalidConfig = errors.New("gossip: invalid config")
	ErrMalformed     = errors.New("gossip: malformed message")
	ErrWrongCluster  = errors.New("gossip: wrong cluster name")
	ErrAuth          = errors.New("gossip: authentication failed")
	ErrReplay        = errors.New("gossip: replayed message")
	ErrTooLarge      = errors.New("gossip: message too large")
)

// Validate reports the first problem with c.
func (c Config) Validate() error {
	switch {
	case c.Name == "" || len(c.Name) > 255:
		return fmt.Errorf("%w: name must be 1..255 bytes", ErrInvalidConfig)
	case len(c.ClusterName) > 255:
		return fmt.Errorf("%w: cluster name longer than 255 bytes", ErrInvalidConfig)
	case c.Interval <= 0:
		return fmt.Errorf("%w: interval %v must be positive", ErrInvalidConfig, c.Interval)
	case c.ConvictPhi <= 0:
		return fmt.Errorf("%w: convict phi %v must be positive", ErrInvalidConfig, c.ConvictPhi)
	case c.SuspectPhi <= 0 || c.SuspectPhi > c.ConvictPhi:
		return fmt.Errorf("%w: suspect phi %v must be in (0, convict phi]", ErrInvalidConfig, c.SuspectPhi)
	case c.Quarantine < c.Interval:
		return fmt.Errorf("%w: quarantine %v shorter than interval", ErrInvalidConfig, c.Quarantine)
	case c.WindowSize < 2:
		return fmt.Errorf("%w: window size %d below 2", ErrInvalidConfig, c.WindowSize)
	case c.MaxMessageSize < 512:
		return fmt.Errorf("%w: max message size %d below 512", ErrInvalidConfig, c.MaxMessageSize)
	}
	for _, s := range c.Seeds {
		if s == "" || len(s) > 255 {
			return fmt.Errorf("%w: seed name %q", ErrInvalidConfig, s)
		}
	}
	return nil
}
