package export

import "testing"

// TestResultSummary: the line analyze export prints names the
// unrecognized lines only when there are some, and the filtered records
// only when filters were given.
func TestResultSummary(t *testing.T) {
	files := map[string]int64{"a": 2, "b": 1}
	for _, c := range []struct {
		name     string
		acc      Accounting
		filtered bool
		want     string
	}{
		{"plain", Accounting{Lines: 5, Records: 3, Rejected: 1, Blank: 1, Rows: 3}, false,
			"wrote 3 rows to 2 file(s) in /out; 5 lines read: 3 records, 1 rejected, 1 blank"},
		{"unrecognized", Accounting{Lines: 9, Records: 3, Rejected: 1, Unrecognized: 4, Blank: 1, Rows: 3}, false,
			"wrote 3 rows to 2 file(s) in /out; 9 lines read: 3 records, 1 rejected, 4 unrecognized, 1 blank"},
		{"filtered", Accounting{Lines: 5, Records: 3, Rejected: 1, Blank: 1, Filtered: 0, Rows: 3}, true,
			"wrote 3 rows to 2 file(s) in /out; 5 lines read: 3 records, 1 rejected, 1 blank; 0 records left out by the filters"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &Result{Files: files, Accounting: c.acc}
			if got := r.Summary("/out", c.filtered); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}
