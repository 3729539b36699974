package write

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"analyze/classify"
	"analyze/report"
	"analyze/report/analysis"
)

// section is one titled table of the human-readable report; the text and
// Markdown writers render the same sections.
type section struct {
	title  string
	header []string
	align  []bool // per column: true aligns right
	rows   [][]string
	notes  []string // lines after the table
	// drop names the columns the text report may leave out to fit the
	// terminal, the least important first (write_text_fit.go).
	drop []string
	// redraw, for a column of bars, draws row i's cell at most w cells
	// wide: the text report scales bars to fit instead of wrapping them.
	redraw map[int]func(i, w int) string
}

// escaper makes log-derived strings safe for one output: cell for table
// cells and paths, code for quoted snippets of raw lines.
type escaper struct {
	cell, code func(string) string
	spark      bool // the output can show sparklines
}

var (
	termEscaper     = escaper{cell: report.Term, code: func(s string) string { return report.Snippet(s) }, spark: true}
	markdownEscaper = escaper{cell: report.Markdown, code: report.MarkdownCode}
)

// sections lays out a Report. Note texts written here are trusted; the file
// paths and snippets they include are escaped like every log-derived string.
func sections(r *report.Report, e escaper) []section {
	esc := e.cell
	var out []section
	in := r.Input
	if len(r.Incidents) > 0 && r.Only() != "quota" && r.Only() != "retry" {
		out = append(out, incidentSection(r.Incidents, e)) // what broke comes first
	}

	inputs := section{
		title:  "Inputs",
		header: []string{"file", "format", "compression", "lines", "records", "rejected", "blank", "complete"},
		align:  []bool{false, false, false, true, true, true, true, false},
		drop:   []string{"compression", "blank", "format"},
	}
	// The unrecognized column (lines of files no format fits) shows when
	// there are some; the JSON report always has the key.
	unrec := in.Unrecognized > 0
	withUnrec := func(row []string, n int64) []string {
		if !unrec {
			return row
		}
		return slices.Insert(row, 6, Thousands(n))
	}
	if unrec {
		inputs.header = slices.Insert(inputs.header, 6, "unrecognized")
		inputs.align = slices.Insert(inputs.align, 6, true)
	}
	for _, f := range in.Files {
		format := f.Format
		if f.FormatDetected {
			format += fmt.Sprintf(" (auto, %.0f%%)", f.FormatConfidence*100)
		}
		complete := "yes"
		if !f.Complete {
			complete = "NO"
			inputs.notes = append(inputs.notes, esc(f.Error))
		}
		if f.Format == "unknown" && f.Lines > f.Blank {
			note := esc(f.Path) + ": no known format fits its first lines; its lines are counted as unrecognized, not rejected (try --format, or --exclude it)"
			for i, c := range f.FormatCandidates {
				if i == 0 {
					note += "; closest:"
				}
				note += fmt.Sprintf(" %s %d/%d", c.Format, c.Matched, c.Sampled)
			}
			inputs.notes = append(inputs.notes, note)
		}
		if f.HeldBackBytes > 0 {
			inputs.notes = append(inputs.notes, fmt.Sprintf("%s: its last line (%s bytes) has no newline yet; it is left for the next run (--state).",
				esc(f.Path), Thousands(f.HeldBackBytes)))
		}
		inputs.rows = append(inputs.rows, withUnrec([]string{esc(f.Path), format, f.Compression,
			Thousands(f.Lines), Thousands(f.Records), Thousands(f.Rejected), Thousands(f.Blank), complete}, f.Unrecognized))
	}
	if len(in.Files) > 1 {
		inputs.rows = append(inputs.rows, withUnrec([]string{"total", "", "", Thousands(in.Lines), Thousands(in.Records),
			Thousands(in.Rejected), Thousands(in.Blank), ""}, in.Unrecognized))
	}
	inputs.notes = append(inputs.notes, fmt.Sprintf("Times are shown in UTC; timestamps logged without a zone are read in %s (--tz).", esc(in.TimeZone)))
	if in.Filtered > 0 {
		inputs.notes = append(inputs.notes, fmt.Sprintf("%s records outside the filters (time, client, endpoint, status...) were not analysed.", Thousands(in.Filtered)))
	}
	if !in.Reconciled {
		inputs.notes = append(inputs.notes, "WARNING: lines != records + rejected + unrecognized + blank; please report this bug.")
	}
	out = append(out, inputs)
	if b := r.Bounds; b.Hit() {
		bs := section{title: "Memory bounds reached", header: []string{"bound", "left out", "what it means"}, align: []bool{false, true, false}}
		for _, row := range []struct {
			name string
			n    int64
			what string
		}{
			{"endpoints table (20,000 keys)", b.EndpointsFolded, "rarely seen endpoints folded into (other); the heavy ones stay exact"},
			{"clients table (20,000 keys)", b.ClientsFolded, "rarely seen clients folded into (other); the heavy ones stay exact"},
			{"methods table (64 keys)", b.MethodsFolded, "rare methods folded into (other)"},
			{"error paths table (20,000 pairs)", b.ErrorPathsFolded, "rarely seen (endpoint, path) pairs left out of the endpoints' error paths"},
			{"user agents table (20,000 pairs)", b.UserAgentsFolded, "rarely seen (client, user agent) pairs left out of the clients' user agents"},
			{"hosts table (20,000 keys)", b.HostsFolded, "rarely seen hosts folded into (other); the heavy ones stay exact"},
			{"quota cells (262,144 per worker)", b.QuotaCellsDropped, "requests of the lightest clients left out of the per-client quota figures (lower bounds); the overall figures stay exact"},
			{"timeline failure cells", b.TimelineFailuresDropped, "5xx and 429 left out of the incidents' endpoint and client lists"},
			{"timeline failure lists (512 values a minute)", b.TimelineDetailsFolded, "values of the lightest endpoints, clients, hosts, paths and user agents of a minute's failures folded out of the incidents' lists; the heaviest 256 stay exact"},
			{"open retry chains (262,144)", b.RetryChainsUntracked, "retryable failures not followed as chains"},
			{"recent non-retryable failures (262,144)", b.RetryRepeatsUntracked, "failures not checked for unchanged repeats"},
			{"retry clients (100,000)", b.RetryClientsDropped, "chains left out of the per-client retry table"},
			{"after-429 clients (100,000)", b.After429ClientsDropped, "429s left out of the behaviour after 429"},
			{"429 bursts listed (100)", b.QuotaBurstsUnlisted, "bursts not listed, past the 100 with the most 429s (JSON: quota.bursts_total counts them all)"},
			{"retry storms listed (100)", b.RetryStormsUnlisted, "storms not listed, past the 100 with the most attempts (JSON: retry.storms_total counts them all)"},
			{"unrecovered list (25,000 chains)", b.RetryUnrecoveredDropped, "unrecovered chains past the oldest 25,000, not listed (retry.unrecovered counts them all)"},
		} {
			if row.n > 0 {
				bs.rows = append(bs.rows, []string{row.name, Thousands(row.n), row.what})
			}
		}
		bs.notes = append(bs.notes, "Each structure is bounded so that no input can make memory grow without limit; the counts above say what the bounds left out (JSON: bounds).")
		out = append(out, bs)
	}
	if len(r.Thresholds) > 0 {
		th := section{title: "Thresholds (--fail-on)", header: []string{"threshold", "measured", "result"}, align: []bool{false, true, false}}
		for _, t := range r.Thresholds {
			measured, result := "not logged", "not checked"
			if t.Measured != nil {
				measured, result = t.Format(*t.Measured), "pass"
			}
			if t.Failed {
				result = "FAIL"
			}
			th.rows = append(th.rows, []string{t.Expr, measured, result})
		}
		out = append(out, th)
	}
	switch r.Only() {
	case "timeline":
		if r.Timeline != nil {
			out = append(out, timelineSection(r.Timeline, e))
		}
		return out
	case "quota":
		return append(out, quotaSections(r.Quota, e, e.spark)...)
	case "retry":
		list := 20
		if r.Retry != nil && r.Retry.UnrecoveredList != nil {
			list = -1
		}
		return append(out, retrySections(r.Retry, e, list)...)
	}

	classes := section{title: "Classes", header: []string{"class", "requests", "share"}, align: []bool{false, true, true}}
	if l := r.Latency; l != nil {
		classes.notes = append(classes.notes, fmt.Sprintf("Durations logged for %s records: p50 %g ms, p95 %g ms, p99 %g ms.", Thousands(int64(l.Count)), l.P50, l.P95, l.P99))
	}
	for i, n := range []int64{r.Classes.Success, r.Classes.Redirect, r.Classes.ClientError, r.Classes.ServerError, r.Classes.Other} {
		classes.rows = append(classes.rows, []string{classify.Class(i).String(), Thousands(n), Percent(n, in.Analyzed)})
	}
	out = append(out, classes)

	statuses := section{
		title:  "Statuses",
		header: []string{"status", "title", "requests", "share", "class", "diagnosis", "retry"},
		align:  []bool{true, false, true, true, false, false, false},
		drop:   []string{"class", "retry"},
	}
	for _, s := range r.Statuses {
		title := s.Title
		if !s.Documented {
			title += " *"
		}
		statuses.rows = append(statuses.rows, []string{fmt.Sprintf("%03d", s.Status), title, Thousands(s.Count),
			Percent(s.Count, in.Analyzed), s.Class, s.Diagnosis, s.Retry})
	}
	statuses.notes = append(statuses.notes, "Titles marked * are not documented by the API and carry their standard HTTP meaning. Retry is the policy for idempotent methods; analyze codes lists the policy per method.")
	out = append(out, statuses)

	endpoints := section{
		title:  "Top endpoints by errors",
		header: []string{"endpoint", "requests", "2xx", "4xx", "5xx", "429", "errors"},
		align:  []bool{false, true, true, true, true, true, true},
		drop:   []string{"p50 ms", "p99 ms", "2xx", "p95 ms"},
	}
	timed, sized := false, false
	for _, e := range r.Endpoints {
		timed = timed || e.P95 != nil
		sized = sized || e.Bytes != nil
	}
	if timed {
		endpoints.header = append(endpoints.header, "p50 ms", "p95 ms", "p99 ms")
		endpoints.align = append(endpoints.align, true, true, true)
	}
	if sized {
		endpoints.header = append(endpoints.header, "bytes")
		endpoints.align = append(endpoints.align, true)
	}
	for _, e := range r.Endpoints {
		row := []string{esc(e.Endpoint), Thousands(e.Requests), Thousands(e.Success),
			Thousands(e.ClientError), Thousands(e.ServerError), Thousands(e.RateLimited), Percent(e.ClientError+e.ServerError, e.Requests)}
		if timed {
			for _, p := range []*float64{e.P50, e.P95, e.P99} {
				v := "-"
				if p != nil {
					v = fmt.Sprint(*p)
				}
				row = append(row, v)
			}
		}
		if sized {
			row = append(row, sizeOf(e.Bytes))
		}
		endpoints.rows = append(endpoints.rows, row)
	}
	if r.Bounds.EndpointsFolded > 0 {
		endpoints.notes = append(endpoints.notes, fmt.Sprintf("Approximate: %s rarely seen endpoints were folded to stay within memory bounds.", Thousands(r.Bounds.EndpointsFolded)))
	}
	if sized {
		endpoints.notes = append(endpoints.notes, "Bytes are the response sizes logged (- when none is).")
	}
	out = append(out, endpoints)
	if s, ok := errorPathsSection(r, esc); ok {
		out = append(out, s)
	}

	clients := errorsSection("client", r.Bounds.ClientsFolded,
		"A client is the remote user when one is logged, else the API credential, else the client address.")
	sized = false
	for _, c := range r.Clients {
		sized = sized || c.Bytes != nil
	}
	if sized {
		clients.header = append(clients.header, "bytes")
		clients.align = append(clients.align, true)
	}
	for _, c := range r.Clients {
		row := errorsRow(esc(c.Client), c.ErrorCounts)
		if sized {
			row = append(row, sizeOf(c.Bytes))
		}
		clients.rows = append(clients.rows, row)
	}
	out = append(out, clients)
	if s, ok := userAgentsSection(r, esc); ok {
		out = append(out, s)
	}

	if len(r.Hosts) > 0 { // only when the inputs log a host
		hosts := errorsSection("host", r.Bounds.HostsFolded,
			"The virtual host or Host header, in lower case and without its port (--host selects by it); records that log none are not counted here.")
		for _, h := range r.Hosts {
			hosts.rows = append(hosts.rows, errorsRow(esc(h.Host), h.ErrorCounts))
		}
		out = append(out, hosts)
	}

	out = append(out, quotaSections(r.Quota, e, e.spark)...)
	out = append(out, retrySections(r.Retry, e, 10)...)

	methods := section{title: "Methods", header: []string{"method", "requests", "share"}, align: []bool{false, true, true}}
	names := make([]string, 0, len(r.Methods))
	for m := range r.Methods {
		names = append(names, m)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(r.Methods[b], r.Methods[a]), cmp.Compare(a, b))
	})
	for _, m := range names {
		methods.rows = append(methods.rows, []string{esc(m), Thousands(r.Methods[m]), Percent(r.Methods[m], in.Analyzed)})
	}
	out = append(out, methods)
	out = append(out, analysisSections(r, esc)...)

	if in.Rejected > 0 {
		rejected := section{title: "Rejected lines", header: []string{"reason", "lines", "share of lines"}, align: []bool{false, true, true}}
		reasons := make([]string, 0, len(in.RejectedReasons))
		for k := range in.RejectedReasons {
			reasons = append(reasons, k)
		}
		slices.Sort(reasons)
		for _, k := range reasons {
			rejected.rows = append(rejected.rows, []string{k, Thousands(in.RejectedReasons[k]), Percent(in.RejectedReasons[k], in.Lines-in.Unrecognized)}) // of the recognised logs' lines, as rejected_rate
			for _, ex := range in.RejectedExamples[k] {
				rejected.notes = append(rejected.notes, k+"  "+esc(ex.File)+":"+strconv.FormatInt(ex.Line, 10)+"  "+e.code(ex.Snippet))
			}
		}
		out = append(out, rejected)
	}
	return out
}

