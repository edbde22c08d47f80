package sim

import (
	"errors"
	"fmt"
	"math"

	"github.com/anishathalye/porcupine"
	"github.com/synod-dev/synod/internal/paxos"
)

type pendingOp struct {
	seq      int
	in       kvInput
	call     int64
	proposed bool
	node     paxos.NodeID
}

// client runs one operation at a time against the node it believes leads,
// following NotLeaderError hints.
type client struct {
	id     int
	seq    int
	target int // node index
	op     *pendingOp
}

// clientsStopMS is how long before the end clients stop starting new
// operations, so the cluster can converge for the final check.
const clientsStopMS = 1000

// livenessBoundMS bounds the time from the end of the faults to the first
// completed operation that started after it: election (at most two
// election timeouts, 400 ms at 10 ms ticks), catch-up and one round trip,
// with a wide margin for a timed-out client retrying.
const livenessBoundMS = 2000

func (s *Sim) clientStep(c *client) {
	if c.op == nil {
		if s.now > s.cfg.FaultMS+s.cfg.HealMS-clientsStopMS {
			return
		}
		c.seq++
		in := kvInput{Key: fmt.Sprintf("k%d", s.rng.IntN(s.cfg.Keys))}
		if s.rng.IntN(2) == 0 {
			in.Put, in.Val = true, fmt.Sprintf("%d.%d", c.id, c.seq)
		}
		c.op = &pendingOp{seq: c.seq, in: in, call: s.now}
	}
	if c.op.proposed {
		return
	}
	sn := s.nodes[c.target]
	if !sn.up {
		c.target = s.rng.IntN(len(s.nodes))
		s.push(&event{at: s.now + 10, kind: evClient, client: c.id})
		return
	}
	err := sn.node.Propose(command{Client: c.id, Seq: c.op.seq, In: c.op.in}.encode())
	var nl *paxos.NotLeaderError
	switch {
	case err == nil:
		c.op.proposed, c.op.node = true, sn.id
		s.push(&event{at: s.now + s.cfg.TimeoutMS, kind: evTimeout, client: c.id, opSeq: c.op.seq})
		s.process(sn)
	case errors.As(err, &nl):
		if nl.Leader != 0 {
			c.target = int(nl.Leader) - 1
		} else {
			c.target = s.rng.IntN(len(s.nodes))
		}
		s.push(&event{at: s.now + 10, kind: evClient, client: c.id})
	case errors.Is(err, paxos.ErrBusy):
		s.push(&event{at: s.now + 10, kind: evClient, client: c.id})
	default:
		s.fail("client %d: propose: %v", c.id, err)
	}
}

// completed is called for every command a node applies for the first time;
// the client hears back only from the node it submitted to.
func (s *Sim) completed(sn *simNode, cmd command, out string) {
	c := s.cl[cmd.Client]
	if c.op == nil || c.op.seq != cmd.Seq || !c.op.proposed || c.op.node != sn.id {
		return
	}
	s.hist = append(s.hist, porcupine.Operation{ClientId: c.id, Input: c.op.in, Call: c.op.call,
		Output: out, Return: s.now})
	s.res.Ops++
	c.op = nil
	s.push(&event{at: s.now + s.rng.Int64N(20), kind: evClient, client: c.id})
}

// clientTimeout gives up on an operation. A put that may still take effect
// stays in the history with an open end; a get is dropped (it changed
// nothing).
func (s *Sim) clientTimeout(c *client, seq int) {
	if c.op == nil || c.op.seq != seq {
		return
	}
	s.abandon(c)
	c.target = s.rng.IntN(len(s.nodes))
	s.push(&event{at: s.now + s.rng.Int64N(20), kind: evClient, client: c.id})
}

func (s *Sim) abandon(c *client) {
	if c.op.in.Put && c.op.proposed {
		s.hist = append(s.hist, porcupine.Operation{ClientId: c.id, Input: c.op.in, Call: c.op.call,
			Output: "", Return: math.MaxInt64})
	}
	c.op = nil
}

// checkEnd runs the end-of-run checks: safety of late-decided slots,
// linearizability, progress and convergence after the faults stopped.
func (s *Sim) checkEnd() {
	for _, sn := range s.nodes {
		n := sn.node
		s.logf("node %d: up=%v %s ballot=%s learned=%d delivered=%d snapshot=%d voters@next=%v", sn.id, sn.up,
			n.Role(), n.Ballot(), n.Learned(), n.Delivered(), n.SnapshotSlot(), n.Membership(n.Learned()+1).Voters)
	}
	if err := s.orc.final(); err != nil {
		s.fail("%v", err)
		return
	}
	var afterHeal, firstAfter int64 = 0, -1
	for _, op := range s.hist {
		if op.Call >= s.healAt && op.Return != math.MaxInt64 {
			afterHeal++
			if firstAfter < 0 || op.Return < firstAfter {
				firstAfter = op.Return
			}
		}
	}
	for _, c := range s.cl {
		if c.op != nil {
			s.abandon(c)
		}
	}
	switch res := porcupine.CheckOperationsTimeout(kvModel, s.hist, 0); res {
	case porcupine.Ok:
	default:
		s.fail("%v: %d operations (porcupine: %v)", ErrNotLinearizable, len(s.hist), res)
		return
	}
	if len(s.cl) > 0 && afterHeal == 0 {
		s.fail("LIVENESS: no client operation started after the faults stopped (at %d ms) completed", s.healAt)
		return
	}
	// Every current member (and every node that ever was one and is still
	// up) must have learned the same prefix.
	var max uint64
	for _, sn := range s.nodes {
		max = maxU(max, sn.node.Learned())
	}
	m, _ := s.orc.membership(s.orc.prefix + 1)
	for _, sn := range s.nodes {
		member := m.IsVoter(sn.id) || contains(m.Observers, sn.id)
		if member && sn.node.Learned() != max {
			s.fail("LIVENESS: node %d learned %d of %d slots %d ms after the faults stopped", sn.id,
				sn.node.Learned(), max, s.now-s.healAt)
			return
		}
	}
	if len(s.cl) > 0 && firstAfter-s.healAt > livenessBoundMS {
		s.fail("LIVENESS: first operation after the faults stopped completed only %d ms later (bound %d ms)",
			firstAfter-s.healAt, livenessBoundMS)
		return
	}
	if firstAfter >= 0 {
		s.logf("first operation after heal completed %d ms after it", firstAfter-s.healAt)
	}
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

func contains(ids []paxos.NodeID, id paxos.NodeID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
