package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// encodePretty writes v as ZooKeeper's JsonOutputter does, with Jackson's
// DefaultPrettyPrinter: object members one per line, indented two spaces
// per enclosing object, as `"key" : value`; arrays inline as "[ a, b ]";
// empty ones "{ }" and "[ ]"; no newline at the end. Member order is
// kept (object), map keys sorted (encoding/json).
func encodePretty(v any) ([]byte, error) {
	compact, err := marshalNoEscape(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(compact))
	d.UseNumber()
	var b bytes.Buffer
	if err := prettyValue(&b, d, 0); err != nil {
		return nil, fmt.Errorf("admin: format JSON: %w", err)
	}
	return b.Bytes(), nil
}

// prettyValue copies one value from d, objects at depth objects deep.
func prettyValue(b *bytes.Buffer, d *json.Decoder, depth int) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return prettyObject(b, d, depth+1)
		case '[':
			return prettyArray(b, d, depth)
		}
		return fmt.Errorf("unexpected %v", t)
	case string:
		s, err := marshalNoEscape(t)
		b.Write(s)
		return err
	case json.Number:
		b.WriteString(t.String())
	case bool:
		fmt.Fprint(b, t)
	case nil:
		b.WriteString("null")
	}
	return nil
}

func prettyObject(b *bytes.Buffer, d *json.Decoder, depth int) error {
	b.WriteByte('{')
	n := 0
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("object key %v", tok)
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		b.WriteString("\n" + strings.Repeat("  ", depth))
		k, err := marshalNoEscape(key)
		if err != nil {
			return err
		}
		b.Write(k)
		b.WriteString(" : ")
		if err := prettyValue(b, d, depth); err != nil {
			return err
		}
	}
	if _, err := d.Token(); err != nil { // '}'
		return err
	}
	if n == 0 {
		b.WriteString(" }")
		return nil
	}
	b.WriteString("\n" + strings.Repeat("  ", depth-1) + "}")
	return nil
}

func prettyArray(b *bytes.Buffer, d *json.Decoder, depth int) error {
	b.WriteString("[ ")
	n := 0
	for d.More() {
		if n > 0 {
			b.WriteString(", ")
		}
		n++
		if err := prettyValue(b, d, depth); err != nil {
			return err
		}
	}
	if _, err := d.Token(); err != nil && !errors.Is(err, io.EOF) { // ']'
		return err
	}
	if n > 0 {
		b.WriteByte(' ')
	}
	b.WriteByte(']')
	return nil
}

// marshalNoEscape is json.Marshal without HTML escaping (Jackson writes
// <, > and & as they are).
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
