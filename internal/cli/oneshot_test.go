package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/zkenv"
)

var (
	update = flag.Bool("update", false, "rewrite testdata/zkcli.golden by running Debian's zkCli.sh against Apache ZooKeeper")
	live   = flag.Bool("live", false, "also run Debian's zkCli.sh itself against both servers and compare with testdata/zkcli.golden (slow)")
)

// zkCliScript is a sequence of one-shot commands, each run on its own
// session, as a shell script calling zkCli.sh would. It covers every
// command's flags, output shape and error message.
var zkCliScript = [][]string{
	{"create", "/clitest", "top"},
	{"create", "/clitest", "again"},
	{"create", "/clitest/a", "alpha"},
	{"create", "/clitest/nodata"},
	{"get", "/clitest/nodata"},
	{"create", "-s", "/clitest/a/s-", "x"},
	{"create", "-s", "/clitest/a/s-", "y"},
	{"create", "-c", "/clitest/c"},
	{"create", "-c", "-e", "/clitest/bad"},
	{"create", "-t", "60000", "/clitest/t", "x"},
	{"create", "-t", "abc", "/clitest/t2", "x"},
	{"create", "-e", "-t", "100", "/clitest/t3"},
	{"create", "/clitest/a/b/c", "x"},
	{"create", "/clitest/acl", "x", "world:anyone:r"},
	{"create", "/clitest/sp ace", "a b"},
	{"get", "/clitest/sp ace"},
	{"ls", "/clitest"},
	{"ls", "-s", "/clitest"},
	{"ls", "-R", "/clitest"},
	{"ls", "/clitest/none"},
	{"get", "/clitest/a"},
	{"get", "-s", "/clitest/a"},
	{"get", "-w", "/clitest/a"},
	{"set", "/clitest/a", "beta"},
	{"set", "-s", "-v", "1", "/clitest/a", "gamma"},
	{"set", "-v", "7", "/clitest/a", "x"},
	{"set", "/clitest/acl", "x"},
	{"stat", "/clitest/a"},
	{"stat", "/clitest/none"},
	{"getAcl", "/clitest/acl"},
	{"getAcl", "-s", "/clitest/a"},
	{"setAcl", "/clitest/a", "world:anyone:cdrwa,digest:u:hash=:r"},
	{"getAcl", "/clitest/a"},
	{"setAcl", "-v", "5", "/clitest/a", "world:anyone:cdrwa"},
	{"delete", "/clitest/a"},
	{"delete", "-v", "9", "/clitest/nodata"},
	{"delete", "/clitest/nodata"},
	{"sync", "/clitest"},
	{"get", "clitest"},
	{"get", "/clitest/"},
	{"get", "/clitest//x"},
	{"ls", "-x", "/clitest"},
	{"get"},
	{"printwatches"},
	{"addauth", "digest", "u:p"},
	{"deleteall", "/clitest"},
	{"ls", "/clitest"},
}

// runner runs one command and returns its stdout, stderr and exit code.
type runner func(t *testing.T, addr string, args []string) (stdout, stderr string, code int)

func runOurs(t *testing.T, addr string, args []string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := OneShot(Options{Server: addr, Out: &out, Err: &errOut, Location: time.Local}, args, 30*time.Second)
	return out.String(), errOut.String(), code
}

func runZkCli(t *testing.T, addr string, args []string) (string, string, int) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/share/zookeeper/bin/zkCli.sh", append([]string{"-server", addr}, args...)...)
	cmd.Env = append(os.Environ(), "ZOO_LOG_DIR="+t.TempDir(), "CLIENT_JVMFLAGS=-Dzookeeper.root.logger=ERROR,CONSOLE")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("zkCli.sh %v: %v", args, err)
	}
	// zkCli.sh always announces the connection and its first event.
	stdout := strings.TrimPrefix(out.String(), "Connecting to "+addr+"\n")
	stdout = strings.Replace(stdout, "\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n", "", 1)
	var kept []string
	for _, l := range strings.SplitAfter(errOut.String(), "\n") {
		if !strings.HasPrefix(l, "SLF4J:") && l != "" {
			kept = append(kept, l)
		}
	}
	return stdout, strings.Join(kept, ""), code
}

var (
	dateLine  = regexp.MustCompile(`(?m)^([cm]time) = .*$`)
	zxidLine  = regexp.MustCompile(`(?m)^([cmp]Zxid) = 0x[0-9a-f]+$`)
	ownerLine = regexp.MustCompile(`(?m)^ephemeralOwner = 0x[1-9a-f][0-9a-f]*$`)
)

// transcript runs the script on a fresh server and returns the record of
// every command, with times, zxids and session ids (which differ from run
// to run) replaced by placeholders.
func transcript(t *testing.T, addr string, run runner) string {
	var b strings.Builder
	for _, args := range zkCliScript {
		out, errOut, code := run(t, addr, args)
		fmt.Fprintf(&b, "$ %q\nexit %d\n--- stdout\n%s--- stderr\n%s\n", args, code, out, errOut)
	}
	s := dateLine.ReplaceAllString(b.String(), "$1 = <date>")
	s = zxidLine.ReplaceAllString(s, "$1 = 0x<zxid>")
	s = ownerLine.ReplaceAllString(s, "ephemeralOwner = 0x<session>")
	return strings.ReplaceAll(s, addr, "<addr>")
}

