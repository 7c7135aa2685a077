package stasis

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// Behaviour of the runtime with REST over the events websocket
// (TransportWebsocket).

// wsSetup starts a simulator and runs a runtime for cfg with REST over the
// events websocket. Its client counts the requests it sends over HTTP.
func wsSetup(t *testing.T, cfg Config) (*aritest.Server, *Runtime, *countingTransport) {
	t.Helper()
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), EventLogSize: 1000})
	counter := &countingTransport{}
	cl, err := ari.NewClient(ari.Config{URL: srv.URL, Username: "asterisk", Password: "asterisk", Version: "22.10.1",
		HTTPClient: &http.Client{Transport: counter}})
	require.NoError(t, err)
	cfg.Client = cl
	cfg.Transport = TransportWebsocket
	rt, err := New(cfg)
	require.NoError(t, err)
	startRuntime(t, rt)
	require.NoError(t, srv.WaitApp(testCtx(t), appNames(cfg)...))
	return srv, rt, counter
}

// TestWebsocketTransportReconnect: the events websocket that also carries
// REST drops. While it is down a call's REST fails with
// ari.ErrConnectionLost; once it is back the runtime re-syncs over it: a
// call hung up meanwhile ends once, the surviving one is told and its REST
// works again.
func TestWebsocketTransportReconnect(t *testing.T) {
	ctx := testCtx(t)
	log := newCallLog()
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		switch e.(type) {
		case *events.ChannelDTMFReceived:
			_, err := call.REST().Channels.Play(ctx, call.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
			return err
		case *events.PlaybackFinished:
			return call.Hangup(ctx, resources.HangupReasonNormal)
		}
		return nil
	}
	states := newStateLog()
	resyncs := make(chan ResyncReport, 4)
	srv, rt, overHTTP := wsSetup(t, Config{
		Apps:     []App{log.app("app")},
		Stream:   fastStream(),
		OnState:  states.on,
		OnResync: func(r ResyncReport) { resyncs <- r },
	})
	states.next(t, ari.StateConnected)

	survivor, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app", Answer: true})
	require.NoError(t, err)
	leaver, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app", Answer: true})
	require.NoError(t, err)
	surv := waitCall(t, log, "app", survivor.ID())
	waitCall(t, log, "app", leaver.ID())

	srv.RefuseWebsockets(time.Minute)
	srv.DropWebsockets()
	states.next(t, ari.StateDisconnected)

	// Down: REST over the websocket fails at once.
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	_, err = surv.call.REST().Channels.Get(rctx, survivor.ID())
	cancel()
	require.Error(t, err)
	assert.True(t, errors.Is(err, ari.ErrConnectionLost), "%v", err)
	// One caller hangs up; the runtime cannot see it.
	require.NoError(t, leaver.Hangup(resources.HangupReasonNormal))
	require.NoError(t, leaver.WaitEnd(ctx))

	srv.RefuseWebsockets(0)
	up := states.next(t, ari.StateConnected)
	assert.True(t, up.Reconnect)
	rep := nextResync(t, resyncs)
	assert.NoError(t, rep.Err)
	assert.Equal(t, ResyncReport{Apps: []string{"app"}, Ended: 1, Survived: 1}, rep)

	ended := log.waitEnded(t, 1)[0]
	assert.Equal(t, leaver.ID(), ended.call.ChannelID)
	assert.Equal(t, EndSynthetic, ended.end().Reason)
	eventually(t, func() bool { surv.mu.Lock(); defer surv.mu.Unlock(); return len(surv.resync) == 1 }, "survivor told")

	// The survivor's REST works again over the new websocket.
	require.NoError(t, survivor.SendDTMF("1"))
	require.NoError(t, survivor.WaitEnd(ctx))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, survivor.ID(), r.call.ChannelID)
	assert.Equal(t, EndStasisEnd, r.end().Reason, "%v", r.end().Err)
	assert.Equal(t, []string{"sound:hello-world"}, survivor.MediaHeard())
	noMoreEnds(t, log, 50*time.Millisecond)
	assert.Len(t, log.get("app", leaver.ID()), 1)
	assert.Len(t, log.get("app", survivor.ID()), 1)
	st := rt.Stats()
	assert.Equal(t, uint64(1), st.SyntheticEnds)
	assert.Equal(t, uint64(1), st.Reconnects)
	assert.Zero(t, st.HandlerErrors)
	assert.Zero(t, overHTTP.n.Load(), "no REST over HTTP, the re-sync's included")
}

// TestWebsocketTransportPerApp: with one websocket per app, each app's
// calls make their REST calls over their own app's websocket.
func TestWebsocketTransportPerApp(t *testing.T) {
	ctx := testCtx(t)
	res := &flowResults{byChan: map[string]*flowHandler{}, ends: map[string]int{}}
	srv, rt, overHTTP := wsSetup(t, Config{
		Apps:       []App{res.app("a"), res.app("b")},
		Connection: ConnectionPerApp,
	})

	var phones []*aritest.Phone
	for i := 0; i < 3; i++ {
		for _, app := range []string{"a", "b"} {
			p, err := srv.PlaceCall(aritest.PlaceCallParams{App: app})
			require.NoError(t, err)
			phones = append(phones, p)
		}
	}
	for _, p := range phones {
		require.NoError(t, p.WaitEnd(ctx))
		assert.Equal(t, []string{"sound:hello-world"}, p.MediaHeard())
	}
	eventually(t, func() bool { return rt.Stats().LiveCalls == 0 }, "calls ended")

	res.mu.Lock()
	defer res.mu.Unlock()
	assert.Empty(t, res.errs)
	assert.Len(t, res.ends, len(phones))
	for id, n := range res.ends {
		assert.Equal(t, 1, n, "call %s", id)
	}
	byApp := map[string]*resources.Client{}
	for _, h := range res.byChan {
		c := h.call
		if prev := byApp[c.App]; prev != nil {
			assert.Same(t, prev, c.REST(), "the calls of app %s share its websocket", c.App)
		}
		byApp[c.App] = c.REST()
	}
	require.Len(t, byApp, 2)
	assert.NotSame(t, byApp["a"], byApp["b"], "each app has its own websocket")
	assert.Zero(t, overHTTP.n.Load(), "no REST over HTTP")
}
