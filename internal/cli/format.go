package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/go-zookeeper/zk"
)

// javaDate is the layout of java.util.Date.toString.
const javaDate = "Mon Jan 02 15:04:05 MST 2006"

// formatStat prints a Stat as zkCli's StatPrinter does. loc is the time
// zone for ctime and mtime (Java uses the JVM's default zone).
func formatStat(w io.Writer, st *zk.Stat, loc *time.Location) {
	hex := func(v int64) string { return "0x" + strconv.FormatUint(uint64(v), 16) }
	date := func(ms int64) string { return time.UnixMilli(ms).In(loc).Format(javaDate) }
	fmt.Fprintf(w, "cZxid = %s\n", hex(st.Czxid))
	fmt.Fprintf(w, "ctime = %s\n", date(st.Ctime))
	fmt.Fprintf(w, "mZxid = %s\n", hex(st.Mzxid))
	fmt.Fprintf(w, "mtime = %s\n", date(st.Mtime))
	fmt.Fprintf(w, "pZxid = %s\n", hex(st.Pzxid))
	fmt.Fprintf(w, "cversion = %d\n", st.Cversion)
	fmt.Fprintf(w, "dataVersion = %d\n", st.Version)
	fmt.Fprintf(w, "aclVersion = %d\n", st.Aversion)
	fmt.Fprintf(w, "ephemeralOwner = %s\n", hex(st.EphemeralOwner))
	fmt.Fprintf(w, "dataLength = %d\n", st.DataLength)
	fmt.Fprintf(w, "numChildren = %d\n", st.NumChildren)
}

// ParseACL reads zkCli's ACL text, "scheme:id:perms[,scheme:id:perms…]",
// for example "world:anyone:cdrwa,digest:u:hash:r". The id runs from the
// first to the last colon, so digest ids keep theirs. Unlike zkCli, which
// skips a malformed entry with a message, a malformed entry or an unknown
// permission letter is an error.
func ParseACL(text string) ([]zk.ACL, error) {
	var acl []zk.ACL
	for _, entry := range strings.Split(text, ",") {
		first, last := strings.IndexByte(entry, ':'), strings.LastIndexByte(entry, ':')
		if first < 0 || first == last {
			return nil, fmt.Errorf("%s does not have the form scheme:id:perm", entry)
		}
		perms, err := parsePerms(entry[last+1:])
		if err != nil {
			return nil, err
		}
		acl = append(acl, zk.ACL{Scheme: entry[:first], ID: entry[first+1 : last], Perms: perms})
	}
	return acl, nil
}

func parsePerms(s string) (int32, error) {
	var p int32
	for _, c := range s {
		switch c {
		case 'r':
			p |= zk.PermRead
		case 'w':
			p |= zk.PermWrite
		case 'c':
			p |= zk.PermCreate
		case 'd':
			p |= zk.PermDelete
		case 'a':
			p |= zk.PermAdmin
		default:
			//lint:ignore ST1005 the message is zkCli's, word for word
			return 0, fmt.Errorf("Unknown perm type: %c", c)
		}
	}
	return p, nil
}

// permString is ZKUtil.getPermString: the letters in cdrwa order.
func permString(p int32) string {
	var b strings.Builder
	for _, x := range []struct {
		bit int32
		c   byte
	}{{zk.PermCreate, 'c'}, {zk.PermDelete, 'd'}, {zk.PermRead, 'r'}, {zk.PermWrite, 'w'}, {zk.PermAdmin, 'a'}} {
		if p&x.bit != 0 {
			b.WriteByte(x.c)
		}
	}
	return b.String()
}

// formatACL prints one ACL entry as zkCli's getAcl does: the Id record in
// jute's CSV form, a newline, then ": perms".
func formatACL(w io.Writer, a zk.ACL) {
	fmt.Fprintf(w, "'%s,'%s\n: %s\n", csvString(a.Scheme), csvString(a.ID), permString(a.Perms))
}

// csvString escapes as jute's Utils.toCSVString (without its leading
// quote).
func csvString(s string) string {
	r := strings.NewReplacer("%", "%25", "\x00", "%00", "\n", "%0A", "\r", "%0D", ",", "%2C", "}", "%7D")
	return r.Replace(s)
}

