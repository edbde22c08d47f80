package recipes

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-zookeeper/zk"
)

// Counter is a shared int64 stored as decimal text in the node at path
// (readable with any ZooKeeper client), changed by compare-and-set on
// the node's version and retried on conflict.
//
// Guarantees: each Add is applied exactly once and returns the value it
// produced; concurrent Adds from any clients never lose an update. To
// keep "exactly once" across a lost reply, an Add writes the new value and
// creates a marker child path/op-<guid> in one multi, then deletes the
// marker; after a connection loss the marker tells whether the write
// applied.
//
// Failure behaviour: connection drops and session expiry only delay Add
// (the node is persistent). Under heavy contention Add retries until ctx
// ends. A process that dies between the write and the marker's deletion
// leaves the marker behind (harmless; it is not part of the value).
type Counter struct {
	s    *Session
	path string
}

// NewCounter returns the counter at path; a missing node counts as 0.
func NewCounter(s *Session, path string) *Counter {
	return &Counter{s: s, path: path}
}

func parseCount(data []byte) (int64, error) {
	t := strings.TrimSpace(string(data))
	if t == "" {
		return 0, nil
	}
	return strconv.ParseInt(t, 10, 64)
}

// Get returns the current value.
func (c *Counter) Get(ctx context.Context) (int64, error) {
	var data []byte
	err := c.s.retry(ctx, func() error {
		var err error
		data, _, err = c.s.conn.Get(c.path)
		return err
	})
	if errors.Is(err, zk.ErrNoNode) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("recipes: counter %s: %w", c.path, err)
	}
	v, err := parseCount(data)
	if err != nil {
		return 0, fmt.Errorf("recipes: counter %s: %w", c.path, err)
	}
	return v, nil
}

// Add adds delta and returns the new value.
func (c *Counter) Add(ctx context.Context, delta int64) (int64, error) {
	marker := join(c.path, "op-"+newGUID())
	for {
		var data []byte
		var st *zk.Stat
		err := c.s.retry(ctx, func() error {
			var err error
			data, st, err = c.s.conn.Get(c.path)
			if errors.Is(err, zk.ErrNoNode) {
				if err := c.s.ensurePath(ctx, c.path); err != nil {
					return err
				}
				return zk.ErrConnectionClosed // read again
			}
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("recipes: counter %s: %w", c.path, err)
		}
		old, err := parseCount(data)
		if err != nil {
			return 0, fmt.Errorf("recipes: counter %s: %w", c.path, err)
		}
		next := old + delta
		res, err := c.s.conn.Multi(
			&zk.SetDataRequest{Path: c.path, Data: []byte(strconv.FormatInt(next, 10)), Version: st.Version},
			&zk.CreateRequest{Path: marker, Acl: zk.WorldACL(zk.PermAll)},
		)
		err = multiErr(res, err)
		switch {
		case err == nil:
			return next, c.s.deleteNode(ctx, marker)
		case errors.Is(err, zk.ErrBadVersion):
			continue // someone else added first
		case !retryableOrExpired(err):
			return 0, fmt.Errorf("recipes: counter %s: %w", c.path, err)
		}
		if err := c.s.pause(ctx); err != nil {
			return 0, fmt.Errorf("recipes: counter %s: %w", c.path, err)
		}
		var applied bool
		if err := c.s.retry(ctx, func() error {
			var err error
			applied, _, err = c.s.conn.Exists(marker)
			return err
		}); err != nil {
			return 0, fmt.Errorf("recipes: counter %s: %w", c.path, err)
		}
		if applied {
			return next, c.s.deleteNode(ctx, marker)
		}
	}
}
