package write

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"analyze/report"
)

// WritePrometheus writes the report's figures in the Prometheus text
// exposition format (version 0.0.4), for node_exporter's textfile
// collector: a nightly run writes analyze.prom with --out, and the run's
// counts become gauges an alert can watch. Every metric is a gauge of this
// run (or period), named analyze_*; labels come from bounded sets (classes,
// statuses, reasons, outcomes) or from the report's top tables (--top
// rows), so a flood of clients cannot flood the time series.
func WritePrometheus(w io.Writer, r *report.Report) error {
	p := &promWriter{w: &errWriter{w: w}}
	p.gauge("analyze_info", "The analyze version that wrote these figures.", 1, "version", r.Version)

	in := r.Input
	p.gauge("analyze_input_lines", "Lines read from the inputs.", float64(in.Lines))
	p.gauge("analyze_input_records", "Lines read as records.", float64(in.Records))
	p.gauge("analyze_input_rejected_lines", "Lines rejected, each with a reason.", float64(in.Rejected))
	p.gauge("analyze_input_unrecognized_lines", "Lines of files no format fits (not log lines; not rejected).", float64(in.Unrecognized))
	p.gauge("analyze_input_blank_lines", "Blank lines.", float64(in.Blank))
	p.gauge("analyze_input_filtered_records", "Records left out by the time range or drill-down filters.", float64(in.Filtered))
	p.gauge("analyze_input_analyzed_records", "Records analysed.", float64(in.Analyzed))
	incomplete := 0
	for _, f := range in.Files {
		if !f.Complete {
			incomplete++
		}
	}
	p.gauge("analyze_inputs", "Inputs read.", float64(len(in.Files)))
	p.gauge("analyze_inputs_incomplete", "Inputs that could not be read to their end.", float64(incomplete))
	p.help("analyze_rejected_lines", "Rejected lines by reason.")
	for _, reason := range slices.Sorted(maps.Keys(in.RejectedReasons)) {
		p.sample("analyze_rejected_lines", float64(in.RejectedReasons[reason]), "reason", reason)
	}
	if r.Time.First != nil {
		p.gauge("analyze_first_record_timestamp_seconds", "Time of the first analysed record.", unixSeconds(*r.Time.First))
		p.gauge("analyze_last_record_timestamp_seconds", "Time of the last analysed record.", unixSeconds(*r.Time.Last))
	}

	p.help("analyze_requests", "Analysed requests by class.")
	c := r.Classes
	for _, kv := range []struct {
		class string
		n     int64
	}{{"success", c.Success}, {"redirect", c.Redirect}, {"client_error", c.ClientError}, {"server_error", c.ServerError}, {"other", c.Other}} {
		p.sample("analyze_requests", float64(kv.n), "class", kv.class)
	}
	p.help("analyze_responses", "Analysed requests by status, with its class and diagnosis.")
	for _, s := range r.Statuses {
		p.sample("analyze_responses", float64(s.Count), "status", strconv.Itoa(s.Status), "class", s.Class, "diagnosis", s.Diagnosis)
	}
	if l := r.Latency; l != nil {
		p.help("analyze_latency_milliseconds", "Logged request durations: percentiles (DDSketch, 1 % relative error).")
		for _, q := range []struct {
			q string
			v float64
		}{{"50", l.P50}, {"95", l.P95}, {"99", l.P99}} {
			p.sample("analyze_latency_milliseconds", q.v, "percentile", q.q)
		}
	}

	var keys []string
	var counts []report.ErrorCounts
	for _, e := range r.Endpoints {
		keys = append(keys, e.Endpoint)
		counts = append(counts, report.ErrorCounts{Requests: e.Requests, ClientError: e.ClientError, ServerError: e.ServerError, RateLimited: e.RateLimited})
	}
	p.top("endpoint", "endpoints", keys, counts)
	sizes := make([]*int64, 0, max(len(r.Endpoints), len(r.Clients)))
	for _, e := range r.Endpoints {
		sizes = append(sizes, e.Bytes)
	}
	p.bytes("endpoint", "endpoints", keys, sizes)
	keys, counts, sizes = keys[:0], counts[:0], sizes[:0]
	for _, c := range r.Clients {
		keys, counts, sizes = append(keys, c.Client), append(counts, c.ErrorCounts), append(sizes, c.Bytes)
	}
	p.top("client", "clients", keys, counts)
	p.bytes("client", "clients", keys, sizes)
	keys, counts = keys[:0], counts[:0]
	for _, h := range r.Hosts {
		keys, counts = append(keys, h.Host), append(counts, h.ErrorCounts)
	}
	p.top("host", "hosts", keys, counts)

	p.gauge("analyze_incidents", "Incidents: runs of minutes whose 5xx or 429 rate rose well above the baseline.", float64(len(r.Incidents)))
	p.gauge("analyze_incidents_ongoing", "Incidents not over when the input ends: no minute with traffic came after their last flagged minute.", float64(r.Ongoing()))

	if q := r.Quota; q != nil {
		p.gauge("analyze_quota_window_seconds", "The quota window.", q.WindowSeconds)
		p.gauge("analyze_quota_peak_requests", "The most requests in one quota window.", float64(q.Overall.Peak))
		p.gauge("analyze_quota_p99_requests", "The 99th percentile of requests per quota window.", float64(q.Overall.P99))
		if q.LimitPerWindow != nil {
			p.gauge("analyze_quota_limit_requests", "The --limit, per quota window.", float64(*q.LimitPerWindow))
			p.gauge("analyze_quota_windows_over_limit", "Quota windows over the limit.", float64(q.Overall.WindowsOverLimit))
		}
		// The clients measured against a limit (their own or --limit), of
		// those the quota section lists: at most --top or 20, and every
		// client with a --client-limit.
		limited := false
		for _, c := range q.Clients {
			if c.LimitPerWindow == nil {
				continue
			}
			if !limited {
				p.help("analyze_quota_client_windows_over_limit", "Quota windows in which the client went over its limit (its --client-limit, else --limit).")
				limited = true
			}
			p.sample("analyze_quota_client_windows_over_limit", float64(c.WindowsOverLimit), "client", c.Client)
		}
		p.gauge("analyze_rate_limited_responses", "429 Too Many Requests responses.", float64(q.RateLimited))
		p.gauge("analyze_quota_bursts", "Runs of consecutive quota windows with 429s.", float64(q.BurstsTotal))
	}
	if rt := r.Retry; rt != nil {
		p.help("analyze_retry_chains", "Retryable failures (chains) by outcome.")
		for _, kv := range []struct {
			outcome string
			n       int64
		}{{"recovered", rt.Recovered}, {"exhausted", rt.Exhausted}, {"abandoned", rt.Abandoned}} {
			p.sample("analyze_retry_chains", float64(kv.n), "outcome", kv.outcome)
		}
		p.gauge("analyze_retry_attempts", "Retries made in the chains.", float64(rt.Attempts))
		p.gauge("analyze_unrecovered_failures", "Retryable failures that never recovered (exhausted or abandoned).", float64(rt.Unrecovered))
		p.gauge("analyze_unsafe_retries", "Writes retried after a server error without an idempotency key.", float64(rt.UnsafeRetries))
		p.gauge("analyze_retry_after_violations", "Requests sent before the Retry-After a 429 or 503 asked for.", float64(rt.RetryAfterViolations))
		p.gauge("analyze_non_retryable_repeats", "Non-retryable failures repeated unchanged.", float64(rt.NonRetryableRepeats))
		p.gauge("analyze_retry_storms", "Windows where retries were above the storm share of the traffic.", float64(rt.StormsTotal))
	}
	if len(r.Thresholds) > 0 {
		p.help("analyze_threshold_failed", "1 when a --fail-on threshold failed, else 0.")
		for _, t := range r.Thresholds {
			failed := 0.0
			if t.Failed {
				failed = 1
			}
			p.sample("analyze_threshold_failed", failed, "threshold", t.Expr)
		}
	}
	return p.w.err
}

