package wire

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Encoder appends JSON to a byte slice. Commas are inserted automatically:
// before a key or a value, a ',' is written unless the previous byte is '{',
// '[' or ':', or nothing has been written yet. So a generated encoder just
// calls Key and a value writer for each field, and a value writer for each
// element.
//
// The Encoder does not check that calls are balanced or that a value
// follows each key; generated code gets that right by construction.
type Encoder struct {
	buf []byte
}

// Reset makes e append to buf[:0], reusing its storage.
func (e *Encoder) Reset(buf []byte) {
	e.buf = buf[:0]
}

// Bytes returns the JSON written so far. It aliases e's buffer.
func (e *Encoder) Bytes() []byte {
	return e.buf
}

// comma writes the ',' that separates a key or value from the one before.
func (e *Encoder) comma() {
	if n := len(e.buf); n > 0 {
		switch e.buf[n-1] {
		case '{', '[', ':':
		default:
			e.buf = append(e.buf, ',')
		}
	}
}

// ObjectStart writes '{'.
func (e *Encoder) ObjectStart() {
	e.comma()
	e.buf = append(e.buf, '{')
}

// ObjectEnd writes '}'.
func (e *Encoder) ObjectEnd() {
	e.buf = append(e.buf, '}')
}

// ArrayStart writes '['.
func (e *Encoder) ArrayStart() {
	e.comma()
	e.buf = append(e.buf, '[')
}

// ArrayEnd writes ']'.
func (e *Encoder) ArrayEnd() {
	e.buf = append(e.buf, ']')
}

// Key writes the key k of an object member and its ':'. The value must
// follow.
func (e *Encoder) Key(k string) {
	e.comma()
	e.buf = appendString(e.buf, k)
	e.buf = append(e.buf, ':')
}

// String writes s as a JSON string, escaped exactly as encoding/json does:
// ", \ and control characters, the HTML-sensitive <, > and & (as \u003c,
// \u003e, \u0026), U+2028 and U+2029 are escaped, and invalid UTF-8 becomes
// \ufffd.
func (e *Encoder) String(s string) {
	e.comma()
	e.buf = appendString(e.buf, s)
}

// Int writes v.
func (e *Encoder) Int(v int) {
	e.comma()
	e.buf = strconv.AppendInt(e.buf, int64(v), 10)
}

// Int64 writes v.
func (e *Encoder) Int64(v int64) {
	e.comma()
	e.buf = strconv.AppendInt(e.buf, v, 10)
}

// Float64 writes v formatted as encoding/json formats a float64: the
// shortest representation that reads back as v, in exponent form (1e-7,
// 1e+21) only below 1e-6 and from 1e21 on. JSON has no NaN or infinity:
// they are written as 0 (encoding/json would fail instead).
func (e *Encoder) Float64(v float64) {
	e.comma()
	if math.IsNaN(v) || math.IsInf(v, 0) {
		e.buf = append(e.buf, '0')
		return
	}
	format := byte('f')
	if abs := math.Abs(v); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(e.buf, v, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	e.buf = b
}

// Bool writes true or false.
func (e *Encoder) Bool(v bool) {
	e.comma()
	if v {
		e.buf = append(e.buf, "true"...)
	} else {
		e.buf = append(e.buf, "false"...)
	}
}

// Null writes null.
func (e *Encoder) Null() {
	e.comma()
	e.buf = append(e.buf, "null"...)
}

// Raw writes s, which must be one complete, valid JSON value, as it is; an
// empty s writes null. It is not checked.
func (e *Encoder) Raw(s string) {
	if s == "" {
		e.Null()
		return
	}
	e.comma()
	e.buf = append(e.buf, s...)
}

// Time writes t as a string in Asterisk's layout (see AppendTime). The zero
// time is written as "", which Decoder.Time reads back as the zero time.
func (e *Encoder) Time(t time.Time) {
	e.comma()
	e.buf = append(e.buf, '"')
	if !t.IsZero() {
		e.buf = AppendTime(e.buf, t)
	}
	e.buf = append(e.buf, '"')
}

// Strings writes v as an array of strings; nil is written as null, an empty
// slice as [].
func (e *Encoder) Strings(v []string) {
	if v == nil {
		e.Null()
		return
	}
	e.ArrayStart()
	for _, s := range v {
		e.String(s)
	}
	e.ArrayEnd()
}

// StringMap writes m as an object of strings with its keys sorted, so the
// output is deterministic; nil is written as null.
func (e *Encoder) StringMap(m map[string]string) {
	if m == nil {
		e.Null()
		return
	}
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.ObjectStart()
	for _, k := range keys {
		e.Key(k)
		e.String(m[k])
	}
	e.ObjectEnd()
}
