package otelari

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"gostasis.dev/ari"
	"gostasis.dev/stasis"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "gostasis.dev/otelari"

// The attribute keys of the spans and metrics.
const (
	KeyOperation   = attribute.Key("ari.operation")             // "channels.answer"
	KeyNode        = attribute.Key("ari.node")                  // stasis.Node.Name or Config.Node
	KeyApp         = attribute.Key("ari.app")                   // the Stasis app
	KeyEventType   = attribute.Key("ari.event.type")            // "ChannelDtmfReceived"
	KeyEndReason   = attribute.Key("ari.call.end_reason")       // stasis.EndReason.String()
	KeyMethod      = attribute.Key("http.request.method")       // "POST"
	KeyURLTemplate = attribute.Key("url.template")              // "/channels/{channelId}/answer"
	KeyStatusCode  = attribute.Key("http.response.status_code") // 204; absent when no reply came
	KeyErrorType   = attribute.Key("error.type")                // the status, or "transport"
)

// defaultDurationBuckets returns the default Config.DurationBuckets.
func defaultDurationBuckets() []float64 {
	return []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
}

// Config configures New.
type Config struct {
	// TracerProvider makes the REST calls' spans. Nil means the global
	// one (otel.GetTracerProvider()).
	TracerProvider trace.TracerProvider
	// MeterProvider makes the metrics. Nil means the global one
	// (otel.GetMeterProvider()).
	MeterProvider metric.MeterProvider
	// Node is the ari.node attribute of the REST calls' spans and
	// metrics, and of the runtime's metrics when the runtime reports no
	// node of its own (a single server). Empty leaves the attribute out.
	Node string
	// DurationBuckets are the bucket boundaries, in seconds and
	// increasing, of the gostasis.rest.duration histogram. Nil means
	// 0.5 ms, 1 ms, 2.5 ms, 5 ms, 10 ms, 25 ms, 50 ms, 100 ms, 250 ms,
	// 500 ms, 1 s, 2.5 s, 5 s and 10 s: from a REST call on loopback to
	// an originate that waits.
	DurationBuckets []float64
	// QueueSize bounds the ended REST calls waiting for the Observer's
	// reporting goroutine to make their spans and record their durations.
	// A call that finds the queue full is reported by the caller itself,
	// so none is lost. Zero means DefaultQueueSize; it must not be
	// negative.
	QueueSize int
}

// Observer implements ari.RequestObserver (a span and a latency
// measurement per REST call) and stasis.Observer (the runtime's metrics)
// on OpenTelemetry. Make one with New; it is safe for concurrent use.
type Observer struct {
	inst *instruments
	rep  *reporter // shared with the Observers ForNode makes
	node string
	sets *setCache
	ops  *sync.Map // *ari.Operation -> *opInfo
	// outcomes are the requests' attributes by operation and status.
	outcomes *outcomeCache
}

var (
	_ ari.RequestObserver = (*Observer)(nil)
	_ stasis.Observer     = (*Observer)(nil)
)

// instruments are the tracer and the metric instruments, shared by an
// Observer and the ones ForNode makes from it.
type instruments struct {
	tracer trace.Tracer

	restDuration   metric.Float64Histogram
	callsStarted   metric.Int64Counter
	callsEnded     metric.Int64Counter
	callsLive      metric.Int64UpDownCounter
	eventsReceived metric.Int64Counter
	eventsRouted   metric.Int64Counter
	eventsUnrouted metric.Int64Counter
	decodeErrors   metric.Int64Counter
	reconnects     metric.Int64Counter
	mailboxHigh    metric.Int64Gauge
}

// ErrInvalidBuckets is the error (matched with errors.Is) of New for
// Config.DurationBuckets that are not finite and strictly increasing.
var ErrInvalidBuckets = errors.New("histogram bucket boundaries must be finite and strictly increasing")

// ErrInvalidQueueSize is the error (matched with errors.Is) of New for a
// negative Config.QueueSize.
var ErrInvalidQueueSize = errors.New("queue size must not be negative")

// New returns an Observer reporting to cfg's providers, and starts its
// reporting goroutine: call Observer.Shutdown when done with it. It fails
// with ErrInvalidBuckets for bad Config.DurationBuckets,
// ErrInvalidQueueSize for a negative Config.QueueSize, and when the meter
// refuses to create an instrument.
func New(cfg Config) (*Observer, error) {
	tp := cfg.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	mp := cfg.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	if cfg.QueueSize < 0 {
		return nil, fmt.Errorf("otelari: Config.QueueSize %d: %w", cfg.QueueSize, ErrInvalidQueueSize)
	}
	size := cfg.QueueSize
	if size == 0 {
		size = DefaultQueueSize
	}
	buckets := cfg.DurationBuckets
	if buckets == nil {
		buckets = defaultDurationBuckets()
	}
	for i, b := range buckets {
		if math.IsNaN(b) || math.IsInf(b, 0) || (i > 0 && b <= buckets[i-1]) {
			return nil, fmt.Errorf("otelari: Config.DurationBuckets %v: %w", cfg.DurationBuckets, ErrInvalidBuckets)
		}
	}
	inst, err := newInstruments(tp.Tracer(ScopeName), mp.Meter(ScopeName), buckets)
	if err != nil {
		return nil, fmt.Errorf("otelari: %w", err)
	}
	return newObserver(inst, newReporter(size), cfg.Node), nil
}

