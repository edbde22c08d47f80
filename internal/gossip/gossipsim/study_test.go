package gossipsim

import (
	"testing"
	"time"
)

// A small study row finishes and its measurements are in range: a state
// reaches 30 nodes within a few rounds, and a crash is convicted near the
// phi-8 bound (18.4 mean heartbeat intervals) rather than never or at once.
func TestStudySmallRow(t *testing.T) {
	r, err := Study(StudyConfig{N: 30, Loss: 0.05, Seed: 3, Runs: 5, Crashes: 2, Quiet: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if r.MedianRounds <= 0 || r.WorstRounds > 15 {
		t.Fatalf("seed 3: dissemination median %.1f worst %.1f rounds", r.MedianRounds, r.WorstRounds)
	}
	if r.MedianConvict < 15*time.Second || r.WorstConvict > 90*time.Second {
		t.Fatalf("seed 3: conviction median %v worst %v", r.MedianConvict, r.WorstConvict)
	}
	if r.BytesPerNodePerRound <= 0 {
		t.Fatalf("seed 3: %v bytes per node per round", r.BytesPerNodePerRound)
	}
}
