package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/peterh/liner"
)

// LineReader is a source of command lines with a prompt: a terminal line
// editor (liner.State) or a script.
type LineReader interface {
	// Prompt shows p and returns the next line; io.EOF ends the session
	// and liner.ErrPromptAborted (Ctrl-C) drops the line being typed.
	Prompt(p string) (string, error)
	// AppendHistory records a line for recall.
	AppendHistory(line string)
}

// Loop reads lines from r and executes them until quit, exit or end of
// input. A failed command prints its message to Err and the loop goes on,
// as in zkCli.sh.
func (s *Shell) Loop(r LineReader) error {
	for {
		text, err := r.Prompt(s.Prompt())
		switch {
		case errors.Is(err, liner.ErrPromptAborted):
			continue
		case errors.Is(err, io.EOF):
			fmt.Fprintln(s.out)
			return nil
		case err != nil:
			return fmt.Errorf("cli: read command: %w", err)
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		r.AppendHistory(text)
		err = s.Execute(text)
		if errors.Is(err, ErrQuit) {
			return nil
		}
		if err != nil {
			fmt.Fprintln(s.err, err)
		}
	}
}

// Interactive runs the shell on the terminal with line editing, tab
// completion of command names, and history kept in historyFile (empty:
// no history file).
func (s *Shell) Interactive(historyFile string) error {
	ed := liner.NewLiner()
	defer ed.Close()
	ed.SetCtrlCAborts(true)
	ed.SetCompleter(completeCommand)
	if historyFile != "" {
		if f, err := os.Open(historyFile); err == nil {
			_, _ = ed.ReadHistory(f)
			f.Close()
		}
	}
	loopErr := s.Loop(ed)
	if historyFile != "" {
		if err := saveHistory(ed, historyFile); err != nil && loopErr == nil {
			loopErr = err
		}
	}
	return loopErr
}

func saveHistory(ed *liner.State, path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("cli: save history: %w", err)
	}
	if _, err := ed.WriteHistory(f); err != nil {
		f.Close()
		return fmt.Errorf("cli: save history: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cli: save history: %w", err)
	}
	return nil
}

// completeCommand completes the first word to a command name.
func completeCommand(line string) []string {
	if strings.ContainsAny(line, " \t") {
		return nil
	}
	var out []string
	for _, sp := range specs {
		if strings.HasPrefix(sp.name, line) {
			out = append(out, sp.name+" ")
		}
	}
	slices.Sort(out)
	return out
}
