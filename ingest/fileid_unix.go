//go:build unix

package ingest

import (
	"os"
	"syscall"
)

// fileID names the file info describes by device and inode, so that two
// paths to one file (a link beside its target) are known as one; ok is
// false where the system gives no such number.
func fileID(info os.FileInfo) (id [2]uint64, ok bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return id, false
	}
	return [2]uint64{uint64(st.Dev), st.Ino}, true
}

// linkCount returns how many names the file info describes has; 0 once
// it was deleted while still open. ok is false where the system does not
// say.
func linkCount(info os.FileInfo) (n uint64, ok bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Nlink), true
}
