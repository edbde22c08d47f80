package admin

import (
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"

	"github.com/synod-dev/synod/internal/server"
)

// command is one AdminServer command. names[0] is the primary name, the
// one listed and echoed in "command"; the rest are aliases (ZooKeeper
// 3.8.0's Commands.java registers the same names).
type command struct {
	names []string
	// run returns the command's own fields, or an error message that
	// replaces them ("error" is then that message, not null).
	run func(h *Handler, args url.Values) (object, string)
}

// commands are ZooKeeper 3.8.0's, in its registration order.
var commands = []command{
	{[]string{"connection_stat_reset", "crst"}, func(h *Handler, _ url.Values) (object, string) {
		h.srv.ResetConnectionStats()
		return nil, ""
	}},
	{[]string{"configuration", "conf", "config"}, runConf},
	{[]string{"connections", "cons"}, func(h *Handler, _ url.Values) (object, string) {
		return object{{"connections", connections(h.srv, false)}, {"secure_connections", []any{}}}, ""
	}},
	{[]string{"hash"}, func(*Handler, url.Values) (object, string) {
		// Synod keeps no digest log (ZooKeeper's digest.enabled): the
		// list ZooKeeper fills with {zxid, digest} entries stays empty.
		return object{{"digests", []any{}}}, ""
	}},
	{[]string{"dirs"}, func(h *Handler, _ url.Values) (object, string) {
		data, log := h.srv.DirSizes()
		return object{{"datadir_size", data}, {"logdir_size", log}}, ""
	}},
	{[]string{"dump"}, func(h *Handler, _ url.Values) (object, string) {
		return object{
			{"expiry_time_to_session_ids", h.srv.SessionExpiry()},
			{"session_id_to_ephemeral_paths", h.srv.Ephemerals()},
		}, ""
	}},
	{[]string{"environment", "env", "envi"}, func(h *Handler, _ url.Values) (object, string) {
		return kvObject(h.srv.Environment()), ""
	}},
	{[]string{"get_trace_mask", "gtmk"}, func(h *Handler, _ url.Values) (object, string) {
		return object{{"tracemask", h.traceMask.Load()}}, ""
	}},
	{[]string{"initial_configuration", "icfg"}, func(h *Handler, _ url.Values) (object, string) {
		return object{{"initial_configuration", h.opts.InitialConfig}}, ""
	}},
	{[]string{"is_read_only", "isro"}, func(*Handler, url.Values) (object, string) {
		return object{{"read_only", false}}, ""
	}},
	{[]string{"last_snapshot", "lsnp"}, func(h *Handler, _ url.Values) (object, string) {
		zxid, ts := int64(-1), int64(-1)
		if z, at, ok := h.srv.LastSnapshot(); ok {
			zxid, ts = z, at.Unix()
		}
		return object{{"zxid", strconv.FormatUint(uint64(zxid), 16)}, {"timestamp", ts}}, ""
	}},
	{[]string{"leader", "lead"}, func(*Handler, url.Values) (object, string) {
		// A standalone ZooKeeper is no QuorumZooKeeperServer and answers
		// this; Synod serves standalone.
		return nil, "server is not initialized"
	}},
	{[]string{"monitor", "mntr"}, func(h *Handler, _ url.Values) (object, string) {
		return kvObject(h.srv.Monitor()), ""
	}},
	{[]string{"observer_connection_stat_reset", "orst"}, func(*Handler, url.Values) (object, string) {
		return nil, "" // no observers to reset
	}},
	{[]string{"ruok"}, func(*Handler, url.Values) (object, string) { return nil, "" }},
	{[]string{"set_trace_mask", "stmk"}, func(h *Handler, args url.Values) (object, string) {
		if !args.Has("traceMask") {
			return nil, "setTraceMask requires long traceMask argument"
		}
		v := args.Get("traceMask")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, "setTraceMask requires long traceMask argument, got " + v
		}
		h.traceMask.Store(n)
		return object{{"tracemask", n}}, ""
	}},
	{[]string{"server_stats", "srvr"}, func(h *Handler, _ url.Values) (object, string) {
		return serverStats(h.srv), ""
	}},
	{[]string{"stats", "stat"}, func(h *Handler, _ url.Values) (object, string) {
		return append(serverStats(h.srv),
			field{"connections", connections(h.srv, true)},
			field{"secure_connections", []any{}}), ""
	}},
	{[]string{"stat_reset", "srst"}, func(h *Handler, _ url.Values) (object, string) {
		h.srv.ResetStats()
		return nil, ""
	}},
	{[]string{"observers", "obsr"}, func(*Handler, url.Values) (object, string) {
		return object{{"synced_observers", 0}, {"observers", []any{}}}, ""
	}},
	{[]string{"system_properties", "sysp"}, runSysProps},
	{[]string{"voting_view"}, func(*Handler, url.Values) (object, string) {
		return object{{"current_config", map[string]any{}}}, ""
	}},
	{[]string{"watches", "wchc"}, func(h *Handler, _ url.Values) (object, string) {
		return object{{"session_id_to_watched_paths", h.srv.WatchesBySession()}}, ""
	}},
	{[]string{"watches_by_path", "wchp"}, func(h *Handler, _ url.Values) (object, string) {
		return object{{"path_to_session_ids", h.srv.WatchesByPath()}}, ""
	}},
	{[]string{"watch_summary", "wchs"}, func(h *Handler, _ url.Values) (object, string) {
		c, p, t := h.srv.WatchSummary()
		return object{{"num_connections", c}, {"num_paths", p}, {"num_total_watches", t}}, ""
	}},
	{[]string{"zabstate"}, func(*Handler, url.Values) (object, string) {
		// What a ZooKeeper that is not a quorum peer answers.
		return object{{"voting", false}, {"zabstate", ""}}, ""
	}},
}