// Flush waits until every REST call that ended before it has its span
// ended and its duration recorded (then a ForceFlush of the providers
// exports them), or ctx ends.
func (o *Observer) Flush(ctx context.Context) error { return o.rep.flush(ctx) }

// Shutdown reports the REST calls still queued and stops the reporting
// goroutine New started, for o and the Observers ForNode made from it;
// it waits until then or ctx ends. Call it before shutting the providers
// down. After it, each REST call is reported as it ends, by its caller.
// It is safe to call more than once.
func (o *Observer) Shutdown(ctx context.Context) error { return o.rep.shutdown(ctx) }

// ForNode returns an Observer that shares o's tracer and instruments but
// tags what it reports with the node name: for the client of each node
// of a runtime over several servers (stasis.Config.Nodes).
func (o *Observer) ForNode(name string) *Observer {
	return newObserver(o.inst, o.rep, name)
}

// newObserver returns an Observer on inst and rep tagging its reports
// with node.
func newObserver(inst *instruments, rep *reporter, node string) *Observer {
	return &Observer{
		inst: inst, rep: rep, node: node, sets: newSetCache(), ops: new(sync.Map),
		outcomes: &outcomeCache{m: make(map[outcomeKey]*outcome)},
	}
}

// Node returns the node name o tags its reports with.
func (o *Observer) Node() string { return o.node }

// newInstruments creates the metric instruments on m.
func newInstruments(tr trace.Tracer, m metric.Meter, buckets []float64) (*instruments, error) {
	in := &instruments{tracer: tr}
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	var err error
	in.restDuration, err = m.Float64Histogram("gostasis.rest.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of ARI REST calls, by operation and status."),
		metric.WithExplicitBucketBoundaries(buckets...))
	errs = append(errs, err)
	in.callsStarted = counter("gostasis.calls.started", "{call}", "Calls whose handler started.")
	in.callsEnded = counter("gostasis.calls.ended", "{call}", "Calls whose handler ended, by reason.")
	in.callsLive, err = m.Int64UpDownCounter("gostasis.calls.live",
		metric.WithUnit("{call}"), metric.WithDescription("Calls whose handler is running."))
	errs = append(errs, err)
	in.eventsReceived = counter("gostasis.events.received", "{event}", "Events decoded, by type.")
	in.eventsRouted = counter("gostasis.events.routed", "{event}", "Events delivered to a call, by type.")
	in.eventsUnrouted = counter("gostasis.events.unrouted", "{event}", "Events no call got, by type.")
	in.decodeErrors = counter("gostasis.events.decode_errors", "{frame}", "Frames that could not be decoded.")
	in.reconnects = counter("gostasis.reconnects", "{reconnect}", "Event connections that came back after a loss.")
	in.mailboxHigh, err = m.Int64Gauge("gostasis.mailbox.high_water",
		metric.WithUnit("{event}"), metric.WithDescription("Longest mailbox of a call so far."))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return in, nil
}

// setCache keeps the attribute sets already made, so that reporting a
// measurement with known attributes allocates none.
type setCache struct {
	mu   sync.RWMutex
	sets map[setKey]metricOption
}

// setKey tells an attribute set apart: its kind, up to two strings and
// a number.
type setKey struct {
	kind uint8
	a, b string
	n    int
}

// The kinds of setKey.
const (
	setNode  uint8 = iota // node
	setCall               // app, node
	setEnded              // app, node, reason
	setEvent              // event type, node
	setREST               // op, status, node
)

func newSetCache() *setCache { return &setCache{sets: make(map[setKey]metricOption)} }

// get returns the option for k, making it with mk the first time.
func (c *setCache) get(k setKey, mk func() []attribute.KeyValue) metricOption {
	c.mu.RLock()
	opt, ok := c.sets[k]
	c.mu.RUnlock()
	if ok {
		return opt
	}
	opt = newMetricOption(attribute.NewSet(mk()...))
	c.mu.Lock()
	if prev, ok := c.sets[k]; ok {
		opt = prev
	} else if len(c.sets) < maxCachedSets {
		c.sets[k] = opt
	}
	c.mu.Unlock()
	return opt
}

// maxCachedSets bounds a setCache, whose keys come from the server (event
// types): past it, new attribute sets are made for each measurement and
// forgotten (the SDK bounds the metrics' own cardinality).
const maxCachedSets = 4096

// withNode appends the ari.node attribute to kv when node is set.
func withNode(kv []attribute.KeyValue, node string) []attribute.KeyValue {
	if node != "" {
		kv = append(kv, KeyNode.String(node))
	}
	return kv
}

// metricOption is an attribute set as the options of the instruments'
// Add and Record, in slices made once: passed on as they are, they cost
// no allocation per measurement.
type metricOption struct {
	add []metric.AddOption
	rec []metric.RecordOption
}

// newMetricOption returns the options of set.
func newMetricOption(set attribute.Set) metricOption {
	o := metric.WithAttributeSet(set)
	return metricOption{add: []metric.AddOption{o}, rec: []metric.RecordOption{o}}
}
