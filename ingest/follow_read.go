package ingest

import (
	"bytes"
	"io"
	"os"
)

// Reading one followed input: what is new since the last poll, a cut in
// place, the end of a file renamed away, the lines cut out of the bytes.

// follow is one followed input, or the "waiting" entry of a path that
// names nothing yet (no descriptor, not done).
type follow struct {
	file  File
	state FollowedFile // Lines is file.Lines, copied by Files
	key   fileKey
	path  string // the name it is listed under now
	stdin bool
	fresh bool // opened by this poll's scan: read it in this Read

	fh     *os.File
	zr     io.Reader // a compressed input's decompressed stream; nil: plain, read at off
	zclose func()
	off    int64 // plain: the bytes of fh read
	// reached: the file held off bytes once (a copy of a cut file is read
	// from the offset reached in its original, which it may not hold yet).
	reached bool
	head    []byte // the first bytes at offset 0, up to headBytes
	cuts    []cut

	buf  []byte
	tail []byte // an unterminated last line, in buf, held for its end
	skip bool   // in the rest of a line cut at MaxLine: dropped up to its newline
	// draining: renamed away or deleted; read until it has not grown for
	// settlePolls polls.
	draining bool
	idle     int // polls without a byte read
	done     bool
	detected bool // the format is settled: found, or a full sample fitted none
}

// cut is a cut in place of a followed file (copytruncate), kept to know
// the copy by its first bytes and read it from where the original's
// reading stopped.
type cut struct {
	head    []byte
	off     int64
	partial []byte // the unterminated line held at the cut
	skip    bool   // the cut was in an over-long line's dropped rest
	flushed bool   // partial went as a line: no copy came within settlePolls
	polls   int
	used    bool // its copy was found
}

// stepAll reads every input once; polled: this is a poll, the one that
// counts the polls a file has not grown for.
func (f *Follower) stepAll(polled bool) {
	for _, fl := range f.files {
		f.step(fl, polled)
	}
}

// stepFresh reads the inputs this poll's scan opened.
func (f *Follower) stepFresh() {
	for _, fl := range f.files {
		if fl.fresh {
			f.step(fl, false)
		}
	}
}

func (f *Follower) step(fl *follow, polled bool) {
	fl.fresh = false
	switch {
	case fl.done:
	case fl.stdin:
		f.stepStdin(fl)
	case fl.zr != nil:
		f.stepCompressed(fl)
	case fl.fh != nil:
		f.stepPlain(fl, polled)
	}
}

// prepare moves the held line to the front of the buffer, makes room for
// n more bytes after it, and returns the held line's length.
func (fl *follow) prepare(n int) int {
	held := len(fl.tail)
	if need := held + n + 1; len(fl.buf) < need { // +1: room for a last line's '\n'
		nb := make([]byte, max(need, followReadBytes+1))
		copy(nb, fl.tail)
		fl.buf = nb
	} else {
		copy(fl.buf, fl.tail)
	}
	fl.tail = nil
	return held
}

func (f *Follower) stepPlain(fl *follow, polled bool) {
	info, err := fl.fh.Stat()
	if err != nil {
		f.fail(fl, &InputError{Op: "read", Path: fl.file.Path, Lines: fl.file.Lines, Err: unwrapPathError(err)})
		return
	}
	size := info.Size()
	if fl.wasCut(size) {
		fl.cutAt()
	}
	if size >= fl.off {
		fl.reached = true
	}
	read := 0
	held := fl.prepare(followReadBytes)
	if size > fl.off {
		want := int(min(size-fl.off, followReadBytes))
		p := fl.buf[held : held+want]
		n, err := fl.fh.ReadAt(p, fl.off)
		if err != nil && err != io.EOF {
			fl.tail = fl.buf[:held]
			f.fail(fl, &InputError{Op: "read", Path: fl.file.Path, Lines: fl.file.Lines, Err: unwrapPathError(err)})
			return
		}
		start := fl.off
		fl.off += int64(n)
		fl.state.Bytes += int64(n)
		if int64(len(fl.head)) == start && start < headBytes {
			fl.head = append(fl.head, p[:min(n, headBytes-int(start))]...)
		}
		if start == 0 {
			n = copy(p, trimBOM(p[:n]))
		}
		read = n
		if n == want && fl.off < size {
			f.more, f.behind = true, true
		}
	}
	final := false
	if polled {
		fl.expireCuts(f)
		if read > 0 {
			fl.idle = 0
		} else {
			fl.idle++
		}
		final = fl.draining && fl.idle >= settlePolls
	}
	f.deliver(fl, fl.buf[:held+read], final)
	switch {
	case final:
		fl.close()
		fl.done = true
	case read == 0 && len(fl.tail) == 0 && fl.idle >= settlePolls:
		fl.buf = nil // quiet: its buffer goes until it grows again
	}
}

