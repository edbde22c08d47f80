package recipes

import (
	"context"
	"fmt"
)

// RWLock is a distributed readers-writer lock: many readers or one
// writer. Contenders are protected ephemeral sequential nodes under dir
// named read-<seq> and write-<seq>; order of creation is order of service.
//
// A reader holds once no writer precedes it, and waits only on the
// nearest writer before it. A writer holds once it is first, and waits
// only on its immediate predecessor. So a release wakes only the
// contenders that it actually unblocks, and a waiting writer is not
// starved by readers arriving after it.
//
// Failure behaviour is the Lock's: a Lease's Done closes with
// ErrSessionExpired when the session expires, and a waiter whose ctx ends
// deletes its node.
type RWLock struct {
	s   *Session
	dir string
}

// NewRWLock returns the readers-writer lock whose contenders live under dir.
func NewRWLock(s *Session, dir string) *RWLock {
	return &RWLock{s: s, dir: dir}
}

func readBlocker(sorted []string, me int) waitFor {
	for i := me - 1; i >= 0; i-- {
		if kindOf(sorted[i]) == "write-" {
			return waitFor{node: sorted[i]}
		}
	}
	return waitFor{}
}

// RLock blocks until a read lease is held or ctx ends.
func (l *RWLock) RLock(ctx context.Context) (*Lease, error) {
	lease, err := l.s.acquireSeq(ctx, l.dir, "read-", nil, false, readBlocker)
	if err != nil {
		return nil, fmt.Errorf("recipes: read lock %s: %w", l.dir, err)
	}
	return lease, nil
}

// Lock blocks until the write lease is held or ctx ends.
func (l *RWLock) Lock(ctx context.Context) (*Lease, error) {
	lease, err := l.s.acquireSeq(ctx, l.dir, "write-", nil, false, lockBlocker)
	if err != nil {
		return nil, fmt.Errorf("recipes: write lock %s: %w", l.dir, err)
	}
	return lease, nil
}
