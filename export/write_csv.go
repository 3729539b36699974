package export

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"analyze/report"
)

// CSV files have a header row and the same columns as Parquet: times in
// RFC 3339 UTC with microseconds, nulls as empty cells, RFC 4180 quoting;
// with CSVSafe, cells a spreadsheet would run as formulas get a leading
// apostrophe (report.CSVSafe).
type csvWriter struct {
	bw   *bufio.Writer
	cw   *csv.Writer
	safe bool
	row  []string
}

func newCSVWriter(f io.Writer, schema *arrow.Schema, safe bool) (*csvWriter, error) {
	bw := bufio.NewWriterSize(f, 1<<20)
	w := &csvWriter{bw: bw, cw: csv.NewWriter(bw), safe: safe}
	header := make([]string, len(schema.Fields()))
	for i, fl := range schema.Fields() {
		header[i] = fl.Name
	}
	w.row = make([]string, len(header))
	return w, w.cw.Write(header)
}

func (w *csvWriter) Write(rec arrow.RecordBatch) error {
	n := int(rec.NumRows())
	for r := 0; r < n; r++ {
		for c := 0; c < int(rec.NumCols()); c++ {
			w.row[c] = w.cell(rec.Column(c), r)
		}
		if err := w.cw.Write(w.row); err != nil {
			return err
		}
	}
	return w.cw.Error()
}

func (w *csvWriter) cell(col arrow.Array, r int) string {
	if col.IsNull(r) {
		return ""
	}
	switch a := col.(type) {
	case *array.String:
		if w.safe {
			return report.CSVSafe(a.Value(r))
		}
		return a.Value(r)
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(r)), 10)
	case *array.Int64:
		return strconv.FormatInt(a.Value(r), 10)
	case *array.Float64:
		return strconv.FormatFloat(a.Value(r), 'f', -1, 64)
	case *array.Timestamp:
		return time.UnixMicro(int64(a.Value(r))).UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	return col.ValueStr(r)
}

func (w *csvWriter) Close(map[string]string) error {
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return err
	}
	return w.bw.Flush()
}

// Abort drops what is buffered; the file is its owner's to remove.
func (w *csvWriter) Abort() {}
