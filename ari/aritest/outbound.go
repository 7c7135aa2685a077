package aritest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// outboundSession is one outbound websocket session, as Asterisk's
// ari_ws_session of type persistent or per_call: the applications it
// registers, its connection, and the goroutine (run) that dials the
// application, and dials again when the connection drops.
type outboundSession struct {
	s      *Server
	cfg    OutboundWebsocket
	id     string   // session id: Name, or Name:<channel name> per call
	names  []string // the applications (per call: <app>:<channel name>)
	user   *User    // LocalUser: the rights of REST requests
	ctx    context.Context
	cancel context.CancelFunc // aborts dialing (Close, Restart, per-call end)
	dialer *websocket.Dialer
	header http.Header

	// Guarded by s.mu.

	// conn is the connection, or while there is none a pending wsConn
	// (no websocket yet) whose queue keeps the events, as Asterisk queues
	// them in the session. nil once the session has ended.
	conn      *wsConn
	connected bool
	// regQueued: the ApplicationRegistered events of the registration are
	// queued on conn, so the next connection must not add its own.
	regQueued          bool
	connects, attempts int
	closing            bool // the simulator closes it: no reconnection
	ended              bool

	// Per call (guarded by s.mu).
	perCall    bool
	ch         *channel
	app        *app     // the application <app>:<channel name>
	args       []string // Stasis() arguments
	entered    bool     // StasisStart was sent
	failed     bool     // the connection failed for good
	closeTimer *simTimer
}

var (
	errOutboundRefused = errors.New("refused (Server.RefuseWebsockets)")
	errOutboundStopped = errors.New("stopped")
)

// newOutboundSession prepares a session of cfg with the given id and
// applications. Call with s.mu held.
func (s *Server) newOutboundSession(cfg OutboundWebsocket, id string, names []string) *outboundSession {
	o := &outboundSession{s: s, cfg: cfg, id: id, names: names, perCall: cfg.PerCall}
	for i := range s.cfg.Users {
		if s.cfg.Users[i].Name == cfg.LocalUser {
			o.user = &s.cfg.Users[i]
			break
		}
	}
	o.ctx, o.cancel = context.WithCancel(context.Background())
	var protos []string
	for _, p := range strings.Split(cfg.Protocols, ",") {
		if p = strings.TrimSpace(p); p != "" {
			protos = append(protos, p)
		}
	}
	o.dialer = &websocket.Dialer{
		HandshakeTimeout: cfg.ConnectionTimeout,
		Subprotocols:     protos,
		TLSClientConfig:  cfg.TLSConfig,
		ReadBufferSize:   4096,
		WriteBufferSize:  16384,
	}
	// Asterisk sends neither Origin nor User-Agent (Go's default one is
	// suppressed by an empty value), and Basic credentials only when both
	// halves are set.
	o.header = http.Header{"User-Agent": {""}}
	if cfg.Username != "" && cfg.Password != "" {
		o.header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)))
	}
	return o
}

// startOutbound registers the applications of the persistent outbound
// websockets and starts dialing them, as Asterisk does when it starts.
func (s *Server) startOutbound() {
	s.mu.Lock()
	defer s.unlock()
	for _, cfg := range s.cfg.Outbound {
		if cfg.PerCall {
			continue
		}
		o := s.newOutboundSession(cfg, cfg.Name, cfg.Apps)
		o.register()
		s.outbound = append(s.outbound, o)
		s.connWG.Add(1)
		go o.run()
	}
}

// newConn returns a pending connection of o: it queues events until a
// websocket is attached.
func (o *outboundSession) newConn() *wsConn {
	return &wsConn{
		s: o.s, user: o.user, out: o,
		wake: make(chan struct{}, 1), done: make(chan struct{}), firstSent: make(chan struct{}),
	}
}

// register registers the session's applications on a new pending
// connection and queues their ApplicationRegistered events. Call with
// s.mu held.
func (o *outboundSession) register() {
	s := o.s
	c := o.newConn()
	o.conn = c
	yes := true
	for _, n := range o.names {
		a := s.getApp(n)
		if old := a.conn; old != nil && old != c {
			s.send(&events.ApplicationReplaced{}, target{direct: a})
			old.removeApp(a)
		}
		a.conn, a.out = c, o
		c.apps = append(c.apps, a)
		if o.cfg.SubscribeAll {
			s.setAll(a, &yes, &yes, &yes, &yes)
		}
		if o.perCall {
			o.app = a
		}
	}
	for _, n := range o.names {
		o.appRegistered(c, n)
	}
	o.regQueued = true
}

