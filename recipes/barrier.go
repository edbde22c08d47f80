package recipes

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"
)

// Barrier holds processes back until it is removed (Curator's
// DistributedBarrier): while the node at path exists, Wait blocks.
//
// Guarantees: Wait returns only after it has seen the node absent. The
// node is persistent, so the barrier survives its setter's session:
// whoever set it (or an operator) must Remove it. Connection drops and
// session expiry of a waiter only delay Wait (it re-checks); they never
// make it return early.
type Barrier struct {
	s    *Session
	path string
}

// NewBarrier returns the barrier whose node is path.
func NewBarrier(s *Session, path string) *Barrier {
	return &Barrier{s: s, path: path}
}

// Set raises the barrier; setting a raised barrier does nothing.
func (b *Barrier) Set(ctx context.Context) error {
	err := b.s.retry(ctx, func() error {
		_, err := b.s.conn.Create(b.path, nil, 0, zk.WorldACL(zk.PermAll))
		if errors.Is(err, zk.ErrNoNode) {
			if err := b.s.ensurePath(ctx, parent(b.path)); err != nil {
				return err
			}
			return zk.ErrConnectionClosed // try again
		}
		if errors.Is(err, zk.ErrNodeExists) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("recipes: set barrier %s: %w", b.path, err)
	}
	return nil
}

// Remove lowers the barrier, releasing every waiter.
func (b *Barrier) Remove(ctx context.Context) error {
	return b.s.deleteNode(ctx, b.path)
}

// Wait blocks until the barrier is down or ctx ends.
func (b *Barrier) Wait(ctx context.Context) error {
	for {
		var ok bool
		var ch <-chan zk.Event
		err := b.s.retry(ctx, func() error {
			var err error
			ok, _, ch, err = b.s.conn.ExistsW(b.path)
			return err
		})
		if err != nil {
			return fmt.Errorf("recipes: wait barrier %s: %w", b.path, err)
		}
		if !ok {
			return nil
		}
		select {
		case <-ch:
		case <-b.s.closed:
			return ErrClosed
		case <-ctx.Done():
			return fmt.Errorf("recipes: wait barrier %s: %w", b.path, ctx.Err())
		}
	}
}
