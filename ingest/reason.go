package ingest

// Reason says why a line was rejected. The zero Reason means the line parsed.
type Reason uint8

// The rejection reasons. Their String values are a stable contract: they are
// the keys of input.rejected_reasons in the JSON report.
const (
	OK             Reason = iota
	Truncated             // the line ends before its required fields
	BadTimestamp          // the timestamp is missing, malformed, or outside 1970-2199
	BadStatus             // the status is not a number from 0 to 999
	BadSize               // the response size is neither a number nor "-"
	BadRequestLine        // the request field is not quoted where the format needs it
	NotALogLine           // the line is not in the file's format at all
	TooLong               // the line is longer than the line limit
	BadJSON               // a JSON-lines record that is not valid JSON
	MissingField          // a JSON record without a status or timestamp field
	NoFormat              // the file matched no known format, so none of its lines could be read
	Unreadable            // the last, partial line of a truncated or corrupt compressed input
	FieldCount            // a W3C line with another number of fields than its #Fields directive
	NumReasons

	// skipLine is what a parser returns for a line that is not data (a W3C
	// directive): the scanner counts it as blank. It is no rejection.
	skipLine Reason = 255
)

var reasonNames = [NumReasons]string{
	"ok", "truncated", "bad_timestamp", "bad_status", "bad_size", "bad_request_line",
	"not_a_log_line", "too_long", "bad_json", "missing_field", "no_format", "unreadable", "field_count",
}

// String returns the reason's stable id.
func (r Reason) String() string {
	if r < NumReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// Rejection is one line that did not parse.
type Rejection struct {
	File    *File
	Line    int64
	Reason  Reason
	Snippet []byte // the start of the line, at most SnippetBytes; aliases the block
}

// SnippetBytes is how much of a rejected line a Rejection keeps.
const SnippetBytes = 200
