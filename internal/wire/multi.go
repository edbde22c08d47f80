package wire

import "fmt"

// MultiHeader precedes each op in a multi request and each result in a
// multi response; {-1, true, -1} terminates the list.
type MultiHeader struct {
	Type OpCode
	Done bool
	Err  Code
}

// Encode implements Record.
func (r *MultiHeader) Encode(e *Encoder) { e.Int(int32(r.Type)); e.Bool(r.Done); e.Int(int32(r.Err)) }

// Decode implements Record.
func (r *MultiHeader) Decode(d *Decoder) {
	r.Type = OpCode(d.Int())
	r.Done = d.Bool()
	r.Err = Code(d.Int())
}

// maxMultiOps caps the ops one multi may carry; each takes at least a
// 9-byte header, so a frame within MaxBuffer cannot hold more anyway.
const maxMultiOps = MaxBuffer / 9

// MultiOp is one operation of a multi or multiRead.
type MultiOp struct {
	Op  OpCode
	Req Record
}

// MultiRequest is the body of multi (14) and multiRead (22).
type MultiRequest struct {
	Ops []MultiOp
}

// multiOpRecord returns a fresh record for an op allowed inside a multi or
// multiRead.
func multiOpRecord(op OpCode) (Record, bool) {
	switch op {
	case OpCreate, OpCreate2, OpCreateContainer:
		return &CreateRequest{}, true
	case OpCreateTTL:
		return &CreateTTLRequest{}, true
	case OpDelete:
		return &DeleteRequest{}, true
	case OpSetData:
		return &SetDataRequest{}, true
	case OpCheck:
		return &CheckVersionRequest{}, true
	case OpGetChildren, OpGetData:
		return &PathWatchRequest{}, true
	}
	return nil, false
}

// Encode implements Record.
func (r *MultiRequest) Encode(e *Encoder) {
	for _, op := range r.Ops {
		h := MultiHeader{Type: op.Op, Done: false, Err: -1}
		h.Encode(e)
		op.Req.Encode(e)
	}
	end := MultiHeader{Type: -1, Done: true, Err: -1}
	end.Encode(e)
}

// Decode implements Record. An op that may not appear in a multi is an
// error: the server answers it with ZMarshallingError.
func (r *MultiRequest) Decode(d *Decoder) {
	r.Ops = r.Ops[:0]
	for d.Err() == nil {
		var h MultiHeader
		h.Decode(d)
		if d.Err() != nil || h.Done {
			return
		}
		if len(r.Ops) >= maxMultiOps {
			d.Fail(fmt.Errorf("%w: more than %d ops in multi", ErrLength, maxMultiOps))
			return
		}
		rec, ok := multiOpRecord(h.Type)
		if !ok {
			d.Fail(fmt.Errorf("wire: op %v not allowed in multi", h.Type))
			return
		}
		rec.Decode(d)
		r.Ops = append(r.Ops, MultiOp{Op: h.Type, Req: rec})
	}
}

// MultiResult is one result of a multi. On success Op is the op's result
// type (create2, createTTL and createContainer all report OpCreate2 with a
// Create2Response) and Resp its body (nil for delete and check). On failure
// Op is OpError, Err the code and Resp nil; the encoder writes the
// ErrorResponse body.
type MultiResult struct {
	Op   OpCode
	Err  Code
	Resp Record
}

// MultiResponse answers multi and multiRead.
type MultiResponse struct {
	Results []MultiResult
}

// Encode implements Record.
func (r *MultiResponse) Encode(e *Encoder) {
	for _, res := range r.Results {
		h := MultiHeader{Type: res.Op, Done: false, Err: res.Err}
		h.Encode(e)
		switch {
		case res.Op == OpError:
			e.Int(int32(res.Err))
		case res.Resp != nil:
			res.Resp.Encode(e)
		}
	}
	end := MultiHeader{Type: -1, Done: true, Err: -1}
	end.Encode(e)
}

// multiResultRecord returns a fresh record for the body of a result type.
func multiResultRecord(op OpCode) (Record, bool) {
	switch op {
	case OpCreate:
		return &CreateResponse{}, true
	case OpCreate2:
		return &Create2Response{}, true
	case OpSetData:
		return &StatResponse{}, true
	case OpGetChildren:
		return &GetChildrenResponse{}, true
	case OpGetData:
		return &GetDataResponse{}, true
	case OpDelete, OpCheck:
		return nil, true
	}
	return nil, false
}

// Decode implements Record.
func (r *MultiResponse) Decode(d *Decoder) {
	r.Results = r.Results[:0]
	for d.Err() == nil {
		var h MultiHeader
		h.Decode(d)
		if d.Err() != nil || h.Done {
			return
		}
		if len(r.Results) >= maxMultiOps {
			d.Fail(fmt.Errorf("%w: more than %d results in multi", ErrLength, maxMultiOps))
			return
		}
		res := MultiResult{Op: h.Type, Err: h.Err}
		if h.Type == OpError {
			res.Err = Code(d.Int())
		} else {
			rec, ok := multiResultRecord(h.Type)
			if !ok {
				d.Fail(fmt.Errorf("wire: result type %v not allowed in multi", h.Type))
				return
			}
			if rec != nil {
				rec.Decode(d)
				res.Resp = rec
			}
		}
		r.Results = append(r.Results, res)
	}
}
