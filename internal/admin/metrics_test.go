package admin

import (
	"net/http"
	"testing"

	"github.com/go-zookeeper/zk"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/synod-dev/synod/internal/server"
)

// zooKeeperGauges are the gauges ZooKeeperServer.registerMetrics
// registers in ZooKeeper 3.8.0, which PrometheusMetricsProvider exports
// under these names (help text = name), less the per-namespace quota
// gauge sets, which Synod has no quotas for. Debian's ZooKeeper cannot
// be asked: its jar lacks the Prometheus provider ("metrics provider
// class was not found").
var zooKeeperGauges = []string{
	"avg_latency", "max_latency", "min_latency", "packets_received", "packets_sent",
	"num_alive_connections", "outstanding_requests", "uptime", "znode_count", "watch_count",
	"ephemerals_count", "approximate_data_size", "global_sessions", "local_sessions",
	"open_file_descriptor_count", "max_file_descriptor_count", "connection_drop_probability",
	"last_client_response_size", "max_client_response_size", "min_client_response_size",
	"outstanding_tls_handshake", "auth_failed_count", "non_mtls_remote_conn_count",
	"non_mtls_local_conn_count",
}

// scrape fetches /metrics and parses the text format.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams
}

func gauge(t *testing.T, fams map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok || f.GetType() != dto.MetricType_GAUGE || len(f.Metric) != 1 {
		t.Fatalf("%s missing or not one gauge: %v", name, f)
	}
	if f.GetHelp() != name {
		t.Errorf("%s help %q, want the name, as ZooKeeper's", name, f.GetHelp())
	}
	return f.Metric[0].GetGauge().GetValue()
}

func startMetrics(t *testing.T, s *server.Server, runtime bool) string {
	t.Helper()
	m, err := StartMetrics(s, MetricsOptions{Addr: "127.0.0.1:0", ExportRuntime: runtime, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close metrics: %v", err)
		}
	})
	return "http://" + m.Addr().String() + "/metrics"
}

func TestMetricsMove(t *testing.T) {
	s := startServer(t)
	url := startMetrics(t, s, true)
	before := scrape(t, url)
	for _, name := range zooKeeperGauges {
		gauge(t, before, name)
	}
	if _, ok := before["go_goroutines"]; !ok {
		t.Error("runtime collectors missing with ExportRuntime")
	}
	if _, ok := before["process_open_fds"]; !ok {
		t.Error("process collector missing with ExportRuntime")
	}
	if _, ok := before["last_zxid"]; ok {
		t.Error("last_zxid is a string in mntr and must not be a gauge")
	}

	c := connectZK(t, s.Addr().String())
	if _, err := c.Create("/e", []byte("hello"), zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := c.GetW("/e"); err != nil {
		t.Fatal(err)
	}
	after := scrape(t, url)
	for _, tc := range []struct {
		name string
		grew float64
	}{{"znode_count", 1}, {"ephemerals_count", 1}, {"watch_count", 1}, {"global_sessions", 1},
		{"num_alive_connections", 1}, {"approximate_data_size", 2 + 5}} {
		if d := gauge(t, after, tc.name) - gauge(t, before, tc.name); d != tc.grew {
			t.Errorf("%s grew by %v, want %v", tc.name, d, tc.grew)
		}
	}
	if gauge(t, after, "packets_received") <= gauge(t, before, "packets_received") {
		t.Error("packets_received did not move")
	}
}

func TestMetricsWithoutRuntime(t *testing.T) {
	url := startMetrics(t, startServer(t), false)
	fams := scrape(t, url)
	if _, ok := fams["go_goroutines"]; ok {
		t.Error("runtime collectors present without ExportRuntime")
	}
	gauge(t, fams, "znode_count")
	if code, _, _ := get(t, url[:len(url)-len("/metrics")]+"/other"); code != http.StatusNotFound {
		t.Errorf("GET /other: %d, want 404", code)
	}
}
