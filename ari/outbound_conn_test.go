package ari

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutboundConnIdentity checks what a connection knows of itself: its
// sequence number, Asterisk's address, the uri requested, and, from the
// first message only, the application (a per-call one's
// "<app>:<channel name>") and the asterisk_id.
func TestOutboundConnIdentity(t *testing.T) {
	s := newOutbound(t, OutboundConfig{})
	for i, tc := range []struct{ app, id string }{
		{"percall:Local/1200@default-00000001;2", "02:fc:00:00:00:01"},
		{"outapp", "02:fc:00:00:00:02"},
	} {
		ws, _, err := s.dialAs(t, "/outbound?conn=x%20y", asteriskHeader(), "ari")
		require.NoError(t, err)
		c := s.next(t)
		assert.EqualValues(t, i+1, c.Seq())
		assert.Equal(t, "/ari/outbound?conn=x%20y", c.URI())
		assert.True(t, strings.HasPrefix(c.RemoteAddr(), "127.0.0.1:"), c.RemoteAddr())
		assert.Empty(t, c.Application(), "not known before the first message")
		assert.Empty(t, c.AsteriskID())

		require.NoError(t, ws.WriteMessage(websocket.TextMessage, registered(tc.app, tc.id)))
		require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"StasisStart","application":"other","asterisk_id":"other"}`)))
		f := c.waitFrames(t, 2)
		assert.Equal(t, tc.app, c.Application())
		assert.Equal(t, tc.id, c.AsteriskID())
		assert.Equal(t, string(registered(tc.app, tc.id)), string(f[0].Data))
		assert.Equal(t, c.Seq(), f[0].Conn)
		assert.Equal(t, c.Seq(), f[1].Conn)
	}
}

// TestOutboundWaitsForFirstMessage checks that a call made as soon as the
// connection is served is not sent before Asterisk's first message:
// Asterisk 22.10.1 does not read what comes sooner.
func TestOutboundWaitsForFirstMessage(t *testing.T) {
	callErr := make(chan error, 1)
	var ran sync.WaitGroup
	ran.Add(1)
	s := newOutbound(t, OutboundConfig{Version: "22.10.1", Serve: func(c *OutboundConn) {
		defer ran.Done()
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			callErr <- ping(ctx, c.RESTClient())
		}()
		_ = c.Run(context.Background(), func(Frame) {})
	}})
	ws := s.dial(t)

	var registeredSent atomic.Bool
	early := make(chan bool, 1)
	reqs := make(chan restRequest, 1)
	go func() {
		req, err := readRESTRequest(ws)
		early <- !registeredSent.Load()
		if err == nil {
			reqs <- req
		}
	}()
	time.Sleep(150 * time.Millisecond)
	registeredSent.Store(true)
	register(t, ws)
	select {
	case e := <-early:
		assert.False(t, e, "a RESTRequest came before Asterisk's first message")
	case <-time.After(5 * time.Second):
		t.Fatal("no RESTRequest after the first message")
	}
	req := <-reqs
	assert.Equal(t, "asterisk/ping", req.URI)
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, restResponseTo(req, 200, `{"ping":"pong"}`)))
	assert.NoError(t, <-callErr)
	require.NoError(t, ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second)))
	ran.Wait()
}

// TestOutboundRunReturns checks why Run returns: nil when Asterisk closed
// normally or the app closed the connection; ctx's error when ctx ended
// (Asterisk then gets close 1000); ErrFrameTooLarge, with close 1009, for
// a message over MaxFrameSize; ErrPongTimeout when Asterisk stops
// answering pings; an error when the connection dropped.
func TestOutboundRunReturns(t *testing.T) {
	t.Run("Asterisk closes", func(t *testing.T) {
		for _, code := range []int{websocket.CloseNormalClosure, websocket.CloseGoingAway} {
			s := newOutbound(t, OutboundConfig{})
			ws := s.dial(t)
			c := s.next(t)
			register(t, ws)
			require.NoError(t, ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second)))
			assert.NoError(t, c.runErr(t), code)
			assert.Equal(t, code, closeCode(ws), "the handler echoes the close")
			require.Eventually(t, func() bool { return s.h.Stats().Open == 0 }, 5*time.Second, time.Millisecond)
		}
	})
	t.Run("Asterisk closes with an error", func(t *testing.T) {
		s := newOutbound(t, OutboundConfig{})
		ws := s.dial(t)
		c := s.next(t)
		require.NoError(t, ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "boom"), time.Now().Add(time.Second)))
		err := c.runErr(t)
		assert.True(t, websocket.IsCloseError(err, websocket.CloseInternalServerErr), "%v", err)
	})
	t.Run("ctx ends", func(t *testing.T) {
		s := newOutbound(t, OutboundConfig{})
		ws := s.dial(t)
		c := s.next(t)
		register(t, ws)
		c.waitFrames(t, 1)
		codes := make(chan int, 1)
		go func() { codes <- closeCode(ws) }()
		c.cancel()
		assert.ErrorIs(t, c.runErr(t), context.Canceled)
		assert.Equal(t, websocket.CloseNormalClosure, <-codes)
	})
	t.Run("Close", func(t *testing.T) {
		s := newOutbound(t, OutboundConfig{})
		ws := s.dial(t)
		c := s.next(t)
		codes := make(chan int, 1)
		go func() { codes <- closeCode(ws) }()
		c.Close()
		c.Close()
		assert.NoError(t, c.runErr(t))
		assert.Equal(t, websocket.CloseNormalClosure, <-codes)
	})
	t.Run("Drop", func(t *testing.T) {
		s := newOutbound(t, OutboundConfig{})
		ws := s.dial(t)
		c := s.next(t)
		codes := make(chan int, 1)
		go func() { codes <- closeCode(ws) }()
		c.Drop()
		assert.Error(t, c.runErr(t))
		assert.Equal(t, websocket.CloseAbnormalClosure, <-codes, "no close frame")
	})
	t.Run("frame too large", func(t *testing.T) {
		s := newOutbound(t, OutboundConfig{MaxFrameSize: 1024})
		ws := s.dial(t)
		c := s.next(t)
		register(t, ws)
		codes := make(chan int, 1)
		go func() { codes <- closeCode(ws) }()
		require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"X","pad":"`+strings.Repeat("x", 2000)+`"}`)))
		err := c.runErr(t)
		assert.ErrorIs(t, err, ErrFrameTooLarge)
		assert.Equal(t, websocket.CloseMessageTooBig, <-codes)
		st := c.Stats()
		assert.EqualValues(t, 1, st.FramesTooLarge)
		assert.EqualValues(t, 1, st.Frames)
	})
	t.Run("pong timeout", func(t *testing.T) {
		s := newOutbound(t, OutboundConfig{PingInterval: 20 * time.Millisecond, PongTimeout: 100 * time.Millisecond})
		s.dial(t) // never read: no pong
		c := s.next(t)
		start := time.Now()
		err := c.runErr(t)
		assert.ErrorIs(t, err, ErrPongTimeout)
		assert.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond)
	})
	t.Run("pings answered", func(t *testing.T) {
		s := newOutbound(t, OutboundConfig{PingInterval: 30 * time.Millisecond, PongTimeout: 300 * time.Millisecond})
		ws := s.dial(t)
		var pings atomic.Int32
		ws.SetPingHandler(func(data string) error {
			pings.Add(1)
			return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		go drain(ws)
		c := s.next(t)
		select {
		case err := <-c.errc:
			t.Fatalf("Run returned %v", err)
		case <-time.After(time.Second): // well past PongTimeout
		}
		assert.GreaterOrEqual(t, pings.Load(), int32(5))
	})
}

// TestOutboundRunMisuse checks Run's refusals.
func TestOutboundRunMisuse(t *testing.T) {
	errs := make(chan error, 3)
	s := newOutbound(t, OutboundConfig{Serve: func(c *OutboundConn) {
		errs <- c.Run(context.Background(), nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		errs <- c.Run(ctx, func(Frame) {})
		errs <- c.Run(context.Background(), func(Frame) {})
	}})
	s.dial(t)
	assert.ErrorContains(t, <-errs, "deliver is nil")
	assert.ErrorIs(t, <-errs, context.Canceled)
	assert.ErrorContains(t, <-errs, "twice")
}

// TestOutboundConnectionLost checks that pending calls fail at once with
// ErrConnectionLost when the connection ends, however it ends, and that
// later calls fail alike.
func TestOutboundConnectionLost(t *testing.T) {
	for _, how := range []string{"TCP drop", "Asterisk closes", "Drop", "Close"} {
		t.Run(how, func(t *testing.T) {
			s := newOutbound(t, OutboundConfig{Version: "22.10.1"})
			ws := s.dial(t)
			c := s.next(t)
			register(t, ws)
			client := c.RESTClient()

			errs := make(chan error, 3)
			for range 3 {
				go func() { errs <- ping(context.Background(), client) }()
			}
			for range 3 {
				_, err := readRESTRequest(ws)
				require.NoError(t, err)
			}
			start := time.Now()
			switch how {
			case "TCP drop":
				ws.UnderlyingConn().Close()
			case "Asterisk closes":
				require.NoError(t, ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second)))
			case "Drop":
				c.Drop()
			case "Close":
				c.Close()
			}
			for range 3 {
				select {
				case err := <-errs:
					assert.ErrorIs(t, err, ErrConnectionLost)
					var e *Error
					require.ErrorAs(t, err, &e)
					assert.Equal(t, "asterisk.ping", e.Op)
				case <-time.After(5 * time.Second):
					t.Fatal("a pending call did not fail")
				}
			}
			assert.Less(t, time.Since(start), 2*time.Second)
			c.runErr(t)

			err := ping(context.Background(), client)
			assert.ErrorIs(t, err, ErrConnectionLost, "a call after the connection ended")
			st := c.Stats()
			assert.EqualValues(t, 3, st.RESTRequests)
			assert.Zero(t, st.RESTResponses)
		})
	}
}

