package gossip

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"
)

const (
	wireVersion = 1
	flagHMAC    = 1
	macSize     = sha256.Size
	headerMin   = 2 + 1 + 1 + 1 + 1 + 1 + 8 + 8
	digestMin   = 1 + 8 + 8
	stateMin    = 1 + 8 + 8 + 8 + 2
	keyMin      = 1 + 2 + 8
)

// Encode appends the wire form of m to dst, with an HMAC trailer when key is
// non-empty. Keys are written in sorted order so encoding is deterministic.
func Encode(dst []byte, m *Message, key []byte) ([]byte, error) {
	start := len(dst)
	if len(m.Cluster) > 255 || len(m.From) > 255 {
		return dst, fmt.Errorf("gossip: encode: name too long")
	}
	flags := byte(0)
	if len(key) > 0 {
		flags = flagHMAC
	}
	dst = append(dst, 'S', 'G', wireVersion, byte(m.Kind), flags)
	dst = appendStr8(dst, m.Cluster)
	dst = appendStr8(dst, m.From)
	dst = binary.BigEndian.AppendUint64(dst, m.FromGen)
	dst = binary.BigEndian.AppendUint64(dst, m.Seq)
	var err error
	switch m.Kind {
	case MsgSyn:
		dst, err = appendDigests(dst, m.Digests)
	case MsgAck:
		if dst, err = appendDigests(dst, m.Digests); err == nil {
			dst, err = appendStates(dst, m.States)
		}
	case MsgAck2:
		dst, err = appendStates(dst, m.States)
	default:
		return dst, fmt.Errorf("gossip: encode: unknown kind %d", m.Kind)
	}
	if err != nil {
		return dst, err
	}
	if len(key) > 0 {
		mac := hmac.New(sha256.New, key)
		mac.Write(dst[start:])
		dst = mac.Sum(dst)
	}
	return dst, nil
}

func appendStr8(dst []byte, s string) []byte {
	return append(append(dst, byte(len(s))), s...)
}

func appendDigests(dst []byte, ds []Digest) ([]byte, error) {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(ds)))
	for _, d := range ds {
		if len(d.Node) > 255 {
			return dst, fmt.Errorf("gossip: encode: node name %q too long", d.Node[:16])
		}
		dst = appendStr8(dst, d.Node)
		dst = binary.BigEndian.AppendUint64(dst, d.Generation)
		dst = binary.BigEndian.AppendUint64(dst, d.MaxVersion)
	}
	return dst, nil
}

func appendStates(dst []byte, ss []EndpointState) ([]byte, error) {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(ss)))
	for i := range ss {
		s := &ss[i]
		if len(s.Node) > 255 || len(s.Keys) > 0xffff {
			return dst, fmt.Errorf("gossip: encode: state of %q too large", s.Node)
		}
		dst = appendStr8(dst, s.Node)
		dst = binary.BigEndian.AppendUint64(dst, s.Generation)
		dst = binary.BigEndian.AppendUint64(dst, s.Heartbeat)
		dst = binary.BigEndian.AppendUint64(dst, s.HeartbeatVersion)
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(s.Keys)))
		keys := make([]string, 0, len(s.Keys))
		for k := range s.Keys {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := s.Keys[k]
			if len(k) > 255 || len(v.Value) > 0xffff {
				return dst, fmt.Errorf("gossip: encode: key %q of %q too large", k, s.Node)
			}
			dst = appendStr8(dst, k)
			dst = binary.BigEndian.AppendUint16(dst, uint16(len(v.Value)))
			dst = append(dst, v.Value...)
			dst = binary.BigEndian.AppendUint64(dst, v.Version)
		}
	}
	return dst, nil
}

// EncodedSize is the length Encode would produce (without trailer); the
// simulator uses it to count bytes without encoding.
func EncodedSize(m *Message) int {
	n := headerMin + len(m.Cluster) + len(m.From) + 4
	for _, d := range m.Digests {
		n += digestMin + len(d.Node)
	}
	if m.Kind == MsgAck {
		n += 4
	}
	for i := range m.States {
		s := &m.States[i]
		n += stateMin + len(s.Node)
		for k, v := range s.Keys {
			n += keyMin + len(k) + len(v.Value)
		}
	}
	return n
}

