package report

import (
	"analyze/report/analysis"
	"analyze/report/quota"
	"analyze/report/retry"
)

// ClientSelector says which field of a record identifies its client
// (--client); see analysis.ClientSelector.
type ClientSelector = analysis.ClientSelector

// ParseClientSelector parses a --client-key value; "" is the default.
func ParseClientSelector(s string) (ClientSelector, error) { return analysis.ParseClientSelector(s) }

// The quota and retry analyses' types the writers and cmd/analyze use,
// under the names they had in this package.
type (
	QuotaOptions = quota.Options
	QuotaReport  = quota.Report
	QuotaWindows = quota.Windows
	QuotaClient  = quota.Client
	Burst        = quota.Burst

	RetryOptions = retry.Options
	RetryReport  = retry.Report
	RetryClient  = retry.Client
	Storm        = retry.Storm
	Unrecovered  = retry.Unrecovered
)
