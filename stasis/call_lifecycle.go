package stasis

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// The life of a call's goroutine: events are queued by the websocket
// reader (deliver), the goroutine runs the factory and then the handler
// over each delivery in order (run, serve, handle), and tears the call
// down when it ends (finish).

// deliver queues d for the call's handler, applying the mailbox policy.
// It never blocks.
func (c *Call) deliver(d delivery) {
	n := c.mb.push(d)
	if n < 0 {
		return
	}
	c.rt.noteQueue(n)
	limit := c.rt.cfg.MailboxLimit
	if limit <= 0 || n <= limit {
		return
	}
	if c.rt.cfg.Overflow == OverflowDropNewest && d.ev != nil && c.isOwnEnd(d.ev) {
		// The call's own StasisEnd is never dropped: without it the call
		// would run on until a re-sync. It may take the mailbox one over
		// the limit.
		return
	}
	c.rt.stats.overflows.Add(1)
	switch c.rt.cfg.Overflow {
	case OverflowDropNewest:
		if c.mb.dropNewest() {
			c.log.Warn("stasis: mailbox full: event dropped", "limit", limit, "type", eventType(d))
			if c.resyncQueued.CompareAndSwap(false, true) {
				c.mb.push(delivery{note: &notice{resync: &Resync{Reason: ResyncOverflow, At: time.Now()}}})
			}
		}
	default:
		c.log.Error("stasis: mailbox full: ending the call", "limit", limit, "type", eventType(d))
		c.cancel(errOverflow)
	}
}

func eventType(d delivery) string {
	if d.ev != nil {
		return d.ev.EventType()
	}
	return "resync"
}

var (
	errOverflow = errors.New("stasis: mailbox limit reached")
	errShutdown = errors.New("stasis: runtime shut down")
	errGoexit   = errors.New("stasis: handler called runtime.Goexit")
)

// run is the call's goroutine: the factory, then the events in order.
// The call finishes on every exit of the goroutine: a return, a panic
// that escaped, or runtime.Goexit (t.Fatal in a handler), which ends the
// call like a panic.
func (c *Call) run(first delivery) {
	defer c.rt.calls.Done()
	defer c.rt.removeLive(c)
	finishing := false
	defer func() {
		if finishing {
			return
		}
		var end End
		if r := recover(); r != nil {
			end = c.panicked(r)
		} else {
			c.log.Error("stasis: handler called runtime.Goexit", "stack", string(debug.Stack()))
			end = End{Reason: EndPanic, Err: errGoexit}
		}
		c.finish(end)
	}()
	end := c.serve(first)
	finishing = true
	c.finish(end)
}

// serve runs the handler until the call ends and says why.
func (c *Call) serve(first delivery) End {
	h, end, done := c.newHandler()
	if done {
		return end
	}
	c.handler = h
	d := first
	for {
		if end, done := c.handle(h, d); done {
			return end
		}
		if c.ctx.Err() != nil {
			return c.cancelled()
		}
		var ok bool
		if d, ok = c.next(); !ok {
			return c.cancelled()
		}
	}
}

// cancelled says why the call's context was cancelled.
func (c *Call) cancelled() End {
	cause := context.Cause(c.ctx)
	if errors.Is(cause, errOverflow) {
		return End{Reason: EndOverflow, Err: cause}
	}
	return End{Reason: EndShutdown, Err: cause}
}

// newHandler runs the app's factory, recovering a panic, and returns the
// handler, or says how the call ends when the factory failed.
func (c *Call) newHandler() (h any, end End, done bool) {
	defer func() {
		if r := recover(); r != nil {
			h, end, done = nil, c.panicked(r), true
		}
	}()
	c.doing(doingFactory, nil, nil)
	h, err := c.app.app.New(c.ctx, c)
	c.doing("", nil, nil)
	switch {
	case err != nil && c.endedBy(err):
		return nil, c.endedEnd(), true
	case err != nil:
		return nil, End{Reason: EndError, Err: err}, true
	case h == nil:
		return nil, End{Reason: EndError, Err: errors.New("stasis: the factory returned no handler")}, true
	}
	if err := c.rt.checks.check(c, h); err != nil {
		return nil, End{Reason: EndError, Err: err}, true
	}
	return h, End{}, false
}

// panicked logs a recovered panic with its stack and says how the call
// ends.
func (c *Call) panicked(r any) End {
	c.log.Error("stasis: handler panicked", "panic", r, "stack", string(debug.Stack()))
	return End{Reason: EndPanic, Err: fmt.Errorf("stasis: handler panicked: %v", r)}
}

