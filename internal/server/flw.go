package server

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/synod-dev/synod/internal/version"
)

// fourLetterWords are the commands ZooKeeper recognises on the client port.
var fourLetterWords = []string{"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk",
	"ruok", "stmk", "srst", "srvr", "stat", "wchc", "wchp", "wchs", "mntr", "isro", "hash"}

// fourLetterWord reports whether a first length word is a known command.
func fourLetterWord(n int32) (string, bool) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(n))
	w := string(b[:])
	for _, k := range fourLetterWords {
		if k == w {
			return w, true
		}
	}
	return "", false
}

// runFourLetter answers a four-letter word with plain text and closes the
// connection, as NIOServerCnxn.checkFourLetterWord does.
func (s *Server) runFourLetter(c *conn, cmd string, br *bufio.Reader) {
	defer c.close("")
	if cmd == "stmk" {
		var mask [8]byte
		_, _ = io.ReadFull(br, mask[:])
	}
	var out string
	if !s.whitelist["*"] && !s.whitelist[cmd] {
		out = cmd + " is not executed because it is not in the whitelist.\n"
	} else {
		out = s.fourLetterText(cmd)
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.WriteString(c.nc, out)
}

// FourLetter returns a four-letter word's output as the client port would
// send it, ignoring the whitelist.
func (s *Server) FourLetter(cmd string) string { return s.fourLetterText(cmd) }

func (s *Server) fourLetterText(cmd string) string {
	var b strings.Builder
	switch cmd {
	case "ruok":
		return "imok"
	case "isro":
		return "rw"
	case "srvr", "stat":
		s.writeSrvr(&b, cmd == "stat")
	case "cons":
		for _, c := range s.sortedConns() {
			if line, ok := c.consLine(); ok {
				b.WriteString(line)
				b.WriteString("\n")
			}
		}
		b.WriteString("\n")
	case "crst":
		for _, c := range s.connList() {
			c.mu.Lock()
			sent, recvd := c.stats.sent, c.stats.recvd
			c.stats = connStats{lastCxid: -1, lastOp: "NA"}
			c.stats.sent, c.stats.recvd = sent, recvd
			c.mu.Unlock()
		}
		b.WriteString("Connection stats reset.\n")
	case "srst":
		s.stats.reset()
		b.WriteString("Server stats reset.\n")
	case "conf":
		s.writeConf(&b)
	case "envi":
		s.writeEnvi(&b)
	case "mntr":
		s.writeMntr(&b)
	case "wchs":
		sum := s.watches.Summarize()
		fmt.Fprintf(&b, "%d connections watching %d paths\nTotal watches:%d\n", sum.Watchers, sum.Paths, sum.Total)
	case "wchc":
		byW := s.watches.ByWatcher()
		type row struct {
			sid   int64
			paths []string
		}
		var rows []row
		for c, ps := range byW {
			rows = append(rows, row{c.sessionID(), ps})
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].sid < rows[j].sid })
		for _, r := range rows {
			fmt.Fprintf(&b, "0x%x\n", r.sid)
			for _, p := range r.paths {
				fmt.Fprintf(&b, "\t%s\n", p)
			}
		}
		b.WriteString("\n")
	case "wchp":
		byP := s.watches.ByPath()
		paths := make([]string, 0, len(byP))
		for p := range byP {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			fmt.Fprintf(&b, "%s\n", p)
			ids := make([]int64, 0, len(byP[p]))
			for _, c := range byP[p] {
				ids = append(ids, c.sessionID())
			}
			sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
			for _, id := range ids {
				fmt.Fprintf(&b, "\t0x%x\n", id)
			}
		}
		b.WriteString("\n")
	case "dump":
		s.writeDump(&b)
	case "dirs":
		fmt.Fprintf(&b, "datadir_size: %d\nlogdir_size: %d\n", dirSize(s.opts.DataDir), dirSize(s.dataLogDir()))
	case "gtmk", "stmk":
		b.WriteString("306")
	case "hash":
		b.WriteString("Digest computation is disabled.\n")
	}
	return b.String()
}

func (s *Server) dataLogDir() string {
	if s.opts.DataLogDir != "" {
		return s.opts.DataLogDir
	}
	return s.opts.DataDir
}

func (s *Server) sortedConns() []*conn {
	cs := s.connList()
	sort.Slice(cs, func(i, j int) bool { return cs[i].id < cs[j].id })
	return cs
}

// avgLatency formats a mean as ZooKeeper does: rounded to four decimals
// and printed as a Java double ("0.0", "2.5", "2.3333").
func avgLatency(sum, n int64) string {
	if n == 0 {
		return "0.0"
	}
	v := math.Round(float64(sum)/float64(n)*10000) / 10000
	str := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(str, ".") {
		str += ".0"
	}
	return str
}

