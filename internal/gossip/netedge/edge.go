// Package netedge is the network edge of the gossip core: one UDP socket
// for messages that fit a datagram and a TCP listener on the same port for
// larger ones and for view queries. One goroutine owns the gossip.Node and
// serialises Tick, Receive and application calls.
//
// TCP framing: one request per connection. The first byte says what follows:
//
//	'G' u32 length, then one encoded gossip message (no reply)
//	'V' no body; the endpoint replies with its view as JSON and closes
package netedge

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/synod-dev/synod/internal/gossip"
)

// MaxDatagram is the largest message sent over UDP; larger ones go over
// TCP. 1400 bytes stays under a 1500-byte Ethernet MTU after IP/UDP headers.
const MaxDatagram = 1400

// Config configures an Endpoint.
type Config struct {
	// Gossip is the core config; its Name must be the bind address
	// ("host:port"), which peers use to reach this endpoint.
	Gossip gossip.Config
	// Generation must grow across restarts; zero means the start time in
	// milliseconds.
	Generation uint64
	// Logger receives drop reasons and membership events; nil discards.
	Logger *slog.Logger
}

// Endpoint is a running gossip endpoint.
type Endpoint struct {
	cfg   Config
	log   *slog.Logger
	node  *gossip.Node
	udp   *net.UDPConn
	tcp   *net.TCPListener
	start time.Time
	inbox chan []byte
	calls chan func()
	done  chan struct{}
	wg    sync.WaitGroup

	mu   sync.Mutex
	subs []func(gossip.Event)
}

// Start binds cfg.Gossip.Name over UDP and TCP and starts gossiping.
func Start(cfg Config) (*Endpoint, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Generation == 0 {
		cfg.Generation = uint64(time.Now().UnixMilli())
	}
	ua, err := net.ResolveUDPAddr("udp", cfg.Gossip.Name)
	if err != nil {
		return nil, fmt.Errorf("netedge: resolve %s: %w", cfg.Gossip.Name, err)
	}
	rng := rand.New(rand.NewPCG(cfg.Generation, uint64(ua.Port)))
	node, err := gossip.New(cfg.Gossip, cfg.Generation, rng, 0)
	if err != nil {
		return nil, fmt.Errorf("netedge: %w", err)
	}
	u, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("netedge: listen udp %s: %w", cfg.Gossip.Name, err)
	}
	t, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ua.IP, Port: ua.Port})
	if err != nil {
		u.Close()
		return nil, fmt.Errorf("netedge: listen tcp %s: %w", cfg.Gossip.Name, err)
	}
	e := &Endpoint{cfg: cfg, log: cfg.Logger, node: node, udp: u, tcp: t, start: time.Now(),
		inbox: make(chan []byte, 256), calls: make(chan func()), done: make(chan struct{})}
	e.wg.Add(3)
	go e.readUDP()
	go e.acceptTCP()
	go e.loop()
	return e, nil
}

// Addr is the endpoint's gossip address (its name).
func (e *Endpoint) Addr() string { return e.cfg.Gossip.Name }

// Subscribe registers fn for every membership event. fn runs on the
// endpoint's goroutine and must not block or call the Endpoint.
func (e *Endpoint) Subscribe(fn func(gossip.Event)) {
	e.mu.Lock()
	e.subs = append(e.subs, fn)
	e.mu.Unlock()
}

// do runs fn on the loop goroutine; it reports false after Close.
func (e *Endpoint) do(fn func()) bool {
	ch := make(chan struct{})
	select {
	case e.calls <- func() { fn(); close(ch) }:
		<-ch
		return true
	case <-e.done:
		return false
	}
}

// View returns the current view, this node first.
func (e *Endpoint) View() []gossip.Member {
	var v []gossip.Member
	e.do(func() { v = e.node.View() })
	return v
}

// Stats returns the node's counters.
func (e *Endpoint) Stats() gossip.Stats {
	var s gossip.Stats
	e.do(func() { s = e.node.Stats() })
	return s
}

// SetKey sets one of this node's application keys.
func (e *Endpoint) SetKey(key, value string) { e.do(func() { e.node.SetKey(key, value) }) }

// Leave announces a graceful leave, gossips for wait, then closes.
func (e *Endpoint) Leave(wait time.Duration) error {
	e.do(e.node.Leave)
	select {
	case <-time.After(wait):
	case <-e.done:
	}
	return e.Close()
}

