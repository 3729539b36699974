package ingest

import (
	"bytes"
	"context"
	"io"
	"os"
)

// Block is a run of whole lines from one input, the unit of parallel work.
type Block struct {
	File *File
	Seq  int // 0-based position of the block in its file: 0, 1, 2... with no gaps
	// Last marks the end of a file: an empty block after its last one, sent
	// for every file, even one that could not be opened. A stage that needs
	// input order learns from it that a file has no more blocks.
	Last  bool
	Line  int64 // number of the block's first line
	Lines int   // lines in Data; a last line without newline counts
	Data  []byte
	// TooLong marks a block standing for one line longer than the line
	// limit: Data holds the line's first SnippetBytes bytes only.
	TooLong bool
	// Partial marks the unterminated tail of an input that failed
	// mid-stream (a truncated gzip file): one line that cannot be trusted.
	Partial bool
	// Format is the file's format as the reader knew it when it cut the
	// block (nil before detection, for an over-long first line); read this,
	// not File.Format, which the reader sets while workers run.
	Format *Format
	// Directives are the directive lines in effect at the block's start,
	// for formats that have them (W3C #Fields); nil otherwise.
	Directives []byte

	buf *[]byte // the pooled buffer behind Data, if any
}

// blockReader cuts inputs into blocks. Buffers come from a fixed pool, so
// memory is bounded by the pool and a slow consumer slows the reader.
type blockReader struct {
	pool     chan *[]byte // free buffers; an empty one is made at size when taken
	size     int
	out      chan<- *Block
	stdin    io.Reader
	force    *Format // nil: detect per file
	progress *Progress
}

