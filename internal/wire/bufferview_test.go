package wire

import (
	"bytes"
	"testing"
)

func TestBufferView(t *testing.T) {
	tests := []struct {
		name string
		in   []byte // encoded with Encoder.Buffer
		want []byte
	}{
		{"null", nil, nil},
		{"empty", []byte{}, []byte{}},
		{"bytes", []byte("abc"), []byte("abc")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Encoder
			e.Buffer(tt.in)
			e.Int(7)
			d := NewDecoder(e.Buf)
			got := d.BufferView()
			if (got == nil) != (tt.want == nil) || !bytes.Equal(got, tt.want) {
				t.Fatalf("BufferView = %q (nil %v), want %q (nil %v)", got, got == nil, tt.want, tt.want == nil)
			}
			if cap(got) != len(got) {
				t.Fatalf("cap %d > len %d: an append would write into the input", cap(got), len(got))
			}
			if n := d.Int(); n != 7 || d.Err() != nil {
				t.Fatalf("after the buffer: %d, %v", n, d.Err())
			}
		})
	}
	d := NewDecoder([]byte{0, 0, 0, 9, 1, 2})
	if d.BufferView() != nil || d.Err() == nil {
		t.Fatal("a length past the input is not an error")
	}
}
