// Package storage makes Synod's acknowledged writes survive a crash: a
// write-ahead log of opaque records tagged with zxids, snapshots of the
// state, purge of what snapshots cover, and recovery.
//
// Storage never interprets a record or a snapshot body. The standalone
// server logs tree.EncodeTxn(txn) under txn's zxid and snapshots with
// tree.WriteSnapshot; the Paxos acceptor can log its own encoding the same
// way. All file access goes through package vfs, so the same code is tested
// on a crashable in-memory filesystem and an error-injecting one.
//
// # Using it
//
// The server wires it in this order:
//
//  1. st, rec, err := storage.Open(opts, storage.Handlers{Snapshot: ..., Record: ...})
//     Open loads the newest valid snapshot through Handlers.Snapshot (e.g.
//     tree.ReadSnapshot), then passes every later log record, in zxid order,
//     to Handlers.Record (decode with tree.DecodeTxn and apply), cuts a torn
//     log tail, and returns. rec.LastZxid is the last recovered zxid: the
//     next write must be numbered above it. Any error is fatal to startup;
//     errors.Is(err, storage.ErrCorrupt) means damaged files, and the error
//     names the file and byte offset.
//  2. For every batch of writes: st.Append(records...) once, before any of
//     them is applied or acknowledged. It returns nil only when the records
//     are durable. Call it from one goroutine per batch or from many at
//     once: concurrent calls are group-committed into one write and one
//     fsync. Zxids must strictly increase in the order the calls are made.
//     A non-nil error means nothing of that call may be acknowledged; after
//     a write or fsync failure every later Append fails too (the log is
//     sticky-failed: the kernel may have dropped the unsynced pages, so a
//     retry could "succeed" over lost data). Restart to recover.
//  3. When st.SnapshotDue() (SnapCount records since the last snapshot),
//     take a consistent image of the state as of an applied zxid Z (every
//     write up to Z applied, none after) and call
//     st.WriteSnapshot(Z, image.WriteSnapshot) — from another goroutine if
//     you like: appends continue meanwhile. The server fixes the image with
//     tree.BeginSnapshot (copy-on-write) and writes it in the background.
//     Purge waits for a snapshot being written, and counts only complete
//     ones, so it never removes a segment the newest snapshot needs.
//  4. st.Purge() after a snapshot, or set Options.PurgeInterval to run it
//     in the background (autopurge.purgeInterval).
//  5. st.Close() at shutdown.
//
// Hooks for the process-level tests: Open with Options.FS = vfs.Default is
// the real thing; a SIGKILL test only needs to compare the acknowledged
// zxids with Recovery.LastZxid after restart. Stats reports records and
// fsyncs for group-commit measurements.
//
// # Files
//
// LogDir holds segments named "<seq>-<firstZxid>.wal" (16 hex digits each):
// seq counts from 0 without gaps, firstZxid is the zxid of the first record
// written to it. Dir holds snapshots named "snapshot.<zxid>" (16 hex
// digits), the zxid being the last write the snapshot covers, and, during a
// snapshot, "snapshot.<zxid>.tmp". All integers are little-endian; CRCs are
// CRC-32C (Castagnoli).
//
// Segment header (40 bytes, at offset 0):
//
//	0   [8]byte  magic "SYNODWAL"
//	8   uint32   version (1)
//	12  uint32   reserved (0)
//	16  uint64   seq (equals the name's)
//	24  int64    firstZxid
//	32  uint32   prevCRC: the chained CRC at the end of segment seq-1 (0 for the first)
//	36  uint32   CRC-32C of bytes 0..35
//
// Records follow from offset 40, each 8-byte aligned:
//
//	0   uint64   length word: bits 0..55 data length n, bits 56..63 type (1 = entry)
//	8   uint32   CRC: CRC-32C, seeded with the previous record's CRC (or the
//	             header's prevCRC), over bytes 0..7, 16..23 and the data
//	12  uint32   reserved (0)
//	16  int64    zxid
//	24  [n]byte  data
//	    [0-7]    zero padding to a multiple of 8
//
// A segment is preallocated (PreAllocSize, fallocate) and therefore ends in
// zeros; a zero length word is the end of the log. Because records are
// 8-byte aligned a length word never straddles a 512-byte sector, so it is
// either written or zero. The log rolls to a new segment when the current
// one would exceed SegmentSize; the new segment's header is written and
// fsynced, and the directory fsynced, before records go in, and the
// previous segment was fsynced after its last record.
//
// Snapshot file:
//
//	0   [8]byte  magic "SYNODSNP"
//	8   uint32   version (1)
//	12  uint32   reserved (0)
//	16  int64    zxid covered
//	24  uint32   reserved (0)
//	28  uint32   CRC-32C of bytes 0..27
//	32  [m]byte  body, opaque (written by the caller's callback)
//	    uint64   m
//	    uint32   CRC-32C of the body
//	    [4]byte  "SEND"
//
// It is written to the .tmp name (fsynced every 4 MiB as it goes, so that
// log fsyncs meanwhile do not queue behind the whole file), fsynced,
// renamed, and the directory fsynced; so a snapshot file under its final name is complete, and a .tmp
// left by a crash is deleted by Open.
//
// # Recovery
//
// Open verifies the newest snapshot's checksums before handing its body to
// the callback, then replays log records with larger zxids. In the last
// segment, a record that runs past the end of the file, or whose checksum
// fails while a whole 512-byte sector it touches is zero (a write cut short
// by a crash), is a torn tail: the file is truncated to the last good record
// and fsynced, and the next Append starts a new segment. Nothing in a torn
// tail was acknowledged, because Append returns only after the fsync that
// covers it. Every other anomaly is corruption, reported as a
// *CorruptError (file and offset): a checksum mismatch with no zero sector,
// a malformed header, a decreasing zxid, a torn record outside the last
// segment, a missing segment number, a segment whose prevCRC does not
// match the end of its predecessor, or a log that starts after the
// snapshot.
//
// A corrupt newest snapshot: Open falls back to the next older snapshot
// only if the log provably still holds every record after it (the first
// segment is segment 0, or its firstZxid is at most the older snapshot's
// zxid + 1, and the segment chain is unbroken); the replay then rebuilds
// exactly the same state, so this is safe, and it is logged and listed in
// Recovery.SkippedSnapshots. Otherwise Open fails with the corruption
// error. Purge only removes segments wholly covered by the oldest retained
// snapshot, so the fallback is normally available.
//
// Known limit: a flipped bit in the last record of the last segment whose
// final sector holds only zero bytes of that record (say its padding)
// looks like a torn write and is cut rather than reported.
//
// # Durability settings
//
// Options.NoSync (ZooKeeper's forceSync=no) skips the fsync of records;
// segment headers, rolls and snapshots are still synced. Purge keeps
// SnapRetainCount (at least 3) snapshots and deletes, oldest first, the
// segments whose successor starts at or below the oldest retained
// snapshot's zxid + 1, never the current segment.
package storage
