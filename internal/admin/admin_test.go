package admin

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/go-zookeeper/zk"
)

func TestIndexListsEveryCommand(t *testing.T) {
	base := startAdmin(t, startServer(t), Options{})
	for _, u := range []string{"/commands", "/commands/"} {
		code, ctype, body := get(t, base+u)
		if code != http.StatusOK || ctype != "" {
			t.Fatalf("GET %s: %d %q", u, code, ctype)
		}
		if got := strings.Count(string(body), "<br/>"); got != len(commands) {
			t.Fatalf("GET %s lists %d commands, want %d:\n%s", u, got, len(commands), body)
		}
		if !strings.HasPrefix(string(body), `<a href="/commands/configuration">configuration</a>`+"\n<br/>\n") {
			t.Fatalf("GET %s starts wrongly:\n%s", u, body)
		}
	}
}

func TestEveryNameAnswers(t *testing.T) {
	s := startServer(t)
	base := startAdmin(t, s, Options{InitialConfig: "tickTime=200\n"})
	for _, c := range commands {
		for _, name := range c.names {
			m := getJSON(t, base+"/commands/"+name)
			if m["command"] != c.names[0] {
				t.Errorf("%s: command %v, want %s", name, m["command"], c.names[0])
			}
			wantErr := any(nil)
			switch c.names[0] {
			case "leader":
				wantErr = "server is not initialized"
			case "set_trace_mask":
				wantErr = "setTraceMask requires long traceMask argument"
			}
			if m["error"] != wantErr {
				t.Errorf("%s: error %v, want %v", name, m["error"], wantErr)
			}
		}
	}
}

