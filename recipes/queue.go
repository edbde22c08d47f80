package recipes

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-zookeeper/zk"
)

// ErrEmpty is returned by TryTake when the queue has no item.
var ErrEmpty = errors.New("recipes: queue empty")

// Queue is a distributed FIFO queue. Items are persistent sequential
// nodes under dir, so they outlive the sessions that put them.
//
// Guarantees: items are taken in the order their Puts were applied by the
// server. Each item is delivered exactly once. A Put stores the item and a
// marker dir/put-<guid> in one multi-operation, then deletes the marker; a
// Take removes the item and creates a claim dir/claim-<guid> in one multi,
// then deletes the claim. After a lost reply, the marker or the claim
// tells whether the operation applied, so an item is never stored twice
// nor lost between taker and server. (A protected name alone is not
// enough for Put: the item may be taken before the putter looks for it.)
//
// Failure behaviour: connection drops and session expiry (items and
// claims are persistent) only delay Put and Take. Take blocks while the
// queue is empty, watching the children of dir (every waiting taker wakes
// on each Put; all but one find nothing and wait again). If a taker's
// process dies between taking an item and returning it, the item is gone
// with it (its claim node remains under dir as evidence; likewise a put
// marker may remain if a putter dies at the wrong moment).
type Queue struct {
	s   *Session
	dir string
}

// PriorityQueue is a Queue whose items carry a priority: lower values are
// taken first, and items of equal priority in FIFO order. Guarantees and
// failure behaviour are the Queue's.
type PriorityQueue struct {
	q Queue
}

// NewQueue returns the FIFO queue whose items live under dir.
func NewQueue(s *Session, dir string) *Queue {
	return &Queue{s: s, dir: dir}
}

// NewPriorityQueue returns the priority queue whose items live under dir.
func NewPriorityQueue(s *Session, dir string) *PriorityQueue {
	return &PriorityQueue{q: Queue{s: s, dir: dir}}
}

const (
	itemPrefix  = "qn-"
	claimPrefix = "claim-"
	putPrefix   = "put-"
)

// Put appends data to the queue.
func (q *Queue) Put(ctx context.Context, data []byte) error {
	return q.put(ctx, data, 0)
}

// Put adds data with priority.
func (p *PriorityQueue) Put(ctx context.Context, data []byte, priority uint16) error {
	return p.q.put(ctx, data, priority)
}

// Take removes and returns the first item, blocking while the queue is
// empty or until ctx ends.
func (p *PriorityQueue) Take(ctx context.Context) ([]byte, error) { return p.q.take(ctx, false) }

// TryTake removes and returns the first item, or returns ErrEmpty.
func (p *PriorityQueue) TryTake(ctx context.Context) ([]byte, error) { return p.q.take(ctx, true) }

// Take removes and returns the oldest item, blocking while the queue is
// empty or until ctx ends.
func (q *Queue) Take(ctx context.Context) ([]byte, error) { return q.take(ctx, false) }

// TryTake removes and returns the oldest item, or returns ErrEmpty.
func (q *Queue) TryTake(ctx context.Context) ([]byte, error) { return q.take(ctx, true) }

func (q *Queue) put(ctx context.Context, data []byte, priority uint16) error {
	item := join(q.dir, fmt.Sprintf("%s%05d-", itemPrefix, priority))
	marker := join(q.dir, putPrefix+newGUID())
	for {
		res, err := q.s.conn.Multi(
			&zk.CreateRequest{Path: item, Data: data, Flags: zk.FlagSequence, Acl: zk.WorldACL(zk.PermAll)},
			&zk.CreateRequest{Path: marker, Acl: zk.WorldACL(zk.PermAll)},
		)
		err = multiErr(res, err)
		switch {
		case err == nil:
			return q.s.deleteNode(ctx, marker)
		case errors.Is(err, zk.ErrNoNode):
			if err := q.s.ensurePath(ctx, q.dir); err != nil {
				return fmt.Errorf("recipes: put %s: %w", q.dir, err)
			}
			continue
		case !retryableOrExpired(err):
			return fmt.Errorf("recipes: put %s: %w", q.dir, err)
		}
		// The reply was lost: the marker tells whether the item was
		// stored (it may already have been taken, so look for the marker,
		// not the item).
		if err := q.s.pause(ctx); err != nil {
			return fmt.Errorf("recipes: put %s: %w", q.dir, err)
		}
		var stored bool
		if err := q.s.retry(ctx, func() error {
			var err error
			stored, _, err = q.s.conn.Exists(marker)
			return err
		}); err != nil {
			return fmt.Errorf("recipes: put %s: %w", q.dir, err)
		}
		if stored {
			return q.s.deleteNode(ctx, marker)
		}
	}
}

