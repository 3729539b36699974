package ingest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestReorder puts the blocks of three files in shuffled orders and wants
// each file's blocks handed on in Seq order, the Last marker last and
// flagged, and with NewSerialReorder the files one after another in the
// order given.
func TestReorder(t *testing.T) {
	blocks := []int{3, 1, 5} // blocks per file, its Last marker included
	files := []*File{{Index: 0}, {Index: 1}, {Index: 2}}
	var keys []BlockKey
	for f, n := range blocks {
		for seq := range n {
			keys = append(keys, BlockKey{File: f, Seq: seq, Last: seq == n-1})
		}
	}
	name := func(k BlockKey) string { return fmt.Sprintf("%d.%d", k.File, k.Seq) }
	for _, tc := range []struct {
		name   string
		serial []*File // nil: per file
		want   []string
	}{
		{"per file", nil, nil},
		{"serial, given order", files, []string{"0.0", "0.1", "0.2", "1.0", "2.0", "2.1", "2.2", "2.3", "2.4"}},
		{"serial, other order", []*File{files[2], files[0], files[1]}, []string{"2.0", "2.1", "2.2", "2.3", "2.4", "0.0", "0.1", "0.2", "1.0"}},
	} {
		rng := rand.New(rand.NewPCG(1, 2))
		for round := range 50 {
			shuffled := slices.Clone(keys)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			r := NewReorder[string](len(files))
			if tc.serial != nil {
				r = NewSerialReorder[string](tc.serial)
			}
			var got []string
			perFile := make([][]int, len(files))
			for _, k := range shuffled {
				r.Put(k, name(k), func(seq int, v string, last bool) {
					var f int
					fmt.Sscanf(v, "%d.", &f)
					if want := fmt.Sprintf("%d.%d", f, seq); v != want {
						t.Fatalf("%s: emit(seq %d, %q): seq and value disagree", tc.name, seq, v)
					}
					if wantLast := seq == blocks[f]-1; last != wantLast {
						t.Errorf("%s: %s handed on with last=%v, want %v", tc.name, v, last, wantLast)
					}
					got = append(got, v)
					perFile[f] = append(perFile[f], seq)
				})
			}
			if len(got) != len(keys) {
				t.Fatalf("%s, round %d: %d blocks handed on, want %d (%q from %v)", tc.name, round, len(got), len(keys), got, shuffled)
			}
			for f, seqs := range perFile {
				if !slices.IsSorted(seqs) {
					t.Errorf("%s, round %d: file %d's blocks handed on as %v, want in order", tc.name, round, f, seqs)
				}
			}
			if tc.want != nil && !slices.Equal(got, tc.want) {
				t.Errorf("%s, round %d: handed on %q, want %q", tc.name, round, got, tc.want)
			}
			held := 0
			r.Pending(func(string) { held++ })
			if held != 0 {
				t.Errorf("%s, round %d: %d blocks still held, want 0", tc.name, round, held)
			}
		}
	}
}

// TestReorderHeld: blocks after one that never comes (an interrupted run)
// are held, not handed on, and Pending gives them to the caller to release.
func TestReorderHeld(t *testing.T) {
	for _, tc := range []struct {
		name    string
		serial  bool
		put     []BlockKey
		emitted []string
		held    []string
	}{
		{"gap in a file", false,
			[]BlockKey{{0, 0, false}, {0, 2, false}, {1, 0, false}, {0, 3, true}},
			[]string{"0.0", "1.0"}, []string{"0.2", "0.3"}},
		{"serial: the second file waits for the first", true,
			[]BlockKey{{1, 0, false}, {1, 1, true}, {0, 0, false}},
			[]string{"0.0"}, []string{"1.0", "1.1"}},
	} {
		r := NewReorder[string](2)
		if tc.serial {
			r = NewSerialReorder[string]([]*File{{Index: 0}, {Index: 1}})
		}
		var emitted, held []string
		for _, k := range tc.put {
			r.Put(k, fmt.Sprintf("%d.%d", k.File, k.Seq), func(_ int, v string, _ bool) { emitted = append(emitted, v) })
		}
		r.Pending(func(v string) { held = append(held, v) })
		slices.Sort(held)
		if !slices.Equal(emitted, tc.emitted) || !slices.Equal(held, tc.held) {
			t.Errorf("%s: handed on %q, held %q; want %q, %q", tc.name, emitted, held, tc.emitted, tc.held)
		}
	}
}
