//go:build !unix

package ingest

import "os"

// fileID is fileID of fileid_unix.go where files have no inode numbers:
// inputs are then told apart by their paths alone.
func fileID(os.FileInfo) (id [2]uint64, ok bool) { return id, false }

// linkCount is linkCount of fileid_unix.go where the system gives no link
// count: a file that left its listing is taken as renamed away.
func linkCount(os.FileInfo) (n uint64, ok bool) { return 0, false }
