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
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case s := <-sig:
		log.Info("shutting down", "signal", s.String())
		if err := srv.Close(); err != nil {
			return fmt.Errorf("close: %w", err)
		}
		return nil
	case err := <-errc:
		_ = srv.Close()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
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