// wasCut reports whether the file was cut in place since the last read:
// it holds fewer bytes than were read, or its first bytes changed (cut and
// written past the old offset before this poll). The first bytes are read
// again at every poll: a file cut and written back to its old size within
// the modification time's granularity shows the same size and time.
func (fl *follow) wasCut(size int64) bool {
	if fl.reached && size < fl.off {
		return true
	}
	if len(fl.head) == 0 {
		return false
	}
	var buf [headBytes]byte
	n, _ := fl.fh.ReadAt(buf[:len(fl.head)], 0)
	return !bytes.Equal(buf[:n], fl.head)
}

// cutAt records a cut and reads the file again from its start.
func (fl *follow) cutAt() {
	fl.state.Truncations++
	ct := cut{head: fl.head, off: fl.off, partial: bytes.Clone(fl.tail), skip: fl.skip}
	if len(fl.cuts) == maxCuts {
		fl.cuts = append(fl.cuts[:0], fl.cuts[1:]...)
	}
	fl.cuts = append(fl.cuts, ct)
	fl.off, fl.head, fl.tail, fl.skip = 0, nil, nil, false
	fl.reached = true
}

// expireCuts gives the line a cut left unterminated as a line once no copy
// came for settlePolls polls: its end is lost (: > file, or a copy that
// was compressed before it was seen).
func (fl *follow) expireCuts(f *Follower) {
	for i := range fl.cuts {
		ct := &fl.cuts[i]
		if ct.used || ct.flushed {
			continue
		}
		if ct.polls++; ct.polls >= settlePolls {
			ct.flushed = true
			if len(ct.partial) > 0 {
				line := append(bytes.Clone(ct.partial), '\n')
				f.emit(fl, line)
			}
		}
	}
}

func (f *Follower) stepCompressed(fl *follow) {
	held := fl.prepare(followReadBytes)
	p := fl.buf[held : held+followReadBytes]
	n, err := readFull(fl.zr, p)
	if fl.state.Bytes == 0 {
		fl.state.Bytes = int64(n)
		n = copy(p, trimBOM(p[:n]))
	} else {
		fl.state.Bytes += int64(n)
	}
	switch err {
	case nil:
		f.more, f.behind = true, true
		f.deliver(fl, fl.buf[:held+n], false)
	case io.EOF:
		f.deliver(fl, fl.buf[:held+n], true)
		fl.close()
		fl.done = true
		fl.state.State = "ended"
	default:
		fl.tail = fl.buf[:held+n]
		f.fail(fl, &InputError{Op: "read", Path: fl.file.Path, Compression: fl.file.Compression, Lines: fl.file.Lines, Err: err})
	}
}

// fail ends an input on err: its held line goes as a line.
func (f *Follower) fail(fl *follow, err error) {
	if len(fl.tail) > 0 {
		held := fl.prepare(0)
		f.deliver(fl, fl.buf[:held], true)
	}
	fl.close()
	fl.done = true
	fl.state.State = "error: " + err.Error()
}

func (fl *follow) close() {
	if fl.zclose != nil {
		fl.zclose()
		fl.zclose, fl.zr = nil, nil
	}
	if fl.fh != nil {
		fl.fh.Close()
		fl.fh = nil
	}
}

// deliver cuts b (the held line, then bytes just read) into lines, holds
// its unterminated end, and adds the whole lines to the Read's chunks;
// final: b ends the input, its unterminated end is a line too.
func (f *Follower) deliver(fl *follow, b []byte, final bool) {
	data, tail := fl.lines(b, f.opts.MaxLine, final)
	fl.tail = tail
	f.emit(fl, data)
}

// emit adds whole lines to the Read's chunks.
func (f *Follower) emit(fl *follow, data []byte) {
	if len(data) == 0 {
		return
	}
	if !fl.detected {
		d := Detect(data)
		fl.file.Detection, fl.file.Format = d, d.Format
		fl.detected = d.Format != nil || d.full
	}
	fl.file.Lines += int64(bytes.Count(data, []byte{'\n'}))
	f.chunks = append(f.chunks, Chunk{File: &fl.file, Data: data})
}

// lines returns the whole lines of b, each cut to max bytes (in place),
// and its unterminated end, held unless final or longer than max (then cut
// to max and given as a line, its rest dropped up to its newline). b must
// have a byte of room past its end.
func (fl *follow) lines(b []byte, max int, final bool) (data, tail []byte) {
	if fl.skip {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			fl.skip = !final
			return nil, nil
		}
		b, fl.skip = b[i+1:], false
	}
	end := bytes.LastIndexByte(b, '\n') + 1
	rest := b[end:]
	w := end
	if end > max { // a line may be over max: cut them, moving the rest down
		w = 0
		for line := b[:end]; len(line) > 0; {
			i := bytes.IndexByte(line, '\n')
			n := copy(b[w:], line[:min(i, max)])
			b[w+n] = '\n'
			w += n + 1
			line = line[i+1:]
		}
	}
	if len(rest) > max || final && len(rest) > 0 {
		n := copy(b[w:], rest[:min(len(rest), max)])
		b = b[:len(b)+1] // the room past b's end
		b[w+n] = '\n'
		w += n + 1
		fl.skip = len(rest) > max && !final
		rest = nil
	}
	return b[:w], rest
}