func (s *Server) latency() (min int64, avg string, max int64) {
	st := &s.stats
	st.latMu.Lock()
	defer st.latMu.Unlock()
	return st.latMin, avgLatency(st.latSum, st.latCount), st.latMax
}

func (s *Server) lastZxidAndNodes() (int64, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tree.LastZxid(), s.tree.NodeCount()
}

func (s *Server) writeSrvr(b *strings.Builder, withClients bool) {
	fmt.Fprintf(b, "Zookeeper version: %s\n", version.Full())
	if withClients {
		b.WriteString("Clients:\n")
		for _, c := range s.sortedConns() {
			b.WriteString(c.briefLine())
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	lmin, lavg, lmax := s.latency()
	zxid, nodes := s.lastZxidAndNodes()
	fmt.Fprintf(b, "Latency min/avg/max: %d/%s/%d\n", lmin, lavg, lmax)
	fmt.Fprintf(b, "Received: %d\n", s.stats.received.Load())
	fmt.Fprintf(b, "Sent: %d\n", s.stats.sent.Load())
	fmt.Fprintf(b, "Connections: %d\n", len(s.connList()))
	fmt.Fprintf(b, "Outstanding: %d\n", s.stats.outstanding.Load())
	fmt.Fprintf(b, "Zxid: 0x%x\n", zxid)
	b.WriteString("Mode: standalone\n")
	fmt.Fprintf(b, "Node count: %d\n", nodes)
}

// briefLine is a connection as stat lists it.
func (c *conn) briefLine() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops := "1"
	if c.sessionID() == 0 {
		ops = "0"
	}
	return fmt.Sprintf(" %s[%s](queued=%d,recved=%d,sent=%d)", c.remote, ops, len(c.queue)-c.head, c.stats.recvd, c.stats.sent)
}

// consLine is a connection as cons lists it; connections without a session
// (such as the one asking) are left out.
func (c *conn) consLine() (string, bool) {
	sid := c.sessionID()
	if sid == 0 {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st := &c.stats
	avg := int64(0)
	if st.latCount > 0 {
		avg = st.latSum / st.latCount
	}
	var b strings.Builder
	fmt.Fprintf(&b, " %s[1](queued=%d,recved=%d,sent=%d,sid=0x%x,lop=%s,est=%d,to=%d,",
		c.remote, len(c.queue)-c.head, st.recvd, st.sent, sid, st.lastOp, c.est.UnixMilli(), c.timeoutMs.Load())
	if st.lastCxid >= 0 {
		fmt.Fprintf(&b, "lcxid=0x%x,", st.lastCxid)
	}
	fmt.Fprintf(&b, "lzxid=0x%x,lresp=%d,llat=%d,minlat=%d,avglat=%d,maxlat=%d)",
		st.lastZxid, st.lastResp, st.lastLat, st.minLat, avg, st.maxLat)
	return b.String(), true
}

func (s *Server) writeConf(b *strings.Builder) {
	if len(s.opts.Conf) > 0 {
		for _, kv := range s.opts.Conf {
			fmt.Fprintf(b, "%s=%s\n", kv[0], kv[1])
		}
		return
	}
	port := "2181"
	if a := s.Addr(); a != nil {
		if i := strings.LastIndexByte(a.String(), ':'); i >= 0 {
			port = a.String()[i+1:]
		}
	}
	fmt.Fprintf(b, "clientPort=%s\n", port)
	fmt.Fprintf(b, "secureClientPort=-1\n")
	fmt.Fprintf(b, "dataDir=%s\n", filepath.Join(s.opts.DataDir, "version-2"))
	fmt.Fprintf(b, "dataDirSize=%d\n", dirSize(s.opts.DataDir))
	fmt.Fprintf(b, "dataLogDir=%s\n", filepath.Join(s.dataLogDir(), "version-2"))
	fmt.Fprintf(b, "dataLogSize=%d\n", dirSize(s.dataLogDir()))
	fmt.Fprintf(b, "tickTime=%d\n", s.opts.TickTime.Milliseconds())
	fmt.Fprintf(b, "maxClientCnxns=%d\n", s.opts.MaxClientCnxns)
	fmt.Fprintf(b, "minSessionTimeout=%d\n", s.opts.MinSessionTimeout.Milliseconds())
	fmt.Fprintf(b, "maxSessionTimeout=%d\n", s.opts.MaxSessionTimeout.Milliseconds())
	fmt.Fprintf(b, "clientPortListenBacklog=-1\n")
	fmt.Fprintf(b, "serverId=%d\n", s.opts.ServerID)
}

func (s *Server) writeEnvi(b *strings.Builder) {
	host, _ := os.Hostname()
	wd, _ := os.Getwd()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.WriteString("Environment:\n")
	fmt.Fprintf(b, "zookeeper.version=%s\n", version.Short())
	fmt.Fprintf(b, "host.name=%s\n", host)
	fmt.Fprintf(b, "java.version=%s\n", runtime.Version())
	fmt.Fprintf(b, "java.vendor=synod\n")
	fmt.Fprintf(b, "java.home=\n")
	fmt.Fprintf(b, "java.class.path=\n")
	fmt.Fprintf(b, "java.library.path=\n")
	fmt.Fprintf(b, "java.io.tmpdir=%s\n", os.TempDir())
	fmt.Fprintf(b, "java.compiler=<NA>\n")
	fmt.Fprintf(b, "os.name=%s\n", runtime.GOOS)
	fmt.Fprintf(b, "os.arch=%s\n", runtime.GOARCH)
	fmt.Fprintf(b, "os.version=\n")
	fmt.Fprintf(b, "user.name=%s\n", os.Getenv("USER"))
	fmt.Fprintf(b, "user.home=%s\n", os.Getenv("HOME"))
	fmt.Fprintf(b, "user.dir=%s\n", wd)
	fmt.Fprintf(b, "os.memory.free=%dMB\n", (ms.HeapIdle)>>20)
	fmt.Fprintf(b, "os.memory.max=%dMB\n", ms.Sys>>20)
	fmt.Fprintf(b, "os.memory.total=%dMB\n", ms.HeapSys>>20)
}

func (s *Server) writeMntr(b *strings.Builder) {
	lmin, lavg, lmax := s.latency()
	s.mu.RLock()
	zxid, nodes := s.tree.LastZxid(), s.tree.NodeCount()
	eph, size := s.tree.EphemeralCount(), s.tree.ApproximateDataSize()
	s.mu.RUnlock()
	sum := s.watches.Summarize()
	kv := func(k string, v any) { fmt.Fprintf(b, "zk_%s\t%v\n", k, v) }
	kv("version", version.Full())
	kv("server_state", "standalone")
	kv("avg_latency", lavg)
	kv("max_latency", lmax)
	kv("min_latency", lmin)
	kv("packets_received", s.stats.received.Load())
	kv("packets_sent", s.stats.sent.Load())
	kv("num_alive_connections", len(s.connList()))
	kv("outstanding_requests", s.stats.outstanding.Load())
	kv("uptime", time.Since(s.start).Milliseconds())
	kv("znode_count", nodes)
	kv("watch_count", sum.Total)
	kv("ephemerals_count", eph)
	kv("approximate_data_size", size)
	kv("global_sessions", s.sessions.Len())
	kv("local_sessions", 0)
	kv("last_zxid", fmt.Sprintf("0x%x", zxid))
	kv("open_file_descriptor_count", openFDs())
	kv("max_file_descriptor_count", maxFDs())
	kv("connection_drop_probability", "0.0")
	kv("auth_failed_count", s.stats.authFailed.Load())
}

func (s *Server) writeDump(b *strings.Builder) {
	buckets := s.sessions.Dump()
	b.WriteString("SessionTracker dump:\n")
	total := 0
	for _, bk := range buckets {
		total += len(bk.Sessions)
	}
	fmt.Fprintf(b, "Session Sets (%d)/(%d):\n", len(buckets), total)
	for _, bk := range buckets {
		at := s.start.Add(time.Duration(bk.DeadlineMs) * time.Millisecond)
		fmt.Fprintf(b, "%d expire at %s:\n", len(bk.Sessions), at.UTC().Format("Mon Jan 02 15:04:05 MST 2006"))
		for _, id := range bk.Sessions {
			fmt.Fprintf(b, "\t0x%x\n", id)
		}
	}
	s.mu.RLock()
	eph := s.tree.EphemeralsBySession()
	s.mu.RUnlock()
	b.WriteString("ephemeral nodes dump:\n")
	fmt.Fprintf(b, "Sessions with Ephemerals (%d):\n", len(eph))
	ids := make([]int64, 0, len(eph))
	for id := range eph {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		fmt.Fprintf(b, "0x%x:\n", id)
		ps := append([]string(nil), eph[id]...)
		sort.Strings(ps)
		for _, p := range ps {
			fmt.Fprintf(b, "\t%s\n", p)
		}
	}
	b.WriteString("Connections dump:\n")
	cs := s.sortedConns()
	fmt.Fprintf(b, "Connections Sets (1)/(%d):\n", len(cs))
	fmt.Fprintf(b, "%d expire at %s:\n", len(cs), time.Now().Add(s.opts.TickTime).UTC().Format("Mon Jan 02 15:04:05 MST 2006"))
	for _, c := range cs {
		fmt.Fprintf(b, "\tip: %s sessionId: 0x%x\n", c.remote, c.sessionID())
	}
}

func dirSize(dir string) int64 {
	if dir == "" {
		return 0
	}
	var n int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}

func maxFDs() int64 {
	b, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Max open files") {
			f := strings.Fields(line)
			if len(f) >= 4 {
				n, _ := strconv.ParseInt(f[3], 10, 64)
				return n
			}
		}
	}
	return 0
}
