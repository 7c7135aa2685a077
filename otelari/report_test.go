package otelari_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"gostasis.dev/ari"
	"gostasis.dev/otelari"
)

var pingOp = &ari.Operation{Resource: "asterisk", Nickname: "ping", Method: "GET", Path: "/asterisk/ping"}

// call reports one REST call of ping made with ctx, taking took.
func call(obs *otelari.Observer, ctx context.Context, took time.Duration, status int, err error) {
	r := &ari.Request{Op: pingOp, Path: "/asterisk/ping"}
	rctx := obs.RequestStart(ctx, r)
	time.Sleep(took)
	obs.RequestEnd(rctx, r, status, err)
}

// TestSpanOfACallIsTheCallersChild makes the span after the call, with
// the call's own start and end times and the caller's span as parent.
func TestSpanOfACallIsTheCallersChild(t *testing.T) {
	tm := newTelemetry(t, "pbx1")
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx, parent := tp.Tracer("app").Start(t.Context(), "handle call")
	before := time.Now()
	call(tm.obs, ctx, 20*time.Millisecond, 204, nil)
	after := time.Now()
	parent.End()

	spans := tm.spansNamed("ari asterisk.ping")
	require.Len(t, spans, 1)
	s := spans[0]
	assert.Equal(t, parent.SpanContext().TraceID(), s.SpanContext().TraceID())
	assert.Equal(t, parent.SpanContext().SpanID(), s.Parent().SpanID())
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.False(t, s.StartTime().Before(before))
	assert.False(t, s.EndTime().After(after))
	assert.GreaterOrEqual(t, s.EndTime().Sub(s.StartTime()), 20*time.Millisecond, "the call's own times")
	assert.EqualValues(t, 1, tm.collect(t).count("gostasis.rest.duration"))
}

// TestQueueFullReportsInline reports every call even when the calls
// outrun the reporting goroutine: with a queue of one, the callers
// report what does not fit themselves.
func TestQueueFullReportsInline(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	obs, err := otelari.New(otelari.Config{TracerProvider: tp, MeterProvider: mp, QueueSize: 1})
	require.NoError(t, err)
	tm := &telemetry{obs: obs, spans: rec, reader: reader}
	const goroutines, calls = 8, 200
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range calls {
				call(obs, context.Background(), 0, 200, nil)
			}
		})
	}
	wg.Wait()
	require.NoError(t, obs.Shutdown(t.Context()))
	assert.Len(t, tm.spansNamed("ari asterisk.ping"), goroutines*calls)
	assert.EqualValues(t, goroutines*calls, tm.collect(t).count("gostasis.rest.duration"))
}

// TestShutdown reports what is queued, stops the goroutine, and leaves
// later calls reported by their callers; a second Shutdown and a Flush
// after it return at once.
func TestShutdown(t *testing.T) {
	tm := newTelemetry(t, "")
	for range 50 {
		call(tm.obs, context.Background(), 0, 200, nil)
	}
	require.NoError(t, tm.obs.Shutdown(t.Context()))
	assert.Len(t, tm.spans.Ended(), 50, "the queued calls reported before Shutdown returns")
	call(tm.obs, context.Background(), 0, 500, errors.New("boom"))
	assert.Len(t, tm.spans.Ended(), 51, "after Shutdown, reported by the caller")
	require.NoError(t, tm.obs.Shutdown(t.Context()))
	require.NoError(t, tm.obs.Flush(t.Context()))
	// ForNode shares the reporter.
	call(tm.obs.ForNode("b"), context.Background(), 0, 200, nil)
	assert.Len(t, tm.spans.Ended(), 52)
}

// blockingProcessor holds every span's end until release is closed.
type blockingProcessor struct {
	sdktrace.SpanProcessor
	entered chan struct{}
	release chan struct{}
}

func (p *blockingProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	select {
	case p.entered <- struct{}{}:
	default:
	}
	<-p.release
}

// TestFlushAndShutdownHonourTheirContext return the context's error when
// the reporting goroutine is stuck in a span processor, and report
// everything once it is released.
func TestFlushAndShutdownHonourTheirContext(t *testing.T) {
	bp := &blockingProcessor{SpanProcessor: tracetest.NewSpanRecorder(), entered: make(chan struct{}, 1), release: make(chan struct{})}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(bp), sdktrace.WithSpanProcessor(rec))
	obs, err := otelari.New(otelari.Config{TracerProvider: tp, MeterProvider: sdkmetric.NewMeterProvider()})
	require.NoError(t, err)
	call(obs, context.Background(), 0, 200, nil)
	<-bp.entered // the goroutine is stuck on the first call
	call(obs, context.Background(), 0, 200, nil)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, obs.Flush(ctx), context.DeadlineExceeded)
	ctx2, cancel2 := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel2()
	assert.ErrorIs(t, obs.Shutdown(ctx2), context.DeadlineExceeded)

	close(bp.release)
	require.NoError(t, obs.Shutdown(t.Context()))
	assert.Len(t, rec.Ended(), 2, "both calls reported once released")
}

// TestQueueSize refuses a negative size.
func TestQueueSize(t *testing.T) {
	_, err := otelari.New(otelari.Config{QueueSize: -1})
	assert.ErrorIs(t, err, otelari.ErrInvalidQueueSize)
}
