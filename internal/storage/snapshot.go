package storage

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/synod-dev/synod/internal/storage/vfs"
)

const (
	snapMagic      = "SYNODSNP"
	snapVersion    = 1
	snapHeaderSize = 32
	snapFooterSize = 16
	snapFooterMag  = "SEND"
	snapPrefix     = "snapshot."
	tmpSuffix      = ".tmp"
)

// snapshotName is "snapshot.<zxid as 16 hex digits>".
func snapshotName(zxid int64) string { return fmt.Sprintf("%s%016x", snapPrefix, uint64(zxid)) }

func parseSnapshotName(name string) (int64, bool) {
	base := filepath.Base(name)
	if !strings.HasPrefix(base, snapPrefix) || len(base) != len(snapPrefix)+16 {
		return 0, false
	}
	z, err := strconv.ParseUint(base[len(snapPrefix):], 16, 64)
	return int64(z), err == nil
}

func encodeSnapHeader(zxid int64) []byte {
	b := make([]byte, snapHeaderSize)
	copy(b, snapMagic)
	binary.LittleEndian.PutUint32(b[8:12], snapVersion)
	binary.LittleEndian.PutUint64(b[16:24], uint64(zxid))
	binary.LittleEndian.PutUint32(b[28:32], crc32.Checksum(b[:28], castagnoli))
	return b
}

// SnapshotInfo is what VerifySnapshot learned about a snapshot file.
type SnapshotInfo struct {
	Path     string
	Zxid     int64
	Size     int64  // file size
	BodySize int64  // bytes of the opaque body
	BodyCRC  uint32 // CRC-32C of the body
}

// writeSnapshot writes a snapshot covering zxid: body written by fn into a
// temporary file, fsynced, renamed into place, directory fsynced.
func writeSnapshot(fs vfs.FS, dir string, zxid int64, fn func(io.Writer) error) (string, error) {
	final := filepath.Join(dir, snapshotName(zxid))
	tmp := final + tmpSuffix
	f, err := fs.Create(tmp)
	if err != nil {
		return "", fmt.Errorf("snapshot: create %s: %w", tmp, err)
	}
	fail := func(err error) (string, error) {
		f.Close()
		fs.Remove(tmp)
		return "", err
	}
	bw := bufio.NewWriterSize(&syncingWriter{f: f, name: tmp}, 1<<20)
	if _, err := bw.Write(encodeSnapHeader(zxid)); err != nil {
		return fail(fmt.Errorf("snapshot: write %s: %w", tmp, err))
	}
	cw := &countingWriter{w: bw, h: crc32.New(castagnoli)}
	if err := fn(cw); err != nil {
		return fail(fmt.Errorf("snapshot: write body of %s: %w", tmp, err))
	}
	if cw.err != nil {
		return fail(fmt.Errorf("snapshot: write %s: %w", tmp, cw.err))
	}
	foot := make([]byte, snapFooterSize)
	binary.LittleEndian.PutUint64(foot[0:8], uint64(cw.n))
	binary.LittleEndian.PutUint32(foot[8:12], cw.h.Sum32())
	copy(foot[12:], snapFooterMag)
	if _, err := bw.Write(foot); err != nil {
		return fail(fmt.Errorf("snapshot: write %s: %w", tmp, err))
	}
	if err := bw.Flush(); err != nil {
		return fail(fmt.Errorf("snapshot: write %s: %w", tmp, err))
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("snapshot: fsync %s: %w", tmp, err))
	}
	if err := f.Close(); err != nil {
		fs.Remove(tmp)
		return "", fmt.Errorf("snapshot: close %s: %w", tmp, err)
	}
	if err := fs.Rename(tmp, final); err != nil {
		fs.Remove(tmp)
		return "", fmt.Errorf("snapshot: rename %s: %w", tmp, err)
	}
	if err := fs.SyncDir(dir); err != nil {
		return "", fmt.Errorf("snapshot: fsync directory %s: %w", dir, err)
	}
	return final, nil
}

// snapSyncBytes is how much of a snapshot is written between fsyncs. A
// snapshot is written while the log goes on appending and fsyncing on the
// same disk; fsyncing it only at the end would queue a log fsync behind
// the whole file (measured: a 130 ms write at 1M znodes), so it is
// flushed as it goes and a log fsync waits for a few MiB at most.
const snapSyncBytes = 4 << 20

// syncingWriter writes to f and fsyncs it every snapSyncBytes.
type syncingWriter struct {
	f       vfs.File
	name    string
	off     int64
	pending int64
}

func (s *syncingWriter) Write(p []byte) (int, error) {
	n, err := s.f.Write(p)
	s.off += int64(n)
	s.pending += int64(n)
	if err != nil {
		return n, fmt.Errorf("write at offset %d: %w", s.off, err)
	}
	if s.pending >= snapSyncBytes {
		s.pending = 0
		if err := s.f.Sync(); err != nil {
			return n, fmt.Errorf("fsync %s at offset %d: %w", s.name, s.off, err)
		}
	}
	return n, nil
}