// validatePath is ZooKeeper's PathUtils.validatePath, so a bad path gives
// zkCli's message rather than go-zookeeper's "zk: invalid path". Indexes
// count UTF-16 units, as Java's do.
func validatePath(path string) error {
	if path == "" {
		//lint:ignore ST1005 the message is zkCli's, word for word
		return errors.New("Path length must be > 0")
	}
	if path[0] != '/' {
		//lint:ignore ST1005 the message is zkCli's, word for word
		return errors.New("Path must start with / character")
	}
	if len(path) == 1 {
		return nil
	}
	if path[len(path)-1] == '/' {
		//lint:ignore ST1005 the message is zkCli's, word for word
		return errors.New("Path must not end with / character")
	}
	chars := utf16.Encode([]rune(path))
	reason := ""
	last := uint16('/')
	for i := 1; i < len(chars); last, i = chars[i], i+1 {
		c := chars[i]
		next := func() bool { return i+1 == len(chars) || chars[i+1] == '/' }
		switch {
		case c == 0:
			reason = fmt.Sprintf("null character not allowed @%d", i)
		case c == '/' && last == '/':
			reason = fmt.Sprintf("empty node name specified @%d", i)
		case c == '.' && last == '.':
			if chars[i-2] == '/' && next() {
				reason = fmt.Sprintf("relative paths not allowed @%d", i)
			}
		case c == '.':
			if chars[i-1] == '/' && next() {
				reason = fmt.Sprintf("relative paths not allowed @%d", i)
			}
		case c > 0 && c <= 0x1f, c >= 0x7f && c <= 0x9f, c >= 0xd800 && c <= 0xf8ff, c >= 0xfff0:
			reason = fmt.Sprintf("invalid character @%d", i)
		}
		if reason != "" {
			//lint:ignore ST1005 the message is zkCli's, word for word
			return fmt.Errorf("Invalid path string %q caused by %s", path, reason)
		}
	}
	return nil
}

// describe turns a client error into zkCli's message for it
// (CliWrapperException), naming path.
func describe(err error, path string) string {
	switch {
	case errors.Is(err, zk.ErrNoNode):
		return "Node does not exist: " + path
	case errors.Is(err, zk.ErrNoChildrenForEphemerals):
		return "Ephemerals cannot have children: " + path
	case errors.Is(err, zk.ErrNodeExists):
		return "Node already exists: " + path
	case errors.Is(err, zk.ErrNotEmpty):
		return "Node not empty: " + path
	case errors.Is(err, zk.ErrInvalidACL):
		return "Acl is not valid : " + path
	case errors.Is(err, zk.ErrNoAuth):
		return "Insufficient permission : " + path
	case errors.Is(err, zk.ErrBadArguments):
		return "Arguments are not valid : " + path
	case errors.Is(err, zk.ErrBadVersion):
		return "version No is not valid : " + path
	case errors.Is(err, zk.ErrSessionExpired):
		return "KeeperErrorCode = Session expired for " + path
	case errors.Is(err, zk.ErrAuthFailed):
		return "KeeperErrorCode = AuthFailed for " + path
	case errors.Is(err, zk.ErrSessionMoved):
		return "KeeperErrorCode = Session moved for " + path
	case errors.Is(err, zk.ErrConnectionClosed), errors.Is(err, zk.ErrNoServer), errors.Is(err, zk.ErrClosing):
		return "KeeperErrorCode = ConnectionLoss for " + path
	}
	return err.Error()
}

// keeperState names a go-zookeeper state as Java's Watcher.Event.KeeperState.
func keeperState(s zk.State) string {
	switch s {
	case zk.StateDisconnected, zk.StateConnecting:
		return "Disconnected"
	case zk.StateSyncConnected, zk.StateHasSession, zk.StateConnected:
		return "SyncConnected"
	case zk.StateAuthFailed:
		return "AuthFailed"
	case zk.StateConnectedReadOnly:
		return "ConnectedReadOnly"
	case zk.StateSaslAuthenticated:
		return "SaslAuthenticated"
	case zk.StateExpired:
		return "Expired"
	}
	return "Unknown"
}

// eventType names a go-zookeeper event type as Java's
// Watcher.Event.EventType.
func eventType(t zk.EventType) string {
	switch t {
	case zk.EventNodeCreated:
		return "NodeCreated"
	case zk.EventNodeDeleted:
		return "NodeDeleted"
	case zk.EventNodeDataChanged:
		return "NodeDataChanged"
	case zk.EventNodeChildrenChanged:
		return "NodeChildrenChanged"
	}
	return "None"
}

// formatEvent is WatchedEvent.toString.
func formatEvent(ev zk.Event) string {
	path := ev.Path
	if path == "" {
		path = "null"
	}
	return fmt.Sprintf("WatchedEvent state:%s type:%s path:%s", keeperState(ev.State), eventType(ev.Type), path)
}

// promptState names a connection state as Java's ZooKeeper.States, which
// the prompt shows.
func promptState(s zk.State) string {
	switch s {
	case zk.StateHasSession, zk.StateSyncConnected:
		return "CONNECTED"
	case zk.StateConnectedReadOnly:
		return "CONNECTEDREADONLY"
	case zk.StateAuthFailed:
		return "AUTH_FAILED"
	case zk.StateExpired, zk.StateUnknown:
		return "CLOSED"
	}
	return "CONNECTING"
}
