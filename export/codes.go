package export

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"analyze/report"
)

// CodesPath is where a Parquet dataset keeps the status catalogue, so that
// engines can join on status: a folder of its own whose name starts with
// '_', which Hive-style partition discovery (Spark, Trino) passes over.
const CodesPath = "_codes/codes.parquet"

var codesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "status", Type: arrow.PrimitiveTypes.Int32},
	{Name: "class", Type: arrow.BinaryTypes.String},
	{Name: "diagnosis", Type: arrow.BinaryTypes.String},
	{Name: "title", Type: arrow.BinaryTypes.String},
	{Name: "meaning", Type: arrow.BinaryTypes.String},
	{Name: "cause", Type: arrow.BinaryTypes.String},
	{Name: "action", Type: arrow.BinaryTypes.String},
	{Name: "retry", Type: arrow.BinaryTypes.String},
	{Name: "retry_non_idempotent", Type: arrow.BinaryTypes.String},
	{Name: "documented", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

// writeCodes writes the catalogue to dir/CodesPath, atomically.
func writeCodes(dir, compression string) error {
	p := filepath.Join(dir, CodesPath)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("cannot create %s: %w", filepath.Dir(p), err)
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, codesSchema)
	defer rb.Release()
	for _, c := range report.Codes() {
		rb.Field(0).(*array.Int32Builder).Append(int32(c.Status))
		for i, s := range []string{c.Class, c.Diagnosis, c.Title, c.Meaning, c.Cause, c.Action, c.Retry, c.RetryUnsafe} {
			rb.Field(1 + i).(*array.StringBuilder).Append(s)
		}
		rb.Field(9).(*array.BooleanBuilder).Append(c.Documented)
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	tmp := tempName(p)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", tmp, err)
	}
	w, err := newParquetWriter(f, codesSchema, compression)
	if err == nil {
		err = w.Write(rec)
	}
	if err == nil {
		err = w.Close(nil)
	} else {
		f.Close()
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %w", p, err)
	}
	return nil
}
