package cli

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

func TestParseACL(t *testing.T) {
	tests := []struct {
		in      string
		want    []zk.ACL
		wantErr string
	}{
		{"world:anyone:cdrwa", []zk.ACL{{Perms: zk.PermAll, Scheme: "world", ID: "anyone"}}, ""},
		{"world:anyone:cdrwa,digest:u:hash=:r", []zk.ACL{
			{Perms: zk.PermAll, Scheme: "world", ID: "anyone"},
			{Perms: zk.PermRead, Scheme: "digest", ID: "u:hash="},
		}, ""},
		{"ip:10.0.0.1:rw", []zk.ACL{{Perms: zk.PermRead | zk.PermWrite, Scheme: "ip", ID: "10.0.0.1"}}, ""},
		{"auth::cd", []zk.ACL{{Perms: zk.PermCreate | zk.PermDelete, Scheme: "auth", ID: ""}}, ""},
		{"world:anyone:", []zk.ACL{{Perms: 0, Scheme: "world", ID: "anyone"}}, ""},
		{"world:anyone", nil, "world:anyone does not have the form scheme:id:perm"},
		{"world", nil, "world does not have the form scheme:id:perm"},
		{"world:anyone:rx", nil, "Unknown perm type: x"},
	}
	for _, tt := range tests {
		got, err := ParseACL(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseACL(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseACL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatACL(t *testing.T) {
	tests := []struct {
		acl  zk.ACL
		want string
	}{
		{zk.ACL{Perms: zk.PermAll, Scheme: "world", ID: "anyone"}, "'world,'anyone\n: cdrwa\n"},
		{zk.ACL{Perms: zk.PermRead | zk.PermAdmin, Scheme: "digest", ID: "u:x="}, "'digest,'u:x=\n: ra\n"},
		{zk.ACL{Perms: 0, Scheme: "x", ID: "a,b%}"}, "'x,'a%2Cb%25%7D\n: \n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		formatACL(&b, tt.acl)
		if b.String() != tt.want {
			t.Errorf("formatACL(%+v) = %q, want %q", tt.acl, b.String(), tt.want)
		}
	}
}

func TestFormatStat(t *testing.T) {
	st := &zk.Stat{Czxid: 0x1a, Mzxid: 0x2b, Ctime: 0, Mtime: 1700000000123, Pzxid: 0x1a,
		Cversion: 2, Version: 3, Aversion: 1, EphemeralOwner: -0x7000000000000000, DataLength: 5, NumChildren: 2}
	var b bytes.Buffer
	formatStat(&b, st, time.UTC)
	want := `cZxid = 0x1a
ctime = Thu Jan 01 00:00:00 UTC 1970
mZxid = 0x2b
mtime = Tue Nov 14 22:13:20 UTC 2023
pZxid = 0x1a
cversion = 2
dataVersion = 3
aclVersion = 1
ephemeralOwner = 0x9000000000000000
dataLength = 5
numChildren = 2
`
	if b.String() != want {
		t.Errorf("formatStat:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestValidatePath(t *testing.T) {
	tests := []struct {
		path, want string // want "" = valid
	}{
		{"/", ""},
		{"/a/b", ""},
		{"/a.b/..c", ""},
		{"/ünïcode", ""},
		{"", "Path length must be > 0"},
		{"a", "Path must start with / character"},
		{"/a/", "Path must not end with / character"},
		{"/a//b", `Invalid path string "/a//b" caused by empty node name specified @3`},
		{"/a/./b", `Invalid path string "/a/./b" caused by relative paths not allowed @3`},
		{"/a/..", `Invalid path string "/a/.." caused by relative paths not allowed @4`},
		{"/a\x00", `Invalid path string "/a\x00" caused by null character not allowed @2`},
		{"/a\x01", `Invalid path string "/a\x01" caused by invalid character @2`},
		{"/a\U0001F600", `Invalid path string "/a😀" caused by invalid character @2`},
	}
	for _, tt := range tests {
		err := validatePath(tt.path)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("validatePath(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{zk.ErrNoNode, "Node does not exist: /x"},
		{fmt.Errorf("wrapped: %w", zk.ErrNodeExists), "Node already exists: /x"},
		{zk.ErrNotEmpty, "Node not empty: /x"},
		{zk.ErrBadVersion, "version No is not valid : /x"},
		{zk.ErrNoAuth, "Insufficient permission : /x"},
		{zk.ErrInvalidACL, "Acl is not valid : /x"},
		{zk.ErrNoChildrenForEphemerals, "Ephemerals cannot have children: /x"},
		{zk.ErrBadArguments, "Arguments are not valid : /x"},
		{zk.ErrConnectionClosed, "KeeperErrorCode = ConnectionLoss for /x"},
		{zk.ErrSessionExpired, "KeeperErrorCode = Session expired for /x"},
		{errors.New("other"), "other"},
	}
	for _, tt := range tests {
		if got := describe(tt.err, "/x"); got != tt.want {
			t.Errorf("describe(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestFormatEvent(t *testing.T) {
	tests := []struct {
		ev   zk.Event
		want string
	}{
		{zk.Event{Type: zk.EventNodeDataChanged, State: zk.StateSyncConnected, Path: "/x"},
			"WatchedEvent state:SyncConnected type:NodeDataChanged path:/x"},
		{zk.Event{Type: zk.EventNodeChildrenChanged, State: zk.StateSyncConnected, Path: "/"},
			"WatchedEvent state:SyncConnected type:NodeChildrenChanged path:/"},
		{zk.Event{Type: zk.EventNodeCreated, State: zk.StateSyncConnected, Path: "/a"},
			"WatchedEvent state:SyncConnected type:NodeCreated path:/a"},
		{zk.Event{Type: zk.EventNodeDeleted, State: zk.StateSyncConnected, Path: "/a"},
			"WatchedEvent state:SyncConnected type:NodeDeleted path:/a"},
		{zk.Event{Type: zk.EventSession, State: zk.StateDisconnected},
			"WatchedEvent state:Disconnected type:None path:null"},
	}
	for _, tt := range tests {
		if got := formatEvent(tt.ev); got != tt.want {
			t.Errorf("formatEvent(%+v) = %q, want %q", tt.ev, got, tt.want)
		}
	}
}