// multiErr is the first error of a multi, whether go-zookeeper reports it
// in the reply header or only in the per-operation results.
func multiErr(res []zk.MultiResponse, err error) error {
	if err != nil {
		return err
	}
	for _, r := range res {
		if r.Error != nil {
			return r.Error
		}
	}
	return nil
}

// item is a queue node and its sort key.
type item struct {
	name     string
	priority int
	seq      int64
}

func parseItem(name string) (item, bool) {
	k := kindOf(name) // "qn-00005-"
	if !strings.HasPrefix(k, itemPrefix) || len(k) != len(itemPrefix)+6 {
		return item{}, false
	}
	p, err := strconv.Atoi(k[len(itemPrefix) : len(itemPrefix)+5])
	if err != nil {
		return item{}, false
	}
	seq, ok := seqOf(name)
	return item{name: name, priority: p, seq: seq}, ok
}

func (q *Queue) take(ctx context.Context, try bool) ([]byte, error) {
	for {
		var children []string
		var ch <-chan zk.Event
		err := q.s.retry(ctx, func() error {
			var err error
			if try {
				children, _, err = q.s.conn.Children(q.dir)
			} else {
				children, _, ch, err = q.s.conn.ChildrenW(q.dir)
			}
			if errors.Is(err, zk.ErrNoNode) {
				if err := q.s.ensurePath(ctx, q.dir); err != nil {
					return err
				}
				return zk.ErrConnectionClosed // list again
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("recipes: take %s: %w", q.dir, err)
		}
		var items []item
		for _, c := range children {
			if it, ok := parseItem(c); ok {
				items = append(items, it)
			}
		}
		sort.Slice(items, func(i, j int) bool {
			if items[i].priority != items[j].priority {
				return items[i].priority < items[j].priority
			}
			return items[i].seq < items[j].seq
		})
		for _, it := range items {
			data, ok, err := q.claim(ctx, join(q.dir, it.name))
			if err != nil {
				return nil, fmt.Errorf("recipes: take %s: %w", q.dir, err)
			}
			if ok {
				return data, nil
			}
		}
		if try {
			return nil, ErrEmpty
		}
		if len(items) > 0 {
			continue // all were taken by others while we tried: list again
		}
		select {
		case <-ch:
		case <-q.s.closed:
			return nil, ErrClosed
		case <-ctx.Done():
			return nil, fmt.Errorf("recipes: take %s: %w", q.dir, ctx.Err())
		}
	}
}

// claim tries to take one item: delete it and create a claim node in one
// multi. ok is false when another taker got it first.
func (q *Queue) claim(ctx context.Context, path string) (data []byte, ok bool, err error) {
	var st *zk.Stat
	err = q.s.retry(ctx, func() error {
		var err error
		data, st, err = q.s.conn.Get(path)
		return err
	})
	if errors.Is(err, zk.ErrNoNode) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	claim := join(q.dir, claimPrefix+newGUID())
	for {
		res, err := q.s.conn.Multi(
			&zk.DeleteRequest{Path: path, Version: st.Version},
			&zk.CreateRequest{Path: claim, Flags: 0, Acl: zk.WorldACL(zk.PermAll)},
		)
		err = multiErr(res, err)
		switch {
		case err == nil:
			return data, true, q.s.deleteNode(ctx, claim)
		case errors.Is(err, zk.ErrNoNode), errors.Is(err, zk.ErrBadVersion):
			return nil, false, nil // taken by another
		case !retryableOrExpired(err):
			return nil, false, err
		}
		// The reply was lost: our claim tells whether the multi applied.
		if err := q.s.pause(ctx); err != nil {
			return nil, false, err
		}
		var claimed bool
		if err := q.s.retry(ctx, func() error {
			var err error
			claimed, _, err = q.s.conn.Exists(claim)
			return err
		}); err != nil {
			return nil, false, err
		}
		if claimed {
			return data, true, q.s.deleteNode(ctx, claim)
		}
	}
}
