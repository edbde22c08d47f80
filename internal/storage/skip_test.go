package storage

import (
	"errors"
	"testing"
)

// TestRecoverySkipsSegmentsInSnapshot: segments wholly covered by the
// snapshot are not read (damage there does not matter, nothing in them is
// used), while damage in a segment recovery needs is still reported.
func TestRecoverySkipsSegmentsInSnapshot(t *testing.T) {
	opts := testOptions()
	opts.SnapCount = 1 << 30 // only the snapshot asked for below
	const n, snapAt = 400, 300

	fs := buildStore(t, opts, n, snapAt)
	segs := segFiles(t, fs, "/log")
	if len(segs) < 5 {
		t.Fatalf("only %d segments; the test needs several before the snapshot", len(segs))
	}
	got, rec, err := recovered(t, fs, opts)
	if err != nil || got != n {
		t.Fatalf("recovered %d, %v; want %d", got, err, n)
	}
	if rec.SkippedSegments == 0 || rec.SkippedSegments > len(segs)-2 {
		t.Fatalf("skipped %d of %d segments", rec.SkippedSegments, len(segs))
	}

	// Damage in the first segment, which the snapshot covers.
	fs = buildStore(t, opts, n, snapAt)
	first := segFiles(t, fs, "/log")[0]
	flip(t, fs, first, recordOffsets(t, fs, first)[1]+recHeaderSize)
	if got, _, err := recovered(t, fs, opts); err != nil || got != n {
		t.Fatalf("damage in a covered segment: recovered %d, %v; want %d", got, err, n)
	}

	// Damage in the segment that holds the first record after the
	// snapshot is still found.
	fs = buildStore(t, opts, n, snapAt)
	segs = segFiles(t, fs, "/log")
	needed := segs[rec.SkippedSegments]
	flip(t, fs, needed, recordOffsets(t, fs, needed)[0]+recHeaderSize)
	if _, _, err := recovered(t, fs, opts); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("damage in a needed segment: err = %v, want ErrCorrupt", err)
	}
}
