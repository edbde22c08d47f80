// Package wire is ZooKeeper's client protocol: the jute binary encoding,
// frame handling, request and response records, opcodes and error codes.
//
// Everything here is a pure function over bytes. Decoders run on untrusted
// input: every length is checked against the bytes that remain and against
// MaxBuffer before anything is allocated, and a malformed record yields an
// error, never a panic.
//
// Encoding (see ../shared/ZK_PROTOCOL.md §1.1): integers are big-endian;
// booleans are one byte; a buffer or ustring is an int32 length followed by
// the bytes (-1 is null); a vector is an int32 count followed by elements
// (-1 is null); a record is its fields in order with no tags or padding.
package wire
