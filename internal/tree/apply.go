package tree

import (
	"fmt"
	"sort"
	"strings"

	"github.com/synod-dev/synod/internal/wire"
)

// applier carries one Txn through its ops. In a multi it records how to
// undo each change so a failing op can roll the tree back; events are
// collected and published only if the whole Txn succeeds.
type applier struct {
	t      *Tree
	txn    Txn
	events []Event
	undo   []func() // nil outside a multi
	multi  bool
}

// Apply applies one command and returns its result. It re-checks paths,
// existence, versions and ACLs, so the result depends only on the prior
// state and txn. Every Txn, failed or not, advances LastZxid to txn.Zxid.
func (t *Tree) Apply(txn Txn) Result {
	t.lastZxid = txn.Zxid
	a := applier{t: t, txn: txn}
	switch txn.Op {
	case wire.OpCreate, wire.OpCreate2, wire.OpCreateContainer:
		req, ok := txn.Req.(*wire.CreateRequest)
		if !ok {
			return Result{Err: wire.ZMarshallingError}
		}
		path, n, code := a.create(txn.Op, req.Path, req.Data, req.ACL, req.Flags, -1)
		return a.result(code, createResp(t, txn.Op, path, n))
	case wire.OpCreateTTL:
		req, ok := txn.Req.(*wire.CreateTTLRequest)
		if !ok {
			return Result{Err: wire.ZMarshallingError}
		}
		path, n, code := a.create(txn.Op, req.Path, req.Data, req.ACL, req.Flags, req.TTL)
		return a.result(code, createResp(t, txn.Op, path, n))
	case wire.OpDelete:
		req, ok := txn.Req.(*wire.DeleteRequest)
		if !ok {
			return Result{Err: wire.ZMarshallingError}
		}
		return a.result(a.delete(req.Path, req.Version), nil)
	case wire.OpSetData:
		req, ok := txn.Req.(*wire.SetDataRequest)
		if !ok {
			return Result{Err: wire.ZMarshallingError}
		}
		n, code := a.setData(req.Path, req.Data, req.Version)
		return a.result(code, statResp(t, n))
	case wire.OpSetACL:
		req, ok := txn.Req.(*wire.SetACLRequest)
		if !ok {
			return Result{Err: wire.ZMarshallingError}
		}
		n, code := a.setACL(req.Path, req.ACL, req.Version)
		return a.result(code, statResp(t, n))
	case wire.OpMulti:
		req, ok := txn.Req.(*wire.MultiRequest)
		if !ok {
			return Result{Err: wire.ZMarshallingError}
		}
		return a.applyMulti(req)
	case wire.OpDeleteContainer:
		req, ok := txn.Req.(*wire.DeleteContainerRequest)
		if !ok {
			return Result{Err: wire.ZMarshallingError}
		}
		return a.result(a.deleteContainer(string(req.Path)), nil)
	case wire.OpCreateSession:
		req, ok := txn.Req.(*CreateSession)
		if !ok {
			return Result{Err: wire.ZMarshallingError}
		}
		t.sessions[txn.Session] = req.TimeoutMs
		return Result{}
	case wire.OpCloseSession:
		a.closeSession(txn.Session)
		return Result{Events: a.events}
	}
	return Result{Err: wire.ZUnimplemented}
}

// result wraps a single op's outcome.
func (a *applier) result(code wire.Code, resp wire.Record) Result {
	if code != wire.ZOK {
		return Result{Err: code}
	}
	return Result{Resp: resp, Events: a.events}
}

func createResp(t *Tree, op wire.OpCode, path string, n *node) wire.Record {
	if n == nil {
		return nil
	}
	if op == wire.OpCreate {
		return &wire.CreateResponse{Path: path}
	}
	return &wire.Create2Response{Path: path, Stat: t.stat(n)}
}

func statResp(t *Tree, n *node) wire.Record {
	if n == nil {
		return nil
	}
	return &wire.StatResponse{Stat: t.stat(n)}
}