func serverOptions() zkenv.Options {
	return zkenv.Options{Extra: map[string]string{"extendedTypesEnabled": "true"}}
}

// TestOneShotMatchesZkCli runs the script with OneShot against Debian's
// Apache ZooKeeper and against Synod, and compares each whole transcript
// (stdout, stderr and exit code of every command) with what zkCli.sh
// printed for the same script against ZooKeeper, kept in
// testdata/zkcli.golden (-update re-records it).
func TestOneShotMatchesZkCli(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Apache ZooKeeper")
	}
	const golden = "testdata/zkcli.golden"
	if *update {
		srv := zkenv.StartT(t, zkenv.ZooKeeper, serverOptions())
		if err := os.WriteFile(golden, []byte(transcript(t, srv.Addr, runZkCli)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range zkenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			if kind == zkenv.Synod {
				requireSynodServer(t)
			}
			srv := zkenv.StartT(t, kind, serverOptions())
			got := transcript(t, srv.Addr, runOurs)
			if got != string(want) {
				t.Errorf("transcript against %s differs from zkCli.sh's against ZooKeeper (%s):\n%s",
					kind, golden, diffLines(string(want), got))
			}
		})
	}
}

// TestZkCliLive (with -live) runs zkCli.sh itself against both servers:
// against ZooKeeper it checks that the golden file is current, against
// Synod that the server gives Java's client what ZooKeeper gives it.
func TestZkCliLive(t *testing.T) {
	if !*live {
		t.Skip("needs -live")
	}
	want, err := os.ReadFile("testdata/zkcli.golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range zkenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			if kind == zkenv.Synod {
				requireSynodServer(t)
			}
			srv := zkenv.StartT(t, kind, serverOptions())
			if got := transcript(t, srv.Addr, runZkCli); got != string(want) {
				t.Errorf("zkCli.sh against %s differs from the golden file:\n%s", kind, diffLines(string(want), got))
			}
		})
	}
}

// diffLines lists the commands whose records differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n$ "), strings.Split(got, "\n$ ")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "zkCli.sh:\n%s\nsynod cli:\n%s\n\n", a, c)
		}
	}
	return b.String()
}

// TestChroot checks "-server host:port/chroot": paths are under the
// chroot on the server and shown without it.
func TestChroot(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Apache ZooKeeper")
	}
	for _, kind := range zkenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			if kind == zkenv.Synod {
				requireSynodServer(t)
			}
			testChroot(t, kind)
		})
	}
}

// testChroot is TestChroot against one kind of server.
func testChroot(t *testing.T, kind zkenv.Kind) {
	srv := zkenv.StartT(t, kind, zkenv.Options{})
	steps := []struct {
		server string
		args   []string
		out    string
		errOut string
		code   int
	}{
		{srv.Addr, []string{"create", "/app"}, "", "Created /app\n", 0},
		{srv.Addr + "/app", []string{"create", "-s", "/x-", "d"}, "", "Created /x-0000000000\n", 0},
		{srv.Addr + "/app", []string{"ls", "-R", "/"}, "/\n/x-0000000000\n", "", 0},
		{srv.Addr + "/app", []string{"get", "/nope"}, "", "Node does not exist: /nope\n", 1},
		{srv.Addr, []string{"get", "/app/x-0000000000"}, "d\n", "", 0},
		{srv.Addr + "/app/", []string{"get", "/x-0000000000"}, "", "cli: chroot of " + srv.Addr + "/app/: Path must not end with / character\n", 1},
		{srv.Addr + "/", []string{"ls", "/app"}, "[x-0000000000]\n", "", 0},
	}
	for _, st := range steps {
		var out, errOut bytes.Buffer
		code := OneShot(Options{Server: st.server, Out: &out, Err: &errOut}, st.args, 30*time.Second)
		if code != st.code || out.String() != st.out || errOut.String() != st.errOut {
			t.Errorf("-server %s %q: exit %d, stdout %q, stderr %q; want %d, %q, %q",
				st.server, st.args, code, out.String(), errOut.String(), st.code, st.out, st.errOut)
		}
	}
}

// TestOneShotWithoutServer covers what needs no server: usage errors and
// help work, and a command fails (exit 1) when no session comes.
func TestOneShotWithoutServer(t *testing.T) {
	port, err := zkenv.FreePort() // nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	tests := []struct {
		args    []string
		code    int
		wantErr string
	}{
		{[]string{"get"}, 1, "get [-s] [-w] path\n"},
		{[]string{"nope"}, 1, "Command not found: nope\n"},
		{[]string{"help"}, 0, "\tls [-s] [-w] [-R] path\n"},
		{[]string{"ls", "/"}, 1, "cli: no session with " + addr},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := OneShot(Options{Server: addr, Out: &out, Err: &errOut}, tt.args, 200*time.Millisecond)
		if code != tt.code || !strings.Contains(errOut.String(), tt.wantErr) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, errOut.String(), tt.code, tt.wantErr)
		}
	}
}

// requireSynodServer fails the test when cmd/synod does not build: the
// server subcommand is part of the product, so its absence is a failure,
// never a skip.
func requireSynodServer(t *testing.T) {
	t.Helper()
	if _, err := zkenv.SynodBinary(); err != nil {
		t.Fatalf("build synod: %v", err)
	}
}
