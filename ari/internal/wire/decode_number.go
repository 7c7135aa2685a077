package wire

import (
	"math"
	"strconv"
)

// Int reads a JSON integer; null reads as 0. A fraction, an exponent, a
// value that does not fit an int, or a value that is not a number is an
// error.
func (d *Decoder) Int() int {
	return int(d.integer(strconv.IntSize, "int"))
}

// Int64 reads a JSON integer; null reads as 0. A fraction, an exponent, a
// value that does not fit an int64, or a value that is not a number is an
// error.
func (d *Decoder) Int64() int64 {
	return d.integer(64, "int64")
}

// integer reads an integer that fits in a signed integer of the given size
// (named typ in errors).
func (d *Decoder) integer(bits int, typ string) int64 {
	t, start, isInt, ok := d.number("integer")
	if !ok {
		return 0
	}
	if !isInt {
		d.fail(start, "number "+t+" is not an integer")
		return 0
	}
	d.pos = start + len(t)
	if len(t) <= 9 || bits == 64 && len(t) <= 18 {
		// Too few digits to overflow.
		return smallInt(t)
	}
	v, err := strconv.ParseInt(t, 10, bits)
	if err != nil {
		d.fail(start, "number "+t+" overflows "+typ)
		return 0
	}
	return v
}

// Float64 reads any JSON number; null reads as 0. A number too large for a
// float64 is an error, as in encoding/json.
func (d *Decoder) Float64() float64 {
	t, start, isInt, ok := d.number("number")
	if !ok {
		return 0
	}
	d.pos = start + len(t)
	if isInt && len(t) <= 16 {
		// At most 15 digits: exact in a float64.
		if t == "-0" || (t[0] == '-' && smallInt(t) == 0) {
			return math.Copysign(0, -1)
		}
		return float64(smallInt(t))
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		d.fail(start, "number "+t+" out of range")
		return 0
	}
	return f
}

// number finds the number that is the next value (want names the expected
// kind in errors): its text, where it starts and whether it is an integer.
// ok is false for null (consumed) and on error; d.pos is not moved past the
// number.
func (d *Decoder) number(want string) (t string, start int, isInt, ok bool) {
	if d.err != nil {
		return "", 0, false, false
	}
	switch c := d.next(); {
	case c == '-' || isDigit(c):
	case c == 'n':
		d.literal("null")
		return "", 0, false, false
	default:
		d.failValue(want)
		return "", 0, false, false
	}
	start = d.pos
	end, isInt := d.scanNumber()
	if d.err != nil {
		return "", 0, false, false
	}
	return d.s[start:end], start, isInt, true
}

// smallInt converts the text of an integer too short to overflow.
func smallInt(t string) int64 {
	neg := t[0] == '-'
	if neg {
		t = t[1:]
	}
	var v int64
	for i := 0; i < len(t); i++ {
		v = v*10 + int64(t[i]-'0')
	}
	if neg {
		v = -v
	}
	return v
}

func isDigit(c byte) bool {
	return '0' <= c && c <= '9'
}

// scanNumber validates the number starting at d.pos and returns its end and
// whether it has neither fraction nor exponent. It does not move d.pos.
func (d *Decoder) scanNumber() (end int, isInt bool) {
	s, i := d.s, d.pos
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i >= len(s):
		d.fail(i, msgEOF)
		return 0, false
	case s[i] == '0':
		i++
	case isDigit(s[i]):
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		d.fail(i, "invalid character "+quoteChar(s[i])+" in numeric literal")
		return 0, false
	}
	isInt = true
	if i < len(s) && s[i] == '.' {
		isInt = false
		i++
		if i >= len(s) {
			d.fail(i, msgEOF)
			return 0, false
		}
		if !isDigit(s[i]) {
			d.fail(i, "invalid character "+quoteChar(s[i])+" after decimal point in numeric literal")
			return 0, false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		isInt = false
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) {
			d.fail(i, msgEOF)
			return 0, false
		}
		if !isDigit(s[i]) {
			d.fail(i, "invalid character "+quoteChar(s[i])+" in exponent of numeric literal")
			return 0, false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i, isInt
}
