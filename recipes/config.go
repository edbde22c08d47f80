package recipes

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/go-zookeeper/zk"
)

// Value is a watched configuration value: the data of the node at path,
// kept up to date in memory. Load reads the latest value seen without a
// round trip; Changed says when it changes.
//
// Guarantees: Load never goes back in time (data last modified by an
// older transaction than the data held is ignored); every change the server
// makes is eventually seen, though several quick changes may be seen as
// one (the latest). A missing node reads as (nil, false).
//
// Failure behaviour: during a disconnection Load keeps returning the last
// value seen (it may be stale); go-zookeeper re-registers the watch on
// reconnect and changes made meanwhile are then seen. After a session
// expiry the watch is set again in the new session and the value re-read.
// The value is persistent, so it does not depend on any session.
type Value struct {
	s    *Session
	path string

	mu      sync.Mutex
	data    []byte
	exists  bool
	mzxid   int64 // of the data held; orders versions across delete and re-create
	changed chan struct{}
	stop    context.CancelFunc
	stopped chan struct{}
}

// WatchValue reads the value at path and keeps watching it until Stop or
// until the Session is closed.
func WatchValue(ctx context.Context, s *Session, path string) (*Value, error) {
	v := &Value{s: s, path: path, changed: make(chan struct{}), stopped: make(chan struct{})}
	ch, err := v.read(ctx)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	v.stop = cancel
	go v.watch(wctx, ch)
	return v, nil
}

// read fetches the node and sets a watch on it.
func (v *Value) read(ctx context.Context) (<-chan zk.Event, error) {
	var data []byte
	var st *zk.Stat
	var ch <-chan zk.Event
	exists := true
	err := v.s.retry(ctx, func() error {
		var err error
		data, st, ch, err = v.s.conn.GetW(v.path)
		if errors.Is(err, zk.ErrNoNode) {
			var ok bool
			ok, _, ch, err = v.s.conn.ExistsW(v.path)
			if err == nil && ok {
				return zk.ErrConnectionClosed // created meanwhile: read again
			}
			exists = false
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("recipes: watch value %s: %w", v.path, err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if exists {
		if v.exists && st.Mzxid <= v.mzxid {
			return ch, nil // unchanged, or older than what we have
		}
		v.mzxid = st.Mzxid
	} else if !v.exists {
		return ch, nil // still missing
	}
	v.data, v.exists = data, exists
	close(v.changed)
	v.changed = make(chan struct{})
	return ch, nil
}

func (v *Value) watch(ctx context.Context, ch <-chan zk.Event) {
	defer close(v.stopped)
	for {
		select {
		case <-ch:
		case <-ctx.Done():
			return
		case <-v.s.closed:
			return
		}
		var err error
		if ch, err = v.read(ctx); err != nil {
			return
		}
	}
}

// Load returns the latest value seen and whether the node exists.
func (v *Value) Load() ([]byte, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.data, v.exists
}

// Changed returns a channel that is closed when the value changes from
// what Load returns now. Call Load, then wait on Changed, then Load again.
// (Calling Changed before Load cannot miss a change.)
func (v *Value) Changed() <-chan struct{} {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.changed
}

// Stop stops watching; Load keeps returning the last value seen.
func (v *Value) Stop() {
	v.stop()
	<-v.stopped
}

// SetValue stores data at path, creating the node (and its parents) when
// missing. It retries over connection loss, so two attempts may both
// apply; the last data written wins either way.
func SetValue(ctx context.Context, s *Session, path string, data []byte) error {
	err := s.retry(ctx, func() error {
		_, err := s.conn.Set(path, data, -1)
		if !errors.Is(err, zk.ErrNoNode) {
			return err
		}
		if err := s.ensurePath(ctx, parent(path)); err != nil {
			return err
		}
		_, err = s.conn.Create(path, data, 0, zk.WorldACL(zk.PermAll))
		if errors.Is(err, zk.ErrNodeExists) {
			return zk.ErrConnectionClosed // created meanwhile: set again
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("recipes: set value %s: %w", path, err)
	}
	return nil
}
