package watch

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"analyze/ingest"
)

// Follower is what Live reads: ingest.Follower.
type Follower interface {
	Read(ctx context.Context) ([]ingest.Chunk, error)
	Files() []ingest.FollowedFile
	// Behind reports whether the last Read left bytes of a file to read
	// at once (the files' backlog).
	Behind() bool
}

// Live runs an Engine over a Follower: it hands the engine every line as it
// is read and makes a Frame every refresh. It is the Source of the
// terminal view.
type Live struct {
	eng   *Engine
	fol   Follower
	every time.Duration
	now   func() time.Time

	mu     sync.Mutex // guards eng and paused
	paused bool
	// backlog: the last read left what the files held to read still;
	// no frame is made until it is read (the first frame would show a
	// part of the past as now).
	backlog atomic.Bool
	frames  chan Frame // the latest frame, for the terminal view
	subs    []func(Frame)
}

// NewLive returns a Live that refreshes every every.
func NewLive(eng *Engine, fol Follower, every time.Duration) *Live {
	return &Live{eng: eng, fol: fol, every: every, now: time.Now, frames: make(chan Frame, 1)}
}

// OnFrame adds a consumer of every frame (the JSON lines, the live page);
// call it before Run. It is called on Run's goroutine: it must not block.
func (l *Live) OnFrame(fn func(Frame)) { l.subs = append(l.subs, fn) }

// Frames delivers the latest frame (a slow reader skips frames). It is
// closed after the last frame once every input has ended (only standard
// input can): the terminal view then says so and stays until q.
func (l *Live) Frames() <-chan Frame { return l.frames }

// SetFilter sets the view's filter (ParseSelector); the next frame shows
// it.
func (l *Live) SetFilter(sel string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.eng.SetFilter(sel)
}

// SetPaused marks the frames paused: the view keeps showing the one it
// has; reading goes on.
func (l *Live) SetPaused(p bool) {
	l.mu.Lock()
	l.paused = p
	l.mu.Unlock()
}

// Run reads and refreshes until ctx is done (it returns nil then) or every
// input has ended (only standard input can): it then makes a last frame
// and returns nil. An error is one the view cannot go on after.
func (l *Live) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ended := make(chan error, 1)
	first := make(chan struct{}) // closed when the first lines are in
	go func() { ended <- l.read(ctx, first) }()
	// The first frame comes once the first lines are read, with what the
	// files held when followed (or after a refresh's wait when nothing
	// comes), not before: a frame of nothing would say all is quiet, a
	// frame of a part of the backlog would show its past as now.
	tick := time.NewTicker(l.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-first:
			first = nil
			if err := l.refresh(ctx); err != nil {
				return err
			}
		case err := <-ended:
			if err != nil {
				return err
			}
			if err := l.refresh(ctx); err != nil || ctx.Err() != nil {
				return err
			}
			close(l.frames) // every input ended
			return nil
		case <-tick.C:
			if first != nil && l.backlog.Load() {
				continue
			}
			if err := l.refresh(ctx); err != nil {
				return err
			}
		}
	}
}

// read hands the engine what the follower reads, until it ends (nil) or
// ctx is done (nil). It closes first once the first lines are in and the
// files' backlog is read.
func (l *Live) read(ctx context.Context, first chan<- struct{}) error {
	defer func() {
		if first != nil {
			close(first)
		}
	}()
	for {
		chunks, err := l.fol.Read(ctx)
		if len(chunks) > 0 {
			l.mu.Lock()
			now := l.now()
			for _, c := range chunks {
				l.eng.Add(c.File, c.Data, now)
			}
			terr := l.eng.Tick(ctx, now)
			l.mu.Unlock()
			if terr != nil && ctx.Err() == nil {
				return terr
			}
			behind := l.fol.Behind()
			l.backlog.Store(behind)
			if first != nil && !behind {
				close(first)
				first = nil
			}
		}
		switch {
		case errors.Is(err, io.EOF), ctx.Err() != nil:
			return nil
		case err != nil:
			return err
		}
	}
}

// refresh makes a frame and hands it on.
func (l *Live) refresh(ctx context.Context) error {
	l.mu.Lock()
	fr, err := l.eng.Frame(ctx, l.now())
	fr.Paused = l.paused
	l.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	for _, f := range l.fol.Files() {
		fr.Files = append(fr.Files, FileState{Path: f.Path, State: f.State, Lines: f.Lines, Bytes: f.Bytes,
			Rotations: f.Rotations, Truncations: f.Truncations})
	}
	select { // the latest frame only
	case <-l.frames:
	default:
	}
	l.frames <- fr
	for _, fn := range l.subs {
		fn(fr)
	}
	return nil
}
