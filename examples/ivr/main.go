// Command ivr is the seed application of ex_ari's example, in Go: a
// router app sends each incoming call to an app by its extension, and the
// IVR app answers, plays a welcome and a menu, and reacts to DTMF, in
// straight-line code (see IVRApp).
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
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
	"gostasis.dev/examples/internal/demo"
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "ivr:", err)
		os.Exit(1)
	}
}

// run serves a real Asterisk when ARI_URL is set, printing the calls'
// transcripts as they go; otherwise it runs the demo on a simulated
// Asterisk and prints each call's transcript at the end.
func run(ctx context.Context, out io.Writer, env func(string) string) error {
	t := &Transcript{}
	if env("ARI_URL") != "" {
		t.Live = out
	}
	return demo.Run(ctx, out, env, demo.Config{
		Apps: []stasis.App{
			stasis.Router(stasis.RouterConfig{Name: routerApp, Routes: routes}),
			IVRApp(ivrApp, DefaultPrompts, t),
		},
		Sim: simulator(),
		Script: func(ctx context.Context, s *demo.Sim) error {
			for _, c := range demoCalls {
				if err := place(ctx, s, t, c); err != nil {
					return fmt.Errorf("%s: %w", c.id, err)
				}
			}
			s.Printf("%s%d calls placed", t, len(demoCalls))
			return nil
		},
	})
}

// simulator configures the demo's simulated Asterisk: its dialplan sends
// the phones' calls to the router, and a sound plays for 300ms.
func simulator() aritest.Config {
	timing := aritest.FastTiming()
	timing.Playback = 300 * time.Millisecond
	timing.DTMFGap = 30 * time.Millisecond
	return aritest.Config{
		Timing: timing,
		Sounds: []string{"demo-instruct", "demo-congrats", "vm-goodbye"},
		Dialplan: aritest.Dialplan{"from-phones": aritest.Extensions{
			"_X.":  aritest.Exten("Stasis(router,${EXTEN})"),
			"_+X.": aritest.Exten("Stasis(router,${EXTEN})"),
		}},
	}
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
func place(ctx context.Context, s *demo.Sim, t *Transcript, c script) error {
	t.Add(c.id, "%s <%s> dials %s", c.name, c.number, c.exten)
	phone, err := s.PlaceCall(aritest.PlaceCallParams{
		ChannelID: c.id, Context: "from-phones", Extension: c.exten,
		Caller: ari.CallerID{Name: c.name, Number: c.number},
	})
	if err != nil {
		return err
	}
	for _, st := range c.steps {
		if st.prompt != "" {
			if err := s.WaitHeard(ctx, phone, st.prompt); err != nil {
				return err
			}
		}
		if st.hangup {
			t.Add(c.id, "%s hangs up", c.name)
			if err := phone.Hangup(resources.HangupReasonNormal); err != nil {
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
	if err := s.WaitIdle(ctx); err != nil {
		return err
	}
	t.Add(c.id, "call ended: cause %d (%s)", phone.Cause(), causeText(phone.Cause()))
	if heard := phone.MediaHeard(); len(heard) > 0 {
		t.Add(c.id, "the caller heard: %s", strings.Join(heard, ", "))
	}
	return nil
}
