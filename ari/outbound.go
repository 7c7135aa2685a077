package ari

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// DefaultMaxOutboundConnections is the default
// OutboundConfig.MaxConnections. A per-call connection lives as long as its
// call (plus about 3 s), so the bound is on concurrent calls.
const DefaultMaxOutboundConnections = 10000

// OutboundConfig configures an OutboundHandler: the application's side of
// Asterisk's outbound websockets (Asterisk 20.15, 21.10, 22.5 and later),
// where Asterisk dials the application, as configured in ari.conf
// (type = outbound_websocket) and websocket_client.conf.
type OutboundConfig struct {
	// Username and Password are the credentials Asterisk presents: the
	// username and password of the websocket_client.conf connection, sent
	// as HTTP basic authentication. They are compared in constant time and
	// never logged. Both empty is refused unless AllowUnauthenticated is
	// set.
	Username, Password string
	// AllowUnauthenticated, with Username and Password empty, accepts
	// connections that present no credentials: for a handler only Asterisk
	// can reach (loopback, a private network, a proxy that checks client
	// certificates). Asterisk sends no Authorization header when the
	// connection has no username and password. With credentials set, they
	// are required regardless.
	AllowUnauthenticated bool

	// Serve is called with each accepted connection, in the goroutine of
	// its HTTP request, and should read it with OutboundConn.Run. The
	// connection is closed when Serve returns. Required.
	Serve func(conn *OutboundConn)

	// MaxConnections bounds the connections open at once; 0 means
	// DefaultMaxOutboundConnections. An upgrade over it is refused with
	// 503, which Asterisk counts as a failed attempt and retries.
	MaxConnections int

	// PingInterval, PongTimeout, MaxFrameSize and MaxPendingRequests are
	// as in EventStreamConfig, with the same defaults, for each
	// connection. Asterisk answers pings but sends none.
	PingInterval       time.Duration
	PongTimeout        time.Duration
	MaxFrameSize       int64
	MaxPendingRequests int

	// MaxReplySize, Version, DisableVersionCheck and Logger are as in
	// Config, for the connections' RESTClient. Without Version, the
	// version of each Asterisk (told apart by asterisk_id) is learned once
	// over the first connection that needs it.
	MaxReplySize        int64
	Version             string
	DisableVersionCheck bool
	// Observer, if set, is told of every request of the connections'
	// RESTClient and of RESTClient, as Config.Observer is.
	Observer RequestObserver
	// Logger receives the handler's logs: refused connections (WARN),
	// panics in Serve (ERROR), connections (DEBUG). Nil means
	// slog.Default(), so that refusals are never silent.
	Logger *slog.Logger
}

// OutboundHandler is an http.Handler that accepts Asterisk's outbound
// websockets. Mount it on the application's own HTTP server at the path
// of websocket_client.conf's uri; TLS is the server's. It checks
// Asterisk's credentials, accepts the "ari" subprotocol and gives each
// connection to OutboundConfig.Serve.
//
// A persistent connection (connection_type = persistent) carries every
// app of its ari.conf section for as long as Asterisk runs, reopened by
// Asterisk whenever it drops. A per-call connection (connection_type =
// per_call_config) carries one call: its application is named
// "<app>:<channel name>", and Asterisk closes it about 3 s after the
// call's StasisEnd. REST on both goes over the same websocket
// (OutboundConn.RESTClient): Asterisk does not need to be reachable over
// HTTP.
type OutboundHandler struct {
	cfg      OutboundConfig
	log      *slog.Logger
	opts     wsOptions
	upgrader websocket.Upgrader
	auth     []byte // "user:pass", nil when unauthenticated connections are allowed

	mu       sync.Mutex
	conns    map[*OutboundConn]struct{}
	versions map[string]*versionCache // by asterisk_id
	closed   bool
	seq      uint64

	accepted, refused, overLimit atomic.Uint64
}

// OutboundStats counts what an OutboundHandler has seen.
type OutboundStats struct {
	// Accepted is the number of connections accepted.
	Accepted uint64
	// Open is the number of connections open now.
	Open int
	// Unauthorized is the number of upgrades refused for missing or wrong
	// credentials (401).
	Unauthorized uint64
	// OverLimit is the number of upgrades refused by MaxConnections or
	// because the handler was closed (503).
	OverLimit uint64
}

