// Package export writes one row per access-log record to CSV or Parquet
// datasets that DuckDB, Spark, Trino and pandas read as they are.
//
// In: ingest blocks, walked by per-worker Batchers (batch.go) that classify
// each record and append it to Arrow column builders, one batch per block
// and date. Out: a Dataset (dataset.go) that writes the batches to Parquet
// (write_parquet.go) or CSV (write_csv.go) files, Hive-partitioned by date
// or not, each written under a temporary name and renamed into place when
// complete, so an interrupted run never leaves a half file behind.
package export

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Columns of a per-request row, in order. Extra fields of the format follow
// as nullable strings named extra_<name>.
var baseFields = []arrow.Field{
	{Name: "time", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "client", Type: arrow.BinaryTypes.String},
	{Name: "remote_user", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "method", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "path", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "query", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "endpoint", Type: arrow.BinaryTypes.String},
	{Name: "protocol", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "status", Type: arrow.PrimitiveTypes.Int32},
	{Name: "class", Type: arrow.BinaryTypes.String},
	{Name: "diagnosis", Type: arrow.BinaryTypes.String},
	{Name: "retry_policy", Type: arrow.BinaryTypes.String},
	{Name: "bytes", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "duration_ms", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "upstream_ms", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "retry_after_s", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "referer", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "user_agent", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "request_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "source_file", Type: arrow.BinaryTypes.String},
	{Name: "source_line", Type: arrow.PrimitiveTypes.Int64},
	// Added on 2026-11-25, after the columns above, which keep their places.
	{Name: "host", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "credential", Type: arrow.BinaryTypes.String, Nullable: true},
}

// Column indexes into baseFields.
const (
	colTime = iota
	colClient
	colUser
	colMethod
	colPath
	colQuery
	colEndpoint
	colProtocol
	colStatus
	colClass
	colDiagnosis
	colRetry
	colBytes
	colDuration
	colUpstream
	colRetryAfter
	colReferer
	colAgent
	colRequestID
	colFile
	colLine
	colHost
	colCredential
	numBase
)

// Schema returns the row schema for a dataset whose formats log the given
// extra fields (names as the format calls them).
func Schema(extras []string) *arrow.Schema {
	fields := append([]arrow.Field(nil), baseFields...)
	for _, e := range extras {
		fields = append(fields, arrow.Field{Name: ExtraColumn(e), Type: arrow.BinaryTypes.String, Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// ExtraColumn names the column of an extra field: "extra_" and the name
// with every byte outside [A-Za-z0-9_] turned into '_' (engines quote
// nothing then).
func ExtraColumn(name string) string {
	b := []byte("extra_" + name)
	for i := len("extra_"); i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}