func (a *applier) emit(typ wire.EventType, path string) {
	if a.events == nil {
		a.events = make([]Event, 0, 2) // most ops emit two
	}
	a.events = append(a.events, Event{Type: typ, Path: path, Zxid: a.txn.Zxid})
}

// incVersion is checkAndIncVersion's increment: -1 is skipped (ZOOKEEPER-4743).
func incVersion(v int32) int32 {
	v++
	if v == -1 {
		v = 0
	}
	return v
}

// checkVersion is checkAndIncVersion's check: -1 matches anything.
func checkVersion(current, expected int32) wire.Code {
	if expected != -1 && expected != current {
		return wire.ZBadVersion
	}
	return wire.ZOK
}

// create follows PrepRequestProcessor.pRequest2TxnCreate's checks in order
// (ZK_PROTOCOL.md §1.9) and then DataTree.createNode. ttl is -1 for
// requests that carry none.
func (a *applier) create(op wire.OpCode, path string, data []byte, acl []wire.ACL, flags int32, ttl int64) (string, *node, wire.Code) {
	t := a.t
	if flags < wire.FlagPersistent || flags > wire.FlagPersistentSequentialTTL {
		return "", nil, wire.ZBadArguments
	}
	isTTL := flags == wire.FlagPersistentWithTTL || flags == wire.FlagPersistentSequentialTTL
	isContainer := flags == wire.FlagContainer
	isEphemeral := flags == wire.FlagEphemeral || flags == wire.FlagEphemeralSequential
	isSequential := flags == wire.FlagPersistentSequential || flags == wire.FlagEphemeralSequential ||
		flags == wire.FlagPersistentSequentialTTL
	if isTTL && !t.opts.ExtendedTypes {
		return "", nil, wire.ZUnimplemented
	}
	if isTTL {
		if ttl <= 0 || ttl > wire.MaxTTL {
			return "", nil, wire.ZBadArguments
		}
	} else if ttl >= 0 {
		return "", nil, wire.ZBadArguments
	}
	// createTTL with a non-TTL mode and no TTL would make ZooKeeper's
	// final processor fail; refuse it here. createContainer, as in
	// ZooKeeper, makes a container whatever the mode (CreateContainerTxn).
	if op == wire.OpCreateTTL && !isTTL {
		return "", nil, wire.ZBadArguments
	}
	if op == wire.OpCreateContainer {
		isContainer = true
	}
	if isEphemeral {
		if _, ok := t.sessions[a.txn.Session]; !ok {
			return "", nil, wire.ZSessionExpired
		}
	}
	slash := strings.LastIndexByte(path, '/')
	if slash < 0 || strings.IndexByte(path, 0) >= 0 {
		return "", nil, wire.ZBadArguments
	}
	fixed, code := fixupACL(acl, a.txn.Auth)
	if code != wire.ZOK {
		return "", nil, code
	}
	parent := t.lookup(path[:slash])
	if parent == nil {
		return "", nil, wire.ZNoNode
	}
	if !t.check(parent.acl, wire.PermCreate, a.txn.Auth) {
		return "", nil, wire.ZNoAuth
	}
	if isSequential {
		path = fmt.Sprintf("%s%010d", path, parent.seq)
	}
	if ValidatePath(path, false) != nil {
		return "", nil, wire.ZBadArguments
	}
	if parent.children.get(baseName(path)) != nil {
		return "", nil, wire.ZNodeExists
	}
	if t.isSessionOwner(parent.owner) {
		return "", nil, wire.ZNoChildrenForEphemerals
	}

	var owner int64
	switch {
	case isContainer:
		owner = wire.ContainerOwner
	case isTTL:
		owner = ttlOwner(ttl)
	case isEphemeral:
		owner = a.txn.Session
	}
	z, now := a.txn.Zxid, a.txn.Time
	saved := a.save(parent)
	n := t.addChild(parent, path, data, t.acls.intern(fixed))
	n.czxid, n.mzxid, n.pzxid, n.ctime, n.mtime, n.owner = z, z, z, now, now, owner
	parent.cversion++
	parent.seq++
	parent.pzxid = z
	t.index(n)
	if a.multi {
		a.undo = append(a.undo, func() {
			t.unindex(n)
			t.removeChild(parent, n)
			restoreStat(parent, saved)
		})
	}
	a.emit(wire.EventNodeCreated, path)
	a.emit(wire.EventNodeChildrenChanged, parentPath(path))
	return path, n, wire.ZOK
}

