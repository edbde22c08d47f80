package recipes

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"
)

// ErrNoLeader is returned by Leader when nobody is campaigning.
var ErrNoLeader = errors.New("recipes: no leader")

// Election elects one leader among the candidates that campaign under
// dir. Candidates are protected ephemeral sequential nodes holding the
// candidate's value; the lowest sequence number leads and every other
// candidate watches only its predecessor, so a change of leader wakes one
// candidate. Leadership passes in campaign order.
//
// Guarantees: at most one candidate holds leadership at a time, as seen by
// the server. A leader learns it lost leadership through its Lease: Done
// closes with ErrSessionExpired when its session expires, and with
// ErrNodeDeleted when its node is deleted by someone else; after either,
// another candidate may already lead. Resign by releasing the Lease.
// During a disconnection the leader cannot know whether it still leads
// (see Session.Disconnected).
type Election struct {
	s   *Session
	dir string
}

// NewElection returns the election whose candidates live under dir.
func NewElection(s *Session, dir string) *Election {
	return &Election{s: s, dir: dir}
}

// Campaign enters the election with value (shown to observers while this
// candidate leads) and blocks until it leads or ctx ends; on ctx's end the
// candidacy is withdrawn.
func (e *Election) Campaign(ctx context.Context, value []byte) (*Lease, error) {
	lease, err := e.s.acquireSeq(ctx, e.dir, "n_", value, false, lockBlocker)
	if err != nil {
		return nil, fmt.Errorf("recipes: campaign %s: %w", e.dir, err)
	}
	return lease, nil
}

// Leader returns the current leader's value, or ErrNoLeader.
func (e *Election) Leader(ctx context.Context) ([]byte, error) {
	v, _, err := e.leader(ctx, false)
	return v, err
}

// leader reads the leader's value and, with watch, returns a channel
// that fires when the set of candidates changes.
func (e *Election) leader(ctx context.Context, watch bool) ([]byte, <-chan zk.Event, error) {
	for {
		var children []string
		var ch <-chan zk.Event
		err := e.s.retry(ctx, func() error {
			var err error
			if watch {
				children, _, ch, err = e.s.conn.ChildrenW(e.dir)
			} else {
				children, _, err = e.s.conn.Children(e.dir)
			}
			if errors.Is(err, zk.ErrNoNode) {
				if err := e.s.ensurePath(ctx, e.dir); err != nil {
					return err
				}
				return zk.ErrConnectionClosed // list again
			}
			return err
		})
		if err != nil {
			return nil, nil, fmt.Errorf("recipes: leader of %s: %w", e.dir, err)
		}
		sorted := sortSeq(children)
		if len(sorted) == 0 {
			return nil, ch, ErrNoLeader
		}
		var data []byte
		err = e.s.retry(ctx, func() error {
			var err error
			data, _, err = e.s.conn.Get(join(e.dir, sorted[0]))
			return err
		})
		if errors.Is(err, zk.ErrNoNode) {
			continue // the leader left while we looked
		}
		if err != nil {
			return nil, nil, fmt.Errorf("recipes: leader of %s: %w", e.dir, err)
		}
		return data, ch, nil
	}
}

// Observe sends the leader's value each time leadership changes (nil when
// nobody leads), starting with the current one. Values are not
// coalesced across a slow reader: each send waits for the reader. The
// channel is closed when ctx ends or the Session is closed.
func (e *Election) Observe(ctx context.Context) <-chan []byte {
	out := make(chan []byte)
	go func() {
		defer close(out)
		var last []byte
		first := true
		for {
			v, ch, err := e.leader(ctx, true)
			if err != nil && !errors.Is(err, ErrNoLeader) {
				return
			}
			if first || string(v) != string(last) || (v == nil) != (last == nil) {
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
				first, last = false, v
			}
			select {
			case <-ch:
			case <-ctx.Done():
				return
			case <-e.s.closed:
				return
			}
		}
	}()
	return out
}
