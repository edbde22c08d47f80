package crashtest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/synod-dev/synod/internal/zkenv"
)

// vmHWM reads a process's peak resident set size from /proc.
func vmHWM(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "?"
}

// TestRecoveryTime loads SYNOD_RECOVERY_ZNODES (default 1,000,000) znodes
// with 100-byte values into Synod and into Apache ZooKeeper, SIGKILLs each
// and measures the time from restart until srvr answers and a getData of
// the last key succeeds. It runs only with SYNOD_LONG=1.
func TestRecoveryTime(t *testing.T) {
	if os.Getenv("SYNOD_LONG") != "1" {
		t.Skip("SYNOD_LONG=1 runs the recovery-time benchmark")
	}
	n := 1_000_000
	if s := os.Getenv("SYNOD_RECOVERY_ZNODES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("SYNOD_RECOVERY_ZNODES: %v", err)
		}
		n = v
	}
	times := map[zkenv.Kind]time.Duration{}
	for _, kind := range []zkenv.Kind{zkenv.Synod, zkenv.ZooKeeper} {
		if kind == zkenv.ZooKeeper && os.Getenv("SYNOD_SKIP_ZK") == "1" {
			continue
		}
		times[kind] = recoveryTime(t, kind, n)
	}
	if s, z := times[zkenv.Synod], times[zkenv.ZooKeeper]; s > 0 && z > 0 {
		t.Logf("recovery at %d znodes: synod %v, zookeeper %v, ratio %.2f", n, s, z, float64(s)/float64(z))
	}
}

func recoveryTime(t *testing.T, kind zkenv.Kind, n int) time.Duration {
	opts := zkenv.Options{DataDir: t.TempDir(), Extra: map[string]string{"forceSync": "yes"}}
	srv, err := zkenv.Start(context.Background(), kind, opts)
	if err != nil {
		t.Fatalf("start %s: %v", kind, err)
	}
	const sessions, perSession = 16, 32
	value := make([]byte, 100)
	for i := range value {
		value[i] = 'v'
	}
	var next atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for s := 0; s < sessions; s++ {
		c := connect(t, srv.Addr)
		for g := 0; g < perSession; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1) - 1
					if i >= int64(n) {
						return
					}
					if _, err := c.Create(fmt.Sprintf("/n%08d", i), value, 0, zk.WorldACL(zk.PermAll)); err != nil {
						firstErr.CompareAndSwap(nil, fmt.Errorf("create %d: %w", i, err))
						return
					}
				}
			}()
		}
		defer c.Close()
	}
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		srv.Kill()
		t.Fatalf("%s load: %v", kind, e)
	}
	load := time.Since(start)
	hwm := vmHWM(srv.PID())
	srv.Kill()
	<-srv.Done()
	t0 := time.Now()
	srv, err = zkenv.Start(context.Background(), kind, opts)
	if err != nil {
		t.Fatalf("restart %s: %v", kind, err)
	}
	defer srv.Kill()
	c := connect(t, srv.Addr)
	defer c.Close()
	last := fmt.Sprintf("/n%08d", n-1)
	for {
		if _, _, err := c.Get(last); err == nil {
			break
		} else if time.Since(t0) > 10*time.Minute {
			t.Fatalf("%s: get %s after restart: %v", kind, last, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	d := time.Since(t0)
	t.Logf("%s: loaded %d znodes in %v (%.0f/s), peak RSS %s, recovery (start to getData of the last key) %v",
		kind, n, load, float64(n)/load.Seconds(), hwm, d)
	return d
}
