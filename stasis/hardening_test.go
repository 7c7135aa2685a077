package stasis

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
	"gostasis.dev/internal/syncbuf"
)

// Issue 11: a stuck or exiting handler, hostile ids and hostile frames
// neither hang the runtime nor grow its memory.

// syncBuffer collects log output written concurrently.
type syncBuffer struct{ syncbuf.Buffer }

func (s *syncBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(s, nil)) }

// linesWith returns the log lines containing every one of words.
func (s *syncBuffer) linesWith(words ...string) []string {
	var out []string
	for _, line := range strings.Split(s.String(), "\n") {
		ok := line != ""
		for _, w := range words {
			ok = ok && strings.Contains(line, w)
		}
		if ok {
			out = append(out, line)
		}
	}
	return out
}

// A handler that calls runtime.Goexit (t.Fatal in a handler) ends its call
// like a panic: deregistered, channel hung up, mailbox released, OnEnd run.
func TestGoexitInHandlerFinishesCall(t *testing.T) {
	f := newFakeAsterisk(t)
	hung := make(chan string, 4)
	f.handle("DELETE /channels/*", func(w http.ResponseWriter, r *http.Request) {
		hung <- r.URL.Path
		w.WriteHeader(http.StatusNoContent)
	})
	log := newCallLog()
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.ChannelDTMFReceived); ok {
			runtime.Goexit()
		}
		return nil
	}
	unowned := make(chan events.Event, 4)
	app := log.app("app")
	app.Unowned = func(ctx context.Context, e events.Event) { unowned <- e }
	rt, err := New(Config{Client: f.client(), Apps: []App{app}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()

	f.send(stasisStart("app", "c1"), dtmf("app", "c1", "1"))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndPanic, r.end().Reason)
	assert.ErrorContains(t, r.end().Err, "Goexit")
	assert.Equal(t, "/ari/channels/c1", <-hung, "hung up by policy")
	eventually(t, func() bool { return rt.Stats().LiveCalls == 0 }, "no live call")
	assert.EqualValues(t, 1, rt.Stats().Panics)
	a := rt.nodes[0].apps["app"]
	a.mu.Lock()
	assert.Empty(t, a.channels, "deregistered")
	a.mu.Unlock()

	// Later events of the channel no longer pile up in a dead mailbox.
	f.send(dtmf("app", "c1", "2"))
	select {
	case e := <-unowned:
		assert.Equal(t, "2", e.(*events.ChannelDTMFReceived).Digit)
	case <-time.After(5 * time.Second):
		t.Fatal("the event after the Goexit reached no one")
	}
}

// stuckHandler ignores its context: it blocks in OnStasisEnd (or, with
// onDTMF, in OnChannelDTMFReceived) until release is closed.
type stuckHandler struct {
	onDTMF  bool
	entered chan<- string
	release <-chan struct{}
}

func (h stuckHandler) OnStasisEnd(ctx context.Context, e *events.StasisEnd) error {
	if !h.onDTMF {
		h.entered <- e.Channel.ID
		<-h.release
	}
	return nil
}

func (h stuckHandler) OnChannelDTMFReceived(ctx context.Context, e *events.ChannelDTMFReceived) error {
	if h.onDTMF {
		h.entered <- e.Channel.ID
		<-h.release
	}
	return nil
}

// stuckApp is an app whose handlers are stuckHandlers; the test releases
// them at cleanup and waits for their calls to end.
func stuckApp(t *testing.T, onDTMF bool) (App, <-chan string, func(*Runtime)) {
	entered := make(chan string, 16)
	release := make(chan struct{})
	app := App{Name: "app", New: func(ctx context.Context, call *Call) (any, error) {
		return stuckHandler{onDTMF: onDTMF, entered: entered, release: release}, nil
	}}
	var once sync.Once
	cleanup := func(rt *Runtime) {
		once.Do(func() { close(release) })
		eventually(t, func() bool { return rt.Stats().LiveCalls == 0 }, "stuck calls released")
	}
	return app, entered, cleanup
}

