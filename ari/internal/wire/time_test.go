package wire

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTime(t *testing.T) {
	utc := time.UTC
	z := func(h, m int) *time.Location { return time.FixedZone("", (h*60+m)*60) }
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2026-11-25T19:41:00.885+0000", time.Date(2026, 11, 25, 19, 41, 0, 885e6, utc)},
		{"2025-03-17T08:32:35.709-0600", time.Date(2025, 3, 17, 8, 32, 35, 709e6, z(-6, 0))},
		{"2025-03-17T08:32:35.709+0530", time.Date(2025, 3, 17, 8, 32, 35, 709e6, z(5, 30))},
		{"2025-03-17T08:32:35.709-0000", time.Date(2025, 3, 17, 8, 32, 35, 709e6, utc)},
		{"2025-03-17T08:32:35-0600", time.Date(2025, 3, 17, 8, 32, 35, 0, z(-6, 0))},
		{"2025-03-17T08:32:35.7Z", time.Date(2025, 3, 17, 8, 32, 35, 700e6, utc)},
		{"2025-03-17T08:32:35,25Z", time.Date(2025, 3, 17, 8, 32, 35, 250e6, utc)},
		{"2025-03-17T08:32:35.123456789Z", time.Date(2025, 3, 17, 8, 32, 35, 123456789, utc)},
		{"2025-03-17T08:32:35.000001+01:00", time.Date(2025, 3, 17, 8, 32, 35, 1000, z(1, 0))},
		{"2025-03-17T08:32:35Z", time.Date(2025, 3, 17, 8, 32, 35, 0, utc)},
		{"2025-03-17T08:32:35+09", time.Date(2025, 3, 17, 8, 32, 35, 0, z(9, 0))},
		{"2025-03-17T08:32:35-09:30", time.Date(2025, 3, 17, 8, 32, 35, 0, z(-9, -30))},
		{"2025-03-17T08:32:35+0007", time.Date(2025, 3, 17, 8, 32, 35, 0, z(0, 7))},
		{"2024-02-29T23:59:59.999+2359", time.Date(2024, 2, 29, 23, 59, 59, 999e6, z(23, 59))},
		{"2000-02-29T00:00:00.000+0000", time.Date(2000, 2, 29, 0, 0, 0, 0, utc)},
		{"0000-01-01T00:00:00.000+0000", time.Date(0, 1, 1, 0, 0, 0, 0, utc)},
		{"9999-12-31T23:59:59.999+0000", time.Date(9999, 12, 31, 23, 59, 59, 999e6, utc)},
	} {
		got, err := ParseTime(tc.in)
		require.NoError(t, err, tc.in)
		assert.True(t, tc.want.Equal(got), "%s: got %v, want %v", tc.in, got, tc.want)
		_, wantOff := tc.want.Zone()
		_, gotOff := got.Zone()
		assert.Equal(t, wantOff, gotOff, tc.in)
		if wantOff == 0 {
			assert.Equal(t, time.UTC, got.Location(), "%s: zero offset is UTC", tc.in)
		}
	}
}

func TestParseTimeErrors(t *testing.T) {
	for in, msg := range map[string]string{
		"":                                "not in the layout",
		"2025-03-17":                      "not in the layout",
		"2025-03-17 08:32:35.709-0600":    "not in the layout",
		"2025/03/17T08:32:35.709-0600":    "not in the layout",
		"20x5-03-17T08:32:35.709-0600":    "not in the layout",
		"2025-03-17T08:32:3x.709-0600":    "not in the layout",
		"+2025-03-17T08:32:35.709-0600":   "not in the layout",
		"2025-00-17T08:32:35.709-0600":    "month out of range",
		"2025-13-17T08:32:35.709-0600":    "month out of range",
		"2025-02-29T08:32:35.709-0600":    "day out of range",
		"1900-02-29T08:32:35.709-0600":    "day out of range",
		"2025-04-31T08:32:35.709-0600":    "day out of range",
		"2025-04-00T08:32:35.709-0600":    "day out of range",
		"2025-04-30T24:00:00.000-0600":    "hour out of range",
		"2025-04-30T23:60:00.000-0600":    "minute out of range",
		"2025-04-30T23:59:60.000-0600":    "second out of range",
		"2025-03-17T08:32:35.-0600":       "no digits after the decimal point",
		"2025-03-17T08:32:35.1234567890Z": "more than 9 digits",
		"2025-03-17T08:32:35.709":         "missing time zone offset",
		"2025-03-17T08:32:35.709 -0600":   "bad time zone offset",
		"2025-03-17T08:32:35.709-060":     "bad time zone offset",
		"2025-03-17T08:32:35.709-06:0":    "bad time zone offset",
		"2025-03-17T08:32:35.709-06:":     "bad time zone offset",
		"2025-03-17T08:32:35.709-2400":    "time zone offset out of range",
		"2025-03-17T08:32:35.709-0660":    "time zone offset out of range",
		"2025-03-17T08:32:35.709-06000":   "extra text",
		"2025-03-17T08:32:35.709ZZ":       "extra text",
		"2025-03-17T08:32:35.709z":        "bad time zone offset",
	} {
		_, err := ParseTime(in)
		if assert.Error(t, err, in) {
			assert.Contains(t, err.Error(), msg, in)
			assert.Contains(t, err.Error(), `invalid date "`+in+`"`, in)
		}
	}
}

