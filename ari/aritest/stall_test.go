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
	"gostasis.dev/ari/events"
)

// TestStallWebsockets: a stalled websocket loses events and answers no
// ping; the client notices by its ping timeout and reconnects, and the
// events sent meanwhile are gone.
func TestStallWebsockets(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var starts, conns atomic.Int64
	stream := srv.Client().EventStream(ari.EventStreamConfig{
		Apps: []string{"app"}, PingInterval: 20 * time.Millisecond, PongTimeout: 150 * time.Millisecond,
		Backoff: ari.Backoff{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond},
		OnState: func(sc ari.StateChange) {
			if sc.State == ari.StateConnected {
				conns.Add(1)
			}
		},
	})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- stream.Run(runCtx, func(f ari.Frame) {
			if e, err := events.Decode(f.Data); err == nil {
				if _, ok := e.(*events.StasisStart); ok {
					starts.Add(1)
				}
			}
		})
	}()
	require.NoError(t, srv.WaitApp(ctx, "app"))
	_, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return starts.Load() == 1 }, 5*time.Second, time.Millisecond)

	srv.StallWebsockets()
	lost, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	assert.Equal(t, "app", lost.Channel().Dialplan.AppData[:3], "the app stayed active: the call entered it")
	assert.Eventually(t, func() bool { return conns.Load() == 2 }, 5*time.Second, time.Millisecond, "the client reconnected")
	assert.EqualValues(t, 1, starts.Load(), "the StasisStart sent while stalled was lost")

	_, err = srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return starts.Load() == 2 }, 5*time.Second, time.Millisecond, "events flow on the new connection")
	stop()
	<-done
}
