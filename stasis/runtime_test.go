package stasis

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
)

func TestLifecycle(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	assert.Equal(t, "app", f.waitConnected())

	f.send(stasisStart("app", "c1", "a", "b"), dtmf("app", "c1", "1"), dtmf("app", "c1", "2"), stasisEnd("app", "c1"))
	ended := log.waitEnded(t, 1)
	r := ended[0]
	assert.Equal(t, []string{"StasisStart", "ChannelDtmfReceived", "ChannelDtmfReceived", "StasisEnd"}, r.types())
	assert.Equal(t, EndStasisEnd, r.end().Reason)
	assert.Equal(t, []string{"a", "b"}, r.call.Args)
	assert.Equal(t, "1001", r.call.Caller.Number)
	assert.Len(t, log.get("app", "c1"), 1, "exactly one handler")
	assert.Equal(t, "1", r.events[1].(*events.ChannelDTMFReceived).Digit)
	assert.Error(t, r.call.Context().Err(), "context cancelled after the end")

	eventually(t, func() bool { return rt.Stats().LiveCalls == 0 }, "no live call")
	a := rt.nodes[0].apps["app"]
	a.mu.Lock()
	assert.Empty(t, a.channels, "registrar empty")
	assert.Empty(t, a.bridges)
	a.mu.Unlock()
	st := rt.Stats()
	assert.EqualValues(t, 4, st.EventsReceived)
	assert.EqualValues(t, 4, st.Routed)
	assert.EqualValues(t, 1, st.CallsStarted)
}

func TestStasisEndBeforeContextCancel(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	ctxAtEnd := make(chan error, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisEnd); ok {
			ctxAtEnd <- ctx.Err()
		}
		return nil
	}
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "c1"), stasisEnd("app", "c1"))
	assert.NoError(t, <-ctxAtEnd)
	log.waitEnded(t, 1)
}

func TestSlowHandlerDoesNotDelayOthers(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	release := make(chan struct{})
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if call.ChannelID == "slow" {
			if _, ok := e.(*events.ChannelDTMFReceived); ok {
				<-release
			}
		}
		return nil
	}
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "slow"), stasisStart("app", "fast"))
	for i := 0; i < 200; i++ {
		f.send(dtmf("app", "slow", "1"), dtmf("app", "fast", "2"))
	}
	f.send(stasisEnd("app", "fast"))
	ended := log.waitEnded(t, 1)
	assert.Equal(t, "fast", ended[0].call.ChannelID)
	assert.Len(t, ended[0].events, 202, "the fast call got all its events while the slow one was stuck")
	close(release)
	f.send(stasisEnd("app", "slow"))
	slow := log.waitEnded(t, 1)[0]
	assert.Len(t, slow.events, 202, "no loss on the slow call")
	assert.GreaterOrEqual(t, rt.Stats().MailboxHighWater, int64(100))
}

func TestHandlerErrorHangsUp(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	hung := make(chan string, 4)
	f.handle("DELETE /channels/*", func(w http.ResponseWriter, r *http.Request) {
		hung <- r.URL.Path
		w.WriteHeader(http.StatusNoContent)
	})
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.ChannelDTMFReceived); ok && call.ChannelID == "c1" {
			return errors.New("boom")
		}
		return nil
	}
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "c1"), stasisStart("app", "c2"), dtmf("app", "c1", "1"))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndError, r.end().Reason)
	assert.EqualError(t, r.end().Err, "boom")
	assert.Equal(t, "/ari/channels/c1", <-hung)
	// The other call is unaffected.
	f.send(dtmf("app", "c2", "5"), stasisEnd("app", "c2"))
	other := log.waitEnded(t, 1)[0]
	assert.Equal(t, []string{"StasisStart", "ChannelDtmfReceived", "StasisEnd"}, other.types())
	assert.EqualValues(t, 1, rt.Stats().HandlerErrors)
}

func TestHandlerPanicIsContained(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	hung := make(chan string, 4)
	f.handle("DELETE /channels/*", func(w http.ResponseWriter, r *http.Request) {
		hung <- r.URL.Path
		w.WriteHeader(http.StatusNoContent)
	})
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if call.ChannelID == "bad" {
			if _, ok := e.(*events.ChannelDTMFReceived); ok {
				panic("handler bug")
			}
		}
		return nil
	}
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "bad"), stasisStart("app", "good"), dtmf("app", "bad", "1"), dtmf("app", "good", "1"), stasisEnd("app", "good"))
	ended := log.waitEnded(t, 2)
	byID := map[string]*recorder{}
	for _, r := range ended {
		byID[r.call.ChannelID] = r
	}
	assert.Equal(t, EndPanic, byID["bad"].end().Reason)
	assert.Contains(t, byID["bad"].end().Err.Error(), "handler bug")
	assert.Equal(t, EndStasisEnd, byID["good"].end().Reason)
	assert.Equal(t, "/ari/channels/bad", <-hung)
	assert.EqualValues(t, 1, rt.Stats().Panics)
}

