package ari

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"gostasis.dev/internal/syncbuf"
)

// The credentials of websocket_client.conf in the tests, distinctive
// enough to be found in a log.
const (
	obUser = "appuser"
	obPass = "S3cret-apppass"
)

// obServer is the application's side: an OutboundHandler served on
// loopback. Unless the test sets OutboundConfig.Serve, every connection
// is run (Run, frames into a recorder) and handed to the test on conns.
type obServer struct {
	h     *OutboundHandler
	srv   *httptest.Server
	url   string // ws://.../ari
	conns chan *obConn
	log   *syncbuf.Buffer // the handler's log (debug and up), text
	wg    sync.WaitGroup  // Serve calls
}

// obConn is a connection run by the default Serve.
type obConn struct {
	*OutboundConn
	rec    *recorder
	cancel context.CancelFunc // ends Run's ctx
	errc   chan error         // Run's error
}

// newOutbound serves a handler made from cfg: credentials obUser and
// obPass unless cfg has some or allows none, a text logger into
// obServer.log unless cfg has one. Everything is closed when the test
// ends.
func newOutbound(t *testing.T, cfg OutboundConfig) *obServer {
	t.Helper()
	s := &obServer{conns: make(chan *obConn, 100), log: new(syncbuf.Buffer)}
	if cfg.Username == "" && cfg.Password == "" && !cfg.AllowUnauthenticated {
		cfg.Username, cfg.Password = obUser, obPass
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	serve := cfg.Serve
	if serve == nil {
		serve = func(c *OutboundConn) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			oc := &obConn{OutboundConn: c, rec: newRecorder(), cancel: cancel, errc: make(chan error, 1)}
			s.conns <- oc
			oc.errc <- c.Run(ctx, oc.rec.deliver)
		}
	}
	cfg.Serve = func(c *OutboundConn) {
		s.wg.Add(1)
		defer s.wg.Done()
		serve(c)
	}
	h, err := NewOutboundHandler(cfg)
	require.NoError(t, err)
	s.h = h
	s.srv = httptest.NewServer(h)
	s.url = "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ari"
	t.Cleanup(func() {
		h.Close()
		s.wg.Wait()
		s.srv.Close()
	})
	return s
}

// basic is an Authorization header value for user and pass.
func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// asteriskHeader is what Asterisk 22.10.1 sends besides the websocket
// headers: basic credentials, no Origin.
func asteriskHeader() http.Header {
	return http.Header{"Authorization": {basic(obUser, obPass)}}
}

// dialAs connects to s as Asterisk does, with hdr and offering protocols;
// the connection is closed when the test ends.
func (s *obServer) dialAs(t *testing.T, path string, hdr http.Header, protocols ...string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{Subprotocols: protocols, HandshakeTimeout: 5 * time.Second}
	ws, resp, err := d.Dial(s.url+path, hdr)
	if ws != nil {
		t.Cleanup(func() { ws.Close() })
	}
	return ws, resp, err
}

// dial connects to s as Asterisk 22.10.1 does and fails the test if the
// connection is refused.
func (s *obServer) dial(t *testing.T) *websocket.Conn {
	t.Helper()
	ws, resp, err := s.dialAs(t, "", asteriskHeader(), "ari")
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	return ws
}

// next returns the next connection the default Serve got.
func (s *obServer) next(t *testing.T) *obConn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no connection reached Serve")
		return nil
	}
}

// runErr returns what Run returned.
func (c *obConn) runErr(t *testing.T) error {
	t.Helper()
	select {
	case err := <-c.errc:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

// waitFrames waits until n frames were delivered and returns them.
func (c *obConn) waitFrames(t *testing.T, n int) []Frame {
	t.Helper()
	require.Eventually(t, func() bool { _, _, f, _ := c.rec.snapshot(); return len(f) >= n }, 5*time.Second, time.Millisecond)
	_, _, f, _ := c.rec.snapshot()
	return f
}

// registered is the first message of an outbound connection, as Asterisk
// 22.10.1 sends it.
func registered(app, asteriskID string) []byte {
	b, _ := json.Marshal(map[string]string{
		"type": "ApplicationRegistered", "timestamp": "2026-11-25T19:42:02.371+0000",
		"application": app, "asterisk_id": asteriskID,
	})
	return b
}

// register sends ApplicationRegistered for outapp on ws.
func register(t *testing.T, ws *websocket.Conn) {
	t.Helper()
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, registered("outapp", "02:fc:00:00:00:01")))
}

// restResponseTo is Asterisk's reply to req: status, and body (JSON) when
// not empty.
func restResponseTo(req restRequest, status int, body string) []byte {
	m := map[string]any{
		"type": "RESTResponse", "transaction_id": req.TransactionID, "request_id": req.RequestID,
		"status_code": status, "reason_phrase": http.StatusText(status), "uri": req.URI,
		"application": "outapp", "timestamp": "2026-11-25T19:42:02.873+0000", "asterisk_id": "02:fc:00:00:00:01",
	}
	if body != "" {
		m["content_type"] = "application/json"
		m["message_body"] = body
	}
	b, _ := json.Marshal(m)
	return b
}