// Close stops the endpoint without announcing anything.
func (e *Endpoint) Close() error {
	select {
	case <-e.done:
		return nil
	default:
	}
	close(e.done)
	err := errors.Join(e.udp.Close(), e.tcp.Close())
	e.wg.Wait()
	return err
}

func (e *Endpoint) now() time.Duration { return time.Since(e.start) }

func (e *Endpoint) loop() {
	defer e.wg.Done()
	// Tick four times per interval so convictions are noticed within a
	// quarter interval; the core gossips only once per interval.
	t := time.NewTicker(e.cfg.Gossip.Interval / 4)
	defer t.Stop()
	for {
		select {
		case <-e.done:
			return
		case <-t.C:
			e.node.Tick(e.now())
		case b := <-e.inbox:
			if err := e.node.Receive(e.now(), b); err != nil {
				e.log.Debug("gossip: dropped message", "err", err)
			}
		case fn := <-e.calls:
			fn()
		}
		e.flush()
	}
}

func (e *Endpoint) flush() {
	rd := e.node.Ready()
	if len(rd.Events) > 0 {
		e.mu.Lock()
		subs := e.subs
		e.mu.Unlock()
		for _, ev := range rd.Events {
			e.log.Info("gossip: member "+ev.Kind.String(), "member", ev.Member.Name, "generation", ev.Member.Generation)
			for _, fn := range subs {
				fn(ev)
			}
		}
	}
	for _, env := range rd.Messages {
		b, err := gossip.Encode(nil, env.Msg, e.cfg.Gossip.Key)
		if err != nil {
			e.log.Warn("gossip: encode", "err", err)
			continue
		}
		if len(b) <= MaxDatagram {
			ua, err := net.ResolveUDPAddr("udp", env.To)
			if err == nil {
				_, err = e.udp.WriteToUDP(b, ua)
			}
			if err != nil {
				e.log.Debug("gossip: udp send", "to", env.To, "err", err)
			}
			continue
		}
		e.wg.Add(1)
		go e.sendTCP(env.To, b)
	}
}

func (e *Endpoint) sendTCP(to string, b []byte) {
	defer e.wg.Done()
	c, err := net.DialTimeout("tcp", to, e.cfg.Gossip.Interval)
	if err != nil {
		e.log.Debug("gossip: tcp dial", "to", to, "err", err)
		return
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * e.cfg.Gossip.Interval))
	hdr := []byte{'G', 0, 0, 0, 0}
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(b)))
	if _, err := c.Write(append(hdr, b...)); err != nil {
		e.log.Debug("gossip: tcp send", "to", to, "err", err)
	}
}

func (e *Endpoint) deliver(b []byte) {
	select {
	case e.inbox <- b:
	case <-e.done:
	default:
		e.log.Debug("gossip: inbox full, dropping message")
	}
}

func (e *Endpoint) readUDP() {
	defer e.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, _, err := e.udp.ReadFromUDP(buf)
		if err != nil {
			select {
			case <-e.done:
				return
			default:
				e.log.Debug("gossip: udp read", "err", err)
				continue
			}
		}
		e.deliver(append([]byte(nil), buf[:n]...))
	}
}

func (e *Endpoint) acceptTCP() {
	defer e.wg.Done()
	for {
		c, err := e.tcp.Accept()
		if err != nil {
			select {
			case <-e.done:
				return
			default:
				time.Sleep(10 * time.Millisecond)
				continue
			}
		}
		e.wg.Add(1)
		go e.serveTCP(c)
	}
}

func (e *Endpoint) serveTCP(c net.Conn) {
	defer e.wg.Done()
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	kind, err := r.ReadByte()
	if err != nil {
		return
	}
	switch kind {
	case 'G':
		var hdr [4]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(hdr[:])
		if int64(n) > int64(e.cfg.Gossip.MaxMessageSize) {
			e.log.Debug("gossip: oversized tcp message", "bytes", n)
			e.deliver(nil) // counted as malformed by the core
			return
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return
		}
		e.deliver(b)
	case 'V':
		_ = json.NewEncoder(c).Encode(e.View())
	}
}

// QueryView asks the endpoint at addr for its view over TCP.
func QueryView(addr string, timeout time.Duration) ([]gossip.Member, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("netedge: query %s: %w", addr, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write([]byte{'V'}); err != nil {
		return nil, fmt.Errorf("netedge: query %s: %w", addr, err)
	}
	var v []gossip.Member
	if err := json.NewDecoder(io.LimitReader(c, 64<<20)).Decode(&v); err != nil {
		return nil, fmt.Errorf("netedge: query %s: decode view: %w", addr, err)
	}
	return v, nil
}
