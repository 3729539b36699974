package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"analyze/ingest"
	"analyze/outfile"
	"analyze/state"
)

// openState locks the state file at path for a run of kind ("report" or
// "export"), loads it, and sets where each of files resumes. It returns the
// state and the function that releases the lock, or a nil state and the
// exit code, having said why on stderr.
func openState(ctx context.Context, path, kind string, wait time.Duration, files []*ingest.File, stderr io.Writer) (*state.State, func(), int) {
	unlock, code := lockState(ctx, path, wait, stderr)
	if unlock == nil {
		return nil, nil, code
	}
	st, err := state.Load(path)
	if err == nil {
		err = st.For(kind)
	}
	if err != nil {
		unlock()
		fmt.Fprintf(stderr, "analyze: %s\n", safe(err))
		return nil, nil, exitUsage
	}
	st.Resume(files)
	return st, unlock, exitOK
}

// lockState takes the lock of the state file at path (path.lock, beside
// the file its links lead to), waiting at most wait for another run that
// holds it. It returns the function that releases it, or nil and the exit
// code, having said why on stderr.
func lockState(ctx context.Context, path string, wait time.Duration, stderr io.Writer) (func(), int) {
	if wait < 0 {
		fmt.Fprintf(stderr, "analyze: --lock-timeout takes a duration of 0 or more\n")
		return nil, exitUsage
	}
	target, _, err := outfile.Resolve(path)
	if err != nil {
		fmt.Fprintf(stderr, "analyze: --state: %s\n", safe(err))
		return nil, exitUsage
	}
	return lock(ctx, target+".lock", wait, "the --state file "+path, stderr)
}

// lock takes the lock at path for what, or says why not.
func lock(ctx context.Context, path string, wait time.Duration, what string, stderr io.Writer) (func(), int) {
	unlock, err := outfile.Lock(ctx, path, wait)
	switch {
	case errors.Is(err, outfile.ErrLocked):
		fmt.Fprintf(stderr, "analyze: another analyze run holds %s (lock %s); waited %v (--lock-timeout); nothing was read or written\n",
			safe(what), safe(path), wait)
		return nil, exitLocked
	case err != nil:
		fmt.Fprintf(stderr, "analyze: %s\n", safe(err))
		return nil, exitUsage
	}
	return unlock, exitOK
}
