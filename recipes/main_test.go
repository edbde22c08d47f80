package recipes

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/zkenv"
)

// One server of each kind serves the whole package; tests use unique
// root paths. tickTime 500 ms lets sessions time out after 1 s, so expiry
// tests take seconds.
var servers = map[zkenv.Kind]*zkenv.Server{}

const (
	testTickTime = 500
	// sessionTimeout for ordinary test sessions: long enough that a
	// loaded 2-core machine does not expire them by accident.
	sessionTimeout = 6 * time.Second
	// expiryTimeout for sessions a test expires on purpose.
	expiryTimeout = 2 * time.Second
)

func TestMain(m *testing.M) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	var dirs []string
	for _, kind := range zkenv.Kinds {
		if kind == zkenv.ZooKeeper && os.Getenv("SYNOD_SKIP_ZK") == "1" {
			continue
		}
		dir, err := os.MkdirTemp("", "recipes-"+string(kind)+"-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		dirs = append(dirs, dir)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := zkenv.Start(context.Background(), kind, zkenv.Options{DataDir: dir, TickTime: testTickTime})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = append(failed, fmt.Sprintf("start %s: %v", kind, err))
				return
			}
			servers[kind] = s
		}()
	}
	wg.Wait()
	code := 1
	if len(failed) == 0 {
		code = m.Run()
	} else {
		fmt.Fprintln(os.Stderr, strings.Join(failed, "\n"))
	}
	for _, s := range servers {
		s.Kill()
	}
	for _, d := range dirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// forEachKind runs f against each server, as subtests named after the kind.
func forEachKind(t *testing.T, f func(t *testing.T, addr string)) {
	t.Helper()
	for _, kind := range zkenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			s := servers[kind]
			if s == nil {
				t.Skipf("%s not running (SYNOD_SKIP_ZK=1?)", kind)
			}
			f(t, s.Addr)
		})
	}
}

var rootSeq atomic.Int64

// testRoot is a path no other test uses.
func testRoot(t *testing.T) string {
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	return fmt.Sprintf("/recipes-test/%s-%d", name, rootSeq.Add(1))
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// connect opens a Session for the test and closes it at cleanup.
func connect(t *testing.T, addr string, timeout time.Duration) *Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	s, err := Connect(ctx, []string{addr}, timeout)
	if err != nil {
		t.Fatalf("connect %s: %v", addr, err)
	}
	t.Cleanup(s.Close)
	return s
}

// sessions opens n Sessions.
func sessions(t *testing.T, addr string, n int) []*Session {
	out := make([]*Session, n)
	for i := range out {
		out[i] = connect(t, addr, sessionTimeout)
	}
	return out
}

// waitChildren waits until dir has n children.
func waitChildren(t *testing.T, s *Session, dir string, n int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, _, err := s.Conn().Children(dir)
		if err == nil && len(c) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: want %d children, have %v (err %v)", dir, n, c, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitClosed fails the test unless ch closes within d.
func waitClosed(t *testing.T, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("%s: not within %v", what, d)
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// proxy is a real TCP proxy between a client and a server, used to drop
// connections (Cut), to keep a client away from the server for longer than
// its session timeout (Pause, so that the server expires the session, or
// PauseKeepAlive, so that it does not), and to lose the reply to a request
// (LoseReplyTo).
type proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	pairs  []*pipe
	paused bool
	loseOp int32 // opcode whose reply to lose; 0 for none
	lost   atomic.Int64
}

// pipe is one proxied connection.
type pipe struct {
	client, server net.Conn
	held           atomic.Bool // client side gone, server side kept alive by our pings
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, x := range p.pairs {
			x.client.Close()
			x.server.Close()
		}
	})
	go p.serve()
	return p
}

func (p *proxy) Addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		paused := p.paused
		p.mu.Unlock()
		if paused {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		x := &pipe{client: c, server: s}
		p.mu.Lock()
		p.pairs = append(p.pairs, x)
		p.mu.Unlock()
		var mute atomic.Bool // server->client bytes are dropped once set
		go func() {
			buf := make([]byte, 64<<10)
			for {
				n, err := s.Read(buf)
				if n > 0 && !mute.Load() && !x.held.Load() {
					if _, werr := c.Write(buf[:n]); werr != nil && !x.held.Load() {
						break
					}
				}
				if err != nil {
					break
				}
			}
			c.Close()
		}()
		go func() {
			buf := make([]byte, 64<<10)
			for {
				n, err := c.Read(buf)
				if n > 0 && !x.held.Load() {
					p.mu.Lock()
					lose := p.loseOp != 0 && n >= 12 && int32(binary.BigEndian.Uint32(buf[8:12])) == p.loseOp
					if lose {
						p.loseOp = 0
						p.lost.Add(1)
					}
					p.mu.Unlock()
					if lose {
						mute.Store(true)
					}
					if _, werr := s.Write(buf[:n]); werr != nil {
						break
					}
					if lose {
						time.Sleep(200 * time.Millisecond) // let the server apply it
						break
					}
				}
				if err != nil {
					break
				}
			}
			if !x.held.Load() {
				s.Close()
			}
			c.Close()
		}()
	}
}

// Cut closes every proxied connection; clients reconnect at once.
func (p *proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, x := range p.pairs {
		if !x.held.Load() {
			x.client.Close()
			x.server.Close()
		}
	}
}

// Pause cuts every connection and refuses new ones until Resume.
func (p *proxy) Pause() {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
	p.Cut()
}

// PauseKeepAlive is Pause, except that the server side of each
// connection stays open and the proxy pings the server on it, so the
// server keeps the session alive while the client cannot reach it (as when
// a client is partitioned from a server that still hears a stale
// connection). The server drops the held connection when the client
// reattaches the session on a new one.
func (p *proxy) PauseKeepAlive() {
	p.mu.Lock()
	p.paused = true
	for _, x := range p.pairs {
		if x.held.Swap(true) {
			continue
		}
		x.client.Close()
		go func() {
			ping := binary.BigEndian.AppendUint32(nil, 8)
			ping = binary.BigEndian.AppendUint32(ping, uint32(0xfffffffe)) // xid -2
			ping = binary.BigEndian.AppendUint32(ping, 11)                 // opPing
			for {
				time.Sleep(200 * time.Millisecond)
				if _, err := x.server.Write(ping); err != nil {
					return
				}
			}
		}()
	}
	p.mu.Unlock()
}

func (p *proxy) Resume() {
	p.mu.Lock()
	p.paused = false
	p.mu.Unlock()
}

// Lost is how many replies LoseReplyTo has dropped.
func (p *proxy) Lost() int64 { return p.lost.Load() }

// Request opcodes of the ZooKeeper protocol, for LoseReplyTo.
const (
	opCreate = 1
	opMulti  = 14
)

// LoseReplyTo forwards the client's next request with opcode op to the
// server, drops the reply and closes the connection: the client sees a
// connection loss for a request the server did apply. (It looks for the
// opcode at the start of a read, where a request's header is when the
// client writes one request at a time, as go-zookeeper does.)
func (p *proxy) LoseReplyTo(op int32) {
	p.mu.Lock()
	p.loseOp = op
	p.mu.Unlock()
}
