package tree

import "unsafe"

// A node keeps its data as a pointer and a length instead of a slice
// header: dropping the capacity word takes the node from the 128-byte to
// the 112-byte size class, 16 bytes per znode. The pointer keeps the
// caller's backing array alive exactly as a slice would; the bytes are
// stored as given and never copied or modified.

// emptyData gives empty (non-nil) data a non-nil pointer, so that nil data
// (jute length -1) and empty data (length 0) stay distinct.
var emptyData [1]byte

// bytes returns the node's data: nil, or a slice with len == cap, so a
// caller's append can never write into the stored array.
func (n *node) bytes() []byte {
	if n.dataPtr == nil {
		return nil
	}
	return unsafe.Slice(n.dataPtr, n.dataLen)
}

// dataSize is len(n.bytes()).
func (n *node) size() int { return int(n.dataLen) }

// setBytes stores b as the node's data without copying.
func (n *node) setBytes(b []byte) {
	switch {
	case b == nil:
		n.dataPtr, n.dataLen = nil, 0
	case len(b) == 0:
		n.dataPtr, n.dataLen = &emptyData[0], 0
	default:
		n.dataPtr, n.dataLen = unsafe.SliceData(b), int32(len(b))
	}
}
