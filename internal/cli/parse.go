package cli

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Command is one parsed command line.
type Command struct {
	Name string
	// Flags holds the options without a value that were given (-s, -w …).
	Flags map[byte]bool
	// Values holds the options with a value (-v 3, -t 1000).
	Values map[byte]string
	// Args are the positional arguments after the command name.
	Args []string
	// Warning is a note for the user, such as a deprecated syntax
	// rewritten to the current one; empty when there is none.
	Warning string
}

// Has reports whether flag f was given.
func (c Command) Has(f byte) bool { return c.Flags[f] }

// Value returns option f's value and whether it was given.
func (c Command) Value(f byte) (string, bool) {
	v, ok := c.Values[f]
	return v, ok
}

// spec describes one command's syntax. Options are single letters, as in
// zkCli.sh (Apache Commons CLI short options).
type spec struct {
	name  string
	usage string // shown by help and on a usage error
	flags string // options without a value
	vals  string // options that take a value
	// minArgs positional arguments are required (zkCli ignores extra
	// ones, and so do we).
	minArgs int
	// watchCompat: the deprecated "cmd path watch" form; a third word
	// turns into -w.
	watchCompat bool
}

// specs lists the commands, with the usage strings of Debian's zkCli.sh
// (3.8.0). get and set also take -b (data in base64), as later zkCli
// releases do.
var specs = []spec{
	{name: "addauth", usage: "scheme auth", minArgs: 1},
	{name: "close", usage: ""},
	{name: "connect", usage: "host:port"},
	{name: "create", usage: "[-s] [-e] [-c] [-t ttl] path [data] [acl]", flags: "sec", vals: "t", minArgs: 1},
	{name: "delete", usage: "[-v version] path", vals: "v", minArgs: 1},
	{name: "deleteall", usage: "path [-b batch size]", vals: "b", minArgs: 1},
	{name: "exit", usage: ""},
	{name: "get", usage: "[-s] [-w] path", flags: "swb", minArgs: 1, watchCompat: true},
	{name: "getAcl", usage: "[-s] path", flags: "s", minArgs: 1},
	{name: "help", usage: ""},
	{name: "history", usage: ""},
	{name: "ls", usage: "[-s] [-w] [-R] path", flags: "swR", minArgs: 1, watchCompat: true},
	{name: "printwatches", usage: "on|off"},
	{name: "quit", usage: ""},
	{name: "redo", usage: "cmdno", minArgs: 1},
	{name: "set", usage: "[-s] [-v version] path data", flags: "sb", vals: "v", minArgs: 2},
	{name: "setAcl", usage: "[-s] [-v version] [-R] path acl", flags: "sR", vals: "v", minArgs: 2},
	{name: "stat", usage: "[-w] path", flags: "w", minArgs: 1, watchCompat: true},
	{name: "sync", usage: "path", minArgs: 1},
	{name: "version", usage: ""},
}

func lookup(name string) (spec, bool) {
	i := slices.IndexFunc(specs, func(s spec) bool { return s.name == name })
	if i < 0 {
		return spec{}, false
	}
	return specs[i], true
}

// ErrUsage is matched (errors.Is) by every parse error.
var ErrUsage = errors.New("usage")

// usageError is a parse error; its text is what zkCli.sh prints.
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == ErrUsage }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// tokenRE is zkCli's tokenizer (ZooKeeperMain.MyCommandOptions): a word,
// or a string in double or single quotes, whose quotes are dropped.
var tokenRE = regexp.MustCompile(`\s*([^"'\s]\S*|"[^"]*"|'[^']*')\s*`)

// Tokenize splits a command line into words as zkCli.sh does.
func Tokenize(line string) []string {
	var words []string
	for _, m := range tokenRE.FindAllStringSubmatch(line, -1) {
		w := m[1]
		if len(w) >= 2 && (w[0] == '"' || w[0] == '\'') && w[len(w)-1] == w[0] {
			w = w[1 : len(w)-1]
		}
		words = append(words, w)
	}
	return words
}

// Parse parses a command line. An empty line gives a Command with an
// empty Name and no error.
func Parse(line string) (Command, error) {
	words := Tokenize(line)
	if len(words) == 0 {
		return Command{}, nil
	}
	return ParseWords(words)
}

// ParseWords parses a command already split into words; words[0] is the
// command name.
func ParseWords(words []string) (Command, error) {
	sp, ok := lookup(words[0])
	if !ok {
		return Command{}, usagef("Command not found: %s", words[0])
	}
	cmd := Command{Name: sp.name, Flags: map[byte]bool{}, Values: map[byte]string{}}
	rest := words[1:]
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		if !isOption(w) {
			cmd.Args = append(cmd.Args, w)
			continue
		}
		if w == "--" { // the rest are arguments
			cmd.Args = append(cmd.Args, rest[i+1:]...)
			break
		}
		// "-s", "-se" (bursting, as Commons CLI does), "-v3" or "-v 3".
		letters := w[1:]
		for j := 0; j < len(letters); j++ {
			f := letters[j]
			switch {
			case strings.IndexByte(sp.flags, f) >= 0:
				cmd.Flags[f] = true
			case strings.IndexByte(sp.vals, f) >= 0:
				v := letters[j+1:]
				if v == "" {
					if i+1 >= len(rest) {
						return Command{}, usagef("org.apache.commons.cli.MissingArgumentException: Missing argument for option: %c", f)
					}
					i++
					v = rest[i]
				}
				cmd.Values[f] = v
				j = len(letters)
			default:
				return Command{}, usagef("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: %s", w)
			}
		}
	}
	if sp.watchCompat && len(cmd.Args) > 1 {
		cmd.Args = cmd.Args[:1]
		cmd.Flags['w'] = true
		cmd.Warning = fmt.Sprintf("'%s path [watch]' has been deprecated. Please use '%s [-w] path' instead.",
			sp.name, sp.name)
	}
	if len(cmd.Args) < sp.minArgs {
		return Command{}, usagef("%s %s", sp.name, sp.usage)
	}
	return cmd, nil
}

// isOption reports whether w is an option word: it starts with '-', is
// longer than "-", and is not a negative number (Commons CLI's
// DefaultParser treats "-1" as an argument).
func isOption(w string) bool {
	if len(w) < 2 || w[0] != '-' {
		return false
	}
	for _, r := range w[1:] {
		if (r < '0' || r > '9') && r != '.' {
			return true
		}
	}
	return false
}
