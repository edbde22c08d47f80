package recipes

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func names(ms []Member) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name+"="+string(m.Data))
	}
	return fmt.Sprint(out)
}

// nextList waits for a member list equal to want; intermediate lists may
// be skipped by Watch, but the latest one always arrives.
func nextList(t *testing.T, ch <-chan []Member, want string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ms, ok := <-ch:
			if !ok {
				t.Fatal("watch closed")
			}
			if names(ms) == want {
				return
			}
		case <-timeout:
			t.Fatalf("member list %s never seen", want)
		}
	}
}

func TestGroup(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		dir := testRoot(t)
		ss := sessions(t, addr, 3)
		ctx := testCtx(t, 30*time.Second)
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		watch := NewGroup(ss[2], dir).Watch(wctx)
		nextList(t, watch, "[]")
		a, err := NewGroup(ss[0], dir).Join(ctx, "a", []byte("1"))
		if err != nil {
			t.Fatal(err)
		}
		nextList(t, watch, "[a=1]")
		if _, err := NewGroup(ss[1], dir).Join(ctx, "a", nil); !errors.Is(err, ErrNameTaken) {
			t.Fatalf("second member named a: %v", err)
		}
		if _, err := NewGroup(ss[1], dir).Join(ctx, "b", []byte("2")); err != nil {
			t.Fatal(err)
		}
		nextList(t, watch, "[a=1 b=2]")
		ms, err := NewGroup(ss[0], dir).Members(ctx)
		if err != nil || names(ms) != "[a=1 b=2]" {
			t.Fatalf("Members = %s, %v", names(ms), err)
		}
		if err := a.Release(ctx); err != nil {
			t.Fatal(err)
		}
		nextList(t, watch, "[b=2]")
		ss[1].Close() // a closed session leaves at once
		nextList(t, watch, "[]")
	})
}
