package report

import (
	"bytes"
	"encoding/gob"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// The stored runs and carries are gob, compressed with zstd. One encoder
// and one decoder serve every call (EncodeAll and DecodeAll are safe for
// concurrent use): a new one each call cost analyze watch, which stores a
// run a minute and merges runs every refresh, most of its allocations.
// The frames are zstd's, as the streaming writer wrote them before:
// either reads the other's.
var (
	codecOnce sync.Once
	zenc      *zstd.Encoder
	zdec      *zstd.Decoder
)

// maxDecoded bounds what a stored run or carry may decode to: a run's
// aggregates are bounded far below it, and a damaged or hostile state file
// cannot make a run allocate more.
const maxDecoded = 1 << 30

func codec() {
	codecOnce.Do(func() {
		zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
		zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxDecoded))
	})
}

// encodeGob returns v as gob, compressed.
func encodeGob(v any) ([]byte, error) {
	codec()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return zenc.EncodeAll(buf.Bytes(), make([]byte, 0, buf.Len()/4)), nil
}

// decodeGob decodes what encodeGob wrote (or the streaming writer did)
// into v.
func decodeGob(b []byte, v any) error {
	codec()
	raw, err := zdec.DecodeAll(b, nil)
	if err != nil {
		return err
	}
	return gob.NewDecoder(bytes.NewReader(raw)).Decode(v)
}
