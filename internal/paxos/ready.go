package paxos

// Ready is the work the node hands to its caller. The caller must, in this
// order:
//
//  1. persist HardState (if not nil), Entries (each overwrites the caller's
//     stored entry for its slot) and Snapshot (if not nil; entries up to
//     Snapshot.Slot may then be dropped), and make them durable (fsync);
//  2. only then send Messages: a promise or an accepted reply must never
//     leave before the state it reports is on disk;
//  3. restore its state machine from Snapshot (if not nil), then apply
//     Committed in order;
//  4. call Advance.
//
// No other method may be called between Ready and Advance.
type Ready struct {
	HardState *HardState
	Entries   []Entry
	Snapshot  *Snapshot
	// Committed are chosen slots, strictly consecutive, each handed out
	// exactly once (after the snapshot's slot when Snapshot is set).
	Committed []Entry
	Messages  []Message
}

// HasReady reports whether Ready would return anything, or whether the
// leader has queued work to put into slots.
func (n *Node) HasReady() bool {
	if n.hsDirty || len(n.unstable) > 0 || len(n.msgs) > 0 || len(n.self) > 0 ||
		n.installS != nil || n.learned > n.delivered {
		return true
	}
	return n.role == roleLeader && (n.learned > n.commitSent || n.canPropose())
}

// Ready returns the node's pending work (see the type's contract). On the
// leader it first batches queued commands into new slots, up to MaxBatch
// commands per slot, and broadcasts an advanced commit point: one Ready is
// one batch, so the caller's loop sets the batching rhythm.
func (n *Node) Ready() Ready {
	if n.role == roleLeader {
		n.flush()
	}
	rd := Ready{Entries: n.unstable, Snapshot: n.installS, Messages: n.msgs}
	if n.hsDirty {
		hs := HardState{Promised: n.promised}
		rd.HardState = &hs
	}
	from := n.delivered
	if n.installS != nil && n.installS.Slot > from {
		from = n.installS.Slot
	}
	for s := from + 1; s <= n.learned; s++ {
		rd.Committed = append(rd.Committed, Entry{Slot: s, Value: n.chosen[s]})
	}
	n.readyTo = n.learned
	if from > n.readyTo {
		n.readyTo = from
	}
	n.selfRd = n.self
	n.hsDirty, n.unstable, n.msgs, n.self, n.installS = false, nil, nil, nil, nil
	return rd
}

// Advance tells the node the last Ready was done: persisted, sent and
// applied. Messages the node sent to itself are stepped now, since what
// they report is durable.
func (n *Node) Advance() {
	if n.readyTo > n.delivered {
		n.delivered = n.readyTo
	}
	self := n.selfRd
	n.selfRd = nil
	for _, m := range self {
		_ = n.Step(m) // self messages are well formed
	}
}
