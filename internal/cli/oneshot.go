package cli

import (
	"errors"
	"fmt"
	"time"
)

// OneShot runs one command, given as words (words[0] is the command), on
// a new connection, as "zkCli.sh -server host:port cmd args" does, and
// returns the process exit code: 0 on success, 1 when the command failed
// (its message is on opts.Err). A usage error needs no server. wait
// bounds the time to get a session.
func OneShot(opts Options, words []string, wait time.Duration) int {
	errOut := orDiscard(opts.Err)
	cmd, err := ParseWords(words)
	if err != nil {
		fmt.Fprintln(errOut, err)
		return 1
	}
	opts.SessionEvents = false
	sh, err := New(opts)
	if err != nil {
		fmt.Fprintln(errOut, err)
		return 1
	}
	defer sh.Close()
	if cmd.Name != "help" && cmd.Name != "version" {
		if err := sh.WaitConnected(wait); err != nil {
			fmt.Fprintln(errOut, err)
			return 1
		}
	}
	if err := sh.Run(cmd); err != nil && !errors.Is(err, ErrQuit) {
		fmt.Fprintln(errOut, err)
		return 1
	}
	return 0
}
