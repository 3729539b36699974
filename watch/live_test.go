package watch

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"analyze/ingest"
)

// fakeFollower hands out reads one by one, the first at once (as the
// follower reads the files it opened), the others after a pause, then
// nothing until ctx is done.
type fakeFollower struct {
	mu     sync.Mutex
	reads  [][]ingest.Chunk
	behind []bool // by read: a file has more to read at once
	pause  time.Duration
	last   bool
	n      int  // reads made
	eof    bool // after the reads: io.EOF (standard input ended), not a wait
}

func (f *fakeFollower) Read(ctx context.Context) ([]ingest.Chunk, error) {
	if f.n++; f.n > 1 {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(f.pause):
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reads) == 0 {
		f.last = false
		if f.eof {
			return nil, io.EOF
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	chunks := f.reads[0]
	f.last = f.behind[0]
	f.reads, f.behind = f.reads[1:], f.behind[1:]
	return chunks, nil
}

func (f *fakeFollower) Files() []ingest.FollowedFile { return nil }

func (f *fakeFollower) Behind() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// TestLiveFirstFrameAfterBacklog: while the lines the files held are being
// read, no frame is made, however many refreshes pass: the first frame
// accounts for the whole backlog, not a part of its past shown as now.
func TestLiveFirstFrameAfterBacklog(t *testing.T) {
	data := genLog(t, 3000, 8)
	f := &ingest.File{Path: "access.log", Format: ingest.Detect(data).Format}
	fol := &fakeFollower{pause: 10 * time.Millisecond}
	for len(data) > 0 {
		end := bytes.LastIndexByte(data[:min(len(data), 16<<10)], '\n') + 1
		fol.reads = append(fol.reads, []ingest.Chunk{{File: f, Data: data[:end]}})
		fol.behind = append(fol.behind, end < len(data))
		data = data[end:]
	}
	if len(fol.reads) < 5 {
		t.Fatalf("%d reads: the test proves nothing", len(fol.reads))
	}
	want := int64(bytes.Count(genLog(t, 3000, 8), []byte{'\n'}))
	l := NewLive(NewEngine(testConfig()), fol, 3*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var frames []Frame
	l.OnFrame(func(fr Frame) {
		frames = append(frames, fr)
		cancel()
	})
	if err := l.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if len(frames) == 0 {
		t.Fatal("no frame")
	}
	if got := frames[0].Input.Lines; got != want {
		t.Errorf("the first frame accounts for %d lines, want the backlog's %d", got, want)
	}
}

// TestLiveInputEnded: when every input has ended, Run makes a last frame
// of every line and returns nil, and Frames is closed after that frame
// (the terminal view says the input ended and stays until q); when ctx
// ends Run, Frames stays open.
func TestLiveInputEnded(t *testing.T) {
	data := genLog(t, 500, 8)
	f := &ingest.File{Path: "-", Format: ingest.Detect(data).Format}
	for _, eof := range []bool{true, false} {
		fol := &fakeFollower{reads: [][]ingest.Chunk{{{File: f, Data: data}}}, behind: []bool{false}, eof: eof}
		l := NewLive(NewEngine(testConfig()), fol, time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		if !eof {
			l.OnFrame(func(Frame) { cancel() })
		}
		if err := l.Run(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		fr, ok := <-l.Frames()
		if want := int64(bytes.Count(data, []byte{'\n'})); !ok || fr.Input.Lines != want {
			t.Errorf("eof %v: the last frame: ok %v, %d lines, want %d", eof, ok, fr.Input.Lines, want)
		}
		select {
		case _, ok := <-l.Frames():
			if ok || !eof {
				t.Errorf("eof %v: Frames after the last frame: ok %v, want closed only at the end of input", eof, ok)
			}
		default:
			if eof {
				t.Errorf("eof %v: Frames not closed after the last frame", eof)
			}
		}
	}
}
