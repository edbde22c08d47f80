package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The expected bytes follow zookeeper.jute field by field; they are not
// produced by our encoder.
func TestGoldenEncodings(t *testing.T) {
	cases := []struct {
		name string
		rec  Record
		hex  string
	}{
		{"ConnectRequest (45 bytes)", &ConnectRequest{TimeOut: 30000, Passwd: make([]byte, 16), HasReadOnly: true},
			"00000000" + "0000000000000000" + "00007530" + "0000000000000000" + "00000010" + "00000000000000000000000000000000" + "00"},
		{"ConnectResponse (37 bytes)", &ConnectResponse{TimeOut: 4000, SessionID: 1, Passwd: make([]byte, 16), HasReadOnly: true},
			"00000000" + "00000fa0" + "0000000000000001" + "00000010" + "00000000000000000000000000000000" + "00"},
		{"Stat (68 bytes)", &Stat{Czxid: 1, Mzxid: 2, Ctime: 3, Mtime: 4, Version: 5, Cversion: 6, Aversion: 7, EphemeralOwner: 8, DataLength: 9, NumChildren: 10, Pzxid: 11},
			"0000000000000001" + "0000000000000002" + "0000000000000003" + "0000000000000004" + "00000005" + "00000006" + "00000007" + "0000000000000008" + "00000009" + "0000000a" + "000000000000000b"},
		{"ReplyHeader", &ReplyHeader{Xid: -2, Zxid: 16, Err: ZNoNode}, "fffffffe" + "0000000000000010" + "ffffff9b"},
		{"empty multi", &MultiRequest{}, "ffffffff" + "01" + "ffffffff"},
		{"failed multi", &MultiResponse{Results: []MultiResult{{Op: OpError, Err: ZOK}, {Op: OpError, Err: ZNoNode}, {Op: OpError, Err: ZRuntimeInconsistency}}},
			"ffffffff0000000000" + "00000000" + "ffffffff00ffffff9b" + "ffffff9b" + "ffffffff00fffffffe" + "fffffffe" + "ffffffff01ffffffff"},
		{"null buffer", &GetDataResponse{Data: nil}, "ffffffff" + "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
		{"addWatch reply", &ErrorResponse{}, "00000000"},
	}
	for _, c := range cases {
		got := Marshal(c.rec)
		want := mustHex(t, c.hex)
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", c.name, got, want)
		}
	}
	if n := len(Marshal(&ConnectRequest{Passwd: make([]byte, 16), HasReadOnly: true})); n != 45 {
		t.Errorf("ConnectRequest is %d bytes, want 45", n)
	}
	if n := len(Marshal(&ConnectResponse{Passwd: make([]byte, 16), HasReadOnly: true})); n != 37 {
		t.Errorf("ConnectResponse is %d bytes, want 37", n)
	}
}

// Every prefix of a valid encoding must fail to decode cleanly.
func TestTruncatedInputsFail(t *testing.T) {
	for op, in := range requestSamples() {
		b := Marshal(in)
		for cut := 0; cut < len(b); cut++ {
			r, _ := RequestRecord(op)
			err := Unmarshal(b[:cut], r)
			if _, empty := r.(*Empty); empty {
				continue
			}
			if err == nil {
				t.Fatalf("%v: prefix of %d/%d bytes decoded without error", op, cut, len(b))
			}
		}
	}
}

func TestHostileLengths(t *testing.T) {
	cases := map[string][]byte{
		"negative string": mustHex(t, "fffffff0"),
		"huge string":     mustHex(t, "7fffffff41"),
		"count > bytes":   mustHex(t, "00100000"),
		"null then short": mustHex(t, "ffffffff00"),
		"huge acl vector": mustHex(t, "00000001"+"2f"+"7fffffff"),
		"multi bad op":    mustHex(t, "0000000b00ffffffff"),
		"multi no end":    mustHex(t, "0000000200ffffffff000000012f00000000"),
		"negative vector": mustHex(t, "0000000000000000"+"fffffffe"),
	}
	recs := map[string]func() Record{
		"negative string": func() Record { return &PathRequest{} },
		"huge string":     func() Record { return &PathRequest{} },
		"count > bytes":   func() Record { return &GetChildrenResponse{} },
		"null then short": func() Record { return &SetDataRequest{} },
		"huge acl vector": func() Record { return &SetACLRequest{} },
		"multi bad op":    func() Record { return &MultiRequest{} },
		"multi no end":    func() Record { return &MultiRequest{} },
		"negative vector": func() Record { return &SetWatches{} },
	}
	for name, b := range cases {
		r := recs[name]()
		if err := Unmarshal(b, r); err == nil {
			t.Errorf("%s: decoded without error: %#v", name, r)
		}
	}
}

func TestFrameReaderLimit(t *testing.T) {
	// A declared length over the limit fails before any body is read.
	hdr := []byte{0x00, 0x10, 0x00, 0x00} // 1 MiB > 0xfffff
	fr := NewFrameReader(bytes.NewReader(hdr), MaxBuffer)
	if _, err := fr.ReadFrame(); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("got %v, want ErrFrameTooLarge", err)
	}
	neg := []byte{0xff, 0xff, 0xff, 0xff}
	if _, err := NewFrameReader(bytes.NewReader(neg), MaxBuffer).ReadFrame(); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("negative length: got %v", err)
	}
	// A frame exactly at the limit is accepted.
	body := make([]byte, MaxBuffer)
	var buf bytes.Buffer
	buf.Write([]byte{0x00, 0x0f, 0xff, 0xff})
	buf.Write(body)
	got, err := NewFrameReader(&buf, MaxBuffer).ReadFrame()
	if err != nil || len(got) != MaxBuffer {
		t.Fatalf("frame at limit: len %d err %v", len(got), err)
	}
	// AppendFrame writes a correct length word.
	f := AppendFrame(nil, &RequestHeader{Xid: 1, Type: OpGetData}, &PathWatchRequest{Path: "/a"})
	r := NewFrameReader(bytes.NewReader(f), MaxBuffer)
	payload, err := r.ReadFrame()
	if err != nil || len(payload) != 8+4+2+1 {
		t.Fatalf("AppendFrame payload %d bytes, err %v", len(payload), err)
	}
	// A short body is an unexpected EOF, not a clean EOF.
	if _, err := NewFrameReader(bytes.NewReader([]byte{0, 0, 0, 9, 1}), MaxBuffer).ReadFrame(); err == nil || errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("short body: got %v", err)
	}
}
