package storage

import (
	"errors"
	"fmt"
	"io"

	"github.com/synod-dev/synod/internal/storage/vfs"
)

// ErrDamaged is returned by PrintLogDump and PrintSnapshot when they found
// corruption (after printing where).
var ErrDamaged = errors.New("storage: damaged files found")

// PrintLogDump writes a human-readable dump of the log segments in dir to
// w: for each segment its header, every record (offset, zxid, length, CRC),
// and where a torn tail or corruption is. It returns an error wrapping
// ErrDamaged if any segment is corrupt; a torn tail in the last segment is
// reported but is not damage (Open repairs it).
func PrintLogDump(w io.Writer, fs vfs.FS, dir string, records bool) error {
	reps, err := DumpLog(fs, dir)
	if err != nil {
		return fmt.Errorf("wal dump %s: %w", dir, err)
	}
	if len(reps) == 0 {
		fmt.Fprintf(w, "%s: no log segments\n", dir)
		return nil
	}
	damaged := 0
	total := 0
	for i, r := range reps {
		last := i == len(reps)-1
		fmt.Fprintf(w, "segment %s\n", r.Path)
		fmt.Fprintf(w, "  seq %d  firstZxid %#x  size %d  prevCRC %08x  chain %s\n", r.Seq, r.FirstZxid, r.Size, r.PrevCRC, okStr(r.ChainOK))
		if !r.ChainOK {
			damaged++
		}
		if records {
			for _, rec := range r.Records {
				fmt.Fprintf(w, "  @%-10d zxid %#-14x len %-8d crc %08x ok\n", rec.Offset, rec.Zxid, rec.Length, rec.CRC)
			}
		}
		total += len(r.Records)
		var zr string
		if n := len(r.Records); n > 0 {
			zr = fmt.Sprintf(" zxid %#x..%#x", r.Records[0].Zxid, r.Records[n-1].Zxid)
		}
		fmt.Fprintf(w, "  %d records%s, valid up to offset %d\n", len(r.Records), zr, r.End)
		if r.TornAt >= 0 {
			if last {
				fmt.Fprintf(w, "  TORN TAIL at offset %d: %s (repaired by truncation at next start)\n", r.TornAt, r.TornWhy)
			} else {
				fmt.Fprintf(w, "  CORRUPT at offset %d: %s, and this is not the last segment\n", r.TornAt, r.TornWhy)
				damaged++
			}
		}
		if r.Err != nil {
			fmt.Fprintf(w, "  CORRUPT: %v\n", r.Err)
			damaged++
		}
	}
	fmt.Fprintf(w, "%d segments, %d valid records\n", len(reps), total)
	if damaged > 0 {
		return fmt.Errorf("wal dump %s: %d problems: %w", dir, damaged, ErrDamaged)
	}
	return nil
}

// PrintSnapshot writes a snapshot file's header, zxid, sizes and checksum
// status to w. It returns an error wrapping ErrDamaged if the file is
// corrupt.
func PrintSnapshot(w io.Writer, fs vfs.FS, path string) error {
	info, err := VerifySnapshot(fs, path)
	fmt.Fprintf(w, "snapshot %s\n", path)
	fmt.Fprintf(w, "  file size %d bytes\n", info.Size)
	if info.Zxid != 0 || err == nil {
		fmt.Fprintf(w, "  zxid %#x (%d)\n", info.Zxid, info.Zxid)
	}
	if info.BodySize != 0 || err == nil {
		fmt.Fprintf(w, "  body %d bytes, crc %08x\n", info.BodySize, info.BodyCRC)
	}
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			fmt.Fprintf(w, "  CORRUPT: %v\n", err)
			return fmt.Errorf("snapshot inspect %s: %w", path, ErrDamaged)
		}
		return err
	}
	fmt.Fprintf(w, "  checksums ok\n")
	return nil
}

func okStr(ok bool) string {
	if ok {
		return "ok"
	}
	return "BROKEN"
}
