package ingest

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Following files as tail -F does, for analyze watch. A Follower polls
// (os.Stat, File.Stat) rather than subscribing to change events: polling
// works on every file system, NFS and other network mounts included, where
// inotify sees no writes made by other hosts, and one code path serves
// appends, renames, truncations and files that appear later alike. At
// 250 ms a poll costs a stat per followed file and a listing per folder
// or pattern.
//
// Files are known by identity (device and inode, fileID), not by name: a
// log renamed within a followed folder (access.log to access.log.1) is the
// same file, read on from where it was.

const (
	defaultFollowPoll = 250 * time.Millisecond
	defaultMaxLine    = 1 << 20
	// followReadBytes is what one Read takes from one input at most.
	followReadBytes = 64 << 10
	// headBytes is how much of a file's start is kept to tell a cut in
	// place (copytruncate) and to know a copy of it.
	headBytes = 256
	// settlePolls is how many polls a renamed or deleted file, read
	// through its open descriptor, must not grow for to be done (2 s at
	// the default poll: a writer such as nginx reopens its log by then);
	// also how long a cut waits for its copy before its held line goes,
	// and a copy of a file that was not cut waits for the cut.
	settlePolls = 8
	// maxCuts is how many cuts of one file are remembered to know their
	// copies by.
	maxCuts = 4
)

// FollowOptions say how Follow reads.
type FollowOptions struct {
	Poll    time.Duration // how often the files and folders are looked at; 0: 250ms
	MaxLine int           // a line longer than this is cut to it (counted as one line, still delivered); 0: 1 MiB
	Stdin   io.Reader     // read for the path "-"
	// Own tells analyze's own reports among the files a folder or a
	// pattern lists, which are not followed (see OmitReports); zero: none
	// is told apart.
	Own Own
}

// Chunk is whole lines of one file, in the file's order, each ending in '\n'.
type Chunk struct {
	// File is the followed input: Path, Format (detected on its first
	// lines, as the batch reader does), Index (its number, in the order
	// inputs were first read), Lines (counted so far).
	File *File
	Data []byte
}

// FollowedFile is one followed input as the view shows it.
type FollowedFile struct {
	Path string
	// State is "following", "waiting" (not there yet), "rotated" (renamed
	// away, its rest being read; it stays so once read), "gone" (deleted,
	// its rest read through the open descriptor), "ended" (standard input
	// at its end, or a compressed file read whole), "not read: compressed
	// rotation" (a compressed file that appeared later: the rotation of
	// a log whose lines were read) or "error: <cause>".
	State       string
	Lines       int64
	Bytes       int64 // bytes read (after decompression)
	Rotations   int   // renames seen
	Truncations int   // cuts in place seen (copytruncate, : > file)
}

// Follower reads files as they grow (see NewFollower).
type Follower struct {
	opts FollowOptions
	args []string // the paths other than "-", in order

	mu      sync.Mutex // guards all below: Files may be called while Read waits
	files   []*follow  // in the order first seen
	byKey   map[fileKey]*follow
	waiting map[string]*follow // the "waiting" entry of a path that lists nothing
	pending map[fileKey]*candidate
	ignored map[fileKey]bool // analyze's own reports
	stdin   *stdinFeed
	next    int // the next File.Index
	polls   int
	last    time.Time // the last poll
	chunks  []Chunk
	more    bool // an input has more to read now: do not wait
	behind  bool // a file (not standard input) has more to read now
	closed  bool
}

// NewFollower returns a Follower of paths: files, folders (their files, not
// recursive, as the batch reader lists a folder, skipping hidden files and
// analyze's own reports) and glob patterns; "-" is standard input. A path
// that does not exist yet is waited for (tail -F). Errors only for what can
// never work: no path, or a malformed glob pattern.
func NewFollower(paths []string, opts FollowOptions) (*Follower, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("cannot follow: no path given")
	}
	if opts.Poll <= 0 {
		opts.Poll = defaultFollowPoll
	}
	if opts.MaxLine <= 0 {
		opts.MaxLine = defaultMaxLine
	}
	f := &Follower{
		opts:    opts,
		byKey:   map[fileKey]*follow{},
		waiting: map[string]*follow{},
		pending: map[fileKey]*candidate{},
		ignored: map[fileKey]bool{},
	}
	for _, p := range paths {
		if p == "-" {
			if f.stdin == nil {
				f.stdin = newStdinFeed(opts.Stdin)
				fl := &follow{stdin: true}
				f.files = append(f.files, fl)
				f.open(fl, "-")
				fl.state.State = "following"
			}
			continue
		}
		if _, err := os.Lstat(p); err != nil && strings.ContainsAny(p, "*?[") {
			if _, err := filepath.Match(p, ""); err != nil {
				return nil, fmt.Errorf("cannot follow %s: %w", p, err)
			}
		}
		f.args = append(f.args, p)
		f.scanArg(p, true, map[fileKey][]string{})
	}
	f.last = time.Now()
	return f, nil
}

// Read blocks until there are new whole lines, ctx is done (returns
// ctx.Err()), or every input has ended for good (only standard input can:
// it returns io.EOF once everything is delivered), and returns them as
// chunks. Data is valid until the next Read.
func (f *Follower) Read(ctx context.Context) ([]Chunk, error) {
	timer := time.NewTimer(f.opts.Poll)
	defer timer.Stop()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			return nil, fmt.Errorf("cannot read the followed files: %w", fs.ErrClosed)
		}
		f.chunks, f.more, f.behind = f.chunks[:0], false, false
		polled := time.Since(f.last) >= f.opts.Poll
		f.stepAll(polled)
		if polled {
			f.polls++
			f.last = time.Now()
			f.scan()
			f.stepFresh()
		}
		chunks, more, ended := f.chunks, f.more, len(f.chunks) == 0 && f.ended()
		wait := f.opts.Poll - time.Since(f.last)
		var stdinC <-chan []byte
		if f.stdin != nil && !f.stdin.ready() {
			stdinC = f.stdin.data
		}
		f.mu.Unlock()
		switch {
		case len(chunks) > 0:
			return chunks, nil
		case ended:
			return nil, io.EOF
		case more:
			continue
		}
		timer.Reset(max(wait, 0))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
		case b, ok := <-stdinC:
			f.mu.Lock()
			f.stdin.stash(b, ok)
			f.mu.Unlock()
		}
	}
}

// Behind reports whether the last Read left a file with bytes it could
// read at once: what the files held when followed (or a burst) is still
// being read. Standard input, whose backlog cannot be known, never counts.
func (f *Follower) Behind() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.behind
}

// ended reports whether every input has ended for good: standard input
// alone was followed, and it is at its end.
func (f *Follower) ended() bool {
	if len(f.args) > 0 {
		return false
	}
	for _, fl := range f.files {
		if !fl.done {
			return false
		}
	}
	return true
}

// Files returns each followed input's state for the view, in the order
// first seen.
func (f *Follower) Files() []FollowedFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FollowedFile, len(f.files))
	for i, fl := range f.files {
		out[i] = fl.state
		out[i].Lines = fl.file.Lines
	}
	return out
}

// Close closes the followed files. A read of standard input under way
// goes on until it returns; its data is dropped.
func (f *Follower) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for _, fl := range f.files {
		fl.close()
	}
	for _, c := range f.pending {
		c.close()
	}
	return nil
}

// pollCount returns how many polls Read made.
func (f *Follower) pollCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.polls
}
