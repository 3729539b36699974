package analysis

import "analyze/classify"

// Event is what the order-sensitive analyses (the client's behaviour after
// a 429; retry chains) need of one record. Workers make one per analysed
// record, in a per-block array; the sequencer puts them in time order.
// They are written, sorted and read back in bulk: the fields are laid out
// to fit 40 bytes (TestEventSize). An event's place among equal times is
// its place in its block's array (line order) and its block's in the input.
type Event struct {
	Time       int64           // Unix nanoseconds
	Client     uint64          // hash of the client key
	Identity   uint64          // hash of (client, method, path with query): a retry's identity
	Info       *FailInfo       // for retryable failures only
	RetryAfter int32           // seconds; -1 when not logged
	Status     int16           // 0..999
	Policy     classify.Policy // the retry policy of its status and method
	Failure    bool            // a 4xx, 5xx or 000
}

// FailInfo describes a retryable failure for the unrecovered list.
type FailInfo struct {
	Client, Method, Target, Endpoint string
	Status                           int
	File                             string
	Line                             int64
}
