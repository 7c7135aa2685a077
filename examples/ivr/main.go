// Command ivr is the seed application of ex_ari's example, in Go: a
// router app sends each incoming call to an app by its extension, and the
// IVR app answers, plays a welcome and a menu, and reacts to DTMF.
//
// With no arguments it starts a simulated Asterisk in-process
// (gostasis.dev/ari/aritest), places a few calls that press keys, and
// prints a transcript of each call:
//
//	go run ./examples/ivr
//
// With ARI_URL, ARI_USERNAME and ARI_PASSWORD set it serves a real
// Asterisk instead, until interrupted. The dialplan must send calls to the
// router, e.g. exten => _X.,1,Stasis(router,${EXTEN}).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/stasis"
)

// The apps and routes of the example (ex_ari's router_config).
const (
	routerApp = "router"
	ivrApp    = "ivr"
)

var routes = map[string]string{
	"100":          ivrApp,
	"+15555550101": ivrApp,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "ivr:", err)
		os.Exit(1)
	}
}

// run serves a real Asterisk when ARI_URL is set, else runs the demo.
func run(ctx context.Context, out io.Writer, env func(string) string) error {
	if url := env("ARI_URL"); url != "" {
		client, err := ari.NewClient(ari.Config{URL: url, Username: env("ARI_USERNAME"), Password: env("ARI_PASSWORD")})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "serving apps %q and %q on %s; routes %v; Ctrl-C to stop\n", routerApp, ivrApp, url, routes)
		t := &Transcript{Live: out}
		rt, err := newRuntime(client, t)
		if err != nil {
			return err
		}
		err = rt.Run(ctx)
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
	return demo(ctx, out)
}

// newRuntime serves the router and the IVR over client.
func newRuntime(client *ari.Client, t *Transcript) (*stasis.Runtime, error) {
	return stasis.New(stasis.Config{
		Client: client,
		Apps: []stasis.App{
			stasis.Router(stasis.RouterConfig{Name: routerApp, Routes: routes}),
			IVRApp(ivrApp, DefaultPrompts, t),
		},
	})
}

// script is one simulated caller: who calls which extension and what they
// do once the call is up.
type script struct {
	id, name, number, exten string
	steps                   []step
}

// step waits for a prompt to start playing to the caller (when prompt is
// set), then presses keys (dtmf) or hangs up.
type step struct {
	prompt string
	dtmf   string
	hangup bool
}

var demoCalls = []script{
	{"call-1", "Alice", "1001", "100", []step{
		{prompt: DefaultPrompts.Menu, dtmf: "1"},
		{prompt: DefaultPrompts.Option1, dtmf: "2"},
		{prompt: DefaultPrompts.Option2, dtmf: "47#"},
	}},
	{"call-2", "Bob", "1002", "+15555550101", []step{
		{prompt: DefaultPrompts.Menu, dtmf: "9"},
		{hangup: true},
	}},
	{"call-3", "Carol", "1003", "999", nil},
}

// demo runs the apps against a simulated Asterisk and prints a transcript.
func demo(ctx context.Context, out io.Writer) error {
	timing := aritest.FastTiming()
	timing.Playback = 300 * time.Millisecond
	timing.DTMFGap = 30 * time.Millisecond
	srv := aritest.NewServer(aritest.Config{
		Timing: timing,
		Sounds: []string{"demo-instruct", "demo-congrats", "vm-goodbye"},
		Dialplan: aritest.Dialplan{"from-phones": aritest.Extensions{
			"_X.":  aritest.Exten("Stasis(router,${EXTEN})"),
			"_+X.": aritest.Exten("Stasis(router,${EXTEN})"),
		}},
	})
	defer srv.Close()
	fmt.Fprintf(out, "simulated Asterisk at %s\n", srv.URL)

	t := &Transcript{}
	rt, err := newRuntime(srv.Client(), t)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	if err := srv.WaitApp(ctx, routerApp, ivrApp); err != nil {
		return err
	}
	for _, c := range demoCalls {
		if err := place(ctx, srv, rt, t, c); err != nil {
			return fmt.Errorf("%s: %w", c.id, err)
		}
	}
	shut, cancelShut := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShut()
	if err := rt.Shutdown(shut); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, stasis.ErrRuntimeClosed) {
		return err
	}
	fmt.Fprint(out, t.String())
	st := rt.Stats()
	fmt.Fprintf(out, "%d calls placed; the runtime ran %d handlers (router and ivr), received %d events and routed %d\n",
		len(demoCalls), st.CallsStarted, st.EventsReceived, st.Routed)
	return nil
}

// causeText names the hangup causes of the demo (Q.850).
func causeText(cause int) string {
	switch cause {
	case 1:
		return "unallocated number: no route"
	case 16:
		return "normal clearing"
	case 17:
		return "user busy"
	}
	return "see Q.850"
}

// place places one scripted call and plays its part until it ends.
func place(ctx context.Context, srv *aritest.Server, rt *stasis.Runtime, t *Transcript, c script) error {
	t.Add(c.id, "%s <%s> dials %s", c.name, c.number, c.exten)
	cursor := srv.Cursor()
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{
		ChannelID: c.id, Context: "from-phones", Extension: c.exten,
		Caller: ari.CallerID{Name: c.name, Number: c.number},
	})
	if err != nil {
		return err
	}
	for _, st := range c.steps {
		if st.prompt != "" {
			if _, err := cursor.Next(ctx, func(e aritest.SentEvent) bool {
				p, ok := e.Event.(*events.PlaybackStarted)
				return ok && p.Playback.TargetURI == "channel:"+c.id && p.Playback.MediaURI == st.prompt
			}); err != nil {
				return fmt.Errorf("waiting for %s: %w", st.prompt, err)
			}
		}
		if st.hangup {
			t.Add(c.id, "%s hangs up", c.name)
			if err := phone.Hangup(16); err != nil {
				return err
			}
			break
		}
		if err := phone.SendDTMF(st.dtmf); err != nil {
			return err
		}
		// Let the IVR take the last key before the next step.
		if err := t.Wait(ctx, c.id, "ed "+st.dtmf[len(st.dtmf)-1:]); err != nil {
			return err
		}
	}
	if err := phone.WaitEnd(ctx); err != nil {
		return err
	}
	// Let the handlers see the end before the transcript says so.
	for rt.Stats().LiveCalls > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Add(c.id, "call ended: cause %d (%s)", phone.Cause(), causeText(phone.Cause()))
	if heard := phone.MediaHeard(); len(heard) > 0 {
		t.Add(c.id, "the caller heard: %s", strings.Join(heard, ", "))
	}
	return nil
}
