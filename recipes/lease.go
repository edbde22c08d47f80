package recipes

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/go-zookeeper/zk"
)

// Lease is something held through an ephemeral node: a lock, a read or
// write lock, a semaphore lease, a leadership. It is held until Release,
// or until it is lost: the session expires (Err is ErrSessionExpired), the
// node is deleted by someone else (ErrNodeDeleted) or the Session is closed
// (ErrClosed). Done closes at that moment, so work done under the lease
// can select on it, like a context.
//
// While the connection is down, Done stays open for up to one session
// timeout: the session may still be alive, and a reconnect within that
// time keeps the lease. After a session timeout without a connection, or
// as soon as the server reports the expiry, Done closes with
// ErrSessionExpired (see Session for what happens if the server had in
// fact kept the session). A holder that must never overlap with the next
// holder should also stop work when Session.Disconnected fires: the
// server may expire the session up to one session timeout after it last
// heard from the client, which can be before the client notices the
// disconnection.
type Lease struct {
	s    *Session
	path string
	e    *epoch

	done     chan struct{}
	released chan struct{}
	endOnce  sync.Once
	relOnce  sync.Once
	mu       sync.Mutex
	err      error
}

func newLease(s *Session, path string, e *epoch) *Lease {
	l := &Lease{s: s, path: path, e: e, done: make(chan struct{}), released: make(chan struct{})}
	go l.monitor()
	return l
}

// Path is the lease's node.
func (l *Lease) Path() string { return l.path }

// Done is closed when the lease is released or lost.
func (l *Lease) Done() <-chan struct{} { return l.done }

// Err is nil while the lease is held, and afterwards says why it ended:
// ErrReleased, ErrSessionExpired, ErrNodeDeleted or ErrClosed.
func (l *Lease) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

func (l *Lease) end(err error) {
	l.endOnce.Do(func() {
		l.mu.Lock()
		l.err = err
		l.mu.Unlock()
		close(l.done)
	})
}

// Release gives the lease up and deletes its node, retrying over
// connection loss until ctx ends; if ctx ends first, the node is deleted
// in the background (or by the server when the session ends). Releasing
// a lost or released lease does nothing.
func (l *Lease) Release(ctx context.Context) error {
	var err error
	l.relOnce.Do(func() {
		close(l.released)
		l.end(ErrReleased)
		if err = l.s.deleteNode(ctx, l.path); err != nil {
			l.s.deleteEventually(l.path, l.e)
		}
	})
	return err
}

// monitor watches the node and the epoch and ends the lease when either
// is gone.
func (l *Lease) monitor() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-l.e.done:
		case <-l.released:
		case <-l.s.closed:
		case <-ctx.Done():
		}
		cancel()
	}()
	for {
		ok, _, ch, err := l.s.conn.ExistsW(l.path)
		if err != nil {
			if retryableOrExpired(err) && l.s.pause(ctx) == nil {
				continue
			}
			l.stop()
			return
		}
		if !ok {
			l.lost(ErrNodeDeleted)
			return
		}
		select {
		case ev := <-ch:
			if ev.Type == zk.EventNodeDeleted {
				l.lost(ErrNodeDeleted)
				return
			}
		case <-ctx.Done():
			l.stop()
			return
		}
	}
}

// lost ends the lease with err, unless the session expired: go-zookeeper
// reports the expiry (ending the epoch) before it answers requests in the
// new session, so an ended epoch is the true reason a node is gone.
func (l *Lease) lost(err error) {
	select {
	case <-l.e.done:
		l.end(l.e.err)
	default:
		l.end(err)
	}
}

// stop ends the lease for whichever reason stopped the monitor.
func (l *Lease) stop() {
	select {
	case <-l.released:
		return
	default:
	}
	select {
	case <-l.e.done:
		l.end(l.e.err)
	default:
		l.end(ErrClosed)
	}
}

// seqOf is the sequence number a sequential node's name ends with.
func seqOf(name string) (int64, bool) {
	if len(name) < 10 {
		return 0, false
	}
	n, err := strconv.ParseInt(name[len(name)-10:], 10, 64)
	return n, err == nil
}

