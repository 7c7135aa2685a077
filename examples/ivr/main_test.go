package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/examples/internal/demo"
	"gostasis.dev/internal/syncbuf"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemoTranscript runs the demo (no ARI_URL: the simulated Asterisk)
// over each transport and checks each call's transcript: the same in
// every mode.
func TestDemoTranscript(t *testing.T) {
	var want map[string][]string
	for _, mode := range demo.Modes() {
		t.Run(string(mode), func(t *testing.T) {
			var out bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			env := map[string]string{demo.EnvTransport: string(mode)}
			require.NoError(t, run(ctx, &out, func(k string) string { return env[k] }))
			calls := transcripts(out.String())
			checkTranscript(t, calls)
			assert.Contains(t, out.String(), "3 calls placed\nthe runtime ran 5 handlers")
			assert.Contains(t, out.String(), "; 0 handler errors\n")
			if want == nil {
				want = calls
			}
			assert.Equal(t, want, calls, "the transcript over %s", demo.ModeHTTP)
		})
	}
}

// checkTranscript checks the demo's transcript.
func checkTranscript(t *testing.T, calls map[string][]string) {
	t.Helper()
	assert.Equal(t, []string{
		"Alice <1001> dials 100",
		`entered ivr (caller "Alice" <1001>, extension 100)`,
		"answered",
		"playing sound:hello-world",
		"played sound:hello-world",
		"playing sound:demo-instruct",
		"pressed 1",
		"playing sound:demo-congrats",
		"pressed 2",
		"playing sound:tt-monkeys",
		"collected 4",
		"collected 7",
		`pressed #: collected "47"`,
		"playing sound:vm-goodbye",
		"hanging up",
		"left ivr",
		"call ended: cause 16 (normal clearing)",
		"the caller heard: sound:hello-world, sound:demo-instruct, sound:demo-congrats, sound:tt-monkeys, sound:vm-goodbye",
	}, calls["call-1"])

	bob := calls["call-2"]
	require.NotEmpty(t, bob)
	assert.Equal(t, "Bob <1002> dials +15555550101", bob[0])
	assert.Contains(t, bob, `entered ivr (caller "Bob" <1002>, extension +15555550101)`, "routed by its extension")
	assert.Contains(t, bob, "collected 9")
	assert.Contains(t, bob, "caller hung up")
	assert.Contains(t, bob, "left ivr")
	assert.Less(t, index(bob, "collected 9"), index(bob, "Bob hangs up"))
	assert.Less(t, index(bob, "left ivr"), index(bob, "call ended: cause 16 (normal clearing)"))

	assert.Equal(t, []string{
		"Carol <1003> dials 999",
		"call ended: cause 1 (unallocated number: no route)",
	}, calls["call-3"], "an unmatched extension is hung up by the router")
}

// transcripts splits the demo's output into each call's lines.
func transcripts(out string) map[string][]string {
	calls := map[string][]string{}
	var cur string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "call "):
			cur = strings.TrimPrefix(line, "call ")
		case strings.HasPrefix(line, "  ") && cur != "":
			calls[cur] = append(calls[cur], strings.TrimPrefix(line, "  "))
		default:
			cur = ""
		}
	}
	return calls
}

func index(lines []string, s string) int {
	for i, l := range lines {
		if l == s {
			return i
		}
	}
	return -1
}

// TestServesAnAsteriskGivenARIURL runs the live mode over each transport
// against a simulated Asterisk standing in for a real one: dialed at
// ARI_URL, or dialing the demo at the address it listens on.
func TestServesAnAsteriskGivenARIURL(t *testing.T) {
	for _, mode := range demo.Modes() {
		t.Run(string(mode), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			timing := aritest.FastTiming()
			// Asterisk closes a per-call connection 3s after its StasisEnd.
			timing.PerCallClose = aritest.DefaultTiming().PerCallClose
			scfg := aritest.Config{
				Timing: timing,
				Sounds: []string{"demo-instruct", "demo-congrats", "vm-goodbye"},
				Dialplan: aritest.Dialplan{"default": aritest.Extensions{
					"_X.": aritest.Exten("Stasis(router,${EXTEN})"),
				}},
			}
			env := map[string]string{demo.EnvTransport: string(mode)}
			outbound := mode == demo.ModeOutbound || mode == demo.ModeOutboundPerCall
			var srv *aritest.Server
			if outbound {
				env[demo.EnvListen] = "127.0.0.1:0"
				env[demo.EnvOutboundUsername], env[demo.EnvOutboundPassword] = "appuser", "apppass"
			} else {
				srv = aritest.Start(t, scfg)
				env[demo.EnvURL], env[demo.EnvUsername], env[demo.EnvPassword] = srv.URL, "asterisk", "asterisk"
			}
			out := &syncBuffer{}
			done := make(chan error, 1)
			go func() { done <- run(ctx, out, func(k string) string { return env[k] }) }()
			if outbound {
				// Asterisk's websocket_client.conf points at the demo.
				var url string
				require.Eventually(t, func() bool {
					m := listening.FindStringSubmatch(out.String())
					if m != nil {
						url = m[1]
					}
					return m != nil
				}, 10*time.Second, 2*time.Millisecond)
				scfg.Outbound = []aritest.OutboundWebsocket{{
					Name: "outbound_ivr_demo", Apps: []string{routerApp, ivrApp}, URI: url,
					Username: "appuser", Password: "apppass", PerCall: mode == demo.ModeOutboundPerCall,
					ConnectionTimeout: 10 * time.Second, // loaded test machines
				}}
				srv = aritest.Start(t, scfg)
			}
			if mode != demo.ModeOutboundPerCall {
				require.NoError(t, srv.WaitApp(ctx, routerApp, ivrApp))
			}

			// The dialplan sends _X. to Stasis(router,${EXTEN}).
			phone, err := srv.PlaceCall(aritest.PlaceCallParams{ChannelID: "real-1", Extension: "100", Caller: ari.CallerID{Name: "Dan", Number: "1004"}})
			require.NoError(t, err)
			_, err = srv.WaitEvent(ctx, func(e events.Event) bool {
				p, ok := e.(*events.PlaybackStarted)
				return ok && p.Playback.MediaURI == DefaultPrompts.Menu
			})
			require.NoError(t, err)
			require.NoError(t, phone.SendDTMF("#"))
			require.NoError(t, phone.WaitEnd(ctx))
			assert.Eventually(t, func() bool { return strings.Contains(out.String(), "[real-1] left ivr") }, 10*time.Second, 5*time.Millisecond)
			assert.Contains(t, out.String(), `[real-1] entered ivr (caller "Dan" <1004>, extension 100)`)
			assert.Contains(t, out.String(), "[real-1] hanging up")
			assert.Equal(t, 16, phone.Cause())
			cancel()
			require.NoError(t, <-done)
		})
	}
}

// listening finds the URL the demo serves Asterisk's outbound websockets
// at in its output.
var listening = regexp.MustCompile(`at (ws://\S+); Ctrl-C`)

// syncBuffer collects log output written concurrently.
type syncBuffer = syncbuf.Buffer
