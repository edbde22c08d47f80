package storage

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"strconv"
	"strings"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const (
	segMagic      = "SYNODWAL"
	segVersion    = 1
	segHeaderSize = 40
	recHeaderSize = 24
	recTypeEntry  = 1
	lenMask       = 1<<56 - 1
	sectorSize    = 512
	// MaxRecordSize bounds one record's data.
	MaxRecordSize = 1 << 30
)

// Record is one log entry: opaque data tagged with its zxid.
type Record struct {
	Zxid int64
	Data []byte
}

func pad8(n int) int { return (8 - n%8) % 8 }

// appendRecord frames one record onto buf and returns the new chained CRC.
func appendRecord(buf []byte, prev uint32, zxid int64, data []byte) ([]byte, uint32) {
	var h [recHeaderSize]byte
	binary.LittleEndian.PutUint64(h[0:8], uint64(len(data))|uint64(recTypeEntry)<<56)
	binary.LittleEndian.PutUint64(h[16:24], uint64(zxid))
	crc := crc32.Update(prev, castagnoli, h[0:8])
	crc = crc32.Update(crc, castagnoli, h[16:24])
	crc = crc32.Update(crc, castagnoli, data)
	binary.LittleEndian.PutUint32(h[8:12], crc)
	buf = append(buf, h[:]...)
	buf = append(buf, data...)
	var zeros [8]byte
	return append(buf, zeros[:pad8(len(data))]...), crc
}

func recordSize(n int) int { return recHeaderSize + n + pad8(n) }

// segHeader is the first segHeaderSize bytes of a segment file.
type segHeader struct {
	Seq       uint64
	FirstZxid int64
	PrevCRC   uint32
}

func (h segHeader) encode() []byte {
	b := make([]byte, segHeaderSize)
	copy(b, segMagic)
	binary.LittleEndian.PutUint32(b[8:12], segVersion)
	binary.LittleEndian.PutUint64(b[16:24], h.Seq)
	binary.LittleEndian.PutUint64(b[24:32], uint64(h.FirstZxid))
	binary.LittleEndian.PutUint32(b[32:36], h.PrevCRC)
	binary.LittleEndian.PutUint32(b[36:40], crc32.Checksum(b[:36], castagnoli))
	return b
}

func decodeSegHeader(b []byte) (segHeader, error) {
	if len(b) < segHeaderSize {
		return segHeader{}, fmt.Errorf("short segment header (%d bytes)", len(b))
	}
	if string(b[:8]) != segMagic {
		return segHeader{}, fmt.Errorf("bad magic %q", b[:8])
	}
	if got, want := binary.LittleEndian.Uint32(b[36:40]), crc32.Checksum(b[:36], castagnoli); got != want {
		return segHeader{}, fmt.Errorf("header checksum %08x, want %08x", got, want)
	}
	if v := binary.LittleEndian.Uint32(b[8:12]); v != segVersion {
		return segHeader{}, fmt.Errorf("unsupported segment version %d", v)
	}
	return segHeader{
		Seq:       binary.LittleEndian.Uint64(b[16:24]),
		FirstZxid: int64(binary.LittleEndian.Uint64(b[24:32])),
		PrevCRC:   binary.LittleEndian.Uint32(b[32:36]),
	}, nil
}

// segmentName is "<seq>-<firstZxid>.wal", both as 16 hex digits.
func segmentName(seq uint64, firstZxid int64) string {
	return fmt.Sprintf("%016x-%016x.wal", seq, uint64(firstZxid))
}

func parseSegmentName(name string) (seq uint64, firstZxid int64, ok bool) {
	base := filepath.Base(name)
	if !strings.HasSuffix(base, ".wal") || len(base) != 16+1+16+4 || base[16] != '-' {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(base[:16], 16, 64)
	z, err2 := strconv.ParseUint(base[17:33], 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return s, int64(z), true
}

// scanResult is what scanSegment found in one segment.
type scanResult struct {
	Header   segHeader
	End      int64  // offset just past the last valid record
	LastCRC  uint32 // chained CRC after the last valid record
	LastZxid int64  // zxid of the last valid record (0 if none)
	Records  int
	TornAt   int64 // offset of a torn record, or -1
	TornWhy  string
}

// scanSegment decodes a whole segment held in data. Each valid record is
// passed to fn (which may be nil). A torn record — one that runs past the end
// of the file, or whose checksum fails while one of its sectors is all zero,
// the trace of a write cut short by a crash — stops the scan and is reported
// in TornAt; whether that is acceptable is the caller's decision (it is only
// in the last segment). Any other damage is a *CorruptError.
func scanSegment(path string, data []byte, prevZxid int64, fn func(off int64, zxid int64, data []byte) error) (scanResult, error) {
	res := scanResult{TornAt: -1}
	h, err := decodeSegHeader(data)
	if err != nil {
		return res, corruptf(path, 0, "%v", err)
	}
	res.Header = h
	crc := h.PrevCRC
	off := int64(segHeaderSize)
	size := int64(len(data))
	for {
		res.End, res.LastCRC = off, crc
		if off+8 > size {
			if !allZero(data[off:]) {
				res.TornAt, res.TornWhy = off, "partial length word at end of file"
			}
			return res, nil
		}
		word := binary.LittleEndian.Uint64(data[off : off+8])
		if word == 0 {
			return res, nil // end of log: preallocated zeros
		}
		typ, n := word>>56, int64(word&lenMask)
		if typ != recTypeEntry || n > MaxRecordSize {
			return res, corruptf(path, off, "bad record header (type %d, length %d)", typ, n)
		}
		end := off + int64(recordSize(int(n)))
		if end > size {
			res.TornAt, res.TornWhy = off, fmt.Sprintf("record of %d bytes runs past end of file (%d)", n, size)
			return res, nil
		}
		rec := data[off:end]
		zxid := int64(binary.LittleEndian.Uint64(rec[16:24]))
		body := rec[recHeaderSize : recHeaderSize+n]
		c := crc32.Update(crc, castagnoli, rec[0:8])
		c = crc32.Update(c, castagnoli, rec[16:24])
		c = crc32.Update(c, castagnoli, body)
		if got := binary.LittleEndian.Uint32(rec[8:12]); got != c {
			if hasZeroSector(data, off, end) {
				res.TornAt, res.TornWhy = off, "checksum mismatch in a partly written record (zeroed sector)"
				return res, nil
			}
			return res, corruptf(path, off, "record checksum %08x, want %08x (zxid %#x)", got, c, zxid)
		}
		if zxid <= prevZxid {
			return res, corruptf(path, off, "zxid %#x does not follow %#x", zxid, prevZxid)
		}
		if fn != nil {
			if err := fn(off, zxid, body); err != nil {
				return res, err
			}
		}
		prevZxid, crc = zxid, c
		res.LastZxid = zxid
		res.Records++
		off = end
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// hasZeroSector reports whether one of the sectors data[start:end] touches
// is, as a whole (clipped to the file), all zero: a sector a crash kept
// from reaching the disk. A sector that also holds part of a neighbouring
// record is only zero if that part was lost too.
func hasZeroSector(data []byte, start, end int64) bool {
	for s := start - start%sectorSize; s < end; s += sectorSize {
		hi := min(s+sectorSize, int64(len(data)))
		if allZero(data[s:hi]) {
			return true
		}
	}
	return false
}
