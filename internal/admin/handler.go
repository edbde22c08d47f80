package admin

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/synod-dev/synod/internal/server"
)

// HandlerOptions shape the command handler.
type HandlerOptions struct {
	// CommandURL is the path the commands live under (zoo.cfg
	// admin.commandURL). Default "/commands".
	CommandURL string
	// InitialConfig is the zoo.cfg text initial_configuration returns.
	InitialConfig string
	// Logger receives request errors. Default slog.Default().
	Logger *slog.Logger
}

// Handler serves the AdminServer's commands for one server. It is safe
// for concurrent use.
type Handler struct {
	srv       *server.Server
	opts      HandlerOptions
	log       *slog.Logger
	traceMask atomic.Int64 // get_trace_mask / set_trace_mask
}

// defaultTraceMask is ZooTrace's default text trace level, which gtmk
// prints before anyone sets one.
const defaultTraceMask = 306

// NewHandler returns the command handler for srv.
func NewHandler(srv *server.Server, opts HandlerOptions) *Handler {
	if opts.CommandURL == "" {
		opts.CommandURL = DefaultCommandURL
	}
	opts.CommandURL = "/" + strings.Trim(opts.CommandURL, "/")
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &Handler{srv: srv, opts: opts, log: opts.Logger}
	h.traceMask.Store(defaultTraceMask)
	return h
}

// ServeHTTP answers GET <CommandURL> with links to every command and
// GET <CommandURL>/<name> with the command's JSON, as ZooKeeper's
// CommandServlet does: 200 even for an unknown command (the error is in
// the body), 405 for methods other than GET and HEAD, 404 outside
// CommandURL.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	base := h.opts.CommandURL
	path := r.URL.Path
	if base == "/" {
		base = ""
	}
	if path != base && !strings.HasPrefix(path, base+"/") {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "HTTP method "+r.Method+" is not supported by this URL", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(strings.TrimPrefix(path, base), "/")
	if name == "" {
		h.serveIndex(w)
		return
	}
	body, err := encodePretty(h.Run(name, r.URL.Query()))
	if err != nil {
		h.log.Error("admin: encode response", "command", name, "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// serveIndex lists the commands as ZooKeeper does: one link per primary
// name, each followed by <br/>, with no Content-Type.
func (h *Handler) serveIndex(w http.ResponseWriter) {
	var b strings.Builder
	for _, n := range primaryNames() {
		fmt.Fprintf(&b, "<a href=\"%s/%s\">%s</a>\n<br/>\n", strings.TrimSuffix(h.opts.CommandURL, "/"), n, n)
	}
	w.Header()["Content-Type"] = nil // ZooKeeper sends none; stop net/http sniffing one
	_, _ = w.Write([]byte(b.String()))
}

// Run runs one command by name or alias and returns its response: the
// command's fields, then "command" and "error". An unknown name gives
// ZooKeeper's "Unknown command: <name>" error.
func (h *Handler) Run(name string, args map[string][]string) any {
	c, ok := lookup(name)
	if !ok {
		return object{{"command", name}, {"error", "Unknown command: " + name}}
	}
	fields, errMsg := c.run(h, args)
	if errMsg != "" {
		// ZooKeeper's command puts "error" among its own fields first,
		// so it comes before "command".
		return object{{"error", errMsg}, {"command", c.names[0]}}
	}
	return append(fields, field{"command", c.names[0]}, field{"error", nil})
}
