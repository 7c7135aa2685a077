package stasis

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"gostasis.dev/ari/events"
)

// defaultShutdownGrace is the default of Config.ShutdownGrace.
const defaultShutdownGrace = time.Second

// ShutdownError is returned by Shutdown, and by Run, when calls were
// abandoned: their handlers were still running ShutdownGrace after their
// context was cancelled (at Shutdown's deadline, or when Run's context
// ended). Their goroutines may still be running; each was logged at WARN.
// errors.Is(err, context.DeadlineExceeded) holds for Shutdown's deadline,
// and errors.Is(err, ErrRuntimeClosed) for Run after Shutdown.
type ShutdownError struct {
	// Err is why the runtime stopped waiting: Shutdown's context error,
	// or the error Run returns otherwise.
	Err error
	// Calls are the abandoned calls, by app and channel.
	Calls []AbandonedCall
}

// AbandonedCall is a call whose handler ignored its context at shutdown.
type AbandonedCall struct {
	// App and ChannelID name the call.
	App       string
	ChannelID string
	// Running is how long the call had run when it was abandoned.
	Running time.Duration
	// Method is what the call's goroutine was running: a handler method
	// ("OnStasisEnd", "OnEvent", "OnResync", "OnEnd"), the factory
	// ("App.New"), or "cleanup" (the runtime's hangups when the call
	// ended).
	Method string
}

// maxListed bounds the calls Error names.
const maxListed = 5

func (e *ShutdownError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stasis: %d call(s) abandoned at shutdown (handlers ignoring their context):", len(e.Calls))
	for i, c := range e.Calls {
		if i == maxListed {
			fmt.Fprintf(&b, " and %d more", len(e.Calls)-maxListed)
			break
		}
		fmt.Fprintf(&b, " %s/%s in %s after %s;", c.App, c.ChannelID, c.Method, c.Running.Round(time.Millisecond))
	}
	fmt.Fprintf(&b, " %v", e.Err)
	return b.String()
}

// Unwrap returns Err.
func (e *ShutdownError) Unwrap() error { return e.Err }

// What a call's goroutine runs, besides its handler's On<Event> methods.
const (
	doingFactory = "App.New"
	doingResync  = "OnResync"
	doingCleanup = "cleanup"
	doingOnEnd   = "OnEnd"
)

// doing records what the call's goroutine runs: name, or when ev is set
// the method of h that handles ev. It costs no allocation.
func (c *Call) doing(name string, h any, ev events.Event) {
	c.mu.Lock()
	c.now = callStep{name: name, h: h, ev: ev}
	c.mu.Unlock()
}

// callStep is what a call's goroutine runs (see Call.doing).
type callStep struct {
	name string
	h    any
	ev   events.Event
}

// method names what the call's goroutine runs, for ShutdownError.
func (c *Call) method() string {
	c.mu.Lock()
	s := c.now
	c.mu.Unlock()
	if s.ev == nil {
		if s.name == "" {
			return "(between events)"
		}
		return s.name
	}
	name := "On" + reflect.TypeOf(s.ev).Elem().Name()
	if s.h == nil {
		return name
	}
	if _, ok := reflect.TypeOf(s.h).MethodByName(name); !ok {
		if _, ok := s.h.(events.EventHandler); ok {
			return "OnEvent"
		}
	}
	return name
}

// addLive and removeLive keep the set of running call goroutines, which
// Shutdown reports when it abandons them.
func (rt *Runtime) addLive(c *Call) {
	rt.mu.Lock()
	if rt.live == nil {
		rt.live = map[*Call]struct{}{}
	}
	rt.live[c] = struct{}{}
	rt.mu.Unlock()
}

func (rt *Runtime) removeLive(c *Call) {
	rt.mu.Lock()
	delete(rt.live, c)
	rt.mu.Unlock()
}

// force cancels every call (cause) and starts the grace after which Run
// and Shutdown stop waiting for the runtime's goroutines.
func (rt *Runtime) force(cause error) {
	rt.forceOnce.Do(func() {
		rt.cancelAll(cause)
		time.AfterFunc(rt.cfg.shutdownGrace(), func() { close(rt.giveUp) })
	})
}

// await waits until done is closed, or until the grace after force ends;
// ctx ending forces.
func (rt *Runtime) await(ctx context.Context, done <-chan struct{}) {
	select {
	case <-done:
		return
	case <-rt.giveUp:
		return
	case <-ctx.Done():
		rt.force(errShutdown)
	}
	select {
	case <-done:
	case <-rt.giveUp:
	}
}

// waitChan returns a channel closed when wait returns.
func waitChan(wait func()) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		wait()
		close(ch)
	}()
	return ch
}

// abandon lists the calls still running, sorted by app and channel, and
// logs each at WARN.
func (rt *Runtime) abandon() []AbandonedCall {
	rt.mu.Lock()
	live := make([]*Call, 0, len(rt.live))
	for c := range rt.live {
		live = append(live, c)
	}
	rt.mu.Unlock()
	now := time.Now()
	out := make([]AbandonedCall, 0, len(live))
	for _, c := range live {
		a := AbandonedCall{App: c.App, ChannelID: c.ChannelID, Running: now.Sub(c.started), Method: c.method()}
		out = append(out, a)
		c.log.Warn("stasis: shutdown abandoned the call: its handler ignores its context", "running", a.Running, "method", a.Method)
	}
	slices.SortFunc(out, func(x, y AbandonedCall) int {
		return cmp.Or(cmp.Compare(x.App, y.App), cmp.Compare(x.ChannelID, y.ChannelID))
	})
	return out
}