// returnsWithin runs f and fails the test if it takes longer than d.
func returnsWithin[T any](t *testing.T, d time.Duration, what string, f func() T) T {
	t.Helper()
	got := make(chan T, 1)
	go func() { got <- f() }()
	select {
	case v := <-got:
		return v
	case <-time.After(d):
		t.Fatalf("%s did not return within %s", what, d)
	}
	var zero T
	return zero
}

// Shutdown returns by its deadline plus ShutdownGrace when a handler
// ignores its context, and its error lists the abandoned call.
func TestShutdownAbandonsHandlerIgnoringContext(t *testing.T) {
	f := newFakeAsterisk(t)
	app, entered, release := stuckApp(t, false)
	var logs syncBuffer
	rt, err := New(Config{Client: f.client(), Apps: []App{app}, ShutdownGrace: 100 * time.Millisecond, Logger: logs.logger()})
	require.NoError(t, err)
	t.Cleanup(func() { release(rt) })
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	f.waitConnected()
	f.send(stasisStart("app", "c1"), stasisEnd("app", "c1"))
	assert.Equal(t, "c1", <-entered)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = returnsWithin(t, 3*time.Second, "Shutdown", func() error { return rt.Shutdown(ctx) })
	assert.Less(t, time.Since(start), 2*time.Second, "deadline (50ms) + grace (100ms), with slack for -race")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var se *ShutdownError
	require.ErrorAs(t, err, &se)
	require.Len(t, se.Calls, 1)
	c := se.Calls[0]
	assert.Equal(t, "app", c.App)
	assert.Equal(t, "c1", c.ChannelID)
	assert.Equal(t, "OnStasisEnd", c.Method)
	assert.GreaterOrEqual(t, c.Running, 50*time.Millisecond)
	assert.Contains(t, err.Error(), "app/c1 in OnStasisEnd")

	runErr := returnsWithin(t, time.Second, "Run", func() error { return <-done })
	assert.ErrorIs(t, runErr, ErrRuntimeClosed)
	assert.ErrorAs(t, runErr, &se)
	warns := logs.linesWith("level=WARN", "abandoned", "channel=c1", "method=OnStasisEnd")
	assert.Len(t, warns, 1, "one WARN line per abandoned call:\n%s", logs.String())
}

// Run returns by ShutdownGrace after its context ends, even when a call's
// handler and App.Unowned ignore their contexts.
func TestRunReturnsWhenHandlersIgnoreContext(t *testing.T) {
	f := newFakeAsterisk(t)
	app, entered, release := stuckApp(t, true)
	unownedIn := make(chan struct{}, 1)
	unownedRelease := make(chan struct{})
	app.Unowned = func(ctx context.Context, e events.Event) {
		unownedIn <- struct{}{}
		<-unownedRelease
	}
	rt, err := New(Config{Client: f.client(), Apps: []App{app}, ShutdownGrace: 100 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { release(rt) })
	t.Cleanup(func() { close(unownedRelease) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	f.waitConnected()
	f.send(stasisStart("app", "c1"), dtmf("app", "c1", "1"), dtmf("app", "ghost", "1"))
	assert.Equal(t, "c1", <-entered)
	<-unownedIn

	cancel()
	err = returnsWithin(t, 3*time.Second, "Run", func() error { return <-done })
	assert.ErrorIs(t, err, context.Canceled)
	var se *ShutdownError
	require.ErrorAs(t, err, &se)
	require.Len(t, se.Calls, 1)
	assert.Equal(t, "OnChannelDTMFReceived", se.Calls[0].Method)
	// Shutdown after Run gave up returns at once.
	assert.NoError(t, returnsWithin(t, time.Second, "Shutdown", func() error { return rt.Shutdown(context.Background()) }))
}

// A StasisStart or StasisEnd without a channel id is a protocol error:
// counted, logged, and it starts or ends nothing.
func TestEventWithoutChannelIDStartsNothing(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	var logs syncBuffer
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, Logger: logs.logger()})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()

	f.send(stasisStart("app", ""), stasisEnd("app", ""), stasisStart("app", "c1"), stasisEnd("app", "c1"))
	assert.Equal(t, "c1", log.waitEnded(t, 1)[0].call.ChannelID)
	assert.Empty(t, log.get("app", ""), "no call for an empty id")
	st := rt.Stats()
	assert.EqualValues(t, 2, st.ProtocolErrors)
	assert.EqualValues(t, 1, st.CallsStarted)
	assert.Len(t, logs.linesWith("level=WARN", "protocol error", "type=StasisStart"), 1)
	assert.Len(t, logs.linesWith("level=WARN", "protocol error", "type=StasisEnd"), 1)
}

// endedLen is how many ended channel ids app remembers.
func endedLen(rt *Runtime, app string) int {
	a := rt.nodes[0].apps[app]
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ended.len()
}

// After a failed re-sync, StasisEnds for unknown channels are not
// remembered: nothing will read them before the next reconnect.
func TestEndedIDsNotKeptAfterFailedResync(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	f.handleJSON("GET /channels", 500, `{"message":"boom"}`)
	resynced := make(chan ResyncReport, 4)
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, Stream: fastStream(),
		OnResync: func(r ResyncReport) { resynced <- r }})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.drop()
	f.waitConnected()
	require.Error(t, (<-resynced).Err)

	const n = 3000
	frames := make([]string, n)
	for i := range frames {
		frames[i] = stasisEnd("app", fmt.Sprintf("gone-%d", i))
	}
	f.send(frames...)
	eventually(t, func() bool { return rt.Stats().Unrouted == n }, "the StasisEnds routed")
	assert.Zero(t, endedLen(rt, "app"))
}