// save copies n's fields for an undo; outside a multi there is no undo
// and it returns nil without allocating.
func (a *applier) save(n *node) *node {
	if !a.multi {
		return nil
	}
	c := *n
	return &c
}

// restoreStat puts back a node's counters saved before a change.
func restoreStat(n, saved *node) {
	// n was touched by the change being undone, in the same Apply.
	n.czxid, n.mzxid, n.pzxid = saved.czxid, saved.mzxid, saved.pzxid
	n.ctime, n.mtime = saved.ctime, saved.mtime
	n.version, n.cversion, n.aversion, n.seq = saved.version, saved.cversion, saved.aversion, saved.seq
	n.dataPtr, n.dataLen, n.acl = saved.dataPtr, saved.dataLen, saved.acl
}

// index records n in the ephemeral, container and TTL indexes.
func (t *Tree) index(n *node) {
	switch {
	case n.owner == 0:
	case n.owner == wire.ContainerOwner:
		t.containers[n.path] = struct{}{}
	case t.isSessionOwner(n.owner):
		s := t.ephemerals[n.owner]
		if s == nil {
			s = map[string]struct{}{}
			t.ephemerals[n.owner] = s
		}
		s[n.path] = struct{}{}
	default:
		t.ttls[n.path] = struct{}{}
	}
}

// unindex removes n from the ephemeral, container and TTL indexes.
func (t *Tree) unindex(n *node) {
	switch {
	case n.owner == 0:
	case n.owner == wire.ContainerOwner:
		delete(t.containers, n.path)
	case t.isSessionOwner(n.owner):
		s := t.ephemerals[n.owner]
		delete(s, n.path)
		if len(s) == 0 {
			delete(t.ephemerals, n.owner)
		}
	default:
		delete(t.ttls, n.path)
	}
}

// isSpecialPath reports the paths that may never be deleted.
func isSpecialPath(p string) bool {
	return p == "/" || p == zookeeperPath || p == quotaPath || p == configPath
}

// delete follows PrepRequestProcessor's delete checks: path shape and
// reserved paths, parent, DELETE on the parent, node, version, children.
func (a *applier) delete(path string, version int32) wire.Code {
	t := a.t
	slash := strings.LastIndexByte(path, '/')
	if slash < 0 || strings.IndexByte(path, 0) >= 0 || isSpecialPath(path) {
		return wire.ZBadArguments
	}
	parent := t.lookup(path[:slash])
	if parent == nil {
		return wire.ZNoNode
	}
	if !t.check(parent.acl, wire.PermDelete, a.txn.Auth) {
		return wire.ZNoAuth
	}
	n := t.lookup(path)
	if n == nil {
		return wire.ZNoNode
	}
	if code := checkVersion(n.version, version); code != wire.ZOK {
		return code
	}
	if n.children.len() > 0 {
		return wire.ZNotEmpty
	}
	a.remove(parent, n)
	return wire.ZOK
}

