package ingest

import (
	"io"
)

// Standard input, followed: a goroutine reads it into two buffers in turn
// (a Read may not block on it), and Read takes what came.

// stdinFeed hands the reads of standard input to the follower.
type stdinFeed struct {
	data chan []byte // closed at the end of input, after err is set
	free chan []byte
	err  error // why the input ended: io.EOF, or a read error

	next   []byte // a read taken off data by a waiting Read
	taken  bool   // next holds one
	closed bool   // data was closed
}

func newStdinFeed(r io.Reader) *stdinFeed {
	s := &stdinFeed{data: make(chan []byte, 1), free: make(chan []byte, 2)}
	for range 2 {
		s.free <- make([]byte, followReadBytes)
	}
	if r == nil {
		s.err = io.EOF
		close(s.data)
		return s
	}
	go func() {
		for b := range s.free {
			n, err := r.Read(b[:cap(b)])
			if n > 0 {
				s.data <- b[:n]
			} else {
				s.free <- b
			}
			if err != nil {
				s.err = err
				close(s.data)
				return
			}
		}
	}()
	return s
}

// ready reports whether a read or the end was taken off data already.
func (s *stdinFeed) ready() bool { return s.taken || s.closed }

// stash keeps what a waiting Read took off data.
func (s *stdinFeed) stash(b []byte, ok bool) {
	if !ok {
		s.closed = true
		return
	}
	s.next, s.taken = b, true
}

// take returns the next read, if one came, and whether the input ended.
func (s *stdinFeed) take() (b []byte, ended bool) {
	if s.taken {
		s.taken = false
		return s.next, false
	}
	if s.closed {
		return nil, true
	}
	select {
	case b, ok := <-s.data:
		if !ok {
			s.closed = true
			return nil, true
		}
		return b, false
	default:
		return nil, false
	}
}

func (f *Follower) stepStdin(fl *follow) {
	b, ended := f.stdin.take()
	if ended {
		held := fl.prepare(0)
		f.deliver(fl, fl.buf[:held], true)
		fl.done = true
		fl.state.State = "ended"
		if err := f.stdin.err; err != io.EOF {
			fl.state.State = "error: " + (&InputError{Op: "read", Path: "-", Lines: fl.file.Lines, Err: err}).Error()
		}
		return
	}
	if b == nil {
		return
	}
	held := fl.prepare(len(b))
	n := copy(fl.buf[held:], b)
	if fl.state.Bytes == 0 {
		n = copy(fl.buf[held:], trimBOM(fl.buf[held:held+n]))
	}
	fl.state.Bytes += int64(len(b))
	f.stdin.free <- b
	f.more = true // another read may have come
	f.deliver(fl, fl.buf[:held+n], false)
}
