package wire

import "strconv"

// SyntaxError says what went wrong while decoding and where. Every error a
// Decoder records, syntactic or semantic (see Decoder.Fail), is a
// *SyntaxError.
type SyntaxError struct {
	// Offset is the byte offset in the input where the problem was found.
	Offset int
	// Key is the object key being decoded when it failed: the last key read
	// or the one set by Decoder.SetKeyContext; "" at the top level.
	Key string
	// Msg describes the problem, e.g. "expected string, found number".
	Msg string
}

// Error formats the error as
//
//	json: at byte 57 (key "channel"): expected '{', found '['
//
// leaving out the key part at the top level.
func (e *SyntaxError) Error() string {
	b := make([]byte, 0, 32+len(e.Key)+len(e.Msg))
	b = append(b, "json: at byte "...)
	b = strconv.AppendInt(b, int64(e.Offset), 10)
	if e.Key != "" {
		b = append(b, " (key "...)
		b = strconv.AppendQuote(b, e.Key)
		b = append(b, ')')
	}
	b = append(b, ": "...)
	b = append(b, e.Msg...)
	return string(b)
}

const msgEOF = "unexpected end of input"

// quoteChar formats c as a quoted character literal, as encoding/json does.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

// describe names the value starting with c, for "found ..." messages:
// '{', '[', string, number, bool or null.
func describe(c byte) string {
	if c == '{' || c == '[' {
		return quoteChar(c)
	}
	return kindOf(c).String()
}