// remove deletes the childless node n from parent, bumping the parent's
// cversion and pzxid as ZooKeeper 3.8.0 was measured to do.
func (a *applier) remove(parent, n *node) {
	t := a.t
	saved := a.save(parent)
	t.removeChild(parent, n)
	t.unindex(n)
	parent.cversion++
	parent.pzxid = a.txn.Zxid
	if a.multi {
		a.undo = append(a.undo, func() {
			t.index(n)
			t.touch(parent)
			if parent.children == nil {
				parent.children = &childSet{}
			}
			parent.children.add(n)
			t.count++
			t.dataSize += int64(len(n.path) + n.size())
			restoreStat(parent, saved)
		})
	}
	a.emit(wire.EventNodeDeleted, n.path)
	a.emit(wire.EventNodeChildrenChanged, parentPath(n.path))
}

// setData needs a valid path, the node, WRITE and a matching version.
func (a *applier) setData(path string, data []byte, version int32) (*node, wire.Code) {
	t := a.t
	if ValidatePath(path, false) != nil {
		return nil, wire.ZBadArguments
	}
	n := t.lookup(path)
	if n == nil {
		return nil, wire.ZNoNode
	}
	if !t.check(n.acl, wire.PermWrite, a.txn.Auth) {
		return nil, wire.ZNoAuth
	}
	if code := checkVersion(n.version, version); code != wire.ZOK {
		return nil, code
	}
	saved := a.save(n)
	t.touch(n)
	t.dataSize += int64(len(data) - n.size())
	n.setBytes(data)
	n.version = incVersion(n.version)
	n.mzxid = a.txn.Zxid
	n.mtime = a.txn.Time
	if a.multi {
		a.undo = append(a.undo, func() {
			t.dataSize += int64(saved.size() - n.size())
			restoreStat(n, saved)
		})
	}
	a.emit(wire.EventNodeDataChanged, path)
	return n, wire.ZOK
}

// setACL needs a valid path, a valid ACL, the node, ADMIN and a matching
// aversion.
func (a *applier) setACL(path string, acl []wire.ACL, version int32) (*node, wire.Code) {
	t := a.t
	if ValidatePath(path, false) != nil {
		return nil, wire.ZBadArguments
	}
	fixed, code := fixupACL(acl, a.txn.Auth)
	if code != wire.ZOK {
		return nil, code
	}
	n := t.lookup(path)
	if n == nil {
		return nil, wire.ZNoNode
	}
	if !t.check(n.acl, wire.PermAdmin, a.txn.Auth) {
		return nil, wire.ZNoAuth
	}
	if code := checkVersion(n.aversion, version); code != wire.ZOK {
		return nil, code
	}
	t.touch(n)
	n.acl = t.acls.intern(fixed)
	n.aversion = incVersion(n.aversion)
	return n, wire.ZOK
}

// check is the multi-only version check: path, node, READ, version.
func (a *applier) checkOp(path string, version int32) wire.Code {
	t := a.t
	if ValidatePath(path, false) != nil {
		return wire.ZBadArguments
	}
	n := t.lookup(path)
	if n == nil {
		return wire.ZNoNode
	}
	if !t.check(n.acl, wire.PermRead, a.txn.Auth) {
		return wire.ZNoAuth
	}
	return checkVersion(n.version, version)
}

// deleteContainer deletes path only if it is a childless container or TTL
// node; anything else is a harmless error (NoNode, NotEmpty, BadVersion).
func (a *applier) deleteContainer(path string) wire.Code {
	t := a.t
	slash := strings.LastIndexByte(path, '/')
	if slash < 0 || strings.IndexByte(path, 0) >= 0 || isSpecialPath(path) {
		return wire.ZBadArguments
	}
	n := t.lookup(path)
	if n == nil {
		return wire.ZNoNode
	}
	if n.children.len() > 0 {
		return wire.ZNotEmpty
	}
	if _, isTTL := t.ttlOf(n.owner); n.owner != wire.ContainerOwner && !isTTL {
		return wire.ZBadVersion
	}
	parent := t.lookup(path[:slash])
	if parent == nil {
		return wire.ZNoNode
	}
	a.remove(parent, n)
	return wire.ZOK
}

