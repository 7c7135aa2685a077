package stasis

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// nodeAnswerer answers its call, notes the call's node and channel, and
// hangs up when the caller presses a key.
type nodeAnswerer struct {
	call *Call
	seen func(node, channel string)
}

func (h *nodeAnswerer) OnEvent(ctx context.Context, e events.Event) error {
	switch e.(type) {
	case *events.StasisStart:
		if err := h.call.Answer(ctx); err != nil {
			return err
		}
		h.seen(h.call.Node, h.call.ChannelID) // once the answer's reply is in
	case *events.ChannelDTMFReceived:
		return h.call.Hangup(ctx, resources.HangupReasonNormal)
	}
	return nil
}

// TestOutboundFromSeveralServers has two Asterisk servers dial one
// runtime, their channel ids and names alike (the same system name) but
// their asterisk_id not: each server's call is a call of its own, on a
// node named by its asterisk_id, whose REST goes to its own server; one
// server's reconnect re-syncs its calls only, and never passes for the
// other's.
func TestOutboundFromSeveralServers(t *testing.T) {
	for _, perCall := range []bool{false, true} {
		name := "persistent"
		if perCall {
			name = "per-call"
		}
		t.Run(name, func(t *testing.T) { outboundFromSeveralServers(t, perCall) })
	}
}

func outboundFromSeveralServers(t *testing.T, perCall bool) {
	const idA, idB = "02:fc:00:00:00:0a", "02:fc:00:00:00:0b"
	var mu sync.Mutex
	seen := map[string]string{} // node -> channel
	var ws aritest.OutboundWebsocket
	var resyncs []ResyncReport
	env := outboundSetup(t, obSetup{perCall: perCall, ws: func(w *aritest.OutboundWebsocket) { ws = *w }}, Config{
		Apps: []App{{Name: "ob", New: func(ctx context.Context, call *Call) (any, error) {
			return &nodeAnswerer{call: call, seen: func(node, channel string) {
				mu.Lock()
				defer mu.Unlock()
				seen[node] = channel
			}}, nil
		}}},
		OnResync: func(r ResyncReport) {
			mu.Lock()
			defer mu.Unlock()
			resyncs = append(resyncs, r)
		},
	})
	// outboundSetup's server (the default asterisk_id) dials in too: it
	// is a third node, with no calls.
	newSrv := func(id string) *aritest.Server {
		return aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), AsteriskID: id, Outbound: []aritest.OutboundWebsocket{ws}})
	}
	a, b := newSrv(idA), newSrv(idB)
	ctx := testCtx(t)
	if !perCall {
		require.NoError(t, waitFor(ctx, func() bool { return len(env.rt.Stats().Nodes) == 3 }))
	}

	phoneA, err := a.PlaceCall(aritest.PlaceCallParams{App: "ob", ChannelID: "c1"})
	require.NoError(t, err)
	phoneB, err := b.PlaceCall(aritest.PlaceCallParams{App: "ob", ChannelID: "c1"})
	require.NoError(t, err)
	assert.Equal(t, phoneA.Channel().Name, phoneB.Channel().Name, "the same channel name on both servers")
	require.NoError(t, phoneA.WaitState(ctx, ari.ChannelStateUp), "A's call answered on A")
	require.NoError(t, phoneB.WaitState(ctx, ari.ChannelStateUp), "B's call answered on B")
	require.NoError(t, waitFor(ctx, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == 2
	}), "both handlers got their answer's reply")
	mu.Lock()
	assert.Equal(t, map[string]string{idA: "c1", idB: "c1"}, seen, "a call per server, on a node named by its asterisk_id")
	mu.Unlock()
	st := env.rt.Stats()
	assert.EqualValues(t, 2, st.LiveCalls)
	assert.Zero(t, st.Reconnects, "B's connection never passed for a reconnect of A's")
	assert.Zero(t, st.SyntheticEnds)
	nodes := map[string]NodeStats{}
	for _, n := range st.Nodes {
		nodes[n.Name] = n
	}
	assert.EqualValues(t, 1, nodes[idA].LiveCalls)
	assert.EqualValues(t, 1, nodes[idB].LiveCalls)

	// A's websockets drop and come back: A's call is re-synced on A, B's
	// call is left alone.
	a.DropWebsockets()
	require.NoError(t, waitFor(ctx, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(resyncs) > 0
	}))
	mu.Lock()
	for _, r := range resyncs {
		assert.Equal(t, idA, r.Node, "only A re-syncs")
		assert.Zero(t, r.Ended, "A's call survived")
	}
	mu.Unlock()

	// Each call's REST reaches its own server.
	require.NoError(t, phoneA.SendDTMF("1"))
	require.NoError(t, phoneA.WaitEnd(ctx))
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, ari.ChannelStateUp, phoneB.State(), "B's call is still up")
	require.NoError(t, phoneB.SendDTMF("1"))
	require.NoError(t, phoneB.WaitEnd(ctx))
	require.NoError(t, waitFor(ctx, func() bool { return env.rt.Stats().LiveCalls == 0 }))
	assert.Zero(t, env.rt.Stats().SyntheticEnds)
	if perCall {
		// Asterisk closes each per-call connection after its call: the
		// runtime forgets their links at once, waiting for no reconnect.
		require.NoError(t, waitFor(ctx, func() bool { return len(a.OutboundSessions())+len(b.OutboundSessions()) == 0 }))
		o := env.rt.out
		require.NoError(t, waitFor(ctx, func() bool {
			o.mu.Lock()
			defer o.mu.Unlock()
			return len(o.links) == 0
		}))
		o.mu.Lock()
		assert.Empty(t, o.timers, "no call left to wait for")
		o.mu.Unlock()
	}
}

// TestOutboundUnownedPerServer gives each Asterisk server that dials in
// its own App.Unowned feed, started with its node, and stops them all
// at Shutdown.
func TestOutboundUnownedPerServer(t *testing.T) {
	var mu sync.Mutex
	nodes := map[string]bool{}
	app := App{Name: "ob", New: func(ctx context.Context, call *Call) (any, error) {
		return &nodeAnswerer{call: call, seen: func(string, string) {}}, nil
	},
		Unowned: func(ctx context.Context, e events.Event) {
			if _, ok := e.(*events.ApplicationRegistered); ok {
				mu.Lock()
				defer mu.Unlock()
				nodes[e.Base().AsteriskID] = true
			}
		}}
	var ws aritest.OutboundWebsocket
	env := outboundSetup(t, obSetup{ws: func(w *aritest.OutboundWebsocket) { ws = *w }, deferRun: true}, Config{Apps: []App{app}})
	aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), AsteriskID: "02:fc:00:00:00:0b", Outbound: []aritest.OutboundWebsocket{ws}})
	ran := make(chan error, 1)
	go func() { ran <- env.rt.Run(context.Background()) }()
	ctx := testCtx(t)
	require.NoError(t, waitFor(ctx, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(nodes) == 2
	}), "each server's ApplicationRegistered reached Unowned")
	assert.True(t, nodes[env.srv.Config().AsteriskID])
	require.NoError(t, env.rt.Shutdown(ctx))
	require.ErrorIs(t, <-ran, ErrRuntimeClosed)
	// The simulators still run (the test's cleanup stops them): look for
	// the runtime's Unowned goroutines only.
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	assert.NotContains(t, stacks, "serveUnowned", "no Unowned goroutine left")
}
