package tree

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrInvalidPath is wrapped by every ValidatePath error.
var ErrInvalidPath = errors.New("tree: invalid path")

// ValidatePath applies ZooKeeper's PathUtils.validatePath rules. Java checks
// UTF-16 code units, so supplementary-plane runes (their surrogates fall in
// D800–DFFF) and invalid UTF-8 (decoded by Java as U+FFFD) are rejected too.
// A sequential create validates path+"1", so it may end in '/'.
func ValidatePath(path string, sequential bool) error {
	if sequential {
		path += "1"
	}
	if path == "" {
		return fmt.Errorf("%w: path length must be > 0", ErrInvalidPath)
	}
	if path[0] != '/' {
		return fmt.Errorf("%w: path must start with / character", ErrInvalidPath)
	}
	if len(path) == 1 {
		return nil
	}
	if path[len(path)-1] == '/' {
		return fmt.Errorf("%w: path must not end with / character", ErrInvalidPath)
	}
	last := '/'
	for i := 1; i < len(path); {
		c, size := utf8.DecodeRuneInString(path[i:])
		switch {
		case c == 0:
			return fmt.Errorf("%w: null character not allowed @%d", ErrInvalidPath, i)
		case c == '/' && last == '/':
			return fmt.Errorf("%w: empty node name specified @%d", ErrInvalidPath, i)
		case c == '.' && (last == '/' || last == '.'):
			// "." or ".." as a whole segment.
			start := i
			if last == '.' {
				start = i - 1
			}
			end := i + 1
			if path[start-1] == '/' && (end == len(path) || path[end] == '/') {
				return fmt.Errorf("%w: relative paths not allowed @%d", ErrInvalidPath, i)
			}
		case c == utf8.RuneError && size <= 1,
			c > 0 && c <= 0x1f,
			c >= 0x7f && c <= 0x9f,
			c >= 0xd800 && c <= 0xf8ff,
			c >= 0xfff0:
			return fmt.Errorf("%w: invalid character @%d", ErrInvalidPath, i)
		}
		last = c
		i += size
	}
	return nil
}
