package otelari

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"gostasis.dev/ari/events"
)

// TestSetCacheBounded keeps the cache of attribute sets at
// maxCachedSets however many event types a server invents, and still
// reports the ones past it.
func TestSetCacheBounded(t *testing.T) {
	obs, err := New(Config{TracerProvider: tracenoop.NewTracerProvider(), MeterProvider: metricnoop.NewMeterProvider()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, obs.Shutdown(context.Background())) })
	for i := range maxCachedSets + 10 {
		ev, err := events.Decode(fmt.Appendf(nil, `{"type":"Invented%d","application":"a"}`, i))
		require.NoError(t, err)
		obs.EventReceived("", ev, false)
	}
	assert.Len(t, obs.sets.sets, maxCachedSets)
	opt := obs.sets.get(setKey{kind: setEvent, a: "past"}, func() []attribute.KeyValue {
		return []attribute.KeyValue{KeyEventType.String("past")}
	})
	assert.Len(t, opt.add, 1, "a set past the bound is still made")
	assert.Len(t, obs.sets.sets, maxCachedSets)
}
