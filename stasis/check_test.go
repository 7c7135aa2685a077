package stasis

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
)

// logCapture is a slog handler that keeps every record, with the
// attributes of the logger that made it.
type logCapture struct {
	mu    *sync.Mutex
	recs  *[]capturedRecord
	attrs []slog.Attr
}

type capturedRecord struct {
	Level   slog.Level
	Message string
	Attrs   map[string]string
}

func newLogCapture() *logCapture {
	return &logCapture{mu: &sync.Mutex{}, recs: &[]capturedRecord{}}
}

func (c *logCapture) Enabled(context.Context, slog.Level) bool { return true }

func (c *logCapture) Handle(_ context.Context, r slog.Record) error {
	rec := capturedRecord{Level: r.Level, Message: r.Message, Attrs: map[string]string{}}
	for _, a := range c.attrs {
		rec.Attrs[a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool {
		rec.Attrs[a.Key] = a.Value.String()
		return true
	})
	c.mu.Lock()
	*c.recs = append(*c.recs, rec)
	c.mu.Unlock()
	return nil
}

func (c *logCapture) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logCapture{mu: c.mu, recs: c.recs, attrs: append(append([]slog.Attr{}, c.attrs...), attrs...)}
}

func (c *logCapture) WithGroup(string) slog.Handler { return c }

// records returns the records at level min or above.
func (c *logCapture) records(min slog.Level) []capturedRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []capturedRecord
	for _, r := range *c.recs {
		if r.Level >= min {
			out = append(out, r)
		}
	}
	return out
}

// find returns the records whose message contains msg.
func (c *logCapture) find(msg string) []capturedRecord {
	var out []capturedRecord
	for _, r := range c.records(slog.LevelDebug) {
		if strings.Contains(r.Message, msg) {
			out = append(out, r)
		}
	}
	return out
}

// Handlers of the checks' tests.

type goodHandler struct{}

func (*goodHandler) OnStasisStart(context.Context, *events.StasisStart) error { return nil }
func (*goodHandler) OnResync(context.Context, Resync) error                   { return nil }
func (*goodHandler) OnEnd(context.Context, End)                               {}

type asteriskCasing struct{ goodHandler }

func (*asteriskCasing) OnChannelDtmfReceived(context.Context, *events.ChannelDTMFReceived) error {
	return nil
}

type typo struct{ goodHandler }

func (*typo) OnChannelDTMFRecieved(context.Context, *events.ChannelDTMFReceived) error { return nil }

type noErrorResult struct{}

func (*noErrorResult) OnStasisStart(context.Context, *events.StasisStart) {}

type wrongResync struct{ goodHandler }

func (*wrongResync) OnResync(context.Context) error { return nil }

type noEvents struct{}

func (*noEvents) OnEnd(context.Context, End) {}

type byValue struct{}

func (*byValue) OnStasisStart(context.Context, *events.StasisStart) error { return nil }

type valueReceiver struct{}

func (valueReceiver) OnEvent(context.Context, events.Event) error { return nil }

type helperNames struct{ goodHandler }

// Once, Online and On are not On<Something> methods.
func (*helperNames) Once()   {}
func (*helperNames) Online() {}
func (*helperNames) On()     {}

func TestHandlerTypeChecks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler any
		method  string
		suggest string
		problem string
	}{
		{"good", &goodHandler{}, "", "", ""},
		{"value receiver", valueReceiver{}, "", "", ""},
		{"helper names", &helperNames{}, "", "", ""},
		{"Asterisk casing", &asteriskCasing{}, "OnChannelDtmfReceived", "OnChannelDTMFReceived", "did you mean OnChannelDTMFReceived?"},
		{"typo", &typo{}, "OnChannelDTMFRecieved", "OnChannelDTMFReceived", "matches no event"},
		{"no error result", &noErrorResult{}, "OnStasisStart", "", "has signature func(context.Context, *events.StasisStart)"},
		{"wrong OnResync", &wrongResync{}, "OnResync", "", "func(context.Context, stasis.Resync) error"},
		{"no event method", &noEvents{}, "", "", "no event method"},
		{"pointer methods on a value", byValue{}, "OnStasisStart", "", "return a pointer (*stasis.byValue)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hc handlerChecks
			hc.once.Do(hc.init)
			err := hc.checkType(reflect.TypeOf(tc.handler))
			if tc.problem == "" {
				require.NoError(t, err)
				return
			}
			var he *HandlerTypeError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tc.method, he.Method)
			assert.Equal(t, tc.suggest, he.Suggestion)
			assert.Contains(t, err.Error(), tc.problem)
		})
	}
}

func TestHandlerChecksKnowEveryEvent(t *testing.T) {
	var hc handlerChecks
	hc.once.Do(hc.init)
	for _, ti := range events.Types() {
		name := "On" + reflect.TypeOf(events.New(ti.Name)).Elem().Name()
		assert.Contains(t, hc.want, name)
	}
	for _, name := range []string{"OnChannelDTMFReceived", "OnChannelCallerID", "OnEvent", "OnUnknown", "OnResync", "OnEnd"} {
		assert.Contains(t, hc.want, name)
	}
	assert.NotContains(t, hc.want, "OnChannelDtmfReceived")
}

// A misspelt handler fails its calls, each with the error, and is logged
// once.
func TestMisspeltHandlerFailsItsCalls(t *testing.T) {
	capture := newLogCapture()
	f := newFakeAsterisk(t)
	rt, err := New(Config{Client: f.client(), Logger: slog.New(capture), Apps: []App{{Name: "app", New: func(ctx context.Context, call *Call) (any, error) {
		return &asteriskCasing{}, nil
	}}}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "c1"), stasisStart("app", "c2"))
	eventually(t, func() bool { return rt.Stats().HandlerErrors == 2 }, "both calls failed")
	// The count comes before the log line.
	eventually(t, func() bool { return len(capture.find("handler ended with an error")) == 2 }, "both logged")
	fails := capture.find("handler ended with an error")
	assert.Contains(t, fails[0].Attrs["err"], "OnChannelDtmfReceived")
	checks := capture.find("cannot work")
	require.Len(t, checks, 1, "logged once per type")
	assert.Equal(t, slog.LevelError, checks[0].Level)
	assert.Contains(t, checks[0].Attrs["err"], "OnChannelDtmfReceived")
	assert.Contains(t, checks[0].Attrs["err"], "did you mean OnChannelDTMFReceived?")
	assert.Equal(t, "*stasis.asteriskCasing", checks[0].Attrs["type"])
}

func TestEditDistance(t *testing.T) {
	var hc handlerChecks
	hc.once.Do(hc.init)
	assert.Equal(t, "OnStasisEnd", hc.closest("OnStasisEnds"))
	assert.Equal(t, "OnChannelCallerID", hc.closest("OnChannelCallerId"))
	assert.Equal(t, "OnPlaybackFinished", hc.closest("OnPlaybackFinish"))
}
