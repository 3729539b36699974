package classify

import "slices"

// Entry is one row of the status catalogue.
type Entry struct {
	Status      int
	Class       Class
	ID          string // short stable diagnosis id, e.g. "rate_limited"
	Title       string
	Meaning     string // what the status means for this API
	Cause       string // the likely cause
	Action      string // what the caller should do
	Retry       Policy // policy for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE)
	RetryUnsafe Policy // policy for non-idempotent methods (POST, PATCH, others)
	Documented  bool   // documented by the API's status-code reference
}

// catalogue is the status table. Rows marked documented carry the Quable PIM
// API's own wording (shared/seed/http-status-codes.md); the others carry the
// standard meaning of the code (RFC 9110 and common proxy practice).
var catalogue = []Entry{
	// 1xx
	{100, Other, "continue", "Continue", "Interim response: the client may send the request body.", "Expect: 100-continue handshake logged as a final status.", "Nothing to do.", No, No, false},
	{101, Other, "switching_protocols", "Switching Protocols", "The connection was upgraded (e.g. to WebSocket).", "Protocol upgrade.", "Nothing to do.", No, No, false},

	// 2xx
	{200, Success, "ok", "OK", "The request was successful.", "Typically a successful GET, or content successfully updated through PUT.", "Nothing to do.", No, No, true},
	{201, Success, "created", "Created", "The resource was successfully created.", "Typical response to a successful POST.", "Nothing to do.", No, No, true},
	{202, Success, "accepted", "Accepted", "The request was accepted for asynchronous processing.", "Long-running operation queued.", "Poll the operation's status.", No, No, false},
	{204, Success, "no_content", "No Content", "The request succeeded but there is nothing to show.", "Typical response to a successful DELETE.", "Nothing to do.", No, No, true},
	{206, Success, "partial_content", "Partial Content", "A byte range of the resource was returned.", "Range request (downloads, resumable transfers).", "Nothing to do.", No, No, false},

	// 3xx
	{301, Redirect, "moved_permanently", "Moved Permanently", "The resource has a new permanent URL.", "Old endpoint or missing trailing slash.", "Update the client to the new URL.", No, No, false},
	{302, Redirect, "found", "Found", "The resource is temporarily at another URL.", "Temporary redirect, often to a login page.", "Follow the redirect; check authentication if unexpected.", No, No, false},
	{303, Redirect, "see_other", "See Other", "The result is at another URL, to fetch with GET.", "Post/redirect/get pattern.", "Follow the redirect.", No, No, false},
	{304, Redirect, "not_modified", "Not Modified", "The cached copy is still valid.", "Conditional GET with If-None-Match or If-Modified-Since.", "Nothing to do.", No, No, false},
	{307, Redirect, "temporary_redirect", "Temporary Redirect", "Repeat the request at another URL with the same method.", "Temporary move or HTTPS upgrade.", "Follow the redirect.", No, No, false},
	{308, Redirect, "permanent_redirect", "Permanent Redirect", "Repeat this and future requests at another URL with the same method.", "Permanent move or HTTPS upgrade.", "Update the client to the new URL.", No, No, false},

	// 4xx documented by the API
	{400, ClientError, "bad_request", "Bad Request", "The request contains errors.", "Invalid parameters, malformed JSON body or query.", "Fix the request; do not retry it unchanged.", No, No, true},
	{401, ClientError, "unauthenticated", "Unauthorized", "The request lacks valid authentication credentials.", "Missing, expired or revoked token.", "Refresh the credentials, then retry once.", AfterFix, AfterFix, true},
	{403, ClientError, "forbidden", "Forbidden", "The request uses credentials that are not authorized for access.", "The token's user or role lacks the permission.", "Grant the permission or use other credentials; do not retry.", No, No, true},
	{404, ClientError, "not_found", "Not Found", "The requested resource could not be found.", "Wrong id or path, or the resource was deleted.", "Check the id and the endpoint; do not retry.", No, No, true},
	{405, ClientError, "method_not_allowed", "Method Not Allowed", "The method is not supported or relevant to the resource, or the user does not have permission to access the resource.", "Wrong HTTP method for the endpoint, or missing permission.", "Use the documented method and check permissions.", No, No, true},
	{409, ClientError, "conflict", "Conflict", "The request conflicts with current data.", "Concurrent update, duplicate code, or stale version.", "Re-read the resource, resolve the conflict, then retry once.", AfterFix, AfterFix, true},
	{422, ClientError, "unprocessable", "Unprocessable Entity", "The request is well-formed but its instructions could not be processed; it should not be repeated without modification.", "Business validation failed (missing attribute, invalid value).", "Fix the payload; do not repeat it unchanged.", No, No, true},
	{429, ClientError, "rate_limited", "Too Many Requests", "Too many requests were sent within a specific amount of time; the application must reduce the number of calls or wait a few seconds before resuming. The volume of allowed calls is set by the contract.", "The client exceeded its contractual call rate.", "Wait (honour Retry-After), then retry; reduce the call rate.", AfterWait, AfterWait, true},

	// 4xx not documented by the API
	{408, ClientError, "request_timeout", "Request Timeout", "The server gave up waiting for the complete request.", "Slow or stalled client upload, idle keep-alive connection.", "Retry with backoff; for writes, check the write did not happen.", Backoff, Unsafe, false},
	{410, ClientError, "gone", "Gone", "The resource was removed permanently.", "Deleted resource or retired endpoint.", "Stop calling it; do not retry.", No, No, false},
	{411, ClientError, "length_required", "Length Required", "The request needs a Content-Length.", "Client sent a body without length.", "Fix the client; do not retry.", No, No, false},
	{412, ClientError, "precondition_failed", "Precondition Failed", "A conditional header did not match.", "Stale If-Match / ETag.", "Re-read the resource, then retry once.", AfterFix, AfterFix, false},
	{413, ClientError, "payload_too_large", "Content Too Large", "The request body is larger than the server accepts.", "Upload or batch too large.", "Split the payload; do not retry unchanged.", No, No, false},
	{414, ClientError, "uri_too_long", "URI Too Long", "The request target is longer than the server accepts.", "Too many filters or ids in the query string.", "Shorten the URL or use a POST search; do not retry unchanged.", No, No, false},
	{415, ClientError, "unsupported_media_type", "Unsupported Media Type", "The body's content type is not accepted.", "Missing or wrong Content-Type header.", "Send the documented content type; do not retry unchanged.", No, No, false},
	{416, ClientError, "range_not_satisfiable", "Range Not Satisfiable", "The requested byte range is outside the resource.", "Resumed download past the end.", "Request a valid range.", No, No, false},
	{499, ClientError, "client_closed", "Client Closed Request", "The client closed the connection before the response (nginx).", "Client timeout shorter than the server's processing time.", "Raise the client timeout or make the call lighter; retry with backoff, and for writes check the write did not happen.", Backoff, Unsafe, false},

	// 5xx documented by the API
	{500, ServerError, "internal_error", "Internal Server Error", "The server has encountered a situation it does not know how to handle.", "A server-side bug or an unhandled input.", "Retry with backoff; writes only with an idempotency key or after checking; report if it persists.", Backoff, Unsafe, true},
	{503, ServerError, "unavailable", "Service Unavailable", "The server is not ready to handle the request: down for maintenance or overloaded.", "Maintenance window or overload.", "Wait (honour Retry-After), then retry.", AfterWait, AfterWait, true},
	{504, ServerError, "gateway_timeout", "Gateway Timeout", "The server, acting as a gateway, did not get a response in time.", "A slow upstream: heavy query, large import, overloaded backend.", "Retry with backoff; writes only with an idempotency key or after checking.", Backoff, Unsafe, true},
	{505, ServerError, "http_version_unsupported", "HTTP Version Not Supported", "The HTTP version used in the request is not supported by the server.", "Client speaks an HTTP version the API does not.", "Use HTTP/1.1 or HTTP/2; do not retry unchanged.", No, No, true},

	// 5xx not documented by the API
	{501, ServerError, "not_implemented", "Not Implemented", "The server does not support the method.", "Unknown or unsupported method.", "Use a supported method; do not retry.", No, No, false},
	{502, ServerError, "bad_gateway", "Bad Gateway", "The gateway got an invalid response from the upstream server.", "Upstream crashed or restarted, connection reset.", "Retry with backoff; writes only with an idempotency key or after checking.", Backoff, Unsafe, false},

	// not an HTTP status
	{0, Other, "no_response", "No Response", "No status was sent: the connection ended before a response (logged as 000).", "Client disconnect, TLS failure, or proxy abort.", "Retry with backoff; for writes, check the write did not happen.", Backoff, Unsafe, false},
}

