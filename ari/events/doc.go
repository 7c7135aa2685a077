// Package events holds the typed events Asterisk sends on the ARI events
// websocket, generated from Asterisk's own API description.
//
//	ev, err := events.Decode(frame.Data)
//	if err != nil {
//		return err // malformed JSON: an *ari.DecodeError saying where
//	}
//	switch e := ev.(type) {
//	case *events.StasisStart:
//		fmt.Println("call", e.Channel.ID, "entered", e.Application, "with", e.Args)
//	case *events.ChannelDTMFReceived:
//		fmt.Println("digit", e.Digit, "on", e.Channel.ID)
//	case *events.Unknown:
//		fmt.Println("an event this build does not know:", e.Type)
//	}
//
// # Decoding
//
// Decode reads one websocket frame into the concrete event type its "type"
// names (*StasisStart, *ChannelDTMFReceived, ...), in one pass over the
// bytes and without reflection. An event type this build does not know (a
// newer Asterisk) decodes to *Unknown, never an error; unknown fields are
// ignored; malformed JSON is an *ari.DecodeError that says what and where.
// Go type names follow Go's initialisms (ChannelDTMFReceived); EventType
// returns Asterisk's own spelling ("ChannelDtmfReceived").
//
// Decoded strings share one copy of the frame: keeping any string of an
// event keeps the frame's bytes alive, which is what the zero-allocation
// decoding costs.
//
// # The Event interface
//
// Every event implements Event, a sealed interface (EventType, Base): a
// type switch over it is checked by the compiler, and only this package's
// types implement it. Each type also implements json.Marshaler, writing
// the event as Asterisk does. ChannelIDs and BridgeIDs (and their
// allocation-free Append forms) say which channels and bridges an event is
// about; which members they read is generated from the schema, and they
// drive the routing of the stasis runtime.
//
// # Handlers
//
// Handler interfaces (StasisStartHandler with OnStasisStart, ...) and
// Dispatch let a handler implement only the events it cares about. Handler
// methods return an error: returning one tells the caller that the handler
// cannot go on with its call. The stasis runtime then ends that call's
// handler and, by its policy, hangs up the channel, because a failed step
// in a call flow (a prompt that cannot be played, a bridge that cannot be
// joined) otherwise leaves the caller in silence.
//
// # Where to go next
//
//   - gostasis.dev/stasis: the per-call runtime that decodes, routes and
//     dispatches these events for you.
//   - gostasis.dev/ari: the client and the EventStream delivering frames.
package events
