package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Bound is a --since or --until value: an instant, or a duration before the
// latest record (resolved once the latest record is known).
type Bound struct {
	At     time.Time
	Before time.Duration // > 0: relative to the latest record
}

// IsZero reports whether no bound was given.
func (b Bound) IsZero() bool { return b.At.IsZero() && b.Before == 0 }

// Relative reports whether the bound needs the latest record's time.
func (b Bound) Relative() bool { return b.Before > 0 }

// Resolve returns the bound's instant, given the latest record's time;
// a relative bound with no latest record (no record at all) is no bound.
func (b Bound) Resolve(latest time.Time) time.Time {
	if b.Relative() {
		if latest.IsZero() {
			return time.Time{} // no record to count back from: no bound
		}
		return latest.Add(-b.Before)
	}
	return b.At
}

// ParseBound parses a time bound: RFC 3339 ("2025-03-12T10:00:00Z", with or
// without fractional seconds), a date ("2025-03-12", midnight UTC), or a
// duration before the latest record ("2h", "90m", "7d").
func ParseBound(s string) (Bound, error) {
	if s == "" {
		return Bound{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return Bound{At: t.UTC()}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return Bound{At: t}, nil
	}
	if d, ok := parseDays(s); ok {
		return Bound{Before: d}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return Bound{Before: d}, nil
	}
	return Bound{}, fmt.Errorf("cannot parse time %q: want RFC 3339 (2025-03-12T10:00:00Z), a date (2025-03-12) or a positive duration before the latest record (2h, 7d)", s)
}

// parseDays parses "7d", which time.ParseDuration lacks.
func parseDays(s string) (time.Duration, bool) {
	n, ok := strings.CutSuffix(s, "d")
	if !ok {
		return 0, false
	}
	days, err := strconv.Atoi(n)
	if err != nil || days <= 0 || days > 100000 {
		return 0, false
	}
	return time.Duration(days) * 24 * time.Hour, true
}

// The range of a limit N/PERIOD: with windows of at most MaxPeriod, a
// limit scaled to a window stays far within int64.
const (
	MaxLimit  = 1e12
	MinPeriod = time.Second
	MaxPeriod = 31 * 24 * time.Hour
)

// ParseLimit parses a --limit value, "N/PERIOD": 600/1m, 10/s, 36000/1h.
// A bare period unit ("s", "m", "h") means one of it.
func ParseLimit(s string) (n int64, period time.Duration, err error) {
	num, per, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("cannot read --limit %q: want N/PERIOD, as in 600/1m or 10/s", s)
	}
	n, err = strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return 0, 0, fmt.Errorf("cannot read --limit %q: %q is not a positive whole number", s, num)
	}
	if n > MaxLimit {
		return 0, 0, fmt.Errorf("cannot read --limit %q: %d is out of range, want 1 to %d requests", s, n, int64(MaxLimit))
	}
	if per == "s" || per == "m" || per == "h" {
		per = "1" + per
	}
	period, err = time.ParseDuration(per)
	if err != nil || period <= 0 {
		return 0, 0, fmt.Errorf("cannot read --limit %q: %q is not a period such as 1s, 1m or 1h", s, per)
	}
	if period < MinPeriod || period > MaxPeriod {
		return 0, 0, fmt.Errorf("cannot read --limit %q: the period %v is out of range, want 1s to 744h (31 days)", s, period)
	}
	return n, period, nil
}

// LimitPerWindow converts a limit of n per period to requests per window,
// rounding down: 100/1m is 16 per 10s window.
func LimitPerWindow(n int64, period, window time.Duration) int64 {
	return int64(float64(n) * float64(window) / float64(period))
}

// ParseClientLimits reads --client-limit values, CLIENT=N/PERIOD each (the
// last '=' ends the client's name), into requests per window of the given
// length by client.
func ParseClientLimits(specs []string, window time.Duration) (map[string]int64, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	limits := make(map[string]int64, len(specs))
	for _, spec := range specs {
		i := strings.LastIndexByte(spec, '=')
		if i <= 0 {
			return nil, fmt.Errorf("cannot read --client-limit %q: want CLIENT=N/PERIOD, as in erp-sync=600/1m", spec)
		}
		client := spec[:i]
		n, period, err := ParseLimit(spec[i+1:])
		if err != nil {
			return nil, fmt.Errorf("--client-limit %s: %w", client, err)
		}
		perWindow := LimitPerWindow(n, period, window)
		if perWindow < 1 {
			return nil, fmt.Errorf("--client-limit %s is less than one request per %v window", spec, window)
		}
		if _, twice := limits[client]; twice {
			return nil, fmt.Errorf("--client-limit names %s twice", client)
		}
		limits[client] = perWindow
	}
	return limits, nil
}

// ParseQuota completes o, whose Window is --window's (0 when not given),
// with the contract of --limit (limit, "" for none) and of --client-limit:
// the window defaults to the limit's period, else to one minute, and the
// limits are counted in requests per window.
func ParseQuota(o QuotaOptions, limit string, clientLimits []string) (QuotaOptions, error) {
	if limit != "" {
		n, period, err := ParseLimit(limit)
		if err != nil {
			return o, err
		}
		if o.Window == 0 {
			o.Window = period
		}
		if o.Limit = LimitPerWindow(n, period, o.Window); o.Limit < 1 {
			return o, fmt.Errorf("--limit %s is less than one request per %v window", limit, o.Window)
		}
	}
	if o.Window == 0 {
		o.Window = time.Minute
	}
	own, err := ParseClientLimits(clientLimits, o.Window)
	if err != nil {
		return o, err
	}
	o.ClientLimits = own
	return o, nil
}
