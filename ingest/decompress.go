package ingest

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// readBufBytes is the read buffer of an input: what each read from the
// file or the decompressor's source asks for at most.
const readBufBytes = 256 << 10

// peekBufBytes is the read buffer of a peek at an input's head (Head): a
// buffer fills with one read as large as it is, and a peek at 16 KiB of a
// small rotated file would otherwise read all of it.
const peekBufBytes = 16 << 10

// readBufs and peekBufs keep the read buffers for the next input: a run
// over hundreds of small rotated files would otherwise allocate, and
// collect, a quarter of a megabyte per file.
var (
	readBufs = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readBufBytes) }}
	peekBufs = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, peekBufBytes) }}
)

// decompress looks at the first bytes of r and returns a reader of its
// decompressed content and the name of the compression. Only magic bytes
// count, never a file name: a rotated log named .gz that is plain text is
// read as plain text. Multi-member gzip files and multi-stream xz files are
// read whole. The caller calls the returned func when done with the reader.
func decompress(r io.Reader) (io.Reader, string, func(), error) {
	return decompressWith(&readBufs, r)
}

// decompressHead is decompress for reading an input's first n bytes.
func decompressHead(r io.Reader, n int) (io.Reader, string, func(), error) {
	if n <= peekBufBytes {
		return decompressWith(&peekBufs, r)
	}
	return decompressWith(&readBufs, r)
}

// borrow returns a read buffer of bufs over r, and the func that gives it
// back.
func borrow(bufs *sync.Pool, r io.Reader) (*bufio.Reader, func()) {
	br := bufs.Get().(*bufio.Reader)
	br.Reset(r)
	return br, func() {
		br.Reset(nil)
		bufs.Put(br)
	}
}

func decompressWith(bufs *sync.Pool, r io.Reader) (io.Reader, string, func(), error) {
	br, release := borrow(bufs, r)
	rd, comp, closeFn, err := decompressFrom(br)
	if err != nil {
		release()
		return nil, comp, nil, err
	}
	return rd, comp, func() { closeFn(); release() }, nil
}

// compressionOf names the compression whose magic bytes start b (6 bytes
// are enough), or "none".
func compressionOf(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return "gzip"
	case bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "zstd"
	case bytes.HasPrefix(b, []byte("BZh")) && len(b) >= 4 && b[3] >= '1' && b[3] <= '9':
		return "bzip2"
	case bytes.HasPrefix(b, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		return "xz"
	}
	return "none"
}

// plain returns a read buffer over r, read as it is (no magic bytes are
// looked at), and the func that gives the buffer back.
func plain(r io.Reader) (io.Reader, func()) { return borrow(&readBufs, r) }

func decompressFrom(br *bufio.Reader) (io.Reader, string, func(), error) {
	magic, _ := br.Peek(6)
	switch compressionOf(magic) {
	case "gzip":
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "gzip", nil, err
		}
		return zr, "gzip", func() { zr.Close() }, nil
	case "zstd":
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, "zstd", nil, err
		}
		return zr, "zstd", zr.Close, nil
	case "bzip2":
		return bzip2.NewReader(br), "bzip2", func() {}, nil
	case "xz":
		head, _ := br.Peek(12 + 1024) // the stream header and the first block's, at most
		if dict, ok := xzDictionary(head); ok && dict > xzMaxDictionary {
			return nil, "xz", nil, fmt.Errorf("xz: the stream asks for a %d MiB dictionary, more than the %d MiB analyze allows (xz -9 uses 64 MiB): decompress it first, xz -dc FILE | analyze ... -",
				dict>>20, xzMaxDictionary>>20)
		}
		// Streams back to back (cat a.xz b.xz) are read whole, as gzip's
		// members are.
		xr, err := xz.NewReader(br)
		if err != nil {
			return nil, "xz", nil, err
		}
		return xr, "xz", func() {}, nil
	}
	return br, "none", func() {}, nil
}

// xzMaxDictionary bounds the LZMA2 dictionary of an xz input. The decoder
// (github.com/ulikunitz/xz) allocates the dictionary a block header asks
// for whole, up to 4 GiB, from a few bytes of header; xz -9, the largest
// preset, uses 64 MiB (xz -6, the default, 8 MiB).
const xzMaxDictionary = 64 << 20

// xzDictionary returns the LZMA2 dictionary size that the first block of
// the xz stream starting head asks for, and whether head holds that block
// header whole and well-formed. Only the first block is looked at: xz
// utilities give every block of a stream the same filters.
func xzDictionary(head []byte) (int64, bool) {
	const streamHeader = 12
	if len(head) <= streamHeader || head[streamHeader] == 0 { // 0: the index, no block
		return 0, false
	}
	size := (int(head[streamHeader]) + 1) * 4
	if len(head) < streamHeader+size {
		return 0, false
	}
	h := head[streamHeader+2 : streamHeader+size-4] // after the size and flags, before the CRC32
	flags := head[streamHeader+1]
	// A variable-length integer: 7 bits a byte, low bits first.
	varint := func() (uint64, bool) {
		var v uint64
		for i := 0; i < 9 && i < len(h); i++ {
			v |= uint64(h[i]&0x7f) << (7 * i)
			if h[i] < 0x80 {
				h = h[i+1:]
				return v, true
			}
		}
		return 0, false
	}
	for _, present := range [2]bool{flags&0x40 != 0, flags&0x80 != 0} { // compressed, uncompressed size
		if !present {
			continue
		}
		if _, ok := varint(); !ok {
			return 0, false
		}
	}
	for range int(flags&3) + 1 {
		id, ok1 := varint()
		n, ok2 := varint()
		if !ok1 || !ok2 || n > uint64(len(h)) {
			return 0, false
		}
		props := h[:n]
		h = h[n:]
		if id == 0x21 && n == 1 { // LZMA2: its one byte codes the dictionary size
			c := props[0]
			switch {
			case c > 40:
				return 0, false
			case c == 40:
				return 1<<32 - 1, true
			}
			return (2 | int64(c)&1) << (11 + c/2), true
		}
	}
	return 0, false
}
