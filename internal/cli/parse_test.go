package cli

import (
	"errors"
	"reflect"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"ls /", []string{"ls", "/"}},
		{"  set   /a   b  ", []string{"set", "/a", "b"}},
		{`create /a "hello world"`, []string{"create", "/a", "hello world"}},
		{`create /a 'it is'`, []string{"create", "/a", "it is"}},
		{`set /a ""`, []string{"set", "/a", ""}},
		{"set /a x\ty", []string{"set", "/a", "x", "y"}},
	}
	for _, tt := range tests {
		if got := Tokenize(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	type cmd struct {
		name   string
		flags  string
		values map[byte]string
		args   []string
		warn   bool
	}
	tests := []struct {
		line    string
		want    cmd
		wantErr string // exact error text when not empty
	}{
		// ls
		{"ls /", cmd{name: "ls", args: []string{"/"}}, ""},
		{"ls -s -w -R /a", cmd{name: "ls", flags: "swR", args: []string{"/a"}}, ""},
		{"ls -swR /a", cmd{name: "ls", flags: "swR", args: []string{"/a"}}, ""},
		{"ls /a -s", cmd{name: "ls", flags: "s", args: []string{"/a"}}, ""},
		{"ls /a watch", cmd{name: "ls", flags: "w", args: []string{"/a"}, warn: true}, ""},
		{"ls", cmd{}, "ls [-s] [-w] [-R] path"},
		{"ls -x /", cmd{}, "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x"},
		// get
		{"get -s -w /a", cmd{name: "get", flags: "sw", args: []string{"/a"}}, ""},
		{"get -b /a", cmd{name: "get", flags: "b", args: []string{"/a"}}, ""},
		{"get /a 1", cmd{name: "get", flags: "w", args: []string{"/a"}, warn: true}, ""},
		{"get", cmd{}, "get [-s] [-w] path"},
		// set
		{"set /a data", cmd{name: "set", args: []string{"/a", "data"}}, ""},
		{"set -s -v 3 /a data", cmd{name: "set", flags: "s", values: map[byte]string{'v': "3"}, args: []string{"/a", "data"}}, ""},
		{"set /a data -v3", cmd{name: "set", values: map[byte]string{'v': "3"}, args: []string{"/a", "data"}}, ""},
		{"set /a -1", cmd{name: "set", args: []string{"/a", "-1"}}, ""},
		{"set /a -- -s", cmd{name: "set", args: []string{"/a", "-s"}}, ""},
		{"set /a", cmd{}, "set [-s] [-v version] path data"},
		{"set /a x -v", cmd{}, "org.apache.commons.cli.MissingArgumentException: Missing argument for option: v"},
		// create
		{"create /a", cmd{name: "create", args: []string{"/a"}}, ""},
		{"create -e -s /a d world:anyone:r", cmd{name: "create", flags: "es", args: []string{"/a", "d", "world:anyone:r"}}, ""},
		{"create -es /a", cmd{name: "create", flags: "es", args: []string{"/a"}}, ""},
		{"create -c /a", cmd{name: "create", flags: "c", args: []string{"/a"}}, ""},
		{"create -t 1000 /a", cmd{name: "create", values: map[byte]string{'t': "1000"}, args: []string{"/a"}}, ""},
		{"create -st 1000 /a", cmd{name: "create", flags: "s", values: map[byte]string{'t': "1000"}, args: []string{"/a"}}, ""},
		{"create", cmd{}, "create [-s] [-e] [-c] [-t ttl] path [data] [acl]"},
		{"create -t", cmd{}, "org.apache.commons.cli.MissingArgumentException: Missing argument for option: t"},
		{"create -w /a", cmd{}, "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -w"},
		// delete, deleteall
		{"delete /a", cmd{name: "delete", args: []string{"/a"}}, ""},
		{"delete -v 2 /a", cmd{name: "delete", values: map[byte]string{'v': "2"}, args: []string{"/a"}}, ""},
		{"delete", cmd{}, "delete [-v version] path"},
		{"deleteall /a", cmd{name: "deleteall", args: []string{"/a"}}, ""},
		{"deleteall /a -b 10", cmd{name: "deleteall", values: map[byte]string{'b': "10"}, args: []string{"/a"}}, ""},
		{"deleteall", cmd{}, "deleteall path [-b batch size]"},
		// stat, acl, auth, sync
		{"stat -w /a", cmd{name: "stat", flags: "w", args: []string{"/a"}}, ""},
		{"stat /a true", cmd{name: "stat", flags: "w", args: []string{"/a"}, warn: true}, ""},
		{"stat", cmd{}, "stat [-w] path"},
		{"getAcl -s /a", cmd{name: "getAcl", flags: "s", args: []string{"/a"}}, ""},
		{"getAcl", cmd{}, "getAcl [-s] path"},
		{"setAcl -s -R -v 1 /a world:anyone:r", cmd{name: "setAcl", flags: "sR", values: map[byte]string{'v': "1"}, args: []string{"/a", "world:anyone:r"}}, ""},
		{"setAcl /a", cmd{}, "setAcl [-s] [-v version] [-R] path acl"},
		{"addauth digest u:p", cmd{name: "addauth", args: []string{"digest", "u:p"}}, ""},
		{"addauth", cmd{}, "addauth scheme auth"},
		{"sync /a", cmd{name: "sync", args: []string{"/a"}}, ""},
		{"sync", cmd{}, "sync path"},
		// shell commands
		{"printwatches off", cmd{name: "printwatches", args: []string{"off"}}, ""},
		{"printwatches", cmd{name: "printwatches"}, ""},
		{"history", cmd{name: "history"}, ""},
		{"redo 3", cmd{name: "redo", args: []string{"3"}}, ""},
		{"redo", cmd{}, "redo cmdno"},
		{"quit", cmd{name: "quit"}, ""},
		{"exit", cmd{name: "exit"}, ""},
		{"help", cmd{name: "help"}, ""},
		{"connect 127.0.0.1:2181", cmd{name: "connect", args: []string{"127.0.0.1:2181"}}, ""},
		{"close", cmd{name: "close"}, ""},
		{"version", cmd{name: "version"}, ""},
		// unknown
		{"frob /a", cmd{}, "Command not found: frob"},
		{"LS /", cmd{}, "Command not found: LS"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := Parse(tt.line)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse succeeded: %+v", got)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("error %q, want %q", err, tt.wantErr)
				}
				if !errors.Is(err, ErrUsage) {
					t.Errorf("error %v is not ErrUsage", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			flags := map[byte]bool{}
			for i := range len(tt.want.flags) {
				flags[tt.want.flags[i]] = true
			}
			values := tt.want.values
			if values == nil {
				values = map[byte]string{}
			}
			if got.Name != tt.want.name || !reflect.DeepEqual(got.Flags, flags) ||
				!reflect.DeepEqual(got.Values, values) || !reflect.DeepEqual(got.Args, tt.want.args) ||
				(got.Warning != "") != tt.want.warn {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.line, got, tt.want)
			}
		})
	}
}

func TestParseEmpty(t *testing.T) {
	c, err := Parse("   ")
	if err != nil || c.Name != "" {
		t.Fatalf("Parse(blank) = %+v, %v", c, err)
	}
}

func TestEveryCommandHasAHandler(t *testing.T) {
	for _, sp := range specs {
		if handlers[sp.name] == nil {
			t.Errorf("command %q has no handler", sp.name)
		}
	}
	if len(handlers) != len(specs) {
		t.Errorf("%d handlers for %d commands", len(handlers), len(specs))
	}
}