// lookup finds a command by primary name or alias.
func lookup(name string) (*command, bool) {
	for i := range commands {
		if slices.Contains(commands[i].names, name) {
			return &commands[i], true
		}
	}
	return nil, false
}

// primaryNames lists every command's primary name, sorted, as the
// command index shows them.
func primaryNames() []string {
	out := make([]string, 0, len(commands))
	for _, c := range commands {
		out = append(out, c.names[0])
	}
	slices.Sort(out)
	return out
}

func runConf(h *Handler, _ url.Values) (object, string) {
	c := h.srv.Configuration()
	return object{
		{"client_port", c.ClientPort},
		{"data_dir", c.DataDir},
		{"data_log_dir", c.DataLogDir},
		{"tick_time", c.TickTime.Milliseconds()},
		{"max_client_cnxns", c.MaxClientCnxns},
		{"min_session_timeout", c.MinSessionTimeout.Milliseconds()},
		{"max_session_timeout", c.MaxSessionTimeout.Milliseconds()},
		{"server_id", c.ServerID},
		{"client_port_listen_backlog", -1},
	}, ""
}

// serverStats is srvr's body: ServerStats as Jackson serialises it.
// Synod does not measure response sizes, fsync thresholds or mTLS, so
// those carry ZooKeeper's "nothing measured" values (-1 and 0).
func serverStats(srv *server.Server) object {
	st := srv.Stats()
	data, log := srv.DirSizes()
	resp := object{{"last_buffer_size", -1}, {"min_buffer_size", -1}, {"max_buffer_size", -1}}
	return object{
		{"version", st.Version},
		{"read_only", false},
		{"server_stats", object{
			{"packets_sent", st.PacketsSent},
			{"packets_received", st.PacketsReceived},
			{"fsync_threshold_exceed_count", 0},
			{"client_response_stats", resp},
			{"data_dir_size", data},
			{"log_dir_size", log},
			{"provider_null", false},
			{"server_state", st.ServerState},
			{"last_processed_zxid", st.LastZxid},
			{"outstanding_requests", st.OutstandingRequests},
			{"avg_latency", double(st.AvgLatency)},
			{"max_latency", st.MaxLatency},
			{"min_latency", st.MinLatency},
			{"num_alive_client_connections", st.AliveConnections},
			{"uptime", st.Uptime.Milliseconds()},
			{"auth_failed_count", st.AuthFailed},
			{"non_mtlsremote_conn_count", 0},
			{"non_mtlslocal_conn_count", 0},
		}},
		{"client_response", resp},
		{"node_count", st.NodeCount},
	}
}

// connections is ServerCnxn.getConnectionInfo for every connection; brief
// keeps the first five fields, as stat does.
func connections(srv *server.Server, brief bool) []object {
	cs := srv.Connections()
	out := make([]object, 0, len(cs))
	for _, c := range cs {
		o := object{
			{"remote_socket_address", c.Remote},
			{"interest_ops", 1}, // OP_READ: Synod always reads
			{"outstanding_requests", c.OutstandingRequests},
			{"packets_received", c.PacketsReceived},
			{"packets_sent", c.PacketsSent},
		}
		if !brief {
			o = append(o,
				field{"session_id", c.SessionID},
				field{"last_operation", c.LastOperation},
				field{"established", c.Established.UnixMilli()},
				field{"session_timeout", c.SessionTimeoutMs},
				field{"last_cxid", c.LastCxid},
				field{"last_zxid", c.LastZxid},
				field{"last_response_time", c.LastResponseMs},
				field{"last_latency", c.LastLatency},
				field{"min_latency", c.MinLatency},
				field{"avg_latency", c.AvgLatency},
				field{"max_latency", c.MaxLatency})
		}
		out = append(out, o)
	}
	return out
}

// runSysProps answers system_properties. Synod has no JVM: it reports the
// Java property names that have a meaning for any process, with the Go
// runtime's values, sorted by name as ZooKeeper sorts them.
func runSysProps(*Handler, url.Values) (object, string) {
	wd, _ := os.Getwd()
	exe, _ := os.Executable()
	props := map[string]string{
		"file.encoding":   "UTF-8",
		"file.separator":  string(os.PathSeparator),
		"java.class.path": exe,
		"java.io.tmpdir":  os.TempDir(),
		"java.version":    runtime.Version(),
		"java.vendor":     "synod",
		"line.separator":  "\n",
		"os.arch":         runtime.GOARCH,
		"os.name":         runtime.GOOS,
		"path.separator":  string(os.PathListSeparator),
		"user.dir":        wd,
		"user.home":       os.Getenv("HOME"),
		"user.name":       os.Getenv("USER"),
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	o := make(object, 0, len(keys))
	for _, k := range keys {
		o = append(o, field{k, props[k]})
	}
	return o, ""
}
