package ingest

import (
	"math"
	"time"
)

// Timestamp parsers for the layouts access logs use. They work on bytes with
// fixed offsets, allocate nothing, and validate every field: a timestamp that
// does not fit its layout exactly is a BadTimestamp rejection, never a guess.

// dayCache remembers, for the CLF time, the last calendar day parsed, since
// consecutive log lines almost always share it, and the last whole
// timestamp (minuteCache). Each parser owns one; it is not shared.
type dayCache struct {
	key  [11]byte
	days int64
	ok   bool
	minuteCache
}

// minuteCache remembers the last timestamp parsed whole, with its minute's
// start: a log's next line is almost always in the same minute, and then,
// the bytes before its seconds and after them (fraction and zone) being
// the same, only the two digits of its seconds need reading.
type minuteCache struct {
	last    [40]byte // lastLen bytes of it
	lastLen int
	minute  int64 // Unix seconds of its minute's start, its zone applied
	nsec    int64 // its fraction of a second
	lastOff int32
}

// lookup answers for b, a timestamp whose seconds are b[at:at+2], when it
// is in the remembered one's minute.
func (c *minuteCache) lookup(b []byte, at int) (time.Time, int32, bool) {
	if n := c.lastLen; n > 0 && len(b) == n && string(b[:at]) == string(c.last[:at]) && string(b[at+2:]) == string(c.last[at+2:n]) {
		if s, ok := num2(b[at : at+2]); ok && s <= 60 {
			return time.Unix(c.minute+int64(min(s, 59)), c.nsec).UTC(), c.lastOff, true // 60: a leap second, as clock reads it
		}
	}
	return time.Time{}, 0, false
}

// store remembers b, parsed whole to t and off, its seconds at b[at:at+2].
func (c *minuteCache) store(b []byte, at int, t time.Time, off int32) {
	if len(b) > len(c.last) {
		return
	}
	c.lastLen = copy(c.last[:], b)
	s, _ := num2(b[at : at+2]) // parsed whole, so two digits
	c.minute, c.nsec, c.lastOff = t.Unix()-int64(min(s, 59)), int64(t.Nanosecond()), off
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// noZone is the offset the time parsers return for a time logged without a
// zone: its wall clock was read as UTC, and withZone puts it in the zone
// the user gave (--tz).
const noZone int32 = math.MinInt32

// tzone is the zone for times logged without one (--tz); nil means UTC.
type tzone struct{ loc *time.Location }

// apply resolves a time parsed without a zone (off == noZone) in z; other
// times pass through. Its arguments are a time parser's results.
func (z tzone) apply(t time.Time, off int32, ok bool) (time.Time, int32, bool) {
	tz := z.loc
	if !ok || off != noZone {
		return t, off, ok
	}
	if tz == nil || tz == time.UTC {
		return t, 0, true
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	local := time.Date(y, mo, d, h, mi, s, t.Nanosecond(), tz)
	_, o := local.Zone()
	return local.UTC(), int32(o), true
}

// parseCLFTime parses the Common Log Format time "02/Jan/2006:15:04:05 -0700",
// with optional fractional seconds after the seconds and an optional zone
// (a missing zone gives the offset noZone).
func parseCLFTime(b []byte, c *dayCache) (time.Time, int32, bool) {
	if t, off, ok := c.lookup(b, 18); ok {
		return t, off, true
	}
	t, off, ok := parseCLFTimeOnce(b, c)
	if ok {
		c.store(b, 18, t, off)
	}
	return t, off, ok
}

// parseISOTimeCached is parseISOTime with the last timestamp's minute
// remembered in c.
func parseISOTimeCached(b []byte, c *minuteCache) (time.Time, int32, bool) {
	if t, off, ok := c.lookup(b, 17); ok {
		return t, off, true
	}
	t, off, ok := parseISOTime(b)
	if ok {
		c.store(b, 17, t, off)
	}
	return t, off, ok
}

func parseCLFTimeOnce(b []byte, c *dayCache) (time.Time, int32, bool) {
	if len(b) < 20 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' {
		return time.Time{}, 0, false
	}
	var days int64
	if c.ok && string(c.key[:]) == string(b[:11]) {
		days = c.days
	} else {
		d, ok1 := num2(b[0:2])
		y, ok2 := num4(b[7:11])
		m := monthIndex(b[3:6])
		if !ok1 || !ok2 || m == 0 || d < 1 || d > daysIn(m, y) {
			return time.Time{}, 0, false
		}
		days = daysFromCivil(y, m, d)
		copy(c.key[:], b[:11])
		c.days, c.ok = days, true
	}
	sec, ok := clock(b[12:20])
	if !ok {
		return time.Time{}, 0, false
	}
	rest := b[20:]
	nsec, rest, ok := fraction(rest)
	if !ok {
		return time.Time{}, 0, false
	}
	off := noZone
	if len(rest) > 0 {
		if rest[0] != ' ' {
			return time.Time{}, 0, false
		}
		off, ok = zone(rest[1:])
		if !ok {
			return time.Time{}, 0, false
		}
	}
	return time.Unix(days*86400+sec-int64(zoneOrUTC(off)), nsec).UTC(), off, true
}

func zoneOrUTC(off int32) int32 {
	if off == noZone {
		return 0
	}
	return off
}

// parseISOTime parses RFC 3339 and its common relatives:
// "2006-01-02T15:04:05", a space for the T, fractional seconds, and a zone
// of Z, ±hh:mm, ±hhmm or none (the offset noZone).
func parseISOTime(b []byte) (time.Time, int32, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ' && b[10] != 't') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, 0, false
	}
	y, ok1 := num4(b[0:4])
	m, ok2 := num2(b[5:7])
	d, ok3 := num2(b[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return time.Time{}, 0, false
	}
	sec, ok := clock(b[11:19])
	if !ok {
		return time.Time{}, 0, false
	}
	nsec, rest, ok := fraction(b[19:])
	if !ok {
		return time.Time{}, 0, false
	}
	var off int32
	switch {
	case len(rest) == 0:
		off = noZone
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	default:
		if off, ok = zone(rest); !ok {
			return time.Time{}, 0, false
		}
	}
	return time.Unix(daysFromCivil(y, m, d)*86400+sec-int64(zoneOrUTC(off)), nsec).UTC(), off, true
}

// parseEpochTime parses seconds since the epoch with an optional fraction
// ("1700000000.123", nginx $msec). Values of 1e11 and more are taken as
// milliseconds.
func parseEpochTime(b []byte) (time.Time, bool) {
	var sec int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if i >= 16 {
			return time.Time{}, false
		}
		sec = sec*10 + int64(b[i]-'0')
	}
	if i == 0 {
		return time.Time{}, false
	}
	nsec, rest, ok := fraction(b[i:])
	if !ok || len(rest) != 0 {
		return time.Time{}, false
	}
	if sec >= 1e11 {
		ms := sec
		return time.Unix(ms/1000, (ms%1000)*1e6+nsec/1000).UTC(), true
	}
	return time.Unix(sec, nsec).UTC(), true
}

