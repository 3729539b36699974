package report

import (
	"bytes"
	"encoding/gob"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// TestDecodeStreamedGob: the stored runs and carries that earlier versions
// wrote with zstd's streaming writer still decode, and what encodeGob
// writes the streaming reader reads.
func TestDecodeStreamedGob(t *testing.T) {
	want := carrySnap{Version: carryVersion, Waits: []waitSnap{{Client: 7, At: 1, Deadline: 2}}}
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := gob.NewEncoder(zw).Encode(&want); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	var got carrySnap
	if err := decodeGob(buf.Bytes(), &got); err != nil || len(got.Waits) != 1 || got.Waits[0] != want.Waits[0] {
		t.Fatalf("streamed: got %+v, %v", got, err)
	}

	b, err := encodeGob(&want)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zstd.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got = carrySnap{}
	if err := gob.NewDecoder(zr).Decode(&got); err != nil || len(got.Waits) != 1 || got.Waits[0] != want.Waits[0] {
		t.Fatalf("read back streaming: got %+v, %v", got, err)
	}
}
