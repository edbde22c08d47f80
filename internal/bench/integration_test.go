package bench

import (
	"context"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/wire"
	"github.com/synod-dev/synod/internal/zkenv"
)

// TestRunAgainstServers runs a short set load against each server and checks
// that getData then returns the value the load wrote.
func TestRunAgainstServers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	for _, kind := range zkenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			s := zkenv.StartT(t, kind, zkenv.Options{})
			cfg := Config{Server: s.Addr, Workload: "set", Sessions: 2, Outstanding: 8, ValueSize: 100, Keys: 10, Duration: time.Second, Warmup: 200 * time.Millisecond}
			r, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if r.Ops == 0 || r.Errors != 0 {
				t.Fatalf("ops=%d errors=%d", r.Ops, r.Errors)
			}
			c, err := dial(s.Addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.close()
			if _, err := c.nc.Write(wire.AppendFrame(nil, &wire.RequestHeader{Xid: 1, Type: wire.OpGetData}, &wire.PathWatchRequest{Path: keyPath(0)})); err != nil {
				t.Fatal(err)
			}
			b, err := c.fr.ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			d := wire.NewDecoder(b)
			var h wire.ReplyHeader
			h.Decode(d)
			if data := d.Buffer(); h.Err != 0 || len(data) != 100 {
				t.Fatalf("getData: err=%d len=%d", h.Err, len(data))
			}
		})
	}
}
