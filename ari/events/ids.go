package events

import "strings"

// AppendChannelIDs appends to dst the ids of the channels e is about,
// primary first, without empty ids or duplicates. It does not allocate
// when dst has room. Which members are read is decided from Asterisk's
// API description for each event type; for an *Unknown event it is the
// id of a top-level "channel" object.
func AppendChannelIDs(dst []string, e Event) []string {
	if e == nil {
		return dst
	}
	return e.appendChannelIDs(dst)
}

// ChannelIDs returns the ids AppendChannelIDs appends, or nil.
func ChannelIDs(e Event) []string { return AppendChannelIDs(nil, e) }

// AppendBridgeIDs appends to dst the ids of the bridges e is about,
// without empty ids or duplicates. It does not allocate when dst has room.
func AppendBridgeIDs(dst []string, e Event) []string {
	if e == nil {
		return dst
	}
	return e.appendBridgeIDs(dst)
}

// BridgeIDs returns the ids AppendBridgeIDs appends, or nil.
func BridgeIDs(e Event) []string { return AppendBridgeIDs(nil, e) }

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