// closeCode reads ws until it fails and returns the close code Asterisk
// got (1006 when the connection ended without a close frame, -1 on
// another failure).
func closeCode(ws *websocket.Conn) int {
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		return -1
	}
}

// pingOp is a universal operation.
var pingOp = testOp("GET", "asterisk", "ping", "/asterisk/ping")

// ping calls GET asterisk/ping on c.
func ping(ctx context.Context, c *Client) error {
	return c.Do(ctx, &Request{Op: pingOp, Path: "/asterisk/ping"}, nil)
}

func TestNewOutboundHandlerChecksConfig(t *testing.T) {
	serve := func(*OutboundConn) {}

	_, err := NewOutboundHandler(OutboundConfig{Username: obUser, Password: obPass})
	assert.ErrorContains(t, err, "Serve")

	_, err = NewOutboundHandler(OutboundConfig{Serve: serve})
	assert.ErrorContains(t, err, "AllowUnauthenticated", "no credentials needs an explicit opt-in")

	h, err := NewOutboundHandler(OutboundConfig{Serve: serve, AllowUnauthenticated: true})
	require.NoError(t, err)
	assert.Equal(t, OutboundStats{}, h.Stats())

	h, err = NewOutboundHandler(OutboundConfig{Serve: serve, Username: obUser, Password: obPass})
	require.NoError(t, err)
	assert.Equal(t, DefaultMaxOutboundConnections, h.cfg.MaxConnections)
	assert.Equal(t, DefaultPingInterval, h.opts.pingInterval)
	assert.Equal(t, DefaultPingInterval+10*time.Second, h.opts.pongTimeout)
	assert.EqualValues(t, DefaultMaxFrameSize, h.opts.maxFrameSize)
	assert.EqualValues(t, DefaultMaxReplySize, h.cfg.MaxReplySize)
}

// TestOutboundAuth checks that only the configured credentials open a
// connection, that every refusal is a 401 asking for basic credentials,
// counted, and that no password reaches the log.
func TestOutboundAuth(t *testing.T) {
	const wrong = "Wr0ng-guess-pw"
	s := newOutbound(t, OutboundConfig{})

	refused := map[string]http.Header{
		"wrong password":   {"Authorization": {basic(obUser, wrong)}},
		"wrong user":       {"Authorization": {basic("intruder", obPass)}},
		"missing":          {},
		"empty":            {"Authorization": {""}},
		"other scheme":     {"Authorization": {"Bearer " + obPass}},
		"no credentials":   {"Authorization": {"Basic"}},
		"not base64":       {"Authorization": {"Basic " + wrong + "!!"}},
		"no colon":         {"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(obUser+obPass))}},
		"prefix of secret": {"Authorization": {basic(obUser, obPass[:len(obPass)-1])}},
		"secret and more":  {"Authorization": {basic(obUser, obPass+"x")}},
	}
	for name, hdr := range refused {
		t.Run(name, func(t *testing.T) {
			ws, resp, err := s.dialAs(t, "", hdr, "ari")
			require.ErrorIs(t, err, websocket.ErrBadHandshake)
			assert.Nil(t, ws)
			require.NotNil(t, resp)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Equal(t, `Basic realm="ari"`, resp.Header.Get("WWW-Authenticate"))
		})
	}
	assert.Empty(t, s.conns, "Serve was not called")
	assert.EqualValues(t, len(refused), s.h.Stats().Unauthorized)
	assert.Zero(t, s.h.Stats().Accepted)

	// The right credentials, with the scheme in any case (RFC 7617).
	s.dial(t)
	s.next(t)
	_, resp, err := s.dialAs(t, "", http.Header{"Authorization": {"basic " + strings.TrimPrefix(basic(obUser, obPass), "Basic ")}}, "ari")
	require.NoError(t, err)
	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	s.next(t)
	st := s.h.Stats()
	assert.EqualValues(t, 2, st.Accepted)
	assert.EqualValues(t, len(refused), st.Unauthorized)
	assert.Equal(t, 2, st.Open)

	log := s.log.String()
	assert.Contains(t, log, "refused a connection without the configured credentials")
	for _, secret := range []string{obPass, wrong, base64.StdEncoding.EncodeToString([]byte(obUser + ":" + obPass)),
		base64.StdEncoding.EncodeToString([]byte(obUser + ":" + wrong))} {
		assert.NotContains(t, log, secret)
	}
}

// TestOutboundUnauthenticated checks AllowUnauthenticated: Asterisk sends
// no Authorization header when websocket_client.conf has no credentials.
func TestOutboundUnauthenticated(t *testing.T) {
	s := newOutbound(t, OutboundConfig{AllowUnauthenticated: true})
	ws, resp, err := s.dialAs(t, "", nil, "ari")
	require.NoError(t, err)
	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	c := s.next(t)
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, registered("outapp", "id")))
	c.waitFrames(t, 1)
	assert.Equal(t, "outapp", c.Application())
	assert.Zero(t, s.h.Stats().Unauthorized)
}

