package ari

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeREST answers the RESTRequest messages of one outbound connection as
// Asterisk would: answer gives each reply (status and JSON body). It
// records the uris in order.
type fakeREST struct {
	mu   sync.Mutex
	uris []string
	done chan struct{}
}

// serveREST answers ws's requests with answer until the connection
// fails; the test waits for it at its end.
func serveREST(t *testing.T, ws *websocket.Conn, answer func(n int, req restRequest) (int, string)) *fakeREST {
	f := &fakeREST{done: make(chan struct{})}
	go func() {
		defer close(f.done)
		for n := 0; ; n++ {
			req, err := readRESTRequest(ws)
			if err != nil {
				return
			}
			f.mu.Lock()
			f.uris = append(f.uris, req.URI)
			f.mu.Unlock()
			status, body := answer(n, req)
			if ws.WriteMessage(websocket.TextMessage, restResponseTo(req, status, body)) != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		ws.Close()
		<-f.done
	})
	return f
}

// sent returns the uris requested so far.
func (f *fakeREST) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.uris...)
}

// asteriskAnswers answers asterisk/info with version and anything else
// with 200 and a small JSON body.
func asteriskAnswers(version string) func(int, restRequest) (int, string) {
	return func(_ int, req restRequest) (int, string) {
		if req.URI == "asterisk/info" {
			return http.StatusOK, `{"system":{"version":"` + version + `","entity_id":"02:fc:00:00:00:01"}}`
		}
		return http.StatusOK, `{"ping":"pong"}`
	}
}

// gatedOp is an operation only Asterisk 22 and 23 have.
var gatedOp = &Operation{Resource: "asterisk", Nickname: "newThing", Method: "GET", Path: "/asterisk/newthing",
	Availability: Availability{Releases: []Version{{22, 10, 1}, {23, 4, 1}}}}

// callGated calls gatedOp on c, giving up after 3 s.
func callGated(c *Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return c.Do(ctx, &Request{Op: gatedOp, Path: "/asterisk/newthing"}, nil)
}

// TestOutboundVersionPerAsterisk checks that, without
// OutboundConfig.Version, the version of each Asterisk (by asterisk_id) is
// asked once over the websocket and shared by its connections, and that
// two Asterisks are judged each by its own version.
func TestOutboundVersionPerAsterisk(t *testing.T) {
	s := newOutbound(t, OutboundConfig{})

	// Two connections from Asterisk A (22.10.1), calls on both at once.
	var fakes []*fakeREST
	var conns []*obConn
	for range 2 {
		ws := s.dial(t)
		c := s.next(t)
		require.NoError(t, ws.WriteMessage(websocket.TextMessage, registered("outapp", "02:fc:00:00:00:0a")))
		fakes = append(fakes, serveREST(t, ws, asteriskAnswers("22.10.1")))
		conns = append(conns, c)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for _, c := range conns {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- callGated(c.RESTClient())
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	infos := 0
	for _, f := range fakes {
		for _, uri := range f.sent() {
			if uri == "asterisk/info" {
				infos++
			}
		}
	}
	assert.Equal(t, 1, infos, "one asterisk/info for Asterisk A")
	assert.Len(t, append(fakes[0].sent(), fakes[1].sent()...), 7)

	// Asterisk B (21.12.0) lacks the operation: refused before sending.
	ws := s.dial(t)
	c := s.next(t)
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, registered("outapp", "02:fc:00:00:00:0b")))
	fb := serveREST(t, ws, asteriskAnswers("21.12.0"))
	err := callGated(c.RESTClient())
	assert.ErrorIs(t, err, ErrUnsupported)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, Version{21, 12, 0}, e.Version)
	assert.NoError(t, ping(context.Background(), c.RESTClient()))
	v, err := c.RESTClient().Version(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Version{21, 12, 0}, v)
	assert.Equal(t, []string{"asterisk/info", "asterisk/ping"}, fb.sent())

	// A itself still says 22.10.1, asked no more.
	v, err = conns[0].RESTClient().Version(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Version{22, 10, 1}, v)
	assert.Len(t, append(fakes[0].sent(), fakes[1].sent()...), 7)
}

// TestOutboundVersionPreset checks OutboundConfig.Version and
// DisableVersionCheck: nothing is asked, and a call the version lacks is
// refused before sending.
func TestOutboundVersionPreset(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  OutboundConfig
		ok   bool
		sent []string
	}{
		{"has it", OutboundConfig{Version: "22.10.1"}, true, []string{"asterisk/newthing"}},
		{"lacks it", OutboundConfig{Version: "21.12.0"}, false, nil},
		{"no check", OutboundConfig{DisableVersionCheck: true}, true, []string{"asterisk/newthing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newOutbound(t, tc.cfg)
			ws := s.dial(t)
			c := s.next(t)
			register(t, ws)
			f := serveREST(t, ws, asteriskAnswers("should not be asked"))
			err := callGated(c.RESTClient())
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrUnsupported)
			}
			time.Sleep(20 * time.Millisecond)
			assert.Equal(t, tc.sent, f.sent())
			assert.EqualValues(t, len(tc.sent), c.Stats().RESTRequests)
		})
	}
}

