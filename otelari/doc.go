// Package otelari reports what gostasis does as OpenTelemetry traces and
// metrics, through the hooks the core exposes without importing
// OpenTelemetry itself: ari.Config.Observer (and ari.OutboundConfig.Observer)
// for REST calls, stasis.Config.Observer for the runtime.
//
// One *Observer serves both:
//
//	obs, err := otelari.New(otelari.Config{}) // the otel global providers
//	defer obs.Shutdown(ctx)                    // before the providers' Shutdown
//	client, err := ari.NewClient(ari.Config{URL: url, Username: u, Password: p, Observer: obs})
//	rt, err := stasis.New(stasis.Config{Client: client, Apps: apps, Observer: obs})
//
// Every request a client sends, over HTTP or a websocket, gets a client
// span named "ari <resource>.<nickname>" (e.g. "ari channels.answer")
// with the attributes ari.operation, http.request.method, url.template
// (the operation's path template, never the path with its ids),
// http.response.status_code, ari.node (when known) and, on failure,
// error.type and an error status. No HTTP client is wrapped, so the
// events websocket keeps sharing the client's transport and TLS setup.
//
// The metrics (instrumentation scope ScopeName) are:
//
//	gostasis.rest.duration         histogram, s       ari.operation, http.request.method, http.response.status_code, error.type, ari.node
//	gostasis.calls.started         counter            ari.app, ari.node
//	gostasis.calls.ended           counter            ari.app, ari.node, ari.call.end_reason
//	gostasis.calls.live            up-down counter    ari.app, ari.node
//	gostasis.events.received       counter            ari.event.type, ari.node
//	gostasis.events.routed         counter            ari.event.type, ari.node
//	gostasis.events.unrouted       counter            ari.event.type, ari.node
//	gostasis.events.decode_errors  counter            ari.node
//	gostasis.reconnects            counter            ari.node
//	gostasis.mailbox.high_water    gauge              ari.node
//
// The histogram's buckets are Config.DurationBuckets. Attributes take
// bounded values only (operations, event types, apps, nodes, reasons,
// statuses), never channel ids. An Observer remembers the attribute sets
// it made, up to 4096 (a server inventing event types cannot grow it
// further; past that, sets are made per measurement).
//
// A REST call's span is made, and its duration recorded, after the call
// has returned, by the Observer's own goroutine: the call only notes its
// start and end times and queues them (Config.QueueSize; when the queue
// is full the caller reports the call itself, so none is lost). The span
// keeps the call's own start and end times and the caller's span as its
// parent, and the duration measurement is made in the span's context, so
// that exemplars point at it. On a loopback call to aritest (about
// 130 µs), the SDK's span and histogram work done inline added about 8%
// to the call; done this way, with the SDK's providers and a no-op
// exporter, the call takes the same time as with no observer, within
// the benchmark's noise of 2% (BenchmarkRESTCallInterleaved).
// Flush waits for the calls made so far to be reported; Shutdown reports
// what is queued and stops the goroutine, and must come before the
// providers' own Shutdown. The spans' attributes are set when they are
// made, so a sampler sees only the span's name and kind. The runtime's
// reports are made inline and allocate nothing once their attributes
// have been seen.
//
// Exported to Prometheus (go.opentelemetry.io/otel/exporters/prometheus)
// they read gostasis_calls_started_total, gostasis_rest_duration_seconds
// and so on; examples/prometheus shows it.
//
// ari.node is the runtime's node (stasis.Node.Name) for the runtime's
// metrics, or Config.Node when the runtime has a single server. A REST
// client does not know its node: give each node's client its own
// Observer.ForNode(name).
//
// An Observer's methods are safe for concurrent use, and only Flush and
// Shutdown block.
package otelari