// appRegistered queues ApplicationRegistered for the application name on
// c. Like Asterisk's session_send_app_event, it bypasses the application's
// event filter. Call with s.mu held.
func (o *outboundSession) appRegistered(c *wsConn, name string) {
	s := o.s
	ev := &events.ApplicationRegistered{}
	b := ev.Base()
	b.Type = ev.EventType()
	b.Timestamp = ari.Time{Time: s.now()}
	b.AsteriskID = s.cfg.AsteriskID
	b.Application = name
	data, err := ev.MarshalJSON()
	if err != nil {
		s.log.Error("aritest: marshalling an event", "type", b.Type, "error", err)
		return
	}
	c.enqueue(data)
	s.events.add(name, data)
}

// run is the session's connection loop (outbound_session_handler_thread):
// connect, serve the connection until it drops, reconnect at once.
func (o *outboundSession) run() {
	defer o.s.connWG.Done()
	for {
		ws := o.connect()
		if ws == nil {
			o.connectFailed()
			return
		}
		c := o.attach(ws)
		if c == nil {
			return
		}
		<-c.done
		if !o.afterDrop(c) {
			return
		}
	}
}

// connect dials the application until it answers
// (ast_websocket_client_connect): ReconnectAttempts attempts
// ReconnectInterval apart, then nil for a per-call session; a persistent
// one logs a warning and goes on forever. It returns nil when the session
// stops.
func (o *outboundSession) connect() *websocket.Conn {
	failures := 0
	for {
		ws, err := o.dial()
		if ws != nil {
			return ws
		}
		if o.ctx.Err() != nil || errors.Is(err, errOutboundStopped) {
			return nil
		}
		failures++
		if failures >= o.cfg.ReconnectAttempts {
			if o.perCall {
				o.s.log.Warn("aritest: outbound websocket connection failed; hanging up after exhausting retries",
					"session", o.id, "uri", o.cfg.URI, "tries", failures, "error", err)
				return nil
			}
			o.s.log.Warn("aritest: outbound websocket connection failed; retrying",
				"session", o.id, "uri", o.cfg.URI, "tries", failures, "error", err, "retry_in", o.cfg.ReconnectInterval)
			failures = 0
		}
		t := time.NewTimer(o.cfg.ReconnectInterval)
		select {
		case <-t.C:
		case <-o.ctx.Done():
			t.Stop()
			return nil
		}
	}
}

// dial makes one connection attempt.
func (o *outboundSession) dial() (*websocket.Conn, error) {
	s := o.s
	s.mu.Lock()
	if s.closed || o.ended || o.closing {
		s.unlock()
		return nil, errOutboundStopped
	}
	o.attempts++
	refused := s.refusing()
	s.unlock()
	if refused {
		return nil, errOutboundRefused
	}
	ws, resp, err := o.dialer.DialContext(o.ctx, o.cfg.URI, o.header)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w: %s", err, resp.Status)
		}
		s.log.Debug("aritest: outbound websocket attempt failed", "session", o.id, "error", err)
		return nil, err
	}
	return ws, nil
}

// attach makes ws the session's connection: the queued events go first,
// then (on a reconnection) ApplicationRegistered for each application. It
// returns nil when the session stopped meanwhile.
func (o *outboundSession) attach(ws *websocket.Conn) *wsConn {
	s := o.s
	s.mu.Lock()
	if s.closed || o.ended || o.closing {
		if !s.closed && !o.ended {
			o.end()
		}
		s.unlock()
		ws.Close()
		return nil
	}
	c := o.conn
	if !o.regQueued {
		for _, n := range o.names {
			o.appRegistered(c, n)
		}
	}
	o.regQueued = false
	c.mu.Lock()
	c.ws = ws
	c.mu.Unlock()
	s.conns[c] = struct{}{}
	o.connected = true
	o.connects++
	s.connWG.Add(2)
	s.unlock()
	go c.writeLoop()
	go c.readLoop()
	c.wakeUp()
	return c
}

