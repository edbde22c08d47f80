// Command gossip-sim runs the gossip scale study on the deterministic
// simulator: for each cluster size and message-loss rate it prints the
// rounds until a new state reaches every node, the time until every node
// convicts a crashed node, false convictions per node-hour with no crash,
// and bytes sent per node per round. Run it with `make gossip-sim`.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/synod-dev/synod/internal/gossip/gossipsim"
)

func main() {
	sizes := flag.String("n", "10,100,1000,10000", "comma-separated cluster sizes")
	maxMem := flag.Float64("max-gb", 8, "skip sizes whose estimated simulator memory exceeds this many GB")
	runs := flag.Int("runs", 20, "dissemination trials per row")
	largeRuns := flag.Int("large-runs", 5, "dissemination trials for rows with N >= large")
	large := flag.Int("large", 1000, "size from which -large-runs and shorter quiet periods apply")
	crashes := flag.Int("crashes", 5, "crash-conviction trials per row")
	quiet := flag.Duration("quiet", time.Hour, "virtual time watched for false convictions (5% loss rows)")
	largeQuiet := flag.Duration("large-quiet", 5*time.Minute, "quiet time for rows with N >= large")
	seed := flag.Uint64("seed", 1, "simulation seed")
	flag.Parse()

	fmt.Printf("gossip scale study: seed %d, interval 1s, convict phi 8, 3 seeds, delay 1-20ms\n", *seed)
	fmt.Printf("%7s %5s %6s %8s %8s %9s %9s %9s %12s %10s %9s\n",
		"N", "loss", "runs", "med rnd", "max rnd", "warm-up", "conv med", "conv max", "false/n·h", "B/node/rnd", "wall")
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			slog.Error("bad size", "size", f)
			os.Exit(2)
		}
		// Every node holds every other node's state and detector: about
		// 1.2 KB per (node, peer) pair, measured at N=1000 (1.2 GB).
		if est := float64(n) * float64(n) * 1200 / 1e9; est > *maxMem {
			fmt.Printf("%7d  skipped: a full-view simulation needs ~%.0f GB (N² peer entries), above -max-gb %.0f\n", n, est, *maxMem)
			continue
		}
		for _, loss := range []float64{0, 0.05} {
			sc := gossipsim.StudyConfig{N: n, Loss: loss, Seed: *seed, Runs: *runs, Crashes: *crashes}
			if n >= *large {
				sc.Runs = *largeRuns
				sc.Crashes = min(*crashes, 2)
			}
			if loss > 0 {
				sc.Quiet = *quiet
				if n >= *large {
					sc.Quiet = *largeQuiet
				}
			}
			start := time.Now()
			r, err := gossipsim.Study(sc)
			if err != nil {
				slog.Error("study failed", "n", n, "loss", loss, "err", err)
				os.Exit(1)
			}
			fq := "-"
			if sc.Quiet > 0 {
				fq = fmt.Sprintf("%.4f", r.FalsePerNodeHour)
			}
			fmt.Printf("%7d %4.0f%% %6d %8.1f %8.1f %8.0fs %8.1fs %8.1fs %12s %10.0f %8.1fs\n",
				n, loss*100, sc.Runs, r.MedianRounds, r.WorstRounds, r.WarmUp.Seconds(),
				r.MedianConvict.Seconds(), r.WorstConvict.Seconds(), fq, r.BytesPerNodePerRound,
				time.Since(start).Seconds())
		}
	}
	fmt.Println("rounds: gossip intervals until every node knew the new state (one warmed cluster per row);")
	fmt.Println("conv: crash to conviction by every live node; false/n·h: down events with no crash per node-hour,")
	fmt.Println("watched for -quiet (-large-quiet for N >= -large) of virtual time at 5% loss.")
}
