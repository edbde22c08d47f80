package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/synod-dev/synod/internal/server"
)

// ZooKeeper's AdminServer defaults (JettyAdminServer).
const (
	DefaultAddress     = "0.0.0.0"
	DefaultPort        = 8080
	DefaultCommandURL  = "/commands"
	DefaultIdleTimeout = 30 * time.Second
)

// Options configure an AdminServer.
type Options struct {
	// Addr is host:port to listen on (admin.serverAddress and
	// admin.serverPort). Default 0.0.0.0:8080.
	Addr string
	// CommandURL is admin.commandURL. Default /commands.
	CommandURL string
	// IdleTimeout closes idle keep-alive connections (admin.idleTimeout).
	// Default 30 s.
	IdleTimeout time.Duration
	// InitialConfig is the zoo.cfg text, for initial_configuration.
	InitialConfig string
	// Logger receives the server's logs. Default slog.Default().
	Logger *slog.Logger
}

// AdminServer is the embedded HTTP server of the commands.
type AdminServer struct {
	opts Options
	http *http.Server
	ln   net.Listener
	done chan struct{}
}

// Start listens on opts.Addr and serves the commands of srv until Close.
// An error (the port is taken, say) leaves nothing running; ZooKeeper
// logs it and serves clients without an AdminServer, and so should the
// caller.
func Start(srv *server.Server, opts Options) (*AdminServer, error) {
	if opts.Addr == "" {
		opts.Addr = net.JoinHostPort(DefaultAddress, fmt.Sprint(DefaultPort))
	}
	if opts.CommandURL == "" {
		opts.CommandURL = DefaultCommandURL
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := NewHandler(srv, HandlerOptions{CommandURL: opts.CommandURL, InitialConfig: opts.InitialConfig, Logger: opts.Logger})
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("admin: listen on %s: %w", opts.Addr, err)
	}
	a := &AdminServer{opts: opts, ln: ln, done: make(chan struct{}),
		http: newHTTPServer(h, opts.IdleTimeout, opts.Logger)}
	go a.serve()
	opts.Logger.Info("started AdminServer", "addr", ln.Addr().String(), "command_url", h.opts.CommandURL)
	return a, nil
}

func (a *AdminServer) serve() {
	defer close(a.done)
	if err := a.http.Serve(a.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.opts.Logger.Error("AdminServer stopped", "err", err)
	}
}

// Addr is the address the server listens on.
func (a *AdminServer) Addr() net.Addr { return a.ln.Addr() }

// Close stops accepting, waits up to 5 s for requests in flight, then
// closes what is left.
func (a *AdminServer) Close() error {
	return shutdown(a.http, a.done)
}

// newHTTPServer is an http.Server with the timeouts an operator endpoint
// wants: slow or idle clients do not hold connections.
func newHTTPServer(h http.Handler, idle time.Duration, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       idle,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// shutdown stops hs gracefully and waits for its Serve loop (done).
func shutdown(hs *http.Server, done <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := hs.Shutdown(ctx)
	if err != nil {
		err = errors.Join(fmt.Errorf("admin: shutdown: %w", err), hs.Close())
	}
	<-done
	return err
}
