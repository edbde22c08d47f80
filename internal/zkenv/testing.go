package zkenv

import (
	"bytes"
	"context"
	"os"
	"testing"
)

// StartT starts a server for a test and stops it at cleanup. The server's
// output is kept and printed when the test fails. Setting SYNOD_SKIP_ZK=1
// skips tests that need Apache ZooKeeper (for machines without Java).
func StartT(t testing.TB, kind Kind, opts Options) *Server {
	t.Helper()
	if kind == ZooKeeper && os.Getenv("SYNOD_SKIP_ZK") == "1" {
		t.Skip("SYNOD_SKIP_ZK=1: Apache ZooKeeper tests skipped")
	}
	var out bytes.Buffer
	if opts.Stdout == nil {
		opts.Stdout = &out
	}
	if opts.Stderr == nil {
		opts.Stderr = &out
	}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	s, err := Start(context.Background(), kind, opts)
	if err != nil {
		t.Fatalf("start %s: %v\n%s", kind, err, out.String())
	}
	t.Cleanup(func() {
		s.Kill()
		if t.Failed() && out.Len() > 0 {
			tail := out.Bytes()
			if len(tail) > 8000 {
				tail = tail[len(tail)-8000:]
			}
			t.Logf("%s output (tail):\n%s", kind, tail)
		}
	})
	return s
}
