package admin

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/synod-dev/synod/internal/zkenv"
)

// dynamicKeys are objects whose keys are data (session ids, paths,
// expiry times): their shape is that of their values.
var dynamicKeys = map[string]bool{
	"expiry_time_to_session_ids": true, "session_id_to_ephemeral_paths": true,
	"session_id_to_watched_paths": true, "path_to_session_ids": true, "current_config": true,
}

// knownDeviations are where Synod's answer is knowingly not ZooKeeper's
// shape, with the reason. Keys are command names; the checker is told
// which differences to forgive.
var knownDeviations = map[string]string{
	"monitor": "ZooKeeper 3.8 adds ~460 ServerMetrics counters and summaries (fsynctime, " +
		"proposal_count, readlatency quantiles ...) that Synod does not keep; Synod reports " +
		"the root gauges of ZooKeeperServer.registerMetrics and adds last_zxid (its mntr has it too)",
	"system_properties": "JVM system properties; Synod has no JVM and reports the Go process's " +
		"equivalents under a few Java property names",
}

// shape describes a JSON value's structure: types, and for objects the
// member names.
func shape(v any, key string) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case string:
		return "string"
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "float"
		}
		return "int"
	case []any:
		if len(x) == 0 {
			return "[]"
		}
		return "[" + shape(x[0], "") + "]"
	case map[string]any:
		if dynamicKeys[key] {
			// The first value that is not an empty list stands for all
			// (ZooKeeper lists empty expiry buckets too).
			vs := "{}"
			for _, k := range sortedKeys(x) {
				if vs = "{*:" + shape(x[k], "") + "}"; vs != "{*:[]}" {
					break
				}
			}
			return vs
		}
		var parts []string
		for _, k := range sortedKeys(x) {
			parts = append(parts, k+":"+shape(x[k], k))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprintf("?%T", v)
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// compatible reports whether two shapes match, an empty list matching
// any list ("[]" is a list whose element shape is unknown).
func compatible(a, b string) bool {
	return a == b || (a == "[]" && strings.HasPrefix(b, "[")) || (b == "[]" && strings.HasPrefix(a, "["))
}

// fetchAll starts a server of kind with its AdminServer, gives it a
// session with an ephemeral node and two watches, and fetches the index
// and every named command.
func fetchAll(t *testing.T, kind zkenv.Kind, names func(index string) []string) (string, map[string]string, map[string]map[string]any) {
	srv := zkenv.StartT(t, kind, zkenv.Options{Admin: true})
	c, _, err := zk.Connect([]string{srv.Addr}, 10*time.Second, zk.WithLogger(nopLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Create("/e", []byte("x"), zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("%s: create: %v", kind, err)
	}
	if _, _, _, err := c.GetW("/e"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := c.ExistsW("/zookeeper"); err != nil {
		t.Fatal(err)
	}
	index := fetch(t, srv.AdminURL)
	raw := map[string]string{}
	out := map[string]map[string]any{}
	for _, n := range names(index) {
		raw[n] = fetch(t, srv.AdminURL+"/"+n)
		d := json.NewDecoder(strings.NewReader(raw[n]))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatalf("%s %s: %v", kind, n, err)
		}
		out[n] = m
	}
	return index, raw, out
}

func fetch(t *testing.T, url string) string {
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// TestDifferentialAgainstZooKeeper asks Debian's ZooKeeper 3.8.0 and the
// synod binary for every command (and an unknown one) and compares the
// index and the JSON shapes: member names and value types, not values.
func TestDifferentialAgainstZooKeeper(t *testing.T) {
	t.Parallel() // each waits on a process start; overlap them
	if testing.Short() {
		t.Skip("starts Apache ZooKeeper")
	}
	names := func(string) []string { return append(primaryNames(), "nope") }
	var (
		wg      sync.WaitGroup
		indexes [2]string
		raws    [2]map[string]string
		answers [2]map[string]map[string]any
	)
	for i, kind := range zkenv.Kinds { // ZooKeeper first
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(string(kind), func(t *testing.T) { indexes[i], raws[i], answers[i] = fetchAll(t, kind, names) })
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if indexes[0] != indexes[1] {
		t.Errorf("command index differs:\nZooKeeper:\n%s\nSynod:\n%s", indexes[0], indexes[1])
	}
	// Answers that carry no value that differs are byte for byte
	// ZooKeeper's, layout included.
	for _, n := range []string{"nope", "ruok", "is_read_only", "get_trace_mask", "leader",
		"set_trace_mask", "voting_view", "zabstate", "observers", "connection_stat_reset",
		"observer_connection_stat_reset", "stat_reset", "watch_summary"} {
		if raws[0][n] != raws[1][n] {
			t.Errorf("%s differs:\nZooKeeper:\n%s\nSynod:\n%s", n, raws[0][n], raws[1][n])
		}
	}
	zkAns, synAns := answers[0], answers[1]
	for _, n := range names("") {
		z, s := zkAns[n], synAns[n]
		if reason, ok := knownDeviations[n]; ok {
			checkSubset(t, n, z, s, reason)
			continue
		}
		for _, k := range union(z, s) {
			zs, ss := shape(z[k], k), shape(s[k], k)
			switch {
			case !compatible(zs, ss):
				t.Errorf("%s.%s: ZooKeeper %s, Synod %s", n, k, zs, ss)
			case zs != ss:
				t.Logf("%s.%s: one side's list is empty (ZooKeeper %s, Synod %s)", n, k, zs, ss)
			}
		}
		if z["error"] != s["error"] {
			t.Errorf("%s: error ZooKeeper %v, Synod %v", n, z["error"], s["error"])
		}
	}
}

// checkSubset is the comparison for a known deviation: every member both
// have must have the same type; what only one has is logged.
func checkSubset(t *testing.T, name string, z, s map[string]any, reason string) {
	var onlyZK, onlySynod []string
	for _, k := range union(z, s) {
		_, inZ := z[k]
		_, inS := s[k]
		switch {
		case !inZ:
			onlySynod = append(onlySynod, k)
		case !inS:
			onlyZK = append(onlyZK, k)
		case name != "system_properties" && !compatible(shape(z[k], k), shape(s[k], k)):
			t.Errorf("%s.%s: ZooKeeper %s, Synod %s", name, k, shape(z[k], k), shape(s[k], k))
		case name == "system_properties" && k != "error" && shape(s[k], k) != "string":
			t.Errorf("%s.%s is %s, want string", name, k, shape(s[k], k))
		}
	}
	if name == "monitor" && !slices.Equal(onlySynod, []string{"last_zxid"}) {
		t.Errorf("monitor: Synod-only members %v, want [last_zxid]", onlySynod)
	}
	t.Logf("known deviation %s (%s): %d members only in ZooKeeper, Synod-only %v",
		name, reason, len(onlyZK), onlySynod)
}

func union(a, b map[string]any) []string {
	set := map[string]any{}
	for k := range a {
		set[k] = nil
	}
	for k := range b {
		set[k] = nil
	}
	return sortedKeys(set)
}
