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
	// CrashTogether crashes the Crashes nodes at the same moment and times
	// each one's conviction, instead of one after the other (saves
	// simulated time at large N, where a few crashed nodes among
	// thousands do not change how the others gossip).
	CrashTogether bool
	// Model runs the row on the compact Model instead of the real core
	// (for sizes whose full-view simulation does not fit in memory).
	Model bool
	// Track is the number of nodes the Model tracks in full (0: all).
	Track int
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

// cluster is what Study measures: the real core in a Sim or the Model.
type cluster interface {
	Now() time.Duration
	N() int
	Up(i int) bool
	Crash(i int)
	RunFor(d time.Duration)
	RunUntil(cond func() bool, check, limit time.Duration) bool
	AllKnow(j int, gen, ver uint64) bool
	AllSee(j int, want ...gossip.Status) bool
	PeerCount(i int) int
	SetProbe(i int, value string) (gen, ver uint64)
	PickNode(rng *rand.Rand, lo int) int
	bytesSent() float64
	downs() float64 // convictions, estimated for all pairs
}

var (
	_ cluster = (*Sim)(nil)
	_ cluster = (*Model)(nil)
)

func (s *Sim) bytesSent() float64   { return float64(s.Bytes) }
func (s *Sim) downs() float64       { return float64(s.downCount) }
func (m *Model) bytesSent() float64 { return m.bytes }

// downs scales the convictions of tracked nodes to all nodes.
func (m *Model) downs() float64 {
	return float64(m.Downs) * float64(len(m.nodes)) / float64(len(m.cols))
}

// Study runs one row. It panics with the seed on a simulator invariant
// failure so the row can be replayed.
func Study(sc StudyConfig) (StudyResult, error) {
	cfg := DefaultConfig()
	cfg.N, cfg.Seeds, cfg.Seed, cfg.Loss, cfg.Track = sc.N, min(3, sc.N), sc.Seed, sc.Loss, sc.Track
	var s cluster
	var err error
	if sc.Model {
		s, err = NewModel(cfg)
	} else {
		s, err = New(cfg)
	}
	if err != nil {
		return StudyResult{}, err
	}
	return study(s, cfg, sc)
}

func study(s cluster, cfg Config, sc StudyConfig) (StudyResult, error) {
	res := StudyResult{StudyConfig: sc}
	iv := cfg.Gossip.Interval
	allKnown := func() bool {
		for i := 0; i < s.N(); i++ {
			if s.Up(i) && s.PeerCount(i) < sc.N-1 {
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
	if sc.Quiet > 0 {
		d0 := s.downs()
		s.RunFor(sc.Quiet)
		res.FalsePerNodeHour = (s.downs() - d0) / (float64(sc.N) * sc.Quiet.Hours())
	}

	// Dissemination.
	var rounds []float64
	b0, t0 := s.bytesSent(), s.Now()
	for r := 0; r < sc.Runs; r++ {
		j := s.PickNode(rng, 0)
		gen, ver := s.SetProbe(j, fmt.Sprint(r))
		start := s.Now()
		if !s.RunUntil(func() bool { return s.AllKnow(j, gen, ver) }, iv/10, 200*iv) {
			return res, fmt.Errorf("gossipsim: N=%d seed %d: probe %d not everywhere in 200 rounds", sc.N, sc.Seed, r)
		}
		rounds = append(rounds, float64(s.Now()-start)/float64(iv))
	}
	if el := s.Now() - t0; el > 0 {
		res.BytesPerNodePerRound = float64(s.bytesSent()-b0) / float64(sc.N) / (float64(el) / float64(iv))
	}
	res.MedianRounds, res.WorstRounds = median(rounds), slices.Max(rounds)

	// Crash conviction.
	var conv []float64
	var batch []int
	crashed := map[int]bool{}
	for c := 0; c < sc.Crashes && sc.N > 3; c++ {
		j := s.PickNode(rng, cfg.Seeds)
		for !s.Up(j) || crashed[j] {
			j = s.PickNode(rng, cfg.Seeds)
		}
		crashed[j] = true
		batch = append(batch, j)
		if sc.CrashTogether && c < sc.Crashes-1 {
			continue
		}
		for _, j := range batch {
			s.Crash(j)
		}
		start, pending := s.Now(), batch
		ok := s.RunUntil(func() bool {
			pending = slices.DeleteFunc(pending, func(j int) bool {
				if s.AllSee(j, gossip.StatusDead) {
					conv = append(conv, float64(s.Now()-start))
					return true
				}
				return false
			})
			return len(pending) == 0
		}, iv/2, 300*iv)
		if !ok {
			return res, fmt.Errorf("gossipsim: N=%d seed %d: crash of %v not convicted by all in 300 rounds", sc.N, sc.Seed, pending)
		}
		batch = nil
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
