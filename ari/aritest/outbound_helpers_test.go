package aritest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
)

// appServer is the application an outbound websocket dials in these
// tests: a plain gorilla/websocket server that records every upgrade
// request and every connection.
type appServer struct {
	t   testing.TB
	srv *httptest.Server
	// status, when not zero, refuses upgrades with this HTTP status.
	status atomic.Int32
	// noProtocol accepts without selecting a subprotocol.
	noProtocol bool
	// onConnect, when set, runs on each new connection before its frames
	// are read.
	onConnect func(*appConn)

	mu         sync.Mutex
	handshakes []handshake
	conns      []*appConn
	connCh     chan *appConn
	wg         sync.WaitGroup
}

// handshake is one upgrade request the application received.
type handshake struct {
	URI    string
	Header http.Header
}

// appConn is one connection the simulator opened to the application.
type appConn struct {
	*evq
	ws    *websocket.Conn
	reqID atomic.Int64
	wmu   sync.Mutex
	err   error // the read error that ended the connection (after done)
}

// newAppServer starts an application server; it closes when the test
// ends, after the simulator (started later) has closed.
func newAppServer(t testing.TB, tls bool, configure ...func(*appServer)) *appServer {
	t.Helper()
	a := &appServer{t: t, connCh: make(chan *appConn, 64)}
	for _, f := range configure {
		f(a)
	}
	a.srv = httptest.NewUnstartedServer(http.HandlerFunc(a.serve))
	if tls {
		a.srv.StartTLS()
	} else {
		a.srv.Start()
	}
	t.Cleanup(a.close)
	return a
}

// url returns the websocket URL of path on the application server.
func (a *appServer) url(path string) string {
	return "ws" + strings.TrimPrefix(a.srv.URL, "http") + path
}

func (a *appServer) serve(w http.ResponseWriter, r *http.Request) {
	a.wg.Add(1)
	defer a.wg.Done()
	a.mu.Lock()
	a.handshakes = append(a.handshakes, handshake{URI: r.URL.RequestURI(), Header: r.Header.Clone()})
	a.mu.Unlock()
	if st := a.status.Load(); st != 0 {
		http.Error(w, "refused", int(st))
		return
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	if !a.noProtocol {
		up.Subprotocols = []string{"ari"}
	}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &appConn{evq: newEvq(a.t), ws: ws}
	a.mu.Lock()
	a.conns = append(a.conns, c)
	a.mu.Unlock()
	if a.onConnect != nil {
		a.onConnect(c)
	}
	a.connCh <- c
	defer close(c.done)
	defer ws.Close()
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			c.err = err
			return
		}
		c.push(data)
	}
}

// close stops the server and ends every connection.
func (a *appServer) close() {
	a.srv.Close()
	a.mu.Lock()
	for _, c := range a.conns {
		c.ws.Close()
	}
	a.mu.Unlock()
	a.wg.Wait()
}

// refuse makes upgrades fail with status (0 accepts them again).
func (a *appServer) refuse(status int) { a.status.Store(int32(status)) }

// accept returns the next connection the simulator opens.
func (a *appServer) accept(t testing.TB) *appConn {
	t.Helper()
	select {
	case c := <-a.connCh:
		c.t = t
		return c
	case <-time.After(10 * time.Second):
		t.Fatalf("the simulator did not connect")
		return nil
	}
}

// noConnection checks that the simulator opens no connection within d.
func (a *appServer) noConnection(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case <-a.connCh:
		t.Fatalf("unexpected connection")
	case <-time.After(d):
	}
}

// handshakeCount returns how many upgrade requests arrived.
func (a *appServer) handshakeCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.handshakes)
}

// handshake returns the i-th upgrade request.
func (a *appServer) handshake(i int) handshake {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.handshakes[i]
}

// write sends a JSON message.
func (c *appConn) write(t testing.TB, msg any) {
	t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	require.NoError(t, c.ws.WriteJSON(msg))
}

// send sends a RESTRequest and returns its request id. query is
// name=value pairs for query_strings; a body is sent as JSON.
func (c *appConn) send(t testing.TB, method, uri, body string, query ...string) string {
	t.Helper()
	id := "r" + strconv.FormatInt(c.reqID.Add(1), 10)
	msg := map[string]any{"type": "RESTRequest", "transaction_id": "t", "request_id": id, "method": method, "uri": uri}
	var qs []map[string]string
	for i := 0; i+1 < len(query); i += 2 {
		qs = append(qs, map[string]string{"name": query[i], "value": query[i+1]})
	}
	if qs != nil {
		msg["query_strings"] = qs
	}
	if body != "" {
		msg["content_type"] = "application/json"
		msg["message_body"] = body
	}
	c.write(t, msg)
	return id
}

// call sends a RESTRequest and waits for its RESTResponse.
func (c *appConn) call(t testing.TB, method, uri, body string, query ...string) *events.RESTResponse {
	t.Helper()
	id := c.send(t, method, uri, body, query...)
	return c.response(t, id)
}

// response waits for the RESTResponse to request id, wherever it is in
// the stream (nothing is consumed).
func (c *appConn) response(t testing.TB, id string) *events.RESTResponse {
	t.Helper()
	ev := c.find(t, func(ev events.Event) bool {
		r, ok := ev.(*events.RESTResponse)
		return ok && r.RequestID == id
	})
	return ev.(*events.RESTResponse)
}

// find waits for a frame that match accepts, wherever it is in the
// stream (nothing is consumed).
func (q *evq) find(t testing.TB, match func(events.Event) bool) events.Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	seen := 0
	for {
		q.mu.Lock()
		frames := q.frames[seen:]
		q.mu.Unlock()
		for _, f := range frames {
			seen++
			ev, err := events.Decode(f)
			require.NoError(t, err)
			if match(ev) {
				return ev
			}
		}
		select {
		case <-q.wake:
		case <-q.done:
			q.mu.Lock()
			more := seen < len(q.frames)
			q.mu.Unlock()
			if !more {
				t.Fatalf("the connection closed before the expected frame")
			}
		case <-deadline:
			t.Fatalf("no expected frame within 10s")
		}
	}
}

// raw returns the i-th frame as received.
func (q *evq) raw(i int) []byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.frames[i]
}

// all returns the summaries of every frame received so far.
func (q *evq) all() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []string
	for _, f := range q.frames {
		ev, err := events.Decode(f)
		if err != nil {
			out = append(out, "undecodable "+string(f))
			continue
		}
		out = append(out, describe(ev))
	}
	return out
}

// closeCode waits for the connection to end and returns its close code:
// 1000 for Asterisk's close frame, 1006 for a connection dropped without
// one.
func (c *appConn) closeCode(t testing.TB) int {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("the connection did not close")
	}
	var ce *websocket.CloseError
	if errors.As(c.err, &ce) {
		return ce.Code
	}
	return 0
}

// application returns the "application" member of an event.
func application(ev events.Event) string { return ev.Base().Application }

// jsonKeys decodes a frame as generic JSON.
func jsonKeys(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}
