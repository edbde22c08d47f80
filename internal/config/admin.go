package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AdminConfig is ZooKeeper's AdminServer, the embedded HTTP server of
// JSON commands (admin.* keys, which ZooKeeper reads as the system
// properties zookeeper.admin.*; JettyAdminServer has the defaults).
type AdminConfig struct {
	// Enabled is admin.enableServer. Default true, as in ZooKeeper.
	Enabled bool
	// Address and Port are admin.serverAddress and admin.serverPort.
	// Defaults 0.0.0.0 and 8080; port 0 takes any free port.
	Address string
	Port    int
	// CommandURL is admin.commandURL. Default /commands.
	CommandURL string
	// IdleTimeout is admin.idleTimeout (ms in zoo.cfg). Default 30 s.
	IdleTimeout time.Duration
	// ForceHTTPS is admin.forceHttps. Synod's AdminServer has no TLS, so
	// the server does not start it when this is set, as ZooKeeper does
	// not when its TLS settings are unusable.
	ForceHTTPS bool
}

// Addr is the host:port to listen on.
func (a AdminConfig) Addr() string {
	return joinHostPort(a.Address, a.Port)
}

// MetricsConfig is ZooKeeper 3.8's metrics provider (metricsProvider.*).
type MetricsConfig struct {
	// ClassName is metricsProvider.className. Only PrometheusProvider
	// serves anything; ZooKeeper's default and null providers export
	// nothing over HTTP. Default DefaultMetricsProvider.
	ClassName string
	// HTTPHost and HTTPPort are where /metrics is served. Defaults
	// 0.0.0.0 and 7000.
	HTTPHost string
	HTTPPort int
	// ExportJvmInfo is metricsProvider.exportJvmInfo: Synod exports the
	// Go runtime's and the process's metrics instead. Default true.
	ExportJvmInfo bool
}

// Metrics provider class names ZooKeeper 3.8 ships.
const (
	DefaultMetricsProvider    = "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider"
	NullMetricsProvider       = "org.apache.zookeeper.metrics.impl.NullMetricsProvider"
	PrometheusMetricsProvider = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider"
)

// Prometheus reports whether /metrics is to be served.
func (m MetricsConfig) Prometheus() bool { return m.ClassName == PrometheusMetricsProvider }

// Addr is the host:port of /metrics.
func (m MetricsConfig) Addr() string { return joinHostPort(m.HTTPHost, m.HTTPPort) }

func joinHostPort(host string, port int) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}

// Defaults of the admin and metrics keys (JettyAdminServer,
// PrometheusMetricsProvider).
const (
	defaultAdminAddress     = "0.0.0.0"
	defaultAdminPort        = 8080
	defaultAdminCommandURL  = "/commands"
	defaultAdminIdleTimeout = 30 * time.Second
	defaultMetricsHost      = "0.0.0.0"
	defaultMetricsPort      = 7000
)

// defaultAdmin is the AdminServer's defaults with the given address:
// Default (no zoo.cfg) keeps it on loopback, as it does the client port;
// Load uses ZooKeeper's 0.0.0.0.
func defaultAdmin(addr string) AdminConfig {
	return AdminConfig{Enabled: true, Address: addr, Port: defaultAdminPort,
		CommandURL: defaultAdminCommandURL, IdleTimeout: defaultAdminIdleTimeout}
}

func defaultMetrics() MetricsConfig {
	return MetricsConfig{ClassName: DefaultMetricsProvider, HTTPHost: defaultMetricsHost,
		HTTPPort: defaultMetricsPort, ExportJvmInfo: true}
}

