package recipes

import (
	"context"
	"fmt"

	"github.com/go-zookeeper/zk"
)

// Namer hands out cluster-unique, increasing IDs from the sequence
// counter of dir: each Next creates a protected ephemeral sequential node
// under dir, keeps its sequence number and deletes the node.
//
// Guarantees: no two calls of Next on the same dir, from any client,
// return the same ID; if one Next returns before another starts, the
// second ID is larger. IDs are not dense (the server's counter also
// advances on deletes and on other children of dir), and they are 32-bit
// sequence numbers: after 2^31 children have been created under dir the
// server's counter wraps, so use a fresh dir per 2 billion IDs.
//
// Failure behaviour: a create whose reply was lost with the connection is
// found again by its GUID, so an ID is never taken twice by one call;
// session expiry during Next makes it try again in the new session.
type Namer struct {
	s   *Session
	dir string
}

// NewNamer returns the namer whose counter is dir's.
func NewNamer(s *Session, dir string) *Namer {
	return &Namer{s: s, dir: dir}
}

// Next returns a new ID.
func (n *Namer) Next(ctx context.Context) (int64, error) {
	path, e, err := n.s.createProtected(ctx, n.dir, "id-", nil, zk.FlagEphemeral|zk.FlagSequence)
	if err != nil {
		return 0, fmt.Errorf("recipes: next id in %s: %w", n.dir, err)
	}
	id, ok := seqOf(path)
	if !ok {
		return 0, fmt.Errorf("recipes: next id in %s: bad sequential name %q", n.dir, path)
	}
	if err := n.s.deleteNode(ctx, path); err != nil {
		n.s.deleteEventually(path, e) // the ID is ours anyway
	}
	return id, nil
}
