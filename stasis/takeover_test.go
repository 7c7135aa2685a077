package stasis

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// balancer sends each connection to the instance it points at now.
type balancer struct{ to atomic.Pointer[http.Handler] }

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := b.to.Load()
	if h == nil {
		http.Error(w, "no instance", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}

// When the instance serving a per-call websocket dies, Asterisk reopens
// the connection, the load balancer sends it to another instance, and
// that one takes the call over (Call.Resumed) and finishes it.
func TestPerCallTakeoverByAnotherInstance(t *testing.T) {
	lb := &balancer{}
	front := httptest.NewServer(lb)
	t.Cleanup(front.Close)
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Outbound: []aritest.OutboundWebsocket{{
		Name: "ob", Apps: []string{"app"}, URI: "ws" + strings.TrimPrefix(front.URL, "http") + "/ari",
		Username: obUser, Password: obPass, PerCall: true, ReconnectInterval: 10 * time.Millisecond,
		// Asterisk gives up after 500ms; loaded test machines take longer.
		ConnectionTimeout: 10 * time.Second,
	}}})

	type seen struct {
		call    *Call
		resumed bool
	}
	instance := func(name string, hold bool) (*Runtime, chan seen) {
		ch := make(chan seen, 4)
		app := App{Name: "app", New: func(ctx context.Context, call *Call) (any, error) {
			return takeoverHandler{call: call, seen: func(c *Call) { ch <- seen{c, c.Resumed} }, hold: hold}, nil
		}}
		rt, err := New(Config{Outbound: &ari.OutboundConfig{Username: obUser, Password: obPass}, Apps: []App{app},
			PerCallReconnectWait: 200 * time.Millisecond})
		require.NoError(t, err)
		startRuntime(t, rt)
		return rt, ch
	}
	a, aSeen := instance("a", true)
	b, bSeen := instance("b", false)
	ha, hb := a.OutboundHandler(), b.OutboundHandler()
	lb.to.Store(&ha)

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	first := recv(t, aSeen, "instance a's call")
	assert.False(t, first.resumed)

	// Instance a dies: its connections are gone, and the balancer sends
	// Asterisk's reconnect to b.
	lb.to.Store(&hb)
	srv.DropWebsockets()
	second := recv(t, bSeen, "instance b's takeover")
	assert.True(t, second.resumed)
	assert.Equal(t, phone.ID(), second.call.ChannelID)
	assert.Equal(t, first.call.AppID, second.call.AppID)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, phone.WaitEnd(ctx))
	assert.Equal(t, []string{"sound:hello-world"}, phone.MediaHeard(), "b finished the call")
	require.NoError(t, waitFor(ctx, func() bool { return a.Stats().LiveCalls == 0 && b.Stats().LiveCalls == 0 }))
	assert.Equal(t, uint64(1), a.Stats().SyntheticEnds, "a's call ended once a gave up on its connection")
	assert.Equal(t, uint64(1), b.Stats().Resumed)
}

// takeoverHandler answers (a fresh call) and, unless hold, plays
// hello-world to its end and hangs up.
type takeoverHandler struct {
	call *Call
	seen func(*Call)
	hold bool
}

func (h takeoverHandler) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	c := h.call
	if !c.Resumed {
		if err := c.Answer(ctx); err != nil {
			return err
		}
	}
	h.seen(c)
	if h.hold {
		return nil
	}
	pb, err := c.REST().Channels.Play(ctx, c.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
	if err != nil {
		return err
	}
	if _, err := c.WaitPlaybackFinished(ctx, pb.ID); err != nil {
		return err
	}
	return c.Hangup(ctx, resources.HangupReasonNormal)
}
