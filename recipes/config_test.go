package recipes

import (
	"testing"
	"time"
)

func TestValue(t *testing.T) {
	forEachKind(t, func(t *testing.T, addr string) {
		path := testRoot(t) + "/cfg"
		p := newProxy(t, addr)
		reader := connect(t, p.Addr(), sessionTimeout)
		writer := connect(t, addr, sessionTimeout)
		ctx := testCtx(t, 30*time.Second)
		v, err := WatchValue(ctx, reader, path)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Stop()
		if d, ok := v.Load(); ok || d != nil {
			t.Fatalf("missing node loads as %q, %v", d, ok)
		}
		expect := func(want string) {
			t.Helper()
			deadline := time.After(10 * time.Second)
			for {
				ch := v.Changed()
				if d, ok := v.Load(); ok && string(d) == want {
					return
				}
				select {
				case <-ch:
				case <-deadline:
					d, _ := v.Load()
					t.Fatalf("value %q, want %q", d, want)
				}
			}
		}
		for _, val := range []string{"one", "two", "three"} {
			if err := SetValue(ctx, writer, path, []byte(val)); err != nil {
				t.Fatal(err)
			}
			expect(val)
		}
		// A change made while the reader is disconnected is seen after.
		p.Pause()
		waitClosed(t, reader.Disconnected(), 5*time.Second, "disconnect")
		if err := SetValue(ctx, writer, path, []byte("while-away")); err != nil {
			t.Fatal(err)
		}
		p.Resume()
		expect("while-away")
		// Delete and re-create: the new value is not mistaken for an old one.
		if err := writer.Conn().Delete(path, -1); err != nil {
			t.Fatal(err)
		}
		if err := SetValue(ctx, writer, path, []byte("reborn")); err != nil {
			t.Fatal(err)
		}
		expect("reborn")
	})
}
