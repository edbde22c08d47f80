package config

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/synod-dev/synod/internal/zkenv"
)

// acceptedByBoth is a standalone zoo.cfg that uses every key Synod acts
// on plus the documented keys test harnesses write. dataDir, clientPort,
// clientPortAddress and the 4lw whitelist are left to zkenv.
const acceptedByBoth = `dataDir={{dir}}
dataLogDir={{dir}}/log
tickTime=500
minSessionTimeout=1500
maxSessionTimeout=90000
maxClientCnxns=0
initLimit=10
syncLimit=5
znode.container.checkIntervalMs=1000
skipACL=yes
forceSync=no
snapCount=5000
autopurge.snapRetainCount=5
autopurge.purgeInterval=24
preAllocSize=1024
globalOutstandingLimit=50
DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=
extendedTypesEnabled=true
emulate353TTLNodes=true
admin.enableServer=false
admin.serverPort=0
reconfigEnabled=true
standaloneEnabled=true
peerType=participant
jute.maxbuffer=1048575
`

// TestZooKeeperAcceptsValidFixture starts Debian's Apache ZooKeeper, and
// the synod server, with the fixture Load accepts, and checks through the
// conf four-letter word that each read the same values.
func TestZooKeeperAcceptsValidFixture(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Apache ZooKeeper")
	}
	path := writeCfg(t, acceptedByBoth, "")
	c, err := Load(path, logTo(&bytes.Buffer{}))
	if err != nil {
		t.Fatalf("Synod rejects the fixture: %v", err)
	}
	extra := map[string]string{}
	for k, v := range c.Raw {
		switch k {
		case "dataDir", "clientPort", "clientPortAddress", "4lw.commands.whitelist":
		default:
			extra[k] = v
		}
	}
	for _, kind := range zkenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			if kind == zkenv.Synod {
				requireSynodServer(t)
			}
			srv := zkenv.StartT(t, kind, zkenv.Options{TickTime: 500, Extra: extra})
			conf, err := zkenv.FourLetter(srv.Addr, "conf", 10*time.Second)
			if err != nil {
				t.Fatalf("conf: %v", err)
			}
			for _, w := range []string{
				"tickTime=" + ms(c.TickTime),
				"minSessionTimeout=" + ms(c.MinSessionTimeout),
				"maxSessionTimeout=" + ms(c.MaxSessionTimeout),
				"maxClientCnxns=0",
				"dataLogDir=" + c.LogDir(),
			} {
				if !strings.Contains(conf, w) {
					t.Errorf("%s's conf lacks %q:\n%s", kind, w, conf)
				}
			}
		})
	}
}

// requireSynodServer fails the test when cmd/synod does not build: the
// server subcommand is part of the product, so its absence is a failure,
// never a skip.
func requireSynodServer(t *testing.T) {
	t.Helper()
	if _, err := zkenv.SynodBinary(); err != nil {
		t.Fatalf("build synod: %v", err)
	}
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// TestZooKeeperRejectsInvalid checks, for errors that ZooKeeper raises
// too, that Debian's ZooKeeper refuses to start from the same keys that
// Load refuses.
func TestZooKeeperRejectsInvalid(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Apache ZooKeeper")
	}
	tests := []struct {
		name  string
		extra map[string]string
	}{
		{"min above max", map[string]string{"minSessionTimeout": "50000", "maxSessionTimeout": "10000"}},
		{"electionAlg not 3", map[string]string{"electionAlg": "1"}},
		{"peerType word", map[string]string{"peerType": "leader"}},
		{"documented boolean", map[string]string{"reconfigEnabled": "yes"}},
		{"non-numeric tickTime", map[string]string{"tickTime": "abc"}},
		// "metrics provider class was not found"; Debian's ZooKeeper says
		// so of PrometheusMetricsProvider too, which it does not ship.
		{"unknown metrics provider", map[string]string{"metricsProvider.className": "com.example.NoSuchProvider"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var text strings.Builder
			text.WriteString("dataDir={{dir}}\n")
			for k, v := range tt.extra {
				text.WriteString(k + "=" + v + "\n")
			}
			if _, err := Load(writeCfg(t, text.String(), ""), logTo(&bytes.Buffer{})); err == nil {
				t.Fatal("Load accepted the keys")
			}
			for _, kind := range zkenv.Kinds {
				t.Run(string(kind), func(t *testing.T) {
					// ZooKeeper says "Invalid config"; synod prints
					// Load's error, which names file, line and key.
					wantOut := []string{"Invalid config"}
					switch kind {
					case zkenv.ZooKeeper:
						if os.Getenv("SYNOD_SKIP_ZK") == "1" {
							t.Skip("SYNOD_SKIP_ZK=1")
						}
					case zkenv.Synod:
						requireSynodServer(t)
						wantOut = []string{"zoo.cfg:"}
						for k := range tt.extra {
							wantOut = append(wantOut, k)
						}
					}
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					var out zkenv.SyncBuffer
					srv, err := zkenv.Start(ctx, kind, zkenv.Options{DataDir: t.TempDir(), Extra: tt.extra,
						Stdout: &out, Stderr: &out})
					if err == nil {
						srv.Kill()
						t.Fatalf("%s started from the keys Load refuses", kind)
					}
					for _, w := range wantOut {
						if !strings.Contains(out.String(), w) {
							t.Errorf("%s failed for another reason (no %q): %v\n%s", kind, w, err, out.String())
						}
					}
				})
			}
		})
	}
}

// TestZooKeeperAlwaysEnablesSrvr backs Load's rule that srvr is always in
// the whitelist: ZooKeeper answers srvr when the list names only ruok,
// and refuses stat.
func TestZooKeeperAlwaysEnablesSrvr(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Apache ZooKeeper")
	}
	c, err := Load(writeCfg(t, "dataDir={{dir}}\n4lw.commands.whitelist=ruok\n", ""), logTo(&bytes.Buffer{}))
	if err != nil {
		t.Fatal(err)
	}
	want(t, "FourLetterWhitelist", c.FourLetterWhitelist, []string{"ruok", "srvr"})
	srv := zkenv.StartT(t, zkenv.ZooKeeper, zkenv.Options{Extra: map[string]string{"4lw.commands.whitelist": "ruok"}})
	for word, reply := range map[string]string{"srvr": "Mode: standalone", "ruok": "imok", "stat": "not in the whitelist"} {
		out, err := zkenv.FourLetter(srv.Addr, word, 10*time.Second)
		if err != nil || !strings.Contains(out, reply) {
			t.Errorf("%s: %q, %v; want %q", word, out, err, reply)
		}
	}
}
