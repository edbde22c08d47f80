package admin

import (
	"bytes"
	"fmt"

	"github.com/synod-dev/synod/internal/server"
)

// field is one member of an object.
type field struct {
	k string
	v any
}

// object is a JSON object that keeps its members in order, as ZooKeeper's
// LinkedHashMap responses do.
type object []field

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalNoEscape(f.k)
		if err != nil {
			return nil, fmt.Errorf("admin: key %q: %w", f.k, err)
		}
		v, err := marshalNoEscape(f.v)
		if err != nil {
			return nil, fmt.Errorf("admin: value of %q: %w", f.k, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// double is a float64 that keeps Java's notation in JSON: Jackson writes
// a Java double 0 as 0.0, which a client that types JSON numbers reads as
// a float, not an int.
type double float64

// MarshalJSON writes d as Double.toString would.
func (d double) MarshalJSON() ([]byte, error) {
	return []byte(server.JavaDouble(float64(d))), nil
}

// kvObject turns server key/values into an object, float64 values as
// doubles.
func kvObject(kvs []server.KV) object {
	o := make(object, 0, len(kvs))
	for _, kv := range kvs {
		v := kv.Value
		if f, ok := v.(float64); ok {
			v = double(f)
		}
		o = append(o, field{kv.Key, v})
	}
	return o
}
