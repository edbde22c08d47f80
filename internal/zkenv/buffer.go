package zkenv

import (
	"bytes"
	"sync"
)

// SyncBuffer is a bytes.Buffer that may be written from several goroutines
// (exec.Cmd's copiers, a logger) and read while they write.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
