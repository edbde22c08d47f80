package wire

import "fmt"

// OpCode identifies a request type on the wire (ZooDefs.OpCode).
// The values are ZooKeeper's; ONLY APPEND to this list.
type OpCode int32

// Opcodes of the client protocol.
const (
	OpNotification         OpCode = 0
	OpCreate               OpCode = 1
	OpDelete               OpCode = 2
	OpExists               OpCode = 3
	OpGetData              OpCode = 4
	OpSetData              OpCode = 5
	OpGetACL               OpCode = 6
	OpSetACL               OpCode = 7
	OpGetChildren          OpCode = 8
	OpSync                 OpCode = 9
	OpPing                 OpCode = 11
	OpGetChildren2         OpCode = 12
	OpCheck                OpCode = 13
	OpMulti                OpCode = 14
	OpCreate2              OpCode = 15
	OpReconfig             OpCode = 16
	OpCheckWatches         OpCode = 17
	OpRemoveWatches        OpCode = 18
	OpCreateContainer      OpCode = 19
	OpDeleteContainer      OpCode = 20
	OpCreateTTL            OpCode = 21
	OpMultiRead            OpCode = 22
	OpAuth                 OpCode = 100
	OpSetWatches           OpCode = 101
	OpSASL                 OpCode = 102
	OpGetEphemerals        OpCode = 103
	OpGetAllChildrenNumber OpCode = 104
	OpSetWatches2          OpCode = 105
	OpAddWatch             OpCode = 106
	OpWhoAmI               OpCode = 107
	OpCreateSession        OpCode = -10
	OpCloseSession         OpCode = -11
	OpError                OpCode = -1
)

var opNames = map[OpCode]string{
	OpNotification: "notification", OpCreate: "create", OpDelete: "delete",
	OpExists: "exists", OpGetData: "getData", OpSetData: "setData",
	OpGetACL: "getACL", OpSetACL: "setACL", OpGetChildren: "getChildren",
	OpSync: "sync", OpPing: "ping", OpGetChildren2: "getChildren2",
	OpCheck: "check", OpMulti: "multi", OpCreate2: "create2",
	OpReconfig: "reconfig", OpCheckWatches: "checkWatches",
	OpRemoveWatches: "removeWatches", OpCreateContainer: "createContainer",
	OpDeleteContainer: "deleteContainer", OpCreateTTL: "createTTL",
	OpMultiRead: "multiRead", OpAuth: "auth", OpSetWatches: "setWatches",
	OpSASL: "sasl", OpGetEphemerals: "getEphemerals",
	OpGetAllChildrenNumber: "getAllChildrenNumber", OpSetWatches2: "setWatches2",
	OpAddWatch: "addWatch", OpWhoAmI: "whoAmI", OpCreateSession: "createSession",
	OpCloseSession: "closeSession", OpError: "error",
}

func (o OpCode) String() string {
	if s, ok := opNames[o]; ok {
		return s
	}
	return fmt.Sprintf("op(%d)", int32(o))
}

// Code is a ZooKeeper error code as carried in ReplyHeader.Err and in multi
// results. It implements error so tree and server code can return it directly.
// Never invent codes: Java clients throw on codes they do not know.
type Code int32

// Error codes (KeeperException.Code).
const (
	ZOK                      Code = 0
	ZSystemError             Code = -1
	ZRuntimeInconsistency    Code = -2
	ZDataInconsistency       Code = -3
	ZConnectionLoss          Code = -4
	ZMarshallingError        Code = -5
	ZUnimplemented           Code = -6
	ZOperationTimeout        Code = -7
	ZBadArguments            Code = -8
	ZInvalidState            Code = -9
	ZUnknownSession          Code = -12
	ZNewConfigNoQuorum       Code = -13
	ZReconfigInProgress      Code = -14
	ZAPIError                Code = -100
	ZNoNode                  Code = -101
	ZNoAuth                  Code = -102
	ZBadVersion              Code = -103
	ZNoChildrenForEphemerals Code = -108
	ZNodeExists              Code = -110
	ZNotEmpty                Code = -111
	ZSessionExpired          Code = -112
	ZInvalidCallback         Code = -113
	ZInvalidACL              Code = -114
	ZAuthFailed              Code = -115
	ZSessionMoved            Code = -118
	ZNotReadOnly             Code = -119
	ZNoWatcher               Code = -121
	ZRequestTimeout          Code = -122
	ZReconfigDisabled        Code = -123
	ZQuotaExceeded           Code = -125
	ZThrottledOp             Code = -127
)

