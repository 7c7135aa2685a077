package stasis

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"gostasis.dev/ari/events"
)

// Straight-line waiting: a handler method (or the factory, or an
// AfterFunc or Post func) waits for an event of its call in the call's
// own goroutine. The wait takes deliveries from the call's mailbox
// itself; those it does not return are held, in order, and dispatched
// once the waiting method has returned (Call.next). Nothing is dispatched
// while a method runs, so there is no reentrancy and no lock.

// ErrCallEnded is returned (errors.Is) by waits and by Post once the call
// has ended or is ending: its StasisEnd arrived, or its context was
// cancelled (shutdown, mailbox overflow). A handler method that returns
// it, as waits give it, does not count as a handler error.
var ErrCallEnded = errors.New("stasis: call ended")

// ErrNotCallGoroutine is returned (errors.Is) by a wait called outside the
// call's goroutine, where that can be detected: while the call's
// goroutine is idle (between events), or while another wait of the call
// is in progress. Waits belong in the handler's methods, the factory, and
// AfterFunc and Post funcs.
var ErrNotCallGoroutine = errors.New("stasis: wait called outside the call's goroutine")

// callFlow is the state of a call's waits. held and its head belong to
// the call's goroutine; the atomics are read by other goroutines' waits.
type callFlow struct {
	// held are deliveries a wait took from the mailbox without returning
	// them, in arrival order from heldHead; they are dispatched before the
	// mailbox's.
	held     []delivery
	heldHead int
	// endSeen is set when a wait met the call's own StasisEnd.
	endSeen bool
	// idle is set while the call's goroutine waits for its next delivery.
	idle atomic.Bool
	// waiting is set while a wait is in progress.
	waiting atomic.Bool
}

// Wait returns the first event of this call that its handler has not yet
// been given and for which match returns true, waiting for it as long as
// ctx allows. It must be called on the call's goroutine: in a handler
// method, the factory, or an AfterFunc or Post func.
//
//   - The event it returns is consumed: it is not dispatched to the
//     handler's On<Event> methods.
//   - The events it passes over are held, in order, and dispatched to the
//     handler once the method that waited returns; a later wait looks at
//     them first. So the handler still gets every event, serially, in the
//     order Asterisk sent them, minus those its waits consumed. Posted
//     funcs and timers that come due meanwhile run then too.
//   - Since nothing is dispatched while a method runs, a wait that
//     follows a request in the same method (Originate, Play, ...) cannot
//     miss the events the request causes.
//   - When ctx ends first, the error matches ctx.Err() (errors.Is).
//   - When the call ends during the wait (its StasisEnd arrives, it is
//     hung up, its context is cancelled by Shutdown or a mailbox
//     overflow), the error matches ErrCallEnded, and the StasisEnd still
//     reaches the handler (OnStasisEnd, then OnEnd) after the method
//     returns. A wait never consumes the call's own StasisEnd.
//
// match runs on the call's goroutine, once per event, and must not block.
func (c *Call) Wait(ctx context.Context, match func(events.Event) bool) (events.Event, error) {
	if match == nil {
		return nil, errors.New("stasis: Wait: match is nil")
	}
	return c.wait(ctx, func(e events.Event) (bool, error) { return match(e), nil })
}

// WaitFor is Wait for events of type E: it returns the first one for
// which match (nil matches any) returns true.
//
//	e, err := stasis.WaitFor(ctx, call, func(e *events.ChannelDTMFReceived) bool {
//		return e.Channel.ID == call.ChannelID
//	})
func WaitFor[E events.Event](ctx context.Context, c *Call, match func(E) bool) (E, error) {
	ev, err := c.wait(ctx, func(ev events.Event) (bool, error) {
		e, ok := ev.(E)
		return ok && (match == nil || match(e)), nil
	})
	e, _ := ev.(E)
	return e, err
}

// wait is Wait with a check that can also fail the wait: check returns
// true to take the event, or an error to end the wait (the event is then
// held and reaches the handler; a wait consumes only what it returns).
func (c *Call) wait(ctx context.Context, check func(events.Event) (bool, error)) (events.Event, error) {
	if ctx == nil {
		return nil, errors.New("stasis: wait: nil context")
	}
	if c.ctx.Err() != nil {
		return nil, c.endedErr()
	}
	if c.flow.idle.Load() || !c.flow.waiting.CompareAndSwap(false, true) {
		return nil, ErrNotCallGoroutine
	}
	defer c.flow.waiting.Store(false)
	f := &c.flow
	// First the deliveries already held, oldest first.
	for i := f.heldHead; i < len(f.held); i++ {
		ev := f.held[i].ev
		if ev == nil {
			continue
		}
		if c.isOwnEnd(ev) {
			f.endSeen = true
			return nil, c.endedErr()
		}
		ok, err := check(ev)
		if err != nil {
			return nil, err
		}
		if ok {
			f.held = append(f.held[:i], f.held[i+1:]...)
			return ev, nil
		}
	}
	if f.endSeen {
		return nil, c.endedErr()
	}
	// Then the mailbox, until ctx ends.
	stop := context.AfterFunc(ctx, c.mb.wake)
	defer stop()
	for {
		d, err := c.mb.wait(ctx)
		switch {
		case errors.Is(err, errStopped):
			return nil, c.endedErr()
		case err != nil:
			return nil, c.ctxErr(ctx)
		}
		if d.ev != nil {
			if c.isOwnEnd(d.ev) {
				f.endSeen = true
				_ = c.hold(d)
				return nil, c.endedErr()
			}
			ok, err := check(d.ev)
			if ok && err == nil {
				return d.ev, nil
			}
			if herr := c.hold(d); herr != nil {
				return nil, herr
			}
			if err != nil {
				return nil, err
			}
		} else if err := c.hold(d); err != nil {
			return nil, err
		}
		if ctx.Err() != nil {
			// A busy mailbox does not hold the deadline off.
			return nil, c.ctxErr(ctx)
		}
	}
}

