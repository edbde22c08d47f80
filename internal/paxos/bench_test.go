package paxos

import (
	"fmt"
	"testing"
)

// BenchmarkCore3Nodes measures the core alone: three nodes on the
// in-memory network of harness_test.go (no fsync, no encoding), the leader
// batching up to MaxBatch commands per slot. One op is one chosen command;
// cmds/s is chosen commands per second of wall time (all three nodes run on
// the benchmark's goroutine, so it is the cost of the whole cluster).
func BenchmarkCore3Nodes(b *testing.B) {
	for _, burst := range []int{1, 64, 1024} {
		b.Run(fmt.Sprintf("burst=%d", burst), func(b *testing.B) {
			c := newCluster(3, 1, nil)
			c.compactEvery = 1000
			c.campaign(1)
			c.stabilize()
			cmd := []byte("set /a 0123456789")
			leader := c.nodes[1]
			b.ResetTimer()
			done := 0
			for done < b.N {
				k := min(burst, b.N-done)
				for i := 0; i < k; i++ {
					if err := leader.Propose(cmd); err != nil {
						b.Fatal(err)
					}
				}
				c.process(1)
				c.stabilize()
				done += k
				if len(c.applied[1]) > 4096 {
					for _, id := range c.ids {
						c.applied[id] = nil
					}
				}
			}
			b.StopTimer()
			if leader.Learned() == 0 || !leader.IsLeader() {
				b.Fatalf("nothing chosen:\n%s", c.status())
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
		})
	}
}
