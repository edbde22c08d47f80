package server

import "github.com/synod-dev/synod/internal/tree"

// Storage makes committed Txns durable. See the package documentation for
// the contract; MemoryStorage is the default.
type Storage interface {
	// Load returns the tree to serve from. It is called once, before the
	// server accepts connections.
	Load(opts tree.Options) (*tree.Tree, error)
	// Append makes a batch of numbered Txns durable. It is called once per
	// batch by the committer, before any Txn of the batch is applied or
	// acknowledged. The slice is reused after Append returns.
	Append(txns []tree.Txn) error
	// Close releases the storage.
	Close() error
}

// MemoryStorage keeps nothing: a fresh tree at start, no durability.
type MemoryStorage struct{}

var _ Storage = MemoryStorage{}

// Load returns a fresh tree.
func (MemoryStorage) Load(opts tree.Options) (*tree.Tree, error) { return tree.New(opts), nil }

// Append does nothing.
func (MemoryStorage) Append([]tree.Txn) error { return nil }

// Close does nothing.
func (MemoryStorage) Close() error { return nil }
