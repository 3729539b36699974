package report

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// layers ranks the module's packages: a package imports only packages of
// a lower rank, so imports go one way (cmd → writers, show, state, export
// → report → the analyses → the seam → ingest, classify), and two
// analyses, or two writers' packages, never lean on each other. A new
// package must be given its rank here.
var layers = map[string]int{
	"outfile": 0, "classify": 0, "ingest/privacy": 0, "samples/synth": 0, "internal/browsertest": 0,
	"ingest":          1,
	"report/analysis": 2,
	"report/tables":   3, "report/quota": 3, "report/retry": 3, "report/timeline": 3,
	"report":       4,
	"report/write": 5, "report/show": 5, "state": 5,
	"export": 6, "watch": 6,
	"cmd/analyze": 7, "samples/gen": 7,
}

// maxReportLines bounds each package of report/ in non-test lines: the
// engine, each analysis and the writers stay small enough to read whole
// ("about 3,000 lines", issue 24).
const maxReportLines = 3300

// TestLayout checks the import direction and the size of report's
// packages, from the sources.
func TestLayout(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]map[string]bool{}
	lines := map[string]int{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		if imports[pkg] == nil {
			imports[pkg] = map[string]bool{}
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if dep, ok := strings.CutPrefix(p, "analyze/"); ok {
				imports[pkg][dep] = true
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		lines[pkg] += strings.Count(string(b), "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pkg, deps := range imports {
		rank, ok := layers[pkg]
		if !ok {
			t.Errorf("package %s has no rank in layers: give it one", pkg)
			continue
		}
		for dep := range deps {
			if r, ok := layers[dep]; ok && r >= rank {
				t.Errorf("%s (rank %d) imports %s (rank %d): imports go to lower ranks only", pkg, rank, dep, r)
			}
		}
	}
	for pkg, n := range lines {
		if (pkg == "report" || strings.HasPrefix(pkg, "report/")) && n > maxReportLines {
			t.Errorf("package %s has %d lines of non-test code, over %d: split it by what it does", pkg, n, maxReportLines)
		}
	}
}
