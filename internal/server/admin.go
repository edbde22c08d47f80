package server

import (
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/synod-dev/synod/internal/version"
)

// This file is the server's read-only face for the AdminServer and the
// metrics endpoint (internal/admin) and for the four-letter words in
// flw.go: each number is computed here once, and every edge formats it.
// All methods are safe to call from any goroutine while the server runs.

// KV is one named value. Value is an int64, a float64, a bool or a string.
type KV struct {
	Key   string
	Value any
}

// Monitor returns the values mntr reports, in mntr's order, without the
// "zk_" prefix: the gauges ZooKeeperServer.registerMetrics registers in
// ZooKeeper 3.8, plus last_zxid. avg_latency and connection_drop_probability are float64,
// version, server_state and last_zxid strings, the rest int64.
func (s *Server) Monitor() []KV {
	st := s.Stats()
	s.mu.RLock()
	eph, size := s.tree.EphemeralCount(), s.tree.ApproximateDataSize()
	s.mu.RUnlock()
	sum := s.watches.Summarize()
	return []KV{
		{"version", st.Version},
		{"server_state", st.ServerState},
		{"avg_latency", st.AvgLatency},
		{"max_latency", st.MaxLatency},
		{"min_latency", st.MinLatency},
		{"packets_received", st.PacketsReceived},
		{"packets_sent", st.PacketsSent},
		{"num_alive_connections", int64(st.AliveConnections)},
		{"outstanding_requests", st.OutstandingRequests},
		{"uptime", st.Uptime.Milliseconds()},
		{"znode_count", int64(st.NodeCount)},
		{"watch_count", int64(sum.Total)},
		{"ephemerals_count", int64(eph)},
		{"approximate_data_size", int64(size)},
		{"global_sessions", int64(s.sessions.Len())},
		{"local_sessions", int64(0)},
		{"last_zxid", "0x" + strconv.FormatInt(st.LastZxid, 16)},
		{"open_file_descriptor_count", int64(openFDs())},
		{"max_file_descriptor_count", maxFDs()},
		{"connection_drop_probability", 0.0},
		{"auth_failed_count", st.AuthFailed},
		// ZooKeeper's other root gauges, at the values it reports when
		// nothing was measured: Synod does not record response sizes
		// and has no TLS.
		{"last_client_response_size", int64(-1)},
		{"max_client_response_size", int64(-1)},
		{"min_client_response_size", int64(-1)},
		{"outstanding_tls_handshake", int64(0)},
		{"non_mtls_remote_conn_count", int64(0)},
		{"non_mtls_local_conn_count", int64(0)},
	}
}

// Stats are the server-wide numbers srvr and stat report.
type Stats struct {
	Version     string
	ServerState string // "standalone", or "read-only" once storage has failed
	// AvgLatency is in ms, rounded to four decimals as ZooKeeper does;
	// Min and Max are whole ms.
	AvgLatency                   float64
	MinLatency, MaxLatency       int64
	PacketsReceived, PacketsSent int64
	OutstandingRequests          int64
	AliveConnections             int
	Uptime                       time.Duration
	AuthFailed                   int64
	LastZxid                     int64
	NodeCount                    int
}

// serverState is ZooKeeper's name for the server's mode: "standalone",
// or "read-only", the mode of a ZooKeeper server that serves reads but no
// writes, once a failed log append has stopped writes.
func (s *Server) serverState() string {
	if s.stats.storageFailed.Load() {
		return "read-only"
	}
	return "standalone"
}

// Stats returns the server-wide counters.
func (s *Server) Stats() Stats {
	st := &s.stats
	st.latMu.Lock()
	lmin, lmax, lsum, lcnt := st.latMin, st.latMax, st.latSum, st.latCount
	st.latMu.Unlock()
	zxid, nodes := s.lastZxidAndNodes()
	return Stats{
		Version:             version.Full(),
		ServerState:         s.serverState(),
		AvgLatency:          avgLatencyMs(lsum, lcnt),
		MinLatency:          lmin,
		MaxLatency:          lmax,
		PacketsReceived:     st.received.Load(),
		PacketsSent:         st.sent.Load(),
		OutstandingRequests: st.outstanding.Load(),
		AliveConnections:    len(s.connList()),
		Uptime:              time.Since(s.start),
		AuthFailed:          st.authFailed.Load(),
		LastZxid:            zxid,
		NodeCount:           nodes,
	}
}