func TestCommandShapes(t *testing.T) {
	s := startServer(t)
	base := startAdmin(t, s, Options{InitialConfig: "tickTime=200\n"})
	c := connectZK(t, s.Addr().String())
	if _, err := c.Create("/eph", []byte("x"), zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := c.GetW("/eph"); err != nil {
		t.Fatal(err)
	}
	sid := json.Number(strings.TrimSpace(jsonInt(c.SessionID())))

	_, _, ruok := get(t, base+"/commands/ruok")
	var r map[string]any
	if err := json.Unmarshal(ruok, &r); err != nil || len(r) != 2 || r["error"] != nil || r["command"] != "ruok" {
		t.Fatalf("ruok: %s", ruok)
	}

	mon := getJSON(t, base+"/commands/mntr")
	if mon["znode_count"].(float64) < 3 || mon["ephemerals_count"].(float64) != 1 || mon["server_state"] != "standalone" {
		t.Fatalf("monitor: %v", mon)
	}

	srvr := getJSON(t, base+"/commands/srvr")
	st := srvr["server_stats"].(map[string]any)
	if st["num_alive_client_connections"].(float64) != 1 || st["packets_received"].(float64) < 2 {
		t.Fatalf("server_stats: %v", st)
	}
	if srvr["node_count"] != mon["znode_count"] || srvr["read_only"] != false {
		t.Fatalf("server_stats: %v", srvr)
	}

	cons := getJSON(t, base+"/commands/cons")["connections"].([]any)
	if len(cons) != 1 || cons[0].(map[string]any)["session_id"].(float64) != float64(c.SessionID()) {
		t.Fatalf("connections: %v", cons)
	}
	if n := len(getJSON(t, base+"/commands/stat")["connections"].([]any)[0].(map[string]any)); n != 5 {
		t.Fatalf("stat connections have %d fields, want the brief 5", n)
	}

	dec := func(name string) map[string]any {
		_, _, b := get(t, base+"/commands/"+name)
		d := json.NewDecoder(strings.NewReader(string(b)))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if got := dec("wchc")["session_id_to_watched_paths"]; !jsonEq(got, map[string]any{string(sid): []any{"/eph"}}) {
		t.Fatalf("watches: %v", got)
	}
	if got := dec("wchp")["path_to_session_ids"]; !jsonEq(got, map[string]any{"/eph": []any{sid}}) {
		t.Fatalf("watches_by_path: %v", got)
	}
	if got := dec("dump")["session_id_to_ephemeral_paths"]; !jsonEq(got, map[string]any{string(sid): []any{"/eph"}}) {
		t.Fatalf("dump: %v", got)
	}
	if got := getJSON(t, base+"/commands/wchs"); got["num_total_watches"] != 1.0 || got["num_paths"] != 1.0 {
		t.Fatalf("watch_summary: %v", got)
	}
	if got := getJSON(t, base+"/commands/icfg")["initial_configuration"]; got != "tickTime=200\n" {
		t.Fatalf("initial_configuration: %v", got)
	}
	if got := getJSON(t, base+"/commands/conf")["tick_time"]; got != 200.0 {
		t.Fatalf("configuration tick_time: %v", got)
	}
	if got := getJSON(t, base+"/commands/stmk?traceMask=42")["tracemask"]; got != 42.0 {
		t.Fatalf("set_trace_mask: %v", got)
	}
	if got := getJSON(t, base+"/commands/gtmk")["tracemask"]; got != 42.0 {
		t.Fatalf("get_trace_mask after set: %v", got)
	}
	if got := getJSON(t, base+"/commands/stmk?traceMask=x")["error"]; got != "setTraceMask requires long traceMask argument, got x" {
		t.Fatalf("set_trace_mask bad: %v", got)
	}

	// srst zeroes the packet counters the other views read too.
	getJSON(t, base+"/commands/srst")
	if got := getJSON(t, base+"/commands/mntr")["packets_received"]; got != 0.0 {
		t.Fatalf("packets_received after stat_reset: %v", got)
	}
}

func TestAvgLatencyIsADouble(t *testing.T) {
	base := startAdmin(t, startServer(t), Options{})
	_, _, b := get(t, base+"/commands/monitor")
	if !strings.Contains(string(b), `"avg_latency" : 0.0,`) {
		t.Fatalf("avg_latency not written as a double:\n%s", b)
	}
}

func TestUnknownCommandAndMethods(t *testing.T) {
	base := startAdmin(t, startServer(t), Options{CommandURL: "/admin/cmds"})
	_, _, body := get(t, base+"/admin/cmds/nope")
	if string(body) != "{\n  \"command\" : \"nope\",\n  \"error\" : \"Unknown command: nope\"\n}" {
		t.Fatalf("unknown command: %s", body)
	}
	if code, _, _ := get(t, base+"/commands/ruok"); code != http.StatusNotFound {
		t.Fatalf("default URL with a custom commandURL: %d, want 404", code)
	}
	if code, _, _ := get(t, base+"/admin/cmds/ruok"); code != http.StatusOK {
		t.Fatalf("custom commandURL: %d", code)
	}
	resp, err := http.Post(base+"/admin/cmds/ruok", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d, want 405", resp.StatusCode)
	}
}

func TestStartFailsOnBusyPort(t *testing.T) {
	s := startServer(t)
	base := startAdmin(t, s, Options{})
	_, err := Start(s, Options{Addr: strings.TrimPrefix(base, "http://"), Logger: discardLogger()})
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("second AdminServer on the same port: %v", err)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func jsonEq(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestPrettyLikeJackson checks the layout against ZooKeeper 3.8.0's
// answers as captured from Debian's build (cons, dump).
func TestPrettyLikeJackson(t *testing.T) {
	v := object{
		{"connections", []object{{{"remote_socket_address", "127.0.0.1:36130"}, {"interest_ops", 1}}}},
		{"secure_connections", []any{}},
		{"expiry_time_to_session_ids", map[int64][]int64{1712000: {}, 1714000: {72057699522183168}}},
		{"current_config", map[string]any{}},
		{"avg_latency", double(17.5)},
		{"html", "<a href=\"x\">&</a>"},
		{"command", "connections"},
		{"error", nil},
	}
	want := `{
  "connections" : [ {
    "remote_socket_address" : "127.0.0.1:36130",
    "interest_ops" : 1
  } ],
  "secure_connections" : [ ],
  "expiry_time_to_session_ids" : {
    "1712000" : [ ],
    "1714000" : [ 72057699522183168 ]
  },
  "current_config" : { },
  "avg_latency" : 17.5,
  "html" : "<a href=\"x\">&</a>",
  "command" : "connections",
  "error" : null
}`
	got, err := encodePretty(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}
