package ingest

import (
	"bytes"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// eachFile calls f(0) ... f(n-1) on workers goroutines (0: GOMAXPROCS),
// each taking the next index: a folder of thousands of rotated files is
// opened, read and detected in parallel. f must touch only its own file.
func eachFile(n, workers int, f func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}

// Heads returns the first n bytes of each input (Head), read in parallel;
// nil for standard input not spooled, and for an input that cannot be read
// (the reader reports its error).
func Heads(files []*File, n int) [][]byte {
	heads := make([][]byte, len(files))
	eachFile(len(files), 0, func(i int) {
		if f := files[i]; f.Data == nil && (f.Path != "-" || f.spool != "") {
			heads[i], _ = Head(f, n)
		}
	})
	return heads
}

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
	peek := func(i int) {
		f := files[i]
		ks[i].f = f
		if f.Path == "-" && f.spool == "" || f.Data != nil {
			return
		}
		if f.spool == "" {
			// Only regular files can be read twice: a FIFO or a device
			// would lose what the peek read.
			if info, err := os.Stat(f.Path); err != nil || !info.Mode().IsRegular() {
				return
			}
		}
		ks[i].at, ks[i].ok = firstTime(f, opts)
		f.First = ks[i].at
	}
	eachFile(len(files), opts.Workers, peek)
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
// It reads the first 16 KiB first, which hold the detection's sample and
// a record in most logs, then 64 KiB (the sample of lines up to 1 KiB, as
// JSON logs have), and the 256 KiB only when those do not: a run over
// hundreds of rotated files reads a sixteenth of the bytes to order them.
func firstTime(f *File, opts Options) (time.Time, bool) {
	format := opts.Format
	peeks := [...]int{16 << 10, 64 << 10, 256 << 10}
	for i, peek := range peeks {
		head, err := Head(f, peek) // what could be read; the reader reports errors
		whole := err == nil && len(head) < peek
		longer := !whole && i < len(peeks)-1 // a longer head could still tell more
		switch {
		case opts.Format != nil:
		case f.detected:
			// Settled by a shorter head (or an earlier call): a longer
			// head detects the same.
			format = f.Format
		default:
			if longer && bytes.Count(head, []byte{'\n'}) < detectLines {
				continue // too few lines for a full sample: not worth detecting
			}
			d := Detect(head)
			if !d.full && longer {
				continue // a longer head could detect otherwise
			}
			format = d.Format
			f.Format = format
			// The reader detects from the same first bytes: it keeps this
			// detection when a longer head could not change it.
			if d.full || whole {
				f.Detection, f.detected = d, true
			}
		}
		if format == nil {
			return time.Time{}, false
		}
		if longer {
			// Whole lines only: the line cut at the peek's end is read
			// whole with the longer peek.
			head = head[:bytes.LastIndexByte(head, '\n')+1]
		}
		if at, ok := firstRecordTime(head, format, opts); ok || !longer {
			return at, ok
		}
	}
	return time.Time{}, false
}

// firstRecordTime returns the time of the first line of head that parses.
func firstRecordTime(head []byte, format *Format, opts Options) (time.Time, bool) {
	p := format.New(opts.Parse)
	if dp, ok := p.(directiveParser); ok {
		dp.Begin(nil)
	}
	var rec Record
	var docker jsonParser
	for line := range bytes.SplitSeq(trimBOM(head), []byte{'\n'}) {
		rec.reset()
		line = trimLine(line)
		if u, ok := unwrapDocker(line, &docker); ok {
			line = u
		}
		if p.Parse(line, &rec) == OK {
			return rec.Time, true
		}
	}
	return time.Time{}, false
}
