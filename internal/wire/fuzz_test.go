package wire

import (
	"bytes"
	"testing"
)

func FuzzDecodeRequest(f *testing.F) {
	for op, r := range requestSamples() {
		f.Add(Marshal(&RequestHeader{Xid: 1, Type: op}), Marshal(r))
	}
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 14}, []byte{0xff, 0xff, 0xff, 0xff, 1, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, hdr, body []byte) {
		var h RequestHeader
		if Unmarshal(hdr, &h) != nil {
			return
		}
		r, ok := RequestRecord(h.Type)
		if !ok {
			return
		}
		if Unmarshal(body, r) != nil {
			return
		}
		// What decodes must re-encode to something that decodes the same.
		again, _ := RequestRecord(h.Type)
		enc := Marshal(r)
		if err := Unmarshal(enc, again); err != nil {
			t.Fatalf("%v: re-encoded record does not decode: %v", h.Type, err)
		}
		if !bytes.Equal(Marshal(again), enc) {
			t.Fatalf("%v: encoding not stable", h.Type)
		}
	})
}

func FuzzConnectRequest(f *testing.F) {
	f.Add(Marshal(&ConnectRequest{TimeOut: 30000, Passwd: make([]byte, 16), HasReadOnly: true}))
	f.Add(Marshal(&ConnectRequest{TimeOut: 30000, Passwd: make([]byte, 16)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c ConnectRequest
		if Unmarshal(b, &c) != nil {
			return
		}
		var c2 ConnectRequest
		if err := Unmarshal(Marshal(&c), &c2); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzMultiResponse(f *testing.F) {
	for _, op := range []OpCode{OpMulti, OpMultiRead} {
		f.Add(Marshal(responseSamples()[op]))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m MultiResponse
		if Unmarshal(b, &m) != nil {
			return
		}
		var m2 MultiResponse
		if err := Unmarshal(Marshal(&m), &m2); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzFrameReader(f *testing.F) {
	f.Add([]byte{0, 0, 0, 2, 1, 2, 0, 0, 0, 0})
	f.Add([]byte{0x7f, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		fr := NewFrameReader(bytes.NewReader(b), 1024)
		for i := 0; i < 64; i++ {
			frame, err := fr.ReadFrame()
			if err != nil {
				return
			}
			if len(frame) > 1024 {
				t.Fatalf("frame of %d bytes over the limit", len(frame))
			}
		}
	})
}
