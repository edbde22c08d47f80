package admin

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/synod-dev/synod/internal/zkenv"
)

// TestSynodBinaryMetrics scrapes the synod binary started from a zoo.cfg
// with the Prometheus provider, so the config keys and the wiring in
// cmd/synod are covered too.
func TestSynodBinaryMetrics(t *testing.T) {
	t.Parallel() // each waits on a process start; overlap them
	srv := zkenv.StartT(t, zkenv.Synod, zkenv.Options{Metrics: true, Admin: true,
		Extra: map[string]string{"snapCount": "2"}})
	before := gauge(t, scrape(t, srv.MetricsURL), "znode_count")
	c := connectZK(t, srv.Addr)
	if _, err := c.Create("/m", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	fams := scrape(t, srv.MetricsURL)
	if got := gauge(t, fams, "znode_count"); got != before+1 {
		t.Fatalf("znode_count %v after a create, want %v", got, before+1)
	}
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("exportJvmInfo defaults to true: Go runtime metrics missing")
	}
	if got := getJSON(t, srv.AdminURL+"/mntr")["znode_count"]; got != before+1 {
		t.Fatalf("admin monitor znode_count %v, want %v", got, before+1)
	}

	// With snapCount=2 a few writes make the log take a snapshot, which
	// last_snapshot then names.
	for i := range 4 {
		if _, err := c.Create(fmt.Sprintf("/s%d", i), nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		lsnp := getJSON(t, srv.AdminURL+"/last_snapshot")
		if lsnp["zxid"] != "ffffffffffffffff" {
			if ts := lsnp["timestamp"].(float64); ts < float64(time.Now().Add(-time.Hour).Unix()) {
				t.Fatalf("last_snapshot timestamp %v is not seconds since the epoch", ts)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot reported after 5 writes with snapCount=2: %v", lsnp)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSynodBinaryServesWithoutAdminServer holds the AdminServer's port:
// the binary warns and serves clients, as ZooKeeper does.
func TestSynodBinaryServesWithoutAdminServer(t *testing.T) {
	t.Parallel() // each waits on a process start; overlap them
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out zkenv.SyncBuffer
	srv := zkenv.StartT(t, zkenv.Synod, zkenv.Options{Stdout: &out, Stderr: &out, Extra: map[string]string{
		"admin.enableServer":  "true",
		"admin.serverAddress": "127.0.0.1",
		"admin.serverPort":    fmt.Sprint(ln.Addr().(*net.TCPAddr).Port),
	}})
	if reply, err := zkenv.FourLetter(srv.Addr, "ruok", 5*time.Second); err != nil || reply != "imok" {
		t.Fatalf("ruok: %q %v", reply, err)
	}
	if !strings.Contains(out.String(), "Failed to start AdminServer") {
		t.Fatalf("no warning in the output:\n%s", out.String())
	}
}
