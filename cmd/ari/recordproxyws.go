package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest/session"
)

// maxPendingWSRequests bounds the RESTRequest messages of one proxied
// websocket waiting for their RESTResponse; more are forwarded but not
// recorded.
const maxPendingWSRequests = ari.DefaultMaxPendingRequests

// wsPair is one proxied events websocket: the application's connection
// and the one to Asterisk.
type wsPair struct {
	p      *proxy
	seq    uint64
	client *websocket.Conn
	up     *websocket.Conn

	mu      sync.Mutex
	pending map[string]*wsPending // by request_id
}

// wsPending is a RESTRequest waiting for its RESTResponse.
type wsPending struct {
	slot *slot
	x    session.Exchange
}

// serveEvents proxies an events websocket: it dials Asterisk's with the
// application's query and credentials (the recorder's when it has none),
// then pumps the messages both ways.
func (p *proxy) serveEvents(w http.ResponseWriter, r *http.Request) {
	select {
	case p.slots <- struct{}{}:
	default:
		fmt.Fprintf(p.stderr, "ari: an events websocket refused: %d are proxied already (-max-websockets)\n", cap(p.slots))
		http.Error(w, fmt.Sprintf("ari record: %d events websockets are proxied already (-max-websockets)", cap(p.slots)), http.StatusServiceUnavailable)
		return
	}
	defer func() { <-p.slots }()

	own := hasCredentials(r)
	h := http.Header{}
	if a := r.Header.Get("Authorization"); a != "" {
		h.Set("Authorization", a)
	} else if !own && p.up.auth != "" {
		h.Set("Authorization", p.up.auth)
	}
	target := p.up.target(p.up.wsBase, r, own)
	up, resp, err := p.dialer.DialContext(r.Context(), target, h)
	if err != nil {
		if resp != nil && errors.Is(err, websocket.ErrBadHandshake) {
			// Asterisk refused (credentials, parameters): the application
			// gets its answer.
			for _, k := range []string{"Content-Type", "WWW-Authenticate"} {
				if v := resp.Header.Get(k); v != "" {
					w.Header().Set(k, v)
				}
			}
			w.WriteHeader(resp.StatusCode)
			_, _ = io.Copy(w, resp.Body)
			return
		}
		if r.Context().Err() != nil {
			return
		}
		msg := fmt.Sprintf("ari record: cannot open the events websocket of Asterisk at %s: %s", p.up.shown, p.scrub(p.scrub(err.Error(), r.URL.RawQuery), queryOf(target)))
		fmt.Fprintf(p.stderr, "ari: %s\n", msg)
		http.Error(w, msg, http.StatusBadGateway)
		return
	}
	upg := websocket.Upgrader{HandshakeTimeout: 10 * time.Second}
	if sp := up.Subprotocol(); sp != "" {
		upg.Subprotocols = []string{sp}
	}
	client, err := upg.Upgrade(w, r, nil)
	if err != nil {
		up.Close() // Upgrade answered the application
		return
	}
	up.SetReadLimit(p.maxFrame)
	client.SetReadLimit(p.maxRequest)

	p.mu.Lock()
	p.seq++
	c := &wsPair{p: p, seq: p.seq, client: client, up: up, pending: make(map[string]*wsPending)}
	closed := p.closed
	if !closed {
		p.conns[c] = struct{}{}
	}
	p.mu.Unlock()
	if closed {
		c.stop()
	}
	c.run()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// queryOf returns the query of the URL s.
func queryOf(s string) string {
	_, q, _ := strings.Cut(s, "?")
	return q
}

// run pumps the messages both ways until either side leaves, then closes
// both connections and gives up the requests left unanswered.
func (c *wsPair) run() {
	relayControl(c.client, c.up)
	relayControl(c.up, c.client)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.pumpDown()
	}()
	c.pumpUp()
	<-done
	c.client.Close()
	c.up.Close()
	c.mu.Lock()
	for id, pd := range c.pending {
		c.p.tl.complete(pd.slot, pd.x, false)
		delete(c.pending, id)
	}
	c.mu.Unlock()
}

