package server

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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
		s.ResetConnectionStats()
		b.WriteString("Connection stats reset.\n")
	case "srst":
		s.ResetStats()
		b.WriteString("Server stats reset.\n")
	case "conf":
		s.writeConf(&b)
	case "envi":
		s.writeEnvi(&b)
	case "mntr":
		s.writeMntr(&b)
	case "wchs":
		conns, paths, total := s.WatchSummary()
		fmt.Fprintf(&b, "%d connections watching %d paths\nTotal watches:%d\n", conns, paths, total)
	case "wchc":
		byS := s.WatchesBySession()
		for _, sid := range sortedKeys(byS) {
			fmt.Fprintf(&b, "0x%x\n", sid)
			for _, p := range byS[sid] {
				fmt.Fprintf(&b, "\t%s\n", p)
			}
		}
		b.WriteString("\n")
	case "wchp":
		byP := s.WatchesByPath()
		for _, p := range sortedKeys(byP) {
			fmt.Fprintf(&b, "%s\n", p)
			for _, id := range byP[p] {
				fmt.Fprintf(&b, "\t0x%x\n", id)
			}
		}
		b.WriteString("\n")
	case "dump":
		s.writeDump(&b)
	case "dirs":
		data, log := s.DirSizes()
		fmt.Fprintf(&b, "datadir_size: %d\nlogdir_size: %d\n", data, log)
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

// sortedKeys returns a map's keys in ascending order.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
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
	st := s.Stats()
	fmt.Fprintf(b, "Latency min/avg/max: %d/%s/%d\n", st.MinLatency, JavaDouble(st.AvgLatency), st.MaxLatency)
	fmt.Fprintf(b, "Received: %d\n", st.PacketsReceived)
	fmt.Fprintf(b, "Sent: %d\n", st.PacketsSent)
	fmt.Fprintf(b, "Connections: %d\n", st.AliveConnections)
	fmt.Fprintf(b, "Outstanding: %d\n", st.OutstandingRequests)
	fmt.Fprintf(b, "Zxid: 0x%x\n", st.LastZxid)
	fmt.Fprintf(b, "Mode: %s\n", st.ServerState)
	fmt.Fprintf(b, "Node count: %d\n", st.NodeCount)
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
	cf := s.Configuration()
	data, log := s.DirSizes()
	fmt.Fprintf(b, "clientPort=%d\n", cf.ClientPort)
	fmt.Fprintf(b, "secureClientPort=-1\n")
	fmt.Fprintf(b, "dataDir=%s\n", cf.DataDir)
	fmt.Fprintf(b, "dataDirSize=%d\n", data)
	fmt.Fprintf(b, "dataLogDir=%s\n", cf.DataLogDir)
	fmt.Fprintf(b, "dataLogSize=%d\n", log)
	fmt.Fprintf(b, "tickTime=%d\n", cf.TickTime.Milliseconds())
	fmt.Fprintf(b, "maxClientCnxns=%d\n", cf.MaxClientCnxns)
	fmt.Fprintf(b, "minSessionTimeout=%d\n", cf.MinSessionTimeout.Milliseconds())
	fmt.Fprintf(b, "maxSessionTimeout=%d\n", cf.MaxSessionTimeout.Milliseconds())
	fmt.Fprintf(b, "clientPortListenBacklog=-1\n")
	fmt.Fprintf(b, "serverId=%d\n", cf.ServerID)
}

func (s *Server) writeEnvi(b *strings.Builder) {
	b.WriteString("Environment:\n")
	for _, kv := range s.Environment() {
		fmt.Fprintf(b, "%s=%v\n", kv.Key, kv.Value)
	}
}

// writeMntr prints Monitor as mntr does: "zk_<key>\t<value>", doubles in
// Java's notation.
func (s *Server) writeMntr(b *strings.Builder) {
	for _, kv := range s.Monitor() {
		v := kv.Value
		if f, ok := v.(float64); ok {
			v = JavaDouble(f)
		}
		fmt.Fprintf(b, "zk_%s\t%v\n", kv.Key, v)
	}
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
