package compat

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/zkenv"
)

// debianPython is the interpreter Debian's python3-kazoo installs for.
const debianPython = "/usr/bin/python3"

func TestKazoo(t *testing.T) {
	if _, err := os.Stat(debianPython); err != nil {
		t.Fatalf("%s missing: run scripts/deps.sh", debianPython)
	}
	for _, kind := range zkenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			srv := zkenv.StartT(t, kind, zkenv.Options{})
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, debianPython, "testdata/kazoo_roundtrip.py", srv.Addr, "/kazoo-test")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "OK") {
				t.Fatalf("kazoo against %s: %v\n%s", kind, err, out)
			}
		})
	}
}

// zkCli runs one zkCli.sh command against addr and returns its output.
func zkCli(t *testing.T, addr string, wantErr bool, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	full := append([]string{"-server", addr}, args...)
	cmd := exec.CommandContext(ctx, "/usr/share/zookeeper/bin/zkCli.sh", full...)
	cmd.Env = append(os.Environ(), "ZOO_LOG_DIR="+t.TempDir(), "CLIENT_JVMFLAGS=-Dzookeeper.root.logger=ERROR,CONSOLE")
	out, err := cmd.CombinedOutput()
	if (err != nil) != wantErr {
		t.Fatalf("zkCli.sh %v: error %v (want error: %v)\n%s", args, err, wantErr, out)
	}
	return string(out)
}

func TestZkCli(t *testing.T) {
	if _, err := os.Stat("/usr/share/zookeeper/bin/zkCli.sh"); err != nil {
		t.Fatalf("zkCli.sh missing: run scripts/deps.sh")
	}
	for _, kind := range zkenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			srv := zkenv.StartT(t, kind, zkenv.Options{})
			root := fmt.Sprintf("/zkcli-%d", time.Now().UnixNano())
			steps := []struct {
				args    []string
				want    string // a line the output must contain
				wantErr bool   // zkCli.sh exits non-zero
			}{
				{[]string{"create", root, "top"}, "Created " + root, false},
				{[]string{"create", root + "/a", "alpha"}, "Created " + root + "/a", false},
				{[]string{"get", root + "/a"}, "alpha", false},
				{[]string{"set", root + "/a", "beta"}, "", false},
				{[]string{"get", "-s", root + "/a"}, "dataVersion = 1", false},
				{[]string{"get", root + "/a"}, "beta", false},
				{[]string{"ls", root}, "[a]", false},
				{[]string{"stat", root}, "numChildren = 1", false},
				{[]string{"delete", root + "/a"}, "", false},
				{[]string{"ls", root}, "[]", false},
				{[]string{"get", root + "/a"}, "Node does not exist: " + root + "/a", true},
				{[]string{"delete", root}, "", false},
			}
			for _, s := range steps {
				out := zkCli(t, srv.Addr, s.wantErr, s.args...)
				if s.want != "" && !strings.Contains(out, s.want) {
					t.Fatalf("zkCli.sh %v against %s: want %q in output:\n%s", s.args, kind, s.want, out)
				}
			}
		})
	}
}
