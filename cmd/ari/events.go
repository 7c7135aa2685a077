package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"gostasis.dev/ari"
)

const eventsUsage = `Usage: ari events -app NAME[,NAME...] [-type TYPE,...] [-channel ID] [-json] [-all]

Registers the Stasis applications on the events websocket and prints every
event they receive until interrupted, one line each: time, type,
application, the channels and bridges it is about and a few members of
well-known types; with -json, each event's JSON as received, one per line.
Events of types this build does not know are printed too; a message that
is not an event is reported on stderr. The connection is kept: it
reconnects after a drop (reported on stderr).

Flags:
`

// runEvents runs `ari events`.
func runEvents(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ari events", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf clientFlags
	cf.register(fs)
	apps := fs.String("app", "", "Stasis applications to register, comma-separated (required)")
	types := fs.String("type", "", "print only these event types, comma-separated")
	channel := fs.String("channel", "", "print only the events about this channel id")
	asJSON := fs.Bool("json", false, "print each event's JSON on one line")
	all := fs.Bool("all", false, "subscribe the applications to every event source (subscribeAll)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), eventsUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("events: unexpected argument %q", fs.Arg(0))
	}
	appList := splitList(*apps)
	if len(appList) == 0 {
		return usagef("events: -app is required")
	}
	client, _, err := cf.client(env, nil)
	if err != nil {
		return err
	}
	p := &eventPrinter{out: stdout, errOut: stderr, filter: newEventFilter(splitList(*types), *channel), asJSON: *asJSON}
	return streamEvents(ctx, client, ari.EventStreamConfig{Apps: appList, SubscribeAll: *all}, stderr,
		func(f ari.Frame, _ time.Time) { p.frame(f.Data) })
}

// streamEvents runs an events stream until ctx ends (which is no error).
// It hands each frame, with the time it arrived, to handle in order from
// another goroutine, so that a slow output does not hold the websocket's
// reader, and handles every frame received before it returns. Connection
// changes are reported on stderr; a server that refuses the connection
// with a 4xx (bad credentials, unknown application parameters) ends it
// with that error instead of retrying.
func streamEvents(ctx context.Context, client *ari.Client, cfg ari.EventStreamConfig, stderr io.Writer, handle func(ari.Frame, time.Time)) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	report := stateReporter(stderr)
	cfg.OnState = func(c ari.StateChange) {
		report(c)
		var ae *ari.Error
		if c.State == ari.StateDisconnected && c.Conn == 0 && errors.As(c.Err, &ae) && ae.Status >= 400 && ae.Status < 500 {
			cancel(c.Err)
		}
	}
	type arrival struct {
		f  ari.Frame
		at time.Time
	}
	queue := make(chan arrival, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for a := range queue {
			handle(a.f, a.at)
		}
	}()
	err := client.EventStream(cfg).Run(ctx, func(f ari.Frame) { queue <- arrival{f, time.Now().UTC()} })
	close(queue)
	<-done
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded) {
		return cause // refused by the server
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil // interrupted: the normal end
	}
	return err
}

// stateReporter reports the events websocket's connection changes on w.
func stateReporter(w io.Writer) func(ari.StateChange) {
	return func(c ari.StateChange) {
		switch c.State {
		case ari.StateConnected:
			fmt.Fprintf(w, "ari: connected (apps %s)\n", strings.Join(c.Apps, ","))
		case ari.StateDisconnected:
			if errors.Is(c.Err, context.Canceled) || errors.Is(c.Err, context.DeadlineExceeded) {
				return // the command is ending
			}
			if c.RetryIn > 0 {
				fmt.Fprintf(w, "ari: disconnected: %v (retrying in %v)\n", c.Err, c.RetryIn.Round(time.Millisecond))
			} else {
				fmt.Fprintf(w, "ari: disconnected: %v\n", c.Err)
			}
		}
	}
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
