package analysis

import "time"

// Logged values kept as keys or shown in lists are cut, as a line may be
// megabytes long: a client or endpoint at MaxKeyBytes, a failure's target
// in the unrecovered list at MaxTargetBytes, each marked by Cut.
const (
	MaxKeyBytes    = 512
	MaxTargetBytes = 2048
)

// Cut shortens b, a buffer of the caller's, to n bytes and "…" when longer.
func Cut(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return append(b[:n], "…"...)
}

// FloorDiv is t / w rounded down (towards minus infinity), w > 0: the
// window of a time before 1970 is negative, not zero.
func FloorDiv(t, w int64) int64 {
	q := t / w
	if t < 0 && t%w != 0 {
		q--
	}
	return q
}

// StampNS is a time in Unix nanoseconds as reports write it: RFC 3339 in
// UTC, with the fraction of a second when there is one.
func StampNS(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }
