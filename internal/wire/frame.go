package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrFrameTooLarge means a peer declared a frame longer than the limit.
// The server closes the connection, as ZooKeeper does ("Len error").
var ErrFrameTooLarge = errors.New("wire: frame length out of range")

// FrameReader reads length-prefixed frames, reusing one buffer. It is not
// safe for concurrent use. The slice ReadFrame returns is valid until the
// next call.
type FrameReader struct {
	r   io.Reader
	max int
	hdr [4]byte
	buf []byte
}

// NewFrameReader reads frames of at most max bytes from r.
func NewFrameReader(r io.Reader, max int) *FrameReader {
	return &FrameReader{r: r, max: max}
}

// ReadLength reads the next 4-byte length word and returns it unchecked, so
// a caller can test it for a four-letter word before ReadBody.
func (f *FrameReader) ReadLength() (int32, error) {
	if _, err := io.ReadFull(f.r, f.hdr[:]); err != nil {
		return 0, err
	}
	return int32(binary.BigEndian.Uint32(f.hdr[:])), nil
}

// ReadBody reads a frame body of length n after checking n against the
// limit. The buffer grows only to the frame actually being read.
func (f *FrameReader) ReadBody(n int32) ([]byte, error) {
	if n < 0 || int(n) > f.max {
		return nil, fmt.Errorf("%w: %d (limit %d)", ErrFrameTooLarge, n, f.max)
	}
	if cap(f.buf) < int(n) {
		f.buf = make([]byte, n)
	}
	b := f.buf[:n]
	if _, err := io.ReadFull(f.r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return b, nil
}

// ReadFrame reads one whole frame.
func (f *FrameReader) ReadFrame() ([]byte, error) {
	n, err := f.ReadLength()
	if err != nil {
		return nil, err
	}
	return f.ReadBody(n)
}

// AppendFrame appends a frame holding the encoded records to dst: a length
// word followed by each record in turn.
func AppendFrame(dst []byte, recs ...Record) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	e := Encoder{Buf: dst}
	for _, r := range recs {
		if r != nil {
			r.Encode(&e)
		}
	}
	dst = e.Buf
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
	return dst
}
