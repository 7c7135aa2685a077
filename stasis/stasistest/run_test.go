package stasistest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/stasistest"
)

func TestRunServesTheAppsUntilTheTestEnds(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	var rt *stasis.Runtime
	t.Run("test", func(t *testing.T) {
		rt = stasistest.Run(t, srv,
			stasis.App{Name: "greeter", New: newGreeter},
			stasis.App{Name: "other", New: newGreeter})
		assert.Equal(t, []string{"greeter", "other"}, srv.Apps(), "Run returns once the apps are connected")
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "greeter"})
		require.NoError(t, err)
		require.NoError(t, phone.WaitEnd(t.Context()))
		assert.Equal(t, []string{"sound:hello-world"}, phone.MediaHeard())
	})
	// The runtime was shut down when the subtest ended.
	require.NoError(t, srv.WaitUntil(t.Context(), func() bool { return len(srv.Apps()) == 0 }))
	ctx, cancel := context.WithTimeout(t.Context(), time.Millisecond)
	defer cancel()
	assert.NoError(t, rt.Shutdown(ctx), "the runtime has stopped")
}

func TestStartTakesAConfig(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	connects := make(chan bool, 1)
	stasistest.Start(t, srv, stasistest.Options{Config: stasis.Config{
		Apps:      []stasis.App{{Name: "greeter", New: newGreeter}},
		OnConnect: func(ctx context.Context, reconnect bool) { connects <- reconnect },
	}})
	select {
	case reconnect := <-connects:
		assert.False(t, reconnect)
	case <-time.After(5 * time.Second):
		t.Fatal("OnConnect was not called")
	}
}

// leaker starts a goroutine that outlives its call.
type leaker struct {
	started chan<- struct{}
	release <-chan struct{}
}

func (l *leaker) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	go func() { <-l.release }()
	close(l.started)
	return nil
}

func TestStartReportsLeakedGoroutines(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	release, started := make(chan struct{}), make(chan struct{})
	defer close(release)
	ft := run(func(t testing.TB) {
		stasistest.Run(t, srv, stasis.App{Name: "leaky", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &leaker{started: started, release: release}, nil
		}})
		_, err := srv.PlaceCall(aritest.PlaceCallParams{App: "leaky"})
		require.NoError(t, err)
		<-started
	})
	assert.True(t, ft.Failed())
	assert.Contains(t, ft.Logged(), "goroutines left running after the shutdown")
	assert.Contains(t, ft.Logged(), "leaker).OnStasisStart")
}

func TestStartWithoutLeakCheck(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	release, started := make(chan struct{}), make(chan struct{})
	defer close(release)
	ft := run(func(t testing.TB) {
		stasistest.Start(t, srv, stasistest.Options{NoLeakCheck: true, Config: stasis.Config{
			Apps: []stasis.App{{Name: "leaky", New: func(ctx context.Context, call *stasis.Call) (any, error) {
				return &leaker{started: started, release: release}, nil
			}}},
		}})
		_, err := srv.PlaceCall(aritest.PlaceCallParams{App: "leaky"})
		require.NoError(t, err)
		<-started
	})
	assert.False(t, ft.Failed(), ft.Logged())
}

// stubborn ignores its context: it returns once released.
type stubborn struct{ started, release chan struct{} }

func (s stubborn) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	close(s.started)
	<-s.release
	return nil
}

func TestStartReportsAHandlerThatIgnoresItsContext(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	ft := run(func(t testing.TB) {
		stasistest.Start(t, srv, stasistest.Options{ShutdownTimeout: 50 * time.Millisecond, Config: stasis.Config{
			Apps: []stasis.App{{Name: "stubborn", New: func(ctx context.Context, call *stasis.Call) (any, error) {
				return stubborn{started: started, release: release}, nil
			}}},
		}})
		_, err := srv.PlaceCall(aritest.PlaceCallParams{App: "stubborn"})
		require.NoError(t, err)
		<-started
	})
	assert.True(t, ft.Failed())
	assert.Contains(t, ft.Logged(), "stasistest: Shutdown")
}

func TestStartFailsWhenTheAppsDoNotConnect(t *testing.T) {
	t.Run("in time", func(t *testing.T) {
		srv := aritest.Start(t, aritest.Config{})
		srv.RefuseWebsockets(time.Minute)
		start := time.Now()
		ft := run(func(t testing.TB) {
			stasistest.Start(t, srv, stasistest.Options{StartTimeout: 100 * time.Millisecond, Config: stasis.Config{
				Apps: []stasis.App{{Name: "greeter", New: newGreeter}},
			}})
			t.Error("Start returned")
		})
		assert.True(t, ft.Failed())
		assert.Contains(t, ft.Logged(), "apps [greeter] not connected within 100ms")
		assert.NotContains(t, ft.Logged(), "Start returned")
		assert.Less(t, time.Since(start), 5*time.Second)
	})

	t.Run("the runtime gives up", func(t *testing.T) {
		srv := aritest.Start(t, aritest.Config{})
		srv.RefuseWebsockets(time.Minute)
		ft := run(func(t testing.TB) {
			stasistest.Start(t, srv, stasistest.Options{Config: stasis.Config{
				Apps:   []stasis.App{{Name: "greeter", New: newGreeter}},
				Stream: ari.EventStreamConfig{MaxAttempts: 1},
			}})
			t.Error("Start returned")
		})
		assert.True(t, ft.Failed())
		assert.Contains(t, ft.Logged(), "the runtime stopped before apps [greeter] connected")
		assert.NotContains(t, ft.Logged(), "Start returned")
	})

	t.Run("a configuration New refuses", func(t *testing.T) {
		srv := aritest.Start(t, aritest.Config{})
		ft := run(func(t testing.TB) {
			stasistest.Start(t, srv, stasistest.Options{})
		})
		assert.True(t, ft.Failed())
		assert.Contains(t, ft.Logged(), "stasistest: ")
	})
}

func TestRunLogsToTheTest(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	ft := run(func(t testing.TB) {
		stasistest.Run(t, srv, stasis.App{Name: "broken", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return failing{}, nil
		}})
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "broken"})
		require.NoError(t, err)
		require.NoError(t, phone.WaitEnd(t.Context()))
	})
	assert.False(t, ft.Failed(), ft.Logged())
	assert.Contains(t, ft.Logged(), "broken handler", "the handler's error was logged to the test")
}

// failing fails its call.
type failing struct{}

func (failing) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	return errBroken
}

var errBroken = errorString("broken handler")

type errorString string

func (e errorString) Error() string { return string(e) }

// holder answers and keeps the call.
type holder struct{ call *stasis.Call }

func (h *holder) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	return h.call.Answer(ctx)
}

func TestCallsInProgressAreEndedWhenTheTestEnds(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	var phone *aritest.Phone
	start := time.Now()
	ft := run(func(t testing.TB) {
		stasistest.Run(t, srv, stasis.App{Name: "holder", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &holder{call: call}, nil
		}})
		var err error
		phone, err = srv.PlaceCall(aritest.PlaceCallParams{App: "holder"})
		require.NoError(t, err)
		require.NoError(t, phone.WaitState(t.Context(), ari.ChannelStateUp))
	})
	assert.False(t, ft.Failed(), ft.Logged())
	assert.Less(t, time.Since(start), stasistest.DefaultShutdownTimeout/2, "the shutdown did not wait for the call")
	require.NoError(t, phone.WaitEnd(t.Context()), "the runtime hung the call up")
}
