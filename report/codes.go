package report

import "analyze/classify"

// CodeRow is one catalogue entry as `analyze codes -o json` writes it.
type CodeRow struct {
	Status      int    `json:"status"`
	Class       string `json:"class"`
	Diagnosis   string `json:"diagnosis"`
	Title       string `json:"title"`
	Meaning     string `json:"meaning"`
	Cause       string `json:"cause"`
	Action      string `json:"action"`
	Retry       string `json:"retry"`
	RetryUnsafe string `json:"retry_non_idempotent"`
	Documented  bool   `json:"documented"`
}

// Codes returns the status catalogue as rows.
func Codes() []CodeRow {
	var rows []CodeRow
	for _, e := range classify.Entries() {
		rows = append(rows, CodeRow{e.Status, e.Class.String(), e.ID, e.Title, e.Meaning, e.Cause, e.Action,
			e.Retry.String(), e.RetryUnsafe.String(), e.Documented})
	}
	return rows
}
