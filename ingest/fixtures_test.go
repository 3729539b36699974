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
		extras                   []string // the detected format's Extras
		forwardedFor             []string // the records' X-Forwarded-For, in line order
	}{
		{"spaced-user.log", "combined", 6, 0, 0, []string{"tz ", "tz ", "", "John Q Smith", "ops [eu]", "alice"}, nil, nil},
		// Caddy's own entries (startup, the error logger) are no requests.
		{"caddy-console.log", "json", 6, 4, 0, []string{"", "erp", "", "", "", ""}, nil, nil},
		// IIS 10 custom fields (no cs(...)): X-Forwarded-For is read as
		// the header, the others kept as extras; 4 directives.
		{"iis-custom-fields.log", "w3c", 3, 0, 4, []string{"", "", ""}, []string{"OriginalIP", "crypt-protocol"},
			[]string{"142.229.83.32", "192.131.139.32,10.0.4.2", ""}},
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
			if f := files[0].Format; f != nil && !slices.Equal(f.Extras, tc.extras) {
				t.Errorf("extras %q, want %q", f.Extras, tc.extras)
			}
			users := make([]string, 0, tc.records)
			var forwardedFor []string
			sc := NewScanner(ParseOptions{KeepSecrets: true})
			err := Run(t.Context(), files, Options{Workers: 1}, func(_ int, b *Block) {
				sc.Reset(b)
				for sc.Next() {
					if sc.Kind() == KindRecord {
						users = append(users, string(sc.Record().User))
						forwardedFor = append(forwardedFor, string(sc.Record().ForwardedFor))
					}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.users != nil && !slices.Equal(users, tc.users) {
				t.Errorf("users %q, want %q", users, tc.users)
			}
			if tc.forwardedFor != nil && !slices.Equal(forwardedFor, tc.forwardedFor) {
				t.Errorf("X-Forwarded-For %q, want %q", forwardedFor, tc.forwardedFor)
			}
		})
	}
}
