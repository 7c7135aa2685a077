package stasis

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Timers and posted work run on the call's goroutine, serially with the
// handler's methods: they go through the call's mailbox like events.

// task is a func queued for the call's goroutine.
type task struct {
	fn func(ctx context.Context) error
	// done is set once the task ran or was stopped: it runs at most once.
	done atomic.Bool
	// timer and unhook are set for AfterFunc (under the task's creation,
	// before anything can read them).
	timer  *time.Timer
	unhook func() bool
}

// run runs the task on the call's goroutine unless it was stopped.
func (t *task) run(ctx context.Context) error {
	if !t.done.CompareAndSwap(false, true) {
		return nil
	}
	if t.unhook != nil {
		t.unhook()
	}
	return t.fn(ctx)
}

// stop prevents the task from running; false if it already ran or was
// stopped.
func (t *task) stop() bool {
	if !t.done.CompareAndSwap(false, true) {
		return false
	}
	if t.timer != nil {
		t.timer.Stop()
	}
	if t.unhook != nil {
		t.unhook()
	}
	return true
}

// doingTask names an AfterFunc or Post func for ShutdownError.
const doingTask = "AfterFunc/Post func"

// AfterFunc runs fn on the call's goroutine once d has elapsed, serially
// with the handler's methods (after the method running then returns, and
// after any method that waits returns: a func that comes due during a
// wait is held in order like an event). fn gets the call's context and
// may wait (Wait and the Wait* helpers). An error or a panic from fn ends
// the call exactly as a handler's does. When the call ends, pending
// timers are stopped: fn does not run. stop cancels the timer and reports
// whether that prevented fn from running. A nil fn does nothing.
func (c *Call) AfterFunc(d time.Duration, fn func(ctx context.Context) error) (stop func() bool) {
	if fn == nil || c.ctx.Err() != nil {
		return func() bool { return false }
	}
	t := &task{fn: fn}
	due := delivery{note: &notice{task: t}}
	push := func() { c.mb.push(due) }
	// The timer may fire at once: set it up before it can, under no lock
	// the callback needs, and hook the call's end to it.
	t.timer = time.AfterFunc(time.Duration(1<<63-1), push)
	t.unhook = context.AfterFunc(c.ctx, func() {
		if t.done.CompareAndSwap(false, true) {
			t.timer.Stop()
		}
	})
	t.timer.Reset(d)
	return t.stop
}

// Post queues fn to run on the call's goroutine, serially with the
// handler's methods, after the deliveries queued before it (and after any
// method that waits returns). It may be called from any goroutine: it is
// how other goroutines hand work to a call. fn gets the call's context
// and may wait; an error or a panic from fn ends the call exactly as a
// handler's does. Post fails with ErrCallEnded once the call has ended or
// its StasisEnd has arrived; a func queued when the call ends does not
// run.
func (c *Call) Post(fn func(ctx context.Context) error) error {
	if fn == nil {
		return errors.New("stasis: Post: fn is nil")
	}
	if c.ending.Load() || c.ctx.Err() != nil {
		return ErrCallEnded
	}
	if c.mb.push(delivery{note: &notice{task: &task{fn: fn}}}) < 0 {
		return ErrCallEnded
	}
	return nil
}
