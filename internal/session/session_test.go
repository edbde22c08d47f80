package session

import (
	"bytes"
	"math"
	"testing"
)

func TestInitialID(t *testing.T) {
	tests := []struct {
		server, now int64
		wantTop     byte
	}{
		{1, 1_700_000_000_000, 1},
		{0, 1_700_000_000_000, 0},
		{254, 1_700_000_000_000, 254},
	}
	for _, tc := range tests {
		id := InitialID(tc.server, tc.now)
		if got := byte(uint64(id) >> 56); got != tc.wantTop {
			t.Errorf("InitialID(%d): top byte %d, want %d", tc.server, got, tc.wantTop)
		}
		if id == math.MinInt64 || id == 0 {
			t.Errorf("InitialID(%d) = %#x: reserved value", tc.server, id)
		}
	}
}

func TestNextIDUniqueAndPasswords(t *testing.T) {
	tb := New(100, 1, 1_700_000_000_000, []byte("k"))
	a, b := tb.NextID(), tb.NextID()
	if a == b {
		t.Fatalf("NextID repeated %#x", a)
	}
	if bytes.Equal(tb.Password(a), tb.Password(b)) {
		t.Fatal("two sessions share a password")
	}
	if len(tb.Password(a)) != PasswordLen {
		t.Fatalf("password length %d", len(tb.Password(a)))
	}
	if !tb.CheckPassword(a, tb.Password(a)) || tb.CheckPassword(a, tb.Password(b)) {
		t.Fatal("CheckPassword wrong")
	}
	other := New(100, 1, 0, []byte("other key"))
	if other.CheckPassword(a, tb.Password(a)) {
		t.Fatal("password independent of key")
	}
}

func TestExpiryBuckets(t *testing.T) {
	tests := []struct {
		name      string
		timeout   int64
		touches   []int64
		expireAt  int64
		wantCount int
	}{
		{"not yet", 1000, nil, 1000, 0},
		{"rounded up to next tick", 1000, nil, 1100, 1},
		{"touch extends", 1000, []int64{500}, 1100, 0},
		{"touch then expire", 1000, []int64{500}, 1600, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := New(100, 1, 0, nil)
			tb.Add(7, tc.timeout, 0)
			for _, at := range tc.touches {
				if !tb.Touch(7, at) {
					t.Fatalf("touch at %d refused", at)
				}
			}
			got := tb.Expire(tc.expireAt)
			if len(got) != tc.wantCount {
				t.Fatalf("Expire(%d) = %v, want %d sessions", tc.expireAt, got, tc.wantCount)
			}
		})
	}
}

func TestExpireOnceThenRemove(t *testing.T) {
	tb := New(100, 1, 0, nil)
	tb.Add(1, 200, 0)
	tb.Add(2, 5000, 0)
	if got := tb.Expire(1000); len(got) != 1 || got[0] != 1 {
		t.Fatalf("Expire = %v, want [1]", got)
	}
	if got := tb.Expire(1000); len(got) != 0 {
		t.Fatalf("second Expire = %v, want none", got)
	}
	if tb.Touch(1, 1000) || tb.Valid(1) {
		t.Fatal("closing session still touchable")
	}
	tb.Remove(1)
	if tb.Len() != 1 {
		t.Fatalf("Len = %d after Remove", tb.Len())
	}
	if !tb.SetClosing(2) || tb.SetClosing(2) {
		t.Fatal("SetClosing should succeed once")
	}
	if got := tb.Expire(1 << 40); len(got) != 0 {
		t.Fatalf("closing session expired again: %v", got)
	}
	if d := tb.Dump(); len(d) != 1 || d[0].Sessions[0] != 2 {
		t.Fatalf("Dump = %+v", d)
	}
}
