package export

import (
	"bufio"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Row groups are cut at rowGroupRows rows or rowGroupBytes of encoded data,
// whichever comes first: sizes engines scan well, and the memory a writer
// holds stays bounded.
const (
	rowGroupRows  = 1 << 17
	rowGroupBytes = 128 << 20
)

// uniqueColumns hold values that rarely repeat: a dictionary would only
// grow its hash table (the largest part of an export's memory) before
// falling back to plain encoding.
var uniqueColumns = []string{"time", "path", "query", "bytes", "duration_ms", "upstream_ms", "request_id", "source_line"}

type parquetWriter struct {
	f  *os.File
	bw *bufio.Writer
	fw *pqarrow.FileWriter
}

// codec returns the Parquet codec of a --compression name.
func codec(name string) (compress.Compression, error) {
	switch name {
	case "", "zstd":
		return compress.Codecs.Zstd, nil
	case "snappy":
		return compress.Codecs.Snappy, nil
	case "none":
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("unknown compression %q (want zstd, snappy or none)", name)
}

func newParquetWriter(f *os.File, schema *arrow.Schema, compression string) (*parquetWriter, error) {
	c, err := codec(compression)
	if err != nil {
		return nil, err
	}
	opts := []parquet.WriterProperty{
		parquet.WithCompression(c),
		// zstd level 1, klauspost/compress's fastest: on the generated
		// logs its files are 2 % smaller than at its default level, and the
		// single writer (an export's bottleneck) ~10 % faster.
		parquet.WithCompressionLevel(1),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(true),
		parquet.WithMaxRowGroupLength(rowGroupRows),
		parquet.WithCreatedBy("analyze"),
	}
	for _, name := range uniqueColumns {
		opts = append(opts, parquet.WithDictionaryFor(name, false))
	}
	props := parquet.NewWriterProperties(opts...)
	bw := bufio.NewWriterSize(f, 1<<20)
	fw, err := pqarrow.NewFileWriter(schema, bw, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, err
	}
	return &parquetWriter{f: f, bw: bw, fw: fw}, nil
}

func (w *parquetWriter) Write(rec arrow.RecordBatch) error {
	if err := w.fw.WriteBuffered(rec); err != nil {
		return err
	}
	if w.fw.RowGroupTotalBytesWritten() >= rowGroupBytes {
		return w.fw.NewBufferedRowGroupChecked()
	}
	return nil
}

func (w *parquetWriter) Close(meta map[string]string) error {
	for k, v := range meta {
		if err := w.fw.AppendKeyValueMetadata(k, v); err != nil {
			return err
		}
	}
	if err := w.fw.Close(); err != nil {
		return err
	}
	// pqarrow's Close does not flush a bufio.Writer wrapped around the file.
	return finishFile(w.bw, w.f)
}

func (w *parquetWriter) Abort() { w.f.Close() }