// kindOf is a sequential node's name without the protected prefix and the
// sequence number: "_c_<guid>-read-0000000003" is "read-".
func kindOf(name string) string {
	if len(name) >= 10 {
		name = name[:len(name)-10]
	}
	if strings.HasPrefix(name, protectedPrefix) && len(name) > len(protectedPrefix)+33 {
		name = name[len(protectedPrefix)+33:]
	}
	return name
}

// sortSeq keeps sequential children and sorts them by sequence number.
func sortSeq(children []string) []string {
	out := children[:0:0]
	for _, c := range children {
		if _, ok := seqOf(c); ok {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := seqOf(out[i])
		b, _ := seqOf(out[j])
		if a != b {
			return a < b
		}
		return out[i] < out[j]
	})
	return out
}

// waitFor says what a contender waits for: a node to be deleted (node),
// or any change to the children (children). The zero value means the
// contender holds.
type waitFor struct {
	node     string
	children bool
}

// blocker decides, from the sorted contenders and one's own index, what
// to wait for.
type blocker func(sorted []string, me int) waitFor

// acquireSeq is the shared acquire loop of the lock-like recipes: create a
// protected ephemeral sequential node, then wait for what blocks it until
// nothing does. With try, it gives up (deleting its node) instead of
// waiting.
func (s *Session) acquireSeq(ctx context.Context, dir, name string, data []byte, try bool, block blocker) (*Lease, error) {
	path, e, err := s.createProtected(ctx, dir, name, data, zk.FlagEphemeral|zk.FlagSequence)
	if err != nil {
		return nil, err
	}
	me := path[len(dir)+1:]
	if dir == "/" {
		me = path[1:]
	}
	giveUp := func(err error) (*Lease, error) {
		dctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		defer cancel()
		if derr := s.deleteNode(dctx, path); derr != nil {
			s.deleteEventually(path, e)
		}
		return nil, err
	}
	for {
		select {
		case <-e.done:
			// The session expired before we held: start again.
			path, e, err = s.createProtected(ctx, dir, name, data, zk.FlagEphemeral|zk.FlagSequence)
			if err != nil {
				return nil, err
			}
			me = path[len(dir)+1:]
			if dir == "/" {
				me = path[1:]
			}
			continue
		default:
		}
		var children []string
		err := s.retry(ctx, func() error {
			var err error
			children, _, err = s.conn.Children(dir)
			return err
		})
		if err != nil {
			return giveUp(fmt.Errorf("recipes: list %s: %w", dir, err))
		}
		sorted := sortSeq(children)
		idx := -1
		for i, c := range sorted {
			if c == me {
				idx = i
				break
			}
		}
		if idx < 0 {
			select {
			case <-e.done:
				continue // handled at the top of the loop
			default:
			}
			return nil, fmt.Errorf("recipes: acquire %s: %w", path, ErrNodeDeleted)
		}
		w := block(sorted, idx)
		if w == (waitFor{}) {
			return newLease(s, path, e), nil
		}
		if try {
			return giveUp(ErrNotAcquired)
		}
		var ch <-chan zk.Event
		err = s.retry(ctx, func() error {
			var err error
			var ok bool
			if w.children {
				// The watch is on the list ChildrenW returns, which may
				// already differ from the one we decided on.
				var now []string
				now, _, ch, err = s.conn.ChildrenW(dir)
				if err == nil && !slices.Equal(sortSeq(now), sorted) {
					ch = nil
				}
				return err
			}
			ok, _, ch, err = s.conn.ExistsW(join(dir, w.node))
			if err == nil && !ok {
				ch = nil
			}
			return err
		})
		if err != nil {
			return giveUp(fmt.Errorf("recipes: watch in %s: %w", dir, err))
		}
		if ch == nil {
			continue // what we waited for has already changed
		}
		select {
		case <-ch:
		case <-e.done:
		case <-s.closed:
			return nil, ErrClosed
		case <-ctx.Done():
			return giveUp(ctx.Err())
		}
	}
}
