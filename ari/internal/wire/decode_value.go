package wire

import (
	"time"
	"unicode/utf8"
)

// Bool reads true or false; null reads as false. Anything else is an error.
func (d *Decoder) Bool() bool {
	if d.err != nil {
		return false
	}
	switch d.next() {
	case 't':
		return d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	default:
		d.failValue("bool")
	}
	return false
}

// literal consumes lit (true, false or null) at d.pos, or records why the
// input does not match it.
func (d *Decoder) literal(lit string) bool {
	s := d.s[d.pos:]
	if len(s) >= len(lit) && s[:len(lit)] == lit {
		d.pos += len(lit)
		return true
	}
	for i := 1; i < len(lit); i++ {
		if i >= len(s) {
			d.fail(len(d.s), msgEOF)
			break
		}
		if s[i] != lit[i] {
			d.fail(d.pos+i, "invalid character "+quoteChar(s[i])+" in literal "+lit+" (expecting "+quoteChar(lit[i])+")")
			break
		}
	}
	return false
}

// Strings reads an array of strings. null reads as nil, [] as an empty,
// non-nil slice; a null element reads as "".
func (d *Decoder) Strings() []string {
	if !d.Array() {
		return nil
	}
	v := []string{}
	for d.More() {
		v = append(v, d.String())
	}
	if d.err != nil {
		return nil
	}
	return v
}

// StringMap reads an object of strings. null reads as nil, {} as an empty,
// non-nil map. So that nothing Asterisk sends is lost, a value that is not a
// string is kept as its JSON text (42, true, {"value":"x"}), except null,
// which reads as "". Like every string the Decoder returns but Raw's, the
// values are valid UTF-8: invalid bytes in that text become U+FFFD.
func (d *Decoder) StringMap() map[string]string {
	if !d.Object() {
		return nil
	}
	m := map[string]string{}
	for {
		k, ok := d.Key()
		if !ok {
			break
		}
		switch d.next() {
		case '"', 'n':
			m[k] = d.String()
		default:
			m[k] = validUTF8(d.Raw())
		}
	}
	if d.err != nil {
		return nil
	}
	return m
}

// Time reads an Asterisk date string (see ParseTime). "" and null read as the
// zero time; a string that is not a date is an error.
func (d *Decoder) Time() time.Time {
	if d.err != nil {
		return time.Time{}
	}
	d.next()
	start := d.pos
	s := d.String()
	if s == "" {
		return time.Time{}
	}
	t, msg := parseTime(s)
	if msg != "" {
		d.fail(start, timeError(s, msg))
	}
	return t
}

// validUTF8 returns s with each byte that is not part of valid UTF-8
// replaced by U+FFFD, as string decoding does; s itself if it is valid.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return string(b)
}
