package tables

import (
	"analyze/report/analysis"
	"strings"
	"testing"
)

func TestPairKey(t *testing.T) {
	long := strings.Repeat("a", analysis.MaxKeyBytes+10)
	for _, tc := range []struct {
		name                  string
		parent, value         string
		wantParent, wantValue string
	}{
		{"plain", "/files/{id}", "/files/7", "/files/{id}", "/files/7"},
		{"empty value", "bob", "", "bob", "-"},
		{"empty parent", "", "/x", "", "/x"},
		{"separator bytes in both", "a\x00b\x01", "\x00c", "a\x00b\x01", "\x00c"},
		{"long parent", strings.Repeat("p", 300), "v", strings.Repeat("p", 300), "v"}, // a two-byte length
		{"long value cut", "e", long, "e", long[:analysis.MaxKeyBytes] + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := pairKey(nil, []byte(tc.parent), []byte(tc.value))
			p, v, ok := splitPair(k)
			if !ok || string(p) != tc.wantParent || string(v) != tc.wantValue {
				t.Errorf("got %q %q %v, want %q %q", p, v, ok, tc.wantParent, tc.wantValue)
			}
		})
	}
	for _, k := range []string{"", "\x05ab", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"} {
		if _, _, ok := splitPair([]byte(k)); ok {
			t.Errorf("splitPair(%q) ok, want a key it did not make refused", k)
		}
	}
}

func TestAddBytes(t *testing.T) {
	if got, want := addBytes(1<<62, 1<<62), int64(1<<63-1); got != want {
		t.Errorf("addBytes overflows: %d, want %d", got, want)
	}
}
