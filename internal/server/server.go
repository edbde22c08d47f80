package server

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/synod-dev/synod/internal/session"
	"github.com/synod-dev/synod/internal/tree"
	"github.com/synod-dev/synod/internal/watch"
	"github.com/synod-dev/synod/internal/wire"
)

// Options configure a server. The zero value of each field means the
// default documented on it.
type Options struct {
	// Addr is the client address, host:port. Default 127.0.0.1:2181.
	Addr string
	// DataDir and DataLogDir are reported by conf and dirs.
	DataDir, DataLogDir string
	// TickTime is the session bucket width. Default 2 s.
	TickTime time.Duration
	// MinSessionTimeout and MaxSessionTimeout bound negotiated timeouts.
	// Defaults 2 and 20 ticks.
	MinSessionTimeout, MaxSessionTimeout time.Duration
	// MaxClientCnxns limits connections per client IP; 0 is unlimited.
	MaxClientCnxns int
	// FourLetterWhitelist lists the enabled four-letter words; "*" enables
	// all. Empty means ZooKeeper's default, srvr only.
	FourLetterWhitelist []string
	// ExtendedTypes enables TTL nodes.
	ExtendedTypes bool
	// SkipACL turns off ACL checks.
	SkipACL bool
	// ContainerCheckInterval is how often empty containers and expired TTL
	// nodes are deleted. Default 60 s.
	ContainerCheckInterval time.Duration
	// SuperDigest is "super:<base64 sha1>"; a client whose digest auth
	// matches it gets the super identity. Empty means none.
	SuperDigest string
	// ReconfigEnabled mirrors zoo.cfg reconfigEnabled: reconfig answers
	// ZUnimplemented (standalone) when set, ZReconfigDisabled when not.
	ReconfigEnabled bool
	// ServerID goes in the top byte of session ids (myid).
	ServerID int64
	// MaxFrame is the largest request frame (jute.maxbuffer). Default
	// wire.MaxBuffer.
	MaxFrame int
	// GlobalOutstandingLimit mirrors zoo.cfg globalOutstandingLimit: while
	// this many writes wait for the committer, the server stops reading
	// new requests from clients. Default 1000.
	GlobalOutstandingLimit int
	// MaxPendingReplyBytes bounds the reply bytes one connection may have
	// waiting for its client to read: above it the server stops reading
	// that client's requests until the client reads. Default 16 MiB.
	MaxPendingReplyBytes int
	// Storage makes writes durable. Default MemoryStorage.
	Storage Storage
	// Logger receives the server's logs. Default slog.Default().
	Logger *slog.Logger
	// Conf lists key=value lines for the conf four-letter word, in order.
	Conf [][2]string
	// SessionKey keys session passwords (HMAC). Servers that must accept
	// each other's sessions, or a restarted server that must accept the
	// sessions it recovered, need the same key. Empty means a random key
	// per process.
	SessionKey []byte
}

