package ari

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// EventStreamConfig configures an EventStream.
type EventStreamConfig struct {
	// Apps names the Stasis applications to register (at least one); they
	// are sent as one comma-separated app parameter.
	Apps []string
	// SubscribeAll subscribes the applications to every event source
	// (subscribeAll=true), not only to their own channels and bridges.
	SubscribeAll bool

	// Backoff spaces the attempts after failures; the zero value uses the
	// defaults (100ms doubling up to 30s, 20% jitter).
	Backoff Backoff
	// MaxAttempts is the number of consecutive failed attempts after which
	// Run gives up and returns a *GiveUpError; 0 means never give up.
	MaxAttempts int
	// StableAfter is how long a connection must stay up to count as a
	// success, which resets the backoff and the attempt count. A
	// connection that ends sooner counts as a failed attempt, however many
	// frames it delivered, so a server that accepts and drops at once (or
	// sends a frame and drops) is retried with growing delays. Default 10s.
	StableAfter time.Duration

	// PingInterval is how often a ping is sent. Default 20s; negative
	// disables pings and the dead-connection check.
	PingInterval time.Duration
	// PongTimeout is how long a connection may stay silent (no frame, no
	// pong, no ping) before it is considered dead and closed. Default
	// PingInterval + 10s.
	PongTimeout time.Duration
	// HandshakeTimeout bounds connecting and the websocket handshake.
	// Default 10s.
	HandshakeTimeout time.Duration

	// MaxFrameSize bounds one websocket message (one event), in bytes; 0
	// means DefaultMaxFrameSize. A message over it is refused as soon as a
	// frame header announces the excess, before that frame's payload is
	// read, so no more than MaxFrameSize bytes of it are ever buffered.
	// The connection is then closed with close code 1009 ("message too
	// big"), since a websocket cannot skip a message; the refusal is
	// counted (Stats) and reported as the StateDisconnected's Err, which
	// matches ErrFrameTooLarge (and is logged as a warning). Run then
	// reconnects as after any lost connection: the StateConnected that
	// follows has Reconnect set, so state is re-read (package stasis
	// re-syncs its calls) to make up for the lost message and for the
	// events sent while the stream was down.
	MaxFrameSize int64

	// MaxPendingRequests bounds the calls of RESTClient waiting for their
	// RESTResponse at once; 0 means DefaultMaxPendingRequests. A call over
	// the bound waits for a slot (or its ctx).
	MaxPendingRequests int

	// OnState, if set, is called with every state change, synchronously
	// from Run's goroutine and in order. StateConnected is reported before
	// the first frame of that connection is delivered. It must not block
	// for long: frames are not read meanwhile.
	OnState func(StateChange)
}

// Default EventStream timings.
const (
	DefaultPingInterval     = 20 * time.Second
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultStableAfter      = 10 * time.Second
)

// DefaultMaxFrameSize is the default EventStreamConfig.MaxFrameSize:
// 16 MiB. Asterisk's events are a few KB; the largest carry a channel's
// variables (channelvars, with ari.conf's channelvars option) or a user
// event's free-form JSON, and stay far below 1 MiB in practice. The limit
// leaves room for those while bounding what a broken or hostile server
// can make the client hold (less than twice the limit, while a message
// is read).
const DefaultMaxFrameSize = 16 << 20

// frameScratch is the size of the buffer each stream reads its messages
// into before copying them out: most events fit.
const frameScratch = 16 << 10

// Frame is one websocket message from Asterisk: the JSON of one event.
type Frame struct {
	// Data is the message. Each Frame has its own slice; the receiver may
	// keep it.
	Data []byte
	// Conn is the sequence number of the connection the frame came on: 1
	// for the first connection of a Run, 2 after the first reconnect...
	Conn uint64
}

// ErrPongTimeout reports a connection closed because nothing (no frame,
// no pong) arrived within EventStreamConfig.PongTimeout.
var ErrPongTimeout = errors.New("ari: events: no frame or pong within the pong timeout")

// ErrFrameTooLarge reports a connection closed because a message exceeded
// EventStreamConfig.MaxFrameSize; the message was not read.
var ErrFrameTooLarge = errors.New("ari: events: message larger than EventStreamConfig.MaxFrameSize")

