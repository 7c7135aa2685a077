package aritest_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

func TestWaitBridgeAndChannel(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	dialEvents(t, srv, "app=app1")
	c := ctx(t)
	require.NoError(t, srv.WaitApp(c, "app1"))
	rc := srv.Resources()
	a, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app1", ChannelID: "a"})
	require.NoError(t, err)
	b, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app1", ChannelID: "b"})
	require.NoError(t, err)

	// Waiters started before the application acts.
	type result struct {
		v   any
		err error
	}
	bridged := make(chan result, 1)
	go func() {
		br, err := srv.WaitBridge(c, func(br ari.Bridge) bool { return len(br.Channels) == 2 })
		bridged <- result{br, err}
	}()
	answered := make(chan result, 1)
	go func() {
		ch, err := srv.WaitChannel(c, func(ch ari.Channel) bool { return ch.ID == "b" && ch.State == ari.ChannelStateUp })
		answered <- result{ch, err}
	}()

	require.NoError(t, rc.Channels.Answer(c, "b"))
	r := <-answered
	require.NoError(t, r.err)
	assert.Equal(t, ari.ChannelStateUp, r.v.(ari.Channel).State)

	br, err := rc.Bridges.Create(c, nil)
	require.NoError(t, err)
	select {
	case r := <-bridged:
		t.Fatalf("WaitBridge returned before two channels joined: %+v", r)
	case <-time.After(20 * time.Millisecond):
	}
	require.NoError(t, rc.Bridges.AddChannel(c, br.ID, &resources.BridgeAddChannelParams{Channel: []string{"a", "b"}}))
	r = <-bridged
	require.NoError(t, r.err)
	assert.Equal(t, br.ID, r.v.(ari.Bridge).ID)
	assert.ElementsMatch(t, []string{"a", "b"}, r.v.(ari.Bridge).Channels)

	// A phone hangs up; the application destroys the bridge.
	require.NoError(t, a.Hangup(resources.HangupReasonNormal))
	require.NoError(t, b.Hangup(resources.HangupReasonNormal))
	go func() {
		_ = srv.WaitUntil(c, func() bool { return len(srv.Channels()) == 0 })
		_ = rc.Bridges.Destroy(context.Background(), br.ID)
	}()
	require.NoError(t, srv.WaitUntil(c, func() bool { return len(srv.Bridges()) == 0 }))
}

func TestWaitUntil(t *testing.T) {
	t.Run("honours the context and does not spin", func(t *testing.T) {
		srv := aritest.Start(t, aritest.Config{})
		short, cancel := context.WithTimeout(ctx(t), 100*time.Millisecond)
		defer cancel()
		var calls atomic.Int64
		err := srv.WaitUntil(short, func() bool {
			calls.Add(1)
			_ = srv.Bridges() // reading the server does not wake the wait
			_ = srv.Channels()
			_ = srv.Phones()
			return false
		})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.LessOrEqual(t, calls.Load(), int64(3), "the condition runs after changes only")
	})

	t.Run("wakes on a phone's change", func(t *testing.T) {
		srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
		ws := dialEvents(t, srv, "app=app1")
		c := ctx(t)
		require.NoError(t, srv.WaitApp(c, "app1"))
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app1", Answer: true, ChannelID: "p1"})
		require.NoError(t, err)
		ws.skipTo("StasisStart p1")
		require.NoError(t, srv.Resources().Channels.SendDTMF(c, "p1", &resources.ChannelSendDTMFParams{DTMF: "42"}))
		require.NoError(t, srv.WaitUntil(c, func() bool { return phone.DTMFHeard() == "42" }))
	})

	t.Run("fails with ErrClosed", func(t *testing.T) {
		srv := aritest.NewServer(aritest.Config{})
		done := make(chan error, 1)
		go func() { done <- srv.WaitUntil(ctx(t), func() bool { return false }) }()
		time.Sleep(10 * time.Millisecond)
		srv.Close()
		assert.ErrorIs(t, <-done, aritest.ErrClosed)
		_, err := srv.WaitBridge(ctx(t), nil)
		assert.ErrorIs(t, err, aritest.ErrClosed)
	})
}