// TestOutboundConnectionLostBeforeFirstMessage checks that a call waiting
// for Asterisk's first message fails with ErrConnectionLost when the
// connection ends first.
func TestOutboundConnectionLostBeforeFirstMessage(t *testing.T) {
	s := newOutbound(t, OutboundConfig{Version: "22.10.1"})
	ws := s.dial(t)
	c := s.next(t)
	errc := make(chan error, 1)
	go func() { errc <- ping(context.Background(), c.RESTClient()) }()
	time.Sleep(20 * time.Millisecond)
	ws.UnderlyingConn().Close()
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, ErrConnectionLost)
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting call did not fail")
	}
	assert.Zero(t, c.Stats().RESTRequests)
}

// TestOutboundCloseBeforeRun checks that calls on a connection that Serve
// closes without running it fail with ErrConnectionLost, as RESTClient's
// doc says, rather than wait for a first message that cannot come.
func TestOutboundCloseBeforeRun(t *testing.T) {
	errc := make(chan error, 1)
	s := newOutbound(t, OutboundConfig{Version: "22.10.1", Serve: func(c *OutboundConn) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			errc <- ping(ctx, c.RESTClient())
		}()
		time.Sleep(20 * time.Millisecond)
		c.Close() // the app refuses this connection
	}})
	s.dial(t)
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, ErrConnectionLost)
	case <-time.After(2 * time.Second):
		t.Fatal("the call still waits after the connection was closed")
	}
}

