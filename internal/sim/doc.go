// Package sim is the deterministic simulator that proves internal/paxos.
//
// One seed drives everything: a cluster of 3, 5 or 7 voters (plus a spare
// node that membership changes may add as a voter or an observer), a
// virtual network that drops, delays, duplicates and reorders messages and
// partitions nodes, crashes that lose everything a node did not persist
// through Ready, restarts from exactly that persisted state, membership
// changes, log compaction (so lagging replicas are caught up by snapshot),
// and clients running put/get on a replicated key-value register. Time is
// virtual (milliseconds); there are no goroutines, so a seed replays
// exactly.
//
// Checked after every step:
//   - at most one value is chosen per slot: an oracle watches every
//     acceptor's persisted accepts and computes, per slot, which values a
//     majority of the slot's voters accepted under one ballot; every such
//     value, and every value any node delivers, must agree;
//   - every node delivers slots strictly in order, each exactly once per
//     incarnation, and every delivered value equals every other node's
//     value for that slot (so delivered sequences are prefixes of each
//     other).
//
// Checked at the end: the client history is linearizable (porcupine, one
// register per key), and once faults stop (every node up, network whole
// and lossless) client operations complete within a bound and every node
// reaches the same learned slot.
package sim
