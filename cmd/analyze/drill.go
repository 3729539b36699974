package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"analyze/ingest"
	"analyze/report"
)

// drillFlags are the filters every report takes: time bounds, and the
// drill-down criteria (--client, --endpoint, --status, --method, --class,
// --host).
type drillFlags struct {
	since, until, around         string
	span                         time.Duration
	client                       filterList
	clientKey                    string
	endpoint, status, method, cl filterList
	host                         filterList
}

// filterList is a drill-down filter's value, a comma-separated list: a
// repeated flag adds to it (--status 503 --status 504 is --status
// 503,504; the last one alone was kept), and the command line's replaces
// a --config file's.
type filterList struct {
	v    string
	keep bool // v is the command line's: a repeat adds to it
}

func (l *filterList) String() string { return l.v }
func (l *filterList) Type() string   { return "string" }
func (l *filterList) Set(s string) error {
	if l.keep && l.v != "" && s != "" {
		s = l.v + "," + s
	}
	l.v, l.keep = s, true
	return nil
}

// fromConfig marks the value as the config file's, which the command
// line replaces.
func (l *filterList) fromConfig() { l.keep = false }

func (d *drillFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&d.since, "since", "", "analyse records at or after this time: RFC 3339, a date, or a duration before the latest record (2h, 7d)")
	fs.StringVar(&d.until, "until", "", "analyse records before this time (same forms as --since)")
	fs.StringVar(&d.around, "around", "", "analyse records within --span of this time (RFC 3339 or a date)")
	fs.DurationVar(&d.span, "span", 30*time.Minute, "with --around: how far either side of it")
	fs.Var(&d.client, "client", "only these clients: names or glob patterns, comma-separated or repeated (erp-sync, 10.0.*)")
	fs.StringVar(&d.clientKey, "client-key", "", "what identifies a client: user, addr, host, header:NAME or field:NAME (default: user, else credential, else addr)")
	fs.Var(&d.endpoint, "endpoint", "only these endpoints: templated (/api/products/{id}), paths, or glob patterns (/api/exports/*), comma-separated or repeated")
	fs.Var(&d.status, "status", "only these statuses, comma-separated or repeated: 503, 5xx, 429,503")
	fs.Var(&d.method, "method", "only these methods, comma-separated or repeated: GET, POST,PUT")
	fs.Var(&d.cl, "class", "only these classes, comma-separated or repeated: success, redirect, client_error, server_error, other")
	fs.Var(&d.host, "host", "only these hosts (virtual host or Host header; - when not logged): names or glob patterns, comma-separated or repeated (acme.quable.com, *.quable.com)")
}

// isClientKey reports whether a --client value names a client key rather
// than clients: --client took the key before --client-key existed, and
// still does for these values.
func isClientKey(v string) bool {
	return v == "user" || v == "addr" || strings.HasPrefix(v, "header:") || strings.HasPrefix(v, "field:")
}

// resolve parses the flags: the time bounds (relative ones resolved later,
// against the latest record), the drill-down match, and the client key.
func (d *drillFlags) resolve() (since, until report.Bound, match report.Match, key report.ClientSelector, err error) {
	keyName, clients := d.clientKey, d.client.v
	if isClientKey(clients) {
		if d.clientKey != "" {
			return since, until, match, key, fmt.Errorf("--client %s names a client key; --client-key gives it already", clients)
		}
		keyName, clients = clients, ""
	}
	if key, err = report.ParseClientSelector(keyName); err != nil {
		return
	}
	if since, err = report.ParseBound(d.since); err != nil {
		err = fmt.Errorf("--since: %w", err)
		return
	}
	if until, err = report.ParseBound(d.until); err != nil {
		err = fmt.Errorf("--until: %w", err)
		return
	}
	if d.around != "" {
		if d.since != "" || d.until != "" {
			err = fmt.Errorf("--around sets the period itself; give it without --since or --until")
			return
		}
		var at report.Bound
		if at, err = report.ParseBound(d.around); err != nil || at.Relative() {
			err = fmt.Errorf("--around %q: want a time, RFC 3339 (2025-03-12T10:00:00Z) or a date", d.around)
			return
		}
		if err = durationIn("span", d.span, minSpan, maxSpan, "1s to 8784h (366 days)"); err != nil {
			return
		}
		since, until = report.Bound{At: at.At.Add(-d.span)}, report.Bound{At: at.At.Add(d.span)}
	}
	match, err = report.ParseMatch(clients, d.endpoint.v, d.status.v, d.method.v, d.cl.v, d.host.v)
	return
}

// timeFilter makes the filter of resolved bounds and a match. A relative
// bound (2h, 7d) counts back from the inputs' latest record, which takes
// one reading of them first (standard input is spooled for it); cleanup
// removes the spool, and is never nil.
func timeFilter(ctx context.Context, files []*ingest.File, opts ingest.Options, stdin io.Reader, since, until report.Bound, match *report.Match) (report.Filter, func(), error) {
	filter := report.Filter{Since: since.At, Until: until.At, Match: match}
	if !since.Relative() && !until.Relative() {
		return filter, func() {}, nil
	}
	cleanup, err := ingest.SpoolStdin(files, stdin)
	if err != nil {
		return filter, cleanup, err
	}
	latest, err := report.Latest(ctx, files, opts, time.Now())
	if err != nil {
		return filter, cleanup, fmt.Errorf("interrupted: %w", err)
	}
	filter.Since, filter.Until = since.Resolve(latest), until.Resolve(latest)
	return filter, cleanup, nil
}
