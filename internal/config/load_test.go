package config

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeCfg writes text (with {{dir}} replaced by a temporary folder) as
// dir/zoo.cfg, and myid into dir when it is not empty.
func writeCfg(t *testing.T, text, myid string) string {
	t.Helper()
	dir := t.TempDir()
	text = strings.ReplaceAll(text, "{{dir}}", dir)
	path := filepath.Join(dir, "zoo.cfg")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if myid != "" {
		if err := os.WriteFile(filepath.Join(dir, "myid"), []byte(myid), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// logTo returns a logger writing text records to buf.
func logTo(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// goZKHarness is what go-zookeeper/zk's test harness (server_java_test.go,
// Marshall) writes for a 3-server cluster, plus the keys its JVM flags set.
const goZKHarness = `admin.enableServer=false
dataDir={{dir}}
tickTime=2000
initLimit=10
syncLimit=5
clientPort=21810
reconfigEnabled=true
4lw.commands.whitelist=*
standaloneEnabled=false
server.1=127.0.0.1:21811:21812
server.2=127.0.0.1:21814:21815
server.3=127.0.0.1:21817:21818
DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=
extendedTypesEnabled=true
emulate353TTLNodes=true
`

func TestLoadValid(t *testing.T) {
	debian, err := os.ReadFile("testdata/debian_example.cfg")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		text  string
		myid  string
		check func(t *testing.T, c *Config)
	}{
		{"debian zoo.cfg example", string(debian), "", func(t *testing.T, c *Config) {
			want(t, "DataDir", c.DataDir, "/tmp/zookeeper")
			want(t, "ClientPort", c.ClientPort, 2181)
			want(t, "ClientPortAddress", c.ClientPortAddress, "")
			want(t, "TickTime", c.TickTime, 2*time.Second)
			want(t, "MinSessionTimeout", c.MinSessionTimeout, 4*time.Second)
			want(t, "MaxSessionTimeout", c.MaxSessionTimeout, 40*time.Second)
			want(t, "InitLimit", c.InitLimit, 10)
			want(t, "SyncLimit", c.SyncLimit, 5)
			want(t, "FourLetterWhitelist", c.FourLetterWhitelist, []string{"srvr"})
			want(t, "MaxClientCnxns", c.MaxClientCnxns, 60)
		}},
		{"go-zookeeper harness cluster", goZKHarness, "2\n", func(t *testing.T, c *Config) {
			want(t, "MyID", c.MyID, 2)
			want(t, "Servers", len(c.Servers), 3)
			want(t, "Servers[1]", c.Servers[1], ServerSpec{ID: 2, Host: "127.0.0.1",
				QuorumPort: 21814, ElectionPort: 21815, Role: RoleParticipant})
			want(t, "Distributed", c.Distributed(), true)
			want(t, "ClientPort", c.ClientPort, 21810)
			want(t, "SuperDigest", c.SuperDigest, "super:D/InIHSb7yEEbrWz8b9l71RjZJU=")
			want(t, "ExtendedTypesEnabled", c.ExtendedTypesEnabled, true)
			want(t, "FourLetterWhitelist", len(c.FourLetterWhitelist), len(fourLetterWords))
			want(t, "Raw[emulate353TTLNodes]", c.Raw["emulate353TTLNodes"], "true")
		}},
		{"every acted-on key", `dataDir = {{dir}}
dataLogDir={{dir}}/log
clientPort: 3000
clientPortAddress 127.0.0.2
tickTime=500
minSessionTimeout=1500
maxSessionTimeout=90000
maxClientCnxns=0
4lw.commands.whitelist=ruok, stat mntr,ruok
znode.container.checkIntervalMs=1000
skipACL=yes
forceSync=no
snapCount=5000
autopurge.snapRetainCount=5
autopurge.purgeInterval=24
preAllocSize=1024
globalOutstandingLimit=50
`, "", func(t *testing.T, c *Config) {
			want(t, "LogDir", c.LogDir(), filepath.Join(filepath.Dir(c.Path), "log"))
			want(t, "ClientAddr", c.ClientAddr(), "127.0.0.2:3000")
			want(t, "TickTime", c.TickTime, 500*time.Millisecond)
			want(t, "MinSessionTimeout", c.MinSessionTimeout, 1500*time.Millisecond)
			want(t, "MaxSessionTimeout", c.MaxSessionTimeout, 90*time.Second)
			want(t, "MaxClientCnxns", c.MaxClientCnxns, 0)
			want(t, "FourLetterWhitelist", c.FourLetterWhitelist, []string{"ruok", "stat", "mntr", "srvr"})
			want(t, "ContainerCheckInterval", c.ContainerCheckInterval, time.Second)
			want(t, "SkipACL", c.SkipACL, true)
			want(t, "ForceSync", c.ForceSync, false)
			want(t, "SnapCount", c.SnapCount, 5000)
			want(t, "AutopurgeSnapRetainCount", c.AutopurgeSnapRetainCount, 5)
			want(t, "AutopurgePurgeInterval", c.AutopurgePurgeInterval, 24*time.Hour)
			want(t, "PreAllocSize", c.PreAllocSize, int64(1<<20))
			want(t, "GlobalOutstandingLimit", c.GlobalOutstandingLimit, 50)
		}},
		{"admin and metrics defaults", "dataDir={{dir}}\n", "", func(t *testing.T, c *Config) {
			want(t, "Admin", c.Admin, AdminConfig{Enabled: true, Address: "0.0.0.0", Port: 8080,
				CommandURL: "/commands", IdleTimeout: 30 * time.Second})
			want(t, "Metrics", c.Metrics, MetricsConfig{ClassName: DefaultMetricsProvider,
				HTTPHost: "0.0.0.0", HTTPPort: 7000, ExportJvmInfo: true})
			want(t, "Prometheus", c.Metrics.Prometheus(), false)
		}},
		{"admin and metrics keys", `dataDir={{dir}}
admin.enableServer=FALSE
admin.serverAddress=::1
admin.serverPort=0
admin.commandURL=/cmds
admin.idleTimeout=1500
admin.forceHttps=true
metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider
metricsProvider.httpHost=127.0.0.1
metricsProvider.httpPort=7001
metricsProvider.exportJvmInfo=false
`, "", func(t *testing.T, c *Config) {
			want(t, "Admin", c.Admin, AdminConfig{Enabled: false, Address: "::1", Port: 0,
				CommandURL: "/cmds", IdleTimeout: 1500 * time.Millisecond, ForceHTTPS: true})
			want(t, "Admin.Addr", c.Admin.Addr(), "[::1]:0")
			want(t, "Metrics.Addr", c.Metrics.Addr(), "127.0.0.1:7001")
			want(t, "Prometheus", c.Metrics.Prometheus(), true)
			want(t, "ExportJvmInfo", c.Metrics.ExportJvmInfo, false)
		}},
		{"srvr is always enabled", "dataDir={{dir}}\n4lw.commands.whitelist=\n", "", func(t *testing.T, c *Config) {
			want(t, "FourLetterWhitelist", c.FourLetterWhitelist, []string{"srvr"})
		}},
		{"session timeouts follow tickTime", "dataDir={{dir}}\ntickTime=100\n", "", func(t *testing.T, c *Config) {
			want(t, "MinSessionTimeout", c.MinSessionTimeout, 200*time.Millisecond)
			want(t, "MaxSessionTimeout", c.MaxSessionTimeout, 2*time.Second)
		}},
		{"snapRetainCount below 3 is raised", "dataDir={{dir}}\nautopurge.snapRetainCount=1\n", "", func(t *testing.T, c *Config) {
			want(t, "AutopurgeSnapRetainCount", c.AutopurgeSnapRetainCount, 3)
		}},
		{"zookeeper.-prefixed system property", "dataDir={{dir}}\nzookeeper.extendedTypesEnabled=true\nzookeeper.skipACL=yes\n", "", func(t *testing.T, c *Config) {
			want(t, "ExtendedTypesEnabled", c.ExtendedTypesEnabled, true)
			want(t, "SkipACL", c.SkipACL, true)
		}},
		{"client port from own server line", `dataDir={{dir}}
server.1=10.0.0.1:2888:3888;2191
server.2=10.0.0.2:2888:3888;127.0.0.5:2192
server.3=[::1]:2888:3888:observer
server.4=10.0.0.4:2888:3888:Participant
`, "2", func(t *testing.T, c *Config) {
			want(t, "ClientAddr", c.ClientAddr(), "127.0.0.5:2192")
			want(t, "Servers[0].ClientPort", c.Servers[0].ClientPort, 2191)
			want(t, "Servers[2]", c.Servers[2], ServerSpec{ID: 3, Host: "::1", QuorumPort: 2888, ElectionPort: 3888, Role: RoleObserver})
			want(t, "Servers[3].Role", c.Servers[3].Role, RoleParticipant)
		}},
		{"single server line runs standalone without myid", "dataDir={{dir}}\nserver.1=localhost:2888:3888\n", "", func(t *testing.T, c *Config) {
			want(t, "MyID", c.MyID, 0)
			want(t, "Distributed", c.Distributed(), false)
		}},
		{"properties syntax", "# comment\n! comment\n\n  dataDir  =  {{dir}}  \nclientPort\\\n   =2222\n", "", func(t *testing.T, c *Config) {
			want(t, "ClientPort", c.ClientPort, 2222)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(writeCfg(t, tt.text, tt.myid), logTo(&bytes.Buffer{}))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func want[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		name, text, myid string
		want             string // substring of the error, after the path
	}{
		{"non-numeric port", "dataDir=/d\n\nclientPort=abc\n", "", `:3: clientPort: "abc" is not a port number`},
		{"port out of range", "dataDir=/d\nclientPort=70000\n", "", `:2: clientPort: "70000" is not a port number`},
		{"negative tick", "dataDir=/d\ntickTime=-5\n", "", `:2: tickTime: -5 is not a positive number of milliseconds`},
		{"zero tick", "dataDir=/d\ntickTime=0\n", "", `:2: tickTime: 0 is not a positive`},
		{"min above max", "dataDir=/d\nminSessionTimeout=50000\nmaxSessionTimeout=10000\n", "", `:2: minSessionTimeout: 50s is larger than maxSessionTimeout 10s`},
		{"min above default max", "dataDir=/d\nminSessionTimeout=50000\n", "", `:2: minSessionTimeout: 50s is larger than maxSessionTimeout 40s`},
		{"no dataDir", "clientPort=2181\n", "", `dataDir: is not set`},
		{"unknown 4lw", "dataDir=/d\n4lw.commands.whitelist=srvr,kill\n", "", `:2: 4lw.commands.whitelist: unknown four-letter word "kill"`},
		{"bad boolean", "dataDir=/d\nforceSync=maybe\n", "", `:2: forceSync: "maybe" is not true/false or yes/no`},
		{"bad preAllocSize", "dataDir=/d\npreAllocSize=-1\n", "", `:2: preAllocSize: "-1" is not a positive size in KiB`},
		{"negative maxClientCnxns", "dataDir=/d\nmaxClientCnxns=-1\n", "", `:2: maxClientCnxns: -1 is negative`},
		{"snapCount 1", "dataDir=/d\nsnapCount=1\n", "", `:2: snapCount: 1 is less than 2`},
		{"bad super digest", "dataDir=/d\nDigestAuthenticationProvider.superDigest=nocolon\n", "", `:2: DigestAuthenticationProvider.superDigest: "nocolon" is not user:base64digest`},
		{"server line missing election port", "dataDir=/d\nserver.1=h:2888\n", "", `:2: server.1: "h:2888" is not host:quorumPort:electionPort`},
		{"server line bad port", "dataDir=/d\nserver.1=h:2888:x\n", "", `:2: server.1: election port "x" is not a port number`},
		{"server line bad role", "dataDir=/d\nserver.1=h:2888:3888:leader\n", "", `:2: server.1: role "leader" is neither participant nor observer`},
		{"server line bad id", "dataDir=/d\nserver.one=h:2888:3888\n", "", `:2: server.one: server id "one" is not a number`},
		{"server line same ports", "dataDir=/d\nserver.1=h:2888:2888\n", "", `:2: server.1: quorum and election port are both 2888`},
		{"server line bad client port", "dataDir=/d\nserver.1=h:2888:3888;0\n", "", `:2: server.1: client port "0" is not a port number`},
		{"server line multi address", "dataDir=/d\nserver.1=a:1:2|b:1:2\n", "", `:2: server.1: several addresses`},
		{"duplicate server id", "dataDir=/d\nserver.1=a:1:2\nserver.01=b:1:2\n", "", `:3: server.01: server id 1 appears twice`},
		{"ensemble without myid", "dataDir={{dir}}\nserver.1=a:1:2\nserver.2=b:1:2\n", "", `dataDir/myid is missing`},
		{"myid not in ensemble", "dataDir={{dir}}\nserver.1=a:1:2\nserver.2=b:1:2\n", "7", `myid 7 is not among the server.N lines`},
		{"myid not a number", "dataDir={{dir}}\nserver.1=a:1:2\nserver.2=b:1:2\n", "x", `myid:1: server id "x" is not a positive number`},
		{"client port conflicts with server line", "dataDir={{dir}}\nclientPort=2181\nserver.1=a:1:2;2182\nserver.2=b:1:2\n", "1", `:3: server.1: client port 2182 differs from clientPort 2181`},
		{"observers only", "dataDir=/d\nserver.1=a:1:2:observer\n", "", `server.1: observers without participants`},
		{"ensemble initLimit 0", "dataDir={{dir}}\ninitLimit=0\nserver.1=a:1:2\nserver.2=b:1:2\n", "1", `:2: initLimit: must be positive in an ensemble`},
		{"electionAlg not 3", "dataDir=/d\nelectionAlg=1\n", "", `:2: electionAlg: "1": only 3 is supported`},
		{"peerType word", "dataDir=/d\npeerType=leader\n", "", `:2: peerType: "leader" is neither participant nor observer`},
		{"documented boolean", "dataDir=/d\nreconfigEnabled=yes\n", "", `:2: reconfigEnabled: "yes" is not true or false`},
		{"admin port word", "dataDir=/d\nadmin.serverPort=http\n", "", `:2: admin.serverPort: "http" is not a port number (0-65535)`},
		{"admin port range", "dataDir=/d\n\nadmin.serverPort=65536\n", "", `:3: admin.serverPort: "65536" is not a port number`},
		{"admin enable word", "dataDir=/d\nadmin.enableServer=yes\n", "", `:2: admin.enableServer: "yes" is not true or false`},
		{"admin command URL", "dataDir=/d\nadmin.commandURL=commands\n", "", `:2: admin.commandURL: "commands" does not start with /`},
		{"admin idle timeout", "dataDir=/d\nadmin.idleTimeout=0\n", "", `:2: admin.idleTimeout: 0 is not a positive number of milliseconds`},
		{"admin address", "dataDir=/d\nadmin.serverAddress=\n", "", `:2: admin.serverAddress: "" is not a host name or address`},
		{"metrics port", "dataDir=/d\nmetricsProvider.httpPort=-1\n", "", `:2: metricsProvider.httpPort: "-1" is not a port number`},
		{"metrics class", "dataDir=/d\nmetricsProvider.className=com.example.Nope\n", "", `:2: metricsProvider.className: "com.example.Nope" is not a provider`},
		{"metrics jvm info", "dataDir=/d\nmetricsProvider.exportJvmInfo=1\n", "", `:2: metricsProvider.exportJvmInfo: "1" is not true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeCfg(t, tt.text, tt.myid)
			_, err := Load(path, logTo(&bytes.Buffer{}))
			if err == nil {
				t.Fatalf("Load succeeded, want error containing %q", tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not match ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadReportsEveryError(t *testing.T) {
	path := writeCfg(t, "dataDir=/d\nclientPort=x\ntickTime=y\n", "")
	_, err := Load(path, logTo(&bytes.Buffer{}))
	if err == nil {
		t.Fatal("Load succeeded")
	}
	for _, w := range []string{path + `:2: clientPort: "x"`, path + `:3: tickTime: "y"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.cfg"), nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
}

// TestLoadKeyLogging checks how each class of key is reported: documented
// keys at info, unknown keys as a warning naming key and line.
func TestLoadKeyLogging(t *testing.T) {
	tests := []struct {
		key, value string
		wantLevel  string
		wantMsg    string
	}{
		{"initLimit", "10", "", ""}, // acted on: no log
		{"standaloneEnabled", "false", "INFO", "accepted, not acted on"},
		{"reconfigEnabled", "true", "INFO", "accepted, not acted on"},
		{"admin.serverPort", "8080", "", ""},
		{"admin.enableServer", "false", "", ""},
		{"admin.httpVersion", "11", "INFO", "accepted, not acted on"},
		{"zookeeper.admin.serverPort", "8081", "WARN", "without its zookeeper. prefix"},
		{"authProvider.1", "org.apache.zookeeper.server.auth.SASLAuthenticationProvider", "INFO", "accepted, not acted on"},
		{"peerType", "participant", "INFO", "accepted, not acted on"},
		{"metricsProvider.className", "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider", "", ""},
		{"metricsProvider.httpPort", "7000", "", ""},
		{"metricsProvider.numWorkerThreads", "1", "INFO", "accepted, not acted on"},
		{"sslQuorum", "false", "INFO", "accepted, not acted on"},
		{"jute.maxbuffer", "1048575", "INFO", "accepted, not acted on"},
		{"emulate353TTLNodes", "true", "INFO", "accepted, not acted on"},
		{"zookeeper.connection_throttle_weight_enabled", "true", "INFO", "accepted, not acted on"},
		{"zookeeper.nio.numSelectorThreads", "2", "INFO", "accepted, not acted on"},
		{"group.1", "1:2:3", "INFO", "accepted, not acted on"},
		{"zookeeper.extendedTypesEnabled", "true", "WARN", "without its zookeeper. prefix"},
		{"frobnicate", "1", "WARN", "unknown zoo.cfg key"},
		{"zookeeper.clientPort", "1", "WARN", "unknown zoo.cfg key"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			var buf bytes.Buffer
			path := writeCfg(t, "dataDir=/d\nclientPort=2181\n"+tt.key+"="+tt.value+"\n", "")
			if _, err := Load(path, logTo(&buf)); err != nil {
				t.Fatalf("Load: %v", err)
			}
			out := buf.String()
			if tt.wantLevel == "" {
				if out != "" {
					t.Errorf("unexpected log: %s", out)
				}
				return
			}
			for _, w := range []string{"level=" + tt.wantLevel, tt.wantMsg, "key=" + tt.key, "line=3"} {
				if !strings.Contains(out, w) {
					t.Errorf("log %q lacks %q", out, w)
				}
			}
		})
	}
}

func TestDefaultAdminOnLoopback(t *testing.T) {
	// Without a zoo.cfg the AdminServer stays on loopback, like the
	// client port; a zoo.cfg gets ZooKeeper's 0.0.0.0 (TestLoadValid).
	want(t, "Admin.Addr", Default().Admin.Addr(), "127.0.0.1:8080")
	want(t, "Prometheus", Default().Metrics.Prometheus(), false)
}

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	want(t, "ClientAddr", c.ClientAddr(), "127.0.0.1:2181")
	want(t, "MinSessionTimeout", c.MinSessionTimeout, 4*time.Second)
	want(t, "MaxSessionTimeout", c.MaxSessionTimeout, 40*time.Second)
	want(t, "PreAllocSize", c.PreAllocSize, int64(64<<20))
}

func TestValidateByHand(t *testing.T) {
	tests := []struct {
		name   string
		modify func(c *Config)
		want   string
	}{
		{"port 0", func(c *Config) { c.ClientPort = 0 }, "clientPort: 0 is not a port number"},
		{"min > max", func(c *Config) { c.MinSessionTimeout = time.Hour }, "minSessionTimeout: 1h0m0s is larger"},
		{"bad 4lw", func(c *Config) { c.FourLetterWhitelist = []string{"kill"} }, `4lw.commands.whitelist: unknown four-letter word "kill"`},
		{"duplicate server", func(c *Config) {
			s := ServerSpec{ID: 1, Host: "a", QuorumPort: 1, ElectionPort: 2, Role: RoleParticipant}
			c.Servers = []ServerSpec{s, s}
		}, "server.1: server id 1 appears twice"},
		{"retain count", func(c *Config) { c.AutopurgeSnapRetainCount = 1 }, "autopurge.snapRetainCount: must be at least 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.modify(c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLoadDynamicConfigFile(t *testing.T) {
	tests := []struct {
		name, static, dynamic string
		wantErr               string // empty: valid
	}{
		{"servers from the dynamic file",
			"dataDir={{dir}}\ndynamicConfigFile={{dir}}/zoo.cfg.dynamic.100000000\n",
			"server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\nserver.2=127.0.0.2:2888:3888;2181\nversion=100000000\n", ""},
		{"server lines in both files",
			"dataDir={{dir}}\ndynamicConfigFile={{dir}}/dyn\nserver.1=a:1:2\n",
			"server.1=127.0.0.1:2888:3888\n", "dynamicConfigFile: server.N lines must be in the dynamic config file"},
		{"other keys in the dynamic file",
			"dataDir={{dir}}\ndynamicConfigFile={{dir}}/dyn\n",
			"server.1=127.0.0.1:2888:3888\ntickTime=2000\n", "dyn:2: tickTime: not allowed in a dynamic config file"},
		{"bad server line in the dynamic file",
			"dataDir={{dir}}\ndynamicConfigFile={{dir}}/dyn\n",
			"server.1=127.0.0.1:2888\n", `dyn:1: server.1: "127.0.0.1:2888" is not host:quorumPort:electionPort`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeCfg(t, tt.static, "1")
			dir := filepath.Dir(path)
			// The dynamic file's name follows "dynamicConfigFile={{dir}}/".
			name, _, _ := strings.Cut(strings.SplitN(tt.static, "dynamicConfigFile={{dir}}/", 2)[1], "\n")
			if err := os.WriteFile(filepath.Join(dir, name), []byte(tt.dynamic), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path, logTo(&bytes.Buffer{}))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want(t, "len(Servers)", len(c.Servers), 2)
			want(t, "MyID", c.MyID, 1)
			want(t, "ClientAddr", c.ClientAddr(), "127.0.0.1:2181")
			want(t, "Servers[1].ClientPort", c.Servers[1].ClientPort, 2181)
		})
	}
}
