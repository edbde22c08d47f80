// Package cli is a zkCli.sh-like shell over a go-zookeeper/zk connection:
// the same commands, flags, output shapes and error messages as Apache
// ZooKeeper's ZooKeeperMain, so scripts and habits written for zkCli.sh
// work against Synod (and against ZooKeeper itself).
//
// Parse turns a line into a Command; a Shell executes commands on its
// connection and writes to its Out and Err writers. cmd/synod's "cli"
// subcommand adds the terminal: line editing, history file and flags.
package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"
)

// Options configure a Shell.
type Options struct {
	// Server is a comma-separated host:port list.
	Server string
	// SessionTimeout is asked of the server; 0 means 30 s (zkCli's
	// default).
	SessionTimeout time.Duration
	// Out receives command output and watch events, Err messages such as
	// "Created /x" (which zkCli prints on stderr). nil discards.
	Out, Err io.Writer
	// Location is the time zone of ctime/mtime in stat output; nil means
	// time.Local (Java prints in the JVM's default zone).
	Location *time.Location
	// SessionEvents prints connection state changes as zkCli does
	// ("WatchedEvent state:SyncConnected type:None path:null"); the
	// interactive shell sets it, one-shot mode does not.
	SessionEvents bool
	// Log receives the client library's messages; nil discards them.
	Log *slog.Logger
}

// ErrQuit is returned by Execute for quit and exit.
var ErrQuit = errors.New("quit")

// ErrNotConnected is returned when a command needs a connection and the
// shell has none (after close).
//
//lint:ignore ST1005 the message is zkCli's, word for word
var ErrNotConnected = errors.New("Not connected")

// Shell runs zkCli commands. Execute must not be called concurrently;
// watch events are printed from other goroutines, serialized with the
// command output.
type Shell struct {
	opts Options
	out  io.Writer // serialized
	err  io.Writer // serialized

	mu           sync.Mutex // guards the fields below
	server       string
	chroot       string // "" or a path such as "/app" that prefixes every path
	conn         *zk.Conn
	connected    chan struct{} // closed when the current conn first has a session
	printWatches bool
	watches      map[watchKey]*watchReg
	history      []string
}

// watchKey names one pending watch: a path and what kind of watch.
type watchKey struct {
	path string
	kind watchKind
}

type watchKind int

const (
	watchData watchKind = iota
	watchExist
	watchChild
)

// watchReg is one registered watch; its identity tells a current
// registration from one already fired.
type watchReg struct{}

// New connects to opts.Server and returns a shell. The connection is
// established in the background; see WaitConnected.
func New(opts Options) (*Shell, error) {
	if opts.SessionTimeout == 0 {
		opts.SessionTimeout = 30 * time.Second
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	var mu sync.Mutex
	s := &Shell{
		opts:         opts,
		out:          &lockedWriter{mu: &mu, w: orDiscard(opts.Out)},
		err:          &lockedWriter{mu: &mu, w: orDiscard(opts.Err)},
		printWatches: true,
		watches:      map[watchKey]*watchReg{},
	}
	if err := s.connect(opts.Server); err != nil {
		return nil, err
	}
	return s, nil
}

// connect replaces the shell's connection with one to server, a
// connection string "host:port[,host:port…][/chroot]" as ZooKeeper's
// ConnectStringParser reads it.
func (s *Shell) connect(server string) error {
	hosts, chroot := server, ""
	if i := strings.IndexByte(server, '/'); i >= 0 {
		hosts, chroot = server[:i], server[i:]
		if chroot == "/" {
			chroot = ""
		} else if err := validatePath(chroot); err != nil {
			return fmt.Errorf("cli: chroot of %s: %w", server, err)
		}
	}
	servers := strings.Split(hosts, ",")
	logger := slogLogger{log: s.opts.Log}
	conn, events, err := zk.Connect(servers, s.opts.SessionTimeout, zk.WithLogger(logger), zk.WithLogInfo(false))
	if err != nil {
		return fmt.Errorf("cli: connect to %s: %w", server, err)
	}
	connected := make(chan struct{})
	s.mu.Lock()
	old := s.conn
	s.conn, s.server, s.chroot, s.connected = conn, server, chroot, connected
	s.watches = map[watchKey]*watchReg{}
	s.mu.Unlock()
	if old != nil {
		old.Close()
	}
	go s.sessionEvents(conn, events, connected)
	return nil
}

// sessionEvents follows one connection's state changes until it closes.
// Changes of a connection the shell has closed or replaced are not shown.
func (s *Shell) sessionEvents(conn *zk.Conn, events <-chan zk.Event, connected chan struct{}) {
	once := sync.Once{}
	for ev := range events {
		var state string
		switch ev.State {
		case zk.StateHasSession:
			once.Do(func() { close(connected) })
			state = "SyncConnected"
		case zk.StateDisconnected, zk.StateExpired, zk.StateAuthFailed:
			state = keeperState(ev.State)
		default:
			continue
		}
		s.mu.Lock()
		show := s.opts.SessionEvents && s.printWatches && s.conn == conn
		s.mu.Unlock()
		if show {
			fmt.Fprintf(s.out, "\nWATCHER::\n\nWatchedEvent state:%s type:None path:null\n", state)
		}
	}
}

// WaitConnected waits until the connection has a session, or timeout.
func (s *Shell) WaitConnected(timeout time.Duration) error {
	s.mu.Lock()
	ch, server := s.connected, s.server
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("cli: no session with %s after %v", server, timeout)
	}
}