func (o *Options) setDefaults() {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:2181"
	}
	if o.TickTime <= 0 {
		o.TickTime = 2 * time.Second
	}
	if o.MinSessionTimeout <= 0 {
		o.MinSessionTimeout = 2 * o.TickTime
	}
	if o.MaxSessionTimeout <= 0 {
		o.MaxSessionTimeout = 20 * o.TickTime
	}
	if len(o.FourLetterWhitelist) == 0 {
		o.FourLetterWhitelist = []string{"srvr"}
	}
	if o.ContainerCheckInterval <= 0 {
		o.ContainerCheckInterval = time.Minute
	}
	if o.MaxFrame <= 0 {
		o.MaxFrame = wire.MaxBuffer
	}
	if o.GlobalOutstandingLimit <= 0 {
		o.GlobalOutstandingLimit = 1000
	}
	if o.MaxPendingReplyBytes <= 0 {
		o.MaxPendingReplyBytes = 16 << 20
	}
	if o.Storage == nil {
		o.Storage = MemoryStorage{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Server is a standalone node.
type Server struct {
	opts  Options
	log   *slog.Logger
	start time.Time

	// mu guards tree: reads under RLock, Apply under Lock. Lock order:
	// mu, then a conn's mu, then the registry's or session table's own.
	mu   sync.RWMutex
	tree *tree.Tree

	sessions *session.Table
	watches  *watch.Registry[*conn]

	commitCh chan *request
	stopped  chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup

	lnMu sync.Mutex
	ln   net.Listener

	connsMu   sync.Mutex
	conns     map[*conn]struct{}
	bySession map[int64]*conn
	perIP     map[string]int
	nextConn  uint64

	stats serverStats

	whitelist map[string]bool
	superID   string // the id part of the super digest, "" if none
}

// serverStats are the counters srvr, stat and mntr report.
type serverStats struct {
	received, sent   atomic.Int64
	outstanding      atomic.Int64
	latMu            sync.Mutex
	latMin, latMax   int64
	latSum, latCount int64
	authFailed       atomic.Int64
	// storageFailed is set when a log append failed and the committer
	// refuses writes (pipeline.go); srvr and mntr then report read-only.
	storageFailed atomic.Bool
}

func (st *serverStats) record(ms int64) {
	st.latMu.Lock()
	if st.latCount == 0 || ms < st.latMin {
		st.latMin = ms
	}
	if ms > st.latMax {
		st.latMax = ms
	}
	st.latSum += ms
	st.latCount++
	st.latMu.Unlock()
}

func (st *serverStats) reset() {
	st.received.Store(0)
	st.sent.Store(0)
	st.latMu.Lock()
	st.latMin, st.latMax, st.latSum, st.latCount = 0, 0, 0, 0
	st.latMu.Unlock()
}

// New builds a server and loads its state from opts.Storage. Call Serve or
// ListenAndServe to run it.
func New(opts Options) (*Server, error) {
	opts.setDefaults()
	t, err := opts.Storage.Load(tree.Options{ExtendedTypes: opts.ExtendedTypes, SkipACL: opts.SkipACL})
	if err != nil {
		return nil, fmt.Errorf("server: load storage: %w", err)
	}
	key := opts.SessionKey
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("server: session key: %w", err)
		}
	}
	s := &Server{
		opts:      opts,
		log:       opts.Logger,
		start:     time.Now(),
		tree:      t,
		watches:   watch.New[*conn](),
		commitCh:  make(chan *request, 4096),
		stopped:   make(chan struct{}),
		conns:     make(map[*conn]struct{}),
		bySession: make(map[int64]*conn),
		perIP:     make(map[string]int),
		whitelist: map[string]bool{},
	}
	s.sessions = session.New(opts.TickTime.Milliseconds(), opts.ServerID, time.Now().UnixMilli(), key)
	for id, to := range t.Sessions() {
		s.sessions.Add(id, int64(to), s.nowMs())
	}
	for _, w := range opts.FourLetterWhitelist {
		s.whitelist[w] = true
	}
	if d := opts.SuperDigest; d != "" {
		s.superID = d
	}
	return s, nil
}

// nowMs is the monotonic clock the session table runs on.
func (s *Server) nowMs() int64 { return time.Since(s.start).Milliseconds() }

// ListenAndServe listens on opts.Addr and serves until Close.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("server: listen %s: %w", s.opts.Addr, err)
	}
	return s.Serve(ln)
}

// Addr is the listening address once serving, or nil.
func (s *Server) Addr() net.Addr {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Listen binds opts.Addr and returns the listener, for callers that want to
// know the port before Serve.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("server: listen %s: %w", s.opts.Addr, err)
	}
	s.lnMu.Lock()
	s.ln = ln
	s.lnMu.Unlock()
	return ln, nil
}

