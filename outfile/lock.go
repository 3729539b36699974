package outfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// ErrLocked is the cause of Lock's error when another run held the lock
// for longer than the wait allowed.
var ErrLocked = errors.New("another analyze run holds the lock")

// Lock takes an exclusive advisory lock on the file at path (created, mode
// 0640, when missing), waiting at most wait for a run that holds it; it
// returns the function that releases it. The lock is the kernel's (flock):
// a run that dies, killed or not, releases it, so a stale lock never
// blocks. The file stays, empty.
func Lock(ctx context.Context, path string, wait time.Duration) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	l := flock.New(path, flock.SetPermissions(0o640))
	ok, err := l.TryLock()
	if err == nil && !ok {
		ctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		ok, err = l.TryLockContext(ctx, 100*time.Millisecond)
		if !ok && (err == nil || errors.Is(err, context.DeadlineExceeded)) {
			return nil, fmt.Errorf("cannot lock %s: waited %v: %w", path, wait, ErrLocked)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	return func() { l.Unlock() }, nil
}
