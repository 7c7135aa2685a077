package otelari

import (
	"context"

	"go.opentelemetry.io/otel/attribute"

	"gostasis.dev/ari/events"
	"gostasis.dev/stasis"
)

// nodeOf is the node a runtime report is tagged with: the runtime's, or
// Config.Node with a single server.
func (o *Observer) nodeOf(node string) string {
	if node == "" {
		return o.node
	}
	return node
}

// EventReceived counts a decoded event by type, as routed or unrouted;
// it implements stasis.Observer.
func (o *Observer) EventReceived(node string, ev events.Event, routed bool) {
	node = o.nodeOf(node)
	typ := ev.EventType()
	opt := o.sets.get(setKey{kind: setEvent, a: typ, b: node}, func() []attribute.KeyValue {
		return withNode([]attribute.KeyValue{KeyEventType.String(typ)}, node)
	})
	ctx := context.Background()
	o.inst.eventsReceived.Add(ctx, 1, opt.add...)
	if routed {
		o.inst.eventsRouted.Add(ctx, 1, opt.add...)
	} else {
		o.inst.eventsUnrouted.Add(ctx, 1, opt.add...)
	}
}

// DecodeError counts a frame that could not be decoded; it implements
// stasis.Observer.
func (o *Observer) DecodeError(node string) {
	o.inst.decodeErrors.Add(context.Background(), 1, o.nodeSet(node).add...)
}

// Reconnected counts a connection that came back; it implements
// stasis.Observer.
func (o *Observer) Reconnected(node string) {
	o.inst.reconnects.Add(context.Background(), 1, o.nodeSet(node).add...)
}

// CallStarted counts a call started and live; it implements
// stasis.Observer.
func (o *Observer) CallStarted(app, node string) {
	opt := o.callSet(app, node)
	ctx := context.Background()
	o.inst.callsStarted.Add(ctx, 1, opt.add...)
	o.inst.callsLive.Add(ctx, 1, opt.add...)
}

// CallEnded counts a call ended, by reason, and one fewer live; it
// implements stasis.Observer.
func (o *Observer) CallEnded(app, node string, reason stasis.EndReason) {
	node = o.nodeOf(node)
	ctx := context.Background()
	o.inst.callsLive.Add(ctx, -1, o.callSet(app, node).add...)
	opt := o.sets.get(setKey{kind: setEnded, a: app, b: node, n: int(reason)}, func() []attribute.KeyValue {
		return withNode([]attribute.KeyValue{KeyApp.String(app), KeyEndReason.String(reason.String())}, node)
	})
	o.inst.callsEnded.Add(ctx, 1, opt.add...)
}

// MailboxHighWater records the longest mailbox so far; it implements
// stasis.Observer.
func (o *Observer) MailboxHighWater(n int) {
	o.inst.mailboxHigh.Record(context.Background(), int64(n), o.nodeSet("").rec...)
}

// nodeSet is the attribute set of node alone.
func (o *Observer) nodeSet(node string) metricOption {
	node = o.nodeOf(node)
	return o.sets.get(setKey{kind: setNode, a: node}, func() []attribute.KeyValue {
		return withNode(nil, node)
	})
}

// callSet is the attribute set of a call's app and node.
func (o *Observer) callSet(app, node string) metricOption {
	node = o.nodeOf(node)
	return o.sets.get(setKey{kind: setCall, a: app, b: node}, func() []attribute.KeyValue {
		return withNode([]attribute.KeyValue{KeyApp.String(app)}, node)
	})
}