var codeNames = map[Code]string{
	ZOK: "ok", ZSystemError: "system error", ZRuntimeInconsistency: "runtime inconsistency",
	ZDataInconsistency: "data inconsistency", ZConnectionLoss: "connection loss",
	ZMarshallingError: "marshalling error", ZUnimplemented: "unimplemented",
	ZOperationTimeout: "operation timeout", ZBadArguments: "bad arguments",
	ZInvalidState: "invalid state", ZUnknownSession: "unknown session",
	ZNewConfigNoQuorum: "new config no quorum", ZReconfigInProgress: "reconfig in progress",
	ZAPIError: "api error", ZNoNode: "node does not exist", ZNoAuth: "not authenticated",
	ZBadVersion: "bad version", ZNoChildrenForEphemerals: "ephemeral nodes may not have children",
	ZNodeExists: "node already exists", ZNotEmpty: "node has children",
	ZSessionExpired: "session expired", ZInvalidCallback: "invalid callback",
	ZInvalidACL: "invalid ACL", ZAuthFailed: "authentication failed",
	ZSessionMoved: "session moved", ZNotReadOnly: "not a read-only call",
	ZNoWatcher: "no such watcher", ZRequestTimeout: "request timeout",
	ZReconfigDisabled: "reconfig disabled", ZQuotaExceeded: "quota exceeded",
	ZThrottledOp: "throttled",
}

func (c Code) Error() string {
	if s, ok := codeNames[c]; ok {
		return fmt.Sprintf("zk: %s (%d)", s, int32(c))
	}
	return fmt.Sprintf("zk: error %d", int32(c))
}

// EventType is the type of a watch notification (Watcher.Event.EventType).
type EventType int32

// Event types.
const (
	EventNone                   EventType = -1
	EventNodeCreated            EventType = 1
	EventNodeDeleted            EventType = 2
	EventNodeDataChanged        EventType = 3
	EventNodeChildrenChanged    EventType = 4
	EventDataWatchRemoved       EventType = 5
	EventChildWatchRemoved      EventType = 6
	EventPersistentWatchRemoved EventType = 7
)

// KeeperState is the session state carried in a notification.
type KeeperState int32

// Session states. Server notifications always carry StateSyncConnected.
const (
	StateDisconnected      KeeperState = 0
	StateSyncConnected     KeeperState = 3
	StateAuthFailed        KeeperState = 4
	StateConnectedReadOnly KeeperState = 5
	StateExpired           KeeperState = -112
)

// WatcherType selects watches in checkWatches and removeWatches.
type WatcherType int32

// Watcher types.
const (
	WatcherChildren            WatcherType = 1
	WatcherData                WatcherType = 2
	WatcherAny                 WatcherType = 3
	WatcherPersistent          WatcherType = 4
	WatcherPersistentRecursive WatcherType = 5
)

// AddWatch modes.
const (
	AddWatchPersistent          int32 = 0
	AddWatchPersistentRecursive int32 = 1
)

// CreateMode flags of create requests.
const (
	FlagPersistent              int32 = 0
	FlagEphemeral               int32 = 1
	FlagPersistentSequential    int32 = 2
	FlagEphemeralSequential     int32 = 3
	FlagContainer               int32 = 4
	FlagPersistentWithTTL       int32 = 5
	FlagPersistentSequentialTTL int32 = 6
)

// Permission bits of an ACL.
const (
	PermRead   int32 = 1
	PermWrite  int32 = 2
	PermCreate int32 = 4
	PermDelete int32 = 8
	PermAdmin  int32 = 16
	PermAll    int32 = 31
)

// Special xids.
const (
	XidNotification int32 = -1
	XidPing         int32 = -2
	XidAuth         int32 = -4
	XidSetWatches   int32 = -8
)

// Limits.
const (
	// MaxBuffer is jute.maxbuffer: the largest frame a server accepts.
	MaxBuffer = 0xfffff
	// ProtocolVersion is the only protocol version ZooKeeper speaks.
	ProtocolVersion = 0
	// ContainerOwner is the ephemeralOwner value that marks a container.
	ContainerOwner int64 = -0x8000000000000000
	// MaxTTL is the largest TTL in milliseconds (40 bits).
	MaxTTL int64 = 0xFFFFFFFFFF
)
