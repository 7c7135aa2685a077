package configurator

import (
	"slices"
	"strings"
)

// NormalizeCodecs computes the codec list an endpoint's allow value gives,
// starting from no codec, and prints it the way Asterisk prints an
// endpoint's codecs: "(ulaw|alaw)", or "(nothing)". As Asterisk's
// ast_format_cap_update_by_allow_disallow does, items are separated by ","
// or "|" and trimmed, "!" removes a codec, "!all" removes them all, a
// ":<ms>" framing suffix is ignored, names are case-insensitive, a codec
// allowed twice keeps its first place (the order is the preference), and a
// list in parentheses is the printed form.
//
// A value is compared as it is (trimmed) when it cannot be read that way:
// when it allows "all", which cannot be expanded without knowing which
// codec modules Asterisk loaded, or when an item is not a codec name
// (ASCII letters, digits, '_', '-' and '.') with an optional framing
// Asterisk accepts (":20", ":"; not ":x" or ":-20"). Asterisk refuses such
// items; reading "::1/64" as the codec ":" would print "(:)", which reads
// back as no codec at all. So NormalizeCodecs(NormalizeCodecs(v)) is
// NormalizeCodecs(v) for every v.
func NormalizeCodecs(v string) string {
	t := strings.TrimSpace(v)
	list := t
	if len(list) >= 2 && list[0] == '(' && list[len(list)-1] == ')' {
		list = list[1 : len(list)-1]
	}
	var codecs []string
	for _, item := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '|' }) {
		item = strings.ToLower(strings.TrimSpace(item))
		allow := true
		if strings.HasPrefix(item, "!") {
			allow, item = false, item[1:]
		}
		if i := strings.LastIndexByte(item, ':'); i >= 0 {
			if i == 0 || !framingOK(item[i+1:]) {
				return t
			}
			item = item[:i]
		}
		switch {
		case item == "" || item == "nothing":
		case !codecName(item):
			return t
		case item == "all" && allow:
			return t
		case item == "all":
			codecs = codecs[:0]
		case allow:
			if !slices.Contains(codecs, item) {
				codecs = append(codecs, item)
			}
		default:
			codecs = slices.DeleteFunc(codecs, func(c string) bool { return c == item })
		}
	}
	if len(codecs) == 0 {
		return "(nothing)"
	}
	return "(" + strings.Join(codecs, "|") + ")"
}

// codecName reports whether s, lower-cased, can name a media format:
// Asterisk's are ASCII letters and digits ("ulaw", "g726aal2", "h263p").
// '_', '-' and '.' are allowed too; what breaks the printed form (":",
// "!", spaces, parentheses) is not.
func codecName(s string) bool {
	for i := range len(s) {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return s != ""
}

// framingOK reports whether Asterisk accepts the packetization after a
// codec's ':' (sscanf "%d", then refused if negative): white space, an
// optional sign and digits, anything after them ignored; nothing at all
// is accepted too (sscanf finds no input).
func framingOK(s string) bool {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	if s == "" {
		return true
	}
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg, s = s[0] == '-', s[1:]
	}
	n, nonzero := 0, false
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		nonzero = nonzero || s[n] != '0'
		n++
	}
	return n > 0 && !(neg && nonzero)
}

// replaceCodecs makes an allow value replace an endpoint's codecs on an
// update: Asterisk adds the codecs of "ulaw,alaw" to those the endpoint
// has, but "!all,ulaw,alaw" (or the printed "(ulaw|alaw)") replaces them.
func replaceCodecs(v string) string {
	t := strings.ToLower(strings.TrimSpace(v))
	if strings.HasPrefix(t, "!all") || strings.HasPrefix(t, "(") {
		return v
	}
	return "!all," + v
}
