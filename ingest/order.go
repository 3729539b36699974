package ingest

import (
	"bytes"
	"os"
	"slices"
	"time"
)

// SortByTime orders files by the time of their first record, so that the
// order-sensitive analyses see rotated logs (access.log.2.gz, access.log.1,
// access.log) in time order whatever order they were given in. It reads
// only the head of each file. Standard input, and files whose head holds
// no record, keep their place relative to each other after the timed ones.
// The files' Index (their place in the report) does not change. Only
// regular files are peeked at: a FIFO or a device cannot be read twice.
func SortByTime(files []*File, opts Options) []*File {
	type keyed struct {
		f  *File
		at time.Time
		ok bool
	}
	ks := make([]keyed, len(files))
	for i, f := range files {
		ks[i].f = f
		if f.Path == "-" && f.spool == "" {
			continue
		}
		if f.spool == "" {
			// Only regular files can be read twice: a FIFO or a device
			// would lose what the peek read.
			if info, err := os.Stat(f.Path); err != nil || !info.Mode().IsRegular() {
				continue
			}
		}
		ks[i].at, ks[i].ok = firstTime(f, opts)
		f.First = ks[i].at
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		switch {
		case a.ok && b.ok:
			return a.at.Compare(b.at)
		case a.ok:
			return -1
		case b.ok:
			return 1
		}
		return 0
	})
	out := make([]*File, len(files))
	for i, k := range ks {
		out[i] = k.f
	}
	return out
}

// firstTime returns the time of the first record in a file's first 256 KiB.
func firstTime(f *File, opts Options) (time.Time, bool) {
	head, _ := Head(f, 256<<10) // what could be read; the reader reports errors
	format := opts.Format
	if format == nil {
		format = Detect(head).Format
		f.Format = format // the reader detects again, from the same bytes
	}
	if format == nil {
		return time.Time{}, false
	}
	p := format.New(opts.Parse)
	if dp, ok := p.(directiveParser); ok {
		dp.Begin(nil)
	}
	var rec Record
	for line := range bytes.SplitSeq(head, []byte{'\n'}) {
		rec.reset()
		if p.Parse(trimCR(line), &rec) == OK {
			return rec.Time, true
		}
	}
	return time.Time{}, false
}
