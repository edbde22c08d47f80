package storage

import (
	"errors"
	"fmt"
)

// ErrCorrupt is the kind of every error that reports damaged data: a record
// or snapshot whose checksum does not match, a broken chain between
// segments, a malformed header. Test for it with errors.Is. The concrete
// error is a *CorruptError naming the file and offset.
var ErrCorrupt = errors.New("storage: corrupt data")

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("storage: log closed")

// CorruptError describes damaged data at a position in a file.
type CorruptError struct {
	File   string // path of the damaged file
	Offset int64  // byte offset of the damaged record or header
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("storage: corrupt data in %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

func corruptf(file string, off int64, format string, args ...any) error {
	return &CorruptError{File: file, Offset: off, Reason: fmt.Sprintf(format, args...)}
}
