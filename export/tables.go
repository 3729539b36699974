package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"analyze/outfile"
	"analyze/report"
)

// A table of the report, written as NAME.csv and NAME.parquet.
type table struct {
	name string
	cols []arrow.Field
	rows [][]any // string, int64, float64, bool, time.Time or nil
}

func col(name string, t arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: true}
}

var (
	tStr   = arrow.BinaryTypes.String
	tInt   = arrow.PrimitiveTypes.Int64
	tInt32 = arrow.PrimitiveTypes.Int32
	tF64   = arrow.PrimitiveTypes.Float64
	tBool  = arrow.FixedWidthTypes.Boolean
	tTime  = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
)

// reportTables lays out the report's tables.
func reportTables(r *report.Report) []table {
	var ts []table
	st := table{name: "statuses", cols: []arrow.Field{col("status", tInt), col("count", tInt), col("share", tF64), col("class", tStr),
		col("diagnosis", tStr), col("title", tStr), col("retry", tStr), col("documented", tBool)}}
	for _, s := range r.Statuses {
		st.rows = append(st.rows, []any{int64(s.Status), s.Count, s.Share, s.Class, s.Diagnosis, s.Title, s.Retry, s.Documented})
	}
	ep := table{name: "endpoints", cols: []arrow.Field{col("endpoint", tStr), col("requests", tInt), col("success", tInt), col("redirect", tInt),
		col("client_error", tInt), col("server_error", tInt), col("other", tInt), col("rate_limited", tInt), col("bytes", tInt)}}
	for _, e := range r.Endpoints {
		ep.rows = append(ep.rows, []any{e.Endpoint, e.Requests, e.Success, e.Redirect, e.ClientError, e.ServerError, e.Other, e.RateLimited,
			optional(e.Bytes)})
	}
	cl := table{name: "clients", cols: []arrow.Field{col("client", tStr), col("requests", tInt), col("client_error", tInt),
		col("server_error", tInt), col("rate_limited", tInt), col("bytes", tInt)}}
	for _, c := range r.Clients {
		cl.rows = append(cl.rows, []any{c.Client, c.Requests, c.ClientError, c.ServerError, c.RateLimited, optional(c.Bytes)})
	}
	hs := table{name: "hosts", cols: []arrow.Field{col("host", tStr), col("requests", tInt), col("client_error", tInt),
		col("server_error", tInt), col("rate_limited", tInt)}}
	for _, h := range r.Hosts {
		hs.rows = append(hs.rows, []any{h.Host, h.Requests, h.ClientError, h.ServerError, h.RateLimited})
	}
	ts = append(ts, st, ep, cl, hs)
	if q := r.Quota; q != nil {
		qw := table{name: "quota_windows", cols: []arrow.Field{col("window_start", tTime), col("requests", tInt), col("rate_limited", tInt)}}
		for _, w := range q.Windows {
			qw.rows = append(qw.rows, []any{w.Start, w.Requests, w.RateLimited})
		}
		qc := table{name: "quota_clients", cols: []arrow.Field{col("client", tStr), col("requests", tInt), col("peak", tInt), col("p99", tInt),
			col("rate_limited", tInt), col("windows_over_limit", tInt), col("after_429_requests", tInt), col("retry_after_violations", tInt),
			col("limit_per_window", tInt)}}
		for _, c := range q.Clients {
			qc.rows = append(qc.rows, []any{c.Client, c.Requests, c.Peak, c.P99, c.RateLimited, c.WindowsOverLimit, c.After429Requests, c.RetryAfterViolations,
				optional(c.LimitPerWindow)})
		}
		qb := table{name: "quota_bursts", cols: []arrow.Field{col("start", tStr), col("end", tStr), col("windows", tInt), col("rate_limited", tInt),
			col("requests", tInt), col("rate_before", tInt)}}
		for b := range q.AllBursts() {
			qb.rows = append(qb.rows, []any{b.Start, b.End, b.Windows, b.RateLimited, b.Requests, b.RateBefore})
		}
		ts = append(ts, qw, qc, qb)
	}
	if rt := r.Retry; rt != nil {
		rc := table{name: "retry_chains", cols: []arrow.Field{col("status", tInt), col("endpoint", tStr), col("diagnosis", tStr),
			col("retryable_failures", tInt), col("recovered", tInt), col("exhausted", tInt), col("abandoned", tInt),
			col("mean_attempts", tF64), col("max_attempts", tInt), col("unsafe_retries", tInt)}}
		for _, b := range rt.ByStatus {
			rc.rows = append(rc.rows, []any{int64(b.Status), b.Endpoint, b.Diagnosis, b.RetryableFailures, b.Recovered, b.Exhausted,
				b.Abandoned, b.MeanAttempts, b.MaxAttempts, b.UnsafeRetries})
		}
		un := table{name: "unrecovered", cols: []arrow.Field{col("time", tStr), col("client", tStr), col("method", tStr), col("path", tStr),
			col("status", tInt), col("outcome", tStr), col("attempts", tInt), col("last_attempt", tStr), col("unsafe", tBool),
			col("action", tStr), col("file", tStr), col("line", tInt)}}
		for _, u := range rt.UnrecoveredAll() {
			un.rows = append(un.rows, []any{u.Time, u.Client, u.Method, u.Path, int64(u.Status), u.Outcome, u.Attempts, u.LastAttempt,
				u.Unsafe, u.Action, u.File, u.Line})
		}
		ts = append(ts, rc, un)
	}
	in := table{name: "incidents", cols: []arrow.Field{col("start", tStr), col("end", tStr), col("kind", tStr), col("status", tInt),
		col("diagnosis", tStr), col("peak", tInt), col("peak_at", tStr), col("peak_rate", tF64), col("baseline_rate", tF64),
		col("failures", tInt), col("requests", tInt), col("endpoints", tStr), col("clients", tStr), col("hosts", tStr), col("recovered", tBool)}}
	for _, i := range r.Incidents {
		in.rows = append(in.rows, []any{i.Start, i.End, i.Kind, int64(i.Status), i.Diagnosis, i.Peak, i.PeakAt, i.PeakRate, i.BaselineRate,
			i.Failures, i.Requests, strings.Join(i.Endpoints, ", "), strings.Join(i.Clients, ", "), strings.Join(i.Hosts, ", "), i.Recovered})
	}
	ts = append(ts, in)
	if tl := r.Timeline; tl != nil {
		tw := table{name: "timeline", cols: []arrow.Field{col("window_start", tStr), col("window_seconds", tF64), col("requests", tInt),
			col("success", tInt), col("redirect", tInt), col("client_error", tInt), col("server_error", tInt), col("other", tInt),
			col("rate_limited", tInt), col("p50_ms", tF64), col("p95_ms", tF64), col("p99_ms", tF64)}}
		for _, w := range tl.Windows {
			tw.rows = append(tw.rows, []any{w.Start, tl.WindowSeconds, w.Requests, w.Success, w.Redirect, w.ClientError, w.ServerError,
				w.Other, w.RateLimited, optional(w.P50), optional(w.P95), optional(w.P99)})
		}
		ts = append(ts, tw)
	}
	return ts
}