// fraction parses an optional ".ddd" (or ",ddd") and returns nanoseconds.
func fraction(b []byte) (int64, []byte, bool) {
	if len(b) == 0 || (b[0] != '.' && b[0] != ',') {
		return 0, b, true
	}
	var n int64
	digits := 0
	i := 1
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if digits < 9 {
			n = n*10 + int64(b[i]-'0')
			digits++
		}
	}
	if i == 1 {
		return 0, b, false
	}
	for ; digits < 9; digits++ {
		n *= 10
	}
	return n, b[i:], true
}

// zone parses "+hhmm", "-hhmm", "+hh:mm" or "-hh:mm" to seconds east of UTC.
func zone(b []byte) (int32, bool) {
	if len(b) != 5 && len(b) != 6 || b[0] != '+' && b[0] != '-' {
		return 0, false
	}
	h, ok1 := num2(b[1:3])
	mm := b[3:]
	if len(b) == 6 {
		if b[3] != ':' {
			return 0, false
		}
		mm = b[4:]
	}
	m, ok2 := num2(mm)
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false
	}
	off := int32(h*3600 + m*60)
	if b[0] == '-' {
		off = -off
	}
	return off, true
}

// clock parses "15:04:05" to seconds since midnight; a leap second is taken
// as 59.
func clock(b []byte) (int64, bool) {
	h, ok1 := num2(b[0:2])
	m, ok2 := num2(b[3:5])
	s, ok3 := num2(b[6:8])
	if !ok1 || !ok2 || !ok3 || b[2] != ':' || b[5] != ':' || h > 23 || m > 59 || s > 60 {
		return 0, false
	}
	if s == 60 {
		s = 59
	}
	return int64(h*3600 + m*60 + s), true
}

func num2(b []byte) (int, bool) {
	if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

func num4(b []byte) (int, bool) {
	hi, ok1 := num2(b[0:2])
	lo, ok2 := num2(b[2:4])
	return hi*100 + lo, ok1 && ok2
}

func monthIndex(b []byte) int {
	for i, m := range months {
		if string(b) == m {
			return i + 1
		}
	}
	return 0
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097+doe) - 719468
}
