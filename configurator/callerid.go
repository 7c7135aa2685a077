package configurator

import "strings"

// unknownCallerID is what Asterisk prints for an endpoint without a caller
// id (ast_callerid_merge's default).
const unknownCallerID = "<unknown>"

// NormalizeCallerID prints a caller id the way Asterisk prints an
// endpoint's callerid: `"Name" <number>` when it has both, else the name
// or the number alone, else "<unknown>". It reads the
// value as ast_callerid_split does: `Name <number>` with or without quotes
// around the name, a bare number (digits, *, # and +, ignoring spaces,
// parentheses and dashes), or a bare name; backslashes escape characters
// in the name, and name and number are cut at 79 bytes. Quotes and
// backslashes in the name are backslash-escaped when printed with a
// number.
//
// "<unknown>" itself, as Asterisk prints it, reads as no caller id (sent
// as such it would be stored as the number "unknown"; the callerid Rule
// of DefaultNormalizers sends "" instead).
//
// A name or number printed alone may read back differently (the name
// `a\b`, declared as `a\\b`, reads back as `ab`; the name `"x"` as `x`),
// so the value is read and printed again until it no longer changes: the
// result is what Asterisk ends up holding after the value has been
// written and read back repeatedly, and
// NormalizeCallerID(NormalizeCallerID(v)) is NormalizeCallerID(v).
func NormalizeCallerID(v string) string {
	for {
		next := storeCallerID(v)
		if next == v {
			return v
		}
		v = next
	}
}

// sendCallerID is the callerid value to send for v: "" for "<unknown>",
// which Asterisk would store as the number "unknown".
func sendCallerID(v string) string {
	if blankTrim(cString(v)) == unknownCallerID {
		return ""
	}
	return v
}

// storeCallerID is one write and read of a caller id: Asterisk's
// caller_id_handler (ast_callerid_split) then caller_id_to_str
// (ast_callerid_merge). Each call returns a value that it returns
// unchanged, or one shorter than its input, so NormalizeCallerID ends.
func storeCallerID(v string) string {
	if blankTrim(cString(v)) == unknownCallerID {
		return unknownCallerID
	}
	name, number := splitCallerID(v)
	switch {
	case name != "" && number != "":
		return `"` + escapeQuoted(name) + `" <` + number + `>`
	case name != "":
		return name
	case number != "":
		return number
	}
	return unknownCallerID
}

// callerIDMax is the size of the buffers ast_callerid_split copies the
// name and the number into, less the terminating NUL.
const callerIDMax = 79

// splitCallerID is main/callerid.c's ast_callerid_split: ast_callerid_parse,
// then the number shrunk, both cut to callerIDMax bytes.
func splitCallerID(v string) (name, number string) {
	name, number = parseCallerID(cString(v))
	return truncate(name, callerIDMax), truncate(shrinkNumber(number), callerIDMax)
}

// parseCallerID is ast_callerid_parse.
func parseCallerID(in string) (name, number string) {
	in = blankTrim(in)
	instr := stripQuoted(in)
	quoted := len(instr) != len(in)
	if ls := strings.LastIndexByte(instr, '<'); ls >= 0 {
		number = instr[ls+1:]
		if le := strings.LastIndexByte(number, '>'); le >= 0 {
			number = number[:le]
		}
		return unescapeQuoted(stripQuoted(instr[:ls])), number
	}
	// ast_callerid_parse tests a copy of at most 255 bytes.
	if tmp := shrinkNumber(truncate(instr, 255)); !quoted && isPhoneNumber(tmp) {
		return "", tmp
	}
	return unescapeQuoted(stripQuoted(instr)), ""
}

// cString cuts s at its first NUL, where Asterisk's C string ends.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// blankTrim is ast_strip: it removes the bytes below 33 (space and control
// characters) at both ends.
func blankTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r < 33 })
}

// stripQuoted is ast_strip_quoted with double quotes: blanks trimmed, then
// one pair of quotes removed when s starts and ends with one (a lone `"`
// is such a pair, and gives "").
func stripQuoted(s string) string {
	s = blankTrim(s)
	if s != "" && s[0] == '"' && s[len(s)-1] == '"' {
		if len(s) == 1 {
			return ""
		}
		return s[1 : len(s)-1]
	}
	return s
}

// unescapeQuoted is ast_unescape_quoted: a backslash escapes the next
// byte; a backslash at the end is dropped.
func unescapeQuoted(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			if i == len(s) {
				break
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

// escapeQuoted is ast_escape_quoted: a backslash before every byte that
// may not appear in a SIP quoted string (controls but tab and vertical
// tab, '"', '\' and DEL).
func escapeQuoted(s string) string {
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if !(c == '\t' || c == '\v' || c == ' ' || c == '!' || c >= '#' && c <= '[' || c >= ']' && c <= '~' || c > 0x7f) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// isPhoneNumber is ast_isphonenumber: not empty, and only digits, '*',
// '#' and '+'.
func isPhoneNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789*#+") == ""
}

// truncate cuts s to at most n bytes, as copying it into a C buffer does.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// shrinkNumber is ast_shrink_phone_number: it drops spaces and
// parentheses, dashes outside brackets, and dots but a last one.
func shrinkNumber(n string) string {
	out := make([]byte, 0, len(n))
	depth := 0
	for i := range len(n) {
		switch c := n[i]; {
		case c == '[':
			depth++
			out = append(out, c)
		case c == ']':
			depth--
			out = append(out, c)
		case c == '-' && depth == 0, c == '.' && i < len(n)-1, c == ' ', c == '(', c == ')':
		default:
			out = append(out, c)
		}
	}
	return string(out)
}
