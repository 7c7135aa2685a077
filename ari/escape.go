package ari

const upperHex = "0123456789ABCDEF"

// PathEscape escapes a path parameter (a channel id, a recording name, ...)
// so that it stays one path segment whatever it contains: every byte other
// than ASCII letters, digits, '-', '_' and '~' is percent-encoded, including
// '/', '?', '#', '%', '+', ' ' and '.', so that no id can end the segment,
// start a query, or form a "." or ".." segment. Asterisk decodes each
// segment after splitting the path, so the id arrives intact.
//
// Client.Do sends the escaped form unchanged. An empty s stays empty; Do
// refuses a path with an empty segment.
func PathEscape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !pathSafe(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if pathSafe(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return string(b)
}

// pathSafe reports whether c may appear unescaped in a path segment.
func pathSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '~'
}

// querySafe reports whether c may appear unescaped in a query name or value:
// the RFC 3986 unreserved characters.
func querySafe(c byte) bool {
	return pathSafe(c) || c == '.'
}

// appendQueryEscape appends s to b with every byte but the unreserved ones
// percent-encoded (a space is %20, never '+', and '+' is %2B: Asterisk
// decodes '+' as a space).
func appendQueryEscape(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if querySafe(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return b
}
