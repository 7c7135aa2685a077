package otelari

import (
	"context"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"gostasis.dev/ari"
)

// reqKey is the context key under which a reqCtx answers for itself.
type reqKey struct{}

// reqCtx is the context RequestStart returns: the span's context, with
// the span and the start time at hand for RequestEnd, in one allocation.
type reqCtx struct {
	context.Context
	span  trace.Span
	start time.Time
}

// Value returns c itself for reqKey, and the values of the span's
// context otherwise.
func (c *reqCtx) Value(key any) any {
	if key == (reqKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// RequestStart starts the request's span (a child of ctx's span, if any)
// and notes the time; it implements ari.RequestObserver. The span's
// attributes are all set when it ends, in one go: the SDK then copies
// them once, where attributes given at the start and the status added at
// the end would cost it three copies (a few percent of a REST call on
// loopback).
func (o *Observer) RequestStart(ctx context.Context, r *ari.Request) context.Context {
	info := o.op(r.Op)
	ctx, span := o.inst.tracer.Start(ctx, info.name, info.start...)
	return &reqCtx{Context: ctx, span: span, start: time.Now()}
}

// RequestEnd ends the request's span, with an error status when err is
// set, and records its duration; it implements ari.RequestObserver.
func (o *Observer) RequestEnd(ctx context.Context, r *ari.Request, status int, err error) {
	var d time.Duration
	span := trace.SpanFromContext(ctx)
	if rc, ok := ctx.Value(reqKey{}).(*reqCtx); ok {
		d, span = time.Since(rc.start), rc.span
	}
	out := o.outcome(r.Op, status, err != nil)
	if span.IsRecording() {
		span.SetAttributes(out.attrs...)
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
			span.RecordError(err)
		}
	}
	span.End()
	o.inst.restDuration.Record(ctx, d.Seconds(), out.opt.rec...)
}

// errorType is the error.type attribute of a failed request: its status,
// or "transport" when no reply came.
func errorType(status int) string {
	if status == 0 {
		return "transport"
	}
	return strconv.Itoa(status)
}

// opInfo is what an Observer reuses for every call of one operation.
type opInfo struct {
	name  string                  // the span name, "ari channels.answer"
	start []trace.SpanStartOption // the span's kind
}

// op returns the cached span name and start options of op.
func (o *Observer) op(op *ari.Operation) *opInfo {
	if v, ok := o.ops.Load(op); ok {
		return v.(*opInfo)
	}
	info := &opInfo{
		name:  "ari " + op.String(),
		start: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)},
	}
	v, _ := o.ops.LoadOrStore(op, info)
	return v.(*opInfo)
}

// outcomeKey tells apart the outcomes of the requests.
type outcomeKey struct {
	op     *ari.Operation
	status int
	failed bool
}

// outcome is what an Observer reports for every request with one
// outcomeKey: the span's attributes and the histogram's.
type outcome struct {
	attrs []attribute.KeyValue
	opt   metricOption
}

// outcomeCache keeps the outcomes already met.
type outcomeCache struct {
	mu sync.RWMutex
	m  map[outcomeKey]*outcome
}

// outcome returns the cached attributes of a request of op that ended
// with status (0: no reply) and failed or not.
func (o *Observer) outcome(op *ari.Operation, status int, failed bool) *outcome {
	k := outcomeKey{op: op, status: status, failed: failed}
	c := o.outcomes
	c.mu.RLock()
	out, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return out
	}
	// The histogram's attributes, then the span's: the same plus the
	// path template.
	kv := []attribute.KeyValue{KeyOperation.String(op.String()), KeyMethod.String(op.Method)}
	if status != 0 {
		kv = append(kv, KeyStatusCode.Int(status))
	}
	if failed {
		kv = append(kv, KeyErrorType.String(errorType(status)))
	}
	kv = withNode(kv, o.node)
	out = &outcome{
		attrs: append(kv[:len(kv):len(kv)], KeyURLTemplate.String(op.Path)),
		opt:   newMetricOption(attribute.NewSet(kv...)),
	}
	c.mu.Lock()
	if prev, ok := c.m[k]; ok {
		out = prev
	} else if len(c.m) < maxCachedSets {
		c.m[k] = out
	}
	c.mu.Unlock()
	return out
}
