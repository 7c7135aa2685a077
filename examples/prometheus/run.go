package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/otelari"
	"gostasis.dev/stasis"
)

// callTimeout bounds each call of the script.
const callTimeout = 10 * time.Second

// run serves /metrics, runs the app against a simulated Asterisk, places
// the calls and prints the gostasis_* lines of /metrics to out (see
// gostasisLines).
func run(ctx context.Context, out io.Writer, opts Options) (err error) {
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.Calls <= 0 {
		opts.Calls = DefaultCalls
	}

	// Metrics: an OpenTelemetry MeterProvider read by the Prometheus
	// exporter, which registers on its own registry.
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	defer func() { err = errors.Join(err, mp.Shutdown(context.Background())) }()
	obs, err := otelari.New(otelari.Config{MeterProvider: mp})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, obs.Shutdown(context.Background())) }()

	l, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(l) //nolint:errcheck // ErrServerClosed after Close
	defer hs.Close()
	metricsURL := "http://" + l.Addr().String() + "/metrics"
	fmt.Fprintln(out, "serving", metricsURL)

	// The simulated Asterisk, and the runtime observed by otelari: its
	// client's REST calls and its own reports.
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	defer srv.Close()
	client, err := ari.NewClient(ari.Config{
		URL: srv.URL, Username: "asterisk", Password: "asterisk",
		Version: srv.Config().Version, Observer: obs,
	})
	if err != nil {
		return err
	}
	rt, err := stasis.New(stasis.Config{
		Client:   client,
		Observer: obs,
		Apps:     []stasis.App{{Name: appName, New: newGreeter}},
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return err
	}
	ran := make(chan error, 1)
	go func() { ran <- rt.Run(ctx) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = errors.Join(err, rt.Shutdown(sctx))
		if rerr := <-ran; !errors.Is(rerr, stasis.ErrRuntimeClosed) && !errors.Is(rerr, context.Canceled) {
			err = errors.Join(err, rerr)
		}
	}()
	if err := srv.WaitApp(ctx, appName); err != nil {
		return err
	}

	for i := range opts.Calls {
		if err := placeCall(ctx, srv, fmt.Sprint(i+1)); err != nil {
			return err
		}
	}
	if err := waitIdle(ctx, rt); err != nil {
		return err
	}
	// The REST calls' durations are recorded off the calls' path: wait
	// for the last ones before reading the metrics.
	if err := obs.Flush(ctx); err != nil {
		return err
	}

	lines, err := gostasisLines(ctx, metricsURL)
	if err != nil {
		return err
	}
	for _, line := range lines {
		fmt.Fprintln(out, line)
	}
	if opts.Serve {
		fmt.Fprintln(out, "serving", metricsURL, "until interrupted")
		<-ctx.Done()
	}
	return nil
}

// placeCall places a call that waits for the greeting, presses digits
// and '#', and waits for the app to hang up.
func placeCall(ctx context.Context, srv *aritest.Server, digits string) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: appName})
	if err != nil {
		return err
	}
	for !slices.Contains(phone.MediaHeard(), "sound:hello-world") {
		select {
		case <-ctx.Done():
			return fmt.Errorf("call %s: no greeting: %w", phone.ID(), ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := phone.SendDTMF(digits + "#"); err != nil {
		return err
	}
	return phone.WaitEnd(ctx)
}

// waitIdle waits until no call's handler runs.
func waitIdle(ctx context.Context, rt *stasis.Runtime) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	for rt.Stats().LiveCalls != 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("calls still live: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

// gostasisLines fetches url and returns its gostasis_* samples, less the
// histograms' buckets (their _sum and _count stay).
func gostasisLines(ctx context.Context, url string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "gostasis_") && !strings.Contains(line, "_bucket{") {
			lines = append(lines, line)
		}
	}
	return lines, sc.Err()
}
