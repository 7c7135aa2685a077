package events

import "strings"

// appendID appends id to dst unless it is empty or already in dst[start:].
func appendID(dst []string, start int, id string) []string {
	if id == "" {
		return dst
	}
	for _, x := range dst[start:] {
		if x == id {
			return dst
		}
	}
	return append(dst, id)
}

// appendURIID appends the id of a "channel:<id>" or "bridge:<id>" target
// URI when uri has the given prefix.
func appendURIID(dst []string, start int, uri, prefix string) []string {
	id, ok := strings.CutPrefix(uri, prefix)
	if !ok {
		return dst
	}
	return appendID(dst, start, id)
}
