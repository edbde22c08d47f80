package tree

import (
	"errors"
	"fmt"

	"github.com/synod-dev/synod/internal/wire"
)

// ErrCorrupt is wrapped by every error about undecodable or damaged
// transactions and snapshots, so callers can tell bad bytes from bugs.
var ErrCorrupt = errors.New("tree: corrupt data")

// txnVersion is the first byte of an encoded Txn. ONLY APPEND new versions.
const txnVersion byte = 1

// maxAuthIDs caps the identities a decoded Txn may carry.
const maxAuthIDs = 1 << 16

// EncodeTxn returns the deterministic binary form of txn for the
// write-ahead log and Paxos values:
//
//	byte    version (1)
//	long    zxid, time, session
//	int     op
//	int     number of auth ids, then {ustring scheme; ustring id} each
//	byte    1 if a body follows, 0 if Req is nil
//	...     the body record in jute encoding (its type follows from op)
func EncodeTxn(txn Txn) []byte {
	e := wire.Encoder{Buf: make([]byte, 0, 64)}
	e.Buf = append(e.Buf, txnVersion)
	e.Long(txn.Zxid)
	e.Long(txn.Time)
	e.Long(txn.Session)
	e.Int(int32(txn.Op))
	e.Int(int32(len(txn.Auth)))
	for i := range txn.Auth {
		txn.Auth[i].Encode(&e)
	}
	if txn.Req == nil {
		e.Buf = append(e.Buf, 0)
	} else {
		e.Buf = append(e.Buf, 1)
		txn.Req.Encode(&e)
	}
	return e.Buf
}

// txnBody returns an empty body record for a Txn op.
func txnBody(op wire.OpCode) (wire.Record, bool) {
	switch op {
	case wire.OpCreate, wire.OpCreate2, wire.OpCreateContainer:
		return &wire.CreateRequest{}, true
	case wire.OpCreateTTL:
		return &wire.CreateTTLRequest{}, true
	case wire.OpDelete:
		return &wire.DeleteRequest{}, true
	case wire.OpSetData:
		return &wire.SetDataRequest{}, true
	case wire.OpSetACL:
		return &wire.SetACLRequest{}, true
	case wire.OpMulti:
		return &wire.MultiRequest{}, true
	case wire.OpDeleteContainer:
		return &wire.DeleteContainerRequest{}, true
	case wire.OpCreateSession:
		return &CreateSession{}, true
	case wire.OpCloseSession:
		return nil, true
	}
	return nil, false
}

// DecodeTxn parses EncodeTxn's output. Any malformed input, including
// trailing bytes, is an error wrapping ErrCorrupt.
func DecodeTxn(b []byte) (Txn, error) {
	if len(b) == 0 {
		return Txn{}, fmt.Errorf("%w: empty txn", ErrCorrupt)
	}
	if b[0] != txnVersion {
		return Txn{}, fmt.Errorf("%w: txn version %d", ErrCorrupt, b[0])
	}
	d := wire.NewDecoder(b[1:])
	var txn Txn
	txn.Zxid = d.Long()
	txn.Time = d.Long()
	txn.Session = d.Long()
	txn.Op = wire.OpCode(d.Int())
	n := d.Int()
	if d.Err() != nil {
		return Txn{}, fmt.Errorf("%w: txn header: %v", ErrCorrupt, d.Err())
	}
	if n < 0 || n > maxAuthIDs || int(n)*8 > d.Remaining() {
		return Txn{}, fmt.Errorf("%w: txn has %d auth ids", ErrCorrupt, n)
	}
	if n > 0 {
		txn.Auth = make([]wire.Id, n)
		for i := range txn.Auth {
			txn.Auth[i].Decode(d)
		}
	}
	if d.Err() != nil || d.Remaining() < 1 {
		return Txn{}, fmt.Errorf("%w: txn auth: %v", ErrCorrupt, d.Err())
	}
	hasBody := b[1+d.Offset()]
	rest := b[1+d.Offset()+1:]
	body, ok := txnBody(txn.Op)
	if !ok {
		return Txn{}, fmt.Errorf("%w: txn op %v", ErrCorrupt, txn.Op)
	}
	switch {
	case hasBody == 0 && len(rest) == 0 && body == nil:
		return txn, nil
	case hasBody == 1 && body != nil:
		bd := wire.NewDecoder(rest)
		body.Decode(bd)
		if bd.Err() != nil {
			return Txn{}, fmt.Errorf("%w: txn body of %v: %v", ErrCorrupt, txn.Op, bd.Err())
		}
		if bd.Remaining() != 0 {
			return Txn{}, fmt.Errorf("%w: %d bytes after txn body", ErrCorrupt, bd.Remaining())
		}
		txn.Req = body
		return txn, nil
	}
	return Txn{}, fmt.Errorf("%w: txn body flag %d for %v", ErrCorrupt, hasBody, txn.Op)
}
