// Package classify turns a parsed access-log record into a verdict: the
// response class, a specific diagnosis from the status catalogue, and the retry
// policy that applies to the request's method.
//
// In: an HTTP status code and method (from ingest.Record). Out: a Verdict that
// points into the catalogue (catalogue.go), the one table of HTTP meanings that
// the classifier, the reports and `analyze codes` all read.
package classify

// Class is the broad family of a response.
type Class uint8

// The classes, in report order.
const (
	Success     Class = iota // 2xx
	Redirect                 // 3xx
	ClientError              // 4xx
	ServerError              // 5xx
	Other                    // anything else, 1xx and 000 included
	NumClasses  = 5
)

var classNames = [NumClasses]string{"success", "redirect", "client_error", "server_error", "other"}

// String returns the class's stable id, as used in JSON keys.
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "other"
}

// ClassOf returns the class of a status code.
func ClassOf(status int) Class {
	switch status / 100 {
	case 2:
		return Success
	case 3:
		return Redirect
	case 4:
		return ClientError
	case 5:
		return ServerError
	}
	return Other
}

// Policy says whether and how a client should retry a failed request.
type Policy uint8

// The retry policies.
const (
	// No: retrying the same request cannot help; fix it first (or, for a
	// success, there is nothing to retry).
	No Policy = iota
	// AfterWait: retry after the Retry-After delay (429, 503).
	AfterWait
	// Backoff: transient server failure on an idempotent request; retry with
	// exponential backoff.
	Backoff
	// Unsafe: transient failure on a non-idempotent request (POST, PATCH); the
	// write may have happened. Retry only with an idempotency key or after
	// checking.
	Unsafe
	// AfterFix: fix the cause (refresh credentials, re-read the resource),
	// then retry once.
	AfterFix
	NumPolicies = 5
)

var policyNames = [NumPolicies]string{"no", "after_wait", "backoff", "unsafe", "after_fix"}

// String returns the policy's stable id.
func (p Policy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "no"
}

// Retryable reports whether the policy allows retrying the same request
// without changing it: after_wait, backoff and unsafe.
func (p Policy) Retryable() bool { return p == AfterWait || p == Backoff || p == Unsafe }

// Idempotent reports whether an HTTP method is idempotent by RFC 9110 §9.2.2.
// POST, PATCH, CONNECT, unknown methods and a missing method are not.
func Idempotent(method []byte) bool {
	switch string(method) {
	case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE":
		return true
	}
	return false
}

// Verdict is what the classifier says of one response.
type Verdict struct {
	Status int
	Class  Class
	Entry  *Entry // never nil: undocumented codes get a generic entry
	Retry  Policy // the entry's policy for this request's method
}

// Classify returns the verdict for a status and request method.
func Classify(status int, method []byte) Verdict {
	e := Lookup(status)
	p := e.Retry
	if !Idempotent(method) {
		p = e.RetryUnsafe
	}
	return Verdict{Status: status, Class: e.Class, Entry: e, Retry: p}
}