func init() {
	// admin.* are system properties in ZooKeeper (zoo.cfg keys it does
	// not know become "zookeeper.<key>"), so the prefixed spelling is
	// honoured too; metricsProvider.* are zoo.cfg keys proper.
	adminKeys := map[string]setter{
		"admin.enableServer": func(c *Config, _ *loadState, v string) error { return setStrictBool(&c.Admin.Enabled, v) },
		"admin.serverAddress": func(c *Config, _ *loadState, v string) error {
			return setHost(&c.Admin.Address, v)
		},
		"admin.forceHttps": func(c *Config, _ *loadState, v string) error { return setStrictBool(&c.Admin.ForceHTTPS, v) },
		"admin.serverPort": func(c *Config, _ *loadState, v string) error { return setPortOrZero(&c.Admin.Port, v) },
		"admin.commandURL": func(c *Config, _ *loadState, v string) error {
			if !strings.HasPrefix(v, "/") {
				return fmt.Errorf("%q does not start with /", v)
			}
			c.Admin.CommandURL = v
			return nil
		},
		"admin.idleTimeout": func(c *Config, _ *loadState, v string) error {
			ms, err := atoi(v)
			if err != nil {
				return err
			}
			if ms <= 0 {
				return fmt.Errorf("%d is not a positive number of milliseconds", ms)
			}
			c.Admin.IdleTimeout = time.Duration(ms) * time.Millisecond
			return nil
		},
	}
	for k, set := range adminKeys {
		actedOn[k] = struct {
			set     setter
			sysprop bool
		}{set: set, sysprop: true}
	}
	metricsKeys := map[string]setter{
		"metricsProvider.className": func(c *Config, _ *loadState, v string) error {
			switch v {
			case DefaultMetricsProvider, NullMetricsProvider, PrometheusMetricsProvider:
				c.Metrics.ClassName = v
				return nil
			}
			// ZooKeeper fails to start when it cannot load the class.
			return fmt.Errorf("%q is not a provider Synod has (%s, %s or %s)", v,
				PrometheusMetricsProvider, DefaultMetricsProvider, NullMetricsProvider)
		},
		"metricsProvider.httpHost": func(c *Config, _ *loadState, v string) error {
			return setHost(&c.Metrics.HTTPHost, v)
		},
		"metricsProvider.httpPort": func(c *Config, _ *loadState, v string) error {
			return setPortOrZero(&c.Metrics.HTTPPort, v)
		},
		"metricsProvider.exportJvmInfo": func(c *Config, _ *loadState, v string) error {
			return setStrictBool(&c.Metrics.ExportJvmInfo, v)
		},
	}
	for k, set := range metricsKeys {
		actedOn[k] = struct {
			set     setter
			sysprop bool
		}{set: set}
	}
}

// validateAdmin checks the admin and metrics values of a Config built by
// hand.
func (c *Config) validateAdmin() []error {
	var errs []error
	if c.Admin.Port < 0 || c.Admin.Port > 65535 {
		errs = append(errs, c.errorf("admin.serverPort", "%d is not a port number (0-65535)", c.Admin.Port))
	}
	if c.Admin.Enabled && !strings.HasPrefix(c.Admin.CommandURL, "/") {
		errs = append(errs, c.errorf("admin.commandURL", "%q does not start with /", c.Admin.CommandURL))
	}
	if c.Admin.Enabled && c.Admin.IdleTimeout <= 0 {
		errs = append(errs, c.errorf("admin.idleTimeout", "must be positive, is %v", c.Admin.IdleTimeout))
	}
	if c.Metrics.HTTPPort < 0 || c.Metrics.HTTPPort > 65535 {
		errs = append(errs, c.errorf("metricsProvider.httpPort", "%d is not a port number (0-65535)", c.Metrics.HTTPPort))
	}
	return errs
}

// setPortOrZero reads a listening port; 0 means any free port, as Jetty
// takes it.
func setPortOrZero(dst *int, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q is not a port number (0-65535)", v)
	}
	*dst = n
	return nil
}

func setHost(dst *string, v string) error {
	if v == "" || strings.ContainsAny(v, " \t/") {
		return fmt.Errorf("%q is not a host name or address", v)
	}
	*dst = v
	return nil
}

// setStrictBool accepts true or false in any case. ZooKeeper reads these
// keys with Boolean.parseBoolean, for which anything but "true" is false;
// Synod refuses the rest rather than turn a typo into "off".
func setStrictBool(dst *bool, v string) error {
	switch strings.ToLower(v) {
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		return fmt.Errorf("%q is not true or false", v)
	}
	return nil
}
