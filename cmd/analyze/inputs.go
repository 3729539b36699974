package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"analyze/ingest"
	"analyze/report"
	"analyze/report/write"
)

// inputFlags are the flags every command that reads logs takes: which
// inputs, which format, how to parse.
type inputFlags struct {
	formatName, formatFile, tz string
	fields                     listFlag
	recursive, quiet           bool
	workers, maxLine           int
	logLevel                   string
	anonymize, keepSecrets     bool
	anonymizeKey               string
	exclude                    listFlag
}

func (f *inputFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.formatName, "format", "auto", "log format: auto, a preset (analyze formats lists them), 'nginx:<log_format string>', 'apache:<LogFormat string>', or nginx:NAME with --format-file")
	fs.StringVar(&f.formatFile, "format-file", "", "nginx configuration file whose log_format definitions --format nginx:NAME can name")
	fs.Var(&f.fields, "field", "map a JSON path to a record field, `NAME=PATH` (repeatable): --field status=response.code --field time=ts")
	fs.StringVar(&f.tz, "tz", "UTC", "zone of timestamps logged without one (an IANA name such as Europe/Paris)")
	fs.BoolVarP(&f.recursive, "recursive", "r", false, "read folders recursively")
	fs.StringVar(&f.logLevel, "log-level", "error", "diagnostics on stderr: error (problems only), info (+ each input's format, compression and counts), debug (+ stage timings)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress bar (it only ever shows when stderr is a terminal)")
	fs.IntVar(&f.workers, "workers", 0, "parsing goroutines (0: one per core)")
	fs.IntVar(&f.maxLine, "max-line", ingest.DefaultMaxLine, "longest line accepted, in bytes; longer lines are rejected as too_long")
	fs.BoolVar(&f.anonymize, "anonymize", false, "replace client addresses, users and API keys by keyed pseudonyms (anon-…), in every output; a new key each run")
	fs.StringVar(&f.anonymizeKey, "anonymize-key", "", "with this key (or @FILE holding it), pseudonyms stay the same across runs; implies --anonymize")
	fs.Var(&f.exclude, "exclude", "leave out files found in folders or by glob patterns that match this `GLOB` (repeatable): *.go and README* match base names, a pattern with / the path under the folder given (archive/*); a file named as an argument is always read")
	fs.BoolVar(&f.keepSecrets, "keep-secrets", false, "leave credential-like query parameters (token=, key=, password=...) as logged; by default their values are masked")
}

// options resolves the flags into ingest options; errors read as usage
// errors ("--format: ...").
func (f *inputFlags) options(stdin io.Reader) (ingest.Options, *time.Location, error) {
	opts := ingest.Options{Workers: f.workers, MaxLine: f.maxLine, Stdin: stdin}
	if err := checkInputBounds(f.workers, f.maxLine); err != nil {
		return opts, nil, err
	}
	if err := ingest.Exclude(f.exclude).Check(); err != nil {
		return opts, nil, err
	}
	if f.logLevel != "error" && f.logLevel != "info" && f.logLevel != "debug" {
		return opts, nil, fmt.Errorf("--log-level %q: want error, info or debug", f.logLevel)
	}
	var defs map[string]string
	var err error
	if f.formatFile != "" {
		if defs, err = ingest.NginxLogFormats(f.formatFile); err != nil {
			return opts, nil, fmt.Errorf("--format-file: %w", err)
		}
	}
	if opts.Format, err = ingest.ResolveFormat(f.formatName, defs); err != nil {
		return opts, nil, fmt.Errorf("--format: %w", err)
	}
	if len(f.fields) > 0 {
		if f.formatName != "auto" && f.formatName != "json" && f.formatName != "caddy" {
			return opts, nil, fmt.Errorf("--field maps JSON paths; it does not go with --format %s", f.formatName)
		}
		if opts.Format, err = ingest.JSONFields(f.fields); err != nil {
			return opts, nil, err
		}
	}
	opts.Parse.KeepSecrets = f.keepSecrets
	switch {
	case f.anonymizeKey != "":
		key := []byte(f.anonymizeKey)
		if name, ok := strings.CutPrefix(f.anonymizeKey, "@"); ok {
			b, err := os.ReadFile(name)
			if err != nil {
				return opts, nil, fmt.Errorf("--anonymize-key: %w", err)
			}
			key = bytes.TrimSpace(b)
		}
		if len(key) < 16 {
			return opts, nil, fmt.Errorf("--anonymize-key: want a key of at least 16 bytes (openssl rand -hex 32 makes one)")
		}
		opts.Parse.AnonymizeKey = key
	case f.anonymize:
		opts.Parse.AnonymizeKey = ingest.NewAnonymizeKey()
	}
	loc, err := time.LoadLocation(f.tz)
	if err != nil {
		return opts, nil, fmt.Errorf("--tz: unknown zone %q", f.tz)
	}
	opts.Parse.TZ = loc
	return opts, loc, nil
}