// TestOutboundLateResponse checks that a call whose ctx ends stops
// waiting, and that its response, when it comes, is counted and not
// delivered as an event.
func TestOutboundLateResponse(t *testing.T) {
	s := newOutbound(t, OutboundConfig{Version: "22.10.1"})
	ws := s.dial(t)
	c := s.next(t)
	register(t, ws)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- ping(ctx, c.RESTClient()) }()
	req, err := readRESTRequest(ws)
	require.NoError(t, err)
	assert.ErrorIs(t, <-errc, context.DeadlineExceeded)
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, restResponseTo(req, 200, `{"ping":"pong"}`)))
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"StasisEnd"}`)))
	f := c.waitFrames(t, 2)
	assert.Len(t, f, 2)
	assert.Equal(t, `{"type":"StasisEnd"}`, string(f[1].Data))
	assert.Equal(t, EventStreamStats{Connections: 1, Frames: 2, RESTRequests: 1, LateResponses: 1}, c.Stats())
}

// TestOutboundCloseDuringUpgrade closes the handler while a connection is
// being upgraded: Close must not fail, and the connection must not be
// served after Close returned.
func TestOutboundCloseDuringUpgrade(t *testing.T) {
	served := make(chan struct{}, 1)
	h, err := NewOutboundHandler(OutboundConfig{Username: obUser, Password: obPass,
		// A connection left open ends soon: the pipe answers no ping.
		PingInterval: 20 * time.Millisecond, PongTimeout: 200 * time.Millisecond,
		Serve: func(c *OutboundConn) {
			served <- struct{}{}
			_ = c.Run(context.Background(), func(Frame) {})
		}})
	require.NoError(t, err)
	w := newHijackRecorder()
	r := upgradeRequest()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(w, r)
	}()
	<-w.hijacking // the slot is taken, the upgrade under way

	var panicked any
	func() {
		defer func() { panicked = recover() }()
		h.Close()
	}()
	assert.Nil(t, panicked, "Close panicked")
	close(w.release)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		h.Close()
		<-done
		t.Fatal("the connection upgraded during Close is still served")
	}
	assert.Zero(t, h.Stats().Open)
	select {
	case <-served:
		t.Error("a connection was given to Serve after Close")
	default:
	}
}

// hijackRecorder is a ResponseWriter whose Hijack waits for release,
// giving one end of a pipe whose other end is read and discarded.
type hijackRecorder struct {
	header    http.Header
	hijacking chan struct{}
	release   chan struct{}
}

func newHijackRecorder() *hijackRecorder {
	return &hijackRecorder{header: http.Header{}, hijacking: make(chan struct{}), release: make(chan struct{})}
}

func (w *hijackRecorder) Header() http.Header         { return w.header }
func (w *hijackRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (w *hijackRecorder) WriteHeader(int)             {}

func (w *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	close(w.hijacking)
	<-w.release
	app, peer := net.Pipe()
	go func() {
		_, _ = io.Copy(io.Discard, peer)
		peer.Close()
	}()
	return app, bufio.NewReadWriter(bufio.NewReader(app), bufio.NewWriter(app)), nil
}

// upgradeRequest is Asterisk's upgrade request.
func upgradeRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/ari", nil)
	r.Header = http.Header{
		"Upgrade":                {"websocket"},
		"Connection":             {"Upgrade"},
		"Sec-Websocket-Version":  {"13"},
		"Sec-Websocket-Key":      {"dGhlIHNhbXBsZSBub25jZQ=="},
		"Sec-Websocket-Protocol": {"ari"},
		"Authorization":          {basic(obUser, obPass)},
	}
	return r
}

// TestOutboundServePanics checks that a Serve that panics does not leave
// Asterisk's connection open: net/http recovers the panic but does not
// close a hijacked connection, so Asterisk would wait on a dead
// connection (it sends no pings) and never reconnect.
func TestOutboundServePanics(t *testing.T) {
	h, err := NewOutboundHandler(OutboundConfig{Username: obUser, Password: obPass, Serve: func(c *OutboundConn) {
		panic("app bug")
	}})
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // net/http's own panic report
	srv.Start()
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	ws, _, err := (&websocket.Dialer{Subprotocols: []string{"ari"}}).Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ari", asteriskHeader())
	require.NoError(t, err)
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, _, err = ws.ReadMessage()
	var ne net.Error
	assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the connection is still open: %v", err)
	require.Eventually(t, func() bool { return h.Stats().Open == 0 }, 5*time.Second, time.Millisecond)
}
