// Package tree is ZooKeeper 3.8's data tree as a deterministic state
// machine: Apply takes a Txn (which carries the zxid, time, session and the
// caller's identities) and returns the reply and watch events, so equal
// Txn sequences give equal trees on every replica. CONTRACT.md lists the
// API; api.go holds the fixed types.
//
// Semantics follow ZooKeeper's PrepRequestProcessor and DataTree:
// create's error precedence, sequential suffixes from a per-parent counter
// of child creates (cversion counts creates and deletes, as measured on
// 3.8.0), checkAndIncVersion skipping -1, fixupACL/checkACL with the ip
// and digest providers, multi's all-or-nothing results, containers and TTL
// nodes. Choices where ZooKeeper versions differ or the brief asks for
// more care:
//   - Exists needs READ when the node exists (3.8.4+; 3.8.0 checks nothing).
//   - deleteContainer refuses (ZBadVersion) anything that is not a
//     container or TTL node, where ZooKeeper would delete a plain
//     persistent node too.
//   - Ephemeral creates need a session recorded by createSession, else
//     ZSessionExpired (ZooKeeper's checkGlobalSession).
//   - There is no data-size check here: ZooKeeper has none beyond
//     jute.maxbuffer on the incoming frame, which the server enforces.
//
// Memory: nodes are compact (112-byte size class), ACL lists are interned
// and referenced by a 4-byte index, children live in open-addressing sets
// keyed by the children's own path strings, and data is stored as given.
// Data handed to Apply and data returned by reads must not be modified.
// SYNOD_LONG=1 go test -run TestMemoryPerZnode -v measures bytes per znode.
//
// The Txn encoding (EncodeTxn) and snapshot format (WriteSnapshot) are
// documented beside their code; both are versioned, and damaged input is
// an error wrapping ErrCorrupt, never a panic.
package tree
