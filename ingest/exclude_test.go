package ingest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExpandExclude expands a log folder that holds more than logs with
// --exclude patterns: base names anywhere, folders by name, paths under
// the folder given, glob matches; a file named is always read.
func TestExpandExclude(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"access.log", "README.md", "src/main.go", "src/app.log", "archive/old.log", "archive/deep/older.log"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rel := func(files []*File) string {
		var got []string
		for _, f := range files {
			r, _ := filepath.Rel(dir, f.Path)
			got = append(got, filepath.ToSlash(r))
		}
		return strings.Join(got, " ")
	}
	tests := []struct {
		name      string
		args      []string
		exclude   Exclude
		want      string
		excluded  int
		wantError string
	}{
		{"none", []string{dir}, nil, "README.md access.log archive/deep/older.log archive/old.log src/app.log src/main.go", 0, ""},
		{"base names", []string{dir}, Exclude{"*.go", "README*"}, "access.log archive/deep/older.log archive/old.log src/app.log", 2, ""},
		{"a folder by name", []string{dir}, Exclude{"archive"}, "README.md access.log src/app.log src/main.go", 1, ""},
		{"a folder by name, deeper", []string{dir}, Exclude{"deep"}, "README.md access.log archive/old.log src/app.log src/main.go", 1, ""},
		{"a path under the folder", []string{dir}, Exclude{"archive/*.log"}, "README.md access.log archive/deep/older.log src/app.log src/main.go", 1, ""},
		{"a path with ./", []string{dir}, Exclude{"./src/*"}, "README.md access.log archive/deep/older.log archive/old.log", 2, ""},
		{"glob matches", []string{filepath.Join(dir, "*")}, Exclude{"*.md", "src"}, "access.log archive/deep/older.log archive/old.log", 2, ""},
		{"a file named is read", []string{filepath.Join(dir, "README.md"), filepath.Join(dir, "src")}, Exclude{"README*", "*.go"}, "README.md src/app.log", 1, ""},
		{"all of a folder", []string{filepath.Join(dir, "src")}, Exclude{"*"}, "", 2, "--exclude leaves out all of its files"},
		{"all of a pattern", []string{filepath.Join(dir, "*.md")}, Exclude{"README.md"}, "", 1, "--exclude leaves out every file the pattern matches"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files, excluded, errs := ExpandExclude(tc.args, true, tc.exclude)
			if got := rel(files); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if len(excluded) != tc.excluded {
				t.Errorf("excluded %v, want %d paths", excluded, tc.excluded)
			}
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			if tc.wantError == "" && len(errs) > 0 || tc.wantError != "" && !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, tc.wantError) }) {
				t.Errorf("errors %q, want %q", msgs, tc.wantError)
			}
		})
	}
	if err := (Exclude{"[a-"}).Check(); err == nil || !strings.Contains(err.Error(), `cannot use --exclude "[a-"`) {
		t.Errorf("Check of a malformed pattern: %v", err)
	}
	if err := (Exclude{"*.go", "archive/*"}).Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
}
