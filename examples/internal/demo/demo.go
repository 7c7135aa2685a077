// Package demo runs the examples' apps: against a real Asterisk when
// ARI_URL is set, otherwise against a simulated Asterisk (package
// aritest) started in-process, where the example's script plays the
// people at the phones and prints what happened. It is the examples'
// plumbing, not part of any app: an app is its stasis.App values.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/stasis"
)

// DefaultTimeout bounds a simulated demo when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// shutdownTimeout bounds the runtime's shutdown at the end of a demo.
const shutdownTimeout = 5 * time.Second

// Config is an example: its apps, and its demo on the simulator.
type Config struct {
	// Apps are the example's apps.
	Apps []stasis.App
	// Sim configures the simulated Asterisk of the demo.
	Sim aritest.Config
	// Script plays the phones of the demo's calls, and prints what
	// happened to Sim.Out, while the runtime serves Apps. It runs in the
	// goroutine that called Run.
	Script func(ctx context.Context, s *Sim) error
	// Timeout bounds the demo. Default DefaultTimeout.
	Timeout time.Duration
}

// Sim is what a script works with: the simulated Asterisk, the runtime
// serving the apps, and where to print.
type Sim struct {
	*aritest.Server
	Runtime *stasis.Runtime
	Out     io.Writer
}

// Main runs the example for a main func: Run with os.Stdout and the
// environment, until interrupted (Ctrl-C, SIGTERM); an error is printed,
// prefixed with name, and exits with status 1.
func Main(name string, cfg Config) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, os.Stdout, os.Getenv, cfg)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Run serves cfg.Apps. With env("ARI_URL") set, it serves that Asterisk
// (as env("ARI_USERNAME") with env("ARI_PASSWORD")) until ctx ends, and
// returns nil then; the runtime logs its warnings and errors (a failed
// connection, say) to slog.Default(). Otherwise it starts a simulated
// Asterisk configured by cfg.Sim, serves the apps there while cfg.Script
// runs, shuts the runtime down and prints its counters to out.
func Run(ctx context.Context, out io.Writer, env func(string) string, cfg Config) error {
	if url := env("ARI_URL"); url != "" {
		return serve(ctx, out, url, env("ARI_USERNAME"), env("ARI_PASSWORD"), cfg.Apps)
	}
	return simulate(ctx, out, cfg)
}

// serve serves apps on the Asterisk at url until ctx ends.
func serve(ctx context.Context, out io.Writer, url, user, password string, apps []stasis.App) error {
	client, err := ari.NewClient(ari.Config{URL: url, Username: user, Password: password})
	if err != nil {
		return err
	}
	rt, err := stasis.New(stasis.Config{Client: client, Apps: apps})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "serving %s on %s; Ctrl-C to stop\n", appNames(apps), url)
	err = rt.Run(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// simulate runs the demo against a simulated Asterisk.
func simulate(ctx context.Context, out io.Writer, cfg Config) (err error) {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	srv := aritest.NewServer(cfg.Sim)
	defer srv.Close()
	fmt.Fprintf(out, "simulated Asterisk at %s\n", srv.URL)

	rt, err := stasis.New(stasis.Config{Client: srv.Client(), Apps: cfg.Apps})
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	defer func() {
		shut, cancelShut := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancelShut()
		serr := rt.Shutdown(shut)
		if rerr := <-done; !errors.Is(rerr, stasis.ErrRuntimeClosed) && err == nil {
			err = rerr
		}
		if serr != nil && err == nil {
			err = serr
		}
		if err == nil {
			st := rt.Stats()
			fmt.Fprintf(out, "the runtime ran %d handlers, received %d events and routed %d; %d handler errors\n",
				st.CallsStarted, st.EventsReceived, st.Routed, st.HandlerErrors+st.Panics)
		}
	}()
	names := make([]string, 0, len(cfg.Apps))
	for _, a := range cfg.Apps {
		names = append(names, a.Name)
	}
	if err := srv.WaitApp(ctx, names...); err != nil {
		return fmt.Errorf("waiting for the apps to connect: %w", err)
	}
	if cfg.Script == nil {
		return nil
	}
	return cfg.Script(ctx, &Sim{Server: srv, Runtime: rt, Out: out})
}

// appNames lists the apps' names for a message.
func appNames(apps []stasis.App) string {
	names := make([]string, 0, len(apps))
	for _, a := range apps {
		names = append(names, fmt.Sprintf("%q", a.Name))
	}
	if len(names) == 1 {
		return "app " + names[0]
	}
	return "apps " + strings.Join(names, ", ")
}

// WaitHeard waits until phone has heard uri (a playback of it started on
// its channel, or in a bridge it is in).
func (s *Sim) WaitHeard(ctx context.Context, phone *aritest.Phone, uri string) error {
	err := s.WaitUntil(ctx, func() bool { return slices.Contains(phone.MediaHeard(), uri) })
	if err != nil {
		return fmt.Errorf("waiting for %s to hear %s: %w", phone.ID(), uri, err)
	}
	return nil
}

// WaitIdle waits until the runtime has no call left: every handler has
// seen its call's end.
func (s *Sim) WaitIdle(ctx context.Context) error {
	for s.Runtime.Stats().LiveCalls > 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the calls to end: %w", ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
	return nil
}

// Printf prints a line of the demo's report.
func (s *Sim) Printf(format string, args ...any) {
	fmt.Fprintf(s.Out, format+"\n", args...)
}
