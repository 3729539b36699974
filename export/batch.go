package export

import (
	"bytes"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"analyze/classify"
	"analyze/ingest"
)

// Batch is the rows of one block that fall on one day (UTC), or all of
// them for an unpartitioned dataset.
type Batch struct {
	Day    string // YYYY-MM-DD; "" when the rows are not split by day
	Record arrow.RecordBatch
}

// Batcher turns records into Arrow batches. Each worker has its own; it is
// not safe for concurrent use.
type Batcher struct {
	schema   *arrow.Schema
	extraIdx map[string]int                  // extra field name → column
	builders map[string]*array.RecordBuilder // the block's days'
	spare    *array.RecordBuilder            // see Flush
	order    []string                        // days in the order first seen in the block
	scratch  []byte
	fix      []byte

	lastDay     int64 // the day (since the epoch) of the last record added
	lastDayName string

	// whole: one batch per block, rows in line order, for an unpartitioned
	// dataset (Day is ""). Split by day, a block whose lines cross
	// midnight out of time order would come out reordered.
	whole bool
}

// NewBatcher returns a Batcher for schema, made by Schema(extras).
func NewBatcher(schema *arrow.Schema, extras []string) *Batcher {
	b := &Batcher{schema: schema, extraIdx: map[string]int{}, builders: map[string]*array.RecordBuilder{}}
	for i, e := range extras {
		b.extraIdx[e] = numBase + i
	}
	return b
}

// Add appends one record to the batch of its day.
func (b *Batcher) Add(r *ingest.Record) {
	// The day's name, formatted once per day rather than per record. The
	// day since the epoch by plain division: a record's time is never
	// before 1970 (ingest rejects it as a bad timestamp).
	var day string
	if !b.whole {
		if d := r.Time.Unix() / 86400; d != b.lastDay || b.lastDayName == "" {
			b.lastDay, b.lastDayName = d, r.Time.UTC().Format(time.DateOnly)
		}
		day = b.lastDayName
	}
	rb := b.builders[day]
	if rb == nil {
		if rb = b.spare; rb != nil {
			b.spare = nil
		} else {
			rb = array.NewRecordBuilder(memory.DefaultAllocator, b.schema)
		}
		b.builders[day] = rb
	}
	if rb.Field(0).Len() == 0 {
		b.order = append(b.order, day)
	}
	v := classify.Classify(r.Status, r.Method)

	rb.Field(colTime).(*array.TimestampBuilder).Append(arrow.Timestamp(r.Time.UnixMicro()))
	client := r.Client
	if len(client) == 0 {
		client = dash
	}
	b.str(rb, colClient, client, false)
	b.str(rb, colUser, r.User, true)
	b.str(rb, colMethod, r.Method, true)
	b.str(rb, colPath, r.Path, len(r.Method) == 0)
	b.str(rb, colQuery, r.Query, true)
	endpoint := dash
	if len(r.Method) > 0 {
		b.scratch = classify.Template(b.scratch[:0], r.Path)
		endpoint = b.scratch
	}
	b.str(rb, colEndpoint, endpoint, false)
	b.str(rb, colProtocol, r.Protocol, true)
	rb.Field(colStatus).(*array.Int32Builder).Append(int32(r.Status))
	rb.Field(colClass).(*array.StringBuilder).Append(v.Class.String())
	rb.Field(colDiagnosis).(*array.StringBuilder).Append(v.Entry.ID)
	rb.Field(colRetry).(*array.StringBuilder).Append(v.Retry.String())
	if r.Bytes >= 0 {
		rb.Field(colBytes).(*array.Int64Builder).Append(r.Bytes)
	} else {
		rb.Field(colBytes).AppendNull()
	}
	ms(rb.Field(colDuration).(*array.Float64Builder), r.Duration)
	ms(rb.Field(colUpstream).(*array.Float64Builder), r.Upstream)
	if r.RetryAfter >= 0 {
		rb.Field(colRetryAfter).(*array.Float64Builder).Append(r.RetryAfter.Seconds())
	} else {
		rb.Field(colRetryAfter).AppendNull()
	}
	b.str(rb, colReferer, r.Referer, true)
	b.str(rb, colAgent, r.UserAgent, true)
	b.str(rb, colRequestID, r.RequestID, true)
	rb.Field(colFile).(*array.StringBuilder).Append(r.File.Path)
	rb.Field(colLine).(*array.Int64Builder).Append(r.Line)
	b.str(rb, colHost, r.Host, true)
	b.str(rb, colCredential, r.Credential, true)
	n := rb.Field(colTime).Len()
	for _, f := range r.Extra {
		if i, ok := b.extraIdx[f.Name]; ok && rb.Field(i).Len() < n {
			b.str(rb, i, f.Value, true)
		}
	}
	for i := numBase; i < b.schema.NumFields(); i++ { // not Fields(): it copies them
		if rb.Field(i).Len() < n {
			rb.Field(i).AppendNull()
		}
	}
}

var dash = []byte("-")

// str appends a string column value; an empty value is null when nullable.
// Invalid UTF-8 (a client's bytes) becomes U+FFFD: engines refuse it in
// string columns.
func (b *Batcher) str(rb *array.RecordBuilder, col int, v []byte, nullable bool) {
	sb := rb.Field(col).(*array.StringBuilder)
	if len(v) == 0 && nullable {
		sb.AppendNull()
		return
	}
	if !utf8.Valid(v) {
		b.fix = append(b.fix[:0], bytes.ToValidUTF8(v, []byte("\uFFFD"))...)
		v = b.fix
	}
	sb.BinaryBuilder.Append(v)
}

func ms(fb *array.Float64Builder, d time.Duration) {
	if d < 0 {
		fb.AppendNull()
		return
	}
	fb.Append(float64(d) / float64(time.Millisecond))
}

// Flush returns the batches built since the last Flush, one per day, and
// resets the builders for the next block.
//
// The builder of the block's last day is kept as the spare for the next
// block, its buffers reserved for as many rows and bytes as it just held:
// the next block's rows then go into room made once, instead of buffers
// grown (zeroed and copied) from nothing in every block.
func (b *Batcher) Flush() []Batch {
	out := make([]Batch, 0, len(b.order))
	for i, day := range b.order {
		rb := b.builders[day]
		delete(b.builders, day)
		if i < len(b.order)-1 {
			out = append(out, Batch{Day: day, Record: rb.NewRecordBatch()})
			continue
		}
		rows := rb.Field(0).Len()
		data := make([]int, b.schema.NumFields())
		for c := range data {
			if sb, ok := rb.Field(c).(*array.StringBuilder); ok {
				data[c] = sb.DataLen()
			}
		}
		out = append(out, Batch{Day: day, Record: rb.NewRecordBatch()})
		rb.Reserve(rows)
		for c, n := range data {
			if n > 0 {
				rb.Field(c).(*array.StringBuilder).ReserveData(n)
			}
		}
		b.spare = rb
	}
	b.order = b.order[:0]
	return out
}