// EventStreamStats counts what an EventStream has received since it was
// created, over all its connections.
type EventStreamStats struct {
	// Connections is the number of connections established.
	Connections uint64
	// Frames is the number of messages delivered.
	Frames uint64
	// FramesTooLarge is the number of messages refused for exceeding
	// EventStreamConfig.MaxFrameSize (each one closed its connection).
	FramesTooLarge uint64
	// RESTRequests is the number of RESTClient calls sent as RESTRequest
	// messages.
	RESTRequests uint64
	// RESTResponses is the number of RESTResponse messages that completed
	// a call.
	RESTResponses uint64
	// LateResponses is the number of RESTResponse messages dropped because
	// no call waited for them any more (its ctx ended first).
	LateResponses uint64
}

// errDropped reports a connection closed by EventStream.Drop.
var errDropped = errors.New("ari: events: connection dropped by Drop")

// GiveUpError is returned by EventStream.Run when MaxAttempts consecutive
// attempts failed. It unwraps to the last attempt's error, so that e.g.
// errors.Is(err, ErrUnauthorized) tells that the credentials were refused.
type GiveUpError struct {
	// Attempts is the number of consecutive failed attempts.
	Attempts int
	// Err is the last attempt's error.
	Err error
}

// Error says how many attempts failed and the last error.
func (e *GiveUpError) Error() string {
	return fmt.Sprintf("ari: events: gave up after %d attempts: %v", e.Attempts, e.Err)
}

// Unwrap returns the last attempt's error.
func (e *GiveUpError) Unwrap() error { return e.Err }

// opEvents is the events websocket operation, for errors.
var opEvents = &Operation{Resource: "events", Nickname: "eventWebsocket", Method: "GET", Path: "/events"}

// EventsURL returns the events websocket URL for apps:
// ws(s)://host:port/ari/events?app=a,b[&subscribeAll=true]. It holds no
// credentials: they go in the Authorization header, and Config.APIKey is
// added only to the URL the stream dials.
func (c *Client) EventsURL(apps []string, subscribeAll bool) string {
	var q Query
	q.AddList("app", apps)
	if subscribeAll {
		q.AddBool("subscribeAll", true)
	}
	return c.ep.wsBase() + "/ari/events?" + q.Encode()
}

// EventStream is a reconnecting stream of the raw frames of Asterisk's
// events websocket. Create it with Client.EventStream and call Run.
type EventStream struct {
	c       *Client
	cfg     EventStreamConfig
	url     string // without credentials, for URL and logs
	dialURL string // url with the api_key, if any
	dialer  *websocket.Dialer
	header  http.Header
	log     *slog.Logger

	running atomic.Bool
	mu      sync.Mutex
	conn    *websocket.Conn // current connection, guarded by mu
	dropped bool            // conn was closed by Drop, guarded by mu

	opts    wsOptions
	scratch []byte // read buffer of Run's goroutine

	rest *restWS // REST over this websocket (RESTClient)

	conns, frames, tooLarge atomic.Uint64 // Stats
}

// EventStream returns a stream for cfg; nothing happens until Run.
func (c *Client) EventStream(cfg EventStreamConfig) *EventStream {
	if cfg.PingInterval == 0 {
		cfg.PingInterval = DefaultPingInterval
	}
	if cfg.PongTimeout <= 0 && cfg.PingInterval > 0 {
		cfg.PongTimeout = cfg.PingInterval + 10*time.Second
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if cfg.StableAfter <= 0 {
		cfg.StableAfter = DefaultStableAfter
	}
	if cfg.MaxFrameSize <= 0 {
		cfg.MaxFrameSize = DefaultMaxFrameSize
	}
	if cfg.MaxPendingRequests <= 0 {
		cfg.MaxPendingRequests = DefaultMaxPendingRequests
	}
	cfg.Backoff = cfg.Backoff.withDefaults()
	cfg.Apps = append([]string(nil), cfg.Apps...)

	h := make(http.Header, 2)
	if c.auth != nil {
		h["Authorization"] = c.auth
	}
	h["User-Agent"] = c.ua
	url := c.EventsURL(cfg.Apps, cfg.SubscribeAll)
	dialURL := url
	if c.keyParam != "" {
		dialURL += "&" + c.keyParam
	}
	return &EventStream{
		c:       c,
		cfg:     cfg,
		url:     url,
		dialURL: dialURL,
		dialer:  c.websocketDialer(cfg.HandshakeTimeout),
		header:  h,
		log:     c.log.With(slog.String("url", url)),
		opts:    wsOptions{pingInterval: cfg.PingInterval, pongTimeout: cfg.PongTimeout, maxFrameSize: cfg.MaxFrameSize},
		rest:    newRestWS(cfg.MaxPendingRequests, c.log),
	}
}

// websocketDialer returns a dialer that connects like the client's HTTP
// transport: same proxy, dialer and TLS configuration (HTTP/1.1 only).
func (c *Client) websocketDialer(timeout time.Duration) *websocket.Dialer {
	d := &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: timeout,
		Subprotocols:     []string{"ari"},
	}
	rt := c.hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if t, ok := rt.(*http.Transport); ok {
		// Clone settles the transport's lazily set fields (HTTP/2
		// protocols) before we read them.
		t = t.Clone()
		d.Proxy = t.Proxy
		d.NetDialContext = t.DialContext
		d.NetDialTLSContext = t.DialTLSContext
		if t.TLSClientConfig != nil {
			tc := t.TLSClientConfig.Clone()
			tc.NextProtos = nil // a websocket upgrade is HTTP/1.1
			d.TLSClientConfig = tc
		}
	}
	return d
}