// handle gives one delivery to the handler and says whether the call ends.
func (c *Call) handle(h any, d delivery) (end End, done bool) {
	defer func() {
		if r := recover(); r != nil {
			end, done = c.panicked(r), true
		}
	}()
	ctx := c.ctx
	if d.synthetic {
		ctx = context.WithValue(ctx, syntheticKey{}, true)
	}
	// Forget the event once handled: it must not outlive its delivery.
	defer c.doing("", nil, nil)
	var err error
	if n := d.note; n != nil && n.resync != nil {
		if n.resync.Reason == ResyncOverflow {
			c.resyncQueued.Store(false)
		}
		if rh, ok := h.(ResyncHandler); ok {
			c.doing(doingResync, nil, nil)
			err = rh.OnResync(ctx, *n.resync)
		}
	} else if n != nil && n.task != nil {
		c.doing(doingTask, nil, nil)
		err = n.task.run(ctx)
	} else {
		c.doing("", h, d.ev)
		_, err = events.Dispatch(ctx, h, d.ev)
	}
	if err != nil && !c.endedBy(err) {
		return End{Reason: EndError, Err: err}, true
	}
	if e, ok := d.ev.(*events.StasisEnd); ok && e.Channel.ID == c.ChannelID {
		if d.synthetic {
			return End{Reason: EndSynthetic}, true
		}
		return End{Reason: EndStasisEnd}, true
	}
	return End{}, false
}

// markEnding marks the call as ending, once: no event is routed to it
// any more and it no longer counts as its link's.
func (c *Call) markEnding() {
	if c.ending.CompareAndSwap(false, true) && c.link != nil {
		c.link.live.Add(-1)
	}
}

// finish tears the call down: registrations, context, mailbox, the
// channels and bridges it owns, and the channel itself when the handler
// failed.
func (c *Call) finish(end End) {
	end.Duration = time.Since(c.started)
	c.markEnding()
	a := c.app
	a.mu.Lock()
	a.forgetLocked(c)
	a.mu.Unlock()
	c.cancel(errEnded)
	rest := append(c.takeHeld(), c.mb.close()...)
	for _, d := range rest {
		if d.ev != nil {
			a.toUnowned(d.ev)
		}
	}
	c.rt.stats.live.Add(-1)
	c.app.node.live.Add(-1)
	c.app.live.Add(-1)
	if o := c.rt.cfg.Observer; o != nil {
		o.CallEnded(c.App, c.Node, end.Reason)
	}
	log := c.log.With("reason", end.Reason.String(), "duration", end.Duration)
	switch end.Reason {
	case EndError:
		c.rt.stats.handlerErrs.Add(1)
		log.Warn("stasis: handler ended with an error", "err", end.Err)
	case EndPanic:
		c.rt.stats.pans.Add(1)
	default:
		log.Debug("stasis: call ended")
	}
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), c.rt.cfg.cleanupTimeout())
	defer cancel()
	c.doing(doingCleanup, nil, nil)
	switch end.Reason {
	case EndError, EndPanic, EndOverflow, EndShutdown:
		if !c.rt.cfg.KeepChannelOnError {
			c.hangup(cleanup, c.ChannelID)
		}
	}
	if !c.rt.cfg.KeepResourcesOnEnd {
		channels, bridges := c.owned()
		for _, id := range channels {
			c.hangup(cleanup, id)
		}
		for _, id := range bridges {
			if err := c.REST().Bridges.Destroy(cleanup, id); err != nil && !errors.Is(err, ari.ErrNotFound) {
				c.log.Warn("stasis: destroying the call's bridge failed", "bridge", id, "err", err)
			}
		}
	}
	c.leaveSharedBridges(cleanup)
	if eh, ok := c.handler.(EndHandler); ok {
		c.doing(doingOnEnd, nil, nil)
		func() {
			defer func() {
				if r := recover(); r != nil {
					c.log.Error("stasis: OnEnd panicked", "panic", r)
				}
			}()
			eh.OnEnd(cleanup, end)
		}()
	}
}

var errEnded = errors.New("stasis: call ended")

// hangup hangs up a channel, ignoring one that is already gone.
func (c *Call) hangup(ctx context.Context, id string) {
	if err := c.REST().Channels.Hangup(ctx, id, nil); err != nil && !errors.Is(err, ari.ErrNotFound) {
		c.log.Warn("stasis: hangup failed", "hangup_channel", id, "err", err)
	}
}
