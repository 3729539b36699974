// Command gen writes synthetic Quable PIM API access logs (see package
// samples/synth): the bundled samples, and large logs for benchmarks.
//
//	go run ./samples/gen -lines 2000000 > /tmp/big.log
//	go run ./samples/gen -format json -lines 1000 -malformed 97
//
// The same flags always give the same bytes.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"analyze/samples/synth"
)

func main() {
	cfg := synth.Default()
	start := cfg.Start.Format(time.RFC3339)
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed")
	flag.IntVar(&cfg.Lines, "lines", cfg.Lines, "lines to write")
	flag.Float64Var(&cfg.Rate, "rate", cfg.Rate, "mean requests per second outside bursts")
	flag.StringVar(&cfg.Format, "format", cfg.Format, "output: "+strings.Join(synth.Formats, ", ")+" (nginx: the format of samples/conf/nginx.conf)")
	flag.IntVar(&cfg.Malformed, "malformed", 0, "write one malformed line every N lines (0: none)")
	flag.StringVar(&start, "start", start, "time of the first request (RFC 3339; its offset is the log's zone)")
	perMinute := flag.Int("per-minute", 0, "instead: steady traffic, this many requests every minute of -days days from -start's day (combined format; a 5-minute 503 outage at 12:00 each day)")
	days := flag.Int("days", 1, "with -per-minute: how many days")
	flag.Parse()
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: -start: %v\n", err)
		os.Exit(2)
	}
	cfg.Start = t
	if *perMinute > 0 {
		for d := range *days {
			day := t.UTC().Truncate(24*time.Hour).AddDate(0, 0, d)
			noon := day.Add(12 * time.Hour)
			err := synth.WriteDay(os.Stdout, synth.DayConfig{Day: day, PerMinute: *perMinute, AllDay: true, Seed: cfg.Seed,
				Outages: []synth.Outage{{Start: noon, Minutes: 5, Status: 503, Path: "/api/products/export", Agent: "erp-sync/4.2 QuableSDK-PHP/2.3.1"}}})
			if err != nil {
				fmt.Fprintf(os.Stderr, "gen: cannot write: %v\n", err)
				os.Exit(1)
			}
		}
		return
	}
	if !slices.Contains(synth.Formats, cfg.Format) {
		fmt.Fprintf(os.Stderr, "gen: unknown format %q (want %s)\n", cfg.Format, strings.Join(synth.Formats, ", "))
		os.Exit(2)
	}
	if err := synth.Write(os.Stdout, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "gen: cannot write: %v\n", err)
		os.Exit(1)
	}
}
