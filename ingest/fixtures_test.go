package ingest

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestFixtures reads the sample logs of testdata/ through the whole ingest
// path, detection included: each is a real-world shape a parser once
// refused. users lists the users of the records, in line order.
func TestFixtures(t *testing.T) {
	for _, tc := range []struct {
		file, format             string
		records, rejected, blank int64
		users                    []string
	}{
		{"spaced-user.log", "combined", 6, 0, 0, []string{"tz ", "tz ", "", "John Q Smith", "ops [eu]", "alice"}},
		// Caddy's own entries (startup, the error logger) are no requests.
		{"caddy-console.log", "json", 6, 4, 0, []string{"", "erp", "", "", "", ""}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			files, errs := Expand([]string{path}, false)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			got := runAll(t, files, Options{})[path]
			if f := files[0].FormatName(); f != tc.format || got.records != tc.records || got.rejected != tc.rejected || got.blank != tc.blank {
				t.Errorf("format %s, %d records, %d rejected %v, %d blank; want %s, %d, %d, %d",
					f, got.records, got.rejected, got.reasons, got.blank, tc.format, tc.records, tc.rejected, tc.blank)
			}
			users := make([]string, 0, tc.records)
			sc := NewScanner(ParseOptions{KeepSecrets: true})
			err := Run(t.Context(), files, Options{Workers: 1}, func(_ int, b *Block) {
				sc.Reset(b)
				for sc.Next() {
					if sc.Kind() == KindRecord {
						users = append(users, string(sc.Record().User))
					}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.users != nil && !slices.Equal(users, tc.users) {
				t.Errorf("users %q, want %q", users, tc.users)
			}
		})
	}
}