// While a re-sync is pending, the ended ids kept are bounded by
// ResyncEndedLimit, and the most recent still keep the re-sync from
// resuming a channel its (older) list shows.
func TestEndedIDsBoundedDuringResync(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	list := make(chan struct{})
	f.handle("GET /channels", func(w http.ResponseWriter, r *http.Request) {
		<-list
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("[" + channelJSON("late", "app") + "," + channelJSON("fresh", "app") + "]"))
	})
	f.handleJSON("GET /applications/app", 200, `{"name":"app","channel_ids":["late","fresh"],"bridge_ids":[],"endpoint_ids":[],"device_names":[],"events_allowed":[],"events_disallowed":[]}`)
	resynced := make(chan ResyncReport, 4)
	const limit = 100
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, Stream: fastStream(), ResyncEndedLimit: limit,
		OnResync: func(r ResyncReport) { resynced <- r }})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.drop()
	f.waitConnected()

	const n = 1000
	frames := make([]string, 0, n+1)
	for i := 0; i < n; i++ {
		frames = append(frames, stasisEnd("app", fmt.Sprintf("gone-%d", i)))
	}
	frames = append(frames, stasisEnd("app", "late"))
	f.send(frames...)
	eventually(t, func() bool { return rt.Stats().Unrouted == n+1 }, "the StasisEnds routed")
	assert.Equal(t, limit, endedLen(rt, "app"), "bounded")

	close(list)
	report := <-resynced
	require.NoError(t, report.Err)
	assert.Equal(t, 1, report.Resumed, "fresh is resumed; late, which ended, is not")
	eventually(t, func() bool { return len(log.get("app", "fresh")) == 1 }, "fresh resumed")
	assert.Empty(t, log.get("app", "late"))
	assert.Zero(t, endedLen(rt, "app"), "dropped after the re-sync")
	f.send(stasisEnd("app", "fresh"))
	log.waitEnded(t, 1)
}

// frameRef is a handler that takes a weak pointer to the frame each event
// was decoded from (its channel id is a substring of it).
type frameRef struct{ refs chan<- weak.Pointer[byte] }

func (h frameRef) OnChannelDTMFReceived(ctx context.Context, e *events.ChannelDTMFReceived) error {
	h.refs <- weak.Make(unsafe.StringData(e.Channel.ID))
	return nil
}

// OnChannelEnteredBridge refers to the frame through the bridge id, which
// the runtime keeps (the call has joined the bridge).
func (h frameRef) OnChannelEnteredBridge(ctx context.Context, e *events.ChannelEnteredBridge) error {
	h.refs <- weak.Make(unsafe.StringData(e.Bridge.ID))
	return nil
}

