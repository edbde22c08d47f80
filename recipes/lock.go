package recipes

import (
	"context"
	"fmt"
)

// Lock is a distributed mutual-exclusion lock without herd effect.
//
// Each Acquire creates an ephemeral sequential node under dir, named in
// Curator's protected form (_c_<guid>-lock-<seq>) so that a create whose
// reply was lost with the connection is found again after reconnecting
// instead of being created twice. The contender with the lowest sequence
// number holds the lock; every other contender watches only its immediate
// predecessor, so a release wakes exactly one waiter.
//
// Guarantees: at most one Lease per dir is held at a time, as seen by the
// server; waiters acquire in the order their nodes were created (FIFO).
// The lock is not reentrant: each Acquire, even from the same goroutine,
// is a new contender.
//
// Failure behaviour: a connection drop that the session survives changes
// nothing. If the session expires, the server deletes the node and the
// Lease's Done closes with ErrSessionExpired once the client learns of
// it; a waiter whose session expires re-enters the queue at the back. A
// waiter whose ctx ends deletes its node and returns ctx.Err().
type Lock struct {
	s   *Session
	dir string
	// Data is stored in each contender's node (for example the holder's
	// host name, for operators).
	Data []byte
}

// NewLock returns the lock whose contenders live under dir.
func NewLock(s *Session, dir string) *Lock {
	return &Lock{s: s, dir: dir}
}

// lockBlocker: hold when first, else wait for the immediate predecessor.
func lockBlocker(sorted []string, me int) waitFor {
	if me == 0 {
		return waitFor{}
	}
	return waitFor{node: sorted[me-1]}
}

// Acquire blocks until the lock is held or ctx ends.
func (l *Lock) Acquire(ctx context.Context) (*Lease, error) {
	lease, err := l.s.acquireSeq(ctx, l.dir, "lock-", l.Data, false, lockBlocker)
	if err != nil {
		return nil, fmt.Errorf("recipes: lock %s: %w", l.dir, err)
	}
	return lease, nil
}

// TryAcquire takes the lock if nobody holds it or waits for it, and
// otherwise returns ErrNotAcquired without waiting.
func (l *Lock) TryAcquire(ctx context.Context) (*Lease, error) {
	lease, err := l.s.acquireSeq(ctx, l.dir, "lock-", l.Data, true, lockBlocker)
	if err != nil {
		return nil, fmt.Errorf("recipes: try lock %s: %w", l.dir, err)
	}
	return lease, nil
}