func TestParseTimeMatchesTimeParse(t *testing.T) {
	for _, s := range []string{
		"2026-11-25T19:41:00.885+0000", "2025-03-17T08:32:35.709-0600", "1999-12-31T23:59:59.001+1400",
	} {
		want, err := time.Parse(Layout, s)
		require.NoError(t, err)
		got, err := ParseTime(s)
		require.NoError(t, err)
		assert.True(t, want.Equal(got), s)
		assert.Equal(t, want.Format(time.RFC3339Nano), got.Format(time.RFC3339Nano), s)
	}
	for _, s := range []string{"2025-03-17T08:32:35Z", "2025-03-17T08:32:35.123456789+05:30", "2025-03-17T08:32:35-01:00"} {
		want, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		got, err := ParseTime(s)
		require.NoError(t, err)
		assert.Equal(t, want.Format(time.RFC3339Nano), got.Format(time.RFC3339Nano), s)
	}
}

func TestAppendTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	for _, tm := range []time.Time{
		time.Date(2026, 11, 25, 19, 41, 0, 885e6, time.UTC),
		time.Date(2025, 3, 17, 8, 32, 35, 709999999, time.FixedZone("", -6*3600)),
		time.Date(2025, 3, 17, 8, 32, 35, 1, time.FixedZone("IST", 5*3600+1800)),
		time.Date(2025, 7, 1, 0, 0, 0, 0, ny),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(23*3600+59*60))),
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("", -30*60)),
		// The fallback cases: years beyond 4 digits, odd offsets.
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("LMT", -(4*3600+56*60+2))),
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("", 150*3600)),
	} {
		assert.Equal(t, tm.Format(Layout), string(AppendTime(nil, tm)), "%v", tm)
	}
	assert.Equal(t, "x2026-11-25T19:41:00.885+0000", string(AppendTime([]byte("x"), time.Date(2026, 11, 25, 19, 41, 0, 885e6, time.UTC))))
}

func TestTimeRoundTrip(t *testing.T) {
	for _, s := range []string{
		"2026-11-25T19:41:00.885+0000", "2025-03-17T08:32:35.709-0600", "2025-03-17T08:32:35.000+0530",
		"2025-03-17T08:32:35.999-1200", "2025-03-17T08:32:35.010+1400",
	} {
		tm, err := ParseTime(s)
		require.NoError(t, err)
		assert.Equal(t, s, string(AppendTime(nil, tm)))
	}
}

func TestZoneCache(t *testing.T) {
	a, _ := ParseTime("2025-03-17T08:32:35.709-0600")
	b, _ := ParseTime("2025-03-18T08:32:35.709-0600")
	assert.Same(t, a.Location(), b.Location(), "quarter-hour offsets share a cached zone")
	assert.Equal(t, time.UTC, zone(0))
	_, off := time.Now().In(zone(7 * 60)).Zone()
	assert.Equal(t, 7*60, off)
	for _, o := range []int{-(23*3600 + 45*60), 23*3600 + 45*60, 900, -900} {
		_, off := time.Now().In(zone(o)).Zone()
		assert.Equal(t, o, off)
	}
}
