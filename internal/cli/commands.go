package cli

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/synod-dev/synod/internal/version"
)

// handlers maps each command of specs to its implementation.
var handlers map[string]func(s *Shell, c Command) error

func init() {
	handlers = map[string]func(s *Shell, c Command) error{
		"addauth":      (*Shell).addauth,
		"close":        (*Shell).closeCmd,
		"connect":      (*Shell).connectCmd,
		"create":       (*Shell).create,
		"delete":       (*Shell).delete,
		"deleteall":    (*Shell).deleteall,
		"exit":         func(*Shell, Command) error { return ErrQuit },
		"get":          (*Shell).get,
		"getAcl":       (*Shell).getACL,
		"help":         (*Shell).help,
		"history":      (*Shell).historyCmd,
		"ls":           (*Shell).ls,
		"printwatches": (*Shell).printwatches,
		"quit":         func(*Shell, Command) error { return ErrQuit },
		"redo":         (*Shell).redo,
		"set":          (*Shell).set,
		"setAcl":       (*Shell).setACL,
		"stat":         (*Shell).stat,
		"sync":         (*Shell).sync,
		"version":      (*Shell).versionCmd,
	}
}

// cliError is a failed command; its text is zkCli's message.
type cliError struct {
	msg string
	err error
}

func (e *cliError) Error() string { return e.msg }
func (e *cliError) Unwrap() error { return e.err }

// fail wraps a client error on the server path into zkCli's message for
// it, which names the path as the user wrote it (without the chroot).
func (s *Shell) fail(err error, serverPath string) error {
	return &cliError{msg: describe(err, s.toClient(serverPath)), err: err}
}

// pathArg validates the path argument as ZooKeeper's client does and
// returns it as the server sees it (under the chroot).
func (s *Shell) pathArg(c Command) (string, error) {
	p := c.Args[0]
	if err := validatePath(p); err != nil {
		return "", &cliError{msg: err.Error(), err: zk.ErrInvalidPath}
	}
	return s.toServer(p), nil
}

// versionOpt reads -v, -1 (any version) when absent.
func versionOpt(c Command) (int32, error) {
	v, ok := c.Value('v')
	if !ok {
		return -1, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, usagef("-v argument must be an int value: %q", v)
	}
	return int32(n), nil
}

func (s *Shell) ls(c Command) error {
	conn, err := s.Conn()
	if err != nil {
		return err
	}
	path, err := s.pathArg(c)
	if err != nil {
		return err
	}
	watch := c.Has('w')
	if c.Has('R') {
		return s.lsRecursive(conn, path, watch)
	}
	var children []string
	var st *zk.Stat
	if watch {
		var ch <-chan zk.Event
		children, st, ch, err = conn.ChildrenW(path)
		s.watch(path, watchChild, ch)
	} else {
		children, st, err = conn.Children(path)
	}
	if err != nil {
		return s.fail(err, path)
	}
	slices.Sort(children)
	fmt.Fprintf(s.out, "[%s]\n", strings.Join(children, ", "))
	if c.Has('s') {
		formatStat(s.out, st, s.opts.Location)
	}
	return nil
}

// lsRecursive is ZKUtil.visitSubTreeDFS: the path, then for each node its
// sorted children, then each child's subtree. A node deleted while we
// walk is skipped, as in ZooKeeper.
func (s *Shell) lsRecursive(conn *zk.Conn, path string, watch bool) error {
	var err error
	if watch {
		var ch <-chan zk.Event
		_, _, ch, err = conn.GetW(path)
		s.watch(path, watchData, ch)
	} else {
		_, _, err = conn.Get(path)
	}
	if err != nil {
		return s.fail(err, path)
	}
	fmt.Fprintln(s.out, s.toClient(path))
	var visit func(p string) error
	visit = func(p string) error {
		var children []string
		var err error
		if watch {
			var ch <-chan zk.Event
			children, _, ch, err = conn.ChildrenW(p)
			s.watch(p, watchChild, ch)
		} else {
			children, _, err = conn.Children(p)
		}
		if errors.Is(err, zk.ErrNoNode) {
			return nil
		}
		if err != nil {
			return s.fail(err, p)
		}
		slices.Sort(children)
		for _, child := range children {
			fmt.Fprintln(s.out, s.toClient(childPath(p, child)))
		}
		for _, child := range children {
			if err := visit(childPath(p, child)); err != nil {
				return err
			}
		}
		return nil
	}
	return visit(path)
}

func childPath(parent, child string) string {
	if parent == "/" {
		return "/" + child
	}
	return parent + "/" + child
}

func (s *Shell) get(c Command) error {
	conn, err := s.Conn()
	if err != nil {
		return err
	}
	path, err := s.pathArg(c)
	if err != nil {
		return err
	}
	var data []byte
	var st *zk.Stat
	if c.Has('w') {
		var ch <-chan zk.Event
		data, st, ch, err = conn.GetW(path)
		s.watch(path, watchData, ch)
	} else {
		data, st, err = conn.Get(path)
	}
	if err != nil {
		return s.fail(err, path)
	}
	switch {
	case data == nil:
		fmt.Fprintln(s.out, "null")
	case c.Has('b'):
		fmt.Fprintln(s.out, base64.StdEncoding.EncodeToString(data))
	default:
		fmt.Fprintln(s.out, string(data))
	}
	if c.Has('s') {
		formatStat(s.out, st, s.opts.Location)
	}
	return nil
}

