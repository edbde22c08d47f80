package storage

import (
	"errors"
	"path/filepath"

	"github.com/synod-dev/synod/internal/storage/vfs"
)

// RecordInfo describes one valid record found by DumpLog.
type RecordInfo struct {
	Offset int64
	Zxid   int64
	Length int    // data bytes
	CRC    uint32 // chained CRC stored with the record (verified)
}

// SegmentReport is what DumpLog found in one segment.
type SegmentReport struct {
	Path      string
	Size      int64
	Seq       uint64
	FirstZxid int64  // from the header (the name's, if the header is bad)
	PrevCRC   uint32 // from the header
	ChainOK   bool   // PrevCRC matches the end of the previous segment (true for the first)
	Records   []RecordInfo
	End       int64  // offset past the last valid record
	TornAt    int64  // offset of a torn record, -1 if none
	TornWhy   string // why it looks torn
	Err       error  // corruption (a *CorruptError) or read failure, nil if none
}

// DumpLog reads every segment in dir, oldest first, and reports each
// without changing anything. Unlike Open it carries on past a damaged
// segment, so one dump shows every problem.
func DumpLog(fs vfs.FS, dir string) ([]SegmentReport, error) {
	names, err := fs.List(dir)
	if err != nil {
		return nil, err
	}
	var segs []segment
	for _, n := range names {
		if seq, z, ok := parseSegmentName(n); ok {
			segs = append(segs, segment{seq: seq, firstZxid: z, path: filepath.Join(dir, n)})
		}
	}
	var out []SegmentReport
	var prevZxid int64
	var prevCRC uint32
	for i, sg := range segs {
		r := SegmentReport{Path: sg.path, Seq: sg.seq, FirstZxid: sg.firstZxid, TornAt: -1, ChainOK: true}
		data, err := readAll(fs, sg.path)
		if err != nil {
			r.Err = err
			out = append(out, r)
			continue
		}
		r.Size = int64(len(data))
		res, err := scanSegment(sg.path, data, prevZxid, func(off, zxid int64, body []byte) error {
			r.Records = append(r.Records, RecordInfo{Offset: off, Zxid: zxid, Length: len(body), CRC: leUint32(data[off+8:])})
			return nil
		})
		r.Err = err
		var ce *CorruptError
		if err == nil || errors.As(err, &ce) && ce.Offset > 0 {
			r.Seq, r.FirstZxid, r.PrevCRC = res.Header.Seq, res.Header.FirstZxid, res.Header.PrevCRC
			r.ChainOK = i == 0 || res.Header.PrevCRC == prevCRC
		}
		r.End, r.TornAt, r.TornWhy = res.End, res.TornAt, res.TornWhy
		if res.Records > 0 {
			prevZxid = res.LastZxid
		}
		prevCRC = res.LastCRC
		out = append(out, r)
	}
	return out, nil
}

func leUint32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
