package demo

import (
	"errors"
	"net"
	"net/http"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/stasis"
)

// The credentials the simulated Asterisk presents on its outbound
// websockets (websocket_client.conf's username and password).
const (
	simOutboundUsername = "asterisk-out"
	simOutboundPassword = "demo-secret"
)

// appServer is the application's HTTP server that Asterisk's outbound
// websockets dial: the runtime's OutboundHandler at OutboundPath.
type appServer struct {
	l    net.Listener
	srv  *http.Server
	done chan error
}

// listenApp listens on addr ("127.0.0.1:0" picks a port). Connections
// wait in the listener's queue until serve.
func listenApp(addr string) (*appServer, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &appServer{l: l}, nil
}

// URL is the websocket URL to put in websocket_client.conf's uri.
func (a *appServer) URL() string { return "ws://" + a.l.Addr().String() + OutboundPath }

// serve serves rt's outbound websockets, in a goroutine of its own.
func (a *appServer) serve(rt *stasis.Runtime) {
	mux := http.NewServeMux()
	mux.Handle(OutboundPath, rt.OutboundHandler())
	a.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	a.done = make(chan error, 1)
	go func() { a.done <- a.srv.Serve(a.l) }()
}

// close stops the server. The websockets it upgraded are the runtime's:
// its Shutdown closes them.
func (a *appServer) close() error {
	if a.srv == nil {
		return a.l.Close()
	}
	err := a.srv.Close()
	if serr := <-a.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// simulated is the outbound websocket the simulated Asterisk dials for
// apps: ari.conf's outbound_websocket section and websocket_client.conf's
// connection in one.
func (a *appServer) simulated(apps []stasis.App, perCall bool) aritest.OutboundWebsocket {
	names := make([]string, 0, len(apps))
	for _, app := range apps {
		names = append(names, app.Name)
	}
	return aritest.OutboundWebsocket{
		Name: "outbound_demo", Apps: names, URI: a.URL(), PerCall: perCall,
		Username: simOutboundUsername, Password: simOutboundPassword,
		// Asterisk gives up on a connection after 500ms; on a loaded
		// machine (CI, the race detector) a per-call call would then
		// fail to the dialplan for want of a connection.
		ConnectionTimeout: 10 * time.Second,
	}
}

// outboundConfig is the runtime's side of the outbound websockets:
// the credentials Asterisk must present.
func outboundConfig(username, password string) *ari.OutboundConfig {
	return &ari.OutboundConfig{Username: username, Password: password}
}
