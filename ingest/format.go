package ingest

import (
	"fmt"
	"strings"
	"time"
)

// Parser parses the lines of one log format. A Parser keeps scratch state
// (a day cache, an unescape buffer), so it is not safe for concurrent use:
// each worker gets its own from Format.New.
type Parser interface {
	// Parse parses one line, without its line end, into rec, which the
	// caller has reset. It returns OK or the reason the line is rejected.
	// rec's byte slices alias line or the parser's scratch space and stay
	// valid until the next call to Parse.
	Parse(line []byte, rec *Record) Reason
}

// ParseOptions configure the parsers of every format.
type ParseOptions struct {
	// TZ is the zone of timestamps logged without one; nil means UTC.
	TZ *time.Location
	// KeepSecrets leaves credential-like query parameters and API keys as
	// logged; by default the Scanner masks the parameters and shows each
	// key as its label, KeyLabel (package privacy).
	KeepSecrets bool
	// AnonymizeKey, when set, makes the Scanner replace client addresses,
	// users and credentials by keyed pseudonyms (package privacy).
	AnonymizeKey []byte
	// SkipRefererAgent leaves a combined line's referer and user agent
	// unread (Record.Referer and UserAgent stay empty), for a caller that
	// uses neither (analyze show). Whether a line is a record does not
	// depend on them.
	SkipRefererAgent bool
}

// Format is a log format the tool can read.
type Format struct {
	Name        string
	Description string
	New         func(ParseOptions) Parser
	// Extras names the fields the format logs that have no Record field of
	// their own (they come in Record.Extra), in format order.
	Extras []string
	// typical reports whether a line that parsed is typical of this format
	// rather than merely accepted by it (a common line parses as combined,
	// but is not typical of it); detection counts typical lines.
	typical func(p Parser, line []byte) bool
	// directives marks formats whose lines depend on directive lines
	// earlier in the file (W3C #Fields): the reader hands each block the
	// directives in effect at its start, and the parser gets them through
	// its Begin method.
	directives bool
}

// Directives tells a format whose lines depend on directive lines (W3C's
// #Fields): a reader that cuts its input must hand them on (NextDirectives,
// File.Directives).
func (f *Format) Directives() bool { return f.directives }

// directiveParser is a Parser of a format with directives.
type directiveParser interface {
	Parser
	Begin(directives []byte)
}

// formats lists the known formats in detection order: on a tie, the first
// wins.
var formats = append(append([]*Format{combinedFormat, commonFormat}, presetFormats...), haproxyFormat, w3cFormat, cloudfrontFormat, jsonFormat, caddyFormat)

// Formats returns the known formats.
func Formats() []*Format { return formats }

// LookupFormat returns the format of that name, or nil and an error naming
// the known formats.
func LookupFormat(name string) (*Format, error) {
	for _, f := range formats {
		if f.Name == name {
			return f, nil
		}
	}
	names := make([]string, 0, len(formats)+1)
	names = append(names, "auto")
	for _, f := range formats {
		names = append(names, f.Name)
	}
	return nil, fmt.Errorf("unknown format %q (known: %s)", name, strings.Join(names, ", "))
}
