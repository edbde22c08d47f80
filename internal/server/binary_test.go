package server

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/synod-dev/synod/internal/zkenv"
)

// TestBinary runs the real synod binary from a zoo.cfg, as every other
// suite does through zkenv.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the synod binary")
	}
	zopts := zkenv.Options{DataDir: t.TempDir(), TickTime: 200, Extra: map[string]string{
		"extendedTypesEnabled": "true",
		"preAllocSize":         "64",
	}}
	srv := zkenv.StartT(t, zkenv.Synod, zopts)
	c, _ := connectZK(t, srv.Addr)
	if _, err := c.Create("/bin", []byte("v"), zk.FlagEphemeral, openACL); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateTTL("/ttl", nil, zk.FlagTTL, openACL, time.Hour); err != nil {
		t.Fatalf("createTTL with extendedTypesEnabled: %v", err)
	}
	data, _, err := c.Get("/bin")
	if err != nil || string(data) != "v" {
		t.Fatalf("get: %q %v", data, err)
	}
	if err := c.Delete("/nope", -1); !errors.Is(err, zk.ErrNoNode) {
		t.Fatalf("delete missing: %v", err)
	}
	stats, ok := zk.FLWSrvr([]string{srv.Addr}, 10*time.Second)
	if !ok || stats[0].Error != nil || stats[0].Mode != zk.ModeStandalone {
		t.Fatalf("srvr: %+v", stats[0])
	}
	out, err := zkenv.FourLetter(srv.Addr, "conf", 10*time.Second)
	if err != nil || !strings.Contains(out, "tickTime=200\n") {
		t.Fatalf("conf: %q %v", out, err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.Done():
	case <-time.After(15 * time.Second):
		t.Fatal("server did not exit on SIGTERM")
	}
	c.Close()

	// The data survives a restart on the same folder.
	again := zkenv.StartT(t, zkenv.Synod, zopts)
	c2, _ := connectZK(t, again.Addr)
	if ok, _, err := c2.Exists("/ttl"); err != nil || !ok {
		t.Fatalf("/ttl after restart: %v %v", ok, err)
	}
}
