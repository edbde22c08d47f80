package zkenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Kind names a server implementation.
type Kind string

// The implementations zkenv can start.
const (
	ZooKeeper Kind = "zookeeper"
	Synod     Kind = "synod"
)

// Kinds lists both implementations, ZooKeeper first.
var Kinds = []Kind{ZooKeeper, Synod}

// Options shape a server's zoo.cfg. The zero value is a standalone server
// with every four-letter word enabled and no connection limit.
type Options struct {
	// DataDir is the data folder; empty means a new temporary folder.
	DataDir string
	// TickTime in ms; 0 means 2000.
	TickTime int
	// Extra zoo.cfg lines (key=value), appended after the defaults and so
	// overriding them.
	Extra map[string]string
	// Stdout and Stderr receive the server's output; nil discards it
	// (ZooKeeper's log also lands in DataDir/zookeeper.log).
	Stdout, Stderr io.Writer
	// Admin turns the AdminServer on, on a free loopback port
	// (Server.AdminURL). Off by default, for both kinds: its default
	// port, 8080, is one port for every server on the machine.
	Admin bool
	// Metrics turns the Prometheus /metrics endpoint on, on a free
	// loopback port (Server.MetricsURL). Debian's ZooKeeper lacks the
	// Prometheus client jars its provider needs and fails to start with
	// this.
	Metrics bool
}

// Server is a running server process.
type Server struct {
	Kind    Kind
	Addr    string // host:port of the client port
	Port    int
	DataDir string
	Config  string // path of the zoo.cfg it was started with
	// AdminURL is the AdminServer's command URL
	// (http://127.0.0.1:port/commands) when Options.Admin was set.
	AdminURL string
	// MetricsURL is http://127.0.0.1:port/metrics when Options.Metrics
	// was set.
	MetricsURL string
	cmd        *exec.Cmd
	done       chan struct{}
	waitErr    error
}

// ZooKeeperJar is where Debian's zookeeper package puts the server.
const ZooKeeperJar = "/usr/share/java/zookeeper.jar"

// servletAPIJar is Debian's javax.servlet API, which the AdminServer needs.
const servletAPIJar = "/usr/share/java/servlet-api.jar"

var installOnce sync.Once
var installErr error

