package compat

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/zkenv"
)

// curatorJars is the classpath of Debian's Curator 5 and what it needs.
var curatorJars = []string{
	"curator-client", "curator-framework", "curator-recipes", "guava",
	"zookeeper", "zookeeper-jute", "slf4j-api", "slf4j-nop",
	"jackson-core", "jackson-databind", "jackson-annotations",
	"netty-common", "netty-handler", "netty-buffer", "netty-transport", "netty-codec", "netty-resolver",
}

// TestCurator compiles testdata/CuratorRoundTrip.java once and runs it
// against ZooKeeper and Synod: CRUD, protected sequential creates, a
// transaction, CuratorCache (persistent recursive watches), InterProcessMutex,
// LeaderLatch and DistributedAtomicLong.
func TestCurator(t *testing.T) {
	var cp []string
	for _, j := range curatorJars {
		p := filepath.Join("/usr/share/java", j+".jar")
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s missing: run scripts/deps.sh", p)
		}
		cp = append(cp, p)
	}
	classes := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	javac := exec.CommandContext(ctx, "javac", "-nowarn", "-d", classes, "-cp", strings.Join(cp, ":"), "testdata/CuratorRoundTrip.java")
	if out, err := javac.CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	runCP := strings.Join(append([]string{classes}, cp...), ":")
	for _, kind := range zkenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			srv := zkenv.StartT(t, kind, zkenv.Options{})
			root := fmt.Sprintf("/curator-%d", time.Now().UnixNano())
			cmd := exec.CommandContext(ctx, "java", "-cp", runCP, "CuratorRoundTrip", srv.Addr, root)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "OK") {
				t.Fatalf("Curator against %s: %v\n%s", kind, err, out)
			}
		})
	}
}