// ResetStats zeroes the server's packet and latency counters (srst).
func (s *Server) ResetStats() { s.stats.reset() }

// ResetConnectionStats zeroes every connection's latency and last-op
// numbers, keeping packet counts, as ZooKeeper's crst does.
func (s *Server) ResetConnectionStats() {
	for _, c := range s.connList() {
		c.mu.Lock()
		sent, recvd := c.stats.sent, c.stats.recvd
		c.stats = connStats{lastCxid: -1, lastOp: "NA"}
		c.stats.sent, c.stats.recvd = sent, recvd
		c.mu.Unlock()
	}
}

// ConnInfo describes one client connection as cons reports it.
type ConnInfo struct {
	Remote              string // "ip:port"
	OutstandingRequests int64
	PacketsReceived     int64
	PacketsSent         int64
	SessionID           int64 // 0 before the handshake
	LastOperation       string
	Established         time.Time
	SessionTimeoutMs    int64
	LastCxid            int64 // -1 before the first request
	LastZxid            int64
	LastResponseMs      int64 // ms since server start
	LastLatency         int64
	MinLatency          int64
	AvgLatency          int64
	MaxLatency          int64
}

// Connections lists the client connections, oldest first.
func (s *Server) Connections() []ConnInfo {
	cs := s.sortedConns()
	out := make([]ConnInfo, 0, len(cs))
	for _, c := range cs {
		sid := c.sessionID()
		c.mu.Lock()
		st := &c.stats
		avg := int64(0)
		if st.latCount > 0 {
			avg = st.latSum / st.latCount
		}
		out = append(out, ConnInfo{
			Remote:              strings.TrimPrefix(c.remote, "/"),
			OutstandingRequests: int64(len(c.queue) - c.head),
			PacketsReceived:     st.recvd,
			PacketsSent:         st.sent,
			SessionID:           sid,
			LastOperation:       st.lastOp,
			Established:         c.est,
			SessionTimeoutMs:    int64(c.timeoutMs.Load()),
			LastCxid:            st.lastCxid,
			LastZxid:            st.lastZxid,
			LastResponseMs:      st.lastResp,
			LastLatency:         st.lastLat,
			MinLatency:          st.minLat,
			AvgLatency:          avg,
			MaxLatency:          st.maxLat,
		})
		c.mu.Unlock()
	}
	return out
}

// Configuration is what the conf command reports.
type Configuration struct {
	ClientPort                           int
	DataDir, DataLogDir                  string // the version-2 folders
	TickTime                             time.Duration
	MaxClientCnxns                       int
	MinSessionTimeout, MaxSessionTimeout time.Duration
	ServerID                             int64
}

// Configuration returns the settings the server runs with.
func (s *Server) Configuration() Configuration {
	port := 2181
	if a, ok := s.Addr().(*net.TCPAddr); ok {
		port = a.Port
	}
	return Configuration{
		ClientPort:        port,
		DataDir:           filepath.Join(s.opts.DataDir, "version-2"),
		DataLogDir:        filepath.Join(s.dataLogDir(), "version-2"),
		TickTime:          s.opts.TickTime,
		MaxClientCnxns:    s.opts.MaxClientCnxns,
		MinSessionTimeout: s.opts.MinSessionTimeout,
		MaxSessionTimeout: s.opts.MaxSessionTimeout,
		ServerID:          s.opts.ServerID,
	}
}

// SessionExpiry maps each expiry bucket (ms since server start) to the
// sessions that expire then, as dump lists them.
func (s *Server) SessionExpiry() map[int64][]int64 {
	out := map[int64][]int64{}
	for _, b := range s.sessions.Dump() {
		out[b.DeadlineMs] = append([]int64{}, b.Sessions...)
	}
	return out
}

// Ephemerals maps each session that owns ephemeral nodes to their paths,
// sorted.
func (s *Server) Ephemerals() map[int64][]string {
	s.mu.RLock()
	eph := s.tree.EphemeralsBySession()
	s.mu.RUnlock()
	out := make(map[int64][]string, len(eph))
	for id, ps := range eph {
		ps = append([]string(nil), ps...)
		sort.Strings(ps)
		out[id] = ps
	}
	return out
}

