package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/synod-dev/synod/internal/admin"
	"github.com/synod-dev/synod/internal/config"
	"github.com/synod-dev/synod/internal/server"
	"github.com/synod-dev/synod/internal/storage"
)

func init() {
	register("server", "run a Synod server (zoo.cfg compatible)", runServer)
}

func runServer(args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "zoo.cfg to read; empty means the embedded defaults")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 1 && *cfgPath == "" {
		// ZooKeeper's own launcher takes the config as a bare argument.
		*cfgPath = fs.Arg(0)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("bad --log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))

	var cfg *config.Config
	if *cfgPath == "" {
		cfg = config.Default()
	} else {
		var err error
		if cfg, err = config.Load(*cfgPath, log); err != nil {
			return err
		}
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return fmt.Errorf("create data folder: %w", err)
		}
	}
	opts := optionsFromConfig(cfg, log)
	if cfg.DataDir != "" {
		key, err := sessionKey(filepath.Join(cfg.DataDir, "session.key"))
		if err != nil {
			return err
		}
		opts.SessionKey = key
		opts.Storage = server.NewWALStorage(storageOptions(cfg, log))
	}
	srv, err := server.New(opts)
	if err != nil {
		return err
	}
	addr := net.JoinHostPort(cfg.ClientPortAddress, strconv.Itoa(cfg.ClientPort))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	edges, err := startEdges(cfg, *cfgPath, srv, log)
	if err != nil {
		_ = ln.Close()
		_ = srv.Close()
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case s := <-sig:
		log.Info("shutting down", "signal", s.String())
		edges.close(log)
		if err := srv.Close(); err != nil {
			return fmt.Errorf("close: %w", err)
		}
		return nil
	case err := <-errc:
		edges.close(log)
		_ = srv.Close()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	}
}

// httpEdges are the operator HTTP servers beside the client port.
type httpEdges struct {
	admin   *admin.AdminServer
	metrics *admin.MetricsServer
}

// startEdges starts the AdminServer and the /metrics endpoint as zoo.cfg
// asks. Like ZooKeeper, a server whose AdminServer cannot start keeps
// serving clients ("Failed to start AdminServer"), while one whose
// /metrics cannot start does not start at all.
func startEdges(cfg *config.Config, cfgPath string, srv *server.Server, log *slog.Logger) (httpEdges, error) {
	var e httpEdges
	if cfg.Metrics.Prometheus() {
		m, err := admin.StartMetrics(srv, admin.MetricsOptions{Addr: cfg.Metrics.Addr(),
			ExportRuntime: cfg.Metrics.ExportJvmInfo, Logger: log})
		if err != nil {
			return e, fmt.Errorf("cannot start /metrics server: %w", err)
		}
		e.metrics = m
	}
	if cfg.Admin.Enabled && cfg.Admin.ForceHTTPS {
		log.Warn("Failed to start AdminServer; serving clients without it",
			"err", "admin.forceHttps=true but Synod's AdminServer serves plain HTTP only")
	} else if cfg.Admin.Enabled {
		var initial []byte
		if cfgPath != "" {
			initial, _ = os.ReadFile(cfgPath) // Load read it a moment ago
		}
		a, err := admin.Start(srv, admin.Options{Addr: cfg.Admin.Addr(), CommandURL: cfg.Admin.CommandURL,
			IdleTimeout: cfg.Admin.IdleTimeout, InitialConfig: string(initial), Logger: log})
		if err != nil {
			log.Warn("Failed to start AdminServer; serving clients without it", "err", err)
		} else {
			e.admin = a
		}
	}
	return e, nil
}

// close stops the HTTP servers, logging what fails.
func (e httpEdges) close(log *slog.Logger) {
	if e.admin != nil {
		if err := e.admin.Close(); err != nil {
			log.Warn("close AdminServer", "err", err)
		}
	}
	if e.metrics != nil {
		if err := e.metrics.Close(); err != nil {
			log.Warn("close /metrics server", "err", err)
		}
	}
}

// sessionKey reads the key that session passwords are derived from, or
// creates it, so that sessions recovered after a restart can re-attach.
func sessionKey(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil && len(b) >= 16 {
		return b, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, key, 0o600); err != nil {
		return nil, fmt.Errorf("write session key: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("write session key: %w", err)
	}
	return key, nil
}

// storageOptions maps zoo.cfg's persistence settings onto the log. Files
// go in version-2 below dataDir and dataLogDir, as ZooKeeper's do.
func storageOptions(cfg *config.Config, log *slog.Logger) storage.Options {
	o := storage.Options{
		Dir:             filepath.Join(cfg.DataDir, "version-2"),
		NoSync:          !cfg.ForceSync,
		SnapCount:       cfg.SnapCount,
		SnapRetainCount: cfg.AutopurgeSnapRetainCount,
		PurgeInterval:   cfg.AutopurgePurgeInterval,
		PreAllocSize:    cfg.PreAllocSize,
		Logger:          log,
	}
	if cfg.DataLogDir != "" {
		o.LogDir = filepath.Join(cfg.DataLogDir, "version-2")
	}
	return o
}

// optionsFromConfig maps zoo.cfg settings onto the server's options.
func optionsFromConfig(cfg *config.Config, log *slog.Logger) server.Options {
	reconfig := strings.EqualFold(strings.TrimSpace(cfg.Raw["reconfigEnabled"]), "true")
	addr := net.JoinHostPort(cfg.ClientPortAddress, strconv.Itoa(cfg.ClientPort))
	return server.Options{
		Addr:                   addr,
		DataDir:                cfg.DataDir,
		DataLogDir:             cfg.DataLogDir,
		TickTime:               cfg.TickTime,
		MinSessionTimeout:      cfg.MinSessionTimeout,
		MaxSessionTimeout:      cfg.MaxSessionTimeout,
		MaxClientCnxns:         cfg.MaxClientCnxns,
		FourLetterWhitelist:    cfg.FourLetterWhitelist,
		ExtendedTypes:          cfg.ExtendedTypesEnabled,
		SkipACL:                cfg.SkipACL,
		ContainerCheckInterval: cfg.ContainerCheckInterval,
		SuperDigest:            cfg.SuperDigest,
		ReconfigEnabled:        reconfig,
		GlobalOutstandingLimit: cfg.GlobalOutstandingLimit,
		ServerID:               int64(cfg.MyID),
		Logger:                 log,
	}
}
