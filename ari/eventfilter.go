package ari

// EventFilter is the body of applications.filter (PUT
// /applications/{applicationName}/eventFilter): which event types Asterisk
// sends to the application. Asterisk's rules:
//
//   - a nil list is left out of the body and leaves that list unchanged on
//     the server, unless both are nil: the empty body {} clears both lists;
//   - a non-nil empty list (e.g. []EventMatch{}) sets that list to empty;
//   - an empty Allowed list allows every event; an empty Disallowed list
//     disallows none; a type in both lists is disallowed.
type EventFilter struct {
	// Allowed lists the event types to send; empty means all.
	Allowed []EventMatch `json:"allowed,omitzero"`
	// Disallowed lists the event types never to send.
	Disallowed []EventMatch `json:"disallowed,omitzero"`
}

// EventMatch selects events by type, e.g. {"type": "StasisStart"}. It is
// also how Asterisk reports the filters in Application.events_allowed and
// events_disallowed.
type EventMatch struct {
	// Type is the event type name, case sensitive, e.g. "StasisStart".
	Type string `json:"type"`
}

// AllowEvents returns a filter that lets only the given event types through.
func AllowEvents(types ...string) EventFilter {
	return EventFilter{Allowed: matches(types)}
}

// DisallowEvents returns a filter that blocks the given event types.
func DisallowEvents(types ...string) EventFilter {
	return EventFilter{Disallowed: matches(types)}
}

func matches(types []string) []EventMatch {
	ms := make([]EventMatch, len(types))
	for i, t := range types {
		ms[i] = EventMatch{Type: t}
	}
	return ms
}