// connLost handles the end of the connection c. Call with s.mu held; it
// may be called twice for the same connection. The applications of the
// session's connection move to a new pending connection, which queues
// their events until the next connection.
func (o *outboundSession) connLost(c *wsConn) {
	if o.conn != c {
		// An earlier connection (before a Restart, or after the end).
		for _, a := range slices.Clone(c.apps) {
			c.removeApp(a)
		}
		return
	}
	o.connected = false
	nc := o.newConn()
	for _, a := range c.apps {
		a.conn = nc
	}
	nc.apps, c.apps = c.apps, nil
	o.conn = nc
}

// afterDrop reports whether the session reconnects after its connection c
// closed: at once, unless the simulator closed it.
func (o *outboundSession) afterDrop(c *wsConn) bool {
	s := o.s
	s.mu.Lock()
	defer s.unlock()
	o.connLost(c)
	if o.ended || s.closed {
		return false
	}
	if o.closing {
		o.end()
		return false
	}
	s.log.Debug("aritest: outbound websocket disconnected; reconnecting", "session", o.id)
	return true
}

// connectFailed ends a session whose connection failed for good (a
// per-call one, after ReconnectAttempts attempts) or that was stopped. A
// call in the application leaves it with STASISSTATUS=FAILED and goes on
// in the dialplan; a call waiting for its first connection fails at the
// next poll (pollTick).
func (o *outboundSession) connectFailed() {
	s := o.s
	s.mu.Lock()
	defer s.unlock()
	if o.ended || s.closed {
		return
	}
	if !o.perCall || o.closing {
		o.end()
		return
	}
	o.failed = true
	o.end() // first: the StasisEnd below goes nowhere, as on Asterisk
	ch := o.ch
	if o.entered && ch.app == o.app && !ch.gone && !ch.dying {
		s.stopMedia(ch, false)
		s.stasisEnd(ch)
		s.setVar(ch, "STASISSTATUS", "FAILED")
		s.continuePBX(ch)
	}
}

// end ends the session: its applications are unregistered (without
// ApplicationUnregistered), its pending connection dropped and its dialing
// stopped. A connected websocket is left to the caller to close. Call with
// s.mu held.
func (o *outboundSession) end() {
	if o.ended {
		return
	}
	s := o.s
	o.ended = true
	o.connected = false
	o.cancel()
	o.closeTimer.stop()
	if c := o.conn; c != nil {
		o.conn = nil
		for _, a := range slices.Clone(c.apps) {
			c.removeApp(a)
			o.forget(a)
		}
		if c.ws == nil {
			c.discard()
		}
	}
	if i := slices.Index(s.outbound, o); i >= 0 {
		s.outbound = slices.Delete(s.outbound, i, i+1)
	}
}

// forget deletes the per-call application a once no channel is in it.
// Call with s.mu held.
func (o *outboundSession) forget(a *app) {
	s := o.s
	if !o.perCall || a.inStasis > 0 || a.conn != nil || s.apps[a.name] != a {
		return
	}
	no := false
	s.setAll(a, &no, &no, &no, &no)
	delete(s.apps, a.name)
}

// shutdown closes the session from the simulator's side: a connected
// websocket gets close 1000 after the events queued before it, dialing
// stops. Call with s.mu held.
func (o *outboundSession) shutdown() {
	if o.ended || o.closing {
		return
	}
	o.closing = true
	if o.connected {
		o.conn.requestClose()
		return
	}
	o.cancel()
}

// restartOutbound is the outbound side of Restart, with s.mu held after
// the state was reset: per-call sessions end (their calls are gone), and
// persistent ones register their applications again on a new pending
// connection, which the session's goroutine connects once the current
// connection (closed by Restart) is gone.
func (s *Server) restartOutbound() {
	for _, o := range slices.Clone(s.outbound) {
		if o.perCall {
			o.end()
			continue
		}
		old := o.conn
		o.connected = false
		o.register()
		if old != nil && old.ws == nil {
			old.discard()
		}
	}
}

// --- per call ---

// perCallConfig returns the per-call outbound websocket serving the
// application name, if any. Call with s.mu held.
func (s *Server) perCallConfig(name string) *OutboundWebsocket {
	for i := range s.cfg.Outbound {
		o := &s.cfg.Outbound[i]
		if o.PerCall && slices.Contains(o.Apps, name) {
			return o
		}
	}
	return nil
}

