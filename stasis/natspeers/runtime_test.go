package natspeers_test

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
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/natspeers"
	"gostasis.dev/stasis/stasistest"
)

// Two stasis runtimes on natspeers take over the calls of a third
// instance that dies: nothing is taken while it is alive, then each of its
// channels is adopted exactly once within the TTL.
func TestRuntimesAdoptTheCallsOfACrashedInstance(t *testing.T) {
	const ttl = time.Second
	ns := startNATS(t)
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	ctx := testCtx(t)

	// Instance "a": alive in NATS, with an events websocket for its app
	// w-a and three calls in it.
	peersA, ncA := ns.peers(natspeers.Config{TTL: ttl})
	joinCtx, stopJoin := context.WithCancel(context.Background())
	joined := make(chan error, 1)
	go func() { joined <- peersA.Join(joinCtx, "a") }()
	t.Cleanup(func() { stopJoin(); <-joined })
	stream := srv.Client().EventStream(ari.EventStreamConfig{Apps: []string{"w-a"}})
	streamCtx, stopStream := context.WithCancel(context.Background())
	streamDone := make(chan struct{})
	go func() { defer close(streamDone); _ = stream.Run(streamCtx, func(ari.Frame) {}) }()
	t.Cleanup(func() { stopStream(); <-streamDone })
	require.NoError(t, srv.WaitApp(ctx, "w-a"))
	var phones []*aritest.Phone
	for range 3 {
		p, err := srv.PlaceCall(aritest.PlaceCallParams{App: "w-a"})
		require.NoError(t, err)
		phones = append(phones, p)
	}

	// Instances "b" and "c".
	adopted := make(chan *stasis.Call, 8)
	var runtimes []*stasis.Runtime
	for _, name := range []string{"b", "c"} {
		peers, _ := ns.peers(natspeers.Config{TTL: ttl})
		// Two runtimes in one test: each one's leak check would count the
		// other's goroutines; TestMain's goleak covers the package.
		rt := stasistest.Start(t, srv, stasistest.Options{NoLeakCheck: true, Config: stasis.Config{
			Apps: []stasis.App{{Name: "w-" + name, New: func(ctx context.Context, call *stasis.Call) (any, error) {
				return adoptHandler{call: call, adopted: adopted}, nil
			}}},
			Cluster: &stasis.ClusterConfig{
				Instance: name, Peers: peers, Interval: 50 * time.Millisecond,
				InstanceOf: func(app string) (string, bool) { return strings.CutPrefix(app, "w-") },
			},
		}})
		runtimes = append(runtimes, rt)
	}
	waitAlive(t, peersA, 5*time.Second, "a", "b", "c")
	select {
	case call := <-adopted:
		t.Fatalf("adopted %s from a live instance", call.ChannelID)
	case <-time.After(3 * ttl / 2):
	}

	// "a" crashes: its websocket and NATS connection drop, nothing cleans up.
	stopStream()
	<-streamDone
	ncA.Close()

	seen := map[string]bool{}
	for range phones {
		select {
		case call := <-adopted:
			assert.False(t, seen[call.ChannelID], "adopted twice: %s", call.ChannelID)
			seen[call.ChannelID] = true
			assert.Equal(t, []string{stasis.AdoptedArg, "w-a"}, call.Args)
		case <-time.After(ttl + 5*time.Second):
			t.Fatalf("%d of %d calls adopted", len(seen), len(phones))
		}
	}
	for _, p := range phones {
		assert.True(t, seen[p.ID()], p.ID())
		require.NoError(t, p.WaitEnd(ctx))
	}
	// A move's reply may come after the StasisStart it caused.
	assert.Eventually(t, func() bool {
		return uint64(len(phones)) == runtimes[0].Stats().Adopted+runtimes[1].Stats().Adopted
	}, 5*time.Second, 10*time.Millisecond)
}

// adoptHandler reports its call and hangs it up.
type adoptHandler struct {
	call    *stasis.Call
	adopted chan<- *stasis.Call
}

func (h adoptHandler) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	h.adopted <- h.call
	return h.call.Hangup(ctx, "")
}
