package wire

// RequestRecord returns a fresh, empty record for the body of a request
// with the given opcode. ok is false for opcodes that are not client
// requests. Requests with no body (ping, closeSession, whoAmI) get *Empty.
func RequestRecord(op OpCode) (r Record, ok bool) {
	switch op {
	case OpCreate, OpCreate2, OpCreateContainer:
		return &CreateRequest{}, true
	case OpCreateTTL:
		return &CreateTTLRequest{}, true
	case OpDelete:
		return &DeleteRequest{}, true
	case OpExists, OpGetData, OpGetChildren, OpGetChildren2:
		return &PathWatchRequest{}, true
	case OpSetData:
		return &SetDataRequest{}, true
	case OpGetACL, OpSync, OpGetEphemerals, OpGetAllChildrenNumber:
		return &PathRequest{}, true
	case OpSetACL:
		return &SetACLRequest{}, true
	case OpCheck:
		return &CheckVersionRequest{}, true
	case OpMulti, OpMultiRead:
		return &MultiRequest{}, true
	case OpReconfig:
		return &ReconfigRequest{}, true
	case OpCheckWatches, OpRemoveWatches:
		return &WatchesRequest{}, true
	case OpDeleteContainer:
		return &DeleteContainerRequest{}, true
	case OpAuth:
		return &AuthPacket{}, true
	case OpSetWatches:
		return &SetWatches{}, true
	case OpSetWatches2:
		return &SetWatches2{}, true
	case OpSASL:
		return &BufferRecord{}, true
	case OpAddWatch:
		return &AddWatchRequest{}, true
	case OpPing, OpCloseSession, OpWhoAmI:
		return &Empty{}, true
	}
	return nil, false
}

// ResponseRecord returns a fresh, empty record for the body of a
// successful reply to op; ok is false for opcodes with no client reply.
// Replies with no body get *Empty.
func ResponseRecord(op OpCode) (r Record, ok bool) {
	switch op {
	case OpCreate:
		return &CreateResponse{}, true
	case OpCreate2, OpCreateContainer, OpCreateTTL:
		return &Create2Response{}, true
	case OpExists, OpSetData, OpSetACL:
		return &StatResponse{}, true
	case OpGetData:
		return &GetDataResponse{}, true
	case OpGetACL:
		return &GetACLResponse{}, true
	case OpGetChildren:
		return &GetChildrenResponse{}, true
	case OpGetChildren2:
		return &GetChildren2Response{}, true
	case OpSync:
		return &PathRequest{}, true
	case OpMulti, OpMultiRead:
		return &MultiResponse{}, true
	case OpReconfig:
		return &GetDataResponse{}, true
	case OpSASL:
		return &BufferRecord{}, true
	case OpGetEphemerals:
		return &GetEphemeralsResponse{}, true
	case OpGetAllChildrenNumber:
		return &GetAllChildrenNumberResponse{}, true
	case OpAddWatch:
		return &ErrorResponse{}, true
	case OpWhoAmI:
		return &WhoAmIResponse{}, true
	case OpDelete, OpPing, OpCloseSession, OpAuth, OpSetWatches, OpSetWatches2,
		OpCheckWatches, OpRemoveWatches, OpDeleteContainer:
		return &Empty{}, true
	}
	return nil, false
}