// byStatus indexes catalogue rows and the generic fallbacks by status code.
var byStatus [1000]*Entry

// generic holds one fallback entry per class for codes the catalogue lacks.
var generic [NumClasses]Entry

func init() {
	generic = [NumClasses]Entry{
		Success:     {Class: Success, ID: "success_other", Title: "Success", Meaning: "A success status the API does not document.", Cause: "Uncommon success code.", Action: "Nothing to do.", Retry: No, RetryUnsafe: No},
		Redirect:    {Class: Redirect, ID: "redirect_other", Title: "Redirect", Meaning: "A redirect status the API does not document.", Cause: "Uncommon redirect code.", Action: "Follow the Location header.", Retry: No, RetryUnsafe: No},
		ClientError: {Class: ClientError, ID: "client_error_other", Title: "Client Error", Meaning: "A client-error status the API does not document.", Cause: "Uncommon or vendor-specific 4xx code.", Action: "Inspect the response body; do not retry unchanged.", Retry: No, RetryUnsafe: No},
		ServerError: {Class: ServerError, ID: "server_error_other", Title: "Server Error", Meaning: "A server-error status the API does not document.", Cause: "Uncommon or vendor-specific 5xx code.", Action: "Retry with backoff; writes only with an idempotency key or after checking.", Retry: Backoff, RetryUnsafe: Unsafe},
		Other:       {Class: Other, ID: "nonstandard", Title: "Non-standard Status", Meaning: "A status outside the HTTP classes 2xx-5xx.", Cause: "Vendor-specific code or logging artefact.", Action: "Inspect the server's documentation.", Retry: No, RetryUnsafe: No},
	}
	for i := range catalogue {
		e := &catalogue[i]
		byStatus[e.Status] = e
	}
}

// Lookup returns the catalogue entry for a status. Codes the catalogue lacks
// get a generic entry of their class (its Status field is the code asked
// for only in Verdicts; the generic entry itself has Status 0).
func Lookup(status int) *Entry {
	if status >= 0 && status < len(byStatus) {
		if e := byStatus[status]; e != nil {
			return e
		}
	}
	return &generic[ClassOf(status)]
}

// Entries returns the catalogue rows in status order. The slice is shared:
// callers must not modify it.
func Entries() []Entry { return sortedCatalogue }

var sortedCatalogue = func() []Entry {
	s := slices.Clone(catalogue)
	slices.SortFunc(s, func(a, b Entry) int { return a.Status - b.Status })
	return s
}()
