package stasis

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// useDefaultLogger makes slog.Default() a capture until the test ends.
// (Tests that call it must not run in parallel.)
func useDefaultLogger(t *testing.T) *logCapture {
	t.Helper()
	capture := newLogCapture()
	old := slog.Default()
	slog.SetDefault(slog.New(capture))
	t.Cleanup(func() { slog.SetDefault(old) })
	return capture
}

func TestDefaultLoggerReportsProblems(t *testing.T) {
	capture := useDefaultLogger(t)
	f := newFakeAsterisk(t)
	log := newCallLog()
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if d, ok := e.(*events.ChannelDTMFReceived); ok {
			if d.Digit == "1" {
				return errors.New("boom")
			}
			panic("bug")
		}
		return nil
	}
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}}) // no Logger
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "c1"), stasisStart("app", "c2"), dtmf("app", "c1", "1"), dtmf("app", "c2", "2"), `{"type":"StasisStart","channel":[]}`)
	log.waitEnded(t, 2)
	eventually(t, func() bool { return len(capture.find("undecodable")) == 1 }, "the decode error is logged")

	handlerErr := capture.find("handler ended with an error")
	require.Len(t, handlerErr, 1)
	assert.Equal(t, slog.LevelWarn, handlerErr[0].Level)
	assert.Equal(t, "boom", handlerErr[0].Attrs["err"])
	assert.Equal(t, "c1", handlerErr[0].Attrs["channel"])
	panicked := capture.find("handler panicked")
	require.Len(t, panicked, 1)
	assert.Equal(t, slog.LevelError, panicked[0].Level)
	assert.Equal(t, slog.LevelError, capture.find("undecodable")[0].Level)
	for _, r := range capture.records(slog.LevelDebug) {
		assert.GreaterOrEqual(t, r.Level, slog.LevelWarn, "by default only warnings and errors: %s", r.Message)
	}

	// A reconnect is reported too.
	f.drop()
	f.waitConnected()
	eventually(t, func() bool { return len(capture.find("reconnected")) == 1 }, "the reconnect is logged")
	assert.Equal(t, slog.LevelWarn, capture.find("reconnected")[0].Level)
	assert.Len(t, capture.find("stasis: disconnected"), 1)
}

func TestUnreachableAsteriskIsLogged(t *testing.T) {
	capture := useDefaultLogger(t)
	client, err := ari.NewClient(ari.Config{URL: "http://127.0.0.1:1", Version: "22.10.1"})
	require.NoError(t, err)
	rt, err := New(Config{Client: client, Apps: []App{{Name: "app", New: func(context.Context, *Call) (any, error) { return &goodHandler{}, nil }}}})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	eventually(t, func() bool { return len(capture.find("cannot connect")) > 0 }, "a failed attempt is logged at once")
	r := capture.find("cannot connect")[0]
	assert.Equal(t, slog.LevelWarn, r.Level)
	assert.Contains(t, r.Attrs["url"], "127.0.0.1:1")
	assert.Contains(t, r.Attrs["err"], "connection refused")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, rt.Shutdown(ctx))
	assert.ErrorIs(t, <-done, ErrRuntimeClosed)
}

func TestNormalShutdownLogsNoWarning(t *testing.T) {
	capture := newLogCapture()
	srv := simulator(t)
	ctx := testCtx(t)
	log := newCallLog()
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			if err := call.Answer(ctx); err != nil {
				return err
			}
			_, err := call.JoinBridge(ctx, "room", mixing())
			return err
		}
		return nil
	}
	rt, err := New(Config{Client: srv.Client(), Logger: slog.New(capture), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	require.NoError(t, srv.WaitApp(ctx, "app"))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	require.NoError(t, phone.WaitState(ctx, ari.ChannelStateUp))
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	log.waitEnded(t, 1)
	require.NoError(t, rt.Shutdown(ctx))
	assert.ErrorIs(t, <-done, ErrRuntimeClosed)
	for _, r := range capture.records(slog.LevelWarn) {
		t.Errorf("a normal run logged %s %q %v", r.Level, r.Message, r.Attrs)
	}
	assert.NotEmpty(t, capture.find("stasis: connected"), "the capture works")
}
