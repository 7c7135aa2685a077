package demo

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/stasis"
)

// routerSim is a simulator whose dialplan sends calls to the router.
func routerSim() aritest.Config {
	timing := aritest.FastTiming()
	// Asterisk closes a per-call connection 3s after its StasisEnd.
	timing.PerCallClose = aritest.DefaultTiming().PerCallClose
	return aritest.Config{
		Timing: timing,
		Dialplan: aritest.Dialplan{"from-phones": aritest.Extensions{
			"_X.": aritest.Exten("Stasis(router,${EXTEN})"),
		}},
	}
}

// routedApps are a router that sends extension 100 to the greeter, and
// the greeter.
func routedApps() []stasis.App {
	return []stasis.App{stasis.Router(stasis.RouterConfig{Routes: map[string]string{"100": "greeter"}}), greeterApp}
}

// TestRunPlaysTheScriptInEveryMode: the same calls, routed or not, give
// the same report over each transport.
func TestRunPlaysTheScriptInEveryMode(t *testing.T) {
	var want []string
	for _, mode := range Modes() {
		t.Run(string(mode), func(t *testing.T) {
			var out bytes.Buffer
			env := map[string]string{EnvTransport: string(mode)}
			err := Run(t.Context(), &out, func(k string) string { return env[k] }, Config{
				Apps: routedApps(),
				Sim:  routerSim(),
				Script: func(ctx context.Context, s *Sim) error {
					sc := s.Script(ctx)
					alice := sc.Call(aritest.PlaceCallParams{App: "greeter", Caller: ari.CallerID{Name: "Alice"}})
					sc.Hear(alice, "sound:hello-world")
					sc.Hangup(alice)
					bob := sc.Call(aritest.PlaceCallParams{Context: "from-phones", Extension: "100", Caller: ari.CallerID{Name: "Bob"}})
					sc.Hear(bob, "sound:hello-world")
					sc.Hangup(bob)
					carol := sc.Call(aritest.PlaceCallParams{Context: "from-phones", Extension: "999", Caller: ari.CallerID{Name: "Carol"}})
					sc.Report(alice, bob, carol)
					return sc.Err()
				},
			})
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			require.Len(t, lines, 5, out.String())
			switch mode {
			case ModeHTTP:
				assert.Regexp(t, `^simulated Asterisk at http://127\.0\.0\.1:\d+$`, lines[0])
			case ModeWebsocket:
				assert.Regexp(t, `^simulated Asterisk at http://127\.0\.0\.1:\d+ \(REST over the events websocket\)$`, lines[0])
			default:
				assert.Regexp(t, `^simulated Asterisk at http://127\.0\.0\.1:\d+ dialing ws://127\.0\.0\.1:\d+/ari \(Asterisk dials the app: `, lines[0])
			}
			assert.Regexp(t, `^the runtime ran 4 handlers, received \d+ events and routed \d+; 0 handler errors$`, lines[4])
			if want == nil {
				want = lines[1:4]
				assert.Equal(t, []string{
					"Alice heard sound:hello-world; hung up with cause 16",
					"Bob heard sound:hello-world; hung up with cause 16",
					"Carol heard nothing; hung up with cause 1", // no route
				}, want)
			}
			assert.Equal(t, want, lines[1:4])
		})
	}
}

