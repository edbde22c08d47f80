package gossipsim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/synod-dev/synod/internal/gossip"
)

// StudyConfig is one row of the scale study.
type StudyConfig struct {
	N    int
	Loss float64
	Seed uint64
	// Runs is the number of dissemination trials (a fresh key on a random
	// node each time, on one warmed-up cluster).
	Runs int
	// Crashes is the number of crash-conviction trials.
	Crashes int
	// Quiet is the virtual time watched for false convictions (no crash).
	Quiet time.Duration
}

// StudyResult is what one row measured.
type StudyResult struct {
	StudyConfig
	WarmUp               time.Duration // until every node knew every other
	MedianRounds         float64       // rounds until a new state reached every node
	WorstRounds          float64
	MedianConvict        time.Duration // until every live node convicted a crashed one
	WorstConvict         time.Duration
	FalsePerNodeHour     float64 // down events with no crash, per node-hour
	BytesPerNodePerRound float64
}

// Study runs one row. It panics with the seed on a simulator invariant
// failure so the row can be replayed.
func Study(sc StudyConfig) (StudyResult, error) {
	cfg := DefaultConfig()
	cfg.N, cfg.Seeds, cfg.Seed, cfg.Loss = sc.N, min(3, sc.N), sc.Seed, sc.Loss
	s, err := New(cfg)
	if err != nil {
		return StudyResult{}, err
	}
	res := StudyResult{StudyConfig: sc}
	iv := cfg.Gossip.Interval
	allKnown := func() bool {
		for i := range s.nodes {
			if s.nodes[i].up && s.nodes[i].node.PeerCount() < sc.N-1 {
				return false
			}
		}
		return true
	}
	if !s.RunUntil(allKnown, iv, 600*iv) {
		return res, fmt.Errorf("gossipsim: N=%d seed %d: no full view after 600 rounds", sc.N, sc.Seed)
	}
	res.WarmUp = s.Now()
	s.RunFor(30 * iv) // let the detectors fill their windows

	rng := rand.New(rand.NewPCG(sc.Seed, 99))
	// False convictions: watch a quiet cluster.
	downs := 0
	s.OnEvent = func(r Record) {
		if r.Event.Kind == gossip.EventDown {
			downs++
		}
	}
	if sc.Quiet > 0 {
		s.RunFor(sc.Quiet)
		res.FalsePerNodeHour = float64(downs) / (float64(sc.N) * sc.Quiet.Hours())
	}
	s.OnEvent = nil

	// Dissemination.
	var rounds []float64
	b0, t0 := s.Bytes, s.Now()
	for r := 0; r < sc.Runs; r++ {
		j := rng.IntN(sc.N)
		n := s.Node(j)
		n.SetKey("probe", fmt.Sprint(r))
		gen, ver := n.Generation(), n.SelfVersion()
		start := s.Now()
		if !s.RunUntil(func() bool { return s.AllKnow(j, gen, ver) }, iv/10, 200*iv) {
			return res, fmt.Errorf("gossipsim: N=%d seed %d: probe %d not everywhere in 200 rounds", sc.N, sc.Seed, r)
		}
		rounds = append(rounds, float64(s.Now()-start)/float64(iv))
	}
	if el := s.Now() - t0; el > 0 {
		res.BytesPerNodePerRound = float64(s.Bytes-b0) / float64(sc.N) / (float64(el) / float64(iv))
	}
	res.MedianRounds, res.WorstRounds = median(rounds), slices.Max(rounds)

	// Crash conviction.
	var conv []float64
	for c := 0; c < sc.Crashes && sc.N > 3; c++ {
		j := cfg.Seeds + rng.IntN(sc.N-cfg.Seeds)
		for !s.Up(j) {
			j = cfg.Seeds + rng.IntN(sc.N-cfg.Seeds)
		}
		s.Crash(j)
		start := s.Now()
		if !s.RunUntil(func() bool { return s.AllSee(j, gossip.StatusDead) }, iv/2, 300*iv) {
			return res, fmt.Errorf("gossipsim: N=%d seed %d: crash of %d not convicted by all in 300 rounds", sc.N, sc.Seed, j)
		}
		conv = append(conv, float64(s.Now()-start))
	}
	if len(conv) > 0 {
		res.MedianConvict = time.Duration(median(conv))
		res.WorstConvict = time.Duration(slices.Max(conv))
	}
	return res, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