// TestOutboundSubprotocol checks that "ari" is selected when offered, that
// no subprotocol is accepted too, and that only others are refused.
func TestOutboundSubprotocol(t *testing.T) {
	s := newOutbound(t, OutboundConfig{})
	for _, tc := range []struct {
		offered []string
		status  int
		want    string
	}{
		{[]string{"ari"}, http.StatusSwitchingProtocols, "ari"},
		{nil, http.StatusSwitchingProtocols, ""},
		{[]string{"chat", "ari"}, http.StatusSwitchingProtocols, "ari"},
		{[]string{"chat"}, http.StatusBadRequest, ""},
		{[]string{"chat", "media"}, http.StatusBadRequest, ""},
	} {
		t.Run(strings.Join(tc.offered, ","), func(t *testing.T) {
			ws, resp, err := s.dialAs(t, "", asteriskHeader(), tc.offered...)
			require.NotNil(t, resp)
			assert.Equal(t, tc.status, resp.StatusCode)
			if tc.status != http.StatusSwitchingProtocols {
				assert.ErrorIs(t, err, websocket.ErrBadHandshake)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, ws.Subprotocol())
			assert.Equal(t, tc.want, resp.Header.Get("Sec-WebSocket-Protocol"))
			s.next(t)
		})
	}
	assert.EqualValues(t, 3, s.h.Stats().Accepted)
}

// TestOutboundRefusesBrowsers checks that an upgrade with an Origin (a
// browser's; Asterisk sends none) is refused even with the right
// credentials.
func TestOutboundRefusesBrowsers(t *testing.T) {
	s := newOutbound(t, OutboundConfig{})
	hdr := asteriskHeader()
	hdr.Set("Origin", "https://evil.example")
	ws, resp, err := s.dialAs(t, "", hdr, "ari")
	assert.Nil(t, ws)
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Empty(t, s.conns)
	st := s.h.Stats()
	assert.Zero(t, st.Accepted)
	assert.Zero(t, st.Open, "the refused upgrade does not hold a slot")
}

// TestOutboundMaxConnections checks the bound on open connections: an
// upgrade over it gets 503 and is counted; a slot freed is usable again;
// after Close every upgrade gets 503.
func TestOutboundMaxConnections(t *testing.T) {
	s := newOutbound(t, OutboundConfig{MaxConnections: 2})
	ws1 := s.dial(t)
	c1 := s.next(t)
	s.dial(t)
	c2 := s.next(t)

	_, resp, err := s.dialAs(t, "", asteriskHeader(), "ari")
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, OutboundStats{Accepted: 2, Open: 2, OverLimit: 1}, s.h.Stats())
	assert.Contains(t, s.log.String(), "MaxConnections")

	// Asterisk closes one (a per-call connection after its call).
	require.NoError(t, ws1.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second)))
	require.NoError(t, c1.runErr(t))
	require.Eventually(t, func() bool { return s.h.Stats().Open == 1 }, 5*time.Second, time.Millisecond)
	ws3 := s.dial(t)
	c3 := s.next(t)
	assert.Equal(t, OutboundStats{Accepted: 3, Open: 2, OverLimit: 1}, s.h.Stats())

	s.h.Close()
	assert.NoError(t, c2.runErr(t))
	assert.NoError(t, c3.runErr(t))
	assert.Equal(t, websocket.CloseNormalClosure, closeCode(ws3))
	_, resp, err = s.dialAs(t, "", asteriskHeader(), "ari")
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Eventually(t, func() bool { return s.h.Stats().Open == 0 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, OutboundStats{Accepted: 3, OverLimit: 2}, s.h.Stats())
}

// TestOutboundHandlerClose checks that Close ends every connection with
// close 1000, that Serve returns, and that nothing is left running.
func TestOutboundHandlerClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	var serving sync.WaitGroup
	conns := make(chan *OutboundConn, 3)
	runErrs := make(chan error, 3)
	h, err := NewOutboundHandler(OutboundConfig{Username: obUser, Password: obPass, PingInterval: 20 * time.Millisecond, Serve: func(c *OutboundConn) {
		defer serving.Done()
		conns <- c
		runErrs <- c.Run(context.Background(), func(Frame) {})
	}})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ari"

	var wss []*websocket.Conn
	for range 3 {
		serving.Add(1)
		ws, _, err := (&websocket.Dialer{Subprotocols: []string{"ari"}}).Dial(url, asteriskHeader())
		require.NoError(t, err)
		defer ws.Close()
		require.NoError(t, ws.WriteMessage(websocket.TextMessage, registered("outapp", "id")))
		wss = append(wss, ws)
		<-conns
	}
	// Asterisk keeps reading, so it answers the handler's pings.
	codes := make(chan int, 3)
	for _, ws := range wss {
		go func() { codes <- closeCode(ws) }()
	}
	assert.Equal(t, 3, h.Stats().Open)

	h.Close()
	for range 3 {
		assert.Equal(t, websocket.CloseNormalClosure, <-codes)
		assert.NoError(t, <-runErrs)
	}
	serving.Wait()
	require.Eventually(t, func() bool { return h.Stats().Open == 0 }, 5*time.Second, time.Millisecond)
	h.Close() // again: nothing to do
	for _, ws := range wss {
		ws.Close()
	}
	srv.Close()
}