// EnsureZooKeeper installs Debian's zookeeper package when it is missing.
func EnsureZooKeeper() error {
	installOnce.Do(func() {
		if _, err := os.Stat(ZooKeeperJar); err == nil {
			return
		}
		if _, err := exec.LookPath("apt-get"); err != nil {
			installErr = fmt.Errorf("zkenv: %s missing and no apt-get to install zookeeper", ZooKeeperJar)
			return
		}
		// Other test binaries may be installing at the same moment: wait
		// for dpkg's lock rather than fail on it.
		lock := []string{"-o", "DPkg::Lock::Timeout=600"}
		for _, args := range [][]string{append(lock, "update", "-qq"), append(lock, "install", "-y", "-qq", "zookeeper")} {
			cmd := exec.Command("apt-get", args...)
			cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
			if out, err := cmd.CombinedOutput(); err != nil {
				installErr = fmt.Errorf("zkenv: apt-get %s: %w\n%s", strings.Join(args, " "), err, out)
				return
			}
		}
		if _, err := os.Stat(ZooKeeperJar); err != nil {
			installErr = fmt.Errorf("zkenv: zookeeper installed but %s missing: %w", ZooKeeperJar, err)
		}
	})
	return installErr
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// SynodBinary builds cmd/synod once per process and returns its path.
// SYNOD_BIN, when set, names a prebuilt binary to use instead.
func SynodBinary() (string, error) {
	buildOnce.Do(func() {
		if p := os.Getenv("SYNOD_BIN"); p != "" {
			builtBin = p
			return
		}
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "synod-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "synod")
		cmd := exec.Command("go", "build", "-o", builtBin, "./cmd/synod")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("zkenv: go build ./cmd/synod: %w\n%s", err, out)
		}
	})
	return builtBin, buildErr
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("zkenv: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start starts a server of the given kind and waits until it answers the
// srvr four-letter word. The caller must Stop it.
func Start(ctx context.Context, kind Kind, opts Options) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	dataDir := opts.DataDir
	if dataDir == "" {
		if dataDir, err = os.MkdirTemp("", "zkenv-"+string(kind)+"-"); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	tick := opts.TickTime
	if tick == 0 {
		tick = 2000
	}
	cfg := map[string]string{
		"tickTime":               fmt.Sprint(tick),
		"dataDir":                dataDir,
		"clientPort":             fmt.Sprint(port),
		"clientPortAddress":      "127.0.0.1",
		"maxClientCnxns":         "0",
		"4lw.commands.whitelist": "*",
		"admin.enableServer":     "false",
	}
	var adminURL, metricsURL string
	if opts.Admin {
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		cfg["admin.enableServer"] = "true"
		cfg["admin.serverAddress"] = "127.0.0.1"
		cfg["admin.serverPort"] = fmt.Sprint(p)
		adminURL = fmt.Sprintf("http://127.0.0.1:%d/commands", p)
	}
	if opts.Metrics {
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		cfg["metricsProvider.className"] = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider"
		cfg["metricsProvider.httpHost"] = "127.0.0.1"
		cfg["metricsProvider.httpPort"] = fmt.Sprint(p)
		metricsURL = fmt.Sprintf("http://127.0.0.1:%d/metrics", p)
	}
	for k, v := range opts.Extra {
		cfg[k] = v
	}
	cfgPath := filepath.Join(dataDir, "zoo.cfg")
	if err := os.WriteFile(cfgPath, []byte(FormatConfig(cfg)), 0o644); err != nil {
		return nil, err
	}

	var cmd *exec.Cmd
	switch kind {
	case ZooKeeper:
		if err := EnsureZooKeeper(); err != nil {
			return nil, err
		}
		cp := "/etc/zookeeper/conf:" + ZooKeeperJar
		if opts.Admin {
			// Jetty's servlets need the servlet API, which the Class-Path
			// of Debian's zookeeper.jar leaves out (libservlet-api-java
			// comes with libjetty9-java).
			cp += ":" + servletAPIJar
		}
		cmd = exec.Command("java",
			"-Xmx2g",
			"-cp", cp,
			"-Dzookeeper.log.dir="+dataDir,
			"-Dzookeeper.root.logger=INFO,CONSOLE",
			"org.apache.zookeeper.server.ZooKeeperServerMain", cfgPath)
	case Synod:
		bin, err := SynodBinary()
		if err != nil {
			return nil, err
		}
		cmd = exec.Command(bin, "server", "--config", cfgPath)
	default:
		return nil, fmt.Errorf("zkenv: unknown kind %q", kind)
	}
	cmd.Dir = dataDir
	cmd.Stdout, cmd.Stderr = opts.Stdout, opts.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("zkenv: start %s: %w", kind, err)
	}
	s := &Server{Kind: kind, Addr: fmt.Sprintf("127.0.0.1:%d", port), Port: port,
		DataDir: dataDir, Config: cfgPath, AdminURL: adminURL, MetricsURL: metricsURL,
		cmd: cmd, done: make(chan struct{})}
	go func() { s.waitErr = cmd.Wait(); close(s.done) }()
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		s.Kill()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		out, err := FourLetter(s.Addr, "srvr", time.Second)
		if err == nil && strings.Contains(out, "Mode:") {
			if err = s.httpReady(); err == nil {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("zkenv: %s exited before it served: %v", s.Kind, s.waitErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("zkenv: %s not serving on %s after %v (last: %v)", s.Kind, s.Addr, limit, err)
		}
	}
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Kill sends SIGKILL and waits for the process to go.
func (s *Server) Kill() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
}

// Stop sends SIGTERM, waits up to 10 s, then kills.
func (s *Server) Stop() error {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.Kill()
	}
	return nil
}

// Done is closed when the process has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

// FourLetter sends a four-letter word and returns the whole reply.
func FourLetter(addr, word string, timeout time.Duration) (string, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write([]byte(word)); err != nil {
		return "", err
	}
	out, err := io.ReadAll(bufio.NewReader(c))
	return string(out), err
}

// httpReady checks that the AdminServer and /metrics answer, when they
// were asked for.
func (s *Server) httpReady() error {
	for _, u := range []string{s.AdminURL, s.MetricsURL} {
		if u == "" {
			continue
		}
		c := http.Client{Timeout: time.Second}
		resp, err := c.Get(u)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
	}
	return nil
}

// FormatConfig renders zoo.cfg lines, key=value, keys sorted.
func FormatConfig(cfg map[string]string) string {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, cfg[k])
	}
	return b.String()
}
