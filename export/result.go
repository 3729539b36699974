package export

import (
	"fmt"
	"strings"
)

// Summary is the line analyze export prints of r, an export to the folder
// out: the rows and files written and the accounting of the lines read;
// with filtered, the records the filters left out too.
func (r *Result) Summary(out string, filtered bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrote %d rows to %d file(s) in %s; %d lines read: %d records, %d rejected, ",
		r.Rows, len(r.Files), out, r.Lines, r.Records, r.Rejected)
	if r.Unrecognized > 0 {
		fmt.Fprintf(&b, "%d unrecognized, ", r.Unrecognized)
	}
	fmt.Fprintf(&b, "%d blank", r.Blank)
	if filtered {
		fmt.Fprintf(&b, "; %d records left out by the filters", r.Filtered)
	}
	return b.String()
}
