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
// Asterisk instead, until interrupted, printing the transcripts as the
// calls go. The dialplan must send calls to the router, e.g.
//
//	[from-phones]
//	exten => _X.,1,Stasis(router,${EXTEN})
//
// # Transports
//
// -transport (or ARI_TRANSPORT) chooses how the app and Asterisk talk;
// the transcript is the same over each:
//
//	go run ./examples/ivr -transport=http              # REST over HTTP, events over a websocket (the default)
//	go run ./examples/ivr -transport=websocket         # REST over the events websocket
//	go run ./examples/ivr -transport=outbound          # Asterisk dials the app: one persistent websocket
//	go run ./examples/ivr -transport=outbound-per-call # Asterisk dials the app for each call
//
// Against a real Asterisk, http and websocket dial ARI_URL (http.conf:
// enabled = yes) as an ari.conf user (websocket: Asterisk 20.14, 21.9,
// 22.4 or later):
//
//	[general]
//	enabled = yes
//	[asterisk]                    ; ARI_USERNAME
//	type = user
//	read_only = no
//	password = asterisk           ; ARI_PASSWORD
//
// In the outbound modes (Asterisk 20.15, 21.10, 22.5 or later) Asterisk
// dials the app: it listens at -listen (or ARI_OUTBOUND_LISTEN; default
// 127.0.0.1:8765 when only ARI_URL is set) for websockets to /ari that
// present ARI_OUTBOUND_USERNAME and ARI_OUTBOUND_PASSWORD, and all REST
// goes over them (ARI_URL is not needed):
//
//	ARI_OUTBOUND_USERNAME=appuser ARI_OUTBOUND_PASSWORD=apppass \
//		go run ./examples/ivr -transport=outbound -listen=127.0.0.1:8765
//
// Asterisk needs, in websocket_client.conf:
//
//	[ivr_demo]
//	type = websocket_client
//	connection_type = persistent  ; outbound-per-call: per_call_config
//	uri = ws://127.0.0.1:8765/ari
//	protocols = ari
//	username = appuser            ; ARI_OUTBOUND_USERNAME
//	password = apppass            ; ARI_OUTBOUND_PASSWORD
//	connection_timeout = 500
//	reconnect_interval = 1000     ; per_call_config: 500
//	reconnect_attempts = 4
//	tls_enabled = no
//
// and in ari.conf, beside the [general] section and the user above, whose
// rights the REST requests get (no inbound /ari/events websocket may open
// these apps too: it would take them over):
//
//	[outbound_ivr_demo]
//	type = outbound_websocket
//	websocket_client_id = ivr_demo
//	apps = router,ivr
//	local_ari_user = asterisk
//	subscribe_all = no
//
// Per call, Asterisk registers an app only for the call whose Stasis()
// opened its websocket, as "<app>:<channel name>", so the router cannot
// move a call to the IVR (channels.move fails). In that mode the demo's
// router continues the call in the dialplan context stasis-ivr instead,
// which Asterisk makes for the per-call app: its Stasis(ivr) opens the
// IVR's own websocket for the call.
package main

import (
	"context"
	"fmt"
	"io"
	"strings"
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

func main() { demo.Command("ivr", run) }

// run serves a real Asterisk when ARI_URL (or, for an outbound transport,
// ARI_OUTBOUND_LISTEN) is set, printing the calls' transcripts as they
// go; otherwise it runs the demo on a simulated Asterisk and prints each
// call's transcript at the end.
func run(ctx context.Context, out io.Writer, env func(string) string) error {
	t := &Transcript{}
	if demo.Live(env) {
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
	// Per call (-transport=outbound-per-call), Asterisk closes a call's
	// connection 3s after its StasisEnd, not at once.
	timing.PerCallClose = aritest.DefaultTiming().PerCallClose
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
