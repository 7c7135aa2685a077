package stasis

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"gostasis.dev/ari/events"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// recorder is a handler that records every event it receives.
type recorder struct {
	call *Call
	log  *callLog

	mu     sync.Mutex
	events []events.Event
	synth  []bool
	ended  *End
	resync []Resync
	// hook, if set, runs on every event; its error is returned.
	hook func(ctx context.Context, e events.Event) error
}

func (r *recorder) OnEvent(ctx context.Context, e events.Event) error {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.synth = append(r.synth, Synthetic(ctx))
	hook := r.hook
	r.mu.Unlock()
	r.log.note(r.call.ChannelID, e)
	if hook != nil {
		return hook(ctx, e)
	}
	return nil
}

func (r *recorder) OnResync(ctx context.Context, rs Resync) error {
	r.mu.Lock()
	r.resync = append(r.resync, rs)
	r.mu.Unlock()
	return nil
}

func (r *recorder) OnEnd(ctx context.Context, end End) {
	r.mu.Lock()
	r.ended = &end
	r.mu.Unlock()
	r.log.ended(r)
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = e.EventType()
	}
	return out
}

func (r *recorder) end() *End {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ended
}

// callLog collects the recorders of every call of a test.
type callLog struct {
	mu      sync.Mutex
	calls   map[string][]*recorder // channel id -> handlers created for it
	endedCh chan *recorder
	hook    func(call *Call, ctx context.Context, e events.Event) error
	factory func(ctx context.Context, call *Call) error
}

func newCallLog() *callLog {
	return &callLog{calls: map[string][]*recorder{}, endedCh: make(chan *recorder, 1024)}
}

func (l *callLog) note(string, events.Event) {}

func (l *callLog) ended(r *recorder) { l.endedCh <- r }

// app returns an App whose calls record their events into l.
func (l *callLog) app(name string) App {
	return App{Name: name, New: func(ctx context.Context, call *Call) (any, error) {
		if l.factory != nil {
			if err := l.factory(ctx, call); err != nil {
				return nil, err
			}
		}
		r := &recorder{call: call, log: l}
		if l.hook != nil {
			r.hook = func(ctx context.Context, e events.Event) error { return l.hook(call, ctx, e) }
		}
		l.mu.Lock()
		l.calls[call.App+"/"+call.ChannelID] = append(l.calls[call.App+"/"+call.ChannelID], r)
		l.mu.Unlock()
		return r, nil
	}}
}

// get returns the handlers created for app/channel.
func (l *callLog) get(app, id string) []*recorder {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*recorder(nil), l.calls[app+"/"+id]...)
}

// waitEnded waits for n handlers to end and returns them.
func (l *callLog) waitEnded(t testing.TB, n int) []*recorder {
	t.Helper()
	var out []*recorder
	for len(out) < n {
		select {
		case r := <-l.endedCh:
			out = append(out, r)
		case <-time.After(5 * time.Second):
			t.Fatalf("%d of %d handlers ended", len(out), n)
		}
	}
	return out
}

// startRuntime runs rt until the test ends (Shutdown at cleanup).
func startRuntime(t testing.TB, rt *Runtime) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, rt.Shutdown(ctx))
		select {
		case err := <-done:
			require.True(t, errors.Is(err, ErrRuntimeClosed), "Run returned %v", err)
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return")
		}
	})
}

// eventually polls cond until it holds.
func eventually(t testing.TB, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out: " + msg)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