// errorsSection is the empty table of the top keys (clients, hosts) by
// errors, with its note and, when keys were folded, a note saying so.
func errorsSection(key string, folded int64, note string) section {
	s := section{
		title:  "Top " + key + "s by errors",
		header: []string{key, "requests", "4xx", "5xx", "429", "errors"},
		align:  []bool{false, true, true, true, true, true},
		notes:  []string{note},
	}
	if folded > 0 {
		s.notes = append(s.notes, fmt.Sprintf("Approximate: %s rarely seen %ss were folded to stay within memory bounds.", Thousands(folded), key))
	}
	return s
}

func errorsRow(key string, c report.ErrorCounts) []string {
	return []string{key, Thousands(c.Requests), Thousands(c.ClientError), Thousands(c.ServerError), Thousands(c.RateLimited),
		Percent(c.ClientError+c.ServerError, c.Requests)}
}

// plural writes n and a noun, in the plural unless n is 1.
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Thousands(n) + " " + noun + "s"
}

// filterNote says, under the headline, which records a filtered report
// covers: the filters given and how many records they kept; "" when no
// filter was given. (The HTML page states the filters in a note of its own.)
func filterNote(r *report.Report) string {
	f := filterText(r.Filter)
	if f == "" {
		return ""
	}
	return fmt.Sprintf("Filtered (%s): %s analysed, %s left out.", f, plural(r.Input.Analyzed, "record"), Thousands(r.Input.Filtered))
}

