package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/synod-dev/synod/internal/storage"
	"github.com/synod-dev/synod/internal/storage/vfs"
	"github.com/synod-dev/synod/internal/tree"
)

func init() {
	register("snapshot", "inspect a snapshot file: synod snapshot inspect FILE", runSnapshot)
	register("wal", "dump write-ahead log segments: synod wal dump [-q] DIR", runWAL)
}

// runSnapshot implements "synod snapshot inspect FILE".
func runSnapshot(args []string) error {
	if len(args) != 2 || args[0] != "inspect" {
		return errors.New("usage: synod snapshot inspect FILE")
	}
	if err := storage.PrintSnapshot(os.Stdout, vfs.Default, args[1]); err != nil {
		return err
	}
	// The body is opaque to storage; the server writes tree snapshots, so
	// try to decode one.
	_, err := storage.ReadSnapshot(vfs.Default, args[1], func(zxid int64, body io.Reader) error {
		t, err := tree.ReadSnapshot(body, tree.Options{ExtendedTypes: true})
		if err != nil {
			fmt.Printf("  body is not a readable tree snapshot: %v\n", err)
			return nil
		}
		fmt.Printf("  tree: %d znodes, %d ephemerals, %d sessions, data %d bytes, lastZxid %#x\n",
			t.NodeCount(), t.EphemeralCount(), len(t.Sessions()), t.ApproximateDataSize(), t.LastZxid())
		return nil
	})
	return err
}

// runWAL implements "synod wal dump [-q] DIR".
func runWAL(args []string) error {
	if len(args) < 1 || args[0] != "dump" {
		return errors.New("usage: synod wal dump [-q] DIR")
	}
	fs := flag.NewFlagSet("wal dump", flag.ContinueOnError)
	quiet := fs.Bool("q", false, "print segments only, not every record")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: synod wal dump [-q] DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("wal dump needs one directory")
	}
	return storage.PrintLogDump(os.Stdout, vfs.Default, fs.Arg(0), !*quiet)
}