// Serve accepts connections on ln until Close. It returns nil after Close.
func (s *Server) Serve(ln net.Listener) error {
	s.lnMu.Lock()
	s.ln = ln
	s.lnMu.Unlock()
	s.log.Info("serving", "addr", ln.Addr().String(), "tickTime", s.opts.TickTime,
		"minSessionTimeout", s.opts.MinSessionTimeout, "maxSessionTimeout", s.opts.MaxSessionTimeout)
	s.wg.Add(3)
	go s.committer()
	go s.sessionTicker()
	go s.containerTicker()
	for {
		nc, err := ln.Accept()
		if err != nil {
			select {
			case <-s.stopped:
				return nil
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("server: accept: %w", err)
		}
		s.accept(nc)
	}
}

// Close stops accepting, closes every connection and the storage. Sessions
// are not closed: they survive in storage as in ZooKeeper.
func (s *Server) Close() error {
	s.stopOnce.Do(func() {
		close(s.stopped)
		s.lnMu.Lock()
		if s.ln != nil {
			s.ln.Close()
		}
		s.lnMu.Unlock()
		s.connsMu.Lock()
		cs := make([]*conn, 0, len(s.conns))
		for c := range s.conns {
			cs = append(cs, c)
		}
		s.connsMu.Unlock()
		for _, c := range cs {
			c.close("server shutting down")
		}
		s.wg.Wait()
	})
	return s.opts.Storage.Close()
}

func (s *Server) accept(nc net.Conn) {
	ip := remoteIP(nc)
	s.connsMu.Lock()
	if max := s.opts.MaxClientCnxns; max > 0 && s.perIP[ip] >= max {
		s.connsMu.Unlock()
		s.log.Warn(fmt.Sprintf("Too many connections from /%s - max is %d", ip, max))
		nc.Close()
		return
	}
	s.perIP[ip]++
	s.nextConn++
	c := newConn(s, nc, ip, s.nextConn)
	s.conns[c] = struct{}{}
	s.connsMu.Unlock()
	go c.writeLoop()
	go c.readLoop()
}

func remoteIP(nc net.Conn) string {
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, err := net.SplitHostPort(nc.RemoteAddr().String())
	if err != nil {
		return nc.RemoteAddr().String()
	}
	return host
}

// forget removes a closed connection from the server's tables.
func (s *Server) forget(c *conn) {
	s.connsMu.Lock()
	if _, ok := s.conns[c]; ok {
		delete(s.conns, c)
		if s.perIP[c.ip]--; s.perIP[c.ip] <= 0 {
			delete(s.perIP, c.ip)
		}
	}
	if sid := c.sessionID(); sid != 0 && s.bySession[sid] == c {
		delete(s.bySession, sid)
	}
	s.connsMu.Unlock()
	s.watches.RemoveAll(c)
}

// attach makes c the connection of session sid, closing any other.
func (s *Server) attach(c *conn, sid int64) {
	s.connsMu.Lock()
	old := s.bySession[sid]
	s.bySession[sid] = c
	s.connsMu.Unlock()
	if old != nil && old != c {
		old.close(fmt.Sprintf("session 0x%x moved to another connection", sid))
	}
}

func (s *Server) connOf(sid int64) *conn {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	return s.bySession[sid]
}

func (s *Server) connList() []*conn {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// sessionTicker expires sessions once per tick.
func (s *Server) sessionTicker() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.TickTime)
	defer t.Stop()
	for {
		select {
		case <-s.stopped:
			return
		case <-t.C:
		}
		for _, sid := range s.sessions.Expire(s.nowMs()) {
			s.log.Info(fmt.Sprintf("Expiring session 0x%x, timeout of %dms exceeded", sid, s.sessions.Timeout(sid)))
			s.submit(&request{op: wire.OpCloseSession, write: true, sid: sid,
				txn: tree.Txn{Session: sid, Op: wire.OpCloseSession}, expire: true})
		}
	}
}

// containerTicker deletes empty containers and expired TTL nodes.
func (s *Server) containerTicker() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.ContainerCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stopped:
			return
		case <-t.C:
		}
		s.mu.RLock()
		paths := s.tree.CleanupCandidates(time.Now().UnixMilli())
		s.mu.RUnlock()
		for _, p := range paths {
			s.submit(&request{op: wire.OpDeleteContainer, write: true,
				txn: tree.Txn{Op: wire.OpDeleteContainer, Auth: []wire.Id{{Scheme: "super"}},
					Req: &wire.DeleteContainerRequest{Path: []byte(p)}}})
		}
	}
}

// submit hands a write to the committer unless the server is stopping.
func (s *Server) submit(r *request) bool {
	select {
	case s.commitCh <- r:
		return true
	case <-s.stopped:
		return false
	}
}

// logf is a helper for formatted info logs.
func (s *Server) logf(format string, args ...any) {
	s.log.Info(fmt.Sprintf(format, args...))
}