// startPerCall runs Stasis(appName) for a per-call application: a new
// session dials the application for this call, and the call enters the
// application <appName>:<channel name> at the first poll that finds the
// connection up (ast_ari_create_per_call_websocket). It reports false when
// appName is not a per-call application. Call with s.mu held.
func (s *Server) startPerCall(ch *channel, appName string, args []string) bool {
	cfg := s.perCallConfig(appName)
	if cfg == nil || s.closed {
		return false
	}
	if args == nil {
		args = []string{}
	}
	s.setVar(ch, "STASISSTATUS", "")
	o := s.newOutboundSession(*cfg, cfg.Name+":"+ch.name, []string{appName + ":" + ch.name})
	o.ch, o.args = ch, args
	o.register()
	s.outbound = append(s.outbound, o)
	s.connWG.Add(1)
	go o.run()
	s.after(o.pollInterval(), o.pollTick)
	return true
}

// pollInterval is Timing.OutboundPoll, at least a millisecond.
func (o *outboundSession) pollInterval() time.Duration {
	return max(o.s.cfg.Timing.OutboundPoll, time.Millisecond)
}

// pollTick is Stasis()'s check of its per-call connection: up, the call
// enters the application; failed, Stasis() returns with
// STASISSTATUS=FAILED and the dialplan goes on. Runs with s.mu held.
func (o *outboundSession) pollTick() {
	s := o.s
	ch := o.ch
	switch {
	case ch.gone || ch.dying:
		o.shutdown()
	case o.failed:
		s.setVar(ch, "STASISSTATUS", "FAILED")
		s.continuePBX(ch)
	case o.ended:
	case o.connected:
		o.entered = true
		s.joinApp(ch, o.app, o.args)
	default:
		s.after(o.pollInterval(), o.pollTick)
	}
}

// stasisEnded is called when ch left the application a of the session:
// a per-call connection closes Timing.PerCallClose after its call's
// StasisEnd (ast_ari_close_per_call_websocket). Call with s.mu held.
func (o *outboundSession) stasisEnded(a *app, ch *channel) {
	if !o.perCall {
		return
	}
	if o.ended {
		o.forget(a)
		return
	}
	if ch == o.ch && o.closeTimer == nil {
		o.closeTimer = o.s.after(o.s.cfg.Timing.PerCallClose, o.shutdown)
	}
}

// continuePBX makes a channel that left Stasis go on in the dialplan after
// the Stasis step (or hang up when it has no dialplan). Call with s.mu
// held.
func (s *Server) continuePBX(ch *channel) {
	if ch.pbx == nil {
		s.hangupRequest(ch, 16, 16, true)
		return
	}
	s.runPBX(ch)
}

// --- inspection ---

// OutboundSession describes an outbound websocket session the simulator
// keeps (Server.OutboundSessions).
type OutboundSession struct {
	// Name is the OutboundWebsocket's Name.
	Name string
	// ID is the session id "ari show websocket sessions" shows: Name for a
	// persistent connection, Name:<channel name> for a per-call one.
	ID string
	// Apps are the applications the session registers: the
	// OutboundWebsocket's Apps, or the one application id
	// <app>:<channel name> of a per-call session.
	Apps []string
	// PerCall tells a per-call session from a persistent one.
	PerCall bool
	// ChannelID is the id of a per-call session's channel.
	ChannelID string
	// Connected reports whether a websocket is up.
	Connected bool
	// Connects counts the connections made, Attempts the connection
	// attempts (refused ones included).
	Connects, Attempts int
}

// OutboundSessions returns the outbound websocket sessions alive now:
// those of the persistent outbound websockets, and one per call for the
// per-call ones, from the call's Stasis() until the simulator closes its
// connection or gives up connecting. Persistent sessions come first, in
// Config.Outbound's order, then per-call ones, oldest first.
func (s *Server) OutboundSessions() []OutboundSession {
	s.mu.Lock()
	defer s.runlock()
	out := make([]OutboundSession, 0, len(s.outbound))
	for _, o := range s.outbound {
		os := OutboundSession{
			Name: o.cfg.Name, ID: o.id, Apps: slices.Clone(o.names), PerCall: o.perCall,
			Connected: o.connected, Connects: o.connects, Attempts: o.attempts,
		}
		if o.ch != nil {
			os.ChannelID = o.ch.id
		}
		out = append(out, os)
	}
	return out
}