func (s *Shell) set(c Command) error {
	conn, err := s.Conn()
	if err != nil {
		return err
	}
	path, err := s.pathArg(c)
	if err != nil {
		return err
	}
	version, err := versionOpt(c)
	if err != nil {
		return err
	}
	data := []byte(c.Args[1])
	if c.Has('b') {
		if data, err = base64.StdEncoding.DecodeString(c.Args[1]); err != nil {
			return usagef("-b: data is not base64: %v", err)
		}
	}
	st, err := conn.Set(path, data, version)
	if err != nil {
		return s.fail(err, path)
	}
	if c.Has('s') {
		formatStat(s.out, st, s.opts.Location)
	}
	return nil
}

// maxTTL is EphemeralType.TTL's limit (40 bits of milliseconds).
const maxTTL = 1<<40 - 1

func (s *Shell) create(c Command) error {
	conn, err := s.Conn()
	if err != nil {
		return err
	}
	e, seq, container := c.Has('e'), c.Has('s'), c.Has('c')
	ttlText, hasTTL := c.Value('t')
	if container && (e || seq) {
		return usagef("-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.")
	}
	var ttl int64
	if hasTTL {
		if ttl, err = strconv.ParseInt(ttlText, 10, 64); err != nil {
			return usagef("-t argument must be a long value")
		}
		if e {
			return usagef("TTLs cannot be used with Ephemeral znodes")
		}
		if container {
			return usagef("TTLs cannot be used with Container znodes")
		}
		if ttl <= 0 || ttl > maxTTL {
			return usagef("ttl must be positive and cannot be larger than: %d", maxTTL)
		}
	}
	path, err := s.pathArg(c)
	if err != nil {
		return err
	}
	var data []byte // nil, as zkCli sends when no data is given: get prints "null"
	if len(c.Args) > 1 {
		data = []byte(c.Args[1])
	}
	acl := zk.WorldACL(zk.PermAll)
	if len(c.Args) > 2 {
		if acl, err = ParseACL(c.Args[2]); err != nil {
			return usagef("%v", err)
		}
	}
	var created string
	switch {
	case hasTTL:
		flags := int32(zk.FlagTTL)
		if seq {
			flags = zk.FlagPersistentSequentialWithTTL
		}
		created, err = conn.CreateTTL(path, data, flags, acl, durationMS(ttl))
	case container:
		created, err = conn.CreateContainer(path, data, zk.FlagContainer, acl)
	default:
		var flags int32
		if e {
			flags |= zk.FlagEphemeral
		}
		if seq {
			flags |= zk.FlagSequence
		}
		created, err = conn.Create(path, data, flags, acl)
	}
	if err != nil {
		return s.fail(err, path)
	}
	fmt.Fprintf(s.err, "Created %s\n", s.toClient(created))
	return nil
}

func (s *Shell) delete(c Command) error {
	conn, err := s.Conn()
	if err != nil {
		return err
	}
	path, err := s.pathArg(c)
	if err != nil {
		return err
	}
	version, err := versionOpt(c)
	if err != nil {
		return err
	}
	if err := conn.Delete(path, version); err != nil {
		return s.fail(err, path)
	}
	return nil
}

// deleteall is ZKUtil.deleteRecursive: list the subtree breadth first,
// then delete it deepest first in multi batches of -b (default 1000).
func (s *Shell) deleteall(c Command) error {
	conn, err := s.Conn()
	if err != nil {
		return err
	}
	batch := 1000
	if v, ok := c.Value('b'); ok {
		if batch, err = strconv.Atoi(v); err != nil {
			return usagef("-b argument must be an int value")
		}
	}
	path, err := s.pathArg(c)
	if err != nil {
		return err
	}
	tree := []string{path}
	for i := 0; i < len(tree); i++ {
		children, _, err := conn.Children(tree[i])
		if err != nil {
			return s.fail(err, tree[i])
		}
		for _, ch := range children {
			tree = append(tree, childPath(tree[i], ch))
		}
	}
	slices.Reverse(tree)
	if batch <= 0 {
		for _, p := range tree {
			if err := conn.Delete(p, -1); err != nil {
				return s.fail(err, p)
			}
		}
		return nil
	}
	ok := true
	for start := 0; start < len(tree); start += batch {
		var ops []any
		for _, p := range tree[start:min(start+batch, len(tree))] {
			ops = append(ops, &zk.DeleteRequest{Path: p, Version: -1})
		}
		if _, err := conn.Multi(ops...); err != nil {
			ok = false
		}
	}
	if !ok {
		fmt.Fprintln(s.err, "Failed to delete some node(s) in the subtree!")
	}
	return nil
}