type countingWriter struct {
	w   io.Writer
	h   hash.Hash32
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	if err != nil {
		c.err = err
	}
	return n, err
}

// VerifySnapshot checks a snapshot file's header, footer and body checksum.
// Damage is reported as a *CorruptError (errors.Is(err, ErrCorrupt)).
func VerifySnapshot(fs vfs.FS, path string) (SnapshotInfo, error) {
	info := SnapshotInfo{Path: path}
	f, err := fs.Open(path)
	if err != nil {
		return info, fmt.Errorf("snapshot: open %s: %w", path, err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return info, fmt.Errorf("snapshot: stat %s: %w", path, err)
	}
	info.Size = size
	if size < snapHeaderSize+snapFooterSize {
		return info, corruptf(path, size, "file of %d bytes is shorter than header and footer", size)
	}
	hdr := make([]byte, snapHeaderSize)
	if _, err := f.ReadAt(hdr, 0); err != nil {
		return info, fmt.Errorf("snapshot: read %s: %w", path, err)
	}
	if string(hdr[:8]) != snapMagic {
		return info, corruptf(path, 0, "bad magic %q", hdr[:8])
	}
	if got, want := binary.LittleEndian.Uint32(hdr[28:32]), crc32.Checksum(hdr[:28], castagnoli); got != want {
		return info, corruptf(path, 0, "header checksum %08x, want %08x", got, want)
	}
	if v := binary.LittleEndian.Uint32(hdr[8:12]); v != snapVersion {
		return info, corruptf(path, 8, "unsupported snapshot version %d", v)
	}
	info.Zxid = int64(binary.LittleEndian.Uint64(hdr[16:24]))
	foot := make([]byte, snapFooterSize)
	footOff := size - snapFooterSize
	if _, err := f.ReadAt(foot, footOff); err != nil {
		return info, fmt.Errorf("snapshot: read %s: %w", path, err)
	}
	if string(foot[12:]) != snapFooterMag {
		return info, corruptf(path, footOff, "bad footer magic %q (truncated file?)", foot[12:])
	}
	info.BodySize = int64(binary.LittleEndian.Uint64(foot[0:8]))
	info.BodyCRC = binary.LittleEndian.Uint32(foot[8:12])
	if info.BodySize != size-snapHeaderSize-snapFooterSize {
		return info, corruptf(path, footOff, "footer says body is %d bytes, file holds %d", info.BodySize, size-snapHeaderSize-snapFooterSize)
	}
	h := crc32.New(castagnoli)
	r := io.NewSectionReader(f, snapHeaderSize, info.BodySize)
	if _, err := io.Copy(h, bufio.NewReaderSize(r, 1<<20)); err != nil {
		return info, fmt.Errorf("snapshot: read %s: %w", path, err)
	}
	if got := h.Sum32(); got != info.BodyCRC {
		return info, corruptf(path, snapHeaderSize, "body checksum %08x, footer says %08x", got, info.BodyCRC)
	}
	return info, nil
}

// ReadSnapshot verifies a snapshot file and then hands its body to fn.
func ReadSnapshot(fs vfs.FS, path string, fn func(zxid int64, body io.Reader) error) (SnapshotInfo, error) {
	info, err := VerifySnapshot(fs, path)
	if err != nil {
		return info, err
	}
	f, err := fs.Open(path)
	if err != nil {
		return info, fmt.Errorf("snapshot: open %s: %w", path, err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(io.NewSectionReader(f, snapHeaderSize, info.BodySize), 1<<20)
	if err := fn(info.Zxid, r); err != nil {
		return info, fmt.Errorf("snapshot: load %s: %w", path, err)
	}
	return info, nil
}

// listSnapshots returns the snapshot files in dir, newest (highest zxid) first.
func listSnapshots(fs vfs.FS, dir string) ([]snapFile, error) {
	names, err := fs.List(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot: list %s: %w", dir, err)
	}
	var out []snapFile
	for _, n := range names {
		if z, ok := parseSnapshotName(n); ok {
			out = append(out, snapFile{zxid: z, path: filepath.Join(dir, n)})
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

type snapFile struct {
	zxid int64
	path string
}

// removeTemps deletes leftovers of snapshots interrupted by a crash.
func removeTemps(fs vfs.FS, dir string) error {
	names, err := fs.List(dir)
	if err != nil {
		return fmt.Errorf("snapshot: list %s: %w", dir, err)
	}
	removed := false
	for _, n := range names {
		if strings.HasPrefix(n, snapPrefix) && strings.HasSuffix(n, tmpSuffix) {
			if err := fs.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, errNotExist) {
				return fmt.Errorf("snapshot: remove %s: %w", n, err)
			}
			removed = true
		}
	}
	if removed {
		if err := fs.SyncDir(dir); err != nil {
			return fmt.Errorf("snapshot: fsync directory %s: %w", dir, err)
		}
	}
	return nil
}
