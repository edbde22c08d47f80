package tree

import "github.com/synod-dev/synod/internal/wire"

// This file is the contract between the tree and its callers (the server
// now, the replicated log later). Its types are fixed; the methods that use
// them are listed in CONTRACT.md.

// Options are fixed for a tree's lifetime; every replica uses the same.
type Options struct {
	// ExtendedTypes allows TTL nodes (zoo.cfg extendedTypesEnabled).
	// Without it createTTL and the TTL create modes return ZUnimplemented.
	ExtendedTypes bool
	// SkipACL turns off every ACL check (zoo.cfg skipACL=yes).
	SkipACL bool
}

// Txn is one deterministic command: everything non-deterministic (time,
// session, the caller's identities) travels inside it, so applying the same
// Txn sequence to equal trees gives equal trees on every replica.
type Txn struct {
	Zxid    int64       // this command's zxid; strictly increasing
	Time    int64       // the proposer's clock, ms since the epoch
	Session int64       // the session issuing the command
	Auth    []wire.Id   // the caller's identities, e.g. {ip 127.0.0.1}, {digest u:h}, {super ""}
	Op      wire.OpCode // what to do
	// Req is the request body: *wire.CreateRequest (create, create2,
	// createContainer), *wire.CreateTTLRequest, *wire.DeleteRequest,
	// *wire.SetDataRequest, *wire.SetACLRequest, *wire.MultiRequest,
	// *wire.DeleteContainerRequest, *CreateSession, or nil for
	// closeSession.
	Req wire.Record
}

// CreateSession is the body of an OpCreateSession Txn: it records the
// session (Txn.Session) and its negotiated timeout in the replicated state.
type CreateSession struct {
	TimeoutMs int32
}

// Encode implements wire.Record.
func (r *CreateSession) Encode(e *wire.Encoder) { e.Int(r.TimeoutMs) }

// Decode implements wire.Record.
func (r *CreateSession) Decode(d *wire.Decoder) { r.TimeoutMs = d.Int() }

// Result is what applying a Txn produced.
type Result struct {
	// Err is the request's error code (ZOK on success). A failed multi has
	// Err ZOK and the failure inside its *wire.MultiResponse, as ZooKeeper.
	Err wire.Code
	// Resp is the reply body for the op when Err is ZOK: *wire.CreateResponse
	// (create), *wire.Create2Response (create2, createContainer, createTTL),
	// *wire.StatResponse (setData, setACL), *wire.MultiResponse, or nil.
	Resp wire.Record
	// Events are the watch triggers the change causes, in order.
	Events []Event
}

// Event is one watch trigger. The watch registry decides who is told:
// NodeCreated, NodeDeleted and NodeDataChanged go to data/exist watches on
// Path, persistent watches on Path and recursive watches on Path or an
// ancestor; NodeDeleted also goes to child watches on Path;
// NodeChildrenChanged goes to child watches and persistent (not recursive)
// watches on Path.
type Event struct {
	Type wire.EventType
	Path string
	Zxid int64
}
