package wire

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// plain[c] is true for the bytes a string holds as they are and that need
// no second look: printable ASCII except '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// String reads a JSON string and returns its value; null reads as "".
// Anything else is an error. The value is a substring of the input unless
// the string holds escapes or invalid UTF-8 (which becomes U+FFFD).
func (d *Decoder) String() string {
	if d.err != nil {
		return ""
	}
	switch d.next() {
	case '"':
		return d.str()
	case 'n':
		d.literal("null")
	default:
		d.failValue("string")
	}
	return ""
}

// str reads the string whose opening quote is at d.pos.
func (d *Decoder) str() string {
	s := d.s
	start := d.pos + 1
	i := start
	for i < len(s) && plain[s[i]] {
		i++
	}
	if i < len(s) && s[i] == '"' {
		d.pos = i + 1
		return s[start:i]
	}
	end, esc, high := d.scanString(i)
	if d.err != nil {
		return ""
	}
	d.pos = end + 1
	raw := s[start:end]
	if !esc && (high < 0 || utf8.ValidString(s[high:end])) {
		return raw
	}
	return unquote(raw)
}

// skipString validates the string whose opening quote is at d.pos and
// moves past it.
func (d *Decoder) skipString() {
	end, _, _ := d.scanString(d.pos + 1)
	if d.err == nil {
		d.pos = end + 1
	}
}

// scanString validates a string from offset i, inside the quotes, and
// returns the offset of the closing quote, whether the string holds escapes,
// and the offset of its first non-ASCII byte (-1 if none).
func (d *Decoder) scanString(i int) (end int, esc bool, high int) {
	s := d.s
	high = -1
	for i < len(s) {
		c := s[i]
		switch {
		case plain[c]:
			i++
		case c == '"':
			return i, esc, high
		case c == '\\':
			n := d.escape(i)
			if n == 0 {
				return 0, false, -1
			}
			esc = true
			i += n
		case c < 0x20:
			d.fail(i, "invalid character "+quoteChar(c)+" in string literal")
			return 0, false, -1
		default:
			if high < 0 {
				high = i
			}
			i++
		}
	}
	d.fail(len(s), msgEOF)
	return 0, false, -1
}

// escape validates the escape sequence at s[i] == '\\' and returns its
// length, or 0 after recording an error.
func (d *Decoder) escape(i int) int {
	s := d.s
	if i+1 >= len(s) {
		d.fail(len(s), msgEOF)
		return 0
	}
	switch c := s[i+1]; c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		for j := i + 2; j < i+6; j++ {
			if j >= len(s) {
				d.fail(len(s), msgEOF)
				return 0
			}
			if unhex(s[j]) < 0 {
				d.fail(j, "invalid character "+quoteChar(s[j])+` in \u hexadecimal character escape`)
				return 0
			}
		}
		return 6
	default:
		d.fail(i+1, "invalid character "+quoteChar(c)+" in string escape code")
		return 0
	}
}

func unhex(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// u4 decodes the \uXXXX escape at s[i:], or returns -1 if there is none.
func u4(s string, i int) rune {
	if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range []byte(s[i+2 : i+6]) {
		h := unhex(c)
		if h < 0 {
			return -1
		}
		r = r<<4 | h
	}
	return r
}

// unquote decodes the content of a string already validated by scanString,
// exactly as encoding/json does: escapes are decoded, invalid surrogates and
// invalid UTF-8 become U+FFFD.
func unquote(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			switch s[i+1] {
			case 'u':
				r := u4(s, i)
				i += 6
				if utf16.IsSurrogate(r) {
					if dec := utf16.DecodeRune(r, u4(s, i)); dec != utf8.RuneError {
						b.WriteRune(dec)
						i += 6
						continue
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
				continue
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default: // '"', '\\', '/'
				b.WriteByte(s[i+1])
			}
			i += 2
		case c < utf8.RuneSelf:
			j := i + 1
			for j < len(s) && s[j] != '\\' && s[j] < utf8.RuneSelf {
				j++
			}
			b.WriteString(s[i:j])
			i = j
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b.WriteString("\ufffd")
			} else {
				b.WriteString(s[i : i+n])
			}
			i += n
		}
	}
	return b.String()
}
