package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrShort means a record ended before all its fields were read.
var ErrShort = errors.New("wire: record truncated")

// ErrLength means a length or count field is negative (other than the -1
// null marker where null is allowed) or larger than the bytes that remain.
var ErrLength = errors.New("wire: unreasonable length")

// Record is a jute record: it can append itself to an Encoder and read
// itself from a Decoder. Decode reports failures through the Decoder's
// sticky error, so a Decode method never needs to check each field.
type Record interface {
	Encode(e *Encoder)
	Decode(d *Decoder)
}

// Encoder appends jute-encoded values to a byte slice. The zero value is
// ready to use. Buf may be reset and reused by its owner.
type Encoder struct {
	Buf []byte
}

// Int appends an int32.
func (e *Encoder) Int(v int32) { e.Buf = binary.BigEndian.AppendUint32(e.Buf, uint32(v)) }

// Long appends an int64.
func (e *Encoder) Long(v int64) { e.Buf = binary.BigEndian.AppendUint64(e.Buf, uint64(v)) }

// Bool appends a boolean as one byte.
func (e *Encoder) Bool(v bool) {
	if v {
		e.Buf = append(e.Buf, 1)
	} else {
		e.Buf = append(e.Buf, 0)
	}
}

// Buffer appends a length-prefixed byte buffer; nil is encoded as -1.
func (e *Encoder) Buffer(b []byte) {
	if b == nil {
		e.Int(-1)
		return
	}
	e.Int(int32(len(b)))
	e.Buf = append(e.Buf, b...)
}

// String appends a length-prefixed UTF-8 string. Jute has no way to tell an
// empty string from null at this level; empty strings are sent as length 0.
func (e *Encoder) String(s string) {
	e.Int(int32(len(s)))
	e.Buf = append(e.Buf, s...)
}

// Strings appends a vector of strings; nil is encoded as -1.
func (e *Encoder) Strings(v []string) {
	if v == nil {
		e.Int(-1)
		return
	}
	e.Int(int32(len(v)))
	for _, s := range v {
		e.String(s)
	}
}

// Record appends a nested record.
func (e *Encoder) Record(r Record) { r.Encode(e) }

// Decoder reads jute-encoded values from a byte slice. The first failure is
// kept in Err and every later read returns a zero value, so callers check
// Err once at the end. Strings and buffers returned are copies: they do not
// alias the input.
type Decoder struct {
	b   []byte
	off int
	err error
}

// NewDecoder returns a Decoder over b.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

// Err is the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Offset is the number of bytes consumed so far.
func (d *Decoder) Offset() int { return d.off }

// Remaining is the number of bytes not yet consumed.
func (d *Decoder) Remaining() int { return len(d.b) - d.off }

// Fail records err as the decoder's error if none is set yet.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *Decoder) need(n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || n > len(d.b)-d.off {
		d.err = fmt.Errorf("%w: need %d bytes at offset %d, have %d", ErrShort, n, d.off, len(d.b)-d.off)
		return false
	}
	return true
}

// Int reads an int32.
func (d *Decoder) Int() int32 {
	if !d.need(4) {
		return 0
	}
	v := int32(binary.BigEndian.Uint32(d.b[d.off:]))
	d.off += 4
	return v
}

// Long reads an int64.
func (d *Decoder) Long() int64 {
	if !d.need(8) {
		return 0
	}
	v := int64(binary.BigEndian.Uint64(d.b[d.off:]))
	d.off += 8
	return v
}

// Bool reads a one-byte boolean; any non-zero byte is true.
func (d *Decoder) Bool() bool {
	if !d.need(1) {
		return false
	}
	v := d.b[d.off] != 0
	d.off++
	return v
}

// length reads a length prefix and checks it against what remains.
// It returns -1 for null.
func (d *Decoder) length(elemMin int) int {
	n := d.Int()
	if d.err != nil {
		return 0
	}
	if n == -1 {
		return -1
	}
	if n < 0 || n > MaxBuffer*2 || int(n)*elemMin > len(d.b)-d.off {
		d.Fail(fmt.Errorf("%w: %d at offset %d", ErrLength, n, d.off-4))
		return 0
	}
	return int(n)
}

// Buffer reads a length-prefixed buffer; -1 yields nil.
func (d *Decoder) Buffer() []byte {
	n := d.length(1)
	if n < 0 || d.err != nil {
		return nil
	}
	out := make([]byte, n)
	copy(out, d.b[d.off:])
	d.off += n
	return out
}

// BufferView reads a length-prefixed buffer like Buffer but returns a
// slice of the decoder's input instead of a copy; -1 yields nil, 0 an
// empty non-nil slice. The slice is valid as long as the input is.
func (d *Decoder) BufferView() []byte {
	n := d.length(1)
	if n < 0 || d.err != nil {
		return nil
	}
	out := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return out
}

// String reads a length-prefixed string; -1 yields "".
func (d *Decoder) String() string {
	n := d.length(1)
	if n <= 0 || d.err != nil {
		return ""
	}
	s := string(d.b[d.off : d.off+n])
	d.off += n
	return s
}

// Count reads a vector count whose elements take at least elemMin bytes
// each; -1 (null) yields -1. Use it to decode vectors of records.
func (d *Decoder) Count(elemMin int) int { return d.length(elemMin) }

// Strings reads a vector of strings; -1 yields nil.
func (d *Decoder) Strings() []string {
	n := d.length(4)
	if n < 0 || d.err != nil {
		return nil
	}
	out := make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.String())
	}
	return out
}

// Record reads a nested record.
func (d *Decoder) Record(r Record) {
	if d.err == nil {
		r.Decode(d)
	}
}

// Marshal encodes r into a new byte slice.
func Marshal(r Record) []byte {
	var e Encoder
	r.Encode(&e)
	return e.Buf
}

// Unmarshal decodes r from b. Trailing bytes are allowed, as ZooKeeper
// allows them (clients ignore a trailing Stat, for example).
func Unmarshal(b []byte, r Record) error {
	d := NewDecoder(b)
	r.Decode(d)
	return d.Err()
}