// Close closes the connection.
func (s *Shell) Close() {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// Prompt is zkCli's prompt: "[zk: host:port(CONNECTED) 3] ".
func (s *Shell) Prompt() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := "CLOSED"
	if s.conn != nil {
		state = promptState(s.conn.State())
	}
	return fmt.Sprintf("[zk: %s(%s) %d] ", s.server, state, len(s.history))
}

// Execute runs one command line and records it in the history. Output
// goes to Out and Err; a failed command returns an error whose text is
// zkCli's message for it. quit and exit return ErrQuit.
func (s *Shell) Execute(line string) error {
	cmd, err := Parse(line)
	if err != nil || cmd.Name == "" {
		if err != nil {
			s.addHistory(line)
		}
		return err
	}
	s.addHistory(line)
	return s.Run(cmd)
}

func (s *Shell) addHistory(line string) {
	s.mu.Lock()
	s.history = append(s.history, strings.TrimSpace(line))
	s.mu.Unlock()
}

// Run executes a parsed command (without recording it in the history).
func (s *Shell) Run(cmd Command) error {
	if cmd.Warning != "" {
		fmt.Fprintln(s.err, cmd.Warning)
	}
	run, ok := handlers[cmd.Name]
	if !ok {
		return usagef("Command not found: %s", cmd.Name)
	}
	return run(s, cmd)
}

// Conn returns the current connection, or ErrNotConnected.
func (s *Shell) Conn() (*zk.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil, ErrNotConnected
	}
	return s.conn, nil
}

// watch registers interest in the event a go-zookeeper watch channel
// delivers, and prints it as zkCli's default watcher does. Like Java's
// client, one event is printed once even when several watches of the
// path (get -w and stat -w) fire for it.
func (s *Shell) watch(path string, kind watchKind, ch <-chan zk.Event) {
	if ch == nil {
		return
	}
	key := watchKey{path, kind}
	reg := &watchReg{}
	s.mu.Lock()
	if s.watches[key] != nil {
		s.mu.Unlock()
		return // already pending; the client's channel is buffered
	}
	s.watches[key] = reg
	watches := s.watches
	s.mu.Unlock()
	go func() {
		ev := <-ch
		s.mu.Lock()
		mine := watches[key] == reg
		if mine {
			for _, k := range triggered(ev.Type) {
				delete(watches, watchKey{path, k})
			}
		}
		show := mine && s.printWatches && ev.Type != zk.EventNotWatching
		s.mu.Unlock()
		if show {
			ev.Path = s.toClient(ev.Path)
			fmt.Fprintf(s.out, "\nWATCHER::\n\n%s\n", formatEvent(ev))
		}
	}()
}

// toServer puts a client path under the chroot.
func (s *Shell) toServer(p string) string {
	s.mu.Lock()
	chroot := s.chroot
	s.mu.Unlock()
	if chroot == "" {
		return p
	}
	if p == "/" {
		return chroot
	}
	return chroot + p
}

// toClient strips the chroot from a server path.
func (s *Shell) toClient(p string) string {
	s.mu.Lock()
	chroot := s.chroot
	s.mu.Unlock()
	if chroot == "" || !strings.HasPrefix(p, chroot) {
		return p
	}
	if rest := p[len(chroot):]; rest != "" {
		return rest
	}
	return "/"
}

// triggered lists the watch kinds an event fires (ZKWatchManager).
func triggered(t zk.EventType) []watchKind {
	switch t {
	case zk.EventNodeCreated, zk.EventNodeDataChanged:
		return []watchKind{watchData, watchExist}
	case zk.EventNodeChildrenChanged:
		return []watchKind{watchChild}
	}
	return []watchKind{watchData, watchExist, watchChild}
}

// lockedWriter serializes writes from the command and watch goroutines.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// slogLogger adapts go-zookeeper's Printf logger to slog at debug level.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(format string, args ...any) {
	if l.log != nil {
		l.log.Debug(fmt.Sprintf(format, args...), "component", "zk-client")
	}
}