// TestAMoveCannotReachAPerCallApp shows why the per-call mode routes
// through the dialplan: an app of a per-call websocket is registered
// only as "<app>:<channel name>", for the call that opened it, so
// stasis.Router's move to it fails and the router hangs the call up.
// perCallApps sets stasis.RouterConfig.PerCall for that mode.
func TestAMoveCannotReachAPerCallApp(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	app, err := listenApp("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, app.close()) })
	apps := routedApps()
	scfg := routerSim()
	scfg.Outbound = []aritest.OutboundWebsocket{app.simulated(apps, true)}
	srv := aritest.Start(t, scfg)
	rt, err := stasis.New(stasis.Config{Apps: apps, Outbound: outboundConfig(simOutboundUsername, simOutboundPassword)})
	require.NoError(t, err)
	app.serve(rt)
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	t.Cleanup(func() {
		require.NoError(t, rt.Shutdown(context.Background()))
		<-done
	})

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Context: "from-phones", Extension: "100"})
	require.NoError(t, err)
	_, err = srv.WaitEvent(ctx, func(e events.Event) bool {
		f, ok := e.(*events.ApplicationMoveFailed)
		return ok && f.Destination == "greeter"
	})
	require.NoError(t, err)
	require.NoError(t, phone.WaitEnd(ctx))
	assert.Equal(t, 1, phone.Cause(), "hung up by the router: the move failed")
	assert.Empty(t, phone.MediaHeard())
}

// TestRunServesOutboundWebsockets runs the live outbound modes against a
// simulated Asterisk standing in for a real one, dialing the address the
// demo listens on with the credentials it was given.
func TestRunServesOutboundWebsockets(t *testing.T) {
	for _, mode := range []Mode{ModeOutbound, ModeOutboundPerCall} {
		t.Run(string(mode), func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			env := map[string]string{
				EnvTransport: string(mode), EnvListen: "127.0.0.1:0",
				EnvOutboundUsername: "appuser", EnvOutboundPassword: "apppass",
			}
			out := &syncBuffer{}
			done := make(chan error, 1)
			answered := make(chan error, 1)
			app := stasis.App{Name: "answerer", New: func(ctx context.Context, call *stasis.Call) (any, error) {
				return &answerer{call: call, answered: answered}, nil
			}}
			go func() {
				done <- Run(ctx, out, func(k string) string { return env[k] }, Config{Apps: []stasis.App{app}})
			}()
			serving := regexp.MustCompile(`^serving app "answerer" for Asterisk's outbound websockets \(` + string(mode) +
				`\) at (ws://127\.0\.0\.1:\d+/ari); Ctrl-C to stop\n$`)
			var uri string
			require.Eventually(t, func() bool {
				m := serving.FindStringSubmatch(out.String())
				if m != nil {
					uri = m[1]
				}
				return m != nil
			}, 10*time.Second, 2*time.Millisecond, "output: %q", out)

			srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Outbound: []aritest.OutboundWebsocket{{
				Name: "outbound_demo", Apps: []string{"answerer"}, URI: uri,
				Username: "appuser", Password: "apppass", PerCall: mode == ModeOutboundPerCall,
				ConnectionTimeout: 10 * time.Second, // loaded test machines
			}}})
			phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "answerer"})
			require.NoError(t, err)
			require.NoError(t, <-answered, "served")
			assert.Equal(t, ari.ChannelStateUp, phone.State())
			sessions := srv.OutboundSessions()
			require.NotEmpty(t, sessions)
			assert.Equal(t, mode == ModeOutboundPerCall, sessions[0].PerCall)
			cancel()
			require.NoError(t, <-done)
		})
	}
}

// TestRunRefusesOutboundWithoutCredentials: Asterisk's credentials are
// required; nothing listens without them.
func TestRunRefusesOutboundWithoutCredentials(t *testing.T) {
	env := map[string]string{EnvTransport: string(ModeOutbound), EnvListen: "127.0.0.1:0", EnvOutboundUsername: "appuser"}
	var out bytes.Buffer
	err := Run(t.Context(), &out, func(k string) string { return env[k] }, Config{Apps: []stasis.App{greeterApp}})
	require.Error(t, err)
	assert.ErrorContains(t, err, "ARI_OUTBOUND_USERNAME and ARI_OUTBOUND_PASSWORD")
	assert.Empty(t, out.String())
}

