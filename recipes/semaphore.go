package recipes

import (
	"context"
	"fmt"
)

// Semaphore hands out at most N leases at a time across all clients that
// use the same dir and the same N. Contenders are protected ephemeral
// sequential nodes under dir; the first N in sequence order hold a lease,
// the others wait in arrival order.
//
// Because any of the N holders may release first, a waiter cannot watch a
// single predecessor; waiters watch the children of dir, so each release
// wakes every waiter (they re-check and all but one go back to sleep).
// Use a Lock when N is 1.
//
// Failure behaviour is the Lock's: a Lease's Done closes with
// ErrSessionExpired when the session expires, and a waiter whose ctx ends
// deletes its node. Clients that disagree on N get the guarantee of the
// largest N.
type Semaphore struct {
	s   *Session
	dir string
	n   int
}

// NewSemaphore returns a semaphore of n leases under dir.
func NewSemaphore(s *Session, dir string, n int) *Semaphore {
	if n < 1 {
		panic("recipes: semaphore needs at least one lease")
	}
	return &Semaphore{s: s, dir: dir, n: n}
}

func (m *Semaphore) blocker(sorted []string, me int) waitFor {
	if me < m.n {
		return waitFor{}
	}
	return waitFor{children: true}
}

// Acquire blocks until a lease is held or ctx ends.
func (m *Semaphore) Acquire(ctx context.Context) (*Lease, error) {
	lease, err := m.s.acquireSeq(ctx, m.dir, "lease-", nil, false, m.blocker)
	if err != nil {
		return nil, fmt.Errorf("recipes: semaphore %s: %w", m.dir, err)
	}
	return lease, nil
}

// TryAcquire takes a lease if one is free and nobody waits, and otherwise
// returns ErrNotAcquired.
func (m *Semaphore) TryAcquire(ctx context.Context) (*Lease, error) {
	lease, err := m.s.acquireSeq(ctx, m.dir, "lease-", nil, true, m.blocker)
	if err != nil {
		return nil, fmt.Errorf("recipes: try semaphore %s: %w", m.dir, err)
	}
	return lease, nil
}
