package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/synod-dev/synod/internal/zkenv"
)

// peer is one member of a ZooKeeper ensemble. zkenv starts ZooKeeper with
// ZooKeeperServerMain, which is standalone only and ignores server.N
// lines; an ensemble member needs QuorumPeerMain, so peers are started
// here with the same JVM settings as zkenv's.
type peer struct {
	addr string
	cmd  *exec.Cmd
	done chan struct{}
}

func (p *peer) address() string { return p.addr }
func (p *peer) pid() int        { return p.cmd.Process.Pid }

// stop sends SIGTERM to the peer's process group, then SIGKILL after 10 s.
func (p *peer) stop() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// ensembleConfig returns the zoo.cfg of an ensemble member whose members
// use the given quorum and election ports, keys sorted. (The member's id
// is in dataDir/myid.)
func ensembleConfig(dataDir string, clientPort int, quorum, election []int, extra map[string]string) string {
	cfg := map[string]string{
		"tickTime":               "2000",
		"initLimit":              "10",
		"syncLimit":              "5",
		"dataDir":                dataDir,
		"clientPort":             fmt.Sprint(clientPort),
		"clientPortAddress":      "127.0.0.1",
		"maxClientCnxns":         "0",
		"4lw.commands.whitelist": "*",
		"admin.enableServer":     "false",
	}
	for i := range quorum {
		cfg[fmt.Sprintf("server.%d", i+1)] = fmt.Sprintf("127.0.0.1:%d:%d", quorum[i], election[i])
	}
	for k, v := range extra {
		cfg[k] = v
	}
	return zkenv.FormatConfig(cfg)
}

// startEnsemble starts t.Nodes ZooKeeper peers on 127.0.0.1 under dir and
// waits until every one serves (as leader or follower).
func startEnsemble(ctx context.Context, dir string, t Target) ([]process, error) {
	if err := zkenv.EnsureZooKeeper(); err != nil {
		return nil, err
	}
	n := t.Nodes
	ports := make([]int, 3*n)
	for i := range ports {
		p, err := zkenv.FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	client, quorum, election := ports[:n], ports[n:2*n], ports[2*n:]
	var peers []*peer
	stopAll := func() {
		for _, p := range peers {
			p.stop()
		}
	}
	for i := range n {
		d := filepath.Join(dir, fmt.Sprintf("node%d", i+1))
		if err := os.MkdirAll(d, 0o755); err != nil {
			stopAll()
			return nil, err
		}
		cfgPath := filepath.Join(d, "zoo.cfg")
		err := os.WriteFile(filepath.Join(d, "myid"), []byte(fmt.Sprintf("%d\n", i+1)), 0o644)
		if err == nil {
			err = os.WriteFile(cfgPath, []byte(ensembleConfig(d, client[i], quorum, election, t.Extra)), 0o644)
		}
		if err != nil {
			stopAll()
			return nil, fmt.Errorf("bench: ensemble config: %w", err)
		}
		cmd := exec.Command("java", "-Xmx2g", "-cp", "/etc/zookeeper/conf:"+zkenv.ZooKeeperJar,
			"-Dzookeeper.log.dir="+d, "-Dzookeeper.root.logger=INFO,CONSOLE",
			"org.apache.zookeeper.server.quorum.QuorumPeerMain", cfgPath)
		cmd.Dir = d
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			stopAll()
			return nil, fmt.Errorf("bench: start ensemble member %d: %w", i+1, err)
		}
		p := &peer{addr: fmt.Sprintf("127.0.0.1:%d", client[i]), cmd: cmd, done: make(chan struct{})}
		go func() { _ = cmd.Wait(); close(p.done) }()
		peers = append(peers, p)
	}
	deadline := time.Now().Add(90 * time.Second)
	for _, p := range peers {
		for {
			out, err := zkenv.FourLetter(p.addr, "srvr", time.Second)
			if err == nil && (strings.Contains(out, "Mode: leader") || strings.Contains(out, "Mode: follower")) {
				break
			}
			select {
			case <-p.done:
				stopAll()
				return nil, fmt.Errorf("bench: ensemble member %s exited", p.addr)
			case <-ctx.Done():
				stopAll()
				return nil, ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				stopAll()
				return nil, fmt.Errorf("bench: ensemble member %s not serving after 90s (last: %q, %v)", p.addr, out, err)
			}
		}
	}
	procs := make([]process, len(peers))
	for i, p := range peers {
		procs[i] = p
	}
	return procs, nil
}
