// Command gossip-sim runs the gossip scale study on the deterministic
// simulator: for each cluster size and message-loss rate it prints the
// rounds until a new state reaches every node, the time until every node
// convicts a crashed node, false convictions per node-hour with no crash,
// and bytes sent per node per round. Run it with `make gossip-sim`.
//
// Sizes whose full-view simulation with the real core would need more
// than -max-gb run on gossipsim.Model, a compact model of the same
// protocol, and are labelled model/T (T nodes tracked in full, see
// -track-frac); the sizes in -model also run on the model next to their
// real-core rows, so the two can be compared. internal/gossip/STUDY.md
// holds the latest output and how to read it.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/synod-dev/synod/internal/gossip/gossipsim"
)

// Bytes of simulator memory per (node, peer) pair: the real core keeps a
// map entry, an endpoint state and a detector window per peer, 0.8 KB on a
// warmed 100-node cluster (TestMemoryPerPair) and ~1.2 KB at N = 1,000 with
// larger maps and messages in flight; the model keeps 65 bytes in arrays
// per tracked pair (and a bit per untracked one, not counted here).
const (
	realPairBytes  = 1200
	modelPairBytes = 65
)

type row struct {
	sc   gossipsim.StudyConfig
	res  gossipsim.StudyResult
	err  error
	wall time.Duration
	done chan struct{}
}