// WatchSummary counts watching sessions, watched paths and watches (wchs).
func (s *Server) WatchSummary() (connections, paths, total int) {
	sum := s.watches.Summarize()
	return sum.Watchers, sum.Paths, sum.Total
}

// WatchesBySession maps each watching session to the paths it watches
// (wchc).
func (s *Server) WatchesBySession() map[int64][]string {
	out := map[int64][]string{}
	for c, ps := range s.watches.ByWatcher() {
		ps = append([]string(nil), ps...)
		sort.Strings(ps)
		out[c.sessionID()] = ps
	}
	return out
}

// WatchesByPath maps each watched path to the sessions watching it
// (wchp), ids ascending.
func (s *Server) WatchesByPath() map[string][]int64 {
	out := map[string][]int64{}
	for p, cs := range s.watches.ByPath() {
		ids := make([]int64, 0, len(cs))
		for _, c := range cs {
			ids = append(ids, c.sessionID())
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		out[p] = ids
	}
	return out
}

// DirSizes returns the bytes below dataDir and dataLogDir (dirs). It walks
// both folders.
func (s *Server) DirSizes() (data, log int64) {
	return dirSize(s.opts.DataDir), dirSize(s.dataLogDir())
}

// Environment returns what envi reports, in its order. Synod is not a
// JVM: the java.* keys carry the Go runtime's equivalents or are empty.
func (s *Server) Environment() []KV {
	host, _ := os.Hostname()
	wd, _ := os.Getwd()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mb := func(n uint64) string { return strconv.FormatUint(n>>20, 10) + "MB" }
	return []KV{
		{"zookeeper.version", version.Short()},
		{"host.name", host},
		{"java.version", runtime.Version()},
		{"java.vendor", "synod"},
		{"java.home", ""},
		{"java.class.path", ""},
		{"java.library.path", ""},
		{"java.io.tmpdir", os.TempDir()},
		{"java.compiler", "<NA>"},
		{"os.name", runtime.GOOS},
		{"os.arch", runtime.GOARCH},
		{"os.version", ""},
		{"user.name", os.Getenv("USER")},
		{"user.home", os.Getenv("HOME")},
		{"user.dir", wd},
		{"os.memory.free", mb(ms.HeapIdle)},
		{"os.memory.max", mb(ms.Sys)},
		{"os.memory.total", mb(ms.HeapSys)},
	}
}

// avgLatencyMs is a mean rounded to four decimals, as ZooKeeper's
// ServerStats.getAvgLatency computes it.
func avgLatencyMs(sum, n int64) float64 {
	if n == 0 {
		return 0
	}
	return math.Round(float64(sum)/float64(n)*10000) / 10000
}

// JavaDouble formats v as Java's Double.toString does for the values the
// server reports: "0.0", "2.5", "2.3333".
func JavaDouble(v float64) string {
	str := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(str, ".NI") {
		str += ".0"
	}
	return str
}

// SnapshotInfo is an optional ability of a Storage: the newest snapshot's
// last zxid and when it was taken. ok is false when there is none.
type SnapshotInfo interface {
	LastSnapshot() (zxid int64, at time.Time, ok bool)
}

// LastSnapshot reports the newest snapshot: the storage's answer when it
// implements SnapshotInfo, else the newest "snapshot.<16 hex zxid>" file
// in dataDir/version-2 (the layout internal/storage documents) and its
// modification time.
func (s *Server) LastSnapshot() (zxid int64, at time.Time, ok bool) {
	if si, isInfo := s.opts.Storage.(SnapshotInfo); isInfo {
		return si.LastSnapshot()
	}
	if s.opts.DataDir == "" {
		return 0, time.Time{}, false
	}
	dir := filepath.Join(s.opts.DataDir, "version-2")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, time.Time{}, false
	}
	for _, e := range ents {
		hex, isSnap := strings.CutPrefix(e.Name(), "snapshot.")
		if !isSnap || len(hex) != 16 {
			continue // also skips snapshot.<zxid>.tmp, still being written
		}
		z, err := strconv.ParseUint(hex, 16, 64)
		if err != nil || (ok && int64(z) <= zxid) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		zxid, at, ok = int64(z), fi.ModTime(), true
	}
	return zxid, at, ok
}
