package ari

import (
	"encoding"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeJSON(t *testing.T) {
	var v struct {
		Timestamp Time `json:"timestamp"`
	}
	const in = `{"timestamp":"2026-11-25T19:41:00.885+0000"}`
	require.NoError(t, json.Unmarshal([]byte(in), &v))
	assert.True(t, v.Timestamp.Equal(time.Date(2026, 11, 25, 19, 41, 0, 885e6, time.UTC)))

	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, in, string(out), "written back byte for byte")
}

func TestTimeUnmarshalJSON(t *testing.T) {
	mdt := time.FixedZone("", -6*3600)
	for in, want := range map[string]time.Time{
		`"2025-03-17T08:32:35.709-0600"`:        time.Date(2025, 3, 17, 8, 32, 35, 709e6, mdt),
		`"2025-03-17T14:32:35Z"`:                time.Date(2025, 3, 17, 14, 32, 35, 0, time.UTC),
		`"2025-03-17T08:32:35.123456789-06:00"`: time.Date(2025, 3, 17, 8, 32, 35, 123456789, mdt),
		` "2025-03-17T08:32:35-0600" `:          time.Date(2025, 3, 17, 8, 32, 35, 0, mdt),
		`""`:                                    {},
		`null`:                                  {},
	} {
		tm := Time{time.Now()}
		require.NoError(t, tm.UnmarshalJSON([]byte(in)), in)
		assert.True(t, want.Equal(tm.Time), "%s: got %v", in, tm)
		assert.Equal(t, want.IsZero(), tm.IsZero(), in)
	}

	for in, msg := range map[string]string{
		`"yesterday"`:                    `ari: Time: invalid date "yesterday": not in the layout 2006-01-02T15:04:05.000-0700`,
		`"2025-02-30T08:32:35.709-0600"`: `ari: Time: invalid date "2025-02-30T08:32:35.709-0600": day out of range`,
		`1742222000`:                     `ari: Time: expected string, found number`,
		`"2025-03-17T08:32:35Z" x`:       `ari: Time: invalid character 'x' after top-level value`,
		``:                               `ari: Time: unexpected end of input`,
	} {
		tm := Time{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
		err := tm.UnmarshalJSON([]byte(in))
		assert.EqualError(t, err, msg, in)
		assert.Equal(t, 2000, tm.Year(), "%s: unchanged on error", in)
	}

	var v struct{ T Time }
	err := json.Unmarshal([]byte(`{"T":"not a date"}`), &v)
	assert.ErrorContains(t, err, "not a date")
}

func TestTimeMarshalJSON(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, `""`},
		{time.Date(2026, 11, 25, 19, 41, 0, 885e6, time.UTC), `"2026-11-25T19:41:00.885+0000"`},
		{time.Date(2025, 3, 17, 8, 32, 35, 709999999, time.FixedZone("MDT", -6*3600)), `"2025-03-17T08:32:35.709-0600"`},
		{time.Date(2025, 3, 17, 8, 32, 35, 0, time.FixedZone("IST", 5*3600+1800)), `"2025-03-17T08:32:35.000+0530"`},
	} {
		b, err := Time{tc.t}.MarshalJSON()
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b))
		assert.True(t, json.Valid(b))

		var back Time
		require.NoError(t, back.UnmarshalJSON(b))
		assert.True(t, back.Equal(tc.t.Truncate(time.Millisecond)), "round trip of %v", tc.t)
	}

	// Inside other values, and through encoding/json's own escaping.
	b, err := json.Marshal(map[string]Time{"t": {time.Date(2026, 11, 25, 19, 41, 0, 885e6, time.UTC)}, "z": {}})
	require.NoError(t, err)
	assert.Equal(t, `{"t":"2026-11-25T19:41:00.885+0000","z":""}`, string(b))
}

func TestTimeText(t *testing.T) {
	tm := Time{time.Date(2025, 3, 17, 8, 32, 35, 709e6, time.FixedZone("", -6*3600))}
	b, err := tm.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "2025-03-17T08:32:35.709-0600", string(b))

	b, err = Time{}.MarshalText()
	require.NoError(t, err)
	assert.Empty(t, b)

	b, err = tm.AppendText([]byte("at "))
	require.NoError(t, err)
	assert.Equal(t, "at 2025-03-17T08:32:35.709-0600", string(b))
	var _ encoding.TextAppender = Time{}

	var back Time
	require.NoError(t, back.UnmarshalText([]byte("2025-03-17T08:32:35.709-0600")))
	assert.True(t, back.Equal(tm.Time))
	require.NoError(t, back.UnmarshalText(nil))
	assert.True(t, back.IsZero())
	assert.EqualError(t, back.UnmarshalText([]byte("x")), `ari: Time: invalid date "x": not in the layout 2006-01-02T15:04:05.000-0700`)

	// Map keys use the text form.
	out, err := json.Marshal(map[Time]int{tm: 1})
	require.NoError(t, err)
	assert.Equal(t, `{"2025-03-17T08:32:35.709-0600":1}`, string(out))
}

func TestTimeString(t *testing.T) {
	assert.Equal(t, "2026-11-25T19:41:00.885+0000", Time{time.Date(2026, 11, 25, 19, 41, 0, 885e6, time.UTC)}.String())
	assert.Equal(t, "0001-01-01T00:00:00.000+0000", Time{}.String())
	assert.Equal(t, TimeLayout, "2006-01-02T15:04:05.000-0700")
}
