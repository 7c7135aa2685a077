package otelari_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/otelari"
	"gostasis.dev/stasis"
)

// restBench is the setup of the REST benchmarks: a live channel of an
// aritest server, and the observers to compare.
type restBench struct {
	srv       *aritest.Server
	id        string
	sdk, noop *otelari.Observer
}

// newRESTBench starts the server and a channel that stays up, and makes
// otelari observers on the SDK's providers with a no-op exporter (spans
// sampled, batched and exported to nothing; metrics aggregated and never
// read) and on the no-op providers.
func newRESTBench(b *testing.B) *restBench {
	b.Helper()
	srv := aritest.Start(b, aritest.Config{Timing: aritest.FastTiming()})
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "700"}) // music on hold until the end
	require.NoError(b, err)
	sdk, noop := benchObservers(b, sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	return &restBench{srv: srv, id: phone.Channel().ID, sdk: sdk, noop: noop}
}

// benchObservers makes an otelari Observer on the SDK's providers (the
// tracer provider with opts; metrics aggregated and never read) and one
// on the no-op providers, all shut down when b ends.
func benchObservers(b *testing.B, opts ...sdktrace.TracerProviderOption) (sdk, noop *otelari.Observer) {
	b.Helper()
	tp := sdktrace.NewTracerProvider(opts...)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	sdk, err := otelari.New(otelari.Config{TracerProvider: tp, MeterProvider: mp, Node: "pbx1"})
	require.NoError(b, err)
	noop, err = otelari.New(otelari.Config{TracerProvider: tracenoop.NewTracerProvider(), MeterProvider: metricnoop.NewMeterProvider()})
	require.NoError(b, err)
	b.Cleanup(func() { // before the providers' Shutdown (cleanups run last first)
		_ = sdk.Shutdown(context.Background())
		_ = noop.Shutdown(context.Background())
	})
	return sdk, noop
}

// BenchmarkRESTCallInterleaved is BenchmarkRESTCall with the three
// clients taking turns in every iteration, in a rotating order, so that
// the load of the rest of the machine weighs on each alike. It reports
// the median time of a call of each (none-ns/call, sdk-ns/call,
// noop-ns/call) and the median, over the iterations, of the overhead of
// otelari on the SDK over no observer within one iteration
// (sdk-overhead-%), which must stay at most 5.
func BenchmarkRESTCallInterleaved(b *testing.B) {
	rb := newRESTBench(b)
	clients := []*resources.Client{
		resources.New(observedClient(b, rb.srv, nil)),
		resources.New(observedClient(b, rb.srv, rb.sdk)),
		resources.New(observedClient(b, rb.srv, rb.noop)),
	}
	ctx := context.Background()
	for _, rc := range clients { // warm the connections and the caches
		_, err := rc.Channels.Get(ctx, rb.id)
		require.NoError(b, err)
	}
	var took [3][]float64
	var overhead []float64
	it := 0
	for b.Loop() {
		var d [3]float64
		for k := range clients {
			i := (it + k) % len(clients)
			start := time.Now()
			if _, err := clients[i].Channels.Get(ctx, rb.id); err != nil {
				b.Fatal(err)
			}
			d[i] = float64(time.Since(start).Nanoseconds())
			took[i] = append(took[i], d[i])
		}
		overhead = append(overhead, 100*(d[1]-d[0])/d[0])
		it++
	}
	b.ReportMetric(median(took[0]), "none-ns/call")
	b.ReportMetric(median(took[1]), "sdk-ns/call")
	b.ReportMetric(median(took[2]), "noop-ns/call")
	b.ReportMetric(median(overhead), "sdk-overhead-%")
}

// median returns the median of v, which it sorts.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// BenchmarkRESTCall measures, in one run, a REST call (channels.get of a
// live channel) against aritest with no observer (obs=none), with
// otelari on the SDK's providers with no exporter, the spans sampled and
// the metrics aggregated (obs=sdk), and with otelari on the no-op
// providers (obs=noop). Compare with benchstat -col /obs: obs=sdk must
// stay within 5% of obs=none.
func BenchmarkRESTCall(b *testing.B) {
	rb := newRESTBench(b)
	for _, tc := range []struct {
		name string
		obs  ari.RequestObserver
	}{
		{"obs=none", nil},
		{"obs=sdk", rb.sdk},
		{"obs=noop", rb.noop},
	} {
		b.Run(tc.name, func(b *testing.B) {
			rc := resources.New(observedClient(b, rb.srv, tc.obs))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rc.Channels.Get(ctx, rb.id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkObserver measures what the runtime's hooks cost with otelari
// on the SDK's meter provider: one routed event and one started and
// ended call, with attribute sets already cached.
func BenchmarkObserver(b *testing.B) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	obs, err := otelari.New(otelari.Config{MeterProvider: mp, TracerProvider: tracenoop.NewTracerProvider()})
	require.NoError(b, err)
	b.Cleanup(func() { _ = obs.Shutdown(context.Background()) })
	ev, err := events.Decode([]byte(`{"type":"ChannelDtmfReceived","application":"demo","digit":"1","duration_ms":100,"channel":{"id":"c1"}}`))
	require.NoError(b, err)
	b.Run("event", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			obs.EventReceived("", ev, true)
		}
	})
	b.Run("call", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			obs.CallStarted("demo", "")
			obs.CallEnded("demo", "", stasis.EndStasisEnd)
		}
	})
}

// BenchmarkRequestHooks measures the CPU cost of reporting one REST
// call, RequestStart and RequestEnd, on the SDK's providers with no
// exporter (obs=sdk) and on the no-op ones (obs=noop). In this tight
// loop the reporting goroutine cannot keep up, the queue is soon full
// and the hooks report the calls themselves: the figure is the whole
// work of a report, which a real call leaves to the reporting goroutine
// (see BenchmarkRESTCallInterleaved for what a call pays).
func BenchmarkRequestHooks(b *testing.B) {
	sdk, noop := benchObservers(b)
	op := &ari.Operation{Resource: "channels", Nickname: "get", Method: "GET", Path: "/channels/{channelId}"}
	r := &ari.Request{Op: op, Path: "/channels/c1"}
	for _, tc := range []struct {
		name string
		obs  *otelari.Observer
	}{{"obs=sdk", sdk}, {"obs=noop", noop}} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				rctx := tc.obs.RequestStart(ctx, r)
				tc.obs.RequestEnd(rctx, r, 200, nil)
			}
		})
	}
}
