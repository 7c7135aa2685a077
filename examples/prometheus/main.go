// Command prometheus exports gostasis's metrics to Prometheus through
// OpenTelemetry (package gostasis.dev/otelari and
// go.opentelemetry.io/otel/exporters/prometheus).
//
// It starts a simulated Asterisk in-process (gostasis.dev/ari/aritest),
// runs a small app with otelari observing both the runtime and its ARI
// client, serves the metrics at http://<listen>/metrics, places a few
// calls, then prints the gostasis_* lines /metrics serves and exits:
//
//	go run ./examples/prometheus
//	go run ./examples/prometheus -listen=127.0.0.1:9464 -serve  # keep serving /metrics until interrupted
//
// In a real program only the wiring below is needed: one
// otelari.Observer set as ari.Config.Observer and as
// stasis.Config.Observer, on a MeterProvider that reads into the
// Prometheus exporter (and a TracerProvider with an exporter of its own,
// OTLP say, for the REST calls' spans).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve /metrics at")
	serve := flag.Bool("serve", false, "keep serving /metrics after the calls, until interrupted")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, Options{Listen: *listen, Serve: *serve}); err != nil {
		fmt.Fprintln(os.Stderr, "prometheus:", err)
		os.Exit(1)
	}
}

// Options configures run.
type Options struct {
	// Listen is the address of the /metrics server; "" means
	// "127.0.0.1:0" (any free port).
	Listen string
	// Serve keeps /metrics served after the calls until ctx ends.
	Serve bool
	// Calls is the number of calls placed; 0 means DefaultCalls.
	Calls int
}

// DefaultCalls is the number of calls the example places by default.
const DefaultCalls = 3
