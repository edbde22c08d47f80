package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/synod-dev/synod/internal/cli"
)

func init() {
	register("cli", "a zkCli.sh-like shell: synod cli [-server host:port] [command args...]", runCLI)
}

// runCLI wires flags to internal/cli: with a command it runs that command
// and exits non-zero if it fails; without one it starts the interactive
// shell.
func runCLI(args []string) error {
	fs := flag.NewFlagSet("cli", flag.ContinueOnError)
	server := fs.String("server", "127.0.0.1:2181", "comma-separated host:port list")
	timeout := fs.Int("timeout", 30000, "session timeout in ms")
	wait := fs.Duration("connect-timeout", 10*time.Second, "how long to wait for a session")
	fs.Bool("waitforconnection", true, "accepted for zkCli.sh compatibility; synod cli always waits")
	history := fs.String("history", defaultHistoryFile(), "history file of the interactive shell (empty: none)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: synod cli [flags] [command args...]")
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nRun 'synod cli help' for the commands.")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	opts := cli.Options{
		Server:         *server,
		SessionTimeout: time.Duration(*timeout) * time.Millisecond,
		Out:            os.Stdout,
		Err:            os.Stderr,
	}
	if words := fs.Args(); len(words) > 0 {
		if code := cli.OneShot(opts, words, *wait); code != 0 {
			os.Exit(code)
		}
		return nil
	}
	opts.SessionEvents = true
	sh, err := cli.New(opts)
	if err != nil {
		return err
	}
	defer sh.Close()
	fmt.Fprintf(os.Stdout, "Connecting to %s\n", *server)
	if err := sh.WaitConnected(*wait); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	return sh.Interactive(*history)
}

// defaultHistoryFile is ~/.synod_history, or empty without a home folder.
func defaultHistoryFile() string {
	home, err := os.UserHomeDir()
	if err != nil || strings.TrimSpace(home) == "" {
		return ""
	}
	return filepath.Join(home, ".synod_history")
}
