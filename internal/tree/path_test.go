package tree

import (
	"errors"
	"testing"
)

func TestValidatePath(t *testing.T) {
	cases := []struct {
		path string
		seq  bool
		ok   bool
	}{
		{"/", false, true},
		{"", false, false},
		{"a", false, false},
		{"/a", false, true},
		{"/a/", false, false},
		{"/a/", true, true},
		{"/", true, true},
		{"//", false, false},
		{"/a//b", false, false},
		{"/.", false, false},
		{"/..", false, false},
		{"/a/./b", false, false},
		{"/a/../b", false, false},
		{"/a/.b", false, true},
		{"/a/b.", false, true},
		{"/a/..b", false, true},
		{"/a/b..", false, true},
		{"/...", false, true},
		{"/a.", true, true},
		{"/.", true, true}, // validated as "/.1"
		{"/a\x00", false, false},
		{"/a\x01", false, false},
		{"/a\x1f", false, false},
		{"/a\x7f", false, false},
		{"/a\u0085", false, false},
		{"/a\u00a0", false, true},
		{"/\u00e9t\u00e9", false, true},
		{"/\u4e2d\u6587", false, true},
		{"/\ud7ff", false, true},
		{"/\ue000", false, false}, // private use
		{"/\uf8ff", false, false},
		{"/\uf900", false, true},
		{"/\ufff0", false, false},
		{"/\uffef", false, true},
		{"/\U0001F600", false, false}, // emoji: a surrogate pair in Java
		{"/\U00010000", false, false},
		{"/a\xff", false, false}, // invalid UTF-8
		{"/a b", false, true},
	}
	for _, c := range cases {
		err := ValidatePath(c.path, c.seq)
		if (err == nil) != c.ok {
			t.Errorf("ValidatePath(%q, %v) = %v, want ok=%v", c.path, c.seq, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidPath) {
			t.Errorf("%q: error %v does not wrap ErrInvalidPath", c.path, err)
		}
	}
}
