// Package gossip is Synod's membership and failure-detection core: how
// servers find each other from seed nodes, spread versioned endpoint state
// and decide who is up.
//
// The core is deterministic and I/O-free, in the style of etcd-io/raft: the
// caller drives a Node with Tick(now) and Step(now, from, msg) (or Receive
// for raw bytes), passes time in, injects a seeded random source, and takes
// back a Ready holding the messages to send and the events to deliver. The
// network edge lives in internal/gossip/netedge; the simulator in
// internal/gossip/gossipsim.
//
// # Protocol
//
// Each node owns one EndpointState: a generation (bumped on every restart),
// a heartbeat that grows every interval, and versioned application keys.
// Every change by the owner takes the next value of one per-node version
// counter, so (generation, max version) orders all of a node's states.
// Only the owner changes its own state; everyone else learns it.
//
// Every gossip interval a node runs the Cassandra-style three-message
// push-pull exchange (Syn, Ack, Ack2) with one random live peer, with an
// unreachable peer with probability unreachable/(live+1), and with a seed
// when the live peer was not a seed or fewer peers are live than there are
// seeds (with probability seeds/(live+unreachable), Cassandra's rule, so that
// seeds are not flooded in large clusters).
//
// A phi-accrual detector (Hayashibara et al. 2004, with Cassandra's
// exponential approximation phi = 0.434 * t / mean) per peer turns
// heartbeat arrival times into alive, suspect and dead.
//
// # Wire format (all integers big-endian)
//
//	magic      2 bytes  "SG"
//	version    1 byte   1
//	kind       1 byte   MsgSyn=1, MsgAck=2, MsgAck2=3 (only append)
//	flags      1 byte   bit 0: a 32-byte HMAC-SHA256 trailer follows
//	cluster    u8 length + bytes
//	sender     u8 length + bytes
//	senderGen  u64      the sender's generation
//	seq        u64      per-generation message sequence (replay window)
//	body       kind specific:
//	  Syn:  u32 n, n digests
//	  Ack:  u32 n, n digests (requests), u32 m, m states
//	  Ack2: u32 m, m states
//	digest     node (u8 len + bytes), gen u64, maxVersion u64
//	state      node (u8 len + bytes), gen u64, heartbeat u64,
//	           heartbeatVersion u64, u16 k keys:
//	             key (u8 len + bytes), value (u16 len + bytes), version u64
//	trailer    HMAC-SHA256(key, all preceding bytes) when flag bit 0 is set
//
// Every count is checked against the bytes that remain before anything is
// allocated, so a hostile length cannot make the decoder allocate more than
// the message size.
package gossip
