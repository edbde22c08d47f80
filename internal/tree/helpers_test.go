package tree

import (
	"testing"

	"github.com/synod-dev/synod/internal/wire"
)

// harness applies Txns with increasing zxids and times.
type harness struct {
	t    *testing.T
	tr   *Tree
	zxid int64
	sess int64
	auth []wire.Id
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	h := &harness{t: t, tr: New(opts), sess: 0x100}
	h.apply(wire.OpCreateSession, &CreateSession{TimeoutMs: 30000})
	return h
}

func (h *harness) apply(op wire.OpCode, req wire.Record) Result {
	h.t.Helper()
	h.zxid++
	return h.tr.Apply(Txn{Zxid: h.zxid, Time: 1000 * h.zxid, Session: h.sess, Auth: h.auth, Op: op, Req: req})
}

func (h *harness) create(path string, flags int32) (string, wire.Code) {
	h.t.Helper()
	res := h.apply(wire.OpCreate, &wire.CreateRequest{Path: path, Data: []byte("d"), ACL: wire.OpenACL(), Flags: flags})
	if res.Err != wire.ZOK {
		return "", res.Err
	}
	return res.Resp.(*wire.CreateResponse).Path, wire.ZOK
}

func (h *harness) mustCreate(path string, flags int32) string {
	h.t.Helper()
	p, code := h.create(path, flags)
	if code != wire.ZOK {
		h.t.Fatalf("create %s: %v", path, code)
	}
	return p
}

func (h *harness) del(path string) wire.Code {
	h.t.Helper()
	return h.apply(wire.OpDelete, &wire.DeleteRequest{Path: path, Version: -1}).Err
}

func (h *harness) stat(path string) wire.Stat {
	h.t.Helper()
	st, ok := h.tr.Stat(path)
	if !ok {
		h.t.Fatalf("stat %s: no node", path)
	}
	return st
}