// closeSession deletes the session's ephemerals in byte order of their
// paths (they have no children, so any order is valid; this one is
// deterministic), then forgets the session.
func (a *applier) closeSession(session int64) {
	t := a.t
	paths := make([]string, 0, len(t.ephemerals[session]))
	for p := range t.ephemerals[session] {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		n := t.lookup(p)
		parent := t.lookup(parentPath(p))
		if n == nil || parent == nil || n.children.len() > 0 {
			continue // cannot happen: ephemerals have no children
		}
		a.remove(parent, n)
	}
	delete(t.ephemerals, session)
	delete(t.sessions, session)
}

// applyMulti runs the ops in order on the live tree, each seeing the
// effects of the ones before; on the first failure it undoes them all and
// answers ZooKeeper's failure shape (0 before, the code at, -2 after).
func (a *applier) applyMulti(req *wire.MultiRequest) Result {
	a.multi = true
	results := make([]wire.MultiResult, len(req.Ops))
	for i, op := range req.Ops {
		res, code := a.multiOp(op)
		if code != wire.ZOK {
			for j := len(a.undo) - 1; j >= 0; j-- {
				a.undo[j]()
			}
			for j := range results {
				results[j] = wire.MultiResult{Op: wire.OpError}
				switch {
				case j == i:
					results[j].Err = code
				case j > i:
					results[j].Err = wire.ZRuntimeInconsistency
				}
			}
			return Result{Resp: &wire.MultiResponse{Results: results}}
		}
		results[i] = res
	}
	return Result{Resp: &wire.MultiResponse{Results: results}, Events: a.events}
}

// multiOp applies one op of a multi.
func (a *applier) multiOp(op wire.MultiOp) (wire.MultiResult, wire.Code) {
	switch op.Op {
	case wire.OpCreate, wire.OpCreate2, wire.OpCreateContainer, wire.OpCreateTTL:
		var path string
		var data []byte
		var acl []wire.ACL
		var flags int32
		ttl := int64(-1)
		switch r := op.Req.(type) {
		case *wire.CreateRequest:
			path, data, acl, flags = r.Path, r.Data, r.ACL, r.Flags
		case *wire.CreateTTLRequest:
			path, data, acl, flags, ttl = r.Path, r.Data, r.ACL, r.Flags, r.TTL
		default:
			return wire.MultiResult{}, wire.ZMarshallingError
		}
		p, n, code := a.create(op.Op, path, data, acl, flags, ttl)
		if code != wire.ZOK {
			return wire.MultiResult{}, code
		}
		if op.Op == wire.OpCreate {
			return wire.MultiResult{Op: wire.OpCreate, Resp: &wire.CreateResponse{Path: p}}, wire.ZOK
		}
		return wire.MultiResult{Op: wire.OpCreate2, Resp: &wire.Create2Response{Path: p, Stat: a.t.stat(n)}}, wire.ZOK
	case wire.OpDelete:
		r, ok := op.Req.(*wire.DeleteRequest)
		if !ok {
			return wire.MultiResult{}, wire.ZMarshallingError
		}
		return wire.MultiResult{Op: wire.OpDelete}, a.delete(r.Path, r.Version)
	case wire.OpSetData:
		r, ok := op.Req.(*wire.SetDataRequest)
		if !ok {
			return wire.MultiResult{}, wire.ZMarshallingError
		}
		n, code := a.setData(r.Path, r.Data, r.Version)
		if code != wire.ZOK {
			return wire.MultiResult{}, code
		}
		return wire.MultiResult{Op: wire.OpSetData, Resp: &wire.StatResponse{Stat: a.t.stat(n)}}, wire.ZOK
	case wire.OpCheck:
		r, ok := op.Req.(*wire.CheckVersionRequest)
		if !ok {
			return wire.MultiResult{}, wire.ZMarshallingError
		}
		return wire.MultiResult{Op: wire.OpCheck}, a.checkOp(r.Path, r.Version)
	}
	return wire.MultiResult{}, wire.ZUnimplemented
}