// TestOutboundNotBooted checks the retries of Asterisk's 503 "Asterisk not
// booted" (an outbound connection opens before Asterisk is fully booted):
// retried with doubling waits for about 3 s, while any other 503 is
// returned at once.
func TestOutboundNotBooted(t *testing.T) {
	const notBootedBody = `{"message":"Asterisk not booted"}`
	start := func(t *testing.T, answer func(int, restRequest) (int, string)) (*obConn, *fakeREST) {
		s := newOutbound(t, OutboundConfig{Version: "22.10.1"})
		ws := s.dial(t)
		c := s.next(t)
		register(t, ws)
		return c, serveREST(t, ws, answer)
	}

	t.Run("then booted", func(t *testing.T) {
		c, f := start(t, func(n int, _ restRequest) (int, string) {
			if n < 2 {
				return http.StatusServiceUnavailable, notBootedBody
			}
			return http.StatusOK, `{"ping":"pong","timestamp":"2026-11-25T19:42:02.873+0000","asterisk_id":"x"}`
		})
		var p AsteriskPing
		begin := time.Now()
		require.NoError(t, c.RESTClient().Do(context.Background(), &Request{Op: pingOp, Path: "/asterisk/ping"}, &p))
		assert.Equal(t, "pong", p.Ping)
		assert.GreaterOrEqual(t, time.Since(begin), notBootedFirstWait*3, "waits of 25 and 50 ms")
		assert.Equal(t, []string{"asterisk/ping", "asterisk/ping", "asterisk/ping"}, f.sent())
		st := c.Stats()
		assert.EqualValues(t, 3, st.RESTRequests)
		assert.EqualValues(t, 3, st.RESTResponses)
	})

	t.Run("another 503", func(t *testing.T) {
		c, f := start(t, func(int, restRequest) (int, string) {
			return http.StatusServiceUnavailable, `{"message":"Shutting down"}`
		})
		err := ping(context.Background(), c.RESTClient())
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, http.StatusServiceUnavailable, e.Status)
		assert.Equal(t, "Shutting down", e.Message)
		time.Sleep(3 * notBootedFirstWait)
		assert.Equal(t, []string{"asterisk/ping"}, f.sent(), "not retried")
	})

	t.Run("never booted", func(t *testing.T) {
		c, f := start(t, func(int, restRequest) (int, string) {
			return http.StatusServiceUnavailable, notBootedBody
		})
		begin := time.Now()
		err := ping(context.Background(), c.RESTClient())
		took := time.Since(begin)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, http.StatusServiceUnavailable, e.Status)
		assert.Equal(t, "Asterisk not booted", e.Message)
		assert.Len(t, f.sent(), 8, "the first try and 7 retries")
		assert.GreaterOrEqual(t, took, 3*time.Second)
		assert.Less(t, took, 5*time.Second)
	})

	t.Run("ctx ends while waiting", func(t *testing.T) {
		c, _ := start(t, func(int, restRequest) (int, string) {
			return http.StatusServiceUnavailable, notBootedBody
		})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		begin := time.Now()
		err := ping(ctx, c.RESTClient())
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var e *Error
		assert.ErrorAs(t, err, &e)
		assert.Less(t, time.Since(begin), time.Second)
	})
}

// TestOutboundHandlerRESTClient checks the handler's own client: calls go
// over the oldest connection that got its first message, move to the next
// one when it ends, and fail with ErrConnectionLost when none is open.
func TestOutboundHandlerRESTClient(t *testing.T) {
	s := newOutbound(t, OutboundConfig{Version: "22.10.1"})
	client := s.h.RESTClient()
	err := ping(context.Background(), client)
	assert.ErrorIs(t, err, ErrConnectionLost, "no connection")
	var e *Error
	assert.ErrorAs(t, err, &e)

	ws1 := s.dial(t)
	c1 := s.next(t)
	ws2 := s.dial(t)
	c2 := s.next(t)
	assert.ErrorIs(t, ping(context.Background(), client), ErrConnectionLost, "no connection got its first message")

	require.NoError(t, ws2.WriteMessage(websocket.TextMessage, registered("outapp", "id")))
	c2.waitFrames(t, 1)
	f2 := serveREST(t, ws2, asteriskAnswers("22.10.1"))
	require.NoError(t, ping(context.Background(), client))
	assert.Equal(t, []string{"asterisk/ping"}, f2.sent(), "the only ready connection")

	require.NoError(t, ws1.WriteMessage(websocket.TextMessage, registered("outapp", "id")))
	c1.waitFrames(t, 1)
	f1 := serveREST(t, ws1, asteriskAnswers("22.10.1"))
	require.NoError(t, ping(context.Background(), client))
	assert.Equal(t, []string{"asterisk/ping"}, f1.sent(), "the oldest ready connection")

	c1.Close()
	require.NoError(t, c1.runErr(t))
	require.NoError(t, ping(context.Background(), client))
	assert.Equal(t, []string{"asterisk/ping", "asterisk/ping"}, f2.sent(), "the next one once the oldest ended")

	require.NoError(t, ws2.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second)))
	require.NoError(t, c2.runErr(t))
	assert.ErrorIs(t, ping(context.Background(), client), ErrConnectionLost, "all ended")
}