// NewOutboundHandler checks cfg and returns a handler.
func NewOutboundHandler(cfg OutboundConfig) (*OutboundHandler, error) {
	if cfg.Serve == nil {
		return nil, errors.New("ari: OutboundConfig.Serve is required")
	}
	if cfg.Username == "" && cfg.Password == "" && !cfg.AllowUnauthenticated {
		return nil, errors.New("ari: OutboundConfig needs Username and Password (websocket_client.conf's), or AllowUnauthenticated")
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return nil, errors.New("ari: OutboundConfig needs both Username and Password: Asterisk sends credentials only when websocket_client.conf has both")
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = DefaultMaxOutboundConnections
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = DefaultPingInterval
	}
	if cfg.PongTimeout <= 0 && cfg.PingInterval > 0 {
		cfg.PongTimeout = cfg.PingInterval + 10*time.Second
	}
	if cfg.MaxFrameSize <= 0 {
		cfg.MaxFrameSize = DefaultMaxFrameSize
	}
	if cfg.MaxReplySize <= 0 {
		cfg.MaxReplySize = DefaultMaxReplySize
	}
	h := &OutboundHandler{
		cfg:      cfg,
		log:      cfg.Logger,
		opts:     wsOptions{pingInterval: cfg.PingInterval, pongTimeout: cfg.PongTimeout, maxFrameSize: cfg.MaxFrameSize},
		conns:    make(map[*OutboundConn]struct{}),
		versions: make(map[string]*versionCache),
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if cfg.Username != "" || cfg.Password != "" {
		h.auth = []byte(cfg.Username + ":" + cfg.Password)
	}
	h.upgrader = websocket.Upgrader{
		Subprotocols:    []string{"ari"},
		ReadBufferSize:  frameScratch,
		WriteBufferSize: 4096,
		// Asterisk sends no Origin; a browser does, and is no Asterisk.
		CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "" },
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			http.Error(w, reason.Error(), status)
		},
	}
	return h, nil
}

// Stats returns the handler's counters.
func (h *OutboundHandler) Stats() OutboundStats {
	h.mu.Lock()
	open := len(h.conns)
	h.mu.Unlock()
	return OutboundStats{
		Accepted:     h.accepted.Load(),
		Open:         open,
		Unauthorized: h.refused.Load(),
		OverLimit:    h.overLimit.Load(),
	}
}

