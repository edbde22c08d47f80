package netedge

import (
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/gossip"
	"github.com/synod-dev/synod/internal/zkenv"
)

// Five real synod gossip processes find each other from one seed; when one
// is killed with SIGKILL the other four convict it.
func TestRealProcessesJoinAndConvict(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the synod binary")
	}
	bin, err := zkenv.SynodBinary()
	if err != nil {
		t.Fatalf("build synod: %v", err)
	}
	const n = 5
	addrs := make([]string, n)
	procs := make([]*exec.Cmd, n)
	for i := range addrs {
		addrs[i] = freeAddr(t)
	}
	for i := range procs {
		c := exec.Command(bin, "gossip", "-bind", addrs[i], "-seeds", addrs[0], "-cluster", "proc-test",
			"-interval", "100ms", "-convict-phi", "8", "-role", fmt.Sprint("r", i))
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		procs[i] = c
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	}
	view := func(i int) map[string]gossip.Member {
		v, err := QueryView(addrs[i], 2*time.Second)
		if err != nil {
			return nil
		}
		m := map[string]gossip.Member{}
		for _, x := range v {
			m[x.Name] = x
		}
		return m
	}
	poll(t, "all five to see each other alive", 45*time.Second, func() bool {
		for i := range addrs {
			v := view(i)
			if len(v) != n {
				return false
			}
			for _, m := range v {
				if m.Status != gossip.StatusAlive && m.Status != gossip.StatusSuspect {
					return false
				}
			}
		}
		return true
	})
	victim := 3
	if err := procs[victim].Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	procs[victim].Wait()
	poll(t, "the others to convict the killed node", 45*time.Second, func() bool {
		for i := range addrs {
			if i == victim {
				continue
			}
			if view(i)[addrs[victim]].Status != gossip.StatusDead {
				return false
			}
		}
		return true
	})
}
