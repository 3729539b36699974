package analysis

import (
	"strings"
	"testing"
)

// TestBatchRefs refers to values as the engine does: in the block where
// they lie, copied when they do not, cut when long, absent when not logged;
// Get gives each back as it was.
func TestBatchRefs(t *testing.T) {
	block := []byte("10.0.0.1 GET /api/products HTTP/1.1")
	elsewhere := []byte("/api/products/{id}")
	long := strings.Repeat("p", MaxKeyBytes+10)
	var b Batch
	b.SetBlock(block)
	for _, tc := range []struct {
		name     string
		ref      Ref
		want     []byte
		inBlock  bool
		isLogged bool
	}{
		{"in the block", b.Ref(block[9:12]), []byte("GET"), true, true},
		{"the whole block", b.Ref(block), block, true, true},
		{"elsewhere", b.Ref(elsewhere), elsewhere, false, true},
		{"empty", b.Ref([]byte{}), []byte{}, false, true},
		{"not logged", b.Ref(nil), nil, false, false},
		{"cut", b.RefCut([]byte(long), MaxKeyBytes), []byte(long[:MaxKeyBytes] + "…"), false, true},
		{"short, not cut", b.RefCut(block[13:26], MaxKeyBytes), []byte("/api/products"), true, true},
	} {
		got := b.Get(tc.ref)
		if string(got) != string(tc.want) || (got == nil) != (tc.want == nil) || tc.ref.Logged() != tc.isLogged {
			t.Errorf("%s: Get = %q (nil %v), logged %v; want %q (nil %v), logged %v",
				tc.name, got, got == nil, tc.ref.Logged(), tc.want, tc.want == nil, tc.isLogged)
		}
		if inBlock := tc.ref.Logged() && tc.ref.off&inArena == 0 && tc.ref.n > 1; inBlock != tc.inBlock {
			t.Errorf("%s: in the block %v, want %v", tc.name, inBlock, tc.inBlock)
		}
	}
	// The zero Ref, as a Row made without a value has, is a value not logged.
	if got := b.Get(Ref{}); got != nil || (Ref{}).Logged() {
		t.Errorf("the zero Ref: %q, logged %v; want nil, not logged", got, (Ref{}).Logged())
	}
	// After Reset the arena is reused; the block's values still read.
	b.Reset()
	if r := b.Ref(block[:8]); string(b.Get(r)) != "10.0.0.1" || b.ArenaLen() != 0 {
		t.Errorf("after Reset: %q, arena %d bytes", b.Get(r), b.ArenaLen())
	}
	// Without a block every value is copied.
	b.SetBlock(nil)
	if r := b.Ref(block[:8]); string(b.Get(r)) != "10.0.0.1" || b.ArenaLen() != 8 {
		t.Errorf("without a block: %q, arena %d bytes, want a copy of 8", b.Get(r), b.ArenaLen())
	}
}