// URL returns the websocket URL the stream connects to, without
// credentials (not even Config.APIKey, which the stream adds when
// dialing).
func (s *EventStream) URL() string { return s.url }

// Stats returns the stream's counters. It is safe to call at any time.
func (s *EventStream) Stats() EventStreamStats {
	return EventStreamStats{
		Connections:    s.conns.Load(),
		Frames:         s.frames.Load(),
		FramesTooLarge: s.tooLarge.Load(),
		RESTRequests:   s.rest.requests.Load(),
		RESTResponses:  s.rest.responses.Load(),
		LateResponses:  s.rest.late.Load(),
	}
}

// Drop closes the current connection, if any, as if the network had
// failed; Run then reconnects (after a backoff delay). It is meant for
// tests and for forcing a resynchronisation.
func (s *EventStream) Drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.dropped = true
		s.conn.Close()
	}
}

// Run connects and calls deliver with every frame, synchronously and in
// order, until ctx ends or MaxAttempts consecutive attempts fail. When a
// connection fails or is lost it reconnects with exponential backoff and
// jitter (see Backoff and StableAfter), reporting each step to OnState.
//
// deliver must not block: Asterisk drops a client that does not read its
// events promptly (100 ms by default), so hand the frame to a queue and
// return.
//
// Run returns ctx.Err() once ctx ends (after closing the connection), or a
// *GiveUpError when the attempts are exhausted. An upgrade refused by
// Asterisk (bad credentials, unknown parameters) is an *Error with the
// status and Asterisk's text. Only one Run may be active at a time.
func (s *EventStream) Run(ctx context.Context, deliver func(Frame)) error {
	if deliver == nil {
		return errors.New("ari: EventStream.Run: deliver is nil")
	}
	if len(s.cfg.Apps) == 0 {
		return errors.New("ari: EventStreamConfig.Apps is empty: Asterisk needs at least one application")
	}
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("ari: EventStream.Run is already running")
	}
	defer s.running.Store(false)

	var (
		failures int    // consecutive attempts without a stable connection
		seq      uint64 // connections made
	)
	for {
		if err := ctx.Err(); err != nil {
			s.report(StateChange{State: StateStopped, Attempt: failures + 1, Err: err})
			return err
		}
		attempt := failures + 1
		s.report(StateChange{State: StateConnecting, Attempt: attempt})
		conn, err := s.dial(ctx)
		var connSeq uint64
		stable := false
		if err == nil {
			seq++
			connSeq = seq
			start := time.Now()
			err = s.serve(ctx, conn, StateChange{State: StateConnected, Attempt: attempt, Conn: seq, Reconnect: seq > 1}, deliver)
			stable = time.Since(start) >= s.cfg.StableAfter
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			if connSeq != 0 {
				s.report(StateChange{State: StateDisconnected, Attempt: attempt, Conn: connSeq, Err: ctxErr})
			}
			s.report(StateChange{State: StateStopped, Attempt: attempt, Err: ctxErr})
			return ctxErr
		}
		var delay time.Duration
		if stable {
			failures = 0
			delay = s.cfg.Backoff.Delay(1)
		} else {
			failures++
			if s.cfg.MaxAttempts > 0 && failures >= s.cfg.MaxAttempts {
				s.report(StateChange{State: StateDisconnected, Attempt: attempt, Conn: connSeq, Err: err})
				gerr := &GiveUpError{Attempts: failures, Err: err}
				s.report(StateChange{State: StateStopped, Attempt: attempt, Err: gerr})
				return gerr
			}
			delay = s.cfg.Backoff.Delay(failures)
		}
		s.report(StateChange{State: StateDisconnected, Attempt: attempt, Conn: connSeq, Err: err, RetryIn: delay})

		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			s.report(StateChange{State: StateStopped, Attempt: failures + 1, Err: ctx.Err()})
			return ctx.Err()
		}
	}
}

