package ari

import (
	"errors"
	"time"

	"gostasis.dev/ari/internal/wire"
)

// TimeLayout is the layout, in the notation of package time, in which
// Asterisk writes dates: milliseconds and a numeric offset without a colon,
// e.g. 2025-03-17T08:32:35.709-0600. It is not RFC 3339.
const TimeLayout = wire.Layout

// Time is a point in time as Asterisk writes it (the ARI type Date), e.g.
// 2026-11-25T19:41:00.885+0000. It is a time.Time with the JSON and text
// forms changed to Asterisk's layout (TimeLayout); every other method is
// time.Time's.
//
// Reading accepts TimeLayout and, leniently, RFC 3339 and variants of
// TimeLayout without a fraction or with up to 9 fraction digits. The JSON
// values "" and null read as the zero time. Writing uses TimeLayout, so a
// value read from Asterisk is written back byte for byte; the zero time is
// written as "" rather than null or year 1, and reads back as the zero time.
type Time struct{ time.Time }

// MarshalJSON writes t as a JSON string in TimeLayout, or "" for the zero
// time.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(`""`)+len(TimeLayout))
	b = append(b, '"')
	if !t.IsZero() {
		b = wire.AppendTime(b, t.Time)
	}
	return append(b, '"'), nil
}

// UnmarshalJSON reads a JSON string in TimeLayout or RFC 3339; "" and null
// read as the zero time.
func (t *Time) UnmarshalJSON(b []byte) error {
	var d wire.Decoder
	d.Reset(string(b))
	v := d.Time()
	d.End()
	if err := d.Err(); err != nil {
		var se *wire.SyntaxError
		if errors.As(err, &se) {
			return errors.New("ari: Time: " + se.Msg)
		}
		return err
	}
	t.Time = v
	return nil
}

// MarshalText writes t in TimeLayout, or nothing for the zero time, so that
// text encoders (map keys, query values, YAML) agree with MarshalJSON rather
// than use time.Time's RFC 3339.
func (t Time) MarshalText() ([]byte, error) {
	return t.AppendText(make([]byte, 0, len(TimeLayout)))
}

// AppendText appends what MarshalText writes to b. It replaces time.Time's
// AppendText (RFC 3339), which encoders that prefer encoding.TextAppender
// would otherwise use.
func (t Time) AppendText(b []byte) ([]byte, error) {
	if t.IsZero() {
		return b, nil
	}
	return wire.AppendTime(b, t.Time), nil
}

// UnmarshalText reads TimeLayout or RFC 3339; empty text reads as the zero
// time.
func (t *Time) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		t.Time = time.Time{}
		return nil
	}
	v, err := wire.ParseTime(string(b))
	if err != nil {
		return errors.New("ari: Time: " + err.Error())
	}
	t.Time = v
	return nil
}

// String formats t in TimeLayout, e.g. 2026-11-25T19:41:00.885+0000 (the
// zero time too: 0001-01-01T00:00:00.000+0000).
func (t Time) String() string {
	return string(wire.AppendTime(make([]byte, 0, len(TimeLayout)), t.Time))
}