// optional is a cell of a value that may be missing (nil: null).
func optional[T int64 | float64](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// tableNames are the names of every table reportTables can lay out: a
// set written again replaces all of them, and removes those this report
// has not (a quota table from a run with a limit).
var tableNames = []string{"statuses", "endpoints", "clients", "hosts", "quota_windows", "quota_clients", "quota_bursts",
	"retry_chains", "unrecovered", "incidents", "timeline"}

// WriteTables writes every table of the report to dir as CSV and Parquet.
// The set is replaced whole or not at all: every file is written under a
// temporary name first, and only when all are complete are they renamed
// into place (a failure leaves the earlier set as it was). It returns the
// paths written.
func WriteTables(dir string, r *report.Report, csvSafe bool) ([]string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", dir, err)
	}
	var pending []*outfile.Pending
	abort := func() {
		for _, p := range pending {
			p.Abort()
		}
	}
	var out []string
	for _, t := range reportTables(r) {
		for _, ext := range []string{"csv", "parquet"} {
			p := filepath.Join(dir, t.name+"."+ext)
			f, err := outfile.Create(p)
			if err != nil {
				abort()
				return nil, err
			}
			pending = append(pending, f)
			if ext == "csv" {
				err = writeTableCSV(f.File(), t, csvSafe)
			} else {
				err = writeTableParquet(f.File(), t)
			}
			if err == nil {
				err = f.Close()
			}
			if err != nil {
				abort()
				return nil, fmt.Errorf("cannot write %s: %w", p, err)
			}
			out = append(out, p)
		}
	}
	for i, p := range pending {
		if err := p.Commit(); err != nil {
			for _, rest := range pending[i+1:] {
				rest.Abort()
			}
			return nil, err
		}
	}
	for _, name := range tableNames {
		for _, ext := range []string{"csv", "parquet"} {
			if p := filepath.Join(dir, name+"."+ext); !slices.Contains(out, p) {
				if info, err := os.Lstat(p); err == nil && info.Mode().IsRegular() {
					os.Remove(p)
				}
			}
		}
	}
	return out, nil
}

func writeTableCSV(f io.Writer, t table, safe bool) error {
	w := csv.NewWriter(f)
	head := make([]string, len(t.cols))
	for i, c := range t.cols {
		head[i] = c.Name
	}
	w.Write(head)
	row := make([]string, len(t.cols))
	for _, r := range t.rows {
		for i, v := range r {
			switch x := v.(type) {
			case string:
				if safe {
					x = report.CSVSafe(x)
				}
				row[i] = x
			case int64:
				row[i] = strconv.FormatInt(x, 10)
			case int32:
				row[i] = strconv.FormatInt(int64(x), 10)
			case float64:
				row[i] = strconv.FormatFloat(x, 'f', -1, 64)
			case bool:
				row[i] = strconv.FormatBool(x)
			case time.Time:
				row[i] = x.UTC().Format(time.RFC3339)
			default:
				row[i] = ""
			}
		}
		w.Write(row)
	}
	w.Flush()
	return w.Error()
}

func writeTableParquet(f io.Writer, t table) error {
	schema := arrow.NewSchema(t.cols, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	for _, r := range t.rows {
		for i, v := range r {
			if v == nil {
				rb.Field(i).AppendNull()
				continue
			}
			switch b := rb.Field(i).(type) {
			case *array.StringBuilder:
				b.Append(strings.ToValidUTF8(v.(string), "\uFFFD"))
			case *array.Int64Builder:
				b.Append(v.(int64))
			case *array.Int32Builder:
				b.Append(v.(int32))
			case *array.Float64Builder:
				b.Append(v.(float64))
			case *array.BooleanBuilder:
				b.Append(v.(bool))
			case *array.TimestampBuilder:
				b.Append(arrow.Timestamp(v.(time.Time).UnixMicro()))
			}
		}
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	w, err := newParquetWriter(f, schema, "zstd")
	if err != nil {
		return err
	}
	if err := w.Write(rec); err != nil {
		w.Abort()
		return err
	}
	return w.Close(map[string]string{"analyze.table": t.name})
}