// isOwnEnd reports the StasisEnd of the call's own channel.
func (c *Call) isOwnEnd(ev events.Event) bool {
	e, ok := ev.(*events.StasisEnd)
	return ok && e.Channel.ID == c.ChannelID
}

// hold keeps d for dispatch after the waiting method returns. Held
// events count toward Config.MailboxLimit as queued ones do, with the
// same Overflow policy; the call's own StasisEnd is always kept. It
// returns ErrCallEnded when the policy ended the call.
func (c *Call) hold(d delivery) error {
	f := &c.flow
	limit := c.rt.cfg.MailboxLimit
	n := len(f.held) - f.heldHead
	if limit <= 0 || n < limit || d.ev == nil || c.isOwnEnd(d.ev) {
		f.held = append(f.held, d)
		c.rt.noteQueue(n + 1)
		return nil
	}
	c.rt.stats.overflows.Add(1)
	if c.rt.cfg.Overflow == OverflowDropNewest {
		c.log.Warn("stasis: mailbox full during a wait: event dropped", "limit", limit, "type", d.ev.EventType())
		if c.resyncQueued.CompareAndSwap(false, true) {
			f.held = append(f.held, delivery{note: &notice{resync: &Resync{Reason: ResyncOverflow, At: time.Now()}}})
		}
		return nil
	}
	c.log.Error("stasis: mailbox full during a wait: ending the call", "limit", limit, "type", d.ev.EventType())
	c.cancel(errOverflow)
	return c.endedErr()
}

// next returns the call's next delivery: a held one first, else the
// mailbox's; false once the call's context is cancelled. Once it returns
// the call's own StasisEnd, waits fail at once (OnStasisEnd may not wait
// for more).
func (c *Call) next() (d delivery, ok bool) {
	f := &c.flow
	if f.heldHead < len(f.held) {
		d, ok = f.held[f.heldHead], true
		f.held[f.heldHead] = delivery{}
		f.heldHead++
		if f.heldHead == len(f.held) {
			f.held, f.heldHead = f.held[:0], 0
			if cap(f.held) > 64 {
				f.held = nil
			}
		}
	} else {
		f.idle.Store(true)
		d, ok = c.mb.next()
		f.idle.Store(false)
	}
	if d.ev != nil && c.isOwnEnd(d.ev) {
		f.endSeen = true
	}
	return d, ok
}

// takeHeld returns and forgets the held deliveries (the call is ending).
func (c *Call) takeHeld() []delivery {
	f := &c.flow
	rest := f.held[f.heldHead:]
	f.held, f.heldHead = nil, 0
	return rest
}

// endedErr is the error of a wait on an ended call: ErrCallEnded, with
// the cancellation's cause when there is one.
func (c *Call) endedErr() error {
	if cause := context.Cause(c.ctx); cause != nil && !errors.Is(cause, ErrCallEnded) && !errors.Is(cause, errEnded) {
		return fmt.Errorf("%w: %w", ErrCallEnded, cause)
	}
	return ErrCallEnded
}

// ctxErr is the error of a wait whose ctx ended: the call's end when that
// is why, else ctx's error (and its cause, when it has another).
func (c *Call) ctxErr(ctx context.Context) error {
	if c.ctx.Err() != nil {
		return c.endedErr()
	}
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return fmt.Errorf("stasis: wait: %w: %w", err, cause)
	}
	return fmt.Errorf("stasis: wait: %w", err)
}

// endedBy reports an error that only says the call ended, returned by a
// handler whose wait found the call ending: not a handler failure.
func (c *Call) endedBy(err error) bool {
	if c.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.Cause(c.ctx))) {
		// A request the runtime interrupted by ending the call (Shutdown,
		// overflow) is how the call ended, not a handler error.
		return true
	}
	return errors.Is(err, ErrCallEnded) && (c.flow.endSeen || c.ending.Load() || c.ctx.Err() != nil)
}

// endedEnd says how a call ended whose factory gave up because a wait
// found it ending.
func (c *Call) endedEnd() End {
	if c.ctx.Err() != nil {
		return c.cancelled()
	}
	for _, d := range c.flow.held[c.flow.heldHead:] {
		if d.ev != nil && c.isOwnEnd(d.ev) && d.synthetic {
			return End{Reason: EndSynthetic}
		}
	}
	return End{Reason: EndStasisEnd}
}