func TestMoveBetweenApps(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("a"), log.app("b")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	assert.Equal(t, "a,b", f.waitConnected())
	f.send(stasisStart("a", "c1"), dtmf("a", "c1", "1"),
		// Moving: Asterisk ends the channel in a and starts it in b.
		stasisEnd("a", "c1"), stasisStart("b", "c1", "moved"), dtmf("b", "c1", "2"))
	endedA := log.waitEnded(t, 1)[0]
	assert.Equal(t, "a", endedA.call.App)
	assert.Equal(t, []string{"StasisStart", "ChannelDtmfReceived", "StasisEnd"}, endedA.types())
	eventually(t, func() bool { return len(log.get("b", "c1")) == 1 && len(log.get("b", "c1")[0].types()) == 2 }, "b got the call")
	b := log.get("b", "c1")[0]
	assert.Equal(t, []string{"moved"}, b.call.Args)
	assert.Nil(t, b.end(), "b's handler is alive")
	f.send(stasisEnd("b", "c1"))
	log.waitEnded(t, 1)
}

func TestUnknownEventReachesAppHandler(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	unowned := make(chan events.Event, 4)
	app := log.app("app")
	app.Unowned = func(ctx context.Context, e events.Event) { unowned <- e }
	rt, err := New(Config{Client: f.client(), Apps: []App{app}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(ev("FutureThing", "app", map[string]any{"x": 1}))
	e := <-unowned
	u, ok := e.(*events.Unknown)
	require.True(t, ok)
	assert.Equal(t, "FutureThing", u.Type)
	// An unknown event about a live call's channel reaches the call.
	f.send(stasisStart("app", "c1"), ev("FutureChannelThing", "app", map[string]any{"channel": channel("c1")}), stasisEnd("app", "c1"))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, []string{"StasisStart", "FutureChannelThing", "StasisEnd"}, r.types())
	assert.EqualValues(t, 1, rt.Stats().Unrouted)
}

func TestDecodeErrorIsReported(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	bad := make(chan string, 1)
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, OnDecodeError: func(frame []byte, err error) { bad <- string(frame) }})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(`{"type":"StasisStart","channel":[]}`)
	assert.Equal(t, `{"type":"StasisStart","channel":[]}`, <-bad)
	assert.EqualValues(t, 1, rt.Stats().DecodeErrors)
}

func TestShutdownWithLiveCalls(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	f.handle("DELETE /channels/*", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	f.waitConnected()
	f.send(stasisStart("app", "c1"), stasisStart("app", "c2"))
	eventually(t, func() bool { return rt.Stats().LiveCalls == 2 }, "two calls")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = rt.Shutdown(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	ended := log.waitEnded(t, 2)
	for _, r := range ended {
		assert.Equal(t, EndShutdown, r.end().Reason)
	}
	assert.ErrorIs(t, <-done, ErrRuntimeClosed)
	assert.EqualValues(t, 0, rt.Stats().LiveCalls)
}

func TestShutdownLetsCallsFinish(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	f.waitConnected()
	f.send(stasisStart("app", "c1"))
	eventually(t, func() bool { return rt.Stats().LiveCalls == 1 }, "one call")
	shut := make(chan error, 1)
	go func() { shut <- rt.Shutdown(context.Background()) }()
	time.Sleep(20 * time.Millisecond)
	// New calls are refused while shutting down; the live one finishes.
	f.send(stasisStart("app", "late"), stasisEnd("app", "c1"))
	assert.NoError(t, <-shut)
	assert.ErrorIs(t, <-done, ErrRuntimeClosed)
	assert.Empty(t, log.get("app", "late"))
	assert.Equal(t, EndStasisEnd, log.get("app", "c1")[0].end().Reason)
}

func TestOnConnectRunsAfterEachConnection(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	f.handleJSON("GET /channels", 200, "[]")
	f.handleJSON("GET /applications/app", 200, `{"name":"app","channel_ids":[],"bridge_ids":[],"endpoint_ids":[],"device_names":[],"events_allowed":[],"events_disallowed":[]}`)
	got := make(chan bool, 4)
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, Stream: fastStream(),
		OnConnect: func(ctx context.Context, reconnect bool) { got <- reconnect }})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	assert.False(t, <-got)
	f.drop()
	f.waitConnected()
	assert.True(t, <-got)
}
