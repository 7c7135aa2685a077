// Package demo runs the examples' apps: against a real Asterisk when
// ARI_URL is set, otherwise against a simulated Asterisk (package
// aritest) started in-process, where the example's script plays the
// people at the phones and prints what happened. It is the examples'
// plumbing, not part of any app: an app is its stasis.App values.
//
// The runtime and Asterisk talk in one of four ways (Mode: the
// -transport flag, or ARI_TRANSPORT): REST over HTTP beside the events
// websocket (http, the default), REST over the events websocket
// (websocket), or Asterisk dials the application, over one persistent
// websocket (outbound) or one per call (outbound-per-call). In the
// outbound modes the demo runs an HTTP server with the runtime's
// OutboundHandler at /ari: on a loopback port Asterisk is told of when
// simulated, at -listen (ARI_OUTBOUND_LISTEN) for a real one, checking
// the credentials ARI_OUTBOUND_USERNAME and ARI_OUTBOUND_PASSWORD.
package demo

import (
	"cmp"
	"context"
	"errors"
	"flag"
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

// Main runs the example for a main func: Command with Run and cfg.
func Main(name string, cfg Config) {
	Command(name, func(ctx context.Context, out io.Writer, env func(string) string) error {
		return Run(ctx, out, env, cfg)
	})
}

// Command runs a demo for a main func: it parses the command line (Args)
// and calls run with os.Stdout and the environment, until interrupted
// (Ctrl-C, SIGTERM). A bad command line exits with status 2; an error is
// printed, prefixed with name, and exits with status 1.
func Command(name string, run func(ctx context.Context, out io.Writer, env func(string) string) error) {
	env, err := Args(name, os.Args[1:], os.Getenv, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, os.Stdout, env)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Run serves cfg.Apps over the Mode env(EnvTransport) names. When Live,
// it serves a real Asterisk (see serve) until ctx ends, and returns nil
// then; the runtime logs its warnings and errors (a failed connection,
// say) to slog.Default(). Otherwise it starts a simulated Asterisk
// configured by cfg.Sim, serves the apps there while cfg.Script runs,
// shuts the runtime down and prints its counters to out. A bad
// env(EnvTransport) fails with an error matching ErrUnknownMode.
func Run(ctx context.Context, out io.Writer, env func(string) string, cfg Config) error {
	mode, err := ParseMode(env(EnvTransport))
	if err != nil {
		return err
	}
	if Live(env) {
		return serve(ctx, out, mode, env, cfg.Apps)
	}
	return simulate(ctx, out, mode, cfg)
}

// serve serves apps on a real Asterisk until ctx ends. In the HTTP and
// websocket modes it dials env(EnvURL) as env(EnvUsername) with
// env(EnvPassword). In the outbound modes it listens at env(EnvListen)
// (default DefaultListen) for Asterisk's websockets, which must present
// env(EnvOutboundUsername) and env(EnvOutboundPassword); all REST goes
// over them, so env(EnvURL) is not used.
func serve(ctx context.Context, out io.Writer, mode Mode, env func(string) string, apps []stasis.App) error {
	cfg := runtimeConfig(mode, apps)
	url := env(EnvURL)
	var app *appServer
	if !mode.outbound() {
		client, err := ari.NewClient(ari.Config{URL: url, Username: env(EnvUsername), Password: env(EnvPassword)})
		if err != nil {
			return err
		}
		cfg.Client = client
	} else {
		user, password := env(EnvOutboundUsername), env(EnvOutboundPassword)
		if user == "" || password == "" {
			return fmt.Errorf("demo: the %s transport needs %s and %s (websocket_client.conf's username and password)",
				mode, EnvOutboundUsername, EnvOutboundPassword)
		}
		cfg.Outbound = outboundConfig(user, password)
		var err error
		if app, err = listenApp(cmp.Or(env(EnvListen), DefaultListen)); err != nil {
			return err
		}
		defer app.close()
	}
	rt, err := stasis.New(cfg)
	if err != nil {
		return err
	}
	if app != nil {
		app.serve(rt)
		fmt.Fprintf(out, "serving %s for Asterisk's outbound websockets (%s) at %s; Ctrl-C to stop\n",
			appNames(apps), mode, app.URL())
	} else {
		via := ""
		if mode == ModeWebsocket {
			via = " (REST over the events websocket)"
		}
		fmt.Fprintf(out, "serving %s on %s%s; Ctrl-C to stop\n", appNames(apps), url, via)
	}
	err = rt.Run(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// simulate runs the demo against a simulated Asterisk.
func simulate(ctx context.Context, out io.Writer, mode Mode, cfg Config) (err error) {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rcfg := runtimeConfig(mode, cfg.Apps)
	var app *appServer
	if mode.outbound() {
		// The simulator dials the app's server as soon as it starts:
		// the listener queues its connections until the runtime serves
		// them.
		if app, err = listenApp("127.0.0.1:0"); err != nil {
			return err
		}
		defer func() {
			if cerr := app.close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
		cfg.Sim.Outbound = append(slices.Clone(cfg.Sim.Outbound), app.simulated(cfg.Apps, mode == ModeOutboundPerCall))
		rcfg.Outbound = outboundConfig(simOutboundUsername, simOutboundPassword)
	}
	srv := aritest.NewServer(cfg.Sim)
	defer srv.Close()
	if app != nil {
		fmt.Fprintf(out, "simulated Asterisk at %s dialing %s (%s)\n", srv.URL, app.URL(), mode.describe())
	} else {
		rcfg.Client = srv.Client()
		if mode == ModeHTTP {
			fmt.Fprintf(out, "simulated Asterisk at %s\n", srv.URL)
		} else {
			fmt.Fprintf(out, "simulated Asterisk at %s (%s)\n", srv.URL, mode.describe())
		}
	}

	rt, err := stasis.New(rcfg)
	if err != nil {
		return err
	}
	if app != nil {
		app.serve(rt)
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
	// A per-call app has no connection until a call enters it.
	if mode != ModeOutboundPerCall {
		if err := srv.WaitApp(ctx, names...); err != nil {
			return fmt.Errorf("waiting for the apps to connect: %w", err)
		}
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
