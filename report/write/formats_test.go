package write

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"analyze/ingest"
	"analyze/report"
)

// TestFormatsTable checks each entry of the table: a name, extensions
// that no other format claims, a writer for every report it can be asked
// for, and a Head that knows what its own writers write (the folder
// reading leaves out a report by its Head: a writer whose first bytes
// changed would be read back as a log).
func TestFormatsTable(t *testing.T) {
	r, _ := aggregate(t, []string{"../../samples/"}, ingest.Options{Workers: 2}, report.Filter{})
	names, exts := map[string]bool{}, map[string]string{}
	for _, f := range Formats {
		if f.Name == "" || names[f.Name] {
			t.Errorf("format %q: a name empty or twice", f.Name)
		}
		names[f.Name] = true
		if len(f.Exts) == 0 {
			t.Errorf("%s: no extension: --out cannot name it", f.Name)
		}
		for _, e := range f.Exts {
			if !strings.HasPrefix(e, ".") || e != strings.ToLower(e) {
				t.Errorf("%s: extension %q, want lower case with its dot", f.Name, e)
			}
			if other, ok := exts[e]; ok {
				t.Errorf("%s: extension %s is %s's too", f.Name, e, other)
			}
			exts[e] = f.Name
		}
		if f.Write == nil && len(f.Sections) == 0 {
			t.Errorf("%s: no writer", f.Name)
		}
		if f.Head == nil {
			t.Errorf("%s: no Head: its reports in a log folder would be read as logs", f.Name)
			continue
		}
		writers := map[string]Writer{}
		if f.Write != nil {
			writers["report"] = fixedWidth(f, DefaultWidth)
			writers["report --width 0"] = fixedWidth(f, 0)
		}
		for sub, w := range f.Sections {
			if w == nil {
				t.Errorf("%s: no writer for analyze %s", f.Name, sub)
				continue
			}
			writers[sub] = w
		}
		for what, w := range writers {
			var b bytes.Buffer
			if err := w(&b, r); err != nil {
				t.Fatalf("%s, %s: %v", f.Name, what, err)
			}
			head := b.Bytes()[:min(b.Len(), 512)]
			if !f.Head(head) || !IsOutput(head) {
				t.Errorf("%s, %s: its own Head does not know it: %.80q", f.Name, what, head)
			}
		}
	}
}

// TestOutputFor: every extension in the table gives its format, in any
// case; other names give none.
func TestOutputFor(t *testing.T) {
	for _, f := range Formats {
		for _, e := range f.Exts {
			for _, name := range []string{"r" + e, "/var/log/nightly" + strings.ToUpper(e)} {
				if got := OutputFor(name); got != f.Name {
					t.Errorf("OutputFor(%q) = %q, want %q", name, got, f.Name)
				}
			}
		}
	}
	for _, name := range []string{"access.log", "r", "r.json.gz", "r.parquet", ".md/x"} {
		if got := OutputFor(name); got != "" {
			t.Errorf("OutputFor(%q) = %q, want none", name, got)
		}
	}
	if got := Exts(); len(got) == 0 || !slices.Contains(got, ".md") || !slices.Contains(got, ".markdown") {
		t.Errorf("Exts() = %v, want every format's extensions", got)
	}
}

// TestLookup: every name in the table is found with its writers; others
// are not.
func TestLookup(t *testing.T) {
	for _, f := range Formats {
		got, ok := Lookup(f.Name)
		if !ok || got.Name != f.Name || (got.Write == nil) != (f.Write == nil) || len(got.Sections) != len(f.Sections) {
			t.Errorf("Lookup(%q) = %+v, %v", f.Name, got.Name, ok)
		}
	}
	for _, name := range []string{"", "TEXT", "yaml", "parquet"} {
		if _, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) found a format", name)
		}
	}
}

// TestUsage: the help lists the formats as prose, from the table.
func TestUsage(t *testing.T) {
	want := "text, markdown, json, html (a self-contained page) or prometheus (node_exporter's textfile format); csv with analyze retries and timeline"
	if got := Usage(); got != want {
		t.Errorf("Usage() = %q\nwant %q", got, want)
	}
	if got, want := UsualExts(), ".txt, .md, .json, .html, .prom, .csv"; got != want {
		t.Errorf("UsualExts() = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a or b"}, {[]string{"a", "b", "c"}, "a, b or c"}} {
		if got := Or(tc.in); got != tc.want {
			t.Errorf("Or(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	codes := Names(func(f Format) bool { return f.Codes != nil })
	if got, want := Or(codes), "text, markdown or json"; got != want {
		t.Errorf("analyze codes formats: %q, want %q", got, want)
	}
}
