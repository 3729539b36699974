package watch

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// pieces are lines as read, copied into pieces of about pieceBytes: a
// minute grows without the copies of a slice that doubles, and a run
// reads the pieces one after the other (ingest.File.Data).
type pieces [][]byte

const pieceBytes = 256 << 10

// add copies line to the last piece, or a new one when it is full.
func (p *pieces) add(line []byte) {
	n := len(*p)
	if n == 0 || cap((*p)[n-1])-len((*p)[n-1]) < len(line) {
		*p = append(*p, make([]byte, 0, max(pieceBytes, len(line))))
		n++
	}
	(*p)[n-1] = append((*p)[n-1], line...)
}

// A closed minute keeps its lines compressed, to be run again under a
// filter: access logs compress about tenfold, so the horizon's lines cost
// a tenth of their size. One encoder and decoder serve every minute.
var (
	codecOnce sync.Once
	encoder   *zstd.Encoder
	decoder   *zstd.Decoder
)

func codec() {
	codecOnce.Do(func() {
		encoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
			zstd.WithWindowSize(pieceBytes))
		decoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	})
}

// compress returns each input's pieces compressed, one by one, each in a
// slice of its own size (the encoder's output has room for the input).
func compress(data []pieces) []pieces {
	codec()
	out := make([]pieces, len(data))
	var scratch []byte
	for i, d := range data {
		for _, piece := range d {
			scratch = encoder.EncodeAll(piece, scratch[:0])
			out[i] = append(out[i], bytes.Clone(scratch))
		}
	}
	return out
}

// decompress undoes compress.
func decompress(raw []pieces) ([]pieces, error) {
	codec()
	out := make([]pieces, len(raw))
	for i, r := range raw {
		for _, piece := range r {
			d, err := decoder.DecodeAll(piece, nil)
			if err != nil {
				return nil, fmt.Errorf("cannot read a minute kept back: %w", err)
			}
			out[i] = append(out[i], d)
		}
	}
	return out, nil
}
