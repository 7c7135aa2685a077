package stasis

import (
	"context"
	"time"
)

// ResyncHandler is implemented by handlers that want to know when events of
// their call may have been missed (after a reconnect, or dropped at the
// mailbox limit), typically to re-read the channel's state.
type ResyncHandler interface {
	OnResync(ctx context.Context, r Resync) error
}

// Resync is delivered to handlers implementing ResyncHandler when events of
// their call may have been missed.
type Resync struct {
	// Reason says why events may have been missed.
	Reason ResyncReason
	// At is when the runtime noticed.
	At time.Time
}

// ResyncReason says why a handler is told that events may have been missed.
type ResyncReason int

// The reasons for a Resync.
const (
	// ResyncReconnect: the websocket was down; Asterisk does not replay
	// the events it sent meanwhile.
	ResyncReconnect ResyncReason = iota + 1
	// ResyncOverflow: the mailbox limit dropped events
	// (OverflowDropNewest).
	ResyncOverflow
)

// String names the reason, e.g. "reconnect".
func (r ResyncReason) String() string {
	switch r {
	case ResyncReconnect:
		return "reconnect"
	case ResyncOverflow:
		return "overflow"
	}
	return "unknown"
}

// EndHandler is implemented by handlers that want a last word when their
// call ends for any reason. OnEnd runs in the call's goroutine after the
// call's context is cancelled; ctx is a fresh context bounded by
// Config.CleanupTimeout.
type EndHandler interface {
	OnEnd(ctx context.Context, end End)
}

// EndReason says why a call's handler ended.
type EndReason int

// The reasons a call ends.
const (
	// EndStasisEnd: the call's channel left the app (hung up, moved,
	// continued in the dialplan). The StasisEnd was delivered first.
	EndStasisEnd EndReason = iota + 1
	// EndSynthetic: a re-sync found the channel gone; a synthetic
	// StasisEnd was delivered first.
	EndSynthetic
	// EndError: the handler (or its factory) returned an error.
	EndError
	// EndPanic: the handler panicked; the panic was recovered and logged.
	EndPanic
	// EndOverflow: the mailbox reached its limit (OverflowEndCall).
	EndOverflow
	// EndShutdown: Shutdown's deadline (or Run's context) cancelled it.
	EndShutdown
)

// String names the reason, e.g. "stasis-end".
func (r EndReason) String() string {
	switch r {
	case EndStasisEnd:
		return "stasis-end"
	case EndSynthetic:
		return "synthetic-end"
	case EndError:
		return "error"
	case EndPanic:
		return "panic"
	case EndOverflow:
		return "overflow"
	case EndShutdown:
		return "shutdown"
	}
	return "unknown"
}

// End describes how a call ended.
type End struct {
	// Reason says why the call ended.
	Reason EndReason
	// Err is the handler's error, the recovered panic (as an error), or the
	// cause of a cancellation.
	Err error
	// Duration is how long the handler ran.
	Duration time.Duration
}

type syntheticKey struct{}

// Synthetic reports whether the event being handled (the ctx given to an
// On<Event> method) was made up by the runtime rather than sent by
// Asterisk: the StasisStart of a call resumed by a re-sync, or the
// StasisEnd of a call whose channel a re-sync found gone.
func Synthetic(ctx context.Context) bool {
	v, _ := ctx.Value(syntheticKey{}).(bool)
	return v
}