func (s *Shell) stat(c Command) error {
	conn, err := s.Conn()
	if err != nil {
		return err
	}
	path, err := s.pathArg(c)
	if err != nil {
		return err
	}
	var exists bool
	var st *zk.Stat
	if c.Has('w') {
		var ch <-chan zk.Event
		exists, st, ch, err = conn.ExistsW(path)
		s.watch(path, watchExist, ch)
	} else {
		exists, st, err = conn.Exists(path)
	}
	if err != nil {
		return s.fail(err, path)
	}
	if !exists {
		return s.fail(zk.ErrNoNode, path)
	}
	formatStat(s.out, st, s.opts.Location)
	return nil
}

func (s *Shell) getACL(c Command) error {
	conn, err := s.Conn()
	if err != nil {
		return err
	}
	path, err := s.pathArg(c)
	if err != nil {
		return err
	}
	acl, st, err := conn.GetACL(path)
	if err != nil {
		return s.fail(err, path)
	}
	for _, a := range acl {
		formatACL(s.out, a)
	}
	if c.Has('s') {
		formatStat(s.out, st, s.opts.Location)
	}
	return nil
}

func (s *Shell) setACL(c Command) error {
	conn, err := s.Conn()
	if err != nil {
		return err
	}
	path, err := s.pathArg(c)
	if err != nil {
		return err
	}
	acl, err := ParseACL(c.Args[1])
	if err != nil {
		return usagef("%v", err)
	}
	version, err := versionOpt(c)
	if err != nil {
		return err
	}
	if !c.Has('R') {
		st, err := conn.SetACL(path, acl, version)
		if err != nil {
			return s.fail(err, path)
		}
		if c.Has('s') {
			formatStat(s.out, st, s.opts.Location)
		}
		return nil
	}
	// -R: the subtree in visitSubTreeDFS order; a node that fails is
	// reported and the walk goes on, as in zkCli.
	if _, _, err := conn.Get(path); err != nil {
		return s.fail(err, path)
	}
	var visit func(p string)
	visit = func(p string) {
		if _, err := conn.SetACL(p, acl, version); err != nil {
			fmt.Fprintln(s.out, describe(err, s.toClient(p)))
		}
		children, _, err := conn.Children(p)
		if err != nil {
			return
		}
		slices.Sort(children)
		for _, ch := range children {
			visit(childPath(p, ch))
		}
	}
	visit(path)
	return nil
}

func (s *Shell) addauth(c Command) error {
	conn, err := s.Conn()
	if err != nil {
		return err
	}
	var auth []byte
	if len(c.Args) > 1 {
		auth = []byte(c.Args[1])
	}
	if err := conn.AddAuth(c.Args[0], auth); err != nil {
		return &cliError{msg: "addauth: " + describe(err, ""), err: err}
	}
	return nil
}

func (s *Shell) sync(c Command) error {
	conn, err := s.Conn()
	if err != nil {
		return err
	}
	path, err := s.pathArg(c)
	if err != nil {
		return err
	}
	if _, err := conn.Sync(path); err != nil {
		return s.fail(err, path)
	}
	fmt.Fprintln(s.out, "Sync is OK")
	return nil
}

func (s *Shell) printwatches(c Command) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(c.Args) == 0 {
		state := "off"
		if s.printWatches {
			state = "on"
		}
		fmt.Fprintf(s.out, "printwatches is %s\n", state)
		return nil
	}
	s.printWatches = c.Args[0] == "on"
	return nil
}

// historyCmd prints the last eleven commands, numbered, as zkCli does.
func (s *Shell) historyCmd(Command) error {
	s.mu.Lock()
	h := slices.Clone(s.history)
	s.mu.Unlock()
	for i := max(len(h)-11, 0); i < len(h); i++ {
		fmt.Fprintf(s.out, "%d - %s\n", i, h[i])
	}
	return nil
}

func (s *Shell) redo(c Command) error {
	n, err := strconv.Atoi(c.Args[0])
	s.mu.Lock()
	count := len(s.history) - 1 // the redo line itself is the last entry
	if err != nil || n < 0 || n >= count {
		s.mu.Unlock()
		return usagef("Command index out of range")
	}
	line := s.history[n]
	s.history[count] = line
	s.mu.Unlock()
	cmd, err := Parse(line)
	if err != nil {
		return err
	}
	if cmd.Name == "redo" {
		return usagef("No redoing redos")
	}
	return s.Run(cmd)
}

func (s *Shell) closeCmd(Command) error {
	s.Close()
	return nil
}

func (s *Shell) connectCmd(c Command) error {
	s.mu.Lock()
	server := s.server
	s.mu.Unlock()
	if len(c.Args) > 0 {
		server = c.Args[0]
	}
	return s.connect(server)
}

func (s *Shell) versionCmd(Command) error {
	fmt.Fprintf(s.out, "ZooKeeper CLI version: %s\n", version.Short())
	return nil
}

// help prints the command list on Err, as zkCli's usage does.
func (s *Shell) help(Command) error {
	fmt.Fprintln(s.err, "ZooKeeper -server host:port cmd args")
	for _, sp := range specs {
		fmt.Fprintf(s.err, "\t%s %s\n", sp.name, sp.usage)
	}
	return nil
}

func durationMS(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }
