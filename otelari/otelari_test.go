package otelari_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/otelari"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
	"gostasis.dev/stasis/stasistest"
)

// flow answers, plays hello-world, looks up a channel that does not
// exist (a 404) and hangs up.
type flow struct{ call *stasis.Call }

func (f *flow) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if err := f.call.Answer(ctx); err != nil {
		return err
	}
	if err := media.Play(ctx, f.call, media.Primary, "sound:hello-world"); err != nil {
		return err
	}
	if _, err := f.call.REST().Channels.Get(ctx, "no-such-channel"); !errors.Is(err, ari.ErrNotFound) {
		return errors.Join(errors.New("channels.get of a missing channel did not fail with 404"), err)
	}
	return f.call.Hangup(ctx, resources.HangupReasonNormal)
}

// observedClient is a client of srv that reports to obs.
func observedClient(t testing.TB, srv *aritest.Server, obs ari.RequestObserver) *ari.Client {
	t.Helper()
	client, err := ari.NewClient(ari.Config{
		URL: srv.URL, Username: "asterisk", Password: "asterisk",
		Version: "22.10.1", Observer: obs,
	})
	require.NoError(t, err)
	return client
}

// TestCallFlow runs two calls through a runtime and a client that report
// to one Observer and checks the REST spans and the runtime's metrics.
func TestCallFlow(t *testing.T) {
	tm := newTelemetry(t, "pbx1")
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	rt := stasistest.Start(t, srv, stasistest.Options{Config: stasis.Config{
		Client:   observedClient(t, srv, tm.obs),
		Observer: tm.obs,
		Apps: []stasis.App{{Name: "demo", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &flow{call}, nil
		}}},
	}})

	const calls = 2
	for range calls {
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "demo"})
		require.NoError(t, err)
		require.NoError(t, phone.WaitEnd(t.Context()))
		assert.Equal(t, []string{"sound:hello-world"}, phone.MediaHeard())
	}
	require.Eventually(t, func() bool { return rt.Stats().LiveCalls == 0 && rt.Stats().CallsStarted == calls }, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool {
		return tm.collect(t).int64("gostasis.calls.ended", otelari.KeyApp.String("demo")) == calls
	}, 5*time.Second, 5*time.Millisecond)

	// Spans: one per REST call, named by operation, with its status.
	for _, tc := range []struct {
		name, method, path string
		status             int
	}{
		{"ari channels.answer", "POST", "/channels/{channelId}/answer", 204},
		{"ari channels.play", "POST", "/channels/{channelId}/play", 201},
		{"ari channels.hangup", "DELETE", "/channels/{channelId}", 204},
		{"ari channels.get", "GET", "/channels/{channelId}", 404},
	} {
		spans := tm.spansNamed(tc.name)
		require.Len(t, spans, calls, tc.name)
		for _, s := range spans {
			assert.Equal(t, "client", s.SpanKind().String(), tc.name)
			v, _ := attr(s, otelari.KeyOperation)
			assert.Equal(t, tc.name[len("ari "):], v.AsString())
			v, _ = attr(s, otelari.KeyMethod)
			assert.Equal(t, tc.method, v.AsString(), tc.name)
			v, _ = attr(s, otelari.KeyURLTemplate)
			assert.Equal(t, tc.path, v.AsString(), tc.name)
			v, _ = attr(s, otelari.KeyStatusCode)
			assert.Equal(t, int64(tc.status), v.AsInt64(), tc.name)
			v, _ = attr(s, otelari.KeyNode)
			assert.Equal(t, "pbx1", v.AsString(), tc.name)
			if tc.status >= 400 {
				assert.Equal(t, codes.Error, s.Status().Code, tc.name)
				v, _ = attr(s, otelari.KeyErrorType)
				assert.Equal(t, "404", v.AsString(), tc.name)
				require.NotEmpty(t, s.Events(), "the error is recorded")
				assert.Equal(t, "exception", s.Events()[0].Name)
			} else {
				assert.Equal(t, codes.Unset, s.Status().Code, tc.name)
				_, has := attr(s, otelari.KeyErrorType)
				assert.False(t, has, tc.name)
			}
		}
	}

	// Metrics.
	m := tm.collect(t)
	demo, node := otelari.KeyApp.String("demo"), otelari.KeyNode.String("pbx1")
	assert.EqualValues(t, calls, m.int64("gostasis.calls.started", demo, node))
	assert.EqualValues(t, calls, m.int64("gostasis.calls.ended", demo, node, otelari.KeyEndReason.String("stasis-end")))
	assert.EqualValues(t, 0, m.int64("gostasis.calls.live", demo, node))
	st := otelari.KeyEventType.String("StasisStart")
	assert.EqualValues(t, calls, m.int64("gostasis.events.received", st, node))
	assert.EqualValues(t, calls, m.int64("gostasis.events.routed", st, node))
	assert.EqualValues(t, calls, m.int64("gostasis.events.routed", otelari.KeyEventType.String("PlaybackFinished"), node))
	assert.EqualValues(t, 0, m.int64("gostasis.events.unrouted"))
	assert.Equal(t, m.int64("gostasis.events.received"), m.int64("gostasis.events.routed")+m.int64("gostasis.events.unrouted"))
	assert.EqualValues(t, rt.Stats().EventsReceived, m.int64("gostasis.events.received"), "every event the runtime received")
	assert.EqualValues(t, 0, m.int64("gostasis.events.decode_errors"))
	assert.EqualValues(t, 0, m.int64("gostasis.reconnects"))
	assert.GreaterOrEqual(t, m.int64("gostasis.mailbox.high_water", node), int64(1))
	op := otelari.KeyOperation
	assert.EqualValues(t, calls, m.count("gostasis.rest.duration", op.String("channels.answer"), otelari.KeyStatusCode.Int(204), node))
	assert.EqualValues(t, calls, m.count("gostasis.rest.duration", op.String("channels.get"), otelari.KeyStatusCode.Int(404), node))
	assert.EqualValues(t, calls, m.count("gostasis.rest.duration", op.String("channels.hangup"), otelari.KeyMethod.String("DELETE")))
}

// TestReconnected counts a dropped events websocket that comes back.
func TestReconnected(t *testing.T) {
	tm := newTelemetry(t, "")
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	stasistest.Start(t, srv, stasistest.Options{Config: stasis.Config{
		Observer: tm.obs,
		Apps: []stasis.App{{Name: "demo", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &flow{call}, nil
		}}},
	}})
	srv.DropWebsockets()
	require.Eventually(t, func() bool { return tm.collect(t).int64("gostasis.reconnects") == 1 }, 10*time.Second, 10*time.Millisecond)
}

// TestNodes tags the runtime's metrics with each node's name and the
// REST spans of a client with ForNode's.
func TestNodes(t *testing.T) {
	tm := newTelemetry(t, "")
	srvA := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), AsteriskID: "02:fc:00:00:00:0a", SystemName: "a"})
	srvB := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), AsteriskID: "02:fc:00:00:00:0b", SystemName: "b"})
	rt, err := stasis.New(stasis.Config{
		Observer: tm.obs,
		Nodes: []stasis.Node{
			{Name: "a", Client: observedClient(t, srvA, tm.obs.ForNode("a"))},
			{Name: "b", Client: observedClient(t, srvB, tm.obs.ForNode("b"))},
		},
		Apps: []stasis.App{{Name: "demo", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &flow{call}, nil
		}}},
	})
	require.NoError(t, err)
	ran := make(chan error, 1)
	go func() { ran <- rt.Run(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, rt.Shutdown(ctx))
		assert.ErrorIs(t, <-ran, stasis.ErrRuntimeClosed)
	})
	require.NoError(t, srvA.WaitApp(t.Context(), "demo"))
	require.NoError(t, srvB.WaitApp(t.Context(), "demo"))
	phone, err := srvB.PlaceCall(aritest.PlaceCallParams{App: "demo"})
	require.NoError(t, err)
	require.NoError(t, phone.WaitEnd(t.Context()))
	require.Eventually(t, func() bool {
		return tm.collect(t).int64("gostasis.calls.ended", otelari.KeyNode.String("b")) == 1
	}, 5*time.Second, 5*time.Millisecond)
	m := tm.collect(t)
	assert.EqualValues(t, 1, m.int64("gostasis.calls.started", otelari.KeyNode.String("b")))
	assert.EqualValues(t, 0, m.int64("gostasis.calls.started", otelari.KeyNode.String("a")))
	spans := tm.spansNamed("ari channels.answer")
	require.Len(t, spans, 1)
	v, _ := attr(spans[0], otelari.KeyNode)
	assert.Equal(t, "b", v.AsString())
	assert.Equal(t, "b", tm.obs.ForNode("b").Node())
}

// TestTransportError gives a request that got no reply an error span
// without a status code, and an error.type of "transport".
func TestTransportError(t *testing.T) {
	tm := newTelemetry(t, "")
	client, err := ari.NewClient(ari.Config{URL: "http://127.0.0.1:1", Version: "22.10.1", Observer: tm.obs})
	require.NoError(t, err)
	_, err = resources.New(client).Asterisk.Ping(t.Context())
	require.Error(t, err)
	spans := tm.spansNamed("ari asterisk.ping")
	require.Len(t, spans, 1)
	assert.Equal(t, codes.Error, spans[0].Status().Code)
	_, has := attr(spans[0], otelari.KeyStatusCode)
	assert.False(t, has)
	v, _ := attr(spans[0], otelari.KeyErrorType)
	assert.Equal(t, "transport", v.AsString())
	_, has = attr(spans[0], otelari.KeyNode)
	assert.False(t, has, "no node configured: no ari.node attribute")
	assert.EqualValues(t, 1, tm.collect(t).count("gostasis.rest.duration", otelari.KeyErrorType.String("transport")))
}

// TestRuntimeReports checks the reports the call flow does not make:
// unrouted events, decode errors and the mailbox high-water mark, with
// Config.Node standing in for a single server's empty node.
func TestRuntimeReports(t *testing.T) {
	tm := newTelemetry(t, "solo")
	ev, err := events.Decode([]byte(`{"type":"ChannelDtmfReceived","application":"demo","digit":"1","duration_ms":100,"channel":{"id":"c1"}}`))
	require.NoError(t, err)
	tm.obs.EventReceived("", ev, false)
	tm.obs.EventReceived("", ev, false)
	tm.obs.EventReceived("other", ev, true)
	tm.obs.DecodeError("")
	tm.obs.MailboxHighWater(3)
	tm.obs.MailboxHighWater(7)
	tm.obs.CallStarted("demo", "")
	tm.obs.CallEnded("demo", "", stasis.EndPanic)

	m := tm.collect(t)
	dtmf, solo := otelari.KeyEventType.String("ChannelDtmfReceived"), otelari.KeyNode.String("solo")
	assert.EqualValues(t, 2, m.int64("gostasis.events.unrouted", dtmf, solo))
	assert.EqualValues(t, 2, m.int64("gostasis.events.received", dtmf, solo))
	assert.EqualValues(t, 1, m.int64("gostasis.events.routed", dtmf, otelari.KeyNode.String("other")))
	assert.EqualValues(t, 0, m.int64("gostasis.events.routed", solo))
	assert.EqualValues(t, 1, m.int64("gostasis.events.decode_errors", solo))
	assert.EqualValues(t, 7, m.int64("gostasis.mailbox.high_water", solo))
	assert.EqualValues(t, 1, m.int64("gostasis.calls.ended", otelari.KeyEndReason.String("panic"), solo))
	assert.EqualValues(t, 0, m.int64("gostasis.calls.live", solo))
}

// TestDefaults uses the global providers when Config leaves them unset.
func TestDefaults(t *testing.T) {
	obs, err := otelari.New(otelari.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, obs.Shutdown(context.Background())) })
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	_, err = resources.New(observedClient(t, srv, obs)).Asterisk.Ping(t.Context())
	require.NoError(t, err)
}

// TestDurationBuckets gives the REST latency histogram the default
// boundaries, or Config.DurationBuckets, and refuses bad ones.
func TestDurationBuckets(t *testing.T) {
	bounds := func(t *testing.T, cfg otelari.Config) []float64 {
		reader := sdkmetric.NewManualReader()
		cfg.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		obs, err := otelari.New(cfg)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, obs.Shutdown(context.Background())) })
		op := &ari.Operation{Resource: "asterisk", Nickname: "ping", Method: "GET", Path: "/asterisk/ping"}
		r := &ari.Request{Op: op, Path: "/asterisk/ping"}
		obs.RequestEnd(obs.RequestStart(t.Context(), r), r, 200, nil)
		m := (&telemetry{obs: obs, reader: reader}).collect(t).find("gostasis.rest.duration")
		require.NotNil(t, m)
		h := m.Data.(metricdata.Histogram[float64])
		require.Len(t, h.DataPoints, 1)
		return h.DataPoints[0].Bounds
	}
	def := bounds(t, otelari.Config{})
	assert.Equal(t, 14, len(def))
	assert.Equal(t, 0.0005, def[0])
	assert.Equal(t, 10.0, def[len(def)-1])
	assert.Equal(t, []float64{0.1, 1}, bounds(t, otelari.Config{DurationBuckets: []float64{0.1, 1}}))

	for _, bad := range [][]float64{{1, 0.5}, {1, 1}, {math.NaN()}, {math.Inf(1)}} {
		_, err := otelari.New(otelari.Config{DurationBuckets: bad})
		assert.ErrorIs(t, err, otelari.ErrInvalidBuckets, "%v", bad)
	}
}

// TestRuntimeReportsDoNotAllocate keeps the runtime's reports free of
// allocations on the SDK's meter once their attributes have been seen:
// they run for every event.
func TestRuntimeReportsDoNotAllocate(t *testing.T) {
	tm := newTelemetry(t, "pbx1")
	ev, err := events.Decode([]byte(`{"type":"ChannelDtmfReceived","application":"demo","digit":"1","duration_ms":100,"channel":{"id":"c1"}}`))
	require.NoError(t, err)
	report := func() {
		tm.obs.EventReceived("", ev, true)
		tm.obs.EventReceived("", ev, false)
		tm.obs.CallStarted("demo", "")
		tm.obs.CallEnded("demo", "", stasis.EndStasisEnd)
		tm.obs.MailboxHighWater(2)
		tm.obs.DecodeError("")
		tm.obs.Reconnected("")
	}
	report()
	assert.Zero(t, testing.AllocsPerRun(100, report))
}