// headline is the report's first line.
func headline(r *report.Report) string {
	in := r.Input
	from := plural(int64(len(in.Files)), "input")
	if in.Stored != nil {
		from += " and " + plural(in.Stored.Runs, "stored run") + " (--state)"
	}
	s := fmt.Sprintf("%s in %s: %s, %s rejected, ", plural(in.Lines, "line"), from,
		plural(in.Records, "record"), Thousands(in.Rejected))
	if in.Unrecognized > 0 { // lines of files no format fits
		s += Thousands(in.Unrecognized) + " unrecognized, "
	}
	s += Thousands(in.Blank) + " blank"
	if r.Time.First != nil {
		s += fmt.Sprintf("; %s to %s", *r.Time.First, *r.Time.Last)
	}
	return s
}

// analysisSections are the sections of the registered analyses
// (report.Register) that can be shown as tables, by name; a column whose
// every cell is a number aligns right.
func analysisSections(r *report.Report, esc func(string) string) []section {
	var out []section
	for _, name := range slices.Sorted(maps.Keys(r.Analyses)) {
		t, ok := r.Analyses[name].(analysis.Tabular)
		if !ok {
			continue // in the JSON report only
		}
		s := section{title: t.Title(), header: t.Columns()}
		s.align = make([]bool, len(s.header))
		for i := range s.align {
			s.align[i] = true
		}
		for _, row := range t.Rows() {
			cells := make([]string, len(s.header))
			for i := range cells {
				if i < len(row) {
					cells[i] = esc(row[i])
				}
				if !numeric(cells[i]) {
					s.align[i] = false
				}
			}
			s.rows = append(s.rows, cells)
		}
		out = append(out, s)
	}
	return out
}

// numeric reports whether a cell is a number as the reports write them:
// digits with separators, a sign, a decimal point or a percent sign.
func numeric(c string) bool {
	if c == "" {
		return false
	}
	for _, r := range c {
		if !(r >= '0' && r <= '9' || r == ',' || r == '.' || r == '%' || r == '-' || r == '+') {
			return false
		}
	}
	return true
}
