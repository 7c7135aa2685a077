package stasis

import (
	"sync/atomic"

	"gostasis.dev/ari/resources"
)

// callLink is how the calls started on one connection reach Asterisk: the
// REST client they use. Over HTTP every call shares the runtime's; with
// REST over a websocket it is that websocket's; an outbound websocket that
// Asterisk reopens hands its link to the new connection, so that its calls
// follow.
type callLink struct {
	rest atomic.Pointer[resources.Client]
	// live counts the calls started on the link that are not ending
	// (Call.markEnding): whether a per-call connection that ends still
	// has a call to wait for, without scanning every call.
	live atomic.Int64
}

func newLink(rest *resources.Client) *callLink {
	l := &callLink{}
	l.rest.Store(rest)
	return l
}

// client returns the link's REST client, or the runtime's when the call has
// no link of its own.
func (l *callLink) client(rt *Runtime) *resources.Client {
	if l != nil {
		if r := l.rest.Load(); r != nil {
			return r
		}
	}
	return rt.rest
}
