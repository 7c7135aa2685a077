package wire

import (
	"errors"
	"strconv"
	"sync/atomic"
	"time"
)

// Layout is Asterisk's date layout in the notation of package time:
// milliseconds and a numeric offset without a colon, e.g.
// 2025-03-17T08:32:35.709-0600. It is not RFC 3339.
const Layout = "2006-01-02T15:04:05.000-0700"

// ParseTime parses an Asterisk date such as 2025-03-17T08:32:35.709-0600.
// It is lenient: the fraction may be absent or have 1 to 9 digits (after a
// '.' or, as time.Parse allows, a ','), and the offset may be written ±hhmm,
// ±hh:mm, ±hh or Z, so RFC 3339 dates parse too.
// An offset of zero gives a time in time.UTC, any other a fixed zone with no
// name, as time.Parse does.
//
// It allocates nothing for offsets that are whole quarter hours (their
// zones are cached), which covers every zone in use; other offsets get a new
// fixed zone, and a failure builds its error.
func ParseTime(s string) (time.Time, error) {
	t, msg := parseTime(s)
	if msg != "" {
		return time.Time{}, errors.New(timeError(s, msg))
	}
	return t, nil
}

// timeError describes why s is not a date.
func timeError(s, msg string) string {
	return "invalid date " + strconv.Quote(s) + ": " + msg
}

// parseTime is ParseTime returning the reason for a failure instead of an
// error, so that Decoder.Time does not build two messages.
func parseTime(s string) (time.Time, string) {
	if len(s) < len("2006-01-02T15:04:05Z") ||
		s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, "not in the layout " + Layout
	}
	year := digits2(s, 0)*100 + digits2(s, 2)
	month, day := digits2(s, 5), digits2(s, 8)
	hour, minute, sec := digits2(s, 11), digits2(s, 14), digits2(s, 17)
	if year|month|day|hour|minute|sec < 0 {
		return time.Time{}, "not in the layout " + Layout
	}
	switch {
	case month < 1 || month > 12:
		return time.Time{}, "month out of range"
	case day < 1 || day > daysIn(month, year):
		return time.Time{}, "day out of range"
	case hour > 23:
		return time.Time{}, "hour out of range"
	case minute > 59:
		return time.Time{}, "minute out of range"
	case sec > 59:
		return time.Time{}, "second out of range"
	}

	i, nsec := 19, 0
	if s[i] == '.' || s[i] == ',' { // time.Parse accepts ISO 8601's comma too
		i++
		n := 0
		for ; i < len(s) && isDigit(s[i]); i++ {
			if n == 9 {
				return time.Time{}, "more than 9 digits in the fraction of a second"
			}
			nsec = nsec*10 + int(s[i]-'0')
			n++
		}
		if n == 0 {
			return time.Time{}, "no digits after the decimal point"
		}
		for ; n < 9; n++ {
			nsec *= 10
		}
	}

	if i >= len(s) {
		return time.Time{}, "missing time zone offset"
	}
	offset := 0
	switch s[i] {
	case 'Z':
		i++
	case '+', '-':
		hh := digits2(s, i+1)
		j := i + 3
		mm := 0
		if j < len(s) {
			if s[j] == ':' {
				j++
			}
			mm = digits2(s, j)
			j += 2
		}
		if hh < 0 || mm < 0 {
			return time.Time{}, "bad time zone offset"
		}
		if hh > 23 || mm > 59 {
			return time.Time{}, "time zone offset out of range"
		}
		offset = (hh*60 + mm) * 60
		if s[i] == '-' {
			offset = -offset
		}
		i = j
	default:
		return time.Time{}, "bad time zone offset"
	}
	if i != len(s) {
		return time.Time{}, "extra text after the time zone offset"
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, zone(offset)), ""
}

// digits2 returns the two-digit number at s[i:], or a negative number.
func digits2(s string, i int) int {
	if i+1 >= len(s) || !isDigit(s[i]) || !isDigit(s[i+1]) {
		return -1 << 20
	}
	return int(s[i]-'0')*10 + int(s[i+1]-'0')
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// zones caches the fixed zones of offsets that are whole quarter hours, so
// that parsing allocates none for them. Racing stores are harmless: every
// zone stored for an offset is equivalent.
var zones [2*24*4 + 1]atomic.Pointer[time.Location]

// zone returns a fixed zone with no name for offset seconds east of UTC,
// time.UTC for 0.
func zone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	if offset%900 != 0 {
		return time.FixedZone("", offset)
	}
	z := &zones[offset/900+24*4]
	if l := z.Load(); l != nil {
		return l
	}
	l := time.FixedZone("", offset)
	z.Store(l)
	return l
}

// AppendTime appends t in Asterisk's layout (Layout), with milliseconds
// (truncated, as time.Format does) and a numeric offset:
// 2026-11-25T19:41:00.885+0000. It equals t.AppendFormat(b, Layout) and is
// faster.
func AppendTime(b []byte, t time.Time) []byte {
	_, offset := t.Zone()
	year, month, day := t.Date()
	if year < 0 || year > 9999 || offset%60 != 0 || offset <= -100*3600 || offset >= 100*3600 {
		return t.AppendFormat(b, Layout)
	}
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / 1e6
	sign := byte('+')
	if offset < 0 {
		sign = '-'
		offset = -offset
	}
	offset /= 60
	return append(b,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-',
		byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':',
		byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.',
		byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10),
		sign,
		byte('0'+offset/600), byte('0'+offset/60%10),
		byte('0'+offset%60/10), byte('0'+offset%10),
	)
}
