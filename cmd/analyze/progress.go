package main

import (
	"io"
	"os"
	"strconv"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"analyze/ingest"
)

// progressBar shows, on a terminal's stderr, the bytes read of the bytes
// known (the inputs' sizes on disk; stdin counts as unknown), the files
// done, the rate and the time left. It shows nothing when stderr is not a
// terminal (cron, pipes) or with --quiet: stop is then a no-op.
func progressBar(stderr io.Writer, quiet bool, files []*ingest.File, p *ingest.Progress) (stop func()) {
	f, ok := stderr.(*os.File)
	if quiet || !ok || !isTerminal(f) {
		return func() {}
	}
	var total int64
	for _, in := range files {
		if info, err := os.Stat(in.Path); err == nil && info.Mode().IsRegular() {
			total += info.Size()
		}
	}
	bars := mpb.New(mpb.WithOutput(stderr), mpb.WithWidth(40), mpb.WithRefreshRate(150*time.Millisecond))
	bar := bars.AddBar(total,
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
			return "files " + strconv.FormatInt(p.Files.Load(), 10) + "/" + strconv.Itoa(len(files)) + " "
		}), decor.CountersKibiByte("% .1f / % .1f")),
		mpb.AppendDecorators(decor.AverageSpeed(decor.SizeB1024(0), " % .1f"), decor.Name(" ETA "), decor.AverageETA(decor.ET_STYLE_GO)),
	)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(150 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				bar.SetCurrent(min(p.Bytes.Load(), total))
			}
		}
	}()
	return func() {
		close(done)
		bar.SetCurrent(min(p.Bytes.Load(), total))
		bar.SetTotal(-1, true)
		bars.Wait()
	}
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