// top writes a top table (endpoints, clients, hosts by errors) as three
// families labelled by its key: analyze_<label>_requests, _errors (by
// class) and _rate_limited.
func (p *promWriter) top(label, plural string, keys []string, counts []report.ErrorCounts) {
	name := "analyze_" + label
	p.help(name+"_requests", "Requests of the top "+plural+" by errors.")
	for i, k := range keys {
		p.sample(name+"_requests", float64(counts[i].Requests), label, k)
	}
	p.help(name+"_errors", "Client and server errors of the top "+plural+" by errors.")
	for i, k := range keys {
		p.sample(name+"_errors", float64(counts[i].ClientError), label, k, "class", "client_error")
		p.sample(name+"_errors", float64(counts[i].ServerError), label, k, "class", "server_error")
	}
	p.help(name+"_rate_limited", "429 responses of the top "+plural+" by errors.")
	for i, k := range keys {
		p.sample(name+"_rate_limited", float64(counts[i].RateLimited), label, k)
	}
}

// bytes writes the bytes of a top table's keys as analyze_<label>_bytes:
// a sample for each key that logged a size.
func (p *promWriter) bytes(label, plural string, keys []string, sizes []*int64) {
	name := "analyze_" + label + "_bytes"
	p.help(name, "Response bytes logged of the top "+plural+" by errors (keys that log no size have no sample).")
	for i, k := range keys {
		if sizes[i] != nil {
			p.sample(name, float64(*sizes[i]), label, k)
		}
	}
}

type promWriter struct {
	w *errWriter
}

// help writes a metric family's HELP and TYPE lines.
func (p *promWriter) help(name, help string) {
	fmt.Fprintf(p.w, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
}

// gauge writes a family of one sample.
func (p *promWriter) gauge(name, help string, v float64, labels ...string) {
	p.help(name, help)
	p.sample(name, v, labels...)
}

// sample writes one sample; labels are name, value pairs.
func (p *promWriter) sample(name string, v float64, labels ...string) {
	var b strings.Builder
	b.WriteString(name)
	if len(labels) > 0 {
		b.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(labels[i])
			b.WriteString(`="`)
			b.WriteString(promLabelValue(labels[i+1]))
			b.WriteByte('"')
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
	b.WriteByte('\n')
	io.WriteString(p.w, b.String())
}

// promLabelValue escapes a label value as the exposition format asks:
// backslash, double quote and line feed; invalid UTF-8 (a logged client's
// bytes) becomes U+FFFD, as the format wants UTF-8; and the other control
// and format characters are shown as Term shows them (\x1B), so that a
// scrape read on a terminal or kept in a text file carries none.
func promLabelValue(v string) string {
	if report.SafeASCII(v) && !strings.ContainsAny(v, "\\\"") {
		return v
	}
	lines := strings.Split(strings.ToValidUTF8(v, "\uFFFD"), "\n")
	for i, l := range lines {
		lines[i] = report.Term(l)
	}
	v = strings.Join(lines, "\n")
	if !strings.ContainsAny(v, "\\\"\n") {
		return v
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
}

func unixSeconds(rfc3339 string) float64 {
	t, err := time.Parse(time.RFC3339Nano, rfc3339)
	if err != nil {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
