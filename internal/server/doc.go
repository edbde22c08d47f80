// Package server is a standalone Synod node: it accepts ZooKeeper clients on
// the client port, runs their requests against the data tree, keeps their
// sessions and watches, and answers four-letter words.
//
// # Pipeline
//
// Each connection has one reader and one writer goroutine. The reader
// decodes frames and keeps the connection's requests in a FIFO queue:
//
//   - a read (getData, exists, getChildren, ping, ...) with nothing queued
//     ahead of it runs at once in the reader under the tree's read lock;
//     otherwise it waits in the queue and runs as soon as every earlier
//     request of the connection has been answered;
//   - a write (create, delete, setData, setACL, multi, closeSession,
//     createSession, ...) is queued and handed to the single committer.
//
// The committer takes every write waiting from all connections as one batch,
// numbers them (zxid), passes the batch to Storage.Append (one call per
// batch: group commit), then applies them one by one to the tree under the
// write lock. After each apply it routes the tree's events through the watch
// registry into the watchers' output buffers, then answers the request and
// every queued read behind it on that connection. Because events are
// appended under the tree lock, a client always receives a watch event
// before the reply of any request that could observe the change.
//
// Replies and events are appended to a per-connection output buffer; the
// writer swaps it with a spare buffer and writes it in one call, so many
// replies share one write when the client pipelines.
//
// # Storage seam
//
// Durability is behind the Storage interface (storage.go):
//
//	type Storage interface {
//		Load(opts tree.Options) (*tree.Tree, error) // once, before serving
//		Append(txns []tree.Txn) error               // once per committed batch
//		Close() error
//	}
//
// Append is called by the committer with each batch of write Txns, already
// numbered, before any of them is applied or acknowledged; when it returns
// nil the batch must be durable (a WAL appends and fsyncs once). An error
// is fatal for the batch and for the server's writes: the server logs it
// once, closes the connections that sent those requests without answering
// (their outcome is unknown), and from then on answers every write with
// ZNotReadOnly and refuses new sessions, without calling Append again;
// reads and existing sessions go on, and srvr and mntr report the mode
// "read-only". Only a restart, which recovers from what is on disk,
// accepts writes again. Load returns the tree to start
// from (a snapshot replayed with the log tail); sessions recorded in it get
// fresh timers, as ZooKeeper does after a restart. MemoryStorage, the
// default, keeps nothing. WALStorage (storage_wal.go) is the durable one
// over internal/storage: Append encodes each Txn with tree.EncodeTxn and
// makes the batch one log append and fsync; it also implements the
// optional Snapshotter, which the committer consults after each batch.
//
// Snapshots do not stop writes: when one is due, the committer, still
// holding the write lock after a batch, calls tree.BeginSnapshot, which
// fixes the image at the last applied zxid in O(sessions), and a
// background goroutine writes it (Snapshotter.Snapshot) while the
// committer goes on; the tree copies a node on its first change while the
// snapshot runs, so the file holds exactly the state at that zxid.
// At most one snapshot runs at a time; Close aborts one in progress.
// `synod server` uses it in dataDir/version-2.
//
// # Sessions and time
//
// Sessions live in internal/session; the server's ticker calls Expire every
// tick and submits a closeSession Txn for each expired session through the
// committer, so ephemerals and watchers are handled by the same path as an
// explicit close.
//
// # Known differences from Debian's ZooKeeper 3.8.0
//
//   - check (13) sent on its own: 3.8.0 closes the connection without a
//     reply; Synod answers ZUnimplemented first and then closes, as the
//     project's protocol reference (ZooKeeper master) specifies.
//   - cons leaves out connections that have no session (such as the one
//     asking), so go-zookeeper/zk's FLWCons can parse every line; 3.8.0
//     lists them and FLWCons then fails.
package server