// TestOutboundHandlerRESTClientFor keeps a server's client on that
// server's connections, even when another server's connection is older,
// and fails with ErrConnectionLost while it has none.
func TestOutboundHandlerRESTClientFor(t *testing.T) {
	s := newOutbound(t, OutboundConfig{Version: "22.10.1"})
	clientB := s.h.RESTClientFor("02:fc:00:00:00:0b")
	wsA := s.dial(t)
	cA := s.next(t)
	require.NoError(t, wsA.WriteMessage(websocket.TextMessage, registered("outapp", "02:fc:00:00:00:0a")))
	cA.waitFrames(t, 1)
	fA := serveREST(t, wsA, asteriskAnswers("22.10.1"))
	assert.ErrorIs(t, ping(context.Background(), clientB), ErrConnectionLost, "B has no connection")

	wsB := s.dial(t)
	cB := s.next(t)
	require.NoError(t, wsB.WriteMessage(websocket.TextMessage, registered("outapp", "02:fc:00:00:00:0b")))
	cB.waitFrames(t, 1)
	fB := serveREST(t, wsB, asteriskAnswers("22.10.1"))
	require.NoError(t, ping(context.Background(), clientB))
	require.NoError(t, ping(context.Background(), s.h.RESTClient()))
	require.NoError(t, ping(context.Background(), s.h.RESTClientFor("02:fc:00:00:00:0a")))
	assert.Equal(t, []string{"asterisk/ping"}, fB.sent(), "B's call on B's connection")
	assert.Equal(t, []string{"asterisk/ping", "asterisk/ping"}, fA.sent(), "the others on A's, the oldest")
}

// TestOutboundHandlerRESTClientVersion checks that the handler's client
// judges a call by the version of the Asterisk it goes to, not by the
// version of the first Asterisk it asked.
func TestOutboundHandlerRESTClientVersion(t *testing.T) {
	s := newOutbound(t, OutboundConfig{})
	client := s.h.RESTClient()

	wsA := s.dial(t)
	cA := s.next(t)
	require.NoError(t, wsA.WriteMessage(websocket.TextMessage, registered("outapp", "02:fc:00:00:00:0a")))
	cA.waitFrames(t, 1)
	fA := serveREST(t, wsA, asteriskAnswers("22.10.1"))
	require.NoError(t, callGated(client))
	assert.Equal(t, []string{"asterisk/info", "asterisk/newthing"}, fA.sent())
	cA.Close()
	require.NoError(t, cA.runErr(t))

	// Asterisk A is gone; B, an older release, dials the handler.
	wsB := s.dial(t)
	cB := s.next(t)
	require.NoError(t, wsB.WriteMessage(websocket.TextMessage, registered("outapp", "02:fc:00:00:00:0b")))
	cB.waitFrames(t, 1)
	fB := serveREST(t, wsB, asteriskAnswers("21.12.0"))
	err := callGated(client)
	assert.ErrorIs(t, err, ErrUnsupported)
	v, err := client.Version(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Version{21, 12, 0}, v)
	assert.NotContains(t, fB.sent(), "asterisk/newthing")
}

// TestOutboundMaxPendingRequests checks the bound on a connection's calls
// in flight: its default, and that a call over it waits for a slot (and
// honours its ctx) without sending anything.
func TestOutboundMaxPendingRequests(t *testing.T) {
	s := newOutbound(t, OutboundConfig{Version: "22.10.1"})
	s.dial(t)
	assert.Equal(t, DefaultMaxPendingRequests, cap(s.next(t).rest.slots))

	s = newOutbound(t, OutboundConfig{Version: "22.10.1", MaxPendingRequests: 1})
	ws := s.dial(t)
	c := s.next(t)
	register(t, ws)
	errc := make(chan error, 1)
	go func() { errc <- ping(context.Background(), c.RESTClient()) }()
	req, err := readRESTRequest(ws)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, ping(ctx, c.RESTClient()), context.DeadlineExceeded)
	assert.EqualValues(t, 1, c.Stats().RESTRequests, "the second call was not sent")

	require.NoError(t, ws.WriteMessage(websocket.TextMessage, restResponseTo(req, 200, `{"ping":"pong"}`)))
	require.NoError(t, <-errc)
	f := serveREST(t, ws, asteriskAnswers("22.10.1"))
	require.NoError(t, ping(context.Background(), c.RESTClient()), "the slot is free again")
	assert.Equal(t, []string{"asterisk/ping"}, f.sent())
}
