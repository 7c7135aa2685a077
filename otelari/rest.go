package otelari

import (
	"context"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"gostasis.dev/ari"
)

// reqCtx is the context RequestStart returns: the caller's, with the
// call's start time at hand for RequestEnd.
type reqCtx struct {
	context.Context
	start time.Time
}

// RequestStart notes when the call starts; it implements
// ari.RequestObserver. The call's span is made when the call has ended,
// off the call's path (see Config.QueueSize), with the call's start time
// and the caller's span as its parent.
func (o *Observer) RequestStart(ctx context.Context, r *ari.Request) context.Context {
	return &reqCtx{Context: ctx, start: time.Now()}
}

// RequestEnd hands the call to the Observer's reporting goroutine, which
// makes its span (with an error status when err is set) and records its
// duration; it implements ari.RequestObserver.
func (o *Observer) RequestEnd(ctx context.Context, r *ari.Request, status int, err error) {
	end := time.Now()
	rep := restReport{obs: o, parent: ctx, op: r.Op, start: end, end: end, status: status, err: err}
	if rc, ok := ctx.(*reqCtx); ok {
		rep.parent, rep.start = rc.Context, rc.start
	}
	o.rep.submit(rep)
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
	name string                // the span name, "ari channels.answer"
	kind trace.SpanStartOption // the span's kind
}

// op returns the cached span name and start options of op.
func (o *Observer) op(op *ari.Operation) *opInfo {
	if v, ok := o.ops.Load(op); ok {
		return v.(*opInfo)
	}
	info := &opInfo{
		name: "ari " + op.String(),
		kind: trace.WithSpanKind(trace.SpanKindClient),
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
