package admin

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/synod-dev/synod/internal/server"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startServer runs an in-process Synod server on a free loopback port.
func startServer(t *testing.T) *server.Server {
	t.Helper()
	s, err := server.New(server.Options{Addr: "127.0.0.1:0", TickTime: 200 * time.Millisecond,
		DataDir: t.TempDir(), Logger: discardLogger(), FourLetterWhitelist: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// startAdmin runs an AdminServer for s on a free loopback port and
// returns its base URL.
func startAdmin(t *testing.T, s *server.Server, opts Options) string {
	t.Helper()
	opts.Addr = "127.0.0.1:0"
	opts.Logger = discardLogger()
	a, err := Start(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close AdminServer: %v", err)
		}
	})
	return "http://" + a.Addr().String()
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// connectZK opens a client session and waits for it.
func connectZK(t *testing.T, addr string) *zk.Conn {
	t.Helper()
	c, _, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogger(nopLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	deadline := time.Now().Add(20 * time.Second)
	for c.State() != zk.StateHasSession {
		if time.Now().After(deadline) {
			t.Fatalf("no session after 20s, state %v", c.State())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return c
}

// get fetches url and returns status, Content-Type and body.
func get(t *testing.T, url string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// getJSON fetches a command and decodes its object.
func getJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	code, ctype, body := get(t, url)
	if code != http.StatusOK || ctype != "application/json" {
		t.Fatalf("GET %s: %d %q\n%s", url, code, ctype, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, body)
	}
	return m
}
