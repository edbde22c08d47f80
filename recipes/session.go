package recipes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/go-zookeeper/zk"
)

// Errors reported by the recipes. Holders learn why they lost something
// through Err methods that return one of these (possibly wrapped).
var (
	// ErrSessionExpired means the ZooKeeper session that owned an
	// ephemeral node (a lock, a lease, a membership, a leadership) has
	// expired; the server has deleted the node and others may now hold
	// what the holder held.
	ErrSessionExpired = errors.New("recipes: session expired")
	// ErrNodeDeleted means the node that represented a holding was
	// deleted by someone else (an operator, a cleanup job) while the
	// session was alive.
	ErrNodeDeleted = errors.New("recipes: node deleted")
	// ErrClosed means the Session was closed.
	ErrClosed = errors.New("recipes: session closed")
	// ErrReleased means the holder released what it held.
	ErrReleased = errors.New("recipes: released")
	// ErrNotAcquired is returned by the Try forms when the resource is
	// held by someone else.
	ErrNotAcquired = errors.New("recipes: not acquired")
)

// Option adjusts the *zk.Conn that Connect creates; the zk.With...
// functions (zk.WithLogger, zk.WithDialer, ...) are Options. Do not pass
// zk.WithEventCallback: Session installs its own callback to follow the
// session, and a second one would replace it.
type Option = func(*zk.Conn)

// Session wraps a *zk.Conn and follows its session: it knows when the
// connection drops and comes back (the session, its ephemeral nodes and its
// watches survive) and when the session expires (the server has deleted
// the session's ephemeral nodes). Every recipe is built on a Session.
//
// go-zookeeper opens a new session by itself after an expiry; Session calls
// each session an epoch. Whatever a recipe acquired in one epoch is
// reported lost (Done closes, Err is ErrSessionExpired) when that epoch
// ends, and nothing is carried into the next one.
//
// While disconnected, a holder cannot know whether its session is still
// alive. Session ends the epoch (ErrSessionExpired) as soon as it knows
// the session expired (the server says so on reconnect) or must presume
// so: the connection has stayed down for a whole session timeout, after
// which the server has expired it (this uses the timeout asked for at
// Connect; if the server negotiated a longer one, this is early, which is
// safe; if a shorter one, late). Should the server
// turn out to have kept the session, Session deletes the ephemeral nodes
// the old epoch created before it opens a new epoch on that session, so
// nothing the holders were told they lost lingers. Callers that must stop
// work as soon as safety is in doubt should also watch Disconnected.
//
// A Session is safe for concurrent use.
type Session struct {
	conn    *zk.Conn
	timeout time.Duration

	mu        sync.Mutex
	cur       *epoch        // current epoch, nil before the first session and after an expiry
	presume   *time.Timer   // ends cur if the connection stays down for the session timeout
	cleaning  bool          // a cleanup of a presumed-expired epoch is under way
	up        chan struct{} // closed while connected with a session
	down      chan struct{} // closed while disconnected
	closed    chan struct{}
	closeOnce sync.Once
}

// epoch is one ZooKeeper session as seen by the client.
type epoch struct {
	id   int64
	done chan struct{}
	once sync.Once
	err  error

	mu    sync.Mutex
	nodes []string // ephemeral nodes created in this epoch, for cleanup
}

// track records an ephemeral node created in the epoch.
func (e *epoch) track(path string) {
	e.mu.Lock()
	e.nodes = append(e.nodes, path)
	e.mu.Unlock()
}

func (e *epoch) ended() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

