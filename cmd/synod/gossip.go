package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/synod-dev/synod/internal/gossip"
	"github.com/synod-dev/synod/internal/gossip/netedge"
)

func init() {
	register("gossip", "run a standalone gossip endpoint", runGossip)
	register("members", "print a running gossip endpoint's view", runMembers)
}

func runGossip(args []string) error {
	def := gossip.DefaultConfig()
	fs := flag.NewFlagSet("gossip", flag.ContinueOnError)
	bind := fs.String("bind", "127.0.0.1:7946", "gossip address host:port (UDP and TCP); also this node's name")
	seeds := fs.String("seeds", "", "comma-separated seed addresses")
	cluster := fs.String("cluster", def.ClusterName, "cluster name; messages of other clusters are rejected")
	keyFile := fs.String("key-file", "", "file holding the shared HMAC key (optional)")
	interval := fs.Duration("interval", def.Interval, "gossip interval")
	phi := fs.Float64("convict-phi", def.ConvictPhi, "phi above which a peer is convicted")
	quarantine := fs.Duration("quarantine", def.Quarantine, "how long dead and left nodes are remembered")
	role := fs.String("role", "", "value of the role key")
	clientAddr := fs.String("client-addr", "", "value of the client_addr key")
	verbose := fs.Bool("v", false, "log debug messages (dropped messages)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := def
	cfg.Name, cfg.ClusterName, cfg.Interval, cfg.ConvictPhi, cfg.Quarantine = *bind, *cluster, *interval, *phi, *quarantine
	cfg.SuspectPhi = min(cfg.SuspectPhi, cfg.ConvictPhi)
	if *seeds != "" {
		cfg.Seeds = strings.Split(*seeds, ",")
	}
	if *keyFile != "" {
		k, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("read key file: %w", err)
		}
		cfg.Key = []byte(strings.TrimSpace(string(k)))
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	e, err := netedge.Start(netedge.Config{Gossip: cfg, Logger: log})
	if err != nil {
		return err
	}
	if *role != "" {
		e.SetKey(gossip.KeyRole, *role)
	}
	if *clientAddr != "" {
		e.SetKey(gossip.KeyClientAddr, *clientAddr)
	}
	log.Info("gossip endpoint started", "addr", e.Addr(), "seeds", cfg.Seeds, "cluster", cfg.ClusterName)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	log.Info("leaving")
	return e.Leave(3 * cfg.Interval)
}

func runMembers(args []string) error {
	fs := flag.NewFlagSet("members", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:7946", "address of a running gossip endpoint")
	timeout := fs.Duration("timeout", 5*time.Second, "query timeout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	v, err := netedge.QueryView(*addr, *timeout)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSTATUS\tGENERATION\tHEARTBEAT\tPHI\tKEYS")
	for _, m := range v {
		keys := make([]string, 0, len(m.Keys))
		for k, val := range m.Keys {
			keys = append(keys, k+"="+val)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%.2f\t%s\n", m.Name, m.Status, m.Generation, m.Heartbeat, m.Phi, strings.Join(keys, ","))
	}
	return w.Flush()
}
