package stasistest

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/stasis"
)

// Default limits of Options.
const (
	DefaultStartTimeout    = 10 * time.Second
	DefaultShutdownTimeout = 10 * time.Second
)

// Options configures Start.
type Options struct {
	// Config is the runtime's configuration. Client defaults to
	// srv.Client(); Logger to a logger that writes to the test's log
	// (t.Log, shown when the test fails or with go test -v) from level
	// Info up.
	Config stasis.Config
	// StartTimeout bounds the wait for the simulator to see every app
	// connected. Default DefaultStartTimeout.
	StartTimeout time.Duration
	// ShutdownTimeout bounds the runtime's Shutdown when the test ends:
	// a handler still running then (one that ignores its context) fails
	// the test. Default DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// NoLeakCheck skips the goroutine leak check. The check counts every
	// goroutine of the process started since Start and still running
	// after the shutdown, so a test whose parallel tests (t.Parallel)
	// start goroutines meanwhile must skip it, and so must a test that
	// starts several runtimes (each would count the others'); use
	// goleak.VerifyTestMain for the package instead.
	NoLeakCheck bool
}

// Run starts a runtime serving apps against srv and returns it once srv
// sees every app connected; it stops the runtime when the test ends. It
// is Start with Options{Config: stasis.Config{Apps: apps}}.
func Run(t testing.TB, srv *aritest.Server, apps ...stasis.App) *stasis.Runtime {
	t.Helper()
	return Start(t, srv, Options{Config: stasis.Config{Apps: apps}})
}

// Start starts a runtime configured by opts against srv, runs it in a
// goroutine of its own and returns it once srv sees every app of
// opts.Config connected (aritest's Server.WaitApp). A configuration New
// refuses, a runtime that stops, or apps still missing after
// opts.StartTimeout fail the test at once (t.Fatalf).
//
// When the test ends (t.Cleanup), Start shuts the runtime down: calls
// still in progress are cancelled at once, as at the deadline of a
// Shutdown (their handlers' contexts end, their channels are hung up).
// It fails the test (t.Errorf) if Shutdown gives up on a handler or does
// not return within opts.ShutdownTimeout, if Run returns anything but
// stasis.ErrRuntimeClosed, or if a goroutine started since Start is
// still running (go.uber.org/goleak; idle HTTP connections of the client
// and of srv are not counted). srv is left open: aritest.Start closes it
// after that.
func Start(t testing.TB, srv *aritest.Server, opts Options) *stasis.Runtime {
	t.Helper()
	var before goleak.Option
	if !opts.NoLeakCheck {
		before = goleak.IgnoreCurrent()
	}
	return start(t, srv, opts, before, nil, true, nil)
}

// start is Start with the leak check's baseline taken by the caller; for
// outbound websockets (stopped not nil) Client stays nil and stopped runs
// after the shutdown, before the leak check. waitApps false returns at
// once (per-call connections: no app is registered before a call). made,
// if set, gets the runtime before it runs.
func start(t testing.TB, srv *aritest.Server, opts Options, before goleak.Option, stopped func(), waitApps bool, made func(*stasis.Runtime)) *stasis.Runtime {
	t.Helper()
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = DefaultStartTimeout
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	cfg := opts.Config
	if cfg.Client == nil && cfg.Outbound == nil {
		cfg.Client = srv.Client()
	}
	var tlog *testWriter
	if cfg.Logger == nil {
		tlog = &testWriter{t: t}
		cfg.Logger = slog.New(slog.NewTextHandler(tlog, nil))
	}
	names := make([]string, 0, len(cfg.Apps))
	for _, a := range cfg.Apps {
		names = append(names, a.Name)
	}
	rt, err := stasis.New(cfg)
	if err != nil {
		if stopped != nil {
			stopped()
		}
		t.Fatalf("stasistest: %v", err)
	}
	if made != nil {
		made(rt)
	}

	var runErr error
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		runErr = rt.Run(context.Background())
	}()
	var reported bool // runErr was reported
	t.Cleanup(func() {
		defer tlog.stop()
		// The test is over: calls still in progress are cancelled (and
		// their channels hung up) at once, as at a Shutdown's deadline.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		shut := make(chan error, 1)
		go func() { shut <- rt.Shutdown(ctx) }()
		limit := time.NewTimer(opts.ShutdownTimeout)
		defer limit.Stop()
		select {
		case err := <-shut:
			// Shutdown returns ctx's own error when it had calls to
			// cancel; anything else (handlers it gave up on) is a failure.
			if err != nil && err != ctx.Err() {
				t.Errorf("stasistest: Shutdown: %v", err)
			}
		case <-limit.C:
			t.Errorf("stasistest: Shutdown did not return within %v: a handler ignores its context", opts.ShutdownTimeout)
			return
		}
		select {
		case <-exited:
		case <-limit.C:
			t.Errorf("stasistest: Run did not return within %v of the shutdown", opts.ShutdownTimeout)
			return
		}
		if !reported && !errors.Is(runErr, stasis.ErrRuntimeClosed) {
			t.Errorf("stasistest: Run: %v", runErr)
		}
		if stopped != nil {
			stopped()
		}
		if opts.NoLeakCheck {
			return
		}
		if err := goleak.Find(before,
			// Idle keep-alive connections, which outlive the runtime.
			goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
			goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
			goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
		); err != nil {
			t.Errorf("stasistest: goroutines left running after the shutdown: %v", err)
		}
	})

	ctx, cancel := context.WithTimeout(t.Context(), opts.StartTimeout)
	defer cancel()
	go func() {
		select {
		case <-exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	if !waitApps {
		return rt
	}
	if err := srv.WaitApp(ctx, names...); err != nil {
		select {
		case <-exited:
			reported = true
			t.Fatalf("stasistest: the runtime stopped before apps %v connected: %v", names, runErr)
		default:
			t.Fatalf("stasistest: apps %v not connected within %v: %v", names, opts.StartTimeout, err)
		}
	}
	return rt
}

// testWriter writes the runtime's log lines to the test's log until the
// test ends.
type testWriter struct {
	t       testing.TB
	mu      sync.Mutex
	stopped bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

// stop ends the writing: the test's log is closed once the test ends.
func (w *testWriter) stop() {
	if w == nil {
		return
	}
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}