// relayControl passes the pings and pongs that from receives on to to, so
// that an application's pings test the whole path to Asterisk.
func relayControl(from, to *websocket.Conn) {
	from.SetPingHandler(func(data string) error {
		_ = to.WriteControl(websocket.PingMessage, []byte(data), time.Now().Add(proxyWriteWait))
		return nil
	})
	from.SetPongHandler(func(data string) error {
		_ = to.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(proxyWriteWait))
		return nil
	})
}

// pumpDown forwards Asterisk's messages to the application, recording
// each as an event, except RESTResponse messages: those complete the
// exchange of their RESTRequest.
func (c *wsPair) pumpDown() {
	for {
		mt, data, err := c.up.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				fmt.Fprintf(c.p.stderr, "ari: websocket %d: a message from Asterisk is larger than %d bytes: closed\n", c.seq, c.p.maxFrame)
				err = &websocket.CloseError{Code: websocket.CloseMessageTooBig, Text: "ari record: a message from Asterisk was too large"}
			}
			relayClose(c.client, err)
			return
		}
		if mt != websocket.TextMessage || !c.response(data) {
			c.p.tl.event(session.Event{Time: time.Now().UTC(), Conn: c.seq, Data: data})
		}
		_ = c.client.SetWriteDeadline(time.Now().Add(proxyWriteWait))
		if err := c.client.WriteMessage(mt, data); err != nil {
			c.client.NetConn().Close() // pumpUp ends, and drops Asterisk's side
			c.up.NetConn().Close()
			return
		}
	}
}

// pumpUp forwards the application's messages to Asterisk, taking the
// place of the exchange of each RESTRequest.
func (c *wsPair) pumpUp() {
	for {
		mt, data, err := c.client.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				fmt.Fprintf(c.p.stderr, "ari: websocket %d: a message from the application is larger than %d bytes (-max-request-body): closed\n", c.seq, c.p.maxRequest)
				err = &websocket.CloseError{Code: websocket.CloseMessageTooBig, Text: "ari record: a message from the application was too large"}
			}
			relayClose(c.up, err)
			return
		}
		if mt == websocket.TextMessage {
			c.request(data)
		}
		_ = c.up.SetWriteDeadline(time.Now().Add(proxyWriteWait))
		if err := c.up.WriteMessage(mt, data); err != nil {
			c.up.NetConn().Close() // pumpDown ends, and drops the application's side
			c.client.NetConn().Close()
			return
		}
	}
}

// relayClose ends to the way the other side ended with err: a close
// message is passed on with its code and text; a connection that dropped
// without one drops to's connection too. to has proxyCloseWait to answer
// the close message.
func relayClose(to *websocket.Conn, err error) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure && ce.Code != websocket.CloseTLSHandshake {
		_ = to.WriteControl(websocket.CloseMessage, closeMessage(ce.Code, ce.Text), time.Now().Add(proxyWriteWait))
		_ = to.NetConn().SetReadDeadline(time.Now().Add(proxyCloseWait))
		return
	}
	to.NetConn().Close()
}

// closeMessage is the payload of a close message with code and text, the
// text cut to fit a control message.
func closeMessage(code int, text string) []byte {
	if code == websocket.CloseNoStatusReceived {
		return []byte{}
	}
	if len(text) > 123 {
		text = text[:123]
	}
	return websocket.FormatCloseMessage(code, text)
}

