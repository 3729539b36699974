package watch

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

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
		encoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
		decoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	})
}

// compress returns each input's lines compressed (nil stays nil).
func compress(data [][]byte) [][]byte {
	codec()
	out := make([][]byte, len(data))
	for i, d := range data {
		if d != nil {
			out[i] = encoder.EncodeAll(d, nil)
		}
	}
	return out
}

// decompress undoes compress.
func decompress(raw [][]byte) ([][]byte, error) {
	codec()
	out := make([][]byte, len(raw))
	for i, r := range raw {
		if r == nil {
			continue
		}
		d, err := decoder.DecodeAll(r, nil)
		if err != nil {
			return nil, fmt.Errorf("cannot read a minute kept back: %w", err)
		}
		out[i] = d
	}
	return out, nil
}