// TestRESTGoesWhereTheModeSays serves a simulated Asterisk behind a proxy
// that counts the calls' REST requests over HTTP: there are some in the
// http mode only. (The websocket mode learns Asterisk's version over HTTP
// once; the outbound modes do not use ARI_URL at all.)
func TestRESTGoesWhereTheModeSays(t *testing.T) {
	for _, c := range []struct {
		mode Mode
		http bool
	}{{ModeHTTP, true}, {ModeWebsocket, false}, {ModeOutbound, false}} {
		t.Run(string(c.mode), func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			// The outbound websocket needs the demo's address, known once it
			// listens: then the simulator starts, behind the proxy.
			var target atomic.Pointer[url.URL]
			var rest atomic.Int64
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/ari/channels/") {
					rest.Add(1)
				}
				if u := target.Load(); u != nil {
					httputil.NewSingleHostReverseProxy(u).ServeHTTP(w, r)
					return
				}
				http.Error(w, "not yet", http.StatusServiceUnavailable)
			}))
			t.Cleanup(proxy.Close)
			env := map[string]string{
				EnvTransport: string(c.mode), EnvURL: proxy.URL, EnvUsername: "asterisk", EnvPassword: "asterisk",
				EnvListen: "127.0.0.1:0", EnvOutboundUsername: "appuser", EnvOutboundPassword: "apppass",
			}
			answered := make(chan error, 1)
			app := stasis.App{Name: "answerer", New: func(ctx context.Context, call *stasis.Call) (any, error) {
				return &answerer{call: call, answered: answered}, nil
			}}
			scfg := aritest.Config{Timing: aritest.FastTiming()}
			var srv *aritest.Server
			t.Cleanup(func() { // after the demo's end, as Asterisk outlives apps
				if srv != nil {
					srv.Close()
				}
			})
			start := func() {
				srv = aritest.NewServer(scfg)
				u, err := url.Parse(srv.URL)
				require.NoError(t, err)
				target.Store(u)
			}
			if c.mode != ModeOutbound {
				start()
			}
			out := &syncBuffer{}
			done := make(chan error, 1)
			go func() {
				done <- Run(ctx, out, func(k string) string { return env[k] }, Config{Apps: []stasis.App{app}})
			}()
			t.Cleanup(func() { cancel(); assert.NoError(t, <-done) })
			if c.mode == ModeOutbound {
				// Asterisk dials the address the demo listens on.
				serving := regexp.MustCompile(`at (ws://\S+); Ctrl-C`)
				require.Eventually(t, func() bool { return serving.MatchString(out.String()) }, 10*time.Second, 2*time.Millisecond)
				uri := serving.FindStringSubmatch(out.String())[1]
				scfg.Outbound = []aritest.OutboundWebsocket{{Name: "ob", Apps: []string{"answerer"}, URI: uri, Username: "appuser", Password: "apppass"}}
				start()
			}
			require.NoError(t, srv.WaitApp(ctx, "answerer"))
			_, err := srv.PlaceCall(aritest.PlaceCallParams{App: "answerer"})
			require.NoError(t, err)
			require.NoError(t, <-answered)
			if c.http {
				assert.Positive(t, rest.Load(), "REST over HTTP")
			} else {
				assert.Zero(t, rest.Load(), "REST over a websocket")
			}
		})
	}
}

// TestPerCallAppsReplaceOnlyRouters: the routers get
// RouterConfig.PerCall; other apps, and the apps given, are left as they
// are.
func TestPerCallAppsReplaceOnlyRouters(t *testing.T) {
	apps := routedApps()
	got := perCallApps(apps)
	require.Len(t, got, 2)
	assert.Equal(t, "router", got[0].Name)
	assert.True(t, got[0].Config.(stasis.RouterConfig).PerCall)
	assert.False(t, apps[0].Config.(stasis.RouterConfig).PerCall, "the apps given are unchanged")
	assert.Equal(t, reflect.ValueOf(apps[1].New).Pointer(), reflect.ValueOf(got[1].New).Pointer(), "the greeter is unchanged")
}