// stop closes both sides as the recorder stops: the application is told
// the server is going away, Asterisk that the client left.
func (c *wsPair) stop() {
	deadline := time.Now().Add(proxyWriteWait)
	_ = c.client.WriteControl(websocket.CloseMessage, closeMessage(websocket.CloseGoingAway, "ari record: stopping"), deadline)
	_ = c.up.WriteControl(websocket.CloseMessage, closeMessage(websocket.CloseNormalClosure, ""), deadline)
	_ = c.client.NetConn().SetReadDeadline(time.Now().Add(proxyCloseWait))
	_ = c.up.NetConn().SetReadDeadline(time.Now().Add(proxyCloseWait))
}

// wsRequest is the part of a RESTRequest message that is recorded.
type wsRequest struct {
	Type         string `json:"type"`
	RequestID    string `json:"request_id"`
	Method       string `json:"method"`
	URI          string `json:"uri"`
	QueryStrings []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"query_strings"`
	MessageBody string `json:"message_body"`
}

// wsResponse is the part of a RESTResponse message that is recorded.
type wsResponse struct {
	Type        string `json:"type"`
	RequestID   string `json:"request_id"`
	StatusCode  int    `json:"status_code"`
	MessageBody string `json:"message_body"`
}

var (
	requestMarker  = []byte(`"RESTRequest"`)
	responseMarker = []byte(`"RESTResponse"`)
)

// request takes the place of the exchange of a RESTRequest message.
func (c *wsPair) request(data []byte) {
	if !bytes.Contains(data, requestMarker) {
		return
	}
	var m wsRequest
	if json.Unmarshal(data, &m) != nil || m.Type != "RESTRequest" || m.RequestID == "" {
		return
	}
	uri := strings.TrimPrefix(m.URI, "/")
	path, query, _ := strings.Cut(uri, "?")
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	var q strings.Builder
	q.WriteString(query)
	for _, kv := range m.QueryStrings {
		if q.Len() > 0 {
			q.WriteByte('&')
		}
		q.WriteString(url.QueryEscape(kv.Name))
		q.WriteByte('=')
		q.WriteString(url.QueryEscape(kv.Value))
	}
	x := session.Exchange{Time: time.Now().UTC(), Transport: session.TransportWebsocket, Method: strings.ToUpper(m.Method),
		Path: "/ari/" + path, Query: session.RedactQuery(q.String())}
	if m.MessageBody != "" {
		x.Request = []byte(m.MessageBody)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.pending[m.RequestID]; old != nil {
		// A request id used again before its answer: the answer cannot
		// be told apart.
		c.p.tl.complete(old.slot, old.x, false)
		delete(c.pending, m.RequestID)
		fmt.Fprintf(c.p.stderr, "ari: websocket %d: request id %q sent again before its answer: the first request is not recorded\n", c.seq, m.RequestID)
	}
	if len(c.pending) >= maxPendingWSRequests {
		fmt.Fprintf(c.p.stderr, "ari: websocket %d: %d requests wait for their answer: %s %s is not recorded\n", c.seq, len(c.pending), x.Method, x.Path)
		return
	}
	c.pending[m.RequestID] = &wsPending{slot: c.p.tl.reserve(x), x: x}
}

// response records the exchange a RESTResponse message completes and
// reports whether data was one.
func (c *wsPair) response(data []byte) bool {
	if !bytes.Contains(data, responseMarker) {
		return false
	}
	var m wsResponse
	if json.Unmarshal(data, &m) != nil || m.Type != "RESTResponse" {
		return false
	}
	c.mu.Lock()
	pd := c.pending[m.RequestID]
	delete(c.pending, m.RequestID)
	c.mu.Unlock()
	if pd == nil {
		return true // the answer to a request not recorded
	}
	x := pd.x
	x.Status = m.StatusCode
	if len(m.MessageBody) > c.p.maxBody {
		fmt.Fprintf(c.p.stderr, "ari: the answer to %s %s is larger than %d bytes: recorded without its body\n", x.Method, x.Path, c.p.maxBody)
	} else if m.MessageBody != "" {
		x.Body = []byte(m.MessageBody)
	}
	c.p.tl.complete(pd.slot, x, true)
	return true
}
