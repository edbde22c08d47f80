package cli

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/zkenv"
)

// scriptStep is one line typed at the prompt; before typing it the script
// waits until ready() holds (for output printed by watch goroutines).
type scriptStep struct {
	line  string
	ready func() bool
}

// script is a LineReader that types its steps and records the prompts.
type script struct {
	t       *testing.T
	steps   []scriptStep
	prompts []string
	history []string
}

func (s *script) Prompt(p string) (string, error) {
	s.prompts = append(s.prompts, p)
	if len(s.steps) == 0 {
		return "", io.EOF
	}
	st := s.steps[0]
	s.steps = s.steps[1:]
	if st.ready != nil {
		deadline := time.Now().Add(30 * time.Second)
		for !st.ready() {
			if time.Now().After(deadline) {
				s.t.Fatalf("gave up waiting before typing %q", st.line)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return st.line, nil
}

func (s *script) AppendHistory(line string) { s.history = append(s.history, line) }

// TestLoop drives the interactive loop against ZooKeeper and Synod: watch
// events print once as zkCli prints them, printwatches silences them,
// errors do not end the session, history and redo work, quit ends it.
func TestLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Apache ZooKeeper")
	}
	for _, kind := range zkenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			if kind == zkenv.Synod {
				requireSynodServer(t)
			}
			testLoop(t, kind)
		})
	}
}

// testLoop is TestLoop against one kind of server.
func testLoop(t *testing.T, kind zkenv.Kind) {
	srv := zkenv.StartT(t, kind, zkenv.Options{})
	var out, errOut zkenv.SyncBuffer
	sh, err := New(Options{Server: srv.Addr, Out: &out, Err: &errOut, SessionEvents: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	if err := sh.WaitConnected(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	const dataEvent = "\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/loop\n"
	const childEvent = "type:NodeChildrenChanged path:/loop"
	childWatchDone := func() bool {
		sh.mu.Lock()
		defer sh.mu.Unlock()
		return sh.watches[watchKey{"/loop", watchChild}] == nil
	}
	sc := &script{t: t, steps: []scriptStep{
		{line: "create /loop x"},
		{line: "create -e /loop/e"},
		{line: "get -w /loop"},
		{line: "stat -w /loop"},
		{line: "set /loop y"},
		{line: "ls -w /loop", ready: func() bool { return strings.Contains(out.String(), dataEvent) }},
		{line: "printwatches off"},
		{line: "delete /loop/e"},
		{line: "printwatches", ready: childWatchDone},
		{line: "bogus /x"},
		{line: "   "},
		{line: "redo 1"},
		{line: "history"},
		{line: "quit"},
		{line: "ls /"}, // never typed
	}}
	if err := sh.Loop(sc); err != nil {
		t.Fatalf("Loop: %v", err)
	}
	got := out.String()
	if n := strings.Count(got, dataEvent); n != 1 {
		t.Errorf("data event printed %d times, want once (get -w and stat -w share it):\n%s", n, got)
	}
	if strings.Contains(got, childEvent) {
		t.Errorf("child event printed with printwatches off:\n%s", got)
	}
	for _, want := range []string{
		"WatchedEvent state:SyncConnected type:None path:null",
		"x\n",
		"[e]\n",
		"printwatches is off\n",
		"1 - create -e /loop/e\n",
		"10 - create -e /loop/e\n", // redo replaces its own line
		"11 - history\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "0 - create /loop x") || strings.Contains(got, "12 - ") {
		t.Errorf("history lists more than the last 11 commands, as zkCli does:\n%s", got)
	}
	for _, want := range []string{"Created /loop\n", "Created /loop/e\nCommand not found: bogus\nCreated /loop/e\n"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	if p := sc.prompts[0]; p != "[zk: "+srv.Addr+"(CONNECTED) 0] " {
		t.Errorf("first prompt %q", p)
	}
	if p := sc.prompts[len(sc.prompts)-1]; !strings.HasSuffix(p, " 12] ") {
		t.Errorf("last prompt %q, want the command count 12", p)
	}
	if len(sc.steps) != 1 {
		t.Errorf("loop did not stop at quit: %d steps left", len(sc.steps))
	}
	if len(sc.history) != 13 {
		t.Errorf("line editor history has %d lines, want 13 (blank lines are not kept): %q", len(sc.history), sc.history)
	}
}
