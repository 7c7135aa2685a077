package stasis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
)

// With per-call outbound websockets the router cannot move a call
// (Asterisk registers the target app only for calls that opened its
// connection): RouterConfig.PerCall continues the call in stasis-<app>,
// whose Stasis(<app>) opens the target's connection.
func TestRouterPerCall(t *testing.T) {
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
	timing := aritest.FastTiming()
	// Asterisk closes the router's connection 3 s after its StasisEnd;
	// the continue's reply comes after the StasisEnd, and must not be
	// cut off by a simulator much quicker than Asterisk.
	timing.PerCallClose = aritest.DefaultTiming().PerCallClose
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