// Close refuses new connections and closes the open ones (close 1000:
// Asterisk reconnects a persistent connection, to a server that may be
// another instance).
func (h *OutboundHandler) Close() {
	h.mu.Lock()
	h.closed = true
	conns := make([]*OutboundConn, 0, len(h.conns))
	for c := range h.conns {
		if c.upgraded {
			conns = append(conns, c)
		}
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// RESTClient returns a client whose calls go over the oldest open
// connection that Asterisk has sent its first message on (a persistent
// one, when there is one: per-call connections come and go), like
// OutboundConn.RESTClient; with none open, calls fail with
// ErrConnectionLost. For work that belongs to no one connection. With
// several Asterisk servers dialing the handler it reaches any of them,
// and its version check and its request may reach different ones: use
// RESTClientFor, or the RESTClient of a connection from the server you
// mean.
func (h *OutboundHandler) RESTClient() *Client { return h.restClient("") }

// RESTClientFor is RESTClient over the connections of one Asterisk
// server only: those whose first message had asteriskID as its
// "asterisk_id" (OutboundConn.AsteriskID). With none open, calls fail
// with ErrConnectionLost.
func (h *OutboundHandler) RESTClientFor(asteriskID string) *Client {
	return h.restClient(asteriskID)
}

// restClient returns a client over the oldest ready connection, of the
// Asterisk server asteriskID or, for "", of any.
func (h *OutboundHandler) restClient(asteriskID string) *Client {
	return &Client{
		log:      h.log,
		noGate:   h.cfg.DisableVersionCheck,
		maxReply: h.cfg.MaxReplySize,
		ua:       []string{defaultUserAgent},
		hc:       http.DefaultClient, // never used: every call goes over a websocket
		ws:       outboundCaller{h, asteriskID},
		obs:      h.cfg.Observer,
		discover: func(ctx context.Context) (*serverVersion, error) {
			c := h.oldest(asteriskID)
			if c == nil {
				return nil, ErrConnectionLost
			}
			return c.version(ctx)
		},
	}
}

// outboundCaller sends calls over the handler's oldest ready connection
// (of the Asterisk server asteriskID, unless it is "").
type outboundCaller struct {
	h          *OutboundHandler
	asteriskID string
}

func (o outboundCaller) call(ctx context.Context, msg *restRequest) restReply {
	c := o.h.oldest(o.asteriskID)
	if c == nil {
		return restReply{err: ErrConnectionLost}
	}
	return c.rest.call(ctx, msg)
}

// oldest returns the oldest open connection that got its first message,
// from the Asterisk server asteriskID unless it is "".
func (h *OutboundHandler) oldest(asteriskID string) *OutboundConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	var best *OutboundConn
	for c := range h.conns {
		select {
		case <-c.first: // set after init: c.rest and c.asteriskID are ready
		default:
			continue
		}
		if c.closedHere.Load() || c.finished.Load() {
			continue
		}
		if asteriskID != "" && c.asteriskID != asteriskID {
			continue
		}
		if best == nil || c.seq < best.seq {
			best = c
		}
	}
	return best
}

// ServeHTTP checks the credentials, upgrades the request and serves the
// connection until OutboundConfig.Serve returns.
func (h *OutboundHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		h.refused.Add(1)
		h.log.Warn("ari: outbound websocket: refused a connection without the configured credentials", "remote", r.RemoteAddr, "path", r.URL.Path)
		w.Header().Set("WWW-Authenticate", `Basic realm="ari"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	if offered := websocket.Subprotocols(r); len(offered) > 0 && !contains(offered, "ari") {
		http.Error(w, `websocket subprotocol "ari" required`, http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	if h.closed || len(h.conns) >= h.cfg.MaxConnections {
		closed := h.closed
		h.mu.Unlock()
		h.overLimit.Add(1)
		if !closed {
			h.log.Warn("ari: outbound websocket: refused a connection over OutboundConfig.MaxConnections", "remote", r.RemoteAddr, "max", h.cfg.MaxConnections)
		}
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	h.seq++
	c := &OutboundConn{h: h, seq: h.seq, remote: r.RemoteAddr, uri: r.URL.RequestURI(), first: make(chan struct{})}
	h.conns[c] = struct{}{}
	h.mu.Unlock()
	defer h.forget(c)

	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.log.Warn("ari: outbound websocket: upgrade failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		ws.Close()
		return
	}
	c.init(ws)
	c.upgraded = true
	h.mu.Unlock()
	h.accepted.Add(1)
	h.log.Debug("ari: outbound websocket: connected", "remote", r.RemoteAddr, "uri", c.uri, "conn", c.seq)
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("ari: outbound websocket: Serve panicked", "panic", p, "stack", string(debug.Stack()))
		}
		c.Close()
		c.wait()
	}()
	h.cfg.Serve(c)
}

func (h *OutboundHandler) forget(c *OutboundConn) {
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
}

// authorized checks the request's basic credentials.
func (h *OutboundHandler) authorized(r *http.Request) bool {
	got := r.Header.Get("Authorization")
	if h.auth == nil {
		return true
	}
	scheme, enc, ok := strings.Cut(got, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return false
	}
	dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(dec, h.auth) == 1
}

// versionCache returns the version cache of the Asterisk with id.
func (h *OutboundHandler) versionCache(id string) *versionCache {
	h.mu.Lock()
	defer h.mu.Unlock()
	vc := h.versions[id]
	if vc == nil {
		vc = &versionCache{}
		vc.preset(h.cfg.Version, h.log)
		h.versions[id] = vc
	}
	return vc
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// OutboundConn is one websocket Asterisk opened to an OutboundHandler.
type OutboundConn struct {
	h      *OutboundHandler
	seq    uint64
	remote string
	uri    string

	upgraded bool          // guarded by h.mu
	gone     chan struct{} // closed by Close and Drop
	ws       *websocket.Conn
	rest     *restWS
	client   *Client
	scratch  []byte

	first      chan struct{} // closed by the first message
	firstOnce  sync.Once
	vc         atomic.Pointer[versionCache] // its Asterisk's, once looked up
	app        string                       // "application" of the first message
	asteriskID string                       // "asterisk_id" of the first message

	running    atomic.Bool
	done       chan struct{} // closed when Run returns (if it ran)
	closeOnce  sync.Once
	closedHere atomic.Bool // Close was called
	finished   atomic.Bool // Run returned
	frames     atomic.Uint64
	tooLarge   atomic.Uint64
}

func (c *OutboundConn) init(ws *websocket.Conn) {
	c.ws = ws
	c.done = make(chan struct{})
	c.gone = make(chan struct{})
	c.rest = newRestWS(c.h.cfg.MaxPendingRequests, c.h.log)
	c.rest.attach(ws, false)
	c.client = &Client{
		log:      c.h.log,
		noGate:   c.h.cfg.DisableVersionCheck,
		maxReply: c.h.cfg.MaxReplySize,
		ua:       []string{defaultUserAgent},
		hc:       http.DefaultClient, // never used: every call goes over ws
		ws:       c.rest,
		discover: c.version,
		obs:      c.h.cfg.Observer,
	}
}

// Seq is the connection's sequence number in its handler (1 for the
// first): the Frame.Conn of its frames.
func (c *OutboundConn) Seq() uint64 { return c.seq }

// RemoteAddr is Asterisk's address, as the HTTP server saw it.
func (c *OutboundConn) RemoteAddr() string { return c.remote }

// URI is the path and query Asterisk requested (websocket_client.conf's
// uri, with its query).
func (c *OutboundConn) URI() string { return c.uri }

// Application returns the "application" of the connection's first
// message, once it came (Run): the app on a persistent connection
// (ApplicationRegistered of its first app), "<app>:<channel name>" on a
// per-call connection. It is empty before.
func (c *OutboundConn) Application() string {
	select {
	case <-c.first:
		return c.app
	default:
		return ""
	}
}

// AsteriskID returns the "asterisk_id" of the connection's first message,
// once it came; empty before.
func (c *OutboundConn) AsteriskID() string {
	select {
	case <-c.first:
		return c.asteriskID
	default:
		return ""
	}
}

// RESTClient returns a client whose calls go over this connection as
// RESTRequest messages, as EventStream.RESTClient's do; give it to
// resources.New for the typed API. Calls sent before Asterisk's first
// message wait for it (Asterisk does not read what comes sooner), and fail
// with ErrConnectionLost once the connection is closed. Requests run with
// the rights of ari.conf's local_ari_user. It is for REST only: an
// EventStream made from it cannot connect.
func (c *OutboundConn) RESTClient() *Client { return c.client }

// Stats returns the connection's counters; Connections is 1.
func (c *OutboundConn) Stats() EventStreamStats {
	return EventStreamStats{
		Connections:    1,
		Frames:         c.frames.Load(),
		FramesTooLarge: c.tooLarge.Load(),
		RESTRequests:   c.rest.requests.Load(),
		RESTResponses:  c.rest.responses.Load(),
		LateResponses:  c.rest.late.Load(),
	}
}

// Run calls deliver with every message Asterisk sends (RESTResponse
// messages excepted: they complete RESTClient calls), synchronously and
// in order, until the connection ends or ctx ends; deliver must not block
// (see EventStream.Run). It returns nil when Asterisk closed the
// connection normally (close 1000, as after a per-call connection's
// call), ctx's error when ctx ended (the connection is then closed with
// 1000), and otherwise why the connection failed (ErrFrameTooLarge,
// ErrPongTimeout, a network error). It can be called once.
func (c *OutboundConn) Run(ctx context.Context, deliver func(Frame)) error {
	if deliver == nil {
		return errors.New("ari: OutboundConn.Run: deliver is nil")
	}
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("ari: OutboundConn.Run called twice")
	}
	defer close(c.done)
	defer c.rest.detach()
	defer c.finished.Store(true)
	err := readWS(ctx, c.ws, c.h.opts, c.rest, &c.scratch, func() {}, func(data []byte) {
		c.firstOnce.Do(func() { c.learn(data) })
		c.frames.Add(1)
		deliver(Frame{Data: data, Conn: c.seq})
	})
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway):
		return nil
	case c.closedHere.Load():
		return nil
	}
	err, tooLarge := explainReadError(err, c.h.opts)
	if tooLarge {
		c.tooLarge.Add(1)
	}
	return err
}

// learn reads the application and asterisk_id of the first message and
// lets REST calls go.
func (c *OutboundConn) learn(data []byte) {
	var m struct {
		Application string `json:"application"`
		AsteriskID  string `json:"asterisk_id"`
	}
	_ = json.Unmarshal(data, &m) // an undecodable first frame is the app's to report
	c.app, c.asteriskID = m.Application, m.AsteriskID
	close(c.first)
	c.rest.markReady()
}

// version learns the server's version for RESTClient: Asterisk's, by its
// asterisk_id, shared by every connection from that Asterisk.
func (c *OutboundConn) version(ctx context.Context) (*serverVersion, error) {
	select {
	case <-c.first:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.done:
		return nil, ErrConnectionLost
	case <-c.gone:
		return nil, ErrConnectionLost
	}
	vc := c.vc.Load()
	if vc == nil {
		vc = c.h.versionCache(c.asteriskID)
		c.vc.Store(vc)
	}
	return vc.get(ctx, c.client.discoverVersion)
}

// Close closes the connection with close 1000 (a persistent connection
// is then reopened by Asterisk at once). Run returns nil.
func (c *OutboundConn) Close() {
	c.closeOnce.Do(func() {
		c.closedHere.Store(true)
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		c.ws.Close()
		close(c.gone)
		c.rest.detach()
	})
}

// Drop closes the TCP connection without a close frame, as a network
// failure would: for tests.
func (c *OutboundConn) Drop() {
	c.closeOnce.Do(func() {
		c.ws.Close()
		close(c.gone)
		c.rest.detach()
	})
}

// wait waits for Run, if it was called, to return.
func (c *OutboundConn) wait() {
	if c.running.Load() {
		<-c.done
	}
}
