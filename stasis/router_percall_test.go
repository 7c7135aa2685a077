package stasis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// With per-call outbound websockets the router cannot move a call
// (Asterisk registers the target app only for calls that opened its
// connection): RouterConfig.PerCall continues the call in stasis-<app>,
// whose Stasis(<app>) opens the target's connection.
func TestRouterPerCall(t *testing.T) {
	timing := aritest.FastTiming()
	// Asterisk closes the router's connection 3 s after its StasisEnd.
	timing.PerCallClose = aritest.DefaultTiming().PerCallClose
	t.Run("asterisk", func(t *testing.T) { routerPerCall(t, timing) })
	// A connection closed at once after the StasisEnd loses the
	// continue's reply: the router must not take that for a failure.
	timing.PerCallClose = aritest.NoDelay
	t.Run("reply-lost", func(t *testing.T) { routerPerCall(t, timing) })
}

func routerPerCall(t *testing.T, timing aritest.Timing) {
	log := newCallLog()
	reached := make(chan *Call, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			reached <- call
			return call.Hangup(ctx, "")
		}
		return nil
	}
	router := Router(RouterConfig{Routes: map[string]string{"100": "ivr"}, PerCall: true})
	srv, _ := transportSetup(t, transport{name: "per-call", outbound: true, perCall: true}, timing,
		Config{Apps: []App{router, log.app("ivr")}})
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "router", Args: []string{"100"}})
	require.NoError(t, err)
	select {
	case call := <-reached:
		assert.Equal(t, "ivr", call.App)
		assert.True(t, strings.HasPrefix(call.AppID, "ivr:"), call.AppID)
		assert.Equal(t, phone.ID(), call.ChannelID)
	case <-time.After(10 * time.Second):
		var types []string
		for _, e := range phone.Events() {
			types = append(types, e.Event.EventType()+"@"+e.Event.Base().Application)
		}
		t.Fatalf("the call did not reach the ivr app: channel %+v, events %v, sessions %+v", phone.Channel().Dialplan, types, srv.OutboundSessions())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, phone.WaitEnd(ctx))
}

// dropOnContinue drops the simulator's websockets as a continue is sent,
// as Asterisk closes a per-call connection once the channel has left
// Stasis.
type dropOnContinue struct{ srv *aritest.Server }

func (d dropOnContinue) RequestStart(ctx context.Context, r *ari.Request) context.Context {
	if r.Op.Nickname == "continueInDialplan" {
		d.srv.DropWebsockets()
	}
	return ctx
}

func (dropOnContinue) RequestEnd(context.Context, *ari.Request, int, error) {}

// A per-call router whose continue loses its connection does not take
// that for a failure: the connection goes with the call, and nothing
// could be sent over it anyway.
func TestRouterPerCallConnectionLost(t *testing.T) {
	srv := simulator(t)
	client, err := ari.NewClient(ari.Config{URL: srv.URL, Username: "asterisk", Password: "asterisk", Version: "22.10.1", Observer: dropOnContinue{srv}})
	require.NoError(t, err)
	router := Router(RouterConfig{Routes: map[string]string{"100": "ivr"}, PerCall: true})
	rt, err := New(Config{Client: client, Transport: TransportWebsocket, Stream: fastStream(), Apps: []App{router}})
	require.NoError(t, err)
	startRuntime(t, rt)
	ctx := testCtx(t)
	require.NoError(t, srv.WaitApp(ctx, "router"))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "router", Args: []string{"100"}})
	require.NoError(t, err)
	require.NoError(t, waitFor(ctx, func() bool { return rt.Stats().Reconnects == 1 }))
	time.Sleep(50 * time.Millisecond) // the router's handler has returned
	assert.Zero(t, rt.Stats().HandlerErrors, "no hangup attempted over the lost connection")
	// Here the continue never reached the simulator: end the call.
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	require.NoError(t, waitFor(ctx, func() bool { return rt.Stats().LiveCalls == 0 }))
}