func (br *blockReader) getBuf(ctx context.Context) (*[]byte, error) {
	select {
	case b := <-br.pool:
		if len(*b) == 0 {
			*b = make([]byte, br.size)
		}
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (br *blockReader) send(ctx context.Context, b *Block) error {
	select {
	case br.out <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readFile reads one input to its end (or its first error) and sends its
// blocks, then the Last marker. Errors of the input itself go to f.Err;
// only cancellation is returned.
func (br *blockReader) readFile(ctx context.Context, f *File) error {
	seq, err := br.readBlocks(ctx, f)
	if err != nil {
		return err
	}
	if br.progress != nil {
		br.progress.Files.Add(1)
	}
	return br.send(ctx, &Block{File: f, Seq: seq, Line: f.SkipLines + f.Lines + 1, Last: true})
}

// readBlocks sends the blocks of one input and returns how many it sent.
func (br *blockReader) readBlocks(ctx context.Context, f *File) (int, error) {
	f.Lines, f.Err, f.Offset, f.Held = 0, nil, 0, 0 // a file may be read twice (see SpoolStdin)
	var src io.Reader
	seeked := false // at Skip already: the bytes before it are not read
	// The size of a regular file when opened: a file that ends up shorter
	// was cut while being read (copytruncate), and is not complete.
	sizeAtOpen := int64(-1)
	var fh *os.File
	switch {
	case f.Data != nil:
		pieces := make([]io.Reader, len(f.Data))
		for i, d := range f.Data {
			pieces[i] = bytes.NewReader(d)
		}
		src = io.MultiReader(pieces...)
	case f.Path == "-" && f.spool == "":
		src = br.stdin
	default:
		name := f.Path
		if f.spool != "" {
			name = f.spool
		}
		var err error
		if fh, err = os.Open(name); err != nil {
			f.Err = &InputError{Op: "open", Path: f.Path, Err: openError(name, err)}
			return 0, nil
		}
		defer fh.Close()
		if info, err := fh.Stat(); err == nil && info.Mode().IsRegular() && f.spool == "" {
			sizeAtOpen = info.Size()
		}
		src = fh
		seeked = br.seekPast(fh, f)
	}
	if br.progress != nil {
		src = countingReader{src, br.progress}
		if seeked {
			br.progress.Bytes.Add(f.Skip)
		}
	}
	var (
		r       io.Reader
		comp    = "none"
		closeFn func()
		err     error
	)
	if seeked || f.Data != nil { // Data is content already: no magic bytes
		r, closeFn = plain(src)
		f.Offset = f.Skip
	} else if r, comp, closeFn, err = decompress(src); err != nil {
		f.Compression = comp
		f.Err = &InputError{Op: "read", Path: f.Path, Compression: comp, Err: err}
		return 0, nil
	}
	f.Compression = comp
	defer closeFn()
	r = &offsetReader{r: r, n: &f.Offset}

	buf, err := br.getBuf(ctx)
	if err != nil {
		return 0, err
	}
	n, seq, first := 0, 0, true
	dirs := f.Directives // directives in effect, for formats that have them
	var head []byte      // with Skip, the input's first bytes: detection reads them
	if f.Skip > 0 && !seeked {
		head, dirs, err = skipBytes(r, f.Skip, *buf)
		if err != nil {
			br.pool <- buf
			f.Err = &InputError{Op: "read", Path: f.Path, Compression: comp, Err: err}
			return 0, nil
		}
		if f.Offset < f.Skip {
			br.pool <- buf
			if f.spool != "" || f.Path == "-" {
				return 0, nil
			}
			// Fewer bytes than an earlier run read under the same first
			// bytes: the file was cut and written again. Read it whole.
			f.Skip, f.SkipLines, f.Shrunk = 0, 0, true
			return br.readBlocks(ctx, f)
		}
	}
	// atEnd marks the input incomplete when it shrank while being read.
	atEnd := func() {
		if err := shrank(fh, sizeAtOpen); err != nil {
			f.Err = &InputError{Op: "read", Path: f.Path, Compression: comp, Lines: f.Lines, Err: err}
		}
	}
	emit := func(data []byte, bufp *[]byte, tooLong, partial bool) error {
		lines := bytes.Count(data, []byte{'\n'})
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		if tooLong || partial {
			lines = 1
		}
		b := &Block{File: f, Seq: seq, Line: f.SkipLines + f.Lines + 1, Lines: lines, Data: data, TooLong: tooLong, Partial: partial, Format: f.Format, buf: bufp}
		if f.Format != nil && f.Format.directives && !tooLong && !partial {
			b.Directives = dirs
			dirs = nextDirectives(dirs, data)
		}
		seq++
		f.Lines += int64(lines)
		return br.send(ctx, b)
	}
	atStart := f.Skip == 0 // the input's first bytes are read
	var bom int64          // the byte order mark's bytes, read but no line's
	for {
		m, rerr := readFull(r, (*buf)[n:])
		n += m
		if atStart {
			// A UTF-8 byte order mark (IIS, Windows tools) is no part of
			// the first line; Offset still counts its bytes.
			atStart = false
			trimmed := copy(*buf, trimBOM((*buf)[:n]))
			bom, n = int64(n-trimmed), trimmed
		}
		data := (*buf)[:n]
		// Detect the format on the first buffer that holds a whole line
		// (an over-long first line is skipped, not sampled) or the input's end.
		if first && (rerr != nil || bytes.IndexByte(data, '\n') >= 0) {
			first = false
			if br.force != nil {
				f.Format = br.force
			} else if f.detected || f.Data != nil && f.Format != nil {
				// Detected already, from the same first bytes (SortByTime).
			} else if head != nil {
				f.Detection = Detect(head) // its start, with its directives
				f.Format = f.Detection.Format
			} else {
				f.Detection = Detect(data)
				f.Format = f.Detection.Format
			}
		}
		if rerr != nil && rerr != io.EOF {
			// The input failed mid-stream: keep its whole lines, and
			// reject the unterminated tail as one unreadable line.
			last := bytes.LastIndexByte(data, '\n') + 1
			var tail []byte
			if last < n {
				tail = bytes.Clone(data[last:min(n, last+SnippetBytes)])
			}
			if last > 0 {
				if err := emit(data[:last], buf, false, false); err != nil {
					return seq, err
				}
			} else {
				br.pool <- buf
			}
			if tail != nil {
				if err := emit(tail, nil, false, true); err != nil {
					return seq, err
				}
			}
			f.Err = &InputError{Op: "read", Path: f.Path, Compression: comp, Lines: f.Lines, Err: rerr}
			return seq, nil
		}
		if rerr == io.EOF {
			if f.HoldTail && comp == "none" && n > 0 && data[n-1] != '\n' {
				// An unterminated last line, perhaps still being written:
				// left for the next run, when a whole line comes before it.
				if last := bytes.LastIndexByte(data, '\n') + 1; f.Offset-int64(n-last) > bom {
					f.Held = int64(n - last)
					f.Offset -= f.Held
					data, n = data[:last], last
				}
			}
			if n > 0 {
				err := emit(data, buf, false, false) // counts the block in seq
				atEnd()
				return seq, err
			}
			br.pool <- buf
			atEnd()
			return seq, nil
		}
		// The buffer is full.
		last := bytes.LastIndexByte(data, '\n')
		if last < 0 {
			// One line fills the whole buffer: reject it as too long and
			// skip to its end.
			if err := emit(bytes.Clone(data[:SnippetBytes]), nil, true, false); err != nil {
				return seq, err
			}
			rest, serr := discardLine(r, *buf)
			if serr != nil && serr != io.EOF {
				f.Err = &InputError{Op: "read", Path: f.Path, Compression: comp, Lines: f.Lines, Err: serr}
				br.pool <- buf
				return seq, nil
			}
			n = copy(*buf, rest)
			if serr == io.EOF && n == 0 {
				br.pool <- buf
				atEnd()
				return seq, nil
			}
			continue
		}
		next, err := br.getBuf(ctx)
		if err != nil {
			return seq, err
		}
		n = copy(*next, data[last+1:])
		if err := emit(data[:last+1], buf, false, false); err != nil {
			return seq, err
		}
		buf = next
	}
}

// NextDirectives returns, for a format with directive lines (W3C's
// "#Fields:"; Format.Directives), the directives in effect after data
// when dirs were in effect before it.
func NextDirectives(dirs, data []byte) []byte { return nextDirectives(dirs, data) }

// nextDirectives returns the directives in effect after data: the last line
// of each kind ("#Fields:", "#Date:"...) seen so far. The result is a new
// slice when anything changed, so blocks already handed out keep theirs.
func nextDirectives(dirs, data []byte) []byte {
	changed := false
	kinds := map[string][]byte{}
	var order []string
	keep := func(line []byte) {
		name, _, _ := bytes.Cut(line, []byte{':'})
		k := string(name)
		if _, seen := kinds[k]; !seen {
			order = append(order, k)
		}
		kinds[k] = line
	}
	for line := range bytes.SplitSeq(dirs, []byte{'\n'}) {
		if len(line) > 0 {
			keep(line)
		}
	}
	for i := 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		if end < 0 {
			end = len(data) - i
		}
		if line := trimCR(data[i : i+end]); len(line) > 0 && line[0] == '#' {
			keep(line)
			changed = true
		}
		next := bytes.Index(data[i+end:], []byte("\n#"))
		if next < 0 {
			break
		}
		i += end + next + 1
	}
	if !changed {
		return dirs
	}
	var out []byte
	for _, k := range order {
		out = append(out, kinds[k]...)
		out = append(out, '\n')
	}
	return out
}

// readFull reads until p is full or the reader ends. It returns io.EOF when
// the reader ended (p may then be partly filled) and nil when p is full.
func readFull(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			if err == io.EOF {
				return n, io.EOF
			}
			return n, err
		}
		if m == 0 {
			// A reader that returns 0, nil repeatedly would spin; io's
			// contract lets us try again.
			continue
		}
	}
	return n, nil
}

// discardLine reads and discards up to and including the next newline, using
// buf as scratch, and returns the bytes read after that newline.
func discardLine(r io.Reader, buf []byte) ([]byte, error) {
	for {
		m, err := r.Read(buf)
		if i := bytes.IndexByte(buf[:m], '\n'); i >= 0 {
			return buf[i+1 : m], nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// seekPast moves a plain regular file's read position to where an earlier
// run stopped (File.Skip) instead of reading up to it, when nothing before
// it is needed: the format is settled (given, or detected by SortByTime
// from the file's start) and has no directives, whose values above the
// offset would apply below it. An hourly run over a log that grows all day
// then reads what is new, not the whole file again. A file shorter than
// the offset was rewritten: it is read through, and read whole again.
func (br *blockReader) seekPast(fh *os.File, f *File) bool {
	if f.Skip <= 0 || f.spool != "" {
		return false
	}
	format := br.force
	if format == nil && f.detected {
		format = f.Format
	}
	if format == nil || format.directives {
		return false
	}
	info, err := fh.Stat()
	if err != nil || !info.Mode().IsRegular() || info.Size() < f.Skip {
		return false
	}
	var magic [6]byte
	n, _ := fh.ReadAt(magic[:], 0)
	if compressionOf(magic[:n]) != "none" {
		return false
	}
	_, err = fh.Seek(f.Skip, io.SeekStart)
	return err == nil
}

// skipBytes reads past the first n bytes of r, where an earlier run
// stopped, using buf. It returns what reading the rest needs from them:
// the first bytes, for detection, and the directives in effect at n (a
// W3C log's #Fields line is at its top). A line longer than buf is passed
// over whole, directive or not.
func skipBytes(r io.Reader, n int64, buf []byte) (head, dirs []byte, err error) {
	lr := io.LimitReader(r, n)
	carry := 0
	for {
		m, rerr := readFull(lr, buf[carry:])
		data := buf[:carry+m]
		if head == nil {
			head = bytes.Clone(data[:min(len(data), 64<<10)])
		}
		if last := bytes.LastIndexByte(data, '\n'); last >= 0 {
			dirs = nextDirectives(dirs, data[:last+1])
			carry = copy(buf, data[last+1:])
		} else {
			carry = 0
		}
		if rerr == io.EOF {
			return head, dirs, nil
		}
		if rerr != nil {
			return head, dirs, rerr
		}
	}
}

// offsetReader counts the bytes read through it into n.
type offsetReader struct {
	r io.Reader
	n *int64
}

func (o *offsetReader) Read(p []byte) (int, error) {
	m, err := o.r.Read(p)
	*o.n += int64(m)
	return m, err
}