func (e *epoch) end(err error) {
	e.once.Do(func() {
		e.err = err
		close(e.done)
	})
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// Connect dials servers with the given session timeout and waits until a
// session is established or ctx ends. go-zookeeper's logging is off unless
// an Option (zk.WithLogger) turns it on.
func Connect(ctx context.Context, servers []string, sessionTimeout time.Duration, opts ...Option) (*Session, error) {
	s := &Session{
		timeout: sessionTimeout,
		up:      make(chan struct{}),
		down:    make(chan struct{}),
		closed:  make(chan struct{}),
	}
	close(s.down)
	all := append([]Option{zk.WithLogger(discardLogger{}), zk.WithEventCallback(s.onEvent)}, opts...)
	apply := func(c *zk.Conn) {
		s.conn = c // before go-zookeeper's goroutines start, so onEvent sees it
		for _, o := range all {
			o(c)
		}
	}
	conn, events, err := zk.Connect(servers, sessionTimeout, apply)
	if err != nil {
		return nil, fmt.Errorf("recipes: connect %v: %w", servers, err)
	}
	// Events are also delivered through the callback; drain the channel
	// so go-zookeeper never blocks on it.
	go func() {
		for range events {
		}
	}()
	if err := s.WaitConnected(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("recipes: connect %v: %w", servers, err)
	}
	return s, nil
}

// onEvent runs on go-zookeeper's goroutines and must not block.
func (s *Session) onEvent(ev zk.Event) {
	if ev.Type != zk.EventSession {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ev.State {
	case zk.StateHasSession:
		if s.presume != nil {
			s.presume.Stop()
			s.presume = nil
		}
		id := s.conn.SessionID()
		if s.cur != nil && s.cur.id != id {
			// The expiry event itself may have been missed; a new id
			// is proof the old session is gone.
			s.cur.end(ErrSessionExpired)
			s.cur = nil
		}
		if s.cur != nil && s.cur.ended() {
			// We presumed the session expired and told the holders, but
			// the server kept it: delete what the old epoch created
			// before anyone uses the session again.
			old := s.cur
			s.cur = nil
			s.cleaning = true
			go s.cleanup(old)
		} else if s.cur == nil && !s.cleaning {
			s.cur = &epoch{id: id, done: make(chan struct{})}
		}
		select {
		case <-s.up:
		default:
			close(s.up)
			s.down = make(chan struct{})
		}
	case zk.StateExpired:
		if s.cur != nil {
			s.cur.end(ErrSessionExpired)
			s.cur = nil
		}
		s.markDown()
	case zk.StateDisconnected, zk.StateConnecting:
		s.markDown()
		if s.presume == nil && s.cur != nil && !s.cur.ended() {
			e := s.cur
			s.presume = time.AfterFunc(s.timeout, func() { s.presumeExpired(e) })
		}
	}
}

// presumeExpired ends epoch e when the connection has been down for a
// whole session timeout: by then the server has expired the session
// (unless it negotiated a longer timeout), so holders must be told now,
// not whenever the network comes back.
func (s *Session) presumeExpired(e *epoch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != e {
		return
	}
	select {
	case <-s.up:
		return // reconnected meanwhile
	default:
	}
	e.end(ErrSessionExpired)
}

// cleanup deletes the ephemeral nodes of an epoch that was presumed
// expired while the server kept the session, then opens a new epoch on
// the same session.
func (s *Session) cleanup(old *epoch) {
	old.mu.Lock()
	nodes := old.nodes
	old.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	for _, p := range nodes {
		for {
			err := s.conn.Delete(p, -1)
			if err == nil || errors.Is(err, zk.ErrNoNode) || !retryable(err) {
				break
			}
			if s.WaitConnected(ctx) != nil {
				s.mu.Lock()
				s.cleaning = false
				s.mu.Unlock()
				return
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleaning = false
	select {
	case <-s.up:
		if s.cur == nil {
			s.cur = &epoch{id: s.conn.SessionID(), done: make(chan struct{})}
		}
	default: // the next StateHasSession opens the epoch
	}
}

func (s *Session) markDown() {
	select {
	case <-s.down:
	default:
		close(s.down)
		s.up = make(chan struct{})
	}
}

// Conn is the underlying connection, for operations the recipes do not
// cover. Do not Close it; Close the Session.
func (s *Session) Conn() *zk.Conn { return s.conn }

// Timeout is the session timeout asked for at Connect.
func (s *Session) Timeout() time.Duration { return s.timeout }

// Close ends the session: the server deletes its ephemeral nodes at once,
// and everything held through it is reported lost with ErrClosed.
func (s *Session) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.conn.Close()
		s.mu.Lock()
		if s.cur != nil {
			s.cur.end(ErrClosed)
			s.cur = nil
		}
		s.mu.Unlock()
	})
}

// Connected returns a channel that is closed while the session is
// connected; a new channel is returned after each disconnection.
func (s *Session) Connected() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.up
}

// Disconnected returns a channel that is closed while the connection is
// down (the session may or may not still be alive on the server).
func (s *Session) Disconnected() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

// WaitConnected blocks until the session is connected, ctx ends or the
// Session is closed.
func (s *Session) WaitConnected(ctx context.Context) error {
	for {
		up := s.Connected()
		select {
		case <-up:
			return nil
		case <-s.closed:
			return ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// current returns the current epoch, waiting for a session if there is
// none yet.
func (s *Session) current(ctx context.Context) (*epoch, error) {
	for {
		s.mu.Lock()
		e, up := s.cur, s.up
		s.mu.Unlock()
		if e != nil && !e.ended() {
			return e, nil
		}
		select {
		case <-up:
			if e != nil {
				time.Sleep(20 * time.Millisecond) // a cleanup is under way
			}
		case <-s.closed:
			return nil, ErrClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// retryable reports whether err means "the connection failed: the
// request may or may not have reached the server; find out or try again
// once reconnected". Besides its own errors, go-zookeeper returns the raw
// network error when writing a request fails (a partial write may have
// reached the server).
func retryable(err error) bool {
	var ne net.Error
	return errors.Is(err, zk.ErrConnectionClosed) || errors.Is(err, zk.ErrNoServer) ||
		errors.Is(err, zk.ErrSessionMoved) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.As(err, &ne)
}

// retryableOrExpired adds session expiry, after which go-zookeeper opens
// a new session, to retryable: right for operations that do not depend
// on the session (reads, persistent nodes, deletes).
func retryableOrExpired(err error) bool {
	return retryable(err) || errors.Is(err, zk.ErrSessionExpired)
}

// pause waits for reconnection after a retryable error.
func (s *Session) pause(ctx context.Context) error {
	select {
	case <-s.closed:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(20 * time.Millisecond):
	}
	if err := s.WaitConnected(ctx); err != nil {
		return err
	}
	_, err := s.current(ctx)
	return err
}

// retry runs an idempotent operation until it succeeds, fails with a
// non-connection error, or ctx ends.
func (s *Session) retry(ctx context.Context, op func() error) error {
	for {
		err := op()
		if err == nil || !retryableOrExpired(err) {
			return err
		}
		if perr := s.pause(ctx); perr != nil {
			return fmt.Errorf("%w (after %v)", perr, err)
		}
	}
}

// ensurePath creates path and its missing parents as persistent nodes.
func (s *Session) ensurePath(ctx context.Context, path string) error {
	if path == "/" || path == "" {
		return nil
	}
	err := s.retry(ctx, func() error {
		ok, _, err := s.conn.Exists(path)
		if err == nil && ok {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.ensurePath(ctx, parent(path)); err != nil {
			return err
		}
		_, err = s.conn.Create(path, nil, 0, zk.WorldACL(zk.PermAll))
		if errors.Is(err, zk.ErrNodeExists) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("recipes: create %s: %w", path, err)
	}
	return nil
}

func parent(path string) string {
	for i := len(path) - 1; i > 0; i-- {
		if path[i] == '/' {
			return path[:i]
		}
	}
	return "/"
}

func join(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

func newGUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// protectedPrefix marks a node created with createProtected, as Curator
// does: _c_<guid>-<name>.
const protectedPrefix = "_c_"

// createProtected creates dir/_c_<guid>-<name> with flags (which include
// FlagSequence). When the reply is lost with the connection, it looks for
// a child carrying its GUID before trying again, so the node is created
// exactly once. It returns the epoch the node belongs to when ephemeral.
func (s *Session) createProtected(ctx context.Context, dir, name string, data []byte, flags int32) (string, *epoch, error) {
	guid := newGUID()
	prefix := protectedPrefix + guid + "-"
	path := join(dir, prefix+name)
	for {
		e, err := s.current(ctx)
		if err != nil {
			return "", nil, fmt.Errorf("recipes: create in %s: %w", dir, err)
		}
		got, err := s.conn.Create(path, data, flags, zk.WorldACL(zk.PermAll))
		switch {
		case err == nil:
			if flags&zk.FlagEphemeral != 0 {
				e.track(got)
			}
			return got, e, nil
		case errors.Is(err, zk.ErrNoNode):
			if err := s.ensurePath(ctx, dir); err != nil {
				return "", nil, err
			}
			continue
		case errors.Is(err, zk.ErrSessionExpired):
			continue // an ephemeral node cannot have survived; the next epoch retries
		case !retryable(err):
			return "", nil, fmt.Errorf("recipes: create %s: %w", path, err)
		}
		if err := s.pause(ctx); err != nil {
			return "", nil, fmt.Errorf("recipes: create %s: %w", path, err)
		}
		e2, err := s.current(ctx)
		if err != nil {
			return "", nil, fmt.Errorf("recipes: create %s: %w", path, err)
		}
		if flags&zk.FlagEphemeral != 0 && e2 != e {
			continue // session expired meanwhile: an ephemeral node is gone
		}
		var children []string
		err = s.retry(ctx, func() error {
			var err error
			children, _, err = s.conn.Children(dir)
			return err
		})
		if err != nil && !errors.Is(err, zk.ErrNoNode) {
			return "", nil, fmt.Errorf("recipes: recover create in %s: %w", dir, err)
		}
		for _, c := range children {
			if len(c) > len(prefix) && c[:len(prefix)] == prefix {
				if flags&zk.FlagEphemeral != 0 {
					e2.track(join(dir, c))
				}
				return join(dir, c), e2, nil
			}
		}
	}
}

// deleteNode deletes path, retrying over connection loss. A node that is
// already gone is not an error.
func (s *Session) deleteNode(ctx context.Context, path string) error {
	err := s.retry(ctx, func() error {
		err := s.conn.Delete(path, -1)
		if errors.Is(err, zk.ErrNoNode) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("recipes: delete %s: %w", path, err)
	}
	return nil
}

// deleteEventually deletes an ephemeral node of epoch e in the background
// when the caller cannot wait (its context has ended). It gives up when
// the epoch ends, since the server then deletes the node itself.
func (s *Session) deleteEventually(path string, e *epoch) {
	go func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-e.done:
			case <-s.closed:
			case <-ctx.Done():
			}
			cancel()
		}()
		_ = s.deleteNode(ctx, path)
	}()
}