// report logs a state change and passes it to OnState.
func (s *EventStream) report(sc StateChange) {
	sc.Apps = slices.Clone(s.cfg.Apps) // the callback may keep or change it
	level := slog.LevelDebug
	switch sc.State {
	case StateConnected, StateStopped:
		level = slog.LevelInfo
	case StateDisconnected:
		level = slog.LevelWarn
	}
	ctx := context.Background()
	if s.log.Enabled(ctx, level) {
		attrs := []slog.Attr{slog.String("state", sc.State.String()), slog.Int("attempt", sc.Attempt)}
		if sc.Conn != 0 {
			attrs = append(attrs, slog.Uint64("conn", sc.Conn))
		}
		if sc.Reconnect {
			attrs = append(attrs, slog.Bool("reconnect", true))
		}
		if sc.RetryIn > 0 {
			attrs = append(attrs, slog.Duration("retry_in", sc.RetryIn))
		}
		if sc.Err != nil {
			attrs = append(attrs, slog.String("error", sc.Err.Error()))
		}
		s.log.LogAttrs(ctx, level, "ari: events connection", attrs...)
	}
	if s.cfg.OnState != nil {
		s.cfg.OnState(sc)
	}
}

// dial opens one websocket connection. The websocket library watches ctx
// only while connecting, so the connection is closed if ctx ends during
// the handshake.
func (s *EventStream) dial(ctx context.Context) (*websocket.Conn, error) {
	var (
		mu  sync.Mutex
		raw []net.Conn
	)
	track := func(dial func(context.Context, string, string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
		return func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dial(ctx, network, addr)
			if c != nil {
				mu.Lock()
				raw = append(raw, c)
				mu.Unlock()
			}
			return c, err
		}
	}
	d := *s.dialer
	if d.NetDialContext == nil {
		d.NetDialContext = (&net.Dialer{}).DialContext
	}
	d.NetDialContext = track(d.NetDialContext)
	if d.NetDialTLSContext != nil {
		d.NetDialTLSContext = track(d.NetDialTLSContext)
	}
	aborted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(aborted)
		mu.Lock()
		defer mu.Unlock()
		for _, c := range raw {
			c.Close()
		}
	})
	conn, resp, err := d.DialContext(ctx, s.dialURL, s.header)
	if !stop() {
		<-aborted
		if conn != nil {
			conn.Close()
		}
		return nil, &Error{Op: opEvents.String(), Method: opEvents.Method, Path: opEvents.Path, Err: ctx.Err()}
	}
	if err == nil {
		return conn, nil
	}
	e := &Error{Op: opEvents.String(), Method: opEvents.Method, Path: opEvents.Path, Err: s.c.hideKey(err)}
	if resp != nil && errors.Is(err, websocket.ErrBadHandshake) {
		e.Status = resp.StatusCode
		msg, rerr := readErrorBody(resp.Body)
		resp.Body.Close()
		switch {
		case rerr != nil:
			e.Err = fmt.Errorf("reading the error reply: %w", rerr)
		case e.Status != http.StatusSwitchingProtocols:
			e.Message = msg
			e.Err = nil // the status and Asterisk's text say it all
		default:
			e.Message = msg
		}
	}
	return nil, e
}

// serve reads conn until it fails or ctx ends, reporting connected first.
func (s *EventStream) serve(ctx context.Context, conn *websocket.Conn, connected StateChange, deliver func(Frame)) error {
	s.mu.Lock()
	s.conn, s.dropped = conn, false
	s.mu.Unlock()
	s.rest.attach(conn, true)
	defer func() {
		s.mu.Lock()
		s.conn = nil
		s.mu.Unlock()
		s.rest.detach()
	}()
	err := readWS(ctx, conn, s.opts, s.rest, &s.scratch,
		func() {
			s.conns.Add(1)
			s.report(connected)
		},
		func(data []byte) {
			s.frames.Add(1)
			deliver(Frame{Data: data, Conn: connected.Conn})
		})
	return s.readError(err)
}

// readError explains why reading a connection failed.
func (s *EventStream) readError(err error) error {
	s.mu.Lock()
	dropped := s.dropped
	s.mu.Unlock()
	if dropped {
		return errDropped
	}
	err, tooLarge := explainReadError(err, s.opts)
	if tooLarge {
		s.tooLarge.Add(1)
	}
	return err
}
