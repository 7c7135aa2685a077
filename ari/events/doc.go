// Package events holds the typed events Asterisk sends on the ARI events
// websocket, generated from Asterisk's own API description.
//
// Decode reads one websocket frame into the concrete event type its "type"
// names (*StasisStart, *ChannelDtmfReceived, ...), in one pass over the
// bytes and without reflection. An event type this build does not know (a
// newer Asterisk) decodes to *Unknown, never an error; unknown fields are
// ignored; malformed JSON is an *ari.DecodeError that says what and where.
//
// Every event implements Event, a sealed interface: a type switch over it
// is checked by the compiler, and only this package's types implement it.
// ChannelIDs and BridgeIDs say which channels and bridges an event is
// about; they are generated from the schema (see the methods' comments for
// the fields each type reads) and drive the routing of the stasis runtime.
//
// Handler interfaces (StasisStartHandler with OnStasisStart, ...) and
// Dispatch let a handler implement only the events it cares about. Handler
// methods return an error: returning one tells the caller that the handler
// cannot go on with its call. The stasis runtime then ends that call's
// handler and, by its policy, hangs up the channel, because a failed step
// in a call flow (a prompt that cannot be played, a bridge that cannot be
// joined) otherwise leaves the caller in silence.
//
// Decoded strings share one copy of the frame: keeping any string of an
// event keeps the frame's bytes alive, which is what the zero-allocation
// decoding costs.
package events
