package config

import (
	"strconv"
	"strings"
)

// property is one key/value pair of a Java properties file, with the
// number of the line (1-based) on which its logical line starts.
type property struct {
	Key, Value string
	Line       int
}

// parseProperties reads text in java.util.Properties.load format, which is
// what ZooKeeper's QuorumPeerConfig uses for zoo.cfg:
//
//   - a line whose first non-blank character is '#' or '!' is a comment;
//   - a line ending in an odd number of backslashes continues on the next
//     line, whose leading blanks are dropped;
//   - the key runs to the first unescaped '=', ':' or blank; blanks around
//     that separator are skipped, so "k=v", "k: v" and "k v" are the same;
//   - escapes \t \n \r \f \uXXXX are decoded, any other "\c" is c.
//
// QuorumPeerConfig then trims key and value; so do we. Properties are
// returned in file order (later duplicates win when the caller stores them
// in a map, as Java's Hashtable does). Java reads the file as ISO-8859-1;
// we read UTF-8, which is the same for ASCII, the only thing ZooKeeper's
// own keys use.
func parseProperties(text string) []property {
	var props []property
	lines := splitLines(text)
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := strings.TrimLeft(lines[i], " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		// Join continuation lines.
		for endsWithContinuation(line) && i+1 < len(lines) {
			i++
			line = line[:len(line)-1] + strings.TrimLeft(lines[i], " \t\f")
		}
		if endsWithContinuation(line) { // continuation at end of file
			line = line[:len(line)-1]
		}
		key, value := splitKeyValue(line)
		props = append(props, property{
			Key:   strings.TrimSpace(unescape(key)),
			Value: strings.TrimSpace(unescape(value)),
			Line:  start,
		})
	}
	return props
}

// splitLines splits on \n, \r\n and \r, as Java's LineReader does.
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

// endsWithContinuation reports whether line ends in an odd number of
// backslashes.
func endsWithContinuation(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitKeyValue splits a logical line into its raw (still escaped) key and
// value.
func splitKeyValue(line string) (key, value string) {
	end := len(line)
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '\\' {
			i++ // skip the escaped character
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			end = i
			break
		}
	}
	key = line[:end]
	rest := strings.TrimLeft(line[end:], " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	return key, rest
}

// unescape decodes the escapes java.util.Properties knows.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+4 < len(s) {
				if r, err := strconv.ParseUint(s[i+1:i+5], 16, 32); err == nil {
					b.WriteRune(rune(r))
					i += 4
					continue
				}
			}
			b.WriteByte('u')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
