package admin

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/synod-dev/synod/internal/server"
)

// PrometheusProvider is the metricsProvider.className that turns the
// endpoint on, as in ZooKeeper 3.8.
const PrometheusProvider = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider"

// ZooKeeper's PrometheusMetricsProvider defaults.
const (
	DefaultMetricsHost = "0.0.0.0"
	DefaultMetricsPort = 7000
)

// MetricsOptions configure the /metrics endpoint.
type MetricsOptions struct {
	// Addr is host:port (metricsProvider.httpHost and httpPort). Default
	// 0.0.0.0:7000.
	Addr string
	// ExportRuntime adds the Go runtime and process collectors, Synod's
	// counterpart of metricsProvider.exportJvmInfo (ZooKeeper's jvm_* and
	// process_* series).
	ExportRuntime bool
	// Logger receives the server's logs. Default slog.Default().
	Logger *slog.Logger
}

// NewRegistry returns a registry holding srv's gauges, read from
// Server.Monitor at scrape time under ZooKeeper's names (znode_count,
// packets_received, ...), and with runtime the Go and process collectors.
func NewRegistry(srv *server.Server, runtime bool) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	cs := []prometheus.Collector{newMonitorCollector(srv)}
	if runtime {
		cs = append(cs, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("admin: register collector: %w", err)
		}
	}
	return reg, nil
}

// monitorCollector exports every numeric Monitor value as a gauge. As in
// ZooKeeper (PrometheusGaugeWrapper), a gauge's help text is its name.
type monitorCollector struct {
	srv   *server.Server
	descs map[string]*prometheus.Desc
}

func newMonitorCollector(srv *server.Server) *monitorCollector {
	c := &monitorCollector{srv: srv, descs: map[string]*prometheus.Desc{}}
	for _, kv := range srv.Monitor() {
		if _, ok := gaugeValue(kv.Value); ok {
			c.descs[kv.Key] = prometheus.NewDesc(kv.Key, kv.Key, nil, nil)
		}
	}
	return c
}

// Describe sends the gauges' descriptions.
func (c *monitorCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect reads the server's values now.
func (c *monitorCollector) Collect(ch chan<- prometheus.Metric) {
	for _, kv := range c.srv.Monitor() {
		d, known := c.descs[kv.Key]
		v, numeric := gaugeValue(kv.Value)
		if known && numeric {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
		}
	}
}

func gaugeValue(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// MetricsServer serves GET /metrics in Prometheus' text format.
type MetricsServer struct {
	http *http.Server
	ln   net.Listener
	done chan struct{}
	log  *slog.Logger
}

// StartMetrics listens on opts.Addr and serves srv's metrics until Close.
// ZooKeeper refuses to start when its /metrics port cannot be bound
// ("Cannot start /metrics server"); callers should fail the same way.
func StartMetrics(srv *server.Server, opts MetricsOptions) (*MetricsServer, error) {
	if opts.Addr == "" {
		opts.Addr = net.JoinHostPort(DefaultMetricsHost, fmt.Sprint(DefaultMetricsPort))
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	reg, err := NewRegistry(srv, opts.ExportRuntime)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}))
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("admin: metrics: listen on %s: %w", opts.Addr, err)
	}
	m := &MetricsServer{ln: ln, done: make(chan struct{}), log: opts.Logger,
		http: newHTTPServer(mux, time.Minute, opts.Logger)}
	go func() {
		defer close(m.done)
		if err := m.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("/metrics server stopped", "err", err)
		}
	}()
	opts.Logger.Info("started /metrics HTTP endpoint", "addr", ln.Addr().String(), "export_runtime", opts.ExportRuntime)
	return m, nil
}

// Addr is the address the server listens on.
func (m *MetricsServer) Addr() net.Addr { return m.ln.Addr() }

// Close stops the server, waiting up to 5 s for scrapes in flight.
func (m *MetricsServer) Close() error { return shutdown(m.http, m.done) }
