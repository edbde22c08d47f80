package storage

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrintLogDump(t *testing.T) {
	opts := testOptions()
	tests := []struct {
		name    string
		damage  func(t *testing.T, fs memFS) string // returns text the dump must contain
		damaged bool
	}{
		{name: "clean", damage: func(t *testing.T, fs memFS) string { return "199 valid records" }},
		{name: "torn tail", damage: func(t *testing.T, fs memFS) string {
			segs := segFiles(t, fs, "/log")
			f := segs[len(segs)-1]
			offs := recordOffsets(t, fs, f)
			cut(t, fs, f, offs[len(offs)-1]+9)
			return fmt.Sprintf("TORN TAIL at offset %d", offs[len(offs)-1])
		}},
		{name: "flipped byte", damaged: true, damage: func(t *testing.T, fs memFS) string {
			f := segFiles(t, fs, "/log")[1]
			off := recordOffsets(t, fs, f)[4]
			flip(t, fs, f, off+recHeaderSize+3)
			return fmt.Sprintf("corrupt data in %s at offset %d", f, off)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := buildStore(t, opts, 199)
			want := tc.damage(t, fs)
			var out bytes.Buffer
			err := PrintLogDump(&out, fs, "/log", true)
			if tc.damaged != errors.Is(err, ErrDamaged) {
				t.Fatalf("err = %v, damaged = %v", err, tc.damaged)
			}
			if !strings.Contains(out.String(), want) {
				t.Fatalf("dump lacks %q:\n%s", want, out.String())
			}
		})
	}
}

func TestPrintSnapshot(t *testing.T) {
	fs := buildStore(t, testOptions(), 50, 40)
	p := filepath.Join("/data", snapshotName(40))
	var out bytes.Buffer
	if err := PrintSnapshot(&out, fs, p); err != nil || !strings.Contains(out.String(), "zxid 0x28 (40)") || !strings.Contains(out.String(), "checksums ok") {
		t.Fatalf("clean snapshot: %v\n%s", err, out.String())
	}
	flip(t, fs, p, snapHeaderSize+1)
	out.Reset()
	if err := PrintSnapshot(&out, fs, p); !errors.Is(err, ErrDamaged) || !strings.Contains(out.String(), "CORRUPT") {
		t.Fatalf("damaged snapshot: %v\n%s", err, out.String())
	}
}