func main() {
	var sizes string
	flag.StringVar(&sizes, "sizes", "10,100,1000,10000", "comma-separated cluster sizes")
	flag.StringVar(&sizes, "n", "10,100,1000,10000", "same as -sizes")
	modelSizes := flag.String("model", "100,1000", "sizes also run on the compact model, next to the real core, to compare the two")
	maxMem := flag.Float64("max-gb", 8, "sizes whose real-core simulation would need more than this many GB run on the model")
	runs := flag.Int("runs", 20, "dissemination trials per row")
	crashes := flag.Int("crashes", 5, "crash-conviction trials per row")
	quiet := flag.Duration("quiet", time.Hour, "virtual time watched for false convictions (5% loss rows)")
	large := flag.Int("large", 1000, "size from which the -large-* settings apply")
	largeRuns := flag.Int("large-runs", 5, "dissemination trials for rows with N >= large")
	largeCrashes := flag.Int("large-crashes", 2, "crash trials for rows with N >= large")
	largeQuiet := flag.Duration("large-quiet", 5*time.Minute, "quiet time for rows with N >= large")
	huge := flag.Int("huge", 10000, "size from which the -huge-* settings apply")
	hugeCrashes := flag.Int("huge-crashes", 3, "crash trials for rows with N >= huge, crashed at the same moment")
	hugeQuiet := flag.Duration("huge-quiet", time.Minute, "quiet time for rows with N >= huge")
	trackFrac := flag.Float64("track-frac", 0.1, "share of nodes the model tracks in full (see gossipsim.Model)")
	trackMin := flag.Int("track-min", 100, "least number of nodes the model tracks in full")
	parallel := flag.Int("parallel", 2, "rows run at the same time (each is single-threaded)")
	seed := flag.Uint64("seed", 1, "simulation seed")
	lossList := flag.String("loss", "0,5", "comma-separated message-loss rates in percent")
	flag.Parse()

	parse := func(list string) []int {
		var out []int
		for _, f := range strings.Split(list, ",") {
			if strings.TrimSpace(f) == "" {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				slog.Error("bad size", "size", f)
				os.Exit(2)
			}
			out = append(out, n)
		}
		return out
	}
	var losses []float64
	for _, f := range strings.Split(*lossList, ",") {
		p, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || p < 0 || p >= 100 {
			slog.Error("bad loss rate", "loss", f)
			os.Exit(2)
		}
		losses = append(losses, p/100)
	}
	alsoModel := map[int]bool{}
	for _, n := range parse(*modelSizes) {
		alsoModel[n] = true
	}

	var rows []*row
	for _, n := range parse(sizes) {
		realFits := float64(n)*float64(n)*realPairBytes/1e9 <= *maxMem
		for _, model := range []bool{false, true} {
			if (!model && !realFits) || (model && realFits && !alsoModel[n]) {
				continue
			}
			track := min(n, max(*trackMin, int(*trackFrac*float64(n))))
			if est := float64(n) * float64(track) * modelPairBytes / 1e9; model && est > *maxMem {
				fmt.Printf("%7d  skipped: even the model needs ~%.0f GB, above -max-gb %.0f\n", n, est, *maxMem)
				continue
			}
			for _, loss := range losses {
				sc := gossipsim.StudyConfig{N: n, Loss: loss, Seed: *seed, Runs: *runs, Crashes: *crashes, Model: model}
				if model {
					sc.Track = track
				}
				if n >= *large {
					sc.Runs, sc.Crashes = *largeRuns, *largeCrashes
				}
				if n >= *huge {
					sc.Crashes, sc.CrashTogether = *hugeCrashes, true
				}
				if loss > 0 {
					switch {
					case n >= *huge:
						sc.Quiet = *hugeQuiet
					case n >= *large:
						sc.Quiet = *largeQuiet
					default:
						sc.Quiet = *quiet
					}
				}
				rows = append(rows, &row{sc: sc, done: make(chan struct{})})
			}
		}
	}

	// Workers take rows in order; the table is printed in order as rows
	// finish. Smaller rows first keeps the output flowing.
	work := make(chan *row)
	var wg sync.WaitGroup
	for w := 0; w < max(1, *parallel); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				start := time.Now()
				r.res, r.err = gossipsim.Study(r.sc)
				r.wall = time.Since(start)
				runtime.GC() // hand a large row's memory back before the next
				close(r.done)
			}
		}()
	}
	go func() {
		for _, r := range rows {
			work <- r
		}
		close(work)
	}()

	start := time.Now()
	fmt.Printf("gossip scale study: seed %d, interval 1s, convict phi 8, 3 seeds, delay 1-20ms, %d rows on %d workers\n", *seed, len(rows), max(1, *parallel))
	fmt.Printf("%7s %-10s %5s %5s %7s %7s %8s %8s %8s %8s %10s %6s %10s %8s\n",
		"N", "core", "loss", "runs", "med rnd", "max rnd", "warm-up", "crashes", "conv med", "conv max", "false/n·h", "quiet", "B/node/rnd", "wall")
	failed := false
	for _, r := range rows {
		<-r.done
		sc, res := r.sc, r.res
		core := "real"
		if sc.Model {
			core = fmt.Sprintf("model/%d", sc.Track)
		}
		if r.err != nil {
			slog.Error("study failed", "n", sc.N, "core", core, "loss", sc.Loss, "err", r.err)
			failed = true
			continue
		}
		fq, q := "-", "-"
		if sc.Quiet > 0 {
			fq, q = fmt.Sprintf("%.4f", res.FalsePerNodeHour), fmtDur(sc.Quiet)
		}
		cr := strconv.Itoa(sc.Crashes)
		if sc.CrashTogether {
			cr += "@once"
		}
		fmt.Printf("%7d %-10s %4.0f%% %5d %7.1f %7.1f %7.0fs %8s %7.1fs %7.1fs %10s %6s %10.0f %7.0fs\n",
			sc.N, core, sc.Loss*100, sc.Runs, res.MedianRounds, res.WorstRounds, res.WarmUp.Seconds(),
			cr, res.MedianConvict.Seconds(), res.WorstConvict.Seconds(), fq, q, res.BytesPerNodePerRound,
			r.wall.Seconds())
	}
	wg.Wait()
	fmt.Println("rounds: gossip intervals until every node knew a new key (one warmed cluster per row, runs = trials);")
	fmt.Println("crashes: nodes crashed one after the other, or all at once (@once), each timed until every live node convicted it;")
	fmt.Println("false/n·h: down events with no crash per node-hour in lossy rows, watched for the quiet time of virtual time;")
	fmt.Println("B/node/rnd: encoded bytes sent per node per round while the probes spread;")
	fmt.Println("core: real = gossip.Node in gossipsim.Sim; model/T = gossipsim.Model tracking T nodes in full (probes and crashes")
	fmt.Println("among them; bytes of untracked heartbeat deltas and false convictions estimated from them).")
	fmt.Printf("total wall time %s\n", time.Since(start).Round(time.Second))
	if failed {
		os.Exit(1)
	}
}

func fmtDur(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	if d%time.Minute == 0 {
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
