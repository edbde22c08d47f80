// Package paxos is Synod's consensus core: Multi-Paxos as a deterministic,
// I/O-free state machine, in the style of etcd-io/raft. It has no
// goroutines, no clocks, no network and no disk. The caller drives a Node
// with Tick (logical time), Step (a message from a peer) and Propose (a
// client command), and takes back a Ready listing what to persist, what to
// send, and which slots are chosen, then calls Advance. Randomness (the
// election timeout) comes from a seeded source in Config, so a run is
// replayable; internal/sim runs thousands of seeded fault schedules.
//
// # Protocol
//
// Every node is proposer, acceptor and learner (Lamport, "Paxos Made
// Simple", 2001, sections 2 and 3); observers are learners only.
//
//   - Ballots are (round, node id). A follower that hears nothing from a
//     leader for a randomized election timeout (ElectionTicks to
//     2*ElectionTicks ticks) picks a ballot above every ballot it has seen
//     and runs phase 1 once for all slots from its first slot not known to
//     be chosen: Prepare(b, from). An acceptor that has not promised a
//     higher ballot promises b and answers with its accepted values from
//     that slot on (the chosen ones it knows, as chosen; its snapshot if it
//     has compacted part of the range).
//   - With promises from a majority of the voters, the candidate leads. For
//     each open slot it re-proposes the value accepted under the highest
//     ballot (section 2.2, P2c), fills gaps with no-ops (section 3), then
//     batches client commands, up to MaxBatch per slot value, into new
//     slots. Phase 2 (Accept/Accepted) is pipelined up to Window slots
//     ahead of the last chosen one.
//   - A value is chosen when a majority of the slot's voters accepted it
//     under one ballot. The leader learns this from the Accepted replies
//     and spreads its commit point in heartbeats and Accepts; a replica
//     that accepted the slot under the leader's ballot learns the value
//     from its own log, and one that did not asks (MsgStatus) and is sent
//     the chosen values (MsgLearn), or a snapshot if it is behind the
//     leader's compaction point (MsgSnapshot), then the tail.
//   - Any message carrying a higher ballot raises the receiver's promise
//     and deposes it if it leads or campaigns (like a higher Raft term).
//     This is also why a leader's commit point can be trusted: a leader
//     never learns of a slot chosen under a higher ballot without first
//     stepping down.
//   - A proposal to a non-leader is forwarded to the known leader
//     (Config.Forward) or refused with *NotLeaderError naming it.
//
// # Membership
//
// A membership change (add or remove a voter, add an observer) is a value
// of its own; chosen in slot s, it governs slots from s+Window on (the
// alpha of Lamport's "Paxos Made Simple", section 3). Because the leader
// proposes slot i only once every slot up to i-Window is chosen, it always
// knows the membership of the slot it proposes, and it proposes slot i only
// with promises from a majority of slot i's voters: when a change brings
// in voters that did not promise, it sends them Prepare first.
//
// # Durability
//
// Ready.HardState (the promise) and Ready.Entries (accepted values) must be
// durable before Ready.Messages are sent: a Promise or Accepted reply must
// never report state a crash could lose. A node's own promise and accept
// are messages to itself, stepped by Advance, so the leader counts its own
// vote only once it is on disk. Chosen slots come out in Ready.Committed in
// slot order, each exactly once per node lifetime; after a restart they
// start again after the snapshot the node restarted from.
//
// # Compaction
//
// Compact(slot, data) says the caller's snapshot covers every slot up to
// slot. The node drops those slots and keeps the snapshot to catch up
// replicas behind it. A restarted node is built from Storage: the last
// HardState, the entries above the snapshot, and the snapshot.
package paxos
