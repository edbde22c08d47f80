package paxos

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata scenarios")

// TestScenarios runs the interaction scripts in testdata/ (the etcd-io/raft
// datadriven style, with a small parser of our own). Each block is one
// command line, a "----" line, and the expected trace up to a blank line.
// Run with -rewrite to regenerate the traces; review the diff.
//
// Commands:
//
//	cluster n=3 [window=W] [compact=K] [seed=S]
//	campaign ID             tick ID until it starts phase 1
//	propose ID cmd...       commands proposed together (one batch)
//	change ID add-voter|remove-voter|add-observer NODE
//	deliver                 deliver every queued message once
//	stabilize               deliver until no message is queued
//	tick ID [K]             K ticks of node ID (default 1)
//	crash ID / restart ID   restart is from the node's persisted state
//	partition 1 2 | 3       only nodes in one group talk; heal ends it
//	status                  every node's role, ballot and progress
//	applied                 the sequence each node applied
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runScenario(t, f) })
	}
}

func runScenario(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out strings.Builder
	var c *cluster
	var trace bytes.Buffer
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			if i < len(lines)-1 || line != "" {
				out.WriteString(line + "\n")
			}
			continue
		}
		cmdLine := line
		if i+1 >= len(lines) || lines[i+1] != "----" {
			t.Fatalf("%s:%d: command %q not followed by ----", path, i+1, line)
		}
		i += 2
		var want []string
		for ; i < len(lines) && lines[i] != ""; i++ {
			want = append(want, lines[i])
		}
		trace.Reset()
		got, err := runCommand(&c, &trace, cmdLine)
		if err != nil {
			got = "error: " + err.Error()
		}
		got = strings.TrimRight(got, "\n")
		if c != nil {
			if err := c.checkAgreement(); err != nil {
				t.Fatalf("%s: after %q: %v", path, cmdLine, err)
			}
		}
		fmt.Fprintf(&out, "%s\n----\n", cmdLine)
		if got != "" {
			out.WriteString(got + "\n")
		}
		if i < len(lines) {
			out.WriteString("\n")
		}
		if !*rewrite && got != strings.Join(want, "\n") {
			t.Errorf("%s: %q:\n got:\n%s\nwant:\n%s", path, cmdLine, got, strings.Join(want, "\n"))
		}
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(strings.TrimRight(out.String(), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func parseID(s string) (NodeID, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad node id %q: %w", s, err)
	}
	return NodeID(v), nil
}

func runCommand(cp **cluster, trace *bytes.Buffer, line string) (string, error) {
	f := strings.Fields(line)
	cmd, args := f[0], f[1:]
	if cmd == "cluster" {
		n, window, compact, seed, voters := 3, uint64(0), uint64(0), uint64(1), 0
		for _, a := range args {
			k, v, _ := strings.Cut(a, "=")
			x, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return "", fmt.Errorf("cluster: %s: %w", a, err)
			}
			switch k {
			case "n":
				n = int(x)
			case "window":
				window = x
			case "compact":
				compact = x
			case "seed":
				seed = x
			case "voters":
				voters = int(x)
			default:
				return "", fmt.Errorf("cluster: unknown argument %q", k)
			}
		}
		c := newCluster(n, seed, trace)
		if window > 0 || voters > 0 {
			if window > 0 {
				c.cfg.Window = window
			}
			if voters > 0 {
				c.cfg.Voters = c.ids[:voters]
			}
			for _, id := range c.ids {
				c.start(id)
			}
		}
		c.compactEvery = compact
		*cp = c
		return c.status(), nil
	}
	c := *cp
	if c == nil {
		return "", fmt.Errorf("%s: no cluster", cmd)
	}
	var id NodeID
	if len(args) > 0 && cmd != "partition" {
		var err error
		if id, err = parseID(args[0]); err != nil {
			return "", err
		}
		if c.nodes[id] == nil {
			return "", fmt.Errorf("%s: no node %d", cmd, id)
		}
	}
	switch cmd {
	case "campaign":
		c.campaign(id)
	case "propose":
		for _, a := range args[1:] {
			if err := c.nodes[id].Propose([]byte(a)); err != nil {
				fmt.Fprintf(trace, "propose %s: %v\n", a, err)
			}
		}
		c.process(id)
	case "change":
		if len(args) != 3 {
			return "", fmt.Errorf("change: want ID TYPE NODE")
		}
		typ := map[string]ChangeType{"add-voter": AddVoter, "remove-voter": RemoveVoter, "add-observer": AddObserver}[args[1]]
		node, err := parseID(args[2])
		if err != nil {
			return "", err
		}
		if err := c.nodes[id].ProposeChange(ConfChange{Type: typ, Node: node}); err != nil {
			fmt.Fprintf(trace, "change: %v\n", err)
		}
		c.process(id)
	case "deliver":
		c.deliver()
	case "stabilize":
		c.stabilize()
	case "tick":
		k := 1
		if len(args) > 1 {
			var err error
			if k, err = strconv.Atoi(args[1]); err != nil {
				return "", fmt.Errorf("tick: %w", err)
			}
		}
		c.tick(id, k)
	case "crash":
		c.crash(id)
	case "restart":
		c.restart(id)
		c.process(id)
	case "partition":
		g := 0
		for _, a := range args {
			if a == "|" {
				g++
				continue
			}
			pid, err := parseID(a)
			if err != nil {
				return "", err
			}
			c.group[pid] = g
		}
		fmt.Fprintf(trace, "partition %s\n", strings.Join(args, " "))
	case "heal":
		for _, pid := range c.ids {
			c.group[pid] = 0
		}
	case "status":
		return c.status(), nil
	case "applied":
		var b strings.Builder
		for _, pid := range c.ids {
			fmt.Fprintf(&b, "%d:", pid)
			for _, e := range c.applied[pid] {
				if isSnapshotMark(e) {
					fmt.Fprintf(&b, " snapshot@%d", e.Slot)
					continue
				}
				fmt.Fprintf(&b, " %d:%s", e.Slot, e.Value)
			}
			b.WriteString("\n")
		}
		return b.String(), nil
	default:
		return "", fmt.Errorf("unknown command %q", cmd)
	}
	return trace.String(), nil
}
