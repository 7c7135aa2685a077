package otelari_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"gostasis.dev/otelari"
)

// telemetry is an Observer on the SDK's in-memory exporters.
type telemetry struct {
	obs    *otelari.Observer
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
}

// newTelemetry makes an Observer tagging node that records its spans and
// metrics in memory.
func newTelemetry(t testing.TB, node string) *telemetry {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	obs, err := otelari.New(otelari.Config{TracerProvider: tp, MeterProvider: mp, Node: node})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, obs.Shutdown(context.Background())) })
	return &telemetry{obs: obs, spans: rec, reader: reader}
}

// collect reads the metrics.
func (tm *telemetry) collect(t testing.TB) *metrics {
	t.Helper()
	require.NoError(t, tm.obs.Flush(t.Context()), "the REST calls reported")
	var rm metricdata.ResourceMetrics
	require.NoError(t, tm.reader.Collect(context.Background(), &rm))
	return &metrics{rm: rm}
}

// metrics are collected metrics, with look-ups by name and attributes.
type metrics struct{ rm metricdata.ResourceMetrics }

// find returns the metric called name, or nil.
func (m *metrics) find(name string) *metricdata.Metrics {
	for _, sm := range m.rm.ScopeMetrics {
		for i := range sm.Metrics {
			if sm.Metrics[i].Name == name {
				return &sm.Metrics[i]
			}
		}
	}
	return nil
}

// matches reports whether set has every attribute of want.
func matches(set attribute.Set, want []attribute.KeyValue) bool {
	for _, kv := range want {
		v, ok := set.Value(kv.Key)
		if !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// int64 sums the points of the counter, up-down counter or gauge name
// whose attributes include want.
func (m *metrics) int64(name string, want ...attribute.KeyValue) int64 {
	mt := m.find(name)
	if mt == nil {
		return 0
	}
	var pts []metricdata.DataPoint[int64]
	switch d := mt.Data.(type) {
	case metricdata.Sum[int64]:
		pts = d.DataPoints
	case metricdata.Gauge[int64]:
		pts = d.DataPoints
	}
	var n int64
	for _, p := range pts {
		if matches(p.Attributes, want) {
			n += p.Value
		}
	}
	return n
}

// count is the number of measurements of the histogram name whose
// attributes include want.
func (m *metrics) count(name string, want ...attribute.KeyValue) uint64 {
	mt := m.find(name)
	if mt == nil {
		return 0
	}
	h, ok := mt.Data.(metricdata.Histogram[float64])
	if !ok {
		return 0
	}
	var n uint64
	for _, p := range h.DataPoints {
		if matches(p.Attributes, want) {
			n += p.Count
		}
	}
	return n
}

// spansNamed returns the ended spans called name, once the REST calls
// made so far are reported.
func (tm *telemetry) spansNamed(name string) []sdktrace.ReadOnlySpan {
	if err := tm.obs.Flush(context.Background()); err != nil {
		panic(err) // Flush fails only when its context ends
	}
	var out []sdktrace.ReadOnlySpan
	for _, s := range tm.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// attr returns the span's attribute key.
func attr(s sdktrace.ReadOnlySpan, key attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}
