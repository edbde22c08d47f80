package gossip

import (
	"errors"
	"reflect"
	"testing"
)

func sampleState() EndpointState {
	return EndpointState{Node: "10.0.0.1:7946", Generation: 3, Heartbeat: 99, HeartbeatVersion: 120,
		Keys: map[string]VersionedValue{KeyRole: {"follower", 4}, KeyClientAddr: {"10.0.0.1:2181", 2}}}
}

func TestCodecRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		msg  Message
		key  []byte
	}{
		{"empty syn", Message{Kind: MsgSyn, Cluster: "c", From: "a", FromGen: 1, Seq: 1}, nil},
		{"syn", Message{Kind: MsgSyn, Cluster: "synod", From: "a", FromGen: 7, Seq: 9,
			Digests: []Digest{{"a", 7, 10}, {"b", 2, 3}}}, nil},
		{"ack", Message{Kind: MsgAck, Cluster: "synod", From: "b", FromGen: 2, Seq: 1,
			Digests: []Digest{{"a", 7, 0}}, States: []EndpointState{sampleState()}}, nil},
		{"ack2 hmac", Message{Kind: MsgAck2, Cluster: "synod", From: "a", FromGen: 7, Seq: 2,
			States: []EndpointState{sampleState(), {Node: "x", Generation: 1}}}, []byte("k")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Encode(nil, &tt.msg, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if len(tt.key) == 0 && len(b) != EncodedSize(&tt.msg) {
				t.Fatalf("EncodedSize %d, Encode wrote %d", EncodedSize(&tt.msg), len(b))
			}
			got, err := Decode(b, tt.key, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.msg
			want.Authentic = len(tt.key) > 0
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", *got, want)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	good, _ := Encode(nil, &Message{Kind: MsgSyn, Cluster: "c", From: "a", Digests: []Digest{{"a", 1, 1}}}, nil)
	signed, _ := Encode(nil, &Message{Kind: MsgSyn, Cluster: "c", From: "a"}, []byte("k"))
	flip := append([]byte(nil), signed...)
	flip[len(flip)-1] ^= 1
	badKind := append([]byte(nil), good...)
	badKind[3] = 99
	hugeCount := append([]byte(nil), good[:len(good)-4-digestMin-1]...)
	hugeCount = append(hugeCount, 0xff, 0xff, 0xff, 0xff)
	tests := []struct {
		name string
		in   []byte
		key  []byte
		max  int
		want error
	}{
		{"empty", nil, nil, 0, ErrMalformed},
		{"bad magic", append([]byte("XX"), good[2:]...), nil, 0, ErrMalformed},
		{"truncated", good[:len(good)-3], nil, 0, ErrMalformed},
		{"trailing", append(append([]byte(nil), good...), 0), nil, 0, ErrMalformed},
		{"unknown kind", badKind, nil, 0, ErrMalformed},
		{"huge count", hugeCount, nil, 0, ErrMalformed},
		{"too large", good, nil, len(good) - 1, ErrTooLarge},
		{"unsigned with key", good, []byte("k"), 0, ErrAuth},
		{"signed without key", signed, nil, 0, ErrAuth},
		{"wrong key", signed, []byte("other"), 0, ErrAuth},
		{"tampered", flip, []byte("k"), 0, ErrAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.in, tt.key, tt.max)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode error %v, want %v", err, tt.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, m := range []Message{
		{Kind: MsgSyn, Cluster: "c", From: "a", Digests: []Digest{{"a", 1, 2}}},
		{Kind: MsgAck, Cluster: "c", From: "b", Digests: []Digest{{"a", 1, 0}}, States: []EndpointState{sampleState()}},
		{Kind: MsgAck2, Cluster: "c", From: "a", States: []EndpointState{sampleState()}},
	} {
		b, _ := Encode(nil, &m, nil)
		f.Add(b)
	}
	f.Add([]byte("SG\x01\x01\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b, nil, 1<<16)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode to the same bytes.
		out, err := Encode(nil, m, nil)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		m2, err := Decode(out, nil, 1<<16)
		if err != nil || !reflect.DeepEqual(m, m2) {
			t.Fatalf("re-decode mismatch: %v", err)
		}
	})
}
