package otelari_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
	"gostasis.dev/otelari"
)

// One Observer traces a client's REST calls; the same Observer set as
// stasis.Config.Observer would count the runtime's calls and events.
func Example() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	obs, err := otelari.New(otelari.Config{TracerProvider: tp, MeterProvider: mp, Node: "pbx1"})
	if err != nil {
		panic(err)
	}

	srv := aritest.NewServer(aritest.Config{})
	defer srv.Close()
	client, err := ari.NewClient(ari.Config{URL: srv.URL, Username: "asterisk", Password: "asterisk", Version: "22.10.1", Observer: obs})
	if err != nil {
		panic(err)
	}
	rc := resources.New(client)
	ctx := context.Background()
	_, _ = rc.Asterisk.Ping(ctx)
	_, _ = rc.Channels.Get(ctx, "no-such-channel")
	// The spans are made off the calls' path: Shutdown (or Flush) waits
	// for them, before the providers are shut down.
	if err := obs.Shutdown(ctx); err != nil {
		panic(err)
	}

	for _, s := range spans.Ended() {
		fmt.Println(s.Name(), s.Status().Code)
	}
	var rm metricdata.ResourceMetrics
	_ = reader.Collect(ctx, &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name == "gostasis.rest.duration" {
			fmt.Println(m.Name, "points:", len(m.Data.(metricdata.Histogram[float64]).DataPoints))
		}
	}
	// Output:
	// ari asterisk.ping Unset
	// ari channels.get Error
	// gostasis.rest.duration points: 2
}
