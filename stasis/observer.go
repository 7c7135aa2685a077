package stasis

import "gostasis.dev/ari/events"

// Observer is told what the runtime does, for metrics (package
// gostasis.dev/otelari implements it on OpenTelemetry). Its
// methods are called synchronously from the websocket readers and the
// calls' goroutines and must return at once. An unset Config.Observer
// costs one nil check per event.
type Observer interface {
	// EventReceived is called for every decoded event, with its node
	// (Config.Nodes; empty with a single server) and whether it reached a
	// call (routed) or not (unrouted: App.Unowned or nobody).
	EventReceived(node string, ev events.Event, routed bool)
	// DecodeError is called for every frame that could not be decoded.
	DecodeError(node string)
	// Reconnected is called when a connection of node came back after a
	// loss (before its re-sync).
	Reconnected(node string)
	// CallStarted and CallEnded are called when a call's handler starts
	// and when it has ended, with its app and node, and why it ended.
	CallStarted(app, node string)
	CallEnded(app, node string, reason EndReason)
	// MailboxHighWater is called when a call's mailbox reaches a length
	// no mailbox reached before (Stats.MailboxHighWater).
	MailboxHighWater(n int)
}

// noteRouted counts an event delivered to calls.
func (a *appState) noteRouted(ev events.Event) {
	a.rt.stats.routed.Add(1)
	if o := a.rt.cfg.Observer; o != nil {
		o.EventReceived(a.node.name, ev, true)
	}
}

// noteUnrouted counts an event no call got.
func (rt *Runtime) noteUnrouted(node string, ev events.Event) {
	rt.stats.unrouted.Add(1)
	if o := rt.cfg.Observer; o != nil {
		o.EventReceived(node, ev, false)
	}
}
