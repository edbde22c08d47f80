package gossip

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

func testNode(t *testing.T, name string, seeds ...string) *Node {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Name, cfg.Seeds = name, seeds
	n, err := New(cfg, 1, rand.New(rand.NewPCG(1, 2)), 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConfigValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.Name = "a"
	if err := ok.Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	for name, mut := range map[string]func(*Config){
		"no name":       func(c *Config) { c.Name = "" },
		"zero interval": func(c *Config) { c.Interval = 0 },
		"suspect>conv":  func(c *Config) { c.SuspectPhi = 9 },
		"quarantine":    func(c *Config) { c.Quarantine = time.Millisecond },
		"window":        func(c *Config) { c.WindowSize = 1 },
		"max size":      func(c *Config) { c.MaxMessageSize = 10 },
		"empty seed":    func(c *Config) { c.Seeds = []string{""} },
	} {
		c := ok
		mut(&c)
		if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: Validate = %v, want ErrInvalidConfig", name, err)
		}
	}
}

// exchange delivers every pending message between two nodes until quiet.
func exchange(t *testing.T, now time.Duration, nodes ...*Node) {
	t.Helper()
	byName := map[string]*Node{}
	for _, n := range nodes {
		byName[n.Name()] = n
	}
	for round := 0; round < 10; round++ {
		quiet := true
		for _, n := range nodes {
			for _, e := range n.Ready().Messages {
				if to := byName[e.To]; to != nil {
					quiet = false
					if err := to.Step(now, e.Msg); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if quiet {
			return
		}
	}
}

func TestPushPullLearnsKeys(t *testing.T) {
	a, b := testNode(t, "a", "b"), testNode(t, "b")
	a.SetKey(KeyRole, "leader")
	b.SetKey(KeyClientAddr, "b:2181")
	a.Tick(0)
	exchange(t, 0, a, b)
	if m, ok := b.Peer("a"); !ok || m.Keys[KeyRole] != "leader" {
		t.Fatalf("b's view of a: %+v %v", m, ok)
	}
	if m, ok := a.Peer("b"); !ok || m.Keys[KeyClientAddr] != "b:2181" {
		t.Fatalf("a's view of b: %+v %v", m, ok)
	}
}

func TestStepRejectsWrongClusterAndReplay(t *testing.T) {
	a, b := testNode(t, "a", "b"), testNode(t, "b")
	a.Tick(0)
	env := a.Ready().Messages[0]
	raw, err := Encode(nil, env.Msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Receive(0, raw); err != nil {
		t.Fatal(err)
	}
	if err := b.Receive(0, raw); !errors.Is(err, ErrReplay) {
		t.Fatalf("replay: %v", err)
	}
	other := *env.Msg
	other.Cluster, other.Seq = "other", 1000
	if err := b.Step(0, &other); !errors.Is(err, ErrWrongCluster) {
		t.Fatalf("wrong cluster: %v", err)
	}
	if err := b.Receive(0, []byte("garbage")); !errors.Is(err, ErrMalformed) {
		t.Fatalf("garbage: %v", err)
	}
	st := b.Stats()
	if st.DroppedReplay != 1 || st.DroppedCluster != 1 || st.DroppedMalformed != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestReplayWindow(t *testing.T) {
	n := testNode(t, "a")
	tests := []struct {
		gen, seq uint64
		ok       bool
	}{
		{1, 10, true}, {1, 10, false}, {1, 9, true}, {1, 11, true}, {1, 9, false},
		{1, 200, true}, {1, 100, false}, {0, 500, false}, {2, 1, true}, {1, 300, false},
	}
	for i, tt := range tests {
		if got := n.checkReplay(&Message{From: "x", FromGen: tt.gen, Seq: tt.seq}); got != tt.ok {
			t.Fatalf("step %d gen %d seq %d: accepted=%v want %v", i, tt.gen, tt.seq, got, tt.ok)
		}
	}
}

func TestPhiGrowsWithSilence(t *testing.T) {
	d := newDetector(0, time.Second, 10)
	for i := 1; i <= 10; i++ {
		d.report(time.Duration(i) * time.Second)
	}
	if p := d.phi(11 * time.Second); p > 1 {
		t.Fatalf("phi one interval after last heartbeat = %v, want < 1", p)
	}
	// 8/0.434 = 18.4 mean intervals of silence convict.
	if p := d.phi(10*time.Second + 19*time.Second); p < 8 {
		t.Fatalf("phi after 19 silent intervals = %v, want >= 8", p)
	}
}

func TestRestartReplacesOldGeneration(t *testing.T) {
	a, b := testNode(t, "a", "b"), testNode(t, "b")
	a.Tick(0)
	exchange(t, 0, a, b)
	cfg := DefaultConfig()
	cfg.Name, cfg.Seeds = "a", []string{"b"}
	a2, _ := New(cfg, 2, rand.New(rand.NewPCG(3, 4)), time.Second)
	a2.SetKey(KeyRole, "observer")
	a2.Tick(time.Second)
	exchange(t, time.Second, a2, b)
	m, _ := b.Peer("a")
	if m.Generation != 2 || m.Keys[KeyRole] != "observer" {
		t.Fatalf("b sees a as %+v", m)
	}
}
