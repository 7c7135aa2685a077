package media_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/stasistest"
)

// flow is a call flow under test: it runs in OnStasisStart of the call's
// own channel.
type flow func(ctx context.Context, call *stasis.Call) error

// flowHandler runs a flow and records every other event it is given.
type flowHandler struct {
	call *stasis.Call
	run  flow
	rec  *recorder
}

func (h *flowHandler) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if e.Channel.ID != h.call.ChannelID {
		h.rec.add(e)
		return nil
	}
	return h.run(ctx, h.call)
}

// OnEvent gets the events the handler has no method for.
func (h *flowHandler) OnEvent(ctx context.Context, e events.Event) error {
	h.rec.add(e)
	return nil
}

func (h *flowHandler) OnEnd(ctx context.Context, end stasis.End) { h.rec.end(end) }

// recorder keeps what the handlers of a test were given.
type recorder struct {
	mu     sync.Mutex
	events []events.Event
	ends   chan stasis.End
}

func (r *recorder) add(e events.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) end(end stasis.End) { r.ends <- end }

// mediaEvents lists the types of the playback, recording and DTMF events
// the handlers were given, in order.
func (r *recorder) mediaEvents() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		switch e.(type) {
		case *events.PlaybackStarted, *events.PlaybackContinuing, *events.PlaybackFinished,
			*events.RecordingStarted, *events.RecordingFinished, *events.RecordingFailed,
			*events.ChannelDTMFReceived:
			out = append(out, e.EventType())
		}
	}
	return out
}

// digits are the digits the handlers were given, per channel.
func (r *recorder) digits(channelID string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out string
	for _, e := range r.events {
		if d, ok := e.(*events.ChannelDTMFReceived); ok && d.Channel.ID == channelID {
			out += d.Digit
		}
	}
	return out
}

// waitEnd waits for a call's end.
func (r *recorder) waitEnd(t *testing.T) stasis.End {
	t.Helper()
	select {
	case end := <-r.ends:
		return end
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not end")
		return stasis.End{}
	}
}

// sounds are the sounds the tests play, besides the simulator's own.
var sounds = []string{"menu", "option-is-invalid", "no-input", "enter-number"}

// timing is FastTiming with media items that last d.
func timing(d time.Duration) aritest.Timing {
	tm := aritest.FastTiming()
	tm.Playback = d
	return tm
}

// serve starts a simulated Asterisk and a runtime serving app "media",
// whose calls run f.
func serve(t *testing.T, tm aritest.Timing, f flow) (*aritest.Server, *recorder) {
	t.Helper()
	srv := aritest.Start(t, aritest.Config{Timing: tm, Sounds: sounds})
	rec := &recorder{ends: make(chan stasis.End, 4)}
	stasistest.Run(t, srv, app(f, rec))
	return srv, rec
}

// app is the app "media" whose calls run f.
func app(f flow, rec *recorder) stasis.App {
	return stasis.App{Name: "media", New: func(ctx context.Context, call *stasis.Call) (any, error) {
		return &flowHandler{call: call, run: f, rec: rec}, nil
	}}
}

// dial places an answered call to the app.
func dial(t *testing.T, srv *aritest.Server) *aritest.Phone {
	t.Helper()
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "media", Answer: true})
	require.NoError(t, err)
	return phone
}

// started waits, from cur on, for the PlaybackStarted of uri.
func started(t *testing.T, cur *aritest.EventCursor, uri string) {
	t.Helper()
	_, err := cur.Next(t.Context(), func(se aritest.SentEvent) bool {
		e, ok := se.Event.(*events.PlaybackStarted)
		return ok && e.Playback.MediaURI == uri
	})
	require.NoError(t, err, "waiting for %s to play", uri)
}

// finished waits, from cur on, for a PlaybackFinished of uri.
func finished(t *testing.T, cur *aritest.EventCursor, uri string) ari.Playback {
	t.Helper()
	se, err := cur.Next(t.Context(), func(se aritest.SentEvent) bool {
		e, ok := se.Event.(*events.PlaybackFinished)
		return ok && e.Playback.MediaURI == uri
	})
	require.NoError(t, err, "waiting for %s to finish", uri)
	return se.Event.(*events.PlaybackFinished).Playback
}

// received waits, from cur on, for the app to be sent a digit of channel.
func received(t *testing.T, cur *aritest.EventCursor, channelID, digit string) {
	t.Helper()
	_, err := cur.Next(t.Context(), func(se aritest.SentEvent) bool {
		e, ok := se.Event.(*events.ChannelDTMFReceived)
		return ok && e.Channel.ID == channelID && e.Digit == digit
	})
	require.NoError(t, err, "waiting for digit %s", digit)
}

// outcome is what a flow's helper returned.
type outcome[T any] struct {
	v   T
	err error
}

// get waits for a flow's outcome.
func get[T any](t *testing.T, c <-chan outcome[T]) (T, error) {
	t.Helper()
	select {
	case o := <-c:
		return o.v, o.err
	case <-time.After(10 * time.Second):
		t.Fatal("the flow did not report")
		var zero T
		return zero, nil
	}
}
