package stasistest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/stasis"
)

// OutboundMode is how the simulated Asterisk of StartOutbound dials the
// runtime (websocket_client.conf's connection_type).
type OutboundMode int

const (
	// Persistent is one connection for every app, reopened when it drops.
	Persistent OutboundMode = iota
	// PerCall is one connection for each call.
	PerCall
)

// Credentials the simulated Asterisk of StartOutbound presents.
const (
	OutboundUsername = "stasistest"
	OutboundPassword = "stasistest-password"
)

// StartOutbound tests apps served over Asterisk's outbound websockets: it
// starts an HTTP server on loopback with the runtime's OutboundHandler at
// /ari, a simulated Asterisk configured by simCfg that dials it (mode,
// with OutboundUsername and OutboundPassword; simCfg.Outbound is
// replaced; reconnect_interval 10ms), and the runtime configured by opts (its Outbound gets those
// credentials unless set), and returns the simulator and the runtime.
// With Persistent it returns once the simulator has connected every app;
// with PerCall at once (connections come with calls). When the test ends
// it stops the runtime as Start does, then closes the simulator and the
// HTTP server, then checks for leaked goroutines.
func StartOutbound(t testing.TB, simCfg aritest.Config, mode OutboundMode, opts Options) (*aritest.Server, *stasis.Runtime) {
	t.Helper()
	var before goleak.Option
	if !opts.NoLeakCheck {
		before = goleak.IgnoreCurrent()
	}
	if opts.Config.Outbound == nil {
		opts.Config.Outbound = &ari.OutboundConfig{Username: OutboundUsername, Password: OutboundPassword}
	}
	late := &lateHandler{}
	app := httptest.NewServer(late)
	names := make([]string, 0, len(opts.Config.Apps))
	for _, a := range opts.Config.Apps {
		names = append(names, a.Name)
	}
	simCfg.Outbound = []aritest.OutboundWebsocket{{
		Name: "stasistest", Apps: names, URI: "ws" + strings.TrimPrefix(app.URL, "http") + "/ari",
		Username: OutboundUsername, Password: OutboundPassword, PerCall: mode == PerCall,
		// Asterisk gives up after 500ms; loaded test machines take longer.
		ConnectionTimeout: 10 * time.Second,
		// Refused (503) until the runtime exists: retry soon.
		ReconnectInterval: 10 * time.Millisecond,
	}}
	srv := aritest.NewServer(simCfg)
	stopped := func() {
		srv.Close()
		app.Close()
	}
	rt := start(t, srv, opts, before, stopped, mode == Persistent, func(rt *stasis.Runtime) {
		h := rt.OutboundHandler()
		late.h.Store(&h)
	})
	return srv, rt
}

// lateHandler serves with a handler set after the server started (503
// before): the simulator needs the URL before the runtime exists.
type lateHandler struct{ h atomic.Pointer[http.Handler] }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := l.h.Load()
	if h == nil {
		http.Error(w, "not yet", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}
