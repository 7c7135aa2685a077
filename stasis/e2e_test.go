package stasis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// End-to-end tests against the simulated Asterisk (package aritest): real
// HTTP, real websockets, Asterisk's event order.

func simulator(t *testing.T) *aritest.Server {
	t.Helper()
	return aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestE2ECallLifecycle(t *testing.T) {
	srv := simulator(t)
	ctx := testCtx(t)
	log := newCallLog()
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		switch e := e.(type) {
		case *events.StasisStart:
			if err := call.Answer(ctx); err != nil {
				return err
			}
			_, err := call.REST().Channels.Play(ctx, call.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
			return err
		case *events.ChannelDTMFReceived:
			if e.Digit == "#" {
				return call.Hangup(ctx, resources.HangupReasonNormal)
			}
		}
		return nil
	}
	rt, err := New(Config{Client: srv.Client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	require.NoError(t, srv.WaitApp(ctx, "app"))

	call, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app", Args: []string{"x"}, Caller: ari.CallerID{Name: "Alice", Number: "1001"}})
	require.NoError(t, err)
	require.NoError(t, call.WaitState(ctx, ari.ChannelStateUp))
	_, err = call.WaitEvent(ctx, "PlaybackFinished")
	require.NoError(t, err)
	require.NoError(t, call.SendDTMF("1#"))
	require.NoError(t, call.WaitEnd(ctx))

	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndStasisEnd, r.end().Reason)
	assert.Equal(t, []string{"x"}, r.call.Args)
	assert.Equal(t, "1001", r.call.Caller.Number)
	types := r.types()
	assert.Equal(t, "StasisStart", types[0])
	assert.Equal(t, "StasisEnd", types[len(types)-1])
	assert.Subset(t, types, []string{"ChannelStateChange", "PlaybackStarted", "PlaybackFinished", "ChannelDtmfReceived", "ChannelHangupRequest"})
	assert.Equal(t, []string{"sound:hello-world"}, call.MediaHeard())
	eventually(t, func() bool { return rt.Stats().LiveCalls == 0 }, "no live call")
}

func TestE2EOriginateAndBridge(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: func() aritest.Timing { tm := aritest.FastTiming(); tm.Ring = aritest.Never; return tm }()})
	ctx := testCtx(t)
	log := newCallLog()
	originated := make(chan string, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		switch e := e.(type) {
		case *events.StasisStart:
			if e.Channel.ID != call.ChannelID {
				// The dialled phone answered and entered the app: bridge.
				b, err := call.CreateBridge(ctx, &resources.BridgeCreateParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing}})
				if err != nil {
					return err
				}
				return call.REST().Bridges.AddChannel(ctx, b.ID, &resources.BridgeAddChannelParams{Channel: []string{call.ChannelID, e.Channel.ID}})
			}
			if err := call.Answer(ctx); err != nil {
				return err
			}
			ch, err := call.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Test/bob"})
			if err != nil {
				return err
			}
			originated <- ch.ID
		}
		return nil
	}
	rt, err := New(Config{Client: srv.Client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	require.NoError(t, srv.WaitApp(ctx, "app"))

	alice, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	bobID := <-originated
	bob := srv.Phone(bobID)
	require.NotNil(t, bob, "the simulator knows the dialled phone")
	require.NoError(t, bob.WaitState(ctx, ari.ChannelStateRinging))
	require.NoError(t, bob.Answer())
	_, err = srv.WaitEvent(ctx, func(e events.Event) bool {
		b, ok := e.(*events.ChannelEnteredBridge)
		return ok && b.Channel != nil && b.Channel.ID == bobID
	})
	require.NoError(t, err)

	// The caller hangs up: the call ends, and the channel and bridge it
	// created are cleaned up.
	require.NoError(t, alice.Hangup(resources.HangupReasonNormal))
	r := log.waitEnded(t, 1)[0]
	types := r.types()
	assert.Equal(t, 2, count(types, "StasisStart"), "the originated channel's StasisStart reached the call: %v", types)
	assert.GreaterOrEqual(t, count(types, "ChannelEnteredBridge"), 2)
	assert.Len(t, log.get("app", bobID), 0, "no separate call for the originated channel")
	require.NoError(t, bob.WaitEnd(ctx), "the originated channel was hung up")
	assert.Eventually(t, func() bool { return len(srv.Bridges()) == 0 }, 5*time.Second, 5*time.Millisecond, "the bridge was destroyed")
}

func count(xs []string, x string) int {
	n := 0
	for _, s := range xs {
		if s == x {
			n++
		}
	}
	return n
}

func TestE2EMoveAndRouter(t *testing.T) {
	srv := simulator(t)
	ctx := testCtx(t)
	log := newCallLog()
	router := Router(RouterConfig{Routes: map[string]string{"12345": "sales"}})
	rt, err := New(Config{Client: srv.Client(), Apps: []App{router, log.app("sales")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	require.NoError(t, srv.WaitApp(ctx, "router", "sales"))

	// The default dialplan runs _X. as Answer, Stasis(router,${EXTEN}).
	matched, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "12345"})
	require.NoError(t, err)
	eventually(t, func() bool { return len(log.get("sales", matched.ID())) == 1 }, "moved to sales")
	sales := log.get("sales", matched.ID())[0]
	assert.Equal(t, []string{"12345"}, sales.call.Args)

	unmatched, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "99999"})
	require.NoError(t, err)
	require.NoError(t, unmatched.WaitEnd(ctx))
	assert.Equal(t, 1, unmatched.Cause(), "unallocated number")

	require.NoError(t, matched.Hangup(resources.HangupReasonNormal))
	log.waitEnded(t, 1)
	eventually(t, func() bool { return rt.Stats().LiveCalls == 0 }, "no live call")
}

