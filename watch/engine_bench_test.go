package watch

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/samples/synth"
)

// BenchmarkFrame is one refresh of a view that keeps 15 minutes or 2
// hours of steady traffic (6,000 requests a minute, combined format):
// the windows merged from the minutes kept, nothing new read.
//
//	go test -run '^$' -bench Frame -benchtime 20x ./watch
func BenchmarkFrame(b *testing.B) {
	var buf bytes.Buffer
	day := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := synth.WriteDay(&buf, synth.DayConfig{Day: day, PerMinute: 6000, AllDay: true, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	end := bytes.Index(data, []byte("[01/Jan/2030:02:10:")) // 2h10m of it, whole lines
	data = data[:bytes.LastIndexByte(data[:end], '\n')+1]
	for _, horizon := range []time.Duration{15 * time.Minute, 2 * time.Hour} {
		b.Run(fmt.Sprint(horizon), func(b *testing.B) {
			cfg := testConfig()
			cfg.Horizon = horizon
			e := NewEngine(cfg)
			f := &ingest.File{Path: "access.log", Format: ingest.Detect(data[:8192]).Format}
			now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
			for rest := data; len(rest) > 0; {
				n := min(len(rest), 1<<20)
				n = bytes.LastIndexByte(rest[:n], '\n') + 1
				e.Add(f, rest[:n], now)
				if err := e.Tick(context.Background(), now); err != nil {
					b.Fatal(err)
				}
				rest = rest[n:]
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := e.Frame(context.Background(), now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