// Once routed and handled, no frame stays reachable from the runtime
// (before: the routing scratch kept the last frame until the next event,
// and a bridge's id kept the frame of the ChannelEnteredBridge).
func TestRoutedFrameIsNotKeptAlive(t *testing.T) {
	f := newFakeAsterisk(t)
	refs := make(chan weak.Pointer[byte], 1)
	app := App{Name: "app", New: func(ctx context.Context, call *Call) (any, error) { return frameRef{refs}, nil }}
	rt, err := New(Config{Client: f.client(), Apps: []App{app}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "c1"))

	padding := strings.Repeat("x", 4<<20)
	bridge := map[string]any{"id": "b1", "technology": "simple_bridge", "bridge_type": "mixing", "bridge_class": "stasis",
		"creator": "app", "name": "", "channels": []string{"c1"}, "creationtime": "2026-11-25T19:41:00.885+0000", "video_mode": "none"}
	for _, frame := range []string{
		ev("ChannelDtmfReceived", "app", map[string]any{"channel": channel("c1"), "digit": "1", "duration_ms": 100, "padding": padding}),
		ev("ChannelEnteredBridge", "app", map[string]any{"channel": channel("c1"), "bridge": bridge, "padding": padding}),
	} {
		f.send(frame)
		ref := <-refs
		deadline := time.Now().Add(5 * time.Second)
		for ref.Value() != nil {
			if time.Now().After(deadline) {
				t.Fatalf("the 4 MiB frame is still reachable after its event was handled: %.60s", frame)
			}
			runtime.GC()
			time.Sleep(5 * time.Millisecond)
		}
	}
	a := rt.nodes[0].apps["app"]
	a.mu.Lock()
	call := a.channels["c1"]
	a.mu.Unlock()
	assert.Equal(t, []string{"b1"}, call.Bridges(), "the call joined the bridge")
	f.send(stasisEnd("app", "c1"))
	eventually(t, func() bool { return rt.Stats().LiveCalls == 0 }, "call ended")
}

// TestGoexitInUnownedServesOn checks that an App.Unowned that calls
// runtime.Goexit (t.Fatal inside it) does not leave the app's later
// unowned events piling up unread.
func TestGoexitInUnownedServesOn(t *testing.T) {
	f := newFakeAsterisk(t)
	capture := newLogCapture()
	unowned := make(chan string, 4)
	app := newCallLog().app("app")
	app.Unowned = func(ctx context.Context, e events.Event) {
		d := e.(*events.ChannelDTMFReceived)
		if d.Digit == "1" {
			runtime.Goexit()
		}
		unowned <- d.Digit
	}
	rt, err := New(Config{Client: f.client(), Logger: slog.New(capture), Apps: []App{app}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()

	f.send(dtmf("app", "nobody", "1"), dtmf("app", "nobody", "2"))
	select {
	case d := <-unowned:
		assert.Equal(t, "2", d)
	case <-time.After(5 * time.Second):
		t.Fatal("the event after the Goexit reached no one")
	}
	assert.Len(t, capture.find("App.Unowned called runtime.Goexit"), 1)
}

// TestShutdownInterruptingARequestIsNoHandlerError checks that a REST
// request the runtime interrupts by shutting down does not count as a
// handler error: the call ends with EndShutdown and nothing is logged at
// WARN or above, as a normal Shutdown should be.
func TestShutdownInterruptingARequestIsNoHandlerError(t *testing.T) {
	f := newFakeAsterisk(t)
	inFlight := make(chan struct{}, 1)
	f.handle("POST /channels/*", func(w http.ResponseWriter, r *http.Request) {
		inFlight <- struct{}{}
		<-r.Context().Done() // Asterisk never answers: the request is cut off
	})
	capture := newLogCapture()
	log := newCallLog()
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			return call.Answer(ctx)
		}
		return nil
	}
	rt, err := New(Config{Client: f.client(), Logger: slog.New(capture), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	f.waitConnected()
	f.send(stasisStart("app", "c1"))
	<-inFlight

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_ = rt.Shutdown(ctx)
	<-done
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndShutdown, r.end().Reason)
	assert.Zero(t, rt.Stats().HandlerErrors)
	for _, rec := range capture.records(slog.LevelWarn) {
		t.Errorf("logged at %s: %s %v", rec.Level, rec.Message, rec.Attrs)
	}
}
