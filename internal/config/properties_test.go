package config

import (
	"reflect"
	"testing"
)

func TestParseProperties(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []property
	}{
		{"equals", "a=1\n", []property{{"a", "1", 1}}},
		{"colon", "a:1", []property{{"a", "1", 1}}},
		{"blank separator", "a 1", []property{{"a", "1", 1}}},
		{"blanks around separator", "  a \t=  1 2  \n", []property{{"a", "1 2", 1}}},
		{"blank then equals", "a = =1", []property{{"a", "=1", 1}}},
		{"value keeps later separators", "server.1=h:1:2;3", []property{{"server.1", "h:1:2;3", 1}}},
		{"comments and blank lines", "# c\n! c\n\n   # indented\nb=2", []property{{"b", "2", 5}}},
		{"key only", "flag\n", []property{{"flag", "", 1}}},
		{"empty value", "k=\n", []property{{"k", "", 1}}},
		{"crlf", "a=1\r\nb=2\r\n", []property{{"a", "1", 1}, {"b", "2", 2}}},
		{"continuation", "a=1,\\\n    2\nb=3", []property{{"a", "1,2", 1}, {"b", "3", 3}}},
		{"escaped backslash is no continuation", "a=x\\\\\nb=3", []property{{"a", `x\`, 1}, {"b", "3", 2}}},
		{"escaped separator in key", `a\=b=c`, []property{{"a=b", "c", 1}}},
		{"escapes", `a=x\t\u0041\q`, []property{{"a", "x\tAq", 1}}},
		{"escaped blank is trimmed as ZooKeeper does", `a=\t1`, []property{{"a", "1", 1}}},
		{"duplicates kept in order", "a=1\na=2", []property{{"a", "1", 1}, {"a", "2", 2}}},
		{"trailing continuation at EOF", "a=1\\", []property{{"a", "1", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseProperties(tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseProperties(%q) = %#v, want %#v", tt.text, got, tt.want)
			}
		})
	}
}

func TestParseServerLine(t *testing.T) {
	tests := []struct {
		key, value string
		want       ServerSpec
		wantErr    bool
	}{
		{"server.1", "zk1:2888:3888", ServerSpec{ID: 1, Host: "zk1", QuorumPort: 2888, ElectionPort: 3888, Role: RoleParticipant}, false},
		{"server.2", "zk2:2888:3888:observer", ServerSpec{ID: 2, Host: "zk2", QuorumPort: 2888, ElectionPort: 3888, Role: RoleObserver}, false},
		{"server.3", "zk3:2888:3888:participant;2181", ServerSpec{ID: 3, Host: "zk3", QuorumPort: 2888, ElectionPort: 3888, Role: RoleParticipant, ClientPort: 2181}, false},
		{"server.4", "zk4:2888:3888;10.1.1.1:2181", ServerSpec{ID: 4, Host: "zk4", QuorumPort: 2888, ElectionPort: 3888, Role: RoleParticipant, ClientAddr: "10.1.1.1", ClientPort: 2181}, false},
		{"server.5", "zk5:2888:3888;0.0.0.0:2181", ServerSpec{ID: 5, Host: "zk5", QuorumPort: 2888, ElectionPort: 3888, Role: RoleParticipant, ClientPort: 2181}, false},
		{"server.6", "[fe80::1]:2888:3888;[::1]:2181", ServerSpec{ID: 6, Host: "fe80::1", QuorumPort: 2888, ElectionPort: 3888, Role: RoleParticipant, ClientAddr: "::1", ClientPort: 2181}, false},
		{"server.7", "zk:2888:3888;2181;2182", ServerSpec{}, true},
		{"server.8", "zk:2888:3888:observer:x", ServerSpec{}, true},
		{"server.9", ":2888:3888", ServerSpec{}, true},
		{"server.10", "[::1:2888:3888", ServerSpec{}, true},
		{"server.11", "zk:0:3888", ServerSpec{}, true},
		{"server.12", "zk:2888:65536", ServerSpec{}, true},
		{"server.0", "zk:2888:3888", ServerSpec{}, true},
		{"server.13", "zk:2888:3888;a:b:2181", ServerSpec{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			got, err := parseServerLine(tt.key, tt.value)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseWhitelist(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"srvr", []string{"srvr"}, false},
		{"ruok, stat ,mntr", []string{"ruok", "stat", "mntr"}, false},
		{"ruok stat", []string{"ruok", "stat"}, false},
		{"*", fourLetterWords, false},
		{"srvr,*", fourLetterWords, false},
		{"", nil, false},
		{"kill", nil, true},
		{"SRVR", nil, true},
	}
	for _, tt := range tests {
		got, err := parseWhitelist(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseWhitelist(%q) err = %v", tt.in, err)
			continue
		}
		if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseWhitelist(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
