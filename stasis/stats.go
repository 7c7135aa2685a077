package stasis

import "sync/atomic"

// Stats is a snapshot of the runtime's counters.
type Stats struct {
	// LiveCalls is the number of calls whose handler is running.
	LiveCalls int64
	// CallsStarted counts handlers started (including resumed ones).
	CallsStarted uint64
	// EventsReceived counts frames read from the websockets.
	EventsReceived uint64
	// Routed counts events delivered to at least one call.
	Routed uint64
	// Unrouted counts events no call owned (given to App.Unowned if set).
	Unrouted uint64
	// DecodeErrors counts frames that could not be decoded.
	DecodeErrors uint64
	// ProtocolErrors counts events that decoded but break the protocol
	// (a StasisStart or StasisEnd without a channel id, a re-sync listing
	// a channel without one): each is logged and routes nothing.
	ProtocolErrors uint64
	// Reconnects counts connections re-established after a loss.
	Reconnects uint64
	// Resyncs counts completed re-syncs; Resumed and SyntheticEnds what
	// they did.
	Resyncs       uint64
	Resumed       uint64
	SyntheticEnds uint64
	// MailboxHighWater is the longest any call's mailbox has been.
	MailboxHighWater int64
	// Overflows counts events that hit Config.MailboxLimit.
	Overflows uint64
	// HandlerErrors and Panics count calls ended by an error or a panic.
	HandlerErrors uint64
	Panics        uint64
	// ClaimsWon, ClaimsLost and ClaimsDeclined count the calls offered
	// by StasisBroadcast (App.Broadcast) that this instance claimed first,
	// that another claimed first (or that ended before the claim), and
	// that the claim policy left to others.
	ClaimsWon, ClaimsLost, ClaimsDeclined uint64
	// Adopted counts the channels of dead instances this instance moved
	// into its own app (Config.Cluster).
	Adopted uint64
	// Nodes has each node's counters: of Config.Nodes, in their order,
	// or, with Config.Outbound, of each Asterisk server that has dialed
	// in, in the order they first did. Empty with Config.Client.
	Nodes []NodeStats
}

// counters are the live counters behind Stats.
type counters struct {
	live, highWater                             atomic.Int64
	started, received, routed, unrouted         atomic.Uint64
	decodeErrors, reconnects, resyncs, resumed  atomic.Uint64
	syntheticEnds, overflows, handlerErrs, pans atomic.Uint64
	protocolErrs                                atomic.Uint64
	claimsWon, claimsLost, claimsDeclined       atomic.Uint64
	adopted                                     atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		LiveCalls: c.live.Load(), CallsStarted: c.started.Load(),
		EventsReceived: c.received.Load(), Routed: c.routed.Load(), Unrouted: c.unrouted.Load(),
		DecodeErrors: c.decodeErrors.Load(), ProtocolErrors: c.protocolErrs.Load(), Reconnects: c.reconnects.Load(),
		Resyncs: c.resyncs.Load(), Resumed: c.resumed.Load(), SyntheticEnds: c.syntheticEnds.Load(),
		MailboxHighWater: c.highWater.Load(), Overflows: c.overflows.Load(),
		HandlerErrors: c.handlerErrs.Load(), Panics: c.pans.Load(),
		ClaimsWon: c.claimsWon.Load(), ClaimsLost: c.claimsLost.Load(), ClaimsDeclined: c.claimsDeclined.Load(),
		Adopted: c.adopted.Load(),
	}
}

// noteQueue records a mailbox length for the high-water mark.
func (rt *Runtime) noteQueue(n int) {
	v := int64(n)
	for {
		cur := rt.stats.highWater.Load()
		if v <= cur {
			return
		}
		if rt.stats.highWater.CompareAndSwap(cur, v) {
			if o := rt.cfg.Observer; o != nil {
				o.MailboxHighWater(n)
			}
			return
		}
	}
}