func TestE2EReconnectResync(t *testing.T) {
	srv := simulator(t)
	ctx := testCtx(t)
	log := newCallLog()
	resynced := make(chan ResyncReport, 4)
	stream := fastStream()
	stream.PingInterval = 20 * time.Millisecond
	stream.PongTimeout = 150 * time.Millisecond
	rt, err := New(Config{Client: srv.Client(), Apps: []App{log.app("app")}, Stream: stream, OnResync: func(r ResyncReport) {
		if r.Err == nil {
			resynced <- r
		}
	}})
	require.NoError(t, err)
	startRuntime(t, rt)
	require.NoError(t, srv.WaitApp(ctx, "app"))

	survivor, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app", Answer: true})
	require.NoError(t, err)
	leaver, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app", Answer: true})
	require.NoError(t, err)
	eventually(t, func() bool { return rt.Stats().LiveCalls == 2 }, "two calls")

	// The network fails: the websocket is half-open, Asterisk writes into
	// the void. One call ends and a new one enters the app meanwhile; the
	// runtime sees neither until it notices (ping timeout), reconnects and
	// re-syncs. Asterisk replays nothing.
	srv.StallWebsockets()
	require.NoError(t, leaver.Hangup(resources.HangupReasonNormal))
	newcomer, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app", Answer: true, Args: []string{"late"}})
	require.NoError(t, err)

	select {
	case rep := <-resynced:
		assert.Equal(t, ResyncReport{Apps: []string{"app"}, Ended: 1, Resumed: 1, Survived: 1}, rep)
	case <-ctx.Done():
		t.Fatal("no re-sync")
	}
	ended := log.waitEnded(t, 1)[0]
	assert.Equal(t, leaver.ID(), ended.call.ChannelID)
	assert.Equal(t, EndSynthetic, ended.end().Reason)

	eventually(t, func() bool { return len(log.get("app", newcomer.ID())) == 1 }, "newcomer resumed")
	resumed := log.get("app", newcomer.ID())[0]
	assert.True(t, resumed.call.Resumed)
	assert.Equal(t, []string{"late"}, resumed.call.Args)

	surv := log.get("app", survivor.ID())[0]
	eventually(t, func() bool { surv.mu.Lock(); defer surv.mu.Unlock(); return len(surv.resync) == 1 }, "survivor told")

	// Events flow again to both.
	require.NoError(t, survivor.SendDTMF("5"))
	_, err = survivor.WaitEvent(ctx, "ChannelDtmfReceived")
	require.NoError(t, err)
	require.NoError(t, newcomer.Hangup(resources.HangupReasonNormal))
	require.NoError(t, survivor.Hangup(resources.HangupReasonNormal))
	log.waitEnded(t, 2)
	assert.Contains(t, surv.types(), "ChannelDtmfReceived")
	assert.GreaterOrEqual(t, rt.Stats().Reconnects, uint64(1))
}

func TestE2EShutdownHangsUpAtDeadline(t *testing.T) {
	srv := simulator(t)
	ctx := testCtx(t)
	log := newCallLog()
	rt, err := New(Config{Client: srv.Client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	require.NoError(t, srv.WaitApp(ctx, "app"))
	c1, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app", Answer: true})
	require.NoError(t, err)
	c2, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app", Answer: true})
	require.NoError(t, err)
	eventually(t, func() bool { return rt.Stats().LiveCalls == 2 }, "two calls")

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, rt.Shutdown(short), context.DeadlineExceeded)
	assert.True(t, errors.Is(<-done, ErrRuntimeClosed))
	for _, r := range log.waitEnded(t, 2) {
		assert.Equal(t, EndShutdown, r.end().Reason)
	}
	require.NoError(t, c1.WaitEnd(ctx), "channels hung up at the deadline")
	require.NoError(t, c2.WaitEnd(ctx))
}