// reader is a bounds-checked cursor; the first short read sets err.
type reader struct {
	b   []byte
	err bool
}

func (r *reader) take(n int) []byte {
	if r.err || n > len(r.b) {
		r.err = true
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) u8() byte {
	if p := r.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if p := r.take(2); p != nil {
		return binary.BigEndian.Uint16(p)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if p := r.take(4); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if p := r.take(8); p != nil {
		return binary.BigEndian.Uint64(p)
	}
	return 0
}

func (r *reader) str8() string  { return string(r.take(int(r.u8()))) }
func (r *reader) str16() string { return string(r.take(int(r.u16()))) }

// count reads a u32 count and checks that count items of at least min
// bytes each can still follow, so a hostile count allocates nothing.
func (r *reader) count(min int) int {
	n := r.u32()
	if r.err || uint64(n)*uint64(min) > uint64(len(r.b)) {
		r.err = true
		return 0
	}
	return int(n)
}

// Decode parses b. With a non-empty key it requires and checks the HMAC
// trailer; without one it rejects messages that carry a trailer it cannot
// check. Decode never panics on any input and never retains b.
func Decode(b []byte, key []byte, maxSize int) (*Message, error) {
	if maxSize > 0 && len(b) > maxSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(b))
	}
	if len(b) < headerMin || b[0] != 'S' || b[1] != 'G' || b[2] != wireVersion {
		return nil, fmt.Errorf("%w: bad header", ErrMalformed)
	}
	flags := b[4]
	if flags&^flagHMAC != 0 {
		return nil, fmt.Errorf("%w: unknown flags %#x", ErrMalformed, flags)
	}
	hasMAC := flags&flagHMAC != 0
	if hasMAC != (len(key) > 0) {
		return nil, fmt.Errorf("%w: message authentication mismatch", ErrAuth)
	}
	body := b
	if hasMAC {
		if len(b) < headerMin+macSize {
			return nil, fmt.Errorf("%w: short trailer", ErrMalformed)
		}
		body = b[:len(b)-macSize]
		mac := hmac.New(sha256.New, key)
		mac.Write(body)
		if !hmac.Equal(mac.Sum(nil), b[len(body):]) {
			return nil, fmt.Errorf("%w: bad HMAC", ErrAuth)
		}
	}
	r := &reader{b: body[5:]}
	m := &Message{Kind: MsgKind(b[3]), Authentic: hasMAC}
	m.Cluster = r.str8()
	m.From = r.str8()
	m.FromGen = r.u64()
	m.Seq = r.u64()
	switch m.Kind {
	case MsgSyn:
		m.Digests = readDigests(r)
	case MsgAck:
		m.Digests = readDigests(r)
		m.States = readStates(r)
	case MsgAck2:
		m.States = readStates(r)
	default:
		return nil, fmt.Errorf("%w: unknown kind %d", ErrMalformed, b[3])
	}
	if r.err {
		return nil, fmt.Errorf("%w: truncated %v", ErrMalformed, m.Kind)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(r.b))
	}
	if m.From == "" {
		return nil, fmt.Errorf("%w: empty sender", ErrMalformed)
	}
	return m, nil
}

func readDigests(r *reader) []Digest {
	n := r.count(digestMin)
	if n == 0 {
		return nil
	}
	ds := make([]Digest, n)
	for i := range ds {
		ds[i] = Digest{Node: r.str8(), Generation: r.u64(), MaxVersion: r.u64()}
	}
	return ds
}

func readStates(r *reader) []EndpointState {
	n := r.count(stateMin)
	if n == 0 {
		return nil
	}
	ss := make([]EndpointState, n)
	for i := range ss {
		s := &ss[i]
		s.Node = r.str8()
		s.Generation = r.u64()
		s.Heartbeat = r.u64()
		s.HeartbeatVersion = r.u64()
		k := int(r.u16())
		if r.err || k*keyMin > len(r.b) {
			r.err = true
			return nil
		}
		if k > 0 {
			s.Keys = make(map[string]VersionedValue, k)
		}
		for j := 0; j < k; j++ {
			name := r.str8()
			val := r.str16()
			s.Keys[name] = VersionedValue{Value: val, Version: r.u64()}
		}
		if s.Node == "" && !r.err {
			r.err = true
		}
	}
	return ss
}