// inputs turns paths into inputs as expand does, and refuses none given or
// none readable, unless noneOK (a report from --state alone).
func (f *inputFlags) inputs(paths []string, stderr io.Writer, noneOK bool) ([]*ingest.File, bool, error) {
	if len(paths) == 0 && !noneOK {
		return nil, false, fmt.Errorf("no input: give log files, folders, glob patterns, or - for stdin")
	}
	files, failed := f.expand(paths, stderr)
	if len(files) == 0 && !noneOK {
		return nil, failed, fmt.Errorf("no readable input")
	}
	return files, failed, nil
}

// expand turns paths into inputs, telling stderr what it could not open;
// it reports whether some path failed.
func (f *inputFlags) expand(paths []string, stderr io.Writer) ([]*ingest.File, bool) {
	files, excluded, errs := ingest.ExpandExclude(paths, f.recursive, ingest.Exclude(f.exclude))
	for _, e := range errs {
		fmt.Fprintf(stderr, "analyze: %s\n", safe(e))
	}
	for _, p := range excluded {
		f.logf(stderr, "info", "%s: left out by --exclude", safe(p))
	}
	files, omitted := ingest.OmitReports(files, ingest.Own{Exts: write.Exts(), Is: write.IsOutput})
	for _, p := range omitted {
		f.logf(stderr, "info", "%s is a report analyze wrote, not a log: left out (name it to read it)", safe(p))
	}
	return files, len(errs) > 0
}

// logf writes a diagnostic line to stderr when the log level shows it.
func (f *inputFlags) logf(stderr io.Writer, level, format string, a ...any) {
	if level == "info" && f.logLevel == "error" || level == "debug" && f.logLevel != "debug" {
		return
	}
	fmt.Fprintf(stderr, "analyze: "+level+": "+format+"\n", a...)
}

// logInputs tells, at level info, how each input was read.
func (f *inputFlags) logInputs(stderr io.Writer, files []*ingest.File) {
	for _, in := range files {
		d := "forced"
		if in.Format == nil && in.Detection.Sampled == 0 {
			d = "no line to detect it on"
		} else if in.Detection.Sampled > 0 {
			d = fmt.Sprintf("detected on %d of %d sampled lines", in.Detection.Matched, in.Detection.Sampled)
		}
		f.logf(stderr, "info", "%s: format %s (%s), compression %s, %d lines", in.Path, in.FormatName(), d, in.Compression, in.Lines)
		if in.Skip > 0 {
			f.logf(stderr, "info", "%s: resumed after line %d (byte %d), as --state remembered it", in.Path, in.SkipLines, in.Skip)
		}
		if in.Shrunk {
			fmt.Fprintf(stderr, "analyze: %s: holds fewer bytes than --state remembered under the same first bytes: read again from its start\n", safe(in.Path))
		}
	}
}

// safe shows a message that holds names from the outside world (paths,
// log-derived text) on stderr: control characters and escape sequences, a
// newline in a file name included, come out escaped.
func safe(v any) string { return report.Term(fmt.Sprint(v)) }

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
func (l *listFlag) Type() string       { return "stringArray" } // repeatable, for cobra's completion

// explainInputs says on stderr why an input could not be read to its end,
// and, for one no known format fits, how close the formats came and what
// its lines look like. It returns how many inputs were readable.
func explainInputs(stderr io.Writer, files []*ingest.File) (readable int) {
	for _, f := range files {
		if f.Err != nil {
			fmt.Fprintf(stderr, "analyze: %s\n", safe(f.Err))
		}
		if f.Err == nil || f.Lines > 0 {
			readable++
		}
		if f.Format == nil && f.Detection.Sampled > 0 && f.Lines > 0 { // a resumed input with no new line has nothing rejected to explain
			fmt.Fprintf(stderr, "analyze: %s: no known format fits its first lines; its %d lines are counted as unrecognized, not rejected (try --format, analyze formats lists them; or --exclude the file)\n", safe(f.Path), f.Lines)
			if f.Detection.Encoding != "" {
				fmt.Fprintf(stderr, "  it is %s text: convert it to UTF-8 first (iconv -f %s -t UTF-8)\n", f.Detection.Encoding, f.Detection.Encoding)
			}
			for _, c := range f.Detection.Candidates {
				fmt.Fprintf(stderr, "  closest: %s parsed %d of %d sampled lines\n", c.Format, c.Matched, c.Sampled)
			}
			for _, ex := range f.Detection.Examples {
				fmt.Fprintf(stderr, "  line: %s\n", report.Snippet(ex))
			}
		}
	}
	return readable
}

// readErrors prints, for each input that could not be read to its end, why;
// it reports whether there was any.
func readErrors(stderr io.Writer, files []*ingest.File) bool {
	failed := false
	for _, f := range files {
		if f.Err != nil {
			fmt.Fprintf(stderr, "analyze: %s\n", safe(f.Err))
			failed = true
		}
	}
	return failed
}
